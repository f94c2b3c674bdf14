//! The stepping loop on synthetic curves: which stages run, where it stops and what it reports.

use super::*;

fn config(start: u64, step: u64, max: u64, sla: bool) -> Config {
    Config {
        host: "http://127.0.0.1:8003".into(),
        scenario: None,
        sla: sla.then(|| (Sla::builtin(), None)),
        start_users: start,
        step_users: step,
        max_users: max,
        stage_time: Duration::from_secs(3),
        csv: None,
    }
}

/// A stage measuring `rps` with the SLA verdict `passed`.
fn stage(users: u64, rps: f64, passed: Option<bool>) -> Stage {
    Stage {
        users,
        requests: (rps * 3.0) as u64,
        failures: 0,
        rps,
        avg_ms: 100.0,
        p50_ms: Some(100.0),
        p95_ms: Some(100.0),
        p99_ms: Some(100.0),
        failure_rate: 0.0,
        sla_passed: passed,
        failed_checks: Vec::new(),
        gain_share: None,
        generator_saturated: false,
        stats_file: None,
    }
}

/// Runs the loop on throughput `curve(users)` and SLA verdict `passes(users)`.
fn search(
    config: &Config,
    curve: impl Fn(u64) -> f64,
    passes: impl Fn(u64) -> Option<bool>,
) -> CapacityReport {
    let mut seen = Vec::new();
    let report = step_up(config, &mut |s| seen.push(s.users), |u| {
        Ok(Some(stage(u, curve(u), passes(u))))
    })
    .expect("synthetic stages");
    assert_eq!(
        seen,
        report.stages.iter().map(|s| s.users).collect::<Vec<_>>()
    );
    report
}

#[test]
fn a_ceiling_of_200_is_found_at_20_users() {
    let report = search(
        &config(5, 5, 100, false),
        |u| 10.0 * u.min(20) as f64,
        |_| None,
    );
    let users: Vec<u64> = report.stages.iter().map(|s| s.users).collect();
    assert_eq!(users, [5, 10, 15, 20, 25]);
    assert_eq!(report.stopped, Stopped::Saturated);
    assert_eq!(
        report.saturation,
        Some(Point {
            users: 20,
            rps: 200.0
        })
    );
    assert_eq!(report.max_sustainable, None);
    assert_eq!(report.stages[0].gain_share, None);
    assert_eq!(report.stages[4].gain_share, Some(0.0));
    let json = serde_json::to_value(&report).unwrap();
    assert!(json.get("max_sustainable").is_none(), "{json}");
    assert_eq!(json["stopped"], "saturated");
}

#[test]
fn an_sla_failure_stops_at_once() {
    let report = search(
        &config(10, 10, 100, true),
        |u| 10.0 * u as f64,
        |u| Some(u < 40),
    );
    assert_eq!(report.stages.len(), 4);
    assert_eq!(report.stopped, Stopped::SlaFailed);
    assert_eq!(report.saturation, None);
    assert_eq!(
        report.max_sustainable,
        Some(Some(Point {
            users: 30,
            rps: 300.0
        }))
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["max_sustainable"]["users"], 30);
    assert!(json["saturation"].is_null());
    // Failing at the first stage: nothing sustainable, shown as null.
    let first = search(&config(10, 10, 100, true), |u| u as f64, |_| Some(false));
    assert_eq!(first.max_sustainable, Some(None));
    assert!(serde_json::to_value(&first).unwrap()["max_sustainable"].is_null());
}

#[test]
fn max_users_ends_a_curve_that_still_grows() {
    let report = search(&config(10, 30, 75, true), |u| u as f64, |_| Some(true));
    let users: Vec<u64> = report.stages.iter().map(|s| s.users).collect();
    assert_eq!(users, [10, 40, 70]);
    assert_eq!(report.stopped, Stopped::MaxUsers);
    assert!(report.stopped.is_success());
    assert_eq!(
        report.max_sustainable,
        Some(Some(Point {
            users: 70,
            rps: 70.0
        }))
    );
}

#[test]
fn no_requests_and_interruptions_end_without_a_knee() {
    let report = search(&config(10, 10, 100, false), |_| 0.0, |_| None);
    assert_eq!(report.stopped, Stopped::NoRequests);
    assert!(!report.stopped.is_success());
    let mut calls = 0;
    let report = step_up(&config(10, 10, 100, false), &mut |_| {}, |u| {
        calls += 1;
        Ok((calls < 3).then(|| stage(u, u as f64, None)))
    })
    .unwrap();
    assert_eq!(report.stopped, Stopped::Interrupted);
    assert_eq!(report.stages.len(), 2);
}

#[test]
fn bad_configurations_are_refused_before_anything_runs() {
    let refused = |c: Config| match validate(&c) {
        Err(e) => e.to_string(),
        Ok(()) => panic!("accepted {c:?}"),
    };
    assert!(refused(config(0, 5, 10, false)).contains("at least 1"));
    assert!(refused(config(5, 0, 10, false)).contains("at least 1"));
    assert!(refused(config(20, 5, 10, false)).contains("--max-users"));
    let mut remote = config(5, 5, 10, false);
    remote.host = "http://10.0.0.1:80".into();
    assert!(refused(remote).contains("loopback"));
    let mut short = config(5, 5, 10, false);
    short.stage_time = Duration::from_millis(500);
    assert!(refused(short).contains("--stage-time"));
    let mut tier = config(5, 5, 10, true);
    tier.sla = Some((Sla::builtin(), Some("nope".into())));
    assert!(refused(tier).contains("unknown tier `nope`"));
    assert!(validate(&config(5, 5, 10, true)).is_ok());
}

#[test]
fn stage_files_get_the_user_count_in_their_name() {
    assert_eq!(
        suffixed(Path::new("results/cap"), "-u20"),
        PathBuf::from("results/cap-u20")
    );
    let args = stage_args(&config(5, 5, 10, false), 20, Path::new("/tmp/x"));
    assert_eq!(args.users, Some(20));
    assert_eq!(args.run_time, Some(Duration::from_secs(3)));
    assert!(args.validate().is_ok());
}
