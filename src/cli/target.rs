//! The command line of `perfreport target`; [`TargetArgs::config`] turns it into the demo
//! service's typed [`Config`].

use std::time::Duration;

use clap::Args;

use super::values::parse_duration;
use crate::target::{parse_knob, Config, Knob, Latency, Stall, TargetError};

/// Arguments of `perfreport target`.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8003)]
    pub port: u16,

    /// Multiply an endpoint's latency: `ENDPOINT=FACTOR`, e.g. `/system/metrics=1.3`
    /// (`*` for all). Repeatable.
    #[arg(long = "slow", value_parser = parse_knob)]
    pub slow: Vec<Knob>,

    /// Answer HTTP 500 to this share of requests: `ENDPOINT=RATE` with RATE in [0, 1].
    #[arg(long = "fail-rate", value_parser = parse_knob)]
    pub fail_rate: Vec<Knob>,

    /// Reset the connection (TCP RST) instead of answering, for this share: `ENDPOINT=RATE`.
    #[arg(long = "reset-rate", value_parser = parse_knob)]
    pub reset_rate: Vec<Knob>,

    /// Close the connection without a response (orderly FIN) for this share: `ENDPOINT=RATE`.
    #[arg(long = "drop-rate", value_parser = parse_knob)]
    pub drop_rate: Vec<Knob>,

    /// Hang for `--hang-for` before answering, for this share: `ENDPOINT=RATE`.
    #[arg(long = "hang-rate", value_parser = parse_knob)]
    pub hang_rate: Vec<Knob>,

    /// How long a hang lasts.
    #[arg(long = "hang-for", default_value = "30s", value_parser = parse_duration)]
    pub hang_for: Duration,

    /// Seed of the random latencies and injections (default: from the clock).
    #[arg(long)]
    pub seed: Option<u64>,

    /// No latency sleeps at all, for throughput tests of the driver.
    #[arg(long)]
    pub fast: bool,

    /// Answer every request exactly this many milliseconds after it arrived, instead of the
    /// latency model, for checking a load generator's accuracy. The last 2 ms are spun rather
    /// than left to the 1 ms timer, so keep the request rate modest.
    #[arg(long = "delay-ms", conflicts_with = "fast", value_parser = parse_delay_ms)]
    pub delay_ms: Option<f64>,

    /// Serve at most this many requests at once; the others queue (in arrival order) until
    /// one finishes, so that throughput saturates at N ÷ service time: a known knee for
    /// `perfreport capacity` (with `--delay-ms 100`, N = 20 saturates at 200 req/s).
    #[arg(long = "max-concurrency", value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_concurrency: Option<u32>,

    /// Stall every request that arrives from this many seconds after start …
    #[arg(long = "stall-at", requires = "stall_for")]
    pub stall_at: Option<f64>,

    /// … for this many seconds: they are all answered when the stall ends.
    #[arg(long = "stall-for", requires = "stall_at")]
    pub stall_for: Option<f64>,

    /// Stop by itself after this long (e.g. 60s); default: run until Ctrl-C or SIGTERM.
    #[arg(long = "run-time", value_parser = parse_duration)]
    pub run_time: Option<Duration>,

    /// Close a connection that has not sent a complete request head within this long, idle
    /// keep-alive connections included (slowloris protection).
    #[arg(long = "header-timeout", default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,
}

impl TargetArgs {
    /// The service these flags ask for.
    pub fn config(&self) -> Result<Config, TargetError> {
        let day = 0.0..=86_400.0;
        let stall = match (self.stall_at, self.stall_for) {
            (Some(at), Some(length)) if day.contains(&at) && day.contains(&length) => Some(Stall {
                at: Duration::from_secs_f64(at),
                length: Duration::from_secs_f64(length),
            }),
            (Some(_), Some(_)) => {
                return Err(TargetError::Usage(
                    "--stall-at and --stall-for must be seconds from 0 to 86400".into(),
                ))
            }
            _ => None,
        };
        let latency = match (self.fast, self.delay_ms) {
            (true, _) => Latency::Fast,
            (false, Some(ms)) => Latency::Fixed(Duration::from_secs_f64(ms / 1000.0)),
            (false, None) => Latency::Model,
        };
        Ok(Config {
            port: self.port,
            slow: self.slow.clone(),
            fail_rate: self.fail_rate.clone(),
            reset_rate: self.reset_rate.clone(),
            drop_rate: self.drop_rate.clone(),
            hang_rate: self.hang_rate.clone(),
            hang_for: self.hang_for,
            seed: self.seed,
            latency,
            max_concurrency: self.max_concurrency,
            stall,
            run_time: self.run_time,
            header_timeout: self.header_timeout,
        })
    }
}

/// Parses `--delay-ms`: a non-negative number of milliseconds, at most an hour.
fn parse_delay_ms(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(ms) if (0.0..=3_600_000.0).contains(&ms) => Ok(ms),
        _ => Err(format!(
            "{text:?}: expected milliseconds between 0 and 3600000, e.g. 50"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: TargetArgs,
    }

    /// No flags at all is the service's documented default.
    #[test]
    fn no_flags_is_the_default_config() {
        let config = Cli::parse_from(["target"]).args.config().unwrap();
        assert_eq!(config, Config::default());
    }

    #[test]
    fn delays_parse_and_exclude_fast() {
        assert_eq!(parse_delay_ms("50"), Ok(50.0));
        assert_eq!(parse_delay_ms(" 0.5 "), Ok(0.5));
        for bad in ["", "-1", "x", "NaN", "inf", "3600001"] {
            assert!(parse_delay_ms(bad).is_err(), "{bad}");
        }
        let config = Cli::parse_from(["target", "--delay-ms", "20"])
            .args
            .config();
        assert_eq!(
            config.unwrap().latency,
            Latency::Fixed(Duration::from_millis(20))
        );
        assert!(Cli::try_parse_from(["target", "--delay-ms", "20", "--fast"]).is_err());
    }

    #[test]
    fn stalls_are_bounded() {
        let args = Cli::parse_from(["target", "--stall-at", "5", "--stall-for", "1e9"]).args;
        assert!(args.config().is_err());
        let args = Cli::parse_from(["target", "--stall-at", "5", "--stall-for", "2"]).args;
        assert_eq!(
            args.config().unwrap().stall,
            Some(Stall {
                at: Duration::from_secs(5),
                length: Duration::from_secs(2)
            })
        );
    }

    #[test]
    fn max_concurrency_is_a_positive_count() {
        let args = Cli::parse_from(["target", "--max-concurrency", "20"]).args;
        assert_eq!(args.max_concurrency, Some(20));
        for bad in ["0", "-1", "x", "100001"] {
            assert!(
                Cli::try_parse_from(["target", "--max-concurrency", bad]).is_err(),
                "{bad}"
            );
        }
    }
}
