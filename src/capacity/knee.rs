//! Where a throughput curve stops growing: the knee of a stepped load test.
//!
//! Below saturation a closed-model system's throughput grows in proportion to its users
//! (Little's law: X = N ÷ (R + Z) with the response time R and think time Z flat); at
//! saturation it flattens at the bottleneck's rate while the response time grows instead
//! (Jain, *The Art of Computer Systems Performance Analysis*, 1991, §33.6, "knee capacity").
//! The rule here reads the knee off measured steps without a model fit:
//!
//! a step from `u₀` to `u₁` users is **flat** when its throughput gain `x₁ − x₀` is below
//! [`MIN_GAIN`] (25 %) of the gain proportional growth would give, `x₀ · (u₁ − u₀) ÷ u₀`.
//! The saturation point is the step *before* the first flat step: the last load at which
//! adding users still bought throughput. A fall in throughput is a flat step too.
//!
//! 25 % sits far from both cases it separates: a linear region gains about 100 % of the
//! proportional gain (less only by measurement noise, a few percent on steps of a few seconds),
//! a saturated one about 0 %. A curve that bends gradually is called saturated at the first
//! step that buys less than a quarter of what linear growth would.

/// A step is flat when it gains less than this share of the proportional gain.
pub const MIN_GAIN: f64 = 0.25;

/// One measured step: its user count and throughput (requests per second).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// Users of the step.
    pub users: u64,
    /// Requests per second measured at that load.
    pub rps: f64,
}

/// The share of the proportional gain a step from `before` to `after` bought: 1 for
/// throughput growing with users, 0 for none, negative for a fall. `None` when it cannot be
/// judged: no users or no throughput before, or no more users after.
pub fn gain_share(before: Step, after: Step) -> Option<f64> {
    if before.users == 0 || after.users <= before.users {
        return None;
    }
    if !(before.rps.is_finite() && after.rps.is_finite()) || before.rps <= 0.0 {
        return None;
    }
    let proportional = before.rps * (after.users - before.users) as f64 / before.users as f64;
    Some((after.rps - before.rps) / proportional)
}

/// The index of the saturation step in `steps` (ascending users): the step before the first
/// flat step, or `None` while throughput still grows (or no step can be judged).
pub fn saturation(steps: &[Step]) -> Option<usize> {
    steps
        .windows(2)
        .position(|w| gain_share(w[0], w[1]).is_some_and(|g| g < MIN_GAIN))
}

