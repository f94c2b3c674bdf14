//! The value syntaxes of the command line, one grammar each: percentages (`10%` or `0.1`),
//! times (`1h30m`, `30s`, `0.5s`, `250ms`), levels and factors, metric and correction names,
//! and the SLA choice. Every flag of every subcommand parses its values here.

use std::path::PathBuf;
use std::time::Duration;

use crate::compare::Correction;

use crate::metric::Metric;
use crate::sla::{Sla, SlaError};

/// Parses `10%`, `10 %` or `0.1` into a fraction.
pub fn parse_fraction(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let (number, scale) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 0.01),
        None => (t, 1.0),
    };
    let value: f64 = number.parse().map_err(|_| {
        format!("expected a percentage like `10%` or a fraction like `0.1`, found `{text}`")
    })?;
    if scale == 1.0 && value > 1.0 && value.is_finite() {
        // `--threshold 10` meant 10 %, not 1,000 %: read as a fraction it would silently turn
        // the gate off.
        return Err(format!(
            "`{text}` is read as a fraction ({:.0} %); write `{text}%` for {text} percent, or a \
             fraction like `0.1`",
            value * 100.0
        ));
    }
    let value = value * scale;
    if !value.is_finite() || value < 0.0 {
        return Err(format!(
            "expected a non-negative percentage, found `{text}`"
        ));
    }
    Ok(value)
}

/// The one time grammar: a sequence of `<number><unit>` with units `h`, `m`, `s` and `ms`
/// (`1h30m`, `2m 5s`, `0.5s`, `250ms`), or a bare number in `bare_unit_s` seconds. Returns
/// seconds.
fn parse_time(text: &str, bare_unit_s: f64) -> Result<f64, String> {
    let t = text.trim();
    let invalid = || format!("invalid time `{text}`: use e.g. 30s, 2m, 1h30m, 0.5s or 250ms");
    if t.is_empty() {
        return Err(invalid());
    }
    if let Ok(bare) = t.parse::<f64>() {
        return if bare.is_finite() && bare >= 0.0 {
            Ok(bare * bare_unit_s)
        } else {
            Err(invalid())
        };
    }
    let mut total = 0.0;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().map_err(|_| invalid())?;
        rest = &rest[digits..];
        let (scale, unit_len) = if rest.starts_with("ms") {
            (0.001, 2)
        } else if rest.starts_with('h') {
            (3600.0, 1)
        } else if rest.starts_with('m') {
            (60.0, 1)
        } else if rest.starts_with('s') {
            (1.0, 1)
        } else {
            return Err(format!(
                "invalid time `{text}`: every number needs a unit (h, m, s, ms), e.g. 1h30m"
            ));
        };
        total += number * scale;
        rest = rest[unit_len..].trim_start();
    }
    if total.is_finite() && total <= 1e12 {
        Ok(total)
    } else {
        Err(format!("time `{text}` is too long"))
    }
}

/// Parses a duration (`30s`, `2m`, `1h30m`, `500ms`, a bare number of seconds — Locust's
/// `--run-time` format and more).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    parse_time(text, 1.0).map(Duration::from_secs_f64)
}

/// A stepped load as `--stages` writes it: `USERS:DURATION` pairs joined by commas
/// (`10:30s,50:30s,100:1m`), durations in the one time grammar.
#[derive(Debug, Clone, PartialEq)]
pub struct StageList(pub Vec<crate::driver::LoadStage>);

/// Parses `--stages` (`10:30s,50:30s,100:30s`).
pub fn parse_stages(text: &str) -> Result<StageList, String> {
    let mut stages = Vec::new();
    for part in text.split(',') {
        let (users, time) = part.trim().split_once(':').ok_or_else(|| {
            format!(
                "`{}`: expected USERS:DURATION, e.g. 10:30s,50:30s",
                part.trim()
            )
        })?;
        let users: u64 = users
            .trim()
            .parse()
            .map_err(|_| format!("`{}`: {users:?} is not a number of users", part.trim()))?;
        let duration = parse_duration(time).map_err(|e| format!("`{}`: {e}", part.trim()))?;
        stages.push(crate::driver::LoadStage { users, duration });
    }
    Ok(StageList(stages))
}

