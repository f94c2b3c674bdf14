//! Threshold expressions in the style k6 users know: `p95 < 500ms`, `avg < 200ms`,
//! `rps >= 40`, `error_rate < 0.5%`, `p99 < 2s`.
//!
//! A threshold is a metric, a comparison and a value with a unit. Values are kept as exact
//! decimals so that a run sitting exactly on a threshold is judged exactly: `0.5%` is the
//! fraction 5/1000, never `0.5 * 0.01` in floating point.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

pub use super::decimal::Decimal;
use super::decimal::MAX_DIGITS;

/// The percentile columns Locust writes, in hundredths of a percent (9990 is `99.9%`).
const LOCUST_LEVELS: [u32; 11] = [
    5000, 6600, 7500, 8000, 9000, 9500, 9800, 9900, 9990, 9999, 10000,
];

/// What a threshold measures, on one endpoint's row or on the Aggregated row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Mean response time (`Average Response Time`), ms.
    Avg,
    /// Fastest response, ms.
    Min,
    /// Slowest response, ms.
    Max,
    /// `Median Response Time`, ms.
    Median,
    /// A percentile column, in hundredths of a percent (`9500` is the `95%` column).
    Percentile(u32),
    /// Requests per second over the run.
    Rps,
    /// Failed requests as a fraction of all requests.
    ErrorRate,
    /// Requests completed.
    Requests,
}

/// The kind of quantity a metric is, which decides the units its value may have.
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
}

impl Metric {
    /// The kind of quantity this metric is.
    pub fn kind(self) -> Kind {
        match self {
            Metric::Avg | Metric::Min | Metric::Max | Metric::Median | Metric::Percentile(_) => {
                Kind::Time
            }
            Metric::Rps => Kind::Throughput,
            Metric::ErrorRate => Kind::Ratio,
            Metric::Requests => Kind::Count,
        }
    }

    /// For a percentile, its level as a fraction (0.95), as [`crate::model::Percentile`] has it.
    pub fn level(self) -> Option<f64> {
        match self {
            Metric::Percentile(hundredths) => Some(f64::from(hundredths) / 10_000.0),
            _ => None,
        }
    }

    fn parse(token: &str) -> Result<Self, String> {
        let t = token.to_ascii_lowercase();
        let metric = match t.as_str() {
            "avg" | "mean" => Metric::Avg,
            "min" => Metric::Min,
            "max" => Metric::Max,
            "median" | "med" => Metric::Median,
            "rps" => Metric::Rps,
            "error_rate" | "failure_rate" => Metric::ErrorRate,
            "requests" => Metric::Requests,
            _ => return parse_percentile(&t).ok_or_else(|| unknown_metric(token))?,
        };
        Ok(metric)
    }
}

/// `p95`, `p99.9` or k6's `p(95)`: `Some(Ok)` for a Locust column, `Some(Err)` for another
/// level, `None` when the token is not a percentile at all.
fn parse_percentile(token: &str) -> Option<Result<Metric, String>> {
    let rest = token.strip_prefix('p')?;
    let number = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(rest);
    let value = Decimal::parse(number)?;
    let hundredths = value.in_hundredths();
    Some(match hundredths {
        Some(h) if LOCUST_LEVELS.contains(&h) => Ok(Metric::Percentile(h)),
        _ => Err(format!(
            "Locust writes no {token} column: expected one of {}",
            percentile_names().join(", ")
        )),
    })
}

fn percentile_names() -> Vec<String> {
    LOCUST_LEVELS
        .iter()
        .map(|&h| Metric::Percentile(h).to_string())
        .collect()
}

fn unknown_metric(token: &str) -> String {
    format!(
        "unknown metric `{token}`: expected avg, min, max, median, {}, rps, error_rate or requests",
        percentile_names().join(", ")
    )
}

impl fmt::Display for Metric {
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
            Metric::ErrorRate => f.write_str("error_rate"),
            Metric::Requests => f.write_str("requests"),
        }
    }
}

impl Serialize for Metric {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The comparison a value must satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Op {
    /// Whether a value that compares to the threshold as `ordering` satisfies this comparison.
    pub fn holds(self, ordering: Ordering) -> bool {
        match self {
            Op::Lt => ordering == Ordering::Less,
            Op::Le => ordering != Ordering::Greater,
            Op::Gt => ordering == Ordering::Greater,
            Op::Ge => ordering != Ordering::Less,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        })
    }
}

