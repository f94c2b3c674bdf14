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
            let (found, others) =
                calibrate::power(&battery.aa, runs, change, (3, 3), &options, LIMIT, &mut rng);
            assert!(
                found.fraction() >= 0.9,
                "{dir} {name}: found {}",
                found.describe()
            );
            assert!(
                others.fraction() <= 0.05,
                "{dir} {name}: others {}",
                others.describe()
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
        for design in [(1, 1), (3, 3)] {
            let (flagged, _) =
                calibrate::power(&battery.aa, runs, slow8, design, &options, LIMIT, &mut rng);
            assert!(
                flagged.fraction() <= 0.05,
                "{dir} +8 % {design:?}: {}",
                flagged.describe()
            );
        }
    }
}