/// Parses a duration into seconds (`30s`, `2m`, `500ms`, a bare number of seconds).
pub fn parse_seconds(text: &str) -> Result<f64, String> {
    parse_time(text, 1.0)
}

/// Parses a latency into milliseconds (`5ms`, `0.5s`, `1m`, a bare number of milliseconds).
pub fn parse_ms(text: &str) -> Result<f64, String> {
    parse_time(text, 0.001).map(|s| s * 1000.0)
}

/// Parses `--apdex-t`: a positive time (`500ms`, `1s`, a bare number of ms).
pub fn parse_apdex_t(text: &str) -> Result<f64, String> {
    match parse_ms(text) {
        Ok(ms) if ms > 0.0 && ms <= 3_600_000.0 => Ok(ms),
        _ => Err(format!(
            "expected a positive time up to an hour like `500ms` or `1s`, found `{text}`"
        )),
    }
}

/// Parses a significance level strictly between 0 and 1.
pub fn parse_alpha(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(a) if a > 0.0 && a < 1.0 => Ok(a),
        _ => Err(format!(
            "expected a level between 0 and 1 like `0.05`, found `{text}`"
        )),
    }
}

/// Parses `--apdex-drop`: points of APDEX score, above 0 and below 1.
pub fn parse_apdex_drop(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(d) if d > 0.0 && d < 1.0 => Ok(d),
        _ => Err(format!(
            "expected points of APDEX score between 0 and 1 like `0.05`, found `{text}`"
        )),
    }
}

/// Parses `--drift`: a positive factor.
pub fn parse_drift(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(f) if f > 0.0 && f <= 100.0 => Ok(f),
        _ => Err(format!(
            "expected a factor above 0 like `1` (measured drift), `2` (twice as noisy), found `{text}`"
        )),
    }
}

/// Parses a metric `compare` judges, with the aliases users type (`median`, `failure-rate`,
/// `p(95)`…).
pub fn parse_metric(text: &str) -> Result<Metric, String> {
    let judged = || {
        let names: Vec<&str> = Metric::JUDGED.iter().map(|m| m.name()).collect();
        names.join(", ")
    };
    match Metric::parse(text) {
        Ok(Metric::Median) => Ok(Metric::P50),
        Ok(m) if Metric::JUDGED.contains(&m) => Ok(m),
        Ok(m) => Err(format!(
            "compare does not judge {m}; it judges {}",
            judged()
        )),
        Err(e) => Err(format!("{e} (compare judges {})", judged())),
    }
}

/// Parses a metric `history` can follow: the Aggregated and per-endpoint columns the archive's
/// index keeps.
pub fn parse_history_metric(text: &str) -> Result<Metric, String> {
    const FOLLOWED: [Metric; 9] = [
        Metric::P50,
        Metric::P90,
        Metric::P95,
        Metric::P99,
        Metric::Avg,
        Metric::Max,
        Metric::Rps,
        Metric::FailureRate,
        Metric::Requests,
    ];
    let names = || {
        let names: Vec<&str> = FOLLOWED.iter().map(|m| m.name()).collect();
        names.join(", ")
    };
    match Metric::parse(text) {
        Ok(Metric::Median) => Ok(Metric::P50),
        Ok(m) if FOLLOWED.contains(&m) => Ok(m),
        Ok(m) => Err(format!(
            "the archive's index keeps no {m}; history follows {}",
            names()
        )),
        Err(e) => Err(format!("{e} (history follows {})", names())),
    }
}

/// Parses `--correction`.
pub fn parse_correction(text: &str) -> Result<Correction, String> {
    Correction::parse(text)
        .ok_or_else(|| format!("unknown correction `{text}`; expected bh, holm or none"))
}

