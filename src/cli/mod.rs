//! The command line: clap's definitions of every subcommand and the value syntaxes of their
//! flags. Nothing here computes; each subcommand's flags become typed settings (a
//! [`crate::compare::CompareOptions`], a [`crate::driver::Config`], a
//! [`crate::target::Config`], a [`crate::signoff::SignoffOptions`]) that `cmd/` hands to the
//! library.
//!
//! * [`analyse`]: `summary`, `compare`, `report`, `check`;
//! * [`common`]: output, selectors' `--results`, the comparison's judging flags;
//! * [`run`], [`target`]: the driver and the demo service;
//! * [`signoff`]: `signoff` and `demo`;
//! * [`archive`]: `archive`, `list`, `history`, `verify`;
//! * [`capacity`]: the stepped search for the knee;
//! * [`values`]: percentages, times, metric names, the SLA choice.

pub mod analyse;
pub mod archive;
pub mod capacity;
pub mod common;
pub mod run;
pub mod signoff;
pub mod target;
pub mod values;

use clap::{Args, Parser, Subcommand};

pub use analyse::{CheckArgs, CompareArgs, ReportArgs, SummaryArgs};
pub use archive::{ArchiveArgs, HistoryArgs, ListArgs, VerifyArgs};
pub use capacity::CapacityArgs;
pub use common::{ColorChoice, FailOn, JudgeArgs, OutputArgs, DEFAULT_RESULTS};
pub use run::RunArgs;
pub use signoff::{DemoArgs, SignoffArgs};
pub use target::TargetArgs;
pub use values::SlaChoice;

/// Analyse Locust load-test results: summarise runs, compare a run against a baseline.
#[derive(Debug, Parser)]
#[command(name = "perfreport", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Per-endpoint requests, failures, throughput and percentiles of one or more runs.
    Summary(SummaryArgs),
    /// Compare a latest run against a baseline; exit 1 when something regressed.
    Compare(CompareArgs),
    /// Check a run against an SLA (the seed plan's by default); exit 1 when a check fails.
    Check(CheckArgs),
    /// Run a load test with the embedded driver (Locust's flags) and write Locust's CSV files.
    Run(RunArgs),
    /// Serve the embedded demo target (the Resource Agent endpoints) until Ctrl-C.
    Target(TargetArgs),
    /// A self-contained HTML report with charts, optionally compared against a baseline.
    Report(ReportArgs),
    /// Release sign-off: run the plan's tiers (or take recorded runs), check the SLA, watch
    /// the target's resources, write the report; exit 1 unless everything passed.
    Signoff(SignoffArgs),
    /// The whole sign-off on the embedded demo target in about a minute: start here.
    Demo(DemoArgs),
    /// Step the load up with the embedded driver until the SLA fails or throughput stops
    /// growing, and report the knee.
    Capacity(CapacityArgs),
    /// Copy a run into the archive (results/<UTC time>_<label>/) with checksums; update the index.
    Archive(ArchiveArgs),
    /// The archived runs, newest first.
    List(ListArgs),
    /// A metric across archived runs, with the change points where its level stepped.
    History(HistoryArgs),
    /// Recompute every archived file's checksum; exit 1 if anything is missing, changed or extra.
    Verify(VerifyArgs),
    /// Print a shell completion script (`perfreport completions bash > ~/.local/share/bash-completion/completions/perfreport`).
    Completions(CompletionsArgs),
    /// Print a man page in roff: `perfreport man > perfreport.1`, or one subcommand's
    /// (`perfreport man compare > perfreport-compare.1`); read it with `man ./perfreport.1`.
    Man(ManArgs),
}

/// `perfreport man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (default: perfreport's own page).
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Option<String>,
}

/// `perfreport completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