/// The index of the last step of the leading run of steps that met the SLA: the highest
/// load sustained before the first failure. `None` when the first step already failed.
pub fn max_sustainable(passed: &[bool]) -> Option<usize> {
    passed
        .iter()
        .position(|p| !p)
        .unwrap_or(passed.len())
        .checked_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn steps(points: &[(u64, f64)]) -> Vec<Step> {
        points
            .iter()
            .map(|&(users, rps)| Step { users, rps })
            .collect()
    }

    #[test]
    fn a_hard_ceiling_is_found_at_the_last_growing_step() {
        // 20 slots × 100 ms: 10 req/s per user up to 20 users, 200 req/s after.
        let curve = steps(&[
            (5, 50.0),
            (10, 100.0),
            (15, 150.0),
            (20, 200.0),
            (25, 200.0),
        ]);
        assert_eq!(saturation(&curve), Some(3));
        // Noise of a few percent in the linear region is not a knee.
        let noisy = steps(&[(5, 51.0), (10, 97.0), (15, 152.0), (20, 196.0), (25, 199.0)]);
        assert_eq!(saturation(&noisy), Some(3));
    }

    #[test]
    fn still_growing_is_no_knee() {
        assert_eq!(
            saturation(&steps(&[(10, 100.0), (20, 200.0), (30, 290.0)])),
            None
        );
        assert_eq!(saturation(&steps(&[(10, 100.0)])), None);
        assert_eq!(saturation(&[]), None);
    }

    #[test]
    fn the_threshold_is_a_quarter_of_the_proportional_gain() {
        // 10 → 20 users at 100 req/s: proportional gain 100. A gain of 25 is not flat, 24.9 is.
        let at = |x: f64| saturation(&steps(&[(10, 100.0), (20, 100.0 + x)]));
        assert_eq!(at(25.0), None);
        assert_eq!(at(24.9), Some(0));
        // Steps of unequal size: 10 → 40 users is 3× the users, so the proportional gain is 300.
        let g = gain_share(
            Step {
                users: 10,
                rps: 100.0,
            },
            Step {
                users: 40,
                rps: 175.0,
            },
        );
        assert_eq!(g, Some(0.25));
    }

    #[test]
    fn a_fall_and_a_gradual_bend_are_knees() {
        // Throughput collapsing under overload.
        let fall = steps(&[(10, 100.0), (20, 190.0), (30, 150.0)]);
        assert_eq!(saturation(&fall), Some(1));
        // Diminishing returns: shares 0.8, 0.5, 0.2 → saturated at the third step.
        let bend = steps(&[(10, 100.0), (20, 180.0), (30, 225.0), (40, 240.0)]);
        let shares: Vec<f64> = bend
            .windows(2)
            .filter_map(|w| gain_share(w[0], w[1]))
            .collect();
        assert!((shares[0] - 0.8).abs() < 1e-12, "{shares:?}");
        assert!((shares[1] - 0.5).abs() < 1e-12, "{shares:?}");
        assert!((shares[2] - 0.2).abs() < 1e-12, "{shares:?}");
        assert_eq!(saturation(&bend), Some(2));
    }

    #[test]
    fn steps_that_cannot_be_judged_are_skipped() {
        // No throughput at the first step (the target was not up yet): nothing to scale from.
        let cold = steps(&[(10, 0.0), (20, 200.0), (30, 200.0)]);
        assert_eq!(saturation(&cold), Some(1));
        assert_eq!(
            gain_share(Step { users: 0, rps: 1.0 }, Step { users: 1, rps: 1.0 }),
            None
        );
        assert_eq!(
            gain_share(Step { users: 5, rps: 1.0 }, Step { users: 5, rps: 1.0 }),
            None
        );
        assert_eq!(
            gain_share(
                Step {
                    users: 5,
                    rps: f64::NAN
                },
                Step { users: 6, rps: 1.0 }
            ),
            None
        );
    }

    #[test]
    fn max_sustainable_is_the_last_of_the_leading_passes() {
        assert_eq!(max_sustainable(&[true, true, false, true]), Some(1));
        assert_eq!(max_sustainable(&[true, true, true]), Some(2));
        assert_eq!(max_sustainable(&[false, true]), None);
        assert_eq!(max_sustainable(&[]), None);
    }

    proptest! {
        #[test]
        fn linear_curves_never_saturate(per_user in 0.1f64..1000.0, n in 2usize..20,
                                        start in 1u64..50, step in 1u64..50) {
            let curve: Vec<Step> = (0..n as u64)
                .map(|i| {
                    let users = start + i * step;
                    Step { users, rps: per_user * users as f64 }
                })
                .collect();
            prop_assert_eq!(saturation(&curve), None);
        }

        #[test]
        fn a_ceiling_is_found_at_its_last_step_below(cap_users in 2u64..40, per_user in 1.0f64..100.0,
                                                     step in 1u64..10) {
            // Throughput min(users, cap) × per_user; steps from `step` up past the cap.
            let curve: Vec<Step> = (1..=(cap_users / step + 3))
                .map(|i| {
                    let users = i * step;
                    Step { users, rps: per_user * users.min(cap_users) as f64 }
                })
                .collect();
            let knee = saturation(&curve).expect("a ceiling is a knee");
            // The knee's throughput is the ceiling's, up to the one partial step across it.
            let found = curve[knee].rps;
            let ceiling = per_user * cap_users as f64;
            prop_assert!(found <= ceiling + 1e-9);
            prop_assert!(found >= ceiling * 0.75 - 1e-9 || curve[knee].users + step > cap_users);
            prop_assert!(curve[..=knee].windows(2).all(|w| w[1].rps > w[0].rps));
        }
    }
}
