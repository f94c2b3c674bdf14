//! Reads Locust's CSV output (Locust 1.x and 2.x) into the run model.
//!
//! This module is the only place that knows Locust's file formats. Columns are found by
//! header name, never by position; unknown columns are ignored; every problem with the input is
//! a [`LocustError`] whose message points at the file, line, column and column name.
//!
//! * [`discover_runs`] turns an argument (file, prefix, directory) into [`RunFiles`];
//! * [`read_run`] reads one run's files into a [`Run`]; [`load_runs`] does both;
//! * [`load_history`] reads a history into the model's compact, bounded form;
//! * [`read_stats`], [`read_history`], [`read_failures`] and [`read_exceptions`] read one file
//!   each, with a `_from_bytes` variant for data not on disk;
//! * [`mod@write`] writes the same files, as Locust 2.47 does, for the embedded driver.

mod checks;
mod discover;
pub(crate) use discover::with_suffix;
mod error;
mod exceptions;
mod failures;
mod fields;
mod histograms;
mod history;
mod numbers;
mod records;
mod stage_histograms;
mod stats;
mod text;
pub mod write;

#[cfg(test)]
mod tests;

use std::path::Path;

use crate::model::{History, Run, RunFiles};

pub use discover::discover_runs;
pub use error::{LocustError, SuspectedCause};
pub use exceptions::{read_exceptions, read_exceptions_from_bytes};
pub use failures::{read_failures, read_failures_from_bytes};
pub use histograms::{read_histograms, read_histograms_from_bytes};
pub use history::{load_history, load_history_from_bytes, read_history, read_history_from_bytes};
pub use stage_histograms::{read_stage_histograms, StageHistogram};
pub use stats::{read_stats, read_stats_from_bytes};

/// Reads every file of one run into the model.
///
/// The stats file is required; the history, failures and exceptions files are read when
/// `files` names them and are otherwise empty.
pub fn read_run(files: &RunFiles) -> Result<Run, LocustError> {
    let (endpoints, aggregated) = read_stats(&files.stats)?;
    let history = match &files.history {
        Some(path) => load_history(path)?,
        None => History::default(),
    };
    let failures = match &files.failures {
        Some(path) => read_failures(path)?,
        None => Vec::new(),
    };
    let exceptions = match &files.exceptions {
        Some(path) => read_exceptions(path)?,
        None => Vec::new(),
    };
    let histograms = match &files.histograms {
        Some(path) => read_histograms(path)?,
        None => Vec::new(),
    };
    Ok(Run {
        files: files.clone(),
        endpoints,
        aggregated,
        history,
        failures,
        exceptions,
        histograms,
    })
}

/// Finds the runs an argument names ([`discover_runs`]) and reads each ([`read_run`]).
pub fn load_runs(arg: &Path) -> Result<Vec<Run>, LocustError> {
    discover_runs(arg)?.iter().map(read_run).collect()
}
