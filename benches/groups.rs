//! Pooling and testing run groups: 10 runs per side × 50 endpoints, CSV columns only (the
//! approximate path, which rebuilds and mixes distributions) — the work `compare` does on two
//! directories of repeated runs once the files are read.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};

use perfreport::compare::{compare_groups, CompareOptions};
use perfreport::model::{EndpointKey, EndpointStats, Percentile, Run, RunFiles};

const LEVELS: [f64; 11] = [
    0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0,
];

/// A deterministic endpoint row whose values vary with the run and endpoint numbers.
fn row(key: EndpointKey, run: u64, endpoint: u64, slowdown: f64) -> EndpointStats {
    let base = (20 + endpoint * 7) as f64 * (1.0 + (run % 5) as f64 * 0.01) * slowdown;
    let at = |p: f64| (base * (1.0 + 3.0 * p * p)).round();
    EndpointStats {
        key,
        requests: 1000 + run * 10 + endpoint,
        failures: run % 3,
        median_ms: Some(at(0.5)),
        avg_ms: base * 1.6,
        min_ms: Some(base * 0.5),
        max_ms: Some(base * 4.2),
        avg_content_size: 100.0,
        rps: 10.0 + endpoint as f64 * 0.1,
        failures_per_s: 0.0,
        percentiles: LEVELS
            .iter()
            .map(|&level| Percentile {
                level,
                value_ms: Some(at(level)),
            })
            .collect(),
    }
}

fn run(n: u64, slowdown: f64) -> Run {
    let endpoints = (0..50)
        .map(|e| {
            let factor = if e == 7 { slowdown } else { 1.0 };
            row(EndpointKey::new("GET", format!("/api/{e}")), n, e, factor)
        })
        .collect();
    Run {
        files: RunFiles {
            name: format!("run{n}"),
            stats: PathBuf::from(format!("run{n}_stats.csv")),
            history: None,
            failures: None,
            exceptions: None,
            histograms: None,
        },
        endpoints,
        aggregated: row(EndpointKey::aggregated(), n, 25, 1.0),
        history: Default::default(),
        failures: Vec::new(),
        exceptions: Vec::new(),
        histograms: Vec::new(),
    }
}

fn groups(c: &mut Criterion) {
    let baseline: Vec<Run> = (0..10).map(|n| run(n, 1.0)).collect();
    let latest: Vec<Run> = (0..10).map(|n| run(n + 10, 1.2)).collect();
    let options = CompareOptions::default();
    c.bench_function("compare_groups_10x10_runs_50_endpoints", |b| {
        b.iter(|| {
            compare_groups(black_box(&baseline), black_box(&latest), &options, None)
                .expect("non-empty groups")
        })
    });
}

criterion_group!(benches, groups);
criterion_main!(benches);
