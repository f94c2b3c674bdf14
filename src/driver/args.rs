//! The command line of `perfreport run`: Locust's own flags and defaults, so that a Locust
//! command line works unchanged, plus the driver's additions (`--scenario`, `--rate`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::DriverError;

/// Arguments of `perfreport run`, named and defaulted like Locust 2.47's.
#[derive(Debug, Clone, PartialEq, Args)]
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
    #[arg(short = 'H', long = "host", default_value = "http://127.0.0.1:8003")]
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
    #[arg(short = 'L', long = "loglevel", default_value = "INFO")]
    pub loglevel: String,

    /// Exit code when any request failed.
    #[arg(long = "exit-code-on-error", default_value_t = 1)]
    pub exit_code_on_error: i32,

    /// Write the run's HTML report here when it ends (what `perfreport report` renders from
    /// the CSV files), as Locust's `--html` does.
    #[arg(long = "html")]
    pub html: Option<PathBuf>,

    /// The load profile: a TOML file (see `examples/scenario.toml`). Default: the Resource
    /// Agent mix.
    #[arg(long = "scenario")]
    pub scenario: Option<PathBuf>,

    /// Locust's `-f`: a TOML scenario is taken like `--scenario`; a Python locustfile is
    /// refused with a pointer to `--scenario` (the driver runs no Python).
    #[arg(short = 'f', long = "locustfile")]
    pub locustfile: Option<PathBuf>,

    /// Open model: send this many requests per second at a constant arrival rate, latency
    /// measured from each request's intended send time.
    #[arg(long = "rate")]
    pub rate: Option<f64>,
}

impl RunArgs {
    /// Arguments as `perfreport run` gets them with no flags at all.
    pub fn defaults() -> Self {
        Self {
            users: None,
            spawn_rate: 1.0,
            run_time: None,
            host: "http://127.0.0.1:8003".into(),
            csv: None,
            csv_full_history: false,
            headless: false,
            stop_timeout: Duration::ZERO,
            reset_stats: false,
            only_summary: false,
            loglevel: "INFO".into(),
            exit_code_on_error: 1,
            html: None,
            scenario: None,
            locustfile: None,
            rate: None,
        }
    }

    /// Checks what clap cannot: ranges and combinations.
    pub fn validate(&self) -> Result<(), DriverError> {
        if self.users == Some(0) {
            return Err(DriverError::Usage("--users must be at least 1".into()));
        }
        if !(0.001..=1_000_000.0).contains(&self.spawn_rate) {
            return Err(DriverError::Usage(
                "--spawn-rate must be between 0.001 and 1000000 users/s".into(),
            ));
        }
        if let Some(rate) = self.rate {
            if !(0.001..=1_000_000.0).contains(&rate) {
                return Err(DriverError::Usage(
                    "--rate must be between 0.001 and 1000000 requests/s".into(),
                ));
            }
        }
        if self.users.is_some_and(|u| u > 100_000) {
            return Err(DriverError::Usage("--users must be at most 100000".into()));
        }
        let year = Duration::from_secs(366 * 86_400);
        if self.run_time.is_some_and(|t| t > year) || self.stop_timeout > year {
            return Err(DriverError::Usage(
                "--run-time and --stop-timeout must be at most a year".into(),
            ));
        }
        if let Some(f) = &self.locustfile {
            if self.scenario.is_some() {
                return Err(DriverError::Usage(
                    "give either -f/--locustfile or --scenario, not both".into(),
                ));
            }
            if f.extension().is_some_and(|e| e == "py") {
                return Err(DriverError::Usage(format!(
                    "-f {}: the embedded driver runs no Python locustfile; describe the load in \
                     a TOML --scenario (see examples/scenario.toml) or run Locust itself",
                    f.display()
                )));
            }
        }
        let level = self.loglevel.to_ascii_uppercase();
        if !["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"].contains(&level.as_str()) {
            return Err(DriverError::Usage(format!(
                "--loglevel must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {:?}",
                self.loglevel
            )));
        }
        Ok(())
    }

    /// The scenario file, from `--scenario` or `-f`.
    pub fn scenario_path(&self) -> Option<&Path> {
        self.scenario.as_deref().or(self.locustfile.as_deref())
    }

    /// Whether warnings and progress go to the console (`--loglevel` below ERROR).
    pub fn warnings_shown(&self) -> bool {
        matches!(
            self.loglevel.to_ascii_uppercase().as_str(),
            "DEBUG" | "INFO" | "WARNING"
        )
    }
}

/// Parses a duration the way Locust parses `--run-time`: a bare number of seconds, or a
/// sequence of `<number><unit>` with units `h`, `m`, `s` (`30s`, `2m`, `1h30m`, `1h 5s`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = 0u64;
    let mut digits = String::new();
    let mut seen_unit = false;
    for c in t.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' => {}
            'h' | 'm' | 's' => {
                let n: u64 = digits.parse().map_err(|_| {
                    format!("invalid duration {text:?}: a number must precede {c:?}")
                })?;
                let factor = match c {
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                };
                total = n
                    .checked_mul(factor)
                    .and_then(|v| total.checked_add(v))
                    .ok_or_else(|| format!("duration {text:?} is too long"))?;
                digits.clear();
                seen_unit = true;
            }
            _ => {
                return Err(format!(
                    "invalid duration {text:?}: use e.g. 30s, 2m, 1h30m (units h, m, s)"
                ))
            }
        }
    }
    if !digits.is_empty() || !seen_unit {
        return Err(format!(
            "invalid duration {text:?}: every number needs a unit (h, m, s)"
        ));
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: RunArgs,
    }

    #[test]
    fn defaults_are_claps() {
        use clap::Parser;
        assert_eq!(Cli::parse_from(["run"]).args, RunArgs::defaults());
    }

    #[test]
    fn durations_like_locust() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1h 5s"), Ok(Duration::from_secs(3605)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("10x").is_err());
        assert!(parse_duration("1h30").is_err());
        assert!(parse_duration("m").is_err());
    }
}
