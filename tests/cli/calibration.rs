//! The calibration harness on the two recorded batteries (`fixtures/calibration/`): the goals of
//! the verdicts, measured on real Locust runs with the default settings. The full tables, with
//! every design and the simulation, come from `cargo run --release --example calibrate`
//! (docs/calibration.md); this test keeps a seeded sample of each design small enough for a
//! debug build.

use perfreport::calibrate::{self, simulate::Rng, Battery, CHANGES};
use perfreport::compare::CompareOptions;

use super::fixture;

/// Recorded comparisons per design and battery.
const LIMIT: usize = 40;

fn batteries() -> Vec<(&'static str, Battery)> {
    ["calibration", "calibration/quiet"]
        .into_iter()
        .map(|dir| (dir, calibrate::load(&fixture(dir)).expect("battery reads")))
        .collect()
}

#[test]
fn false_alarms_stay_within_alpha_at_every_design() {
    let options = CompareOptions::default();
    for (dir, battery) in batteries() {
        assert_eq!(battery.aa.len(), 12, "{dir}");
        let mut rng = Rng::new(7);
        for design in calibrate::DESIGNS {
            let share = calibrate::false_alarms(&battery.aa, design, &options, LIMIT, &mut rng);
            assert_eq!(share.total, LIMIT, "{dir} {design:?}");
            assert!(
                share.fraction() <= options.alpha,
                "{dir} {design:?}: {}",
                share.describe()
            );
        }
    }
}

#[test]
fn three_runs_a_side_find_the_slowdown_and_the_failures_and_nothing_else() {
    let options = CompareOptions::default();
    for (dir, battery) in batteries() {
        let mut rng = Rng::new(11);
        for name in ["slow30", "fail3"] {
            let (change, runs) = battery
                .changes
                .iter()
                .find(|(c, _)| c.dir == name)
                .expect("design recorded");
            let power = calibrate::power(
                &battery.aa,
                runs,
                change,
                calibrate::design(3, 3),
                &options,
                LIMIT,
                &mut rng,
            );
            assert!(
                power.found.fraction() >= 0.9,
                "{dir} {name}: found {}",
                power.found.describe()
            );
            // No other endpoint is called regressed. (On the shared-machine battery other
            // endpoints of the slowed runs really were a little faster — every such flag points
            // the same way, "improved" — which the table in docs/calibration.md shows.)
            assert!(
                power.others_regressed.fraction() <= 0.05,
                "{dir} {name}: others regressed {}",
                power.others_regressed.describe()
            );
        }
        // +8 % is below the 10 % threshold: not a regression.
        let slow8 = CHANGES.iter().find(|c| c.dir == "slow8").unwrap();
        let runs = &battery
            .changes
            .iter()
            .find(|(c, _)| c.dir == "slow8")
            .unwrap()
            .1;
        for design in [calibrate::design(1, 1), calibrate::design(3, 3)] {
            let flagged =
                calibrate::power(&battery.aa, runs, slow8, design, &options, LIMIT, &mut rng).found;
            assert!(
                flagged.fraction() <= 0.05,
                "{dir} +8 % {design:?}: {}",
                flagged.describe()
            );
        }
    }
}

#[test]
fn reference_runs_give_one_run_a_side_power() {
    // One run a side: the +30 % slowdown is found far more often when the other A/A runs are
    // given as reference runs (`--drift-from`) than on the machine-wide allowance alone.
    let options = CompareOptions::default();
    for (dir, battery) in batteries() {
        let (change, runs) = battery
            .changes
            .iter()
            .find(|(c, _)| c.dir == "slow30")
            .expect("design recorded");
        let mut rng = Rng::new(13);
        let mut found = |design| {
            calibrate::power(&battery.aa, runs, change, design, &options, LIMIT, &mut rng).found
        };
        let plain = found(calibrate::design(1, 1));
        let learned = found(calibrate::DESIGNS[5]);
        assert!(calibrate::DESIGNS[5].reference);
        assert!(
            learned.fraction() >= 0.75 && learned.fraction() > plain.fraction() + 0.25,
            "{dir}: with reference runs {}, without {}",
            learned.describe(),
            plain.describe()
        );
    }
}

