//! Prints perfreport's calibration tables: false-alarm rates between runs of one build and the
//! power to find injected changes, on the recorded battery and by simulation.
//!
//! ```sh
//! cargo run --release --example calibrate                         # fixtures/calibration
//! cargo run --release --example calibrate -- DIR [LIMIT] [REPS]   # another battery
//! ```
//!
//! LIMIT caps the recorded comparisons per cell (default 400, a seeded sample when there are
//! more splits); REPS is the number of simulated comparisons per cell (default 1000).

use std::path::PathBuf;
use std::process::ExitCode;

use perfreport::calibrate;
use perfreport::compare::CompareOptions;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .map_or_else(|| PathBuf::from("fixtures/calibration"), PathBuf::from);
    let number =
        |text: Option<String>, default: usize| text.and_then(|t| t.parse().ok()).unwrap_or(default);
    let limit = number(args.next(), 400);
    let reps = number(args.next(), 1000);
    match calibrate::load(&dir) {
        Ok(battery) => {
            print!(
                "{}",
                calibrate::report(&battery, &CompareOptions::default(), limit, reps)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("calibrate: {e}");
            ExitCode::from(2)
        }
    }
}
