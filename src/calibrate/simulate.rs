//! Simulated Locust runs with known truth, modelled on recorded A/A runs: each endpoint's
//! requests are drawn from its pooled recorded response times, each run scales them by a
//! log-normal factor with that endpoint's recorded between-run drift of the average, and the rows are written as Locust writes them (bucketed percentiles by
//! Locust's own rule, exact mean, min and max). Complements the recorded battery: it can run
//! thousands of comparisons per design where the battery holds a dozen runs.

use super::fit::Observed;
use super::Effect;
use crate::compare::DriftAllowance;
use crate::metric::Metric;
use crate::model::{EndpointKey, EndpointStats, Percentile, Run};
use crate::stats::{histogram_percentile, locust_round, locust_rounding_step};

/// Locust's percentile levels (`PERCENTILES_TO_REPORT` in `locust/stats.py`).
const LEVELS: [f64; 11] = [
    0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0,
];

/// One endpoint of the model: its recorded times and how often it is called.
#[derive(Debug, Clone)]
struct EndpointModel {
    key: EndpointKey,
    /// Recorded bucket keys (ms) and counts, ascending.
    buckets: Vec<(f64, u64)>,
    total: u64,
    mean_requests: f64,
    /// Between-run standard deviation of the log of this endpoint's times, as recorded.
    drift_sd: f64,
}

/// A generator of runs like the A/A runs it was built from.
#[derive(Debug, Clone)]
pub struct Model {
    endpoints: Vec<EndpointModel>,
    duration_s: f64,
}

impl Model {
    /// Builds the model from recorded runs (their full histograms when they have them, else the
    /// rebuilt distributions are sampled at Locust's percentile levels): each endpoint drifts from
    /// run to run as its average did in `observed` (the drift allowance where it was not
    /// measured).
    pub fn from_runs(runs: &[Run], observed: &[Observed], drift: &DriftAllowance) -> Option<Model> {
        let first = runs.first()?;
        let mut endpoints = Vec::new();
        for e in &first.endpoints {
            let mut merged: Vec<(f64, u64)> = Vec::new();
            let mut requests = 0.0;
            for run in runs {
                let Some(stats) = run.endpoint(&e.key) else {
                    continue;
                };
                requests += stats.requests as f64;
                match run.histogram(&e.key) {
                    Some(h) => merged.extend(h.buckets),
                    None => merged.extend(
                        stats
                            .percentiles
                            .iter()
                            .filter_map(|p| p.value_ms.map(|v| (v, 1 + (p.level * 100.0) as u64))),
                    ),
                }
            }
            merged.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut buckets: Vec<(f64, u64)> = Vec::new();
            for (ms, count) in merged {
                match buckets.last_mut() {
                    Some(last) if last.0 == ms => last.1 += count,
                    _ => buckets.push((ms, count)),
                }
            }
            let total = buckets.iter().map(|b| b.1).sum();
            if total == 0 {
                continue;
            }
            let mean_requests = requests / runs.len() as f64;
            let drift_sd = observed
                .iter()
                .find(|o| o.key == e.key && o.metric == Metric::Avg)
                .map_or_else(
                    || {
                        let typical = e.avg_ms.max(1.0);
                        drift.log_var(Metric::Avg, typical).sqrt()
                    },
                    |o| o.between_var().sqrt(),
                );
            endpoints.push(EndpointModel {
                key: e.key.clone(),
                buckets,
                total,
                mean_requests,
                drift_sd,
            });
        }
        let durations: Vec<f64> = runs.iter().filter_map(Run::duration_s).collect();
        let duration_s = if durations.is_empty() {
            60.0
        } else {
            durations.iter().sum::<f64>() / durations.len() as f64
        };
        Some(Model {
            endpoints,
            duration_s,
        })
    }

    /// `n` runs named `prefix-0`, `prefix-1`…, drawn one after the other.
    pub fn runs(&self, rng: &mut Rng, prefix: &str, n: usize, effects: &[Effect]) -> Vec<Run> {
        (0..n)
            .map(|i| self.run(rng, &format!("{prefix}-{i}"), effects))
            .collect()
    }

    /// One simulated run with `effects` applied.
    pub fn run(&self, rng: &mut Rng, name: &str, effects: &[Effect]) -> Run {
        let mut endpoints = Vec::new();
        let mut all: Vec<(f64, bool)> = Vec::new();
        for e in &self.endpoints {
            let factor = (e.drift_sd * rng.normal()).exp();
            let n = (e.mean_requests + e.mean_requests.sqrt() * rng.normal())
                .round()
                .max(1.0) as usize;
            let effect = effects.iter().find(|x| x.endpoint == e.key.name);
            let mut times = Vec::with_capacity(n);
            for _ in 0..n {
                let key = e.sample(rng);
                let step = locust_rounding_step(key);
                let mut t = (key + (rng.uniform() - 0.5) * step).max(0.0);
                t *= factor;
                let mut failed = false;
                if let Some(x) = effect {
                    t *= x.factor;
                    if rng.uniform() < x.tail_rate {
                        t += x.tail_ms;
                    }
                    failed = rng.uniform() < x.fail_rate;
                }
                times.push((t, failed));
            }
            endpoints.push(locust_row(e.key.clone(), &times, self.duration_s));
            all.extend(times);
        }
        let aggregated = locust_row(EndpointKey::aggregated(), &all, self.duration_s);
        Run::of_rows(name, endpoints, aggregated)
    }
}

impl EndpointModel {
    fn sample(&self, rng: &mut Rng) -> f64 {
        let mut target = (rng.uniform() * self.total as f64) as u64;
        for &(ms, count) in &self.buckets {
            if target < count {
                return ms;
            }
            target -= count;
        }
        self.buckets.last().map_or(0.0, |b| b.0)
    }
}

/// The `_stats.csv` row Locust would write for these (time ms, failed) requests: percentiles
/// of the rounded times by Locust's own rule, exact mean, min and max. Shared with the
/// simulation tests of [`crate::compare`].
pub fn locust_row(key: EndpointKey, times: &[(f64, bool)], seconds: f64) -> EndpointStats {
    let mut buckets: Vec<(f64, u64)> = times.iter().map(|&(t, _)| (locust_round(t), 1)).collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = times.len();
    let failures = times.iter().filter(|t| t.1).count() as u64;
    let at = |p: f64| histogram_percentile(&buckets, p);
    EndpointStats {
        key,
        requests: n as u64,
        failures,
        median_ms: at(0.5),
        avg_ms: times.iter().map(|t| t.0).sum::<f64>() / n.max(1) as f64,
        min_ms: times.iter().map(|t| t.0).reduce(f64::min),
        max_ms: times.iter().map(|t| t.0).reduce(f64::max),
        avg_content_size: 0.0,
        rps: n as f64 / seconds,
        failures_per_s: failures as f64 / seconds,
        percentiles: LEVELS
            .iter()
            .map(|&level| Percentile {
                level,
                value_ms: at(level),
            })
            .collect(),
    }
}

/// SplitMix64 (Steele, Lea & Flood, OOPSLA 2014) with Box–Muller normals: seeded, so every
/// calibration table can be reproduced.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal.
    pub fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// A uniform index below `n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.uniform() * n as f64) as usize).min(n - 1)
    }
}
