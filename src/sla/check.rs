//! Checking a run against an SLA: every threshold becomes a [`Check`] with its target, the
//! run's actual value and whether it passed.
//!
//! Comparisons are exact: latencies and throughput compare the values Locust wrote with the
//! threshold's correctly rounded value, error rates compare `failures / requests` with the
//! threshold as a fraction of integers. Two rules keep a broken endpoint from passing:
//! an endpoint the SLA names that the run lacks (or that has no requests) fails every check,
//! and a latency check fails when every request of the row failed, since those are the
//! response times of errors, not of served requests.

use std::cmp::Ordering;

use serde::Serialize;

use super::expr::{Decimal, Kind, Metric, Op, Threshold, Unit};
use super::{EndpointTarget, Sla, SlaError, Tier};
use crate::apdex::{endpoint_apdex, ApdexTargets};
use crate::model::{EndpointStats, Run, AGGREGATED_NAME};

/// What a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// A per-endpoint target.
    Endpoint,
    /// A per-tier target, on the Aggregated row.
    Tier,
}

/// One threshold checked against the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// `GET /health/: p95` or `tier light: rps`.
    pub name: String,
    /// The target as written: `< 50ms`.
    pub target: String,
    /// The run's value in the metric's base unit (see `unit`); `null` when the run has none.
    pub actual: Option<f64>,
    /// Whether the run met the target.
    pub passed: bool,
    /// The whole threshold: `p95 < 50ms`.
    pub expression: String,
    /// Per-endpoint or per-tier.
    pub scope: Scope,
    /// The row checked: `GET /health/`, or `Aggregated` for a tier.
    pub subject: String,
    /// The tier, for a tier check.
    pub tier: Option<String>,
    /// The metric (`p95`, `avg`, `rps`, `error_rate`, …).
    pub metric: Metric,
    /// The comparison.
    pub op: Op,
    /// The threshold in the base unit.
    pub threshold: f64,
    /// The base unit of `actual` and `threshold`: `ms`, `req/s`, `fraction` or `requests`.
    pub unit: &'static str,
    /// The actual value as shown to people (`17ms`, `9.38% (147 of 1567)`), or `-`.
    pub actual_text: String,
    /// The row's requests, when the run has the row.
    pub requests: Option<u64>,
    /// The row's failed requests, when the run has the row.
    pub failures: Option<u64>,
    /// Why a check failed other than by its value (`no requests recorded`, …).
    pub reason: Option<String>,
}

/// How the tier was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TierSource {
    /// Named by the caller (`--tier`).
    Given,
    /// The tier whose `users` equals the run's peak user count.
    Inferred,
    /// No tier: only per-endpoint checks were evaluated.
    None,
}

/// Every check of one run against one SLA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// True when at least one check ran and every check passed.
    pub passed: bool,
    /// The run's short name.
    pub run: String,
    /// The run's `_stats.csv`.
    pub stats_path: String,
    /// The SLA's source (its file, or the built-in SLA).
    pub sla: String,
    /// The tier whose targets were checked.
    pub tier: Option<String>,
    /// How the tier was chosen.
    pub tier_source: TierSource,
    /// The run's peak user count, when its history shows it.
    pub peak_users: Option<u64>,
    /// How many checks ran.
    pub total: usize,
    /// How many failed.
    pub failed: usize,
    /// The checks: per-endpoint in SLA order, then the tier's.
    pub checks: Vec<Check>,
    /// What a reader should know: how the tier was chosen, what was not checked.
    pub notes: Vec<String>,
}

