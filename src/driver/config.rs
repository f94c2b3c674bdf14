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
    /// A stepped load (`--stages`): plateaus of users, one after the other; empty for the
    /// constant load of `users`. The run lasts the sum of their durations.
    pub stages: Vec<LoadStage>,
}

/// One plateau of a stepped load: hold `users` for `duration`, counted from when the ramp to
/// them (at the spawn rate) begins, as a Locust `LoadTestShape` returning `(users, rate)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadStage {
    /// Users to hold.
    pub users: u64,
    /// How long the stage lasts, its ramp included.
    pub duration: Duration,
}

/// The most users a run may have.
const MAX_USERS: u64 = 100_000;

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
            stages: Vec::new(),
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
        if self.users.is_some_and(|u| u > MAX_USERS) {
            return Err(DriverError::Usage("--users must be at most 100000".into()));
        }
        let year = Duration::from_secs(366 * 86_400);
        if self.run_time.is_some_and(|t| t > year) || self.stop_timeout > year {
            return Err(DriverError::Usage(
                "--run-time and --stop-timeout must be at most a year".into(),
            ));
        }
        self.validate_stages(year)?;
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

    /// `--stages` sets the users and the run time itself, and is a closed-model load.
    fn validate_stages(&self, year: Duration) -> Result<(), DriverError> {
        if self.stages.is_empty() {
            return Ok(());
        }
        let clash = [
            (self.users.is_some(), "--users"),
            (self.run_time.is_some(), "--run-time"),
            (self.rate.is_some(), "--rate"),
            (self.reset_stats, "--reset-stats"),
        ];
        if let Some((_, flag)) = clash.iter().find(|(set, _)| *set) {
            return Err(DriverError::Usage(format!(
                "--stages sets the users and the run time (the sum of the stages) of a closed-model \
                 load: it cannot be combined with {flag}"
            )));
        }
        for s in &self.stages {
            if s.users == 0 || s.users > MAX_USERS {
                return Err(DriverError::Usage(
                    "--stages: every stage needs between 1 and 100000 users".into(),
                ));
            }
            if s.duration < Duration::from_secs(1) {
                return Err(DriverError::Usage(
                    "--stages: every stage must last at least 1s (the history has a row a second)"
                        .into(),
                ));
            }
        }
        if self.stages_time().is_none_or(|t| t > year) {
            return Err(DriverError::Usage(
                "--stages must last at most a year in all".into(),
            ));
        }
        Ok(())
    }

    /// The run time of a stepped load: the sum of its stages (`None` without stages).
    pub fn stages_time(&self) -> Option<Duration> {
        if self.stages.is_empty() {
            return None;
        }
        self.stages
            .iter()
            .try_fold(Duration::ZERO, |t, s| t.checked_add(s.duration))
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

    #[test]
    fn stages_refuse_the_flags_they_replace() {
        let stage = |users, s| LoadStage {
            users,
            duration: Duration::from_secs(s),
        };
        let stepped = Config {
            stages: vec![stage(2, 3), stage(4, 5)],
            ..Config::default()
        };
        assert!(stepped.validate().is_ok());
        assert_eq!(stepped.stages_time(), Some(Duration::from_secs(8)));
        let with_time = Config {
            run_time: Some(Duration::from_secs(5)),
            ..stepped.clone()
        };
        let e = with_time.validate().unwrap_err().to_string();
        assert!(e.contains("--run-time"), "{e}");
        let open = Config {
            rate: Some(10.0),
            ..stepped.clone()
        };
        assert!(open.validate().is_err());
        let empty = Config {
            stages: vec![stage(0, 3)],
            ..Config::default()
        };
        assert!(empty.validate().is_err());
        let short = Config {
            stages: vec![LoadStage {
                users: 3,
                duration: Duration::from_millis(500),
            }],
            ..Config::default()
        };
        assert!(short.validate().is_err());
    }
}
