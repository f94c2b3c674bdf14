//! Threshold expressions in the style k6 users know: `p95 < 500ms`, `avg < 200ms`,
//! `rps >= 40`, `error_rate < 0.5%`, `p99 < 2s`, `apdex >= 0.9`, `apdex(300ms) >= 0.85`.
//!
//! A threshold is a metric, a comparison and a value with a unit. Values are kept as exact
//! decimals so that a run sitting exactly on a threshold is judged exactly: `0.5%` is the
//! fraction 5/1000, never `0.5 * 0.01` in floating point.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

pub use crate::decimal::Decimal;
use crate::decimal::MAX_DIGITS;

/// The percentile columns Locust writes, in hundredths of a percent (9990 is `99.9%`).
const LOCUST_LEVELS: [u32; 11] = [
    5000, 6600, 7500, 8000, 9000, 9500, 9800, 9900, 9990, 9999, 10000,
];

pub use crate::metric::{Kind, Metric};

/// Reads a threshold's metric: any name [`Metric::parse`] reads, with percentiles limited to
/// the columns Locust writes.
fn parse_metric(token: &str) -> Result<Metric, String> {
    match Metric::parse(token) {
        Ok(Metric::Percentile(h)) if !LOCUST_LEVELS.contains(&h) => Err(format!(
            "Locust writes no {} column: expected one of {}",
            token.to_ascii_lowercase(),
            percentile_names().join(", ")
        )),
        Ok(metric) => Ok(metric),
        Err(_)
            if token
                .to_ascii_lowercase()
                .strip_prefix('p')
                .is_some_and(|r| r.trim_matches(['(', ')']).parse::<f64>().is_ok()) =>
        {
            Err(format!(
                "Locust writes no {} column: expected one of {}",
                token.to_ascii_lowercase(),
                percentile_names().join(", ")
            ))
        }
        Err(e) => Err(e),
    }
}

/// A positive time, `300ms`, `2s` or a bare number of milliseconds, as exact milliseconds.
pub fn parse_time_ms(text: &str) -> Option<Decimal> {
    Decimal::parse_time_ms(text)
}

fn percentile_names() -> Vec<String> {
    LOCUST_LEVELS
        .iter()
        .map(|&h| Metric::Percentile(h).to_string())
        .collect()
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
    /// A bare score (APDEX).
    Score,
}

impl Unit {
    fn suffix(self) -> &'static str {
        match self {
            Unit::Ms => "ms",
            Unit::S => "s",
            Unit::Percent => "%",
            Unit::Fraction | Unit::PerSecond | Unit::Count | Unit::Score => "",
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
            Unit::Ms | Unit::Fraction | Unit::PerSecond | Unit::Count | Unit::Score => {
                Some(self.value)
            }
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
    let metric = parse_metric(metric_text).map_err(|m| err(start, m))?;

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
        Kind::Score => "a score between 0 and 1 like `0.9`",
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
        (Kind::Score, "") => Unit::Score,
        (Kind::Score, _) => return bad_unit("an APDEX score is a bare number between 0 and 1"),
    };
    if unit == Unit::Score && value.cmp_ratio(1, 1) == Some(Ordering::Less) {
        return Err((
            0,
            format!("`{number}` is not an APDEX score: scores run from 0 to 1"),
        ));
    }
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
mod tests;
