//! The one vocabulary of metrics: what `compare` judges, what an SLA threshold measures and
//! what `history` follows are all a [`Metric`], parsed from the names users type (`p95`,
//! `p(95)`, `median`, `mean`, `failure_rate`, `error_rate`, `failure-rate`, `throughput`, …)
//! and printed by one canonical name. Each command then says which metrics it can use.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::decimal::Decimal;
use crate::model::EndpointStats;

/// Something measured on one endpoint's row (or the Aggregated row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Mean response time, ms.
    Avg,
    /// Fastest response, ms.
    Min,
    /// Slowest response, ms (exact: Locust's `Max Response Time`).
    Max,
    /// Locust's `Median Response Time` column, ms.
    Median,
    /// A percentile, in hundredths of a percent (`9500` is p95, `9990` is p99.9).
    Percentile(u32),
    /// Requests per second.
    Rps,
    /// Failed requests as a fraction of all requests (also typed `error_rate`).
    FailureRate,
    /// Requests completed.
    Requests,
    /// The APDEX score at a target time T in ms (`apdex(300ms)`); `None`: the configured T.
    Apdex(Option<Decimal>),
}

/// The kind of quantity a metric is, which decides its units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A response time in milliseconds.
    Time,
    /// Requests per second.
    Throughput,
    /// A fraction of requests.
    Ratio,
    /// A number of requests.
    Count,
    /// A score between 0 and 1 (APDEX).
    Score,
}

impl Metric {
    /// The median as a percentile (Locust's `50%` column).
    pub const P50: Metric = Metric::Percentile(5000);
    /// The 90th percentile.
    pub const P90: Metric = Metric::Percentile(9000);
    /// The 95th percentile.
    pub const P95: Metric = Metric::Percentile(9500);
    /// The 99th percentile.
    pub const P99: Metric = Metric::Percentile(9900);

    /// APDEX at the configured target time T (`--apdex-t`, the SLA's `[apdex_t]`).
    pub const APDEX: Metric = Metric::Apdex(None);

    /// What `compare` judges unless told otherwise (`--metrics`): every metric it reports but
    /// APDEX, which is judged when its target time is chosen (`--apdex-t`, an SLA's
    /// `[apdex_t]`) or named — at an arbitrary T it would only add tests to the family.
    pub const DEFAULT_JUDGED: &[Metric] = Metric::JUDGED.split_at(7).0;

    /// What `compare` reports for every endpoint, in the order its tables show them.
    pub const JUDGED: [Metric; 8] = [
        Metric::Avg,
        Metric::P50,
        Metric::P95,
        Metric::P99,
        Metric::Max,
        Metric::Rps,
        Metric::FailureRate,
        Metric::APDEX,
    ];

    /// Reads a metric name as users type it, in any case: `avg` (`mean`, `average`), `min`,
    /// `max`, `median` (`med`), `p95`, `p99.9` or k6's `p(95)`, `rps` (`throughput`),
    /// `failure_rate` (`failure-rate`, `error_rate`, `error-rate`, `errors`, `failures`),
    /// `requests`, `apdex` and `apdex(300ms)`.
    pub fn parse(text: &str) -> Result<Metric, String> {
        let t = text.trim().to_ascii_lowercase();
        Ok(match t.as_str() {
            "avg" | "mean" | "average" => Metric::Avg,
            "min" => Metric::Min,
            "max" => Metric::Max,
            "median" | "med" => Metric::Median,
            "rps" | "throughput" => Metric::Rps,
            "failure_rate" | "failure-rate" | "error_rate" | "error-rate" | "errors"
            | "failures" => Metric::FailureRate,
            "requests" => Metric::Requests,
            "apdex" => Metric::Apdex(None),
            _ if t.starts_with("apdex(") => return parse_apdex(&t),
            _ => {
                return parse_percentile(&t).ok_or_else(|| {
                    format!(
                        "unknown metric `{}`: expected avg, min, max, median, a percentile like \
                         p95 or p(99.9), rps, failure_rate, requests, apdex or apdex(T)",
                        text.trim()
                    )
                })
            }
        })
    }

