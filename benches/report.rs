//! The HTML report at scale: 200 endpoints and a 30-minute `--csv-full-history` history
//! (1,800 seconds × 201 rows), generated here, rendered alone and against a baseline.
//!
//! `cargo bench --bench report` prints the report sizes once, then criterion's timings of
//! building the context and rendering the page (the median is in
//! `target/criterion/report/*/new/estimates.json`). With `PERFREPORT_BENCH_HTML=DIR` both
//! pages are written to `DIR` to be looked at.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};

use perfreport::compare::{compare, CompareOptions};
use perfreport::model::{EndpointKey, EndpointStats, FailureRow, HistoryRow, Percentile, Run};
use perfreport::report::context::ReportContext;
use perfreport::report::html;

const ENDPOINTS: usize = 200;
const SECONDS: i64 = 1800;
const LEVELS: [f64; 11] = [
    0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0,
];

/// A deterministic pseudo-random number in [0, 1) from a seed.
fn noise(seed: u64) -> f64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    (x % 10_000) as f64 / 10_000.0
}

fn percentiles(median: f64, seed: u64) -> Vec<Percentile> {
    LEVELS
        .iter()
        .enumerate()
        .map(|(i, &level)| Percentile {
            level,
            value_ms: Some((median * (1.0 + i as f64 * 0.35 + noise(seed + i as u64))).round()),
        })
        .collect()
}

fn stats(key: EndpointKey, requests: u64, median: f64, seed: u64) -> EndpointStats {
    let failures = requests / 200;
    EndpointStats {
        key,
        requests,
        failures,
        median_ms: Some(median),
        avg_ms: median * 1.3,
        min_ms: Some(median / 4.0),
        max_ms: Some(median * 6.0),
        avg_content_size: 512.0,
        rps: requests as f64 / SECONDS as f64,
        failures_per_s: failures as f64 / SECONDS as f64,
        percentiles: percentiles(median, seed),
    }
}

fn history_row(t: i64, key: EndpointKey, rps: f64, median: f64, seed: u64) -> HistoryRow {
    HistoryRow {
        timestamp: 1_795_000_000 + t,
        user_count: (t as u64 * 10).min(500),
        key,
        rps,
        failures_per_s: rps / 200.0,
        percentiles: percentiles(median, seed),
        total_requests: (rps * t as f64) as u64,
        total_failures: (rps * t as f64 / 200.0) as u64,
        total_median_ms: Some(median),
        total_avg_ms: median * 1.3,
        total_min_ms: Some(median / 4.0),
        total_max_ms: Some(median * 6.0),
        total_avg_content_size: 512.0,
    }
}

/// A run with `ENDPOINTS` endpoints (long, similar names) and a full history of `SECONDS`.
fn large_run(name: &str, slower: f64) -> Run {
    let keys: Vec<EndpointKey> = (0..ENDPOINTS)
        .map(|i| {
            EndpointKey::new(
                if i % 5 == 0 { "POST" } else { "GET" },
                format!(
                    "/api/v2/tenants/{{tenant}}/resources/group-{:03}/items/{{item}}/details",
                    i
                ),
            )
        })
        .collect();
    let medians: Vec<f64> = (0..ENDPOINTS)
        .map(|i| (20.0 + 300.0 * noise(i as u64)) * if i == 7 { slower } else { 1.0 })
        .collect();
    let endpoints: Vec<EndpointStats> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| stats(k.clone(), 2_000 + 50 * i as u64, medians[i], i as u64))
        .collect();
    let total: u64 = endpoints.iter().map(|e| e.requests).sum();
    let aggregated = stats(EndpointKey::aggregated(), total, 90.0, 999);
    let mut history = Vec::with_capacity((SECONDS as usize + 1) * (ENDPOINTS + 1));
    for t in 0..SECONDS {
        for (i, k) in keys.iter().enumerate() {
            let seed = (t as u64) * 1000 + i as u64;
            let rps = endpoints[i].rps * (0.8 + 0.4 * noise(seed));
            history.push(history_row(t, k.clone(), rps, medians[i], seed));
        }
        let rps = aggregated.rps * (0.9 + 0.2 * noise(t as u64));
        history.push(history_row(
            t,
            EndpointKey::aggregated(),
            rps,
            90.0,
            t as u64,
        ));
    }
    let failures = (0..40)
        .map(|i| FailureRow {
            key: keys[i * 5].clone(),
            error: format!("HTTPError('503 Server Error: Service Unavailable for url: /x/{i}')"),
            occurrences: 10 + i as u64,
            first_seen: None,
            last_seen: None,
        })
        .collect();
    Run {
        history: history.into(),
        failures,
        ..Run::of_rows(name, endpoints, aggregated)
    }
}

fn bench(c: &mut Criterion) {
    let baseline = large_run("baseline", 1.0);
    let latest = large_run("latest", 1.5);
    let options = CompareOptions::default();

    let single = html::render(&ReportContext::of_runs(std::slice::from_ref(&latest), None))
        .expect("report renders");
    let comparison = compare(&baseline, &latest, &options);
    let compared = html::render(&ReportContext::compared(
        &baseline,
        &latest,
        &comparison,
        None,
    ))
    .expect("report renders");
    println!(
        "report size: single run {} bytes, with --baseline {} bytes",
        single.len(),
        compared.len()
    );
    // PERFREPORT_BENCH_HTML=DIR keeps both pages, to look at them.
    if let Some(dir) = std::env::var_os("PERFREPORT_BENCH_HTML") {
        let dir = PathBuf::from(dir);
        std::fs::write(dir.join("large-single.html"), &single).expect("writable directory");
        std::fs::write(dir.join("large-compare.html"), &compared).expect("writable directory");
    }

    let mut group = c.benchmark_group("report");
    group.sample_size(20);
    group.bench_function("single_200_endpoints_30min", |b| {
        b.iter(|| {
            let ctx = ReportContext::of_runs(std::slice::from_ref(&latest), None);
            html::render(&ctx).map(|page| page.len())
        })
    });
    group.bench_function("baseline_200_endpoints_30min", |b| {
        b.iter(|| {
            let comparison = compare(&baseline, &latest, &options);
            let ctx = ReportContext::compared(&baseline, &latest, &comparison, None);
            html::render(&ctx).map(|page| page.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
