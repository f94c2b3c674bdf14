//! The built-in SLA: the seed load-test plan's targets, used when `--sla` is not given.
//!
//! From the plan's "Response Time Validation" table (per-endpoint P95) and its "Target Metrics"
//! table (per tier: users, RPS, average and P95 response time, error rate). `examples/sla.toml`
//! writes the same SLA as a file; a test keeps the two equal.

use super::expr::{Decimal, Metric, Op, Threshold, Unit};
use super::{EndpointTarget, Sla, Tier};

/// The name reports give the built-in SLA.
pub const BUILTIN_SOURCE: &str = "built-in SLA (seed plan)";

/// The plan's P95 target per endpoint, in ms.
const ENDPOINT_P95_MS: [(&str, u64); 4] = [
    ("/health/", 50),
    ("/system/metrics", 500),
    ("/analysis/", 2000),
    ("/lmcache/status", 200),
];

/// One tier of the plan's "Target Metrics" table.
struct TierRow {
    name: &'static str,
    users: u64,
    min_rps: u64,
    max_avg_ms: u64,
    max_p95_ms: u64,
    /// The error-rate ceiling in percent, as `digits / 10^scale` (0.1 % is `(1, 1)`).
    max_error_pct: (u128, u32),
}

const TIERS: [TierRow; 4] = [
    TierRow {
        name: "light",
        users: 10,
        min_rps: 10,
        max_avg_ms: 200,
        max_p95_ms: 500,
        max_error_pct: (1, 1),
    },
    TierRow {
        name: "medium",
        users: 50,
        min_rps: 40,
        max_avg_ms: 500,
        max_p95_ms: 1500,
        max_error_pct: (5, 1),
    },
    TierRow {
        name: "heavy",
        users: 100,
        min_rps: 80,
        max_avg_ms: 1000,
        max_p95_ms: 2500,
        max_error_pct: (1, 0),
    },
    TierRow {
        name: "stress",
        users: 200,
        min_rps: 100,
        max_avg_ms: 2000,
        max_p95_ms: 5000,
        max_error_pct: (5, 0),
    },
];

fn ms(metric: Metric, op: Op, value: u64) -> Threshold {
    Threshold::new(metric, op, Decimal::whole(value), Unit::Ms)
}

/// The seed plan's SLA.
pub fn builtin() -> Sla {
    let p95 = Metric::Percentile(9500);
    let endpoints = ENDPOINT_P95_MS
        .iter()
        .map(|&(name, limit)| EndpointTarget::from_key(name, vec![ms(p95, Op::Lt, limit)]))
        .collect();
    let tiers = TIERS
        .iter()
        .map(|row| Tier {
            name: row.name.to_string(),
            users: Some(row.users),
            thresholds: vec![
                Threshold::new(
                    Metric::Rps,
                    Op::Ge,
                    Decimal::whole(row.min_rps),
                    Unit::PerSecond,
                ),
                ms(Metric::Avg, Op::Lt, row.max_avg_ms),
                ms(p95, Op::Lt, row.max_p95_ms),
                Threshold::new(
                    Metric::FailureRate,
                    Op::Lt,
                    Decimal {
                        digits: row.max_error_pct.0,
                        scale: row.max_error_pct.1,
                    },
                    Unit::Percent,
                ),
            ],
        })
        .collect();
    Sla {
        source: BUILTIN_SOURCE.to_string(),
        endpoints,
        apdex_t: Vec::new(),
        tiers,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn matches_the_seed_tables() {
        let sla = builtin();
        let shown: Vec<String> = sla
            .endpoints
            .iter()
            .map(|e| format!("{} {}", e.label(), e.thresholds[0]))
            .collect();
        assert_eq!(
            shown,
            [
                "/health/ p95 < 50ms",
                "/system/metrics p95 < 500ms",
                "/analysis/ p95 < 2000ms",
                "/lmcache/status p95 < 200ms",
            ]
        );
        let tiers: Vec<String> = sla
            .tiers
            .iter()
            .map(|t| {
                let checks: Vec<String> = t.thresholds.iter().map(|c| c.to_string()).collect();
                format!("{} {:?}: {}", t.name, t.users, checks.join(", "))
            })
            .collect();
        assert_eq!(
            tiers,
            [
                "light Some(10): rps >= 10, avg < 200ms, p95 < 500ms, failure_rate < 0.1%",
                "medium Some(50): rps >= 40, avg < 500ms, p95 < 1500ms, failure_rate < 0.5%",
                "heavy Some(100): rps >= 80, avg < 1000ms, p95 < 2500ms, failure_rate < 1%",
                "stress Some(200): rps >= 100, avg < 2000ms, p95 < 5000ms, failure_rate < 5%",
            ]
        );
        assert_eq!(sla.tiers[0].thresholds[3].base_f64(), 0.001);
    }

    #[test]
    fn the_example_file_is_the_builtin_sla() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sla.toml");
        let example = Sla::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let builtin = builtin();
        assert_eq!(example.endpoints, builtin.endpoints);
        assert_eq!(example.tiers, builtin.tiers);
    }
}
