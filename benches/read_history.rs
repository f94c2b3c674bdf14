//! How fast the reader takes a large `_stats_history.csv`: 30 minutes × 50 endpoints written
//! as Locust 2.47 writes it with `--csv-full-history` (a row per endpoint per second plus the
//! Aggregated row: 91,800 rows), into the run model's compact history as `read_run` does.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const HEADER: &str = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size";

/// A history file in Locust's format with deterministic, varied values.
fn generate(seconds: u64, endpoints: u64) -> String {
    let mut out = String::with_capacity(25_000_000);
    out.push_str(HEADER);
    out.push_str("\r\n");
    let start = 1_795_859_305_u64;
    for s in 0..seconds {
        for e in 0..=endpoints {
            let (kind, name) = if e == endpoints {
                (String::new(), "Aggregated".to_string())
            } else {
                ("GET".to_string(), format!("/api/v1/resource-{e}/items"))
            };
            let base = 10 + (e * 37 + s * 13) % 400;
            let total = s * 20 + e;
            let _ = write!(
                out,
                "{},{},{},{},{:.6},{:.6}",
                start + s,
                100,
                kind,
                name,
                19.7 + (e as f64) * 0.1,
                0.0
            );
            for step in [0, 10, 20, 30, 50, 70, 90, 120, 200, 200, 210] {
                let _ = write!(out, ",{}", base + step);
            }
            let _ = write!(
                out,
                ",{},{},{},{},{},{},{}\r\n",
                total,
                total / 100,
                base,
                base as f64 + 0.123_456_789_012_345,
                base as f64 * 0.31,
                base as f64 * 2.7 + 0.5,
                128.0
            );
        }
    }
    out
}

fn read_history(c: &mut Criterion) {
    let text = generate(30 * 60, 50);
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("big_stats_history.csv");
    std::fs::write(&path, &text).expect("write history");
    let mut group = c.benchmark_group("read_history");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    group.bench_function("30min_x_50_endpoints", |b| {
        b.iter(|| {
            let history =
                perfreport::locust::load_history(black_box(&path)).expect("valid history");
            assert_eq!(history.rows_read(), 91_800);
            history
        })
    });
    group.finish();
}

criterion_group!(benches, read_history);
criterion_main!(benches);