impl Serialize for Op {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The unit a threshold value was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Milliseconds (`500ms`, or a bare number for a time).
    Ms,
    /// Seconds (`2s`).
    S,
    /// A percentage (`0.5%`).
    Percent,
    /// A bare fraction for a ratio (`0.005`, as k6 writes rates).
    Fraction,
    /// Requests per second (`40` or `40/s`).
    PerSecond,
    /// A number of requests.
    Count,
}

impl Unit {
    fn suffix(self) -> &'static str {
        match self {
            Unit::Ms => "ms",
            Unit::S => "s",
            Unit::Percent => "%",
            Unit::Fraction | Unit::PerSecond | Unit::Count => "",
        }
    }
}

/// One threshold: `metric op value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    /// What is measured.
    pub metric: Metric,
    /// How it must compare.
    pub op: Op,
    /// The value as written, in `unit`.
    pub value: Decimal,
    /// The unit the value was written in.
    pub unit: Unit,
}

impl Threshold {
    /// A threshold from its parts (used by the built-in SLA).
    pub fn new(metric: Metric, op: Op, value: Decimal, unit: Unit) -> Self {
        Self {
            metric,
            op,
            value,
            unit,
        }
    }

    /// The value in the metric's base unit (ms, requests per second, fraction, requests),
    /// exactly. `None` only if a seconds value is too large to convert.
    pub fn base(&self) -> Option<Decimal> {
        match self.unit {
            Unit::S => self.value.times(1000),
            Unit::Percent => Some(self.value.over_100()),
            Unit::Ms | Unit::Fraction | Unit::PerSecond | Unit::Count => Some(self.value),
        }
    }

    /// The value in the metric's base unit as a float, for display and JSON.
    pub fn base_f64(&self) -> f64 {
        self.base().map_or(f64::INFINITY, Decimal::to_f64)
    }

    /// The target as shown to users: `< 500ms`.
    pub fn target(&self) -> String {
        format!("{} {}{}", self.op, self.value, self.unit.suffix())
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.metric, self.target())
    }
}

/// A threshold expression that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    /// What was expected and what was found.
    pub message: String,
    /// Byte offset in the expression where the problem starts.
    pub offset: usize,
}

impl FromStr for Threshold {
    type Err = ExprError;

    fn from_str(text: &str) -> Result<Self, ExprError> {
        parse_threshold(text)
    }
}

/// Parses `METRIC OP VALUE[UNIT]`, e.g. `p95 < 500ms`, `rps >= 40`, `error_rate < 0.5%`.
pub fn parse_threshold(text: &str) -> Result<Threshold, ExprError> {
    let err = |offset: usize, message: String| ExprError { message, offset };
    let start = text.len() - text.trim_start().len();
    if text.trim().is_empty() {
        return Err(err(
            0,
            "empty threshold: expected an expression like `p95 < 500ms`".into(),
        ));
    }
    let metric_end = text[start..]
        .find(|c: char| c.is_whitespace() || "<>=!".contains(c))
        .map_or(text.len(), |i| start + i);
    let metric_text = &text[start..metric_end];
    if metric_text.is_empty() {
        return Err(err(
            start,
            "expected a metric before the comparison, as in `p95 < 500ms`".into(),
        ));
    }
    let metric = Metric::parse(metric_text).map_err(|m| err(start, m))?;

    let op_start = metric_end + (text[metric_end..].len() - text[metric_end..].trim_start().len());
    let rest = &text[op_start..];
    let op_len = rest
        .find(|c: char| !"<>=!".contains(c))
        .unwrap_or(rest.len());
    let op = match &rest[..op_len] {
        "<" => Op::Lt,
        "<=" => Op::Le,
        ">" => Op::Gt,
        ">=" => Op::Ge,
        _ => {
            return Err(err(
                op_start,
                format!(
                    "expected a comparison (<, <=, > or >=) after `{metric_text}`, found {}",
                    found(rest)
                ),
            ))
        }
    };
    let value_at = op_start + op_len;
    let value_start = value_at + (text[value_at..].len() - text[value_at..].trim_start().len());
    let (value, unit) = parse_value(metric, op, &text[value_start..])
        .map_err(|(offset, message)| err(value_start + offset, message))?;
    Ok(Threshold::new(metric, op, value, unit))
}

