//! `perfreport verify`: every archived file's checksum recomputed; exit 1 when anything is
//! missing, changed or extra.

use super::emit;
use crate::archive::verify as archive_verify;
use crate::cli::VerifyArgs;
use crate::cmd::error::{AppError, Outcome};
use crate::report::escape;
use crate::report::json::to_json;
use crate::report::Format;

/// `perfreport verify`: exit 1 when anything is missing, changed or extra.
pub fn verify(args: &VerifyArgs) -> Result<Outcome, AppError> {
    if !args.results.is_dir() {
        return Err(AppError::Usage(format!(
            "{}: no such results folder",
            args.results.display()
        )));
    }
    let report = archive_verify::verify(&args.results)?;
    let text = match args.output.format {
        Format::Json => to_json(&report)?,
        Format::Table | Format::Markdown => {
            let mut out = String::new();
            for issue in &report.issues {
                out.push_str(&escape::terminal(&issue.to_string()));
                out.push('\n');
            }
            let verdict = if report.issues.is_empty() {
                "OK".to_string()
            } else {
                format!("{} problem(s)", report.issues.len())
            };
            out.push_str(&format!(
                "verified {} runs, {} files: {verdict}\n",
                report.runs, report.files
            ));
            out
        }
    };
    emit(&args.output, &text)?;
    Ok(if report.issues.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}
