//! `perfreport demo`: the whole sign-off on the embedded demo target, at a fraction of the
//! plan's durations. Exits as `signoff` does.

use std::time::SystemTime;

use super::signoff::run;
use crate::cli::DemoArgs;
use crate::cmd::error::{AppError, Outcome};

/// `perfreport demo`: the embedded target, all four tiers at 0.15 × the plan's durations.
pub fn demo(args: &DemoArgs) -> Result<Outcome, AppError> {
    let options = args.options(SystemTime::now())?;
    eprintln!(
        "perfreport demo: the seed plan's light, medium, heavy and stress tiers against the \
         embedded demo target, at {} × their durations, checked against the built-in SLA",
        options.duration_scale
    );
    run(&options)
}
