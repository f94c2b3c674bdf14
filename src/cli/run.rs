//! The command line of `perfreport run`: Locust's own flags and defaults, so that a Locust
//! command line works unchanged, plus the driver's additions (`--scenario`, `--rate`,
//! `--html`). [`RunArgs::config`] turns them into the driver's typed [`Config`].

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::values::{parse_duration, parse_stages, StageList};
use crate::driver::{Config, DriverError, LogLevel};

/// Arguments of `perfreport run`, named and defaulted like Locust 2.47's.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Peak number of concurrent users (closed model), or the connection pool size with
    /// `--rate` (default there: 64).
    #[arg(short = 'u', long = "users")]
    pub users: Option<u64>,

    /// Users started per second.
    #[arg(short = 'r', long = "spawn-rate", default_value_t = 1.0)]
    pub spawn_rate: f64,

    /// Stop after this long, e.g. 30s, 2m, 1h30m (Locust's format). Without it the run goes
    /// on until Ctrl-C or SIGTERM.
    #[arg(short = 't', long = "run-time", value_parser = parse_duration)]
    pub run_time: Option<Duration>,

    /// Base URL of the system under test: `http://` and a loopback address only.
    #[arg(short = 'H', long = "host", default_value = crate::driver::config::DEFAULT_HOST)]
    pub host: String,

    /// Write Locust's CSV files under this prefix (PREFIX_stats.csv, …).
    #[arg(long = "csv")]
    pub csv: Option<PathBuf>,

    /// Also write a history row per endpoint each second, not only the Aggregated one.
    #[arg(long = "csv-full-history")]
    pub csv_full_history: bool,

    /// Accepted for Locust compatibility: the driver never has a web UI.
    #[arg(long = "headless")]
    pub headless: bool,

    /// Seconds to let in-flight requests finish once the run stops (Locust's default: 0).
    #[arg(short = 's', long = "stop-timeout", default_value = "0", value_parser = parse_duration)]
    pub stop_timeout: Duration,

    /// Reset the statistics once all users are spawned.
    #[arg(long = "reset-stats")]
    pub reset_stats: bool,

    /// Print only the final summary, no progress line.
    #[arg(long = "only-summary")]
    pub only_summary: bool,

    /// Console verbosity: DEBUG, INFO, WARNING, ERROR or CRITICAL.
    #[arg(short = 'L', long = "loglevel", default_value = "INFO", value_parser = parse_level)]
    pub loglevel: LogLevel,

    /// Exit code when any request failed.
    #[arg(long = "exit-code-on-error", default_value_t = 1)]
    pub exit_code_on_error: i32,

    /// Write the run's HTML report here when it ends (what `perfreport report` renders from
    /// the CSV files), as Locust's `--html` does.
    #[arg(long = "html")]
    pub html: Option<PathBuf>,

    /// The load profile: a TOML file (see `examples/scenario.toml`). Default: the Resource
    /// Agent mix.
    #[arg(long = "scenario", conflicts_with = "locustfile")]
    pub scenario: Option<PathBuf>,

    /// Locust's `-f`: a TOML scenario is taken like `--scenario`; a Python locustfile is
    /// refused with a pointer to `--scenario` (the driver runs no Python).
    #[arg(short = 'f', long = "locustfile")]
    pub locustfile: Option<PathBuf>,

    /// Open model: send this many requests per second at a constant arrival rate, latency
    /// measured from each request's intended send time.
    #[arg(long = "rate")]
    pub rate: Option<f64>,

    /// A stepped load: USERS:DURATION plateaus, e.g. `10:30s,50:30s,100:30s` (a Locust
    /// LoadTestShape of plateaus). Each stage ramps to its users at `--spawn-rate`, then holds
    /// them; the run lasts the sum. Replaces `-u` and `-t`.
    #[arg(long = "stages", value_parser = parse_stages,
          conflicts_with_all = ["users", "run_time", "rate", "reset_stats"])]
    pub stages: Option<StageList>,
}

impl RunArgs {
    /// The load test these flags ask for, checked.
    pub fn config(&self) -> Result<Config, DriverError> {
        let config = Config {
            users: self.users,
            spawn_rate: self.spawn_rate,
            run_time: self.run_time,
            host: self.host.clone(),
            csv: self.csv.clone(),
            csv_full_history: self.csv_full_history,
            stop_timeout: self.stop_timeout,
            reset_stats: self.reset_stats,
            only_summary: self.only_summary,
            log_level: self.loglevel,
            exit_code_on_error: self.exit_code_on_error,
            scenario: self.scenario.clone().or_else(|| self.locustfile.clone()),
            rate: self.rate,
            stages: self.stages.clone().map(|s| s.0).unwrap_or_default(),
        };
        config.validate()?;
        Ok(config)
    }
}

fn parse_level(text: &str) -> Result<LogLevel, String> {
    LogLevel::parse(text)
        .ok_or_else(|| format!("expected DEBUG, INFO, WARNING, ERROR or CRITICAL, found {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: RunArgs,
    }

    /// No flags at all is the driver's documented default load test.
    #[test]
    fn no_flags_is_the_default_config() {
        let args = Cli::parse_from(["run"]).args;
        assert_eq!(args.config().unwrap(), Config::default());
    }

    #[test]
    fn locustfile_is_the_scenario() {
        let args = Cli::parse_from(["run", "-f", "load.toml", "-L", "warning"]).args;
        let config = args.config().unwrap();
        assert_eq!(config.scenario, Some(PathBuf::from("load.toml")));
        assert_eq!(config.log_level, LogLevel::Warning);
        assert!(Cli::try_parse_from(["run", "-f", "a.toml", "--scenario", "b.toml"]).is_err());
        assert!(Cli::try_parse_from(["run", "-L", "LOUD"]).is_err());
    }

    #[test]
    fn stages_replace_users_and_run_time() {
        let args = Cli::parse_from(["run", "--stages", "2:3s,4:3s", "-r", "10"]).args;
        let config = args.config().unwrap();
        assert_eq!(config.stages.len(), 2);
        assert_eq!(config.stages_time(), Some(Duration::from_secs(6)));
        assert!(Cli::try_parse_from(["run", "--stages", "2:3s", "-t", "10s"]).is_err());
        assert!(Cli::try_parse_from(["run", "--stages", "2:3s", "-u", "3"]).is_err());
    }
}