/// The SLA `--sla` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlaChoice {
    /// The seed plan's SLA, [`Sla::builtin`].
    Builtin,
    /// An SLA file.
    File(PathBuf),
}

impl SlaChoice {
    /// Reads the SLA.
    pub fn load(&self) -> Result<Sla, SlaError> {
        match self {
            SlaChoice::Builtin => Ok(Sla::builtin()),
            SlaChoice::File(path) => Sla::from_file(path),
        }
    }
}

/// Parses `--sla`: `builtin`, or the path of an SLA file.
pub fn parse_sla(text: &str) -> Result<SlaChoice, String> {
    match text {
        "" => Err("expected `builtin` or the path of an SLA file".to_string()),
        "builtin" => Ok(SlaChoice::Builtin),
        path => Ok(SlaChoice::File(PathBuf::from(path))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_parse_and_typos_are_refused() {
        assert_eq!(parse_fraction("10%"), Ok(0.1));
        assert_eq!(parse_fraction("0.25"), Ok(0.25));
        assert!(parse_fraction("ten").is_err());
        assert!(parse_fraction("-5%").is_err());
        // A bare number above 1 is a percentage typed without its sign: refused, not 1,000 %.
        let typo = parse_fraction("10").unwrap_err();
        assert!(typo.contains("write `10%`"), "{typo}");
        assert_eq!(parse_fraction("1"), Ok(1.0));
        assert_eq!(parse_fraction("150%"), Ok(1.5));
    }

    #[test]
    fn stage_lists() {
        let s = parse_stages("10:30s, 50:1m,100:90").unwrap().0;
        let users: Vec<u64> = s.iter().map(|s| s.users).collect();
        assert_eq!(users, vec![10, 50, 100]);
        assert_eq!(s[1].duration, Duration::from_secs(60));
        assert_eq!(s[2].duration, Duration::from_secs(90));
        assert!(parse_stages("10").unwrap_err().contains("USERS:DURATION"));
        assert!(parse_stages("ten:30s").is_err());
        assert!(parse_stages("10:soon").is_err());
    }

    #[test]
    fn one_time_grammar() {
        assert_eq!(parse_ms("5ms"), Ok(5.0));
        assert_eq!(parse_ms("0.5s"), Ok(500.0));
        assert_eq!(parse_ms("7"), Ok(7.0));
        assert!(parse_ms("fast").is_err());
        assert_eq!(parse_seconds("30s"), Ok(30.0));
        assert_eq!(parse_seconds("2m"), Ok(120.0));
        assert_eq!(parse_seconds("45"), Ok(45.0));
        assert_eq!(parse_seconds("500ms"), Ok(0.5));
        assert!(parse_seconds("soon").is_err());
        // Locust's --run-time format.
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1h 5s"), Ok(Duration::from_secs(3605)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert_eq!(
            parse_duration("1m30s250ms"),
            Ok(Duration::from_millis(90_250))
        );
        for bad in ["", "10x", "1h30", "m", "-5s", "NaN", "inf", "1e300h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_and_levels() {
        assert!(parse_alpha("1.5").is_err());
        assert_eq!(parse_alpha("0.01"), Ok(0.01));
        assert_eq!(parse_metric("median"), Ok(Metric::P50));
        assert!(parse_drift("0").is_err());
        assert_eq!(parse_metric("APDEX"), Ok(Metric::APDEX));
        assert!(parse_metric("apdex(300ms)").is_err());
        assert_eq!(parse_apdex_drop("0.02"), Ok(0.02));
        for bad in ["0", "1", "5%", "-0.1", "x"] {
            assert!(parse_apdex_drop(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_sla("builtin"), Ok(SlaChoice::Builtin));
        assert_eq!(
            parse_sla("./builtin"),
            Ok(SlaChoice::File(PathBuf::from("./builtin")))
        );
        assert!(parse_sla("").is_err());
    }
}
