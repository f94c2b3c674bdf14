//! Pure statistics for comparing Locust runs: plain numbers and slices in, numbers out — no I/O,
//! no CSV, no dependence on the run model.
//!
//! - [`apdex`] scores response times against a target time T (exact from histograms,
//!   approximate from a rebuilt distribution);
//! - [`distribution`] rebuilds a response-time distribution from Locust's summary columns and
//!   pools several of them;
//! - [`rounding`] reproduces Locust's bucketing of response times, so a one-bucket move is not
//!   read as a change;
//! - [`inference`] gives per-run uncertainty: percentile confidence intervals and two-sample
//!   tests for percentiles, means, failure proportions and rates;
//! - [`exact`] holds the exact binomial and Fisher tests those fall back on for small counts;
//! - [`drift`] compares sides of repeated runs with a random-effects model whose between-run
//!   variance is moderated by a measured drift allowance; [`rates`] does the same for failure
//!   counts (quasi-binomial, Newcombe interval);
//! - [`multiple`] adjusts a report's many p-values (Holm 1979);
//! - [`groups`] and [`ranks`] compare repeated runs, each run's value of a metric being one
//!   sample (spread, outlier scores, Welch on logs, ratio interval, Mann–Whitney U).
//!
//! Nothing here panics on odd input (empty slices, zero counts, `NaN`): functions return `None`
//! or a documented value instead.

pub mod apdex;
pub mod distribution;
pub mod drift;
pub mod exact;
pub mod groups;
pub mod histogram;
pub mod inference;
pub mod multiple;
pub mod ranks;
pub mod rates;
pub mod rounding;
pub mod stages;
#[cfg(test)]
pub(crate) mod testing;
pub mod trend;

pub use distribution::{pooled_quantile, RebuiltDistribution};
pub use drift::{shift_test, DriftPrior, RunEstimate, ShiftTest};
pub use exact::{binom_test_two_sided, fisher_exact_two_sided};
pub use groups::{
    modified_z_scores, prediction_t_test, ratio_ci, ratio_ci_with_floor, spread, welch_t_test,
    welch_t_test_with_floor, Spread, WelchResult,
};
pub use histogram::{histogram_percentile, merge_locust_buckets};
pub use inference::{
    mean_test, proportion_test, quantile_ci, quantile_ci_ranks, quantile_judgeable, quantile_test,
    rate_test, MIN_EXPECTED_CELL,
};
pub use multiple::{bh_adjust, holm_adjust};
pub use ranks::{mann_whitney_min_p, mann_whitney_u, MannWhitneyResult, MANN_WHITNEY_EXACT_MAX};
pub use rates::{rate_difference, Counts, RateDifference};
pub use rounding::{locust_round, locust_rounding_step};