fn found(rest: &str) -> String {
    let rest = rest.trim();
    if rest.is_empty() {
        "the end of the expression".into()
    } else {
        format!("`{rest}`")
    }
}

fn expected(kind: Kind) -> &'static str {
    match kind {
        Kind::Time => "a time like `500ms` or `2s`",
        Kind::Throughput => "a number of requests per second like `40`",
        Kind::Ratio => "a percentage like `0.5%` (or a fraction like `0.005`)",
        Kind::Count => "a whole number of requests like `100`",
    }
}

/// Parses the value after the comparison: a number and the unit the metric allows.
fn parse_value(metric: Metric, op: Op, text: &str) -> Result<(Decimal, Unit), (usize, String)> {
    let kind = metric.kind();
    let text = text.trim_end();
    let number_len = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let number = &text[..number_len];
    let Some(value) = Decimal::parse(number) else {
        let what = if number.len() > MAX_DIGITS {
            format!("`{number}` has too many digits (at most {MAX_DIGITS})")
        } else {
            format!("found {}", found(text))
        };
        return Err((
            0,
            format!("expected {} after `{op}`, {what}", expected(kind)),
        ));
    };
    let suffix_at = number_len + (text[number_len..].len() - text[number_len..].trim_start().len());
    let suffix = &text[suffix_at..];
    let bad_unit = |allowed: &str| {
        Err((
            suffix_at,
            format!("unknown unit `{suffix}` in `{text}`: {allowed}"),
        ))
    };
    let unit = match (kind, suffix) {
        (Kind::Time, "" | "ms") => Unit::Ms,
        (Kind::Time, "s") => Unit::S,
        (Kind::Time, _) => return bad_unit("a time is in `ms` (the default) or `s`"),
        (Kind::Throughput, "" | "/s") => Unit::PerSecond,
        (Kind::Throughput, _) => {
            return bad_unit("throughput is a bare number of requests per second")
        }
        (Kind::Ratio, "%") => Unit::Percent,
        (Kind::Ratio, "") => Unit::Fraction,
        (Kind::Ratio, _) => return bad_unit("an error rate is a percentage like `0.5%`"),
        (Kind::Count, "") => Unit::Count,
        (Kind::Count, _) => return bad_unit("a request count is a bare whole number"),
    };
    if unit == Unit::Fraction && value.cmp_ratio(1, 1) == Some(Ordering::Less) {
        return Err((
            0,
            format!(
                "`{number}` is not a fraction between 0 and 1: write `{number}%` for a percentage"
            ),
        ));
    }
    if unit == Unit::Count && !value.is_whole() {
        return Err((
            0,
            format!("a request count is a whole number, found `{number}`"),
        ));
    }
    if unit == Unit::S && value.times(1000).is_none() {
        return Err((0, format!("`{number}s` is too large")));
    }
    Ok((value, unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Threshold {
        parse_threshold(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn e(text: &str) -> ExprError {
        parse_threshold(text).expect_err(text)
    }

    #[test]
    fn the_issue_examples_parse() {
        let p95 = t("p95 < 500ms");
        assert_eq!(p95.metric, Metric::Percentile(9500));
        assert_eq!(p95.op, Op::Lt);
        assert_eq!(p95.base_f64(), 500.0);
        assert_eq!(t("avg < 200ms").metric, Metric::Avg);
        let rps = t("rps >= 40");
        assert_eq!(
            (rps.metric, rps.op, rps.base_f64()),
            (Metric::Rps, Op::Ge, 40.0)
        );
        let rate = t("error_rate < 0.5%");
        assert_eq!(
            rate.base(),
            Some(Decimal {
                digits: 5,
                scale: 3
            })
        );
        assert_eq!(rate.base_f64(), 0.005);
        let p99 = t("p99 < 2s");
        assert_eq!(p99.base_f64(), 2000.0);
        assert_eq!(p99.to_string(), "p99 < 2s");
    }

    #[test]
    fn spacing_aliases_and_k6_forms() {
        assert_eq!(t("p95<500ms"), t("  p95   <   500 ms "));
        assert_eq!(t("p(95) < 500"), t("p95 < 500ms"));
        assert_eq!(t("P99.9 <= 1.5s").metric, Metric::Percentile(9990));
        assert_eq!(t("P99.9 <= 1.5s").base_f64(), 1500.0);
        assert_eq!(t("p99.99 > 1").metric, Metric::Percentile(9999));
        assert_eq!(t("p100 < 3s").metric, Metric::Percentile(10000));
        assert_eq!(t("mean < 1").metric, Metric::Avg);
        assert_eq!(t("failure_rate < 0.01").base_f64(), 0.01);
        assert_eq!(t("rps >= 40/s").base_f64(), 40.0);
        assert_eq!(t("requests >= 100").base_f64(), 100.0);
        assert_eq!(t("median > 0.25s").base_f64(), 250.0);
    }

    #[test]
    fn units_convert_exactly() {
        // 1.1 × 1000 in floating point is not guaranteed to be 1100; the decimal is.
        assert_eq!(
            t("p95 < 1.1s").base(),
            Some(Decimal {
                digits: 11000,
                scale: 1
            })
        );
        assert_eq!(t("p95 < 1.1s").base_f64(), 1100.0);
        assert_eq!(t("error_rate < 0.1%").base_f64(), 0.001);
        assert_eq!(t("error_rate < 5%").base_f64(), 0.05);
    }

    #[test]
    fn display_keeps_the_written_unit() {
        assert_eq!(t("error_rate<0.50%").target(), "< 0.5%");
        assert_eq!(t("p99.9 >= 2s").to_string(), "p99.9 >= 2s");
        assert_eq!(t("avg < 200").to_string(), "avg < 200ms");
        assert_eq!(t("error_rate < 0.005").target(), "< 0.005");
    }

    #[test]
    fn ops_hold_as_written() {
        use Ordering::*;
        let cases = [
            (Op::Lt, [true, false, false]),
            (Op::Le, [true, true, false]),
            (Op::Gt, [false, false, true]),
            (Op::Ge, [false, true, true]),
        ];
        for (op, expect) in cases {
            assert_eq!(
                [op.holds(Less), op.holds(Equal), op.holds(Greater)],
                expect,
                "{op}"
            );
        }
    }

    #[test]
    fn errors_say_what_was_expected_and_where() {
        let unknown = e("p95x < 5ms");
        assert!(
            unknown
                .message
                .starts_with("unknown metric `p95x`: expected avg"),
            "{unknown}"
        );
        assert_eq!(unknown.offset, 0);
        let column = e("p97 < 5ms");
        assert!(
            column.message.contains("Locust writes no p97 column"),
            "{column}"
        );
        assert!(column.message.contains("p99.9"), "{column}");
        let op = e("p95 = 5ms");
        assert_eq!(
            op.message,
            "expected a comparison (<, <=, > or >=) after `p95`, found `= 5ms`"
        );
        assert_eq!(op.offset, 4);
        let missing = e("p95 <");
        assert_eq!(
            missing.message,
            "expected a time like `500ms` or `2s` after `<`, found the end of the expression"
        );
        let word = e("avg < fast");
        assert_eq!(
            word.message,
            "expected a time like `500ms` or `2s` after `<`, found `fast`"
        );
        assert_eq!(word.offset, 6);
        let unit = e("p95 < 500 sec");
        assert_eq!(
            unit.message,
            "unknown unit `sec` in `500 sec`: a time is in `ms` (the default) or `s`"
        );
        assert_eq!(unit.offset, 10);
        assert!(e("error_rate < 5").message.contains("write `5%`"));
        assert!(e("error_rate < 5ms").message.contains("unknown unit `ms`"));
        assert!(e("rps >= 40ms").message.contains("unknown unit `ms`"));
        assert!(e("requests > 1.5").message.contains("whole number"));
        assert!(e("").message.starts_with("empty threshold"));
        assert!(e("< 5ms").message.starts_with("expected a metric"));
        assert!(e("avg < -5").message.contains("found `-5`"));
        assert!(e("avg < 1e3").message.contains("unknown unit `e3`"));
        assert!(e("avg < 1.").message.contains("found `1.`"));
        assert!(e("avg < 1234567890123456789012")
            .message
            .contains("too many digits"));
    }

    #[test]
    fn requests_accept_whole_decimals() {
        assert_eq!(t("requests >= 100.0").base_f64(), 100.0);
    }
}
