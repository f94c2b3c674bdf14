//! The command lines of `perfreport signoff` and `perfreport demo`, and their translation into
//! [`SignoffOptions`] (every combination checked here, so the sign-off itself never sees a
//! contradiction).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use clap::Args;

use crate::signoff::resources::Limits;
use crate::signoff::tiers::parse_run;
use crate::signoff::{default_out, ArchiveTo, SignoffError, SignoffOptions, Source};
use crate::sla::Sla;

/// Where both commands write their folder by default: beside the archive, not in it, so that
/// `list`, `history` and `verify` only see archived runs.
pub const SIGNOFFS: &str = "signoffs";
/// The demo's time scale: the plan's 7 minutes of tiers in about one (9 s + 3 × 18 s).
pub const DEMO_SCALE: f64 = 0.15;

/// Arguments of `perfreport signoff`.
#[derive(Debug, Clone, Args)]
pub struct SignoffArgs {
    /// The service to sign off (`http://` and a loopback address, as `perfreport run`).
    /// Default: start the embedded demo target.
    #[arg(short = 'H', long, value_name = "URL")]
    pub host: Option<String>,
    /// Sign off a run recorded elsewhere (Locust's or `perfreport run`'s) for one tier:
    /// `TIER=PATH`, PATH a `_stats.csv`, a `--csv` prefix or a folder of one run. Repeatable;
    /// nothing is run then.
    #[arg(long = "run", value_name = "TIER=PATH", value_parser = parse_run)]
    pub runs: Vec<(String, PathBuf)>,
    /// Sign off every tier from one stepped run (e.g. Locust's `LoadTestShape`): each tier of
    /// the SLA is checked on the stage holding its users. Nothing is run then.
    #[arg(long, value_name = "RUN", conflicts_with = "runs")]
    pub run_stepped: Option<PathBuf>,
    /// The tiers to run, comma-separated (default: every tier of the SLA: light, medium,
    /// heavy, stress).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub tiers: Vec<String>,
    /// Scale every tier's timeline (0.1: a tenth of the plan's durations, spawning users ten
    /// times as fast). Default 1.
    #[arg(long, value_name = "F")]
    pub duration_scale: Option<f64>,
    /// The load profile (TOML, see examples/scenario.toml). Default:
    /// examples/signoff-scenario.toml, the Resource Agent mix with between(0.3, 1.0) waits.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// The SLA file (TOML, see examples/sla.toml). Default: the seed plan's.
    #[arg(long, value_name = "FILE")]
    pub sla: Option<PathBuf>,
    /// The process id of the service at --host, to watch its CPU, memory and descriptors.
    #[arg(long, value_name = "PID")]
    pub target_pid: Option<u32>,
    /// The folder to write runs and report into (new, or empty). Default:
    /// signoffs/signoff-<UTC time>.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The path of the health check asked after the last tier.
    #[arg(long, value_name = "PATH", default_value = "/health/")]
    pub health_path: String,
    #[command(flatten)]
    pub embedded: EmbeddedArgs,
    #[command(flatten)]
    pub archive: ArchiveArgs,
    /// The archive label of the tier runs: `<LABEL>-<tier>` (e.g. the release, `v1.5.0`).
    #[arg(long, value_name = "LABEL", default_value = "signoff")]
    pub label: String,
}

/// Where the tier runs are archived (`perfreport archive`).
#[derive(Debug, Clone, Args)]
pub struct ArchiveArgs {
    /// The results archive every tier run is archived into.
    #[arg(long, value_name = "DIR", default_value = super::DEFAULT_RESULTS)]
    pub results: PathBuf,
    /// Do not archive the tier runs (they stay in the output folder).
    #[arg(long)]
    pub no_archive: bool,
}

impl ArchiveArgs {
    /// Where the tier runs go; checks up front the label of every tier that may run, so a bad
    /// label is refused before the load, not after it.
    fn archive_to(&self, label: &str, sla: &Sla) -> Result<Option<ArchiveTo>, SignoffError> {
        if self.no_archive {
            return Ok(None);
        }
        for tier in &sla.tiers {
            crate::archive::store::check_label(&crate::signoff::run::tier_label(label, &tier.name))
                .map_err(|e| usage(format!("--label {label:?}, tier {:?}: {e}", tier.name)))?;
        }
        Ok(Some(ArchiveTo {
            results: self.results.clone(),
            label: label.to_string(),
        }))
    }
}

/// Faults for the embedded target, to see a sign-off fail.
#[derive(Debug, Clone, Args)]
pub struct EmbeddedArgs {
    /// Embedded target only: multiply an endpoint's latency, `ENDPOINT=FACTOR` (as
    /// `perfreport target --slow`; e.g. /system/metrics=4). Repeatable.
    #[arg(long = "slow", value_name = "ENDPOINT=FACTOR", value_parser = knob)]
    pub slow: Vec<String>,
    /// Embedded target only: answer HTTP 500 to this share of an endpoint's requests,
    /// `ENDPOINT=RATE` (e.g. /analysis/=0.05). Repeatable.
    #[arg(long = "fail-rate", value_name = "ENDPOINT=RATE", value_parser = knob)]
    pub fail_rate: Vec<String>,
}