/// Checks `run` against `sla`. `tier` names the tier to check; `None` infers it from the
/// run's peak user count, or checks only the per-endpoint targets when no tier matches.
///
/// Fails only when `tier` names a tier the SLA does not define.
pub fn evaluate(run: &Run, sla: &Sla, tier: Option<&str>) -> Result<CheckReport, SlaError> {
    let peak = run.peak_users();
    let mut notes = Vec::new();
    let (tier, tier_source) = choose_tier(sla, tier, peak, &mut notes)?;

    let mut checks = Vec::new();
    let apdex = ApdexTargets::with_sla(None, &sla.apdex_t);
    for target in &sla.endpoints {
        endpoint_checks((run, &apdex), target, &mut checks);
    }
    if let Some(tier) = tier {
        for threshold in &tier.thresholds {
            let subject = AGGREGATED_NAME.to_string();
            let name = format!("tier {}: {}", tier.name, threshold.metric);
            let mut check = measure(
                (run, &apdex),
                Some(&run.aggregated),
                threshold,
                name,
                subject,
            );
            check.scope = Scope::Tier;
            check.tier = Some(tier.name.clone());
            checks.push(check);
        }
    }
    let total = &run.aggregated;
    let run_wide_rate = checks
        .iter()
        .any(|c| c.metric == Metric::FailureRate && c.subject == AGGREGATED_NAME);
    if total.failures > 0 && !run_wide_rate {
        notes.push(format!(
            "{} of {} requests failed ({:.2}%) and no run-wide error-rate target was checked",
            total.failures,
            total.requests,
            total.failure_ratio() * 100.0
        ));
    }
    let failed = checks.iter().filter(|c| !c.passed).count();
    Ok(CheckReport {
        passed: failed == 0 && !checks.is_empty(),
        run: run.files.name.clone(),
        stats_path: run.files.stats.display().to_string(),
        sla: sla.source.clone(),
        tier: tier.map(|t| t.name.clone()),
        tier_source,
        peak_users: peak,
        total: checks.len(),
        failed,
        checks,
        notes,
    })
}

fn choose_tier<'a>(
    sla: &'a Sla,
    asked: Option<&str>,
    peak: Option<u64>,
    notes: &mut Vec<String>,
) -> Result<(Option<&'a Tier>, TierSource), SlaError> {
    if let Some(name) = asked {
        let tier = sla.tier(name).ok_or_else(|| SlaError::UnknownTier {
            name: name.to_string(),
            source_name: sla.source.clone(),
            known: sla.tiers.iter().map(|t| t.name.clone()).collect(),
        })?;
        if let (Some(users), Some(peak)) = (tier.users, peak) {
            if users != peak {
                notes.push(format!(
                    "the run peaked at {peak} users; tier {name} is defined for {users}"
                ));
            }
        }
        return Ok((Some(tier), TierSource::Given));
    }
    if sla.tiers.is_empty() {
        return Ok((None, TierSource::None));
    }
    let only_endpoints =
        "only per-endpoint checks were evaluated (pass --tier NAME to check a tier's targets)";
    match peak {
        Some(peak) => match sla.tier_for_users(peak) {
            Some(tier) => {
                notes.push(format!(
                    "tier {} inferred from the run's peak of {peak} users",
                    tier.name
                ));
                Ok((Some(tier), TierSource::Inferred))
            }
            None => {
                notes.push(format!(
                    "no tier: the run peaked at {peak} users and no tier has users = {peak}; \
                     {only_endpoints}"
                ));
                Ok((None, TierSource::None))
            }
        },
        None => {
            notes.push(format!(
                "no tier: the run has no history file, so its user count is unknown; \
                 {only_endpoints}"
            ));
            Ok((None, TierSource::None))
        }
    }
}

fn endpoint_checks(
    (run, apdex): (&Run, &ApdexTargets),
    target: &EndpointTarget,
    checks: &mut Vec<Check>,
) {
    let rows: Vec<&EndpointStats> = run
        .endpoints
        .iter()
        .chain(Some(&run.aggregated))
        .filter(|e| target.matches(&e.key))
        .collect();
    for threshold in &target.thresholds {
        if rows.is_empty() {
            let name = format!("{}: {}", target.label(), threshold.metric);
            checks.push(measure((run, apdex), None, threshold, name, target.label()));
        }
        for row in &rows {
            let subject = row.key.to_string();
            let name = format!("{subject}: {}", threshold.metric);
            checks.push(measure((run, apdex), Some(row), threshold, name, subject));
        }
    }
}

