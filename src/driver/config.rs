//! What a load test is to do, as the driver takes it: typed, defaulted like Locust 2.47, and
//! checked once ([`Config::validate`]) before anything is sent. The command line
//! (`cli::run::RunArgs`) and the sign-off both build one of these; neither is the driver's API.

use std::path::PathBuf;
use std::time::Duration;

use super::DriverError;

/// The default `--host`: the embedded demo target's address.
pub const DEFAULT_HOST: &str = "http://127.0.0.1:8003";

/// One load test, as [`crate::driver::run`] takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Peak concurrent users (closed model), or the connection pool with `rate`.
    pub users: Option<u64>,
    /// Users started per second.
    pub spawn_rate: f64,
    /// Stop after this long; `None` runs until Ctrl-C or SIGTERM.
    pub run_time: Option<Duration>,
    /// Base URL of the system under test (`http://`, loopback only).
    pub host: String,
    /// Write Locust's CSV files under this prefix.
    pub csv: Option<PathBuf>,
    /// A history row per endpoint each second, not only the Aggregated one.
    pub csv_full_history: bool,
    /// How long in-flight requests may finish once the run stops.
    pub stop_timeout: Duration,
    /// Reset the statistics once every user is spawned.
    pub reset_stats: bool,
    /// Print only the final summary, no progress line.
    pub only_summary: bool,
    /// Console verbosity.
    pub log_level: LogLevel,
    /// The exit code when any request failed.
    pub exit_code_on_error: i32,
    /// The load profile (a TOML scenario); `None` is the Resource Agent mix.
    pub scenario: Option<PathBuf>,
    /// Open model: requests per second at a constant arrival rate.
    pub rate: Option<f64>,
}

impl Default for Config {
    /// What `perfreport run` does with no flags at all (Locust's defaults).
    fn default() -> Self {
        Self {
            users: None,
            spawn_rate: 1.0,
            run_time: None,
            host: DEFAULT_HOST.into(),
            csv: None,
            csv_full_history: false,
            stop_timeout: Duration::ZERO,
            reset_stats: false,
            only_summary: false,
            log_level: LogLevel::Info,
            exit_code_on_error: 1,
            scenario: None,
            rate: None,
        }
    }
}

/// Locust's console levels (`--loglevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Everything.
    Debug,
    /// Progress and the final tables (the default).
    Info,
    /// Warnings only: no progress line, no tables.
    Warning,
    /// Errors only.
    Error,
    /// Nothing but fatal errors.
    Critical,
}

impl LogLevel {
    /// Reads a level as Locust spells it, in any case.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.trim().to_ascii_uppercase().as_str() {
            "DEBUG" => Self::Debug,
            "INFO" => Self::Info,
            "WARNING" => Self::Warning,
            "ERROR" => Self::Error,
            "CRITICAL" => Self::Critical,
            _ => return None,
        })
    }

    /// Whether warnings and progress go to the console.
    pub fn shows_warnings(self) -> bool {
        self <= Self::Warning
    }

    /// Whether the progress line and the final tables are printed.
    pub fn shows_tables(self) -> bool {
        self <= Self::Info
    }
}

impl Config {
    /// Checks ranges no type can: every problem a usage error naming its flag.
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
        if let Some(f) = &self.scenario {
            if f.extension().is_some_and(|e| e == "py") {
                return Err(DriverError::Usage(format!(
                    "-f {}: the embedded driver runs no Python locustfile; describe the load in \
                     a TOML --scenario (see examples/scenario.toml) or run Locust itself",
                    f.display()
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_order_like_locust() {
        assert_eq!(LogLevel::parse("warning"), Some(LogLevel::Warning));
        assert_eq!(LogLevel::parse("LOUD"), None);
        assert!(LogLevel::Info.shows_tables() && LogLevel::Info.shows_warnings());
        assert!(!LogLevel::Warning.shows_tables() && LogLevel::Warning.shows_warnings());
        assert!(!LogLevel::Error.shows_warnings());
    }

    #[test]
    fn python_locustfiles_and_bad_ranges_are_refused() {
        let py = Config {
            scenario: Some("locustfile.py".into()),
            ..Config::default()
        };
        assert!(py.validate().unwrap_err().to_string().contains("no Python"));
        let zero = Config {
            users: Some(0),
            ..Config::default()
        };
        assert!(zero.validate().is_err());
        assert!(Config::default().validate().is_ok());
    }
}