    /// The canonical name as a static string, for table headers and JSON keys: the same as
    /// the [`fmt::Display`] name for every metric a command can use (Locust's percentile
    /// columns among them); another percentile or an APDEX with its T is `percentile` or
    /// `apdex` here and only exact in `Display`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Avg => "avg",
            Metric::Min => "min",
            Metric::Max => "max",
            Metric::Median => "median",
            Metric::Percentile(h) => match h {
                5000 => "p50",
                6600 => "p66",
                7500 => "p75",
                8000 => "p80",
                9000 => "p90",
                9500 => "p95",
                9800 => "p98",
                9900 => "p99",
                9990 => "p99.9",
                9999 => "p99.99",
                10000 => "p100",
                _ => "percentile",
            },
            Metric::Rps => "rps",
            Metric::FailureRate => "failure_rate",
            Metric::Requests => "requests",
            Metric::Apdex(_) => "apdex",
        }
    }

    /// The kind of quantity this metric is.
    pub fn kind(self) -> Kind {
        match self {
            Metric::Avg | Metric::Min | Metric::Max | Metric::Median | Metric::Percentile(_) => {
                Kind::Time
            }
            Metric::Rps => Kind::Throughput,
            Metric::FailureRate => Kind::Ratio,
            Metric::Requests => Kind::Count,
            Metric::Apdex(_) => Kind::Score,
        }
    }

    /// Whether the metric is a response time in milliseconds (higher is worse).
    pub fn is_latency(self) -> bool {
        self.kind() == Kind::Time
    }

    /// The quantile a response-time metric is, as a fraction (0.95 for p95, 1 for max, 0.5
    /// for the median); `None` for the mean, the minimum and the other metrics.
    pub fn level(self) -> Option<f64> {
        match self {
            Metric::Percentile(hundredths) => Some(f64::from(hundredths) / 10_000.0),
            Metric::Median => Some(0.5),
            Metric::Max => Some(1.0),
            _ => None,
        }
    }

    /// The metric's value in one endpoint's row, when the row has one (no mean or failure
    /// rate without requests; APDEX is computed from a distribution, not read off a row). The
    /// one reading of a row that `compare`, groups and spreads share.
    pub fn value(self, s: &EndpointStats) -> Option<f64> {
        match self {
            Metric::Avg => (s.requests > 0).then_some(s.avg_ms),
            Metric::Min => s.min_ms,
            Metric::Max => s.max_ms.or_else(|| s.percentile(1.0)),
            Metric::Median => s.median_ms.or_else(|| s.percentile(0.5)),
            Metric::P50 => s.percentile(0.5).or(s.median_ms),
            Metric::Percentile(_) => self.level().and_then(|l| s.percentile(l)),
            Metric::Rps => Some(s.rps),
            Metric::FailureRate => (s.requests > 0).then(|| s.failure_ratio()),
            Metric::Requests => Some(s.requests as f64),
            Metric::Apdex(_) => None,
        }
    }
}

/// `p95`, `p99.9` or k6's `p(95)`: a level above 0 and at most 100 %, to 0.01 %.
fn parse_percentile(token: &str) -> Option<Metric> {
    let rest = token.strip_prefix('p')?;
    let number = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(rest);
    let hundredths = Decimal::parse(number)?.in_hundredths()?;
    (1..=10_000)
        .contains(&hundredths)
        .then_some(Metric::Percentile(hundredths))
}

/// `apdex(300ms)`, `apdex(2s)`, `apdex(300)`: APDEX at an explicit target time.
fn parse_apdex(token: &str) -> Result<Metric, String> {
    let inner = token
        .strip_prefix("apdex(")
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| format!("`{token}`: expected apdex(T) with a time T like 300ms"))?;
    Decimal::parse_time_ms(inner)
        .map(|t| Metric::Apdex(Some(t)))
        .ok_or_else(|| {
            format!("`{token}`: the APDEX target time must be a positive time like 300ms or 2s")
        })
}

impl fmt::Display for Metric {
    /// The canonical name: what tables, JSON and check names say.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Metric::Avg => f.write_str("avg"),
            Metric::Min => f.write_str("min"),
            Metric::Max => f.write_str("max"),
            Metric::Median => f.write_str("median"),
            Metric::Percentile(h) => {
                let d = Decimal {
                    digits: u128::from(*h),
                    scale: 2,
                };
                write!(f, "p{d}")
            }
            Metric::Rps => f.write_str("rps"),
            Metric::FailureRate => f.write_str("failure_rate"),
            Metric::Requests => f.write_str("requests"),
            Metric::Apdex(None) => f.write_str("apdex"),
            Metric::Apdex(Some(t)) => write!(f, "apdex({t}ms)"),
        }
    }
}

impl Serialize for Metric {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_users_type_is_one_metric() {
        for (typed, metric) in [
            ("p95", Metric::P95),
            ("P(95)", Metric::P95),
            ("p99.9", Metric::Percentile(9990)),
            ("p50", Metric::P50),
            ("median", Metric::Median),
            ("mean", Metric::Avg),
            ("failure_rate", Metric::FailureRate),
            ("error_rate", Metric::FailureRate),
            ("failure-rate", Metric::FailureRate),
            ("throughput", Metric::Rps),
            ("apdex", Metric::Apdex(None)),
        ] {
            assert_eq!(Metric::parse(typed), Ok(metric), "{typed}");
        }
        assert_eq!(
            Metric::parse("apdex(300ms)"),
            Ok(Metric::Apdex(Decimal::parse("300")))
        );
        for bad in ["p0", "p101", "p9x", "speed", "apdex(0)", ""] {
            assert!(Metric::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn canonical_names_read_back() {
        for m in Metric::JUDGED.into_iter().chain([
            Metric::Median,
            Metric::Min,
            Metric::Requests,
            Metric::Percentile(9990),
            Metric::Apdex(None),
        ]) {
            assert_eq!(Metric::parse(&m.to_string()), Ok(m), "{m}");
        }
        assert_eq!(Metric::FailureRate.to_string(), "failure_rate");
        assert_eq!(Metric::Percentile(9990).to_string(), "p99.9");
    }
}