impl EmbeddedArgs {
    fn knobs(&self) -> Vec<String> {
        let mut knobs = Vec::new();
        for s in &self.slow {
            knobs.extend(["--slow".to_string(), s.clone()]);
        }
        for f in &self.fail_rate {
            knobs.extend(["--fail-rate".to_string(), f.clone()]);
        }
        knobs
    }

    fn given(&self) -> bool {
        !self.slow.is_empty() || !self.fail_rate.is_empty()
    }
}

/// Checks an `ENDPOINT=VALUE` knob as `perfreport target` will, keeping its text.
fn knob(text: &str) -> Result<String, String> {
    crate::target::parse_knob(text).map(|_| text.to_string())
}

/// Arguments of `perfreport demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// The folder to write runs and report into. Default: signoffs/demo-<UTC time>.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Scale of the tiers' timelines: 0.15 runs the whole plan in about a minute.
    #[arg(long, value_name = "F", default_value_t = DEMO_SCALE)]
    pub duration_scale: f64,
    #[command(flatten)]
    pub embedded: EmbeddedArgs,
    #[command(flatten)]
    pub archive: ArchiveArgs,
}

fn usage(message: String) -> SignoffError {
    SignoffError::Usage(message)
}

impl SignoffArgs {
    /// The options these arguments ask for; `now` names the default output folder.
    pub fn options(&self, now: SystemTime) -> Result<SignoffOptions, SignoffError> {
        let recorded = !self.runs.is_empty() || self.run_stepped.is_some();
        if recorded {
            let live_only = [
                (self.host.is_some(), "--host"),
                (!self.tiers.is_empty(), "--tiers"),
                (self.duration_scale.is_some(), "--duration-scale"),
                (self.scenario.is_some(), "--scenario"),
                (self.target_pid.is_some(), "--target-pid"),
                (self.embedded.given(), "--slow/--fail-rate"),
            ];
            if let Some((_, flag)) = live_only.iter().find(|(given, _)| *given) {
                return Err(usage(format!(
                    "{flag} applies to tiers perfreport runs itself; with --run the tiers were \
                     recorded elsewhere (their tiers are those named by --run)"
                )));
            }
        }
        if self.host.is_some() && self.embedded.given() {
            return Err(usage(
                "--slow and --fail-rate shape the embedded target; with --host the service is \
                 your own"
                    .into(),
            ));
        }
        if self.host.is_none() && self.target_pid.is_some() {
            return Err(usage(
                "--target-pid names the process behind --host; the embedded target is watched \
                 without it"
                    .into(),
            ));
        }
        if !self.health_path.starts_with('/') {
            return Err(usage(format!(
                "--health-path {:?}: must start with /",
                self.health_path
            )));
        }
        let sla = match &self.sla {
            Some(path) => Sla::from_file(path)?,
            None => Sla::builtin(),
        };
        let source = if recorded {
            Source::Recorded {
                runs: self.runs.clone(),
                results: self.archive.results.clone(),
                stepped: self.run_stepped.clone(),
            }
        } else if let Some(host) = &self.host {
            crate::driver::parse_host(host).map_err(|e| usage(e.to_string()))?;
            Source::Host {
                host: host.clone(),
                pid: self.target_pid,
            }
        } else {
            Source::Embedded {
                knobs: self.embedded.knobs(),
            }
        };
        let archive = self.archive.archive_to(&self.label, &sla)?;
        Ok(SignoffOptions {
            sla,
            source,
            tiers: self.tiers.clone(),
            duration_scale: self.duration_scale.unwrap_or(1.0),
            scenario: self.scenario.clone(),
            out: self
                .out
                .clone()
                .unwrap_or_else(|| default_out(Path::new(SIGNOFFS), "signoff", now)),
            health_path: self.health_path.clone(),
            limits: Limits::default(),
            progress: true,
            archive,
        })
    }
}

impl DemoArgs {
    /// The options of the demo: every tier of the built-in SLA against the embedded target.
    pub fn options(&self, now: SystemTime) -> Result<SignoffOptions, SignoffError> {
        let sla = Sla::builtin();
        let archive = self.archive.archive_to("demo", &sla)?;
        Ok(SignoffOptions {
            sla,
            source: Source::Embedded {
                knobs: self.embedded.knobs(),
            },
            tiers: Vec::new(),
            duration_scale: self.duration_scale,
            scenario: None,
            out: self
                .out
                .clone()
                .unwrap_or_else(|| default_out(Path::new(SIGNOFFS), "demo", now)),
            health_path: "/health/".into(),
            limits: Limits::default(),
            progress: true,
            archive,
        })
    }
}
