//! The one overall verdict. **Ready for production** only when every tier of the SLA ran,
//! every check passed, and the target's resources and health were checked; **not ready** when
//! anything failed (each failure listed, with its actual value and target); otherwise every check
//! made passed but the sign-off is incomplete (each gap listed).

use super::checklist::{names, resources_gap};
use super::context::{TargetInfo, TargetKind, TierReport, TierStatus, Verdict, VerdictStatus};
use super::local::HealthCheck;
use crate::sla::Sla;

/// The overall verdict.
pub fn verdict(
    sla: &Sla,
    tiers: &[TierReport],
    health: Option<&HealthCheck>,
    target: &TargetInfo,
) -> Verdict {
    let mut failures = Vec::new();
    let mut gaps = Vec::new();
    for t in tiers {
        if t.status == TierStatus::Interrupted {
            failures.push(format!("{}: interrupted before its end", t.name));
        }
        for c in t
            .checks
            .iter()
            .flat_map(|c| &c.checks)
            .filter(|c| !c.passed)
        {
            let why = c
                .reason
                .as_deref()
                .map_or(String::new(), |r| format!(" ({r})"));
            failures.push(format!(
                "{}: {} is {}, target {}{why}",
                t.name, c.name, c.actual_text, c.target
            ));
        }
        for c in t
            .resources
            .iter()
            .flat_map(|r| &r.checks)
            .filter(|c| c.passed == Some(false))
        {
            failures.push(format!(
                "{}: {} — {}",
                t.name,
                c.name,
                c.reason.clone().unwrap_or_else(|| c.actual.clone())
            ));
        }
        if !t.ran() {
            gaps.push(format!(
                "tier {} {}",
                t.name,
                t.note.as_deref().unwrap_or("not run")
            ));
        }
    }
    match health {
        Some(h) if !h.passed => failures.push(format!(
            "health check {} after {}: {}",
            h.url, h.after_tier, h.detail
        )),
        Some(_) => {}
        None => gaps.push(match target.kind {
            TargetKind::Recorded => {
                "health check not asked: the runs were recorded elsewhere".to_string()
            }
            _ => "health check not asked: the tiers did not all run".to_string(),
        }),
    }
    if let Some(gap) = resources_gap(tiers, target) {
        gaps.push(format!("resources not measured: {gap}"));
    }
    let unjudged: Vec<String> = tiers
        .iter()
        .flat_map(|t| {
            t.resources
                .iter()
                .flat_map(|r| &r.checks)
                .filter(|c| c.passed.is_none())
                .map(move |c| format!("{}: {}", t.name, c.name))
        })
        .collect();
    if !unjudged.is_empty() {
        gaps.push(format!(
            "resource checks not judged: {}",
            unjudged.join(", ")
        ));
    }
    let ran: Vec<&TierReport> = tiers.iter().filter(|t| t.ran()).collect();
    let (status, headline) =
        if !failures.is_empty() {
            (
                VerdictStatus::NotReady,
                format!(
                    "NOT READY FOR PRODUCTION: {} check{} failed",
                    failures.len(),
                    if failures.len() == 1 { "" } else { "s" }
                ),
            )
        } else if !gaps.is_empty() || ran.is_empty() {
            (
                VerdictStatus::Incomplete,
                format!(
                "NOT A FULL SIGN-OFF: every check made passed ({}), but {} thing{} could not be \
                 checked",
                if ran.is_empty() { "none".to_string() } else { names(&ran) },
                gaps.len(),
                if gaps.len() == 1 { "" } else { "s" }
            ),
            )
        } else {
            let checks: usize = ran
                .iter()
                .filter_map(|t| t.checks.as_ref())
                .map(|c| c.total)
                .sum();
            (
                VerdictStatus::Ready,
                format!(
                    "READY FOR PRODUCTION: all {checks} SLA checks of {} passed in {}, resources \
                 stayed stable and the target answered its health check after the last tier",
                    sla.source,
                    names(&ran)
                ),
            )
        };
    Verdict {
        status,
        ready_for_production: status == VerdictStatus::Ready,
        passed: status != VerdictStatus::NotReady,
        headline,
        failures,
        gaps,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::signoff::context::RunSource;
    use crate::signoff::resources::{assess, Limits, Sample, Trace};

    const LENIENT: &str =
        "[tiers.light]\nusers = 10\nchecks = [\"p95 < 5s\", \"error_rate < 50%\"]\n";

    /// The recorded light-sized Locust run, checked against a lenient one-tier SLA, with
    /// resources from a synthetic trace whose RSS grows `growth_per_s` bytes a second.
    fn setup(growth_per_s: f64) -> (Sla, TierReport) {
        let sla = Sla::from_toml(LENIENT, Path::new("sla.toml")).unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/shared-2.47/baseline-1");
        let run = crate::locust::load_runs(&dir).unwrap().pop().unwrap();
        let check = crate::sla::evaluate(&run, &sla, Some("light")).unwrap();
        let mut tier = TierReport::measured("light", &run, check, RunSource::Driver);
        let samples = (0..=20u32)
            .map(|i| Sample {
                at_s: f64::from(i) * 0.5,
                cpu_ticks: u64::from(i) * 5,
                rss_bytes: (20_000_000.0 + growth_per_s * f64::from(i) * 0.5) as u64,
                fds: Some(10),
            })
            .collect();
        let trace = Trace {
            samples,
            exited: false,
        };
        tier.resources = Some(assess(
            7,
            &trace,
            (1.0, 10.0),
            Some(10),
            Some(10),
            &Limits::default(),
        ));
        tier.status = tier.judged_status();
        (sla, tier)
    }

    fn embedded() -> TargetInfo {
        TargetInfo {
            kind: TargetKind::Embedded,
            host: Some("http://127.0.0.1:9".into()),
            pid: Some(7),
            description: String::new(),
        }
    }

    fn health(passed: bool) -> HealthCheck {
        HealthCheck {
            url: "http://127.0.0.1:9/health/".into(),
            status: passed.then_some(200),
            elapsed_ms: 3.0,
            passed,
            detail: if passed {
                "200 OK in 3 ms"
            } else {
                "no answer within 5.0 s (hung)"
            }
            .into(),
            after_tier: "light".into(),
        }
    }

    #[test]
    fn everything_checked_and_passed_is_ready() {
        let (sla, tier) = setup(0.0);
        let v = verdict(&sla, &[tier], Some(&health(true)), &embedded());
        assert_eq!(v.status, VerdictStatus::Ready, "{v:?}");
        assert!(v.ready_for_production && v.passed);
        assert!(v.failures.is_empty() && v.gaps.is_empty());
        assert!(
            v.headline
                .starts_with("READY FOR PRODUCTION: all 2 SLA checks of sla.toml"),
            "{}",
            v.headline
        );
    }

    #[test]
    fn a_memory_leak_or_a_hung_health_check_is_not_ready() {
        // 1 MiB/s over the 9 s window: 9 MiB, over both 10 % of 20 MB and 4 MiB.
        let (sla, leaking) = setup(1_048_576.0);
        let v = verdict(&sla, &[leaking], Some(&health(true)), &embedded());
        assert_eq!(v.status, VerdictStatus::NotReady);
        assert!(!v.passed);
        assert_eq!(v.failures.len(), 1, "{:?}", v.failures);
        assert!(
            v.failures[0].starts_with("light: memory — RSS grew by 9.0 MiB"),
            "{:?}",
            v.failures
        );
        assert_eq!(v.headline, "NOT READY FOR PRODUCTION: 1 check failed");

        let (sla, tier) = setup(0.0);
        let v = verdict(&sla, &[tier], Some(&health(false)), &embedded());
        assert_eq!(v.status, VerdictStatus::NotReady);
        assert_eq!(
            v.failures,
            ["health check http://127.0.0.1:9/health/ after light: no answer within 5.0 s (hung)"]
        );
    }

    #[test]
    fn an_unwatched_target_is_not_a_full_sign_off() {
        let (sla, mut tier) = setup(0.0);
        tier.resources = None;
        let host = TargetInfo {
            kind: TargetKind::Host,
            pid: None,
            ..embedded()
        };
        let v = verdict(&sla, &[tier], Some(&health(true)), &host);
        assert_eq!(v.status, VerdictStatus::Incomplete);
        assert!(v.passed && !v.ready_for_production);
        assert_eq!(
            v.gaps,
            ["resources not measured: the target's process is unknown (pass --target-pid PID)"]
        );
    }
}
