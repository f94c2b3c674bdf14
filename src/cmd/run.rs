//! `perfreport run`: the embedded driver, and its HTML report when `--html` asks for one.

use super::emit_to;
use crate::cli::RunArgs;
use crate::cmd::error::AppError;
use crate::locust::load_runs;
use crate::report::context::{ReportContext, TargetFacts};
use crate::report::{html, ReportError};

/// `perfreport run`: the embedded driver; the exit code is Locust's (1, or
/// `--exit-code-on-error`, when any request failed).
/// With `--html FILE` the run's HTML report (as `perfreport report` renders it) is written when
/// the run ends, from the `--csv` files, or from files in a temporary folder without `--csv`.
pub fn run_load(args: &RunArgs) -> Result<u8, AppError> {
    let mut config = args.config()?;
    let Some(html_path) = &args.html else {
        let outcome = crate::driver::run(&config)?;
        return Ok(u8::try_from(outcome.exit_code).unwrap_or(1));
    };
    let html_dir = crate::output::parent_dir(html_path);
    if !html_dir.is_dir() {
        return Err(AppError::Usage(format!(
            "--html {}: directory {} does not exist",
            html_path.display(),
            html_dir.display()
        )));
    }
    let scratch;
    let prefix = match &config.csv {
        Some(prefix) => prefix.clone(),
        None => {
            scratch = tempfile::tempdir().map_err(|source| AppError::Write {
                path: std::env::temp_dir(),
                source,
            })?;
            let prefix = scratch.path().join("run");
            config.csv = Some(prefix.clone());
            prefix
        }
    };
    let outcome = crate::driver::run(&config)?;
    let runs = load_runs(&crate::locust::with_suffix(&prefix, "_stats.csv"))?;
    let mut context = ReportContext::of_runs(&runs, None);
    // The driver knows what Locust's CSV files omit: where the load went and its scenario.
    context.describe_target(&TargetFacts {
        host: Some(config.host.clone()),
        locustfile: config.scenario.as_ref().map(|p| p.display().to_string()),
    });
    let page = html::render(&context).map_err(ReportError::from)?;
    emit_to(Some(html_path), &page)?;
    Ok(u8::try_from(outcome.exit_code).unwrap_or(1))
}
