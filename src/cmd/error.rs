//! The error a command ends with, and the exit code it maps to.

use std::path::PathBuf;

use crate::locust::LocustError;
use crate::report::ReportError;
use crate::sla::SlaError;

/// Why a command could not do its job. Every variant is bad usage or bad input: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A run could not be found or read.
    #[error(transparent)]
    Locust(#[from] LocustError),
    /// Output could not be rendered.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// An SLA file could not be read, or names no such tier.
    #[error(transparent)]
    Sla(#[from] SlaError),
    /// Output could not be written.
    #[error("could not write {}: {source}", path.display())]
    Write {
        /// The file being written.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
    /// The embedded driver could not run.
    #[error(transparent)]
    Driver(#[from] crate::driver::DriverError),
    /// The demo target could not serve.
    #[error(transparent)]
    Target(#[from] crate::target::TargetError),
    /// A sign-off could not be done.
    #[error(transparent)]
    Signoff(#[from] crate::signoff::SignoffError),
    /// A capacity search could not be done.
    #[error(transparent)]
    Capacity(#[from] crate::capacity::CapacityError),
    /// A stage of a stepped run could not be checked.
    #[error(transparent)]
    StageCheck(#[from] crate::stages::check::StageCheckError),
    /// The run archive could not be written, read or searched.
    #[error(transparent)]
    Archive(#[from] crate::archive::ArchiveError),
    /// The arguments make no sense together.
    #[error("{0}")]
    Usage(String),
}

/// How a command that ran to the end came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to flag: exit 0.
    Ok,
    /// A regression (or, later, a failed check): exit 1.
    Failed,
}

/// Exit code for an outcome: 0 ok, 1 regression.
pub fn exit_code(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Ok => 0,
        Outcome::Failed => 1,
    }
}

/// Exit code for bad usage or input.
pub const EXIT_BAD_INPUT: u8 = 2;