#[test]
fn improvements_alone_do_not_fail_the_gate() {
    let options = CompareOptions::default();
    for (dir, battery) in batteries() {
        let mut rng = Rng::new(17);
        for (change, runs) in battery
            .changes
            .iter()
            .filter(|(c, _)| matches!(c.dir, "slow30" | "all50"))
        {
            for design in [calibrate::design(1, 1), calibrate::design(3, 3)] {
                let failed =
                    calibrate::reversed_gate(&battery.aa, runs, design, &options, LIMIT, &mut rng);
                assert!(
                    failed.fraction() <= 0.05,
                    "{dir} {} undone, {}: {}",
                    change.dir,
                    design.label(),
                    failed.describe()
                );
            }
        }
    }
}

#[test]
fn one_run_a_side_finds_the_tail_whenever_it_shows_on_p95() {
    // 5 % of requests +1.5 s sits right at the p95: in a run where slightly fewer than 5 % were
    // slowed the p95 stays in the body (1,000–1,100 ms) and nothing can be seen there; where it
    // shows (p95 ≥ 2 s), every pair with an A/A baseline finds it.
    let options = CompareOptions::default();
    let key = perfreport::model::EndpointKey::new("GET", "/analysis/");
    for (dir, battery) in batteries() {
        let (_, runs) = battery
            .changes
            .iter()
            .find(|(c, _)| c.dir == "tail")
            .expect("design recorded");
        let showing: Vec<_> = runs
            .iter()
            .filter(|r| r.endpoint(&key).and_then(|e| e.percentile(0.95)) >= Some(1500.0))
            .collect();
        assert!(showing.len() >= 2, "{dir}");
        for latest in showing {
            for baseline in &battery.aa {
                let c = perfreport::compare::compare_groups(
                    std::slice::from_ref(baseline),
                    std::slice::from_ref(latest),
                    &options,
                    None,
                )
                .unwrap();
                let verdict = c
                    .endpoints
                    .iter()
                    .find(|e| e.name == "/analysis/")
                    .map(|e| e.verdict);
                assert_eq!(
                    verdict,
                    Some(perfreport::compare::Verdict::Regressed),
                    "{dir}: {} vs {}",
                    baseline.files.name,
                    latest.files.name
                );
            }
        }
    }
}

#[test]
fn apdex_alone_keeps_its_false_alarms_and_finds_the_slowdown() {
    // APDEX judged on its own where T sits inside the distributions (50 and 100 ms: most
    // endpoints' scores between 0.5 and 0.99): no more false alarms than alpha at one run a
    // side or three, and three a side find GET /system/metrics +30 % (the full tables: 100 % at
    // 50 ms on both batteries, 80–99.5 % at 100 ms).
    for (dir, battery) in batteries() {
        let mut rng = Rng::new(17);
        for t_ms in [50.0, 100.0] {
            let options = CompareOptions {
                metrics: vec![perfreport::metric::Metric::APDEX],
                apdex: perfreport::apdex::ApdexTargets::uniform(t_ms),
                ..CompareOptions::default()
            };
            for design in [calibrate::design(1, 1), calibrate::design(3, 3)] {
                let share = calibrate::false_alarms(&battery.aa, design, &options, LIMIT, &mut rng);
                assert!(
                    share.fraction() <= options.alpha,
                    "{dir} T {t_ms} {design:?}: {}",
                    share.describe()
                );
            }
            let (change, runs) = battery
                .changes
                .iter()
                .find(|(c, _)| c.dir == "slow30")
                .expect("design recorded");
            let design = calibrate::design(3, 3);
            let power =
                calibrate::power(&battery.aa, runs, change, design, &options, LIMIT, &mut rng);
            assert!(
                power.found.fraction() >= 0.7,
                "{dir} T {t_ms}: found {}",
                power.found.describe()
            );
        }
    }
}
