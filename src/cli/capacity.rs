//! The command line of `perfreport capacity` and its translation into a checked [`Config`].

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::values::parse_duration;
use crate::capacity::{CapacityError, Config};
use crate::report::Format;
use crate::sla::Sla;

/// Arguments of `perfreport capacity`.
#[derive(Debug, Clone, Args)]
pub struct CapacityArgs {
    /// The service to step up (`http://` and a loopback address, as `perfreport run`).
    #[arg(
        short = 'H',
        long,
        value_name = "URL",
        default_value = "http://127.0.0.1:8003"
    )]
    pub host: String,
    /// Check every stage against an SLA and stop at the first that fails: `builtin` for the
    /// seed plan's, or an SLA file (TOML; `./builtin` for a file so named). Its per-endpoint
    /// targets are checked, and `--tier`'s.
    #[arg(long, value_name = "FILE|builtin")]
    pub sla: Option<PathBuf>,
    /// Also check this SLA tier's targets (on the Aggregated row) at every stage.
    #[arg(long, value_name = "NAME", requires = "sla")]
    pub tier: Option<String>,
    /// The load profile (TOML, see examples/scenario.toml). Default: the Resource Agent mix,
    /// no waits.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Users of the first stage.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub start_users: u64,
    /// Users added at each stage.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub step_users: u64,
    /// Stop before a stage would have more users than this.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub max_users: u64,
    /// How long each stage runs (`30s`, `2m`).
    #[arg(long, value_name = "DUR", default_value = "30s", value_parser = parse_duration)]
    pub stage_time: Duration,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the result to this file (atomically) instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Keep each stage's Locust files, as `PREFIX-u<users>_stats.csv` and its siblings.
    #[arg(long, value_name = "PREFIX")]
    pub csv: Option<PathBuf>,
    /// Also write an HTML page with the stages and the charts (throughput against users,
    /// latency against throughput).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

impl CapacityArgs {
    /// The configuration these arguments ask for, with the SLA read and everything checked.
    pub fn config(&self) -> Result<Config, CapacityError> {
        let sla = match &self.sla {
            Some(path) if path.as_os_str() == "builtin" => Some(Sla::builtin()),
            Some(path) => Some(Sla::from_file(path)?),
            None => None,
        };
        let config = Config {
            host: self.host.clone(),
            scenario: self.scenario.clone(),
            sla: sla.map(|s| (s, self.tier.clone())),
            start_users: self.start_users,
            step_users: self.step_users,
            max_users: self.max_users,
            stage_time: self.stage_time,
            csv: self.csv.clone(),
        };
        crate::capacity::validate(&config)?;
        Ok(config)
    }
}
