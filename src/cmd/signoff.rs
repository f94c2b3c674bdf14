//! `perfreport signoff`: build the options, run the sign-off, print the verdict and where the
//! report is. Exit 0 when no check failed, 1 when one did (the error path, exit
//! 2, is bad usage or input).

use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

use crate::cli::SignoffArgs;
use crate::cmd::error::{AppError, Outcome};
use crate::report::escape;
use crate::signoff::run::{HTML_FILE, JSON_FILE, MARKDOWN_FILE};
use crate::signoff::{signoff as run_signoff, terminal, SignoffOptions};

/// `perfreport signoff`.
pub fn signoff(args: &SignoffArgs) -> Result<Outcome, AppError> {
    let options = args.options(SystemTime::now())?;
    run(&options)
}

/// Runs the sign-off and prints the verdict and where the report is.
pub(crate) fn run(options: &SignoffOptions) -> Result<Outcome, AppError> {
    let report = run_signoff(options)?;
    let out = Path::new(&report.out_dir);
    let text = format!(
        "{}\nReport:   {}\nMarkdown: {}\nJSON:     {}\nRuns:     {}/<tier>/\n",
        terminal::verdict(&report),
        escape::terminal_path(&out.join(HTML_FILE)),
        escape::terminal_path(&out.join(MARKDOWN_FILE)),
        escape::terminal_path(&out.join(JSON_FILE)),
        escape::terminal_path(out)
    );
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(AppError::Write {
                path: "<stdout>".into(),
                source: e,
            })
        }
        _ => {}
    }
    Ok(if report.verdict.passed {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}