/// Checks one threshold on one row (`None`: the run has no such endpoint) of `run`; APDEX
/// targets without their own T take `apdex`'s.
fn measure(
    (run, apdex): (&Run, &ApdexTargets),
    row: Option<&EndpointStats>,
    t: &Threshold,
    name: String,
    subject: String,
) -> Check {
    let mut exact_apdex = None;
    let kind = t.metric.kind();
    let mut check = Check {
        name,
        target: t.target(),
        actual: None,
        passed: false,
        expression: t.to_string(),
        scope: Scope::Endpoint,
        subject,
        tier: None,
        metric: t.metric,
        op: t.op,
        threshold: t.base_f64(),
        unit: base_unit(kind),
        actual_text: "-".into(),
        requests: row.map(|r| r.requests),
        failures: row.map(|r| r.failures),
        reason: None,
    };
    let Some(row) = row else {
        check.reason = Some("no requests recorded: the run has no such endpoint".into());
        return check;
    };
    if row.requests == 0 && t.metric != Metric::Requests {
        check.reason = Some("no requests recorded".into());
        return check;
    }
    let Some(base) = t.base() else {
        check.reason = Some("the threshold is too large to compare".into());
        return check;
    };
    let measured = match kind {
        Kind::Time => latency(row, t.metric).map(|v| (v, v.partial_cmp(&base.to_f64()))),
        Kind::Throughput => Some((row.rps, row.rps.partial_cmp(&base.to_f64()))),
        Kind::Ratio => {
            let ratio = row.failure_ratio();
            let exact = base.cmp_ratio(row.failures, row.requests);
            Some((ratio, exact.or_else(|| ratio.partial_cmp(&base.to_f64()))))
        }
        Kind::Count => Some((row.requests as f64, base.cmp_ratio(row.requests, 1))),
        Kind::Score => {
            let t_ms = match t.metric {
                Metric::Apdex(Some(t)) => t.to_f64(),
                _ => apdex.t_for(&row.key),
            };
            endpoint_apdex(run, row, t_ms).map(|a| {
                exact_apdex = Some(a.exact);
                (a.score, a.score.partial_cmp(&base.to_f64()))
            })
        }
    };
    let Some((actual, ordering)) = measured else {
        check.reason = Some(format!("the run has no {} value for this row", t.metric));
        return check;
    };
    check.actual = Some(actual);
    check.actual_text = shown(kind, t.unit, actual, ordering, base, row);
    if exact_apdex == Some(false) {
        check.actual_text = format!("≈{}", check.actual_text);
    }
    match ordering {
        Some(ord) => check.passed = t.op.holds(ord),
        None => check.reason = Some("the value is not a number".into()),
    }
    if kind == Kind::Time && row.failures == row.requests {
        check.passed = false;
        check.reason = Some(format!(
            "every request failed ({} of {}): these are response times of errors",
            row.failures, row.requests
        ));
    }
    check
}

fn latency(row: &EndpointStats, metric: Metric) -> Option<f64> {
    match metric {
        Metric::Avg => Some(row.avg_ms),
        Metric::Min => row.min_ms,
        Metric::Max => row.max_ms,
        Metric::Median => row.median_ms,
        Metric::Percentile(_) => metric.level().and_then(|l| row.percentile(l)),
        Metric::Rps | Metric::FailureRate | Metric::Requests | Metric::Apdex(_) => None,
    }
}

fn base_unit(kind: Kind) -> &'static str {
    match kind {
        Kind::Time => "ms",
        Kind::Throughput => "req/s",
        Kind::Ratio => "fraction",
        Kind::Count => "requests",
        Kind::Score => "score",
    }
}

/// The actual value for people: rounded, but never so far that it seems to sit on the other
/// side of the threshold (or exactly on it) from where it really is.
fn shown(
    kind: Kind,
    unit: Unit,
    actual: f64,
    ordering: Option<Ordering>,
    base: Decimal,
    row: &EndpointStats,
) -> String {
    match kind {
        Kind::Time => format!("{}ms", rounded(actual, ordering, base, 1)),
        Kind::Throughput => rounded(actual, ordering, base, 2),
        Kind::Ratio if unit == Unit::Fraction => format!(
            "{} ({} of {})",
            rounded(actual, ordering, base, 4),
            row.failures,
            row.requests
        ),
        Kind::Ratio => format!(
            "{}% ({} of {})",
            rounded(actual * 100.0, ordering, base.percent(), 2),
            row.failures,
            row.requests
        ),
        Kind::Count => row.requests.to_string(),
        Kind::Score => rounded(actual, ordering, base, 2),
    }
}

/// `value` with `decimals` decimals (trailing zeros dropped), or more when that would change
/// how it compares with `threshold`.
fn rounded(value: f64, ordering: Option<Ordering>, threshold: Decimal, decimals: usize) -> String {
    for d in [decimals, decimals + 2, decimals + 4, decimals + 8] {
        let text = format!("{value:.d$}");
        let text = if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        };
        let agrees = ordering.is_none()
            || Decimal::parse(&text).and_then(|shown| shown.cmp_decimal(threshold)) == ordering;
        if agrees {
            return text;
        }
    }
    value.to_string()
}

#[cfg(test)]
mod tests;
