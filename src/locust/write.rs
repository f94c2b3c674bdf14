//! Writes Locust 2.47's CSV files byte for byte, so that every reader of Locust output (ours
//! included) treats a run of the embedded driver exactly like a Locust run.
//!
//! What "exactly" means here, checked against real Locust 2.47 output
//! (`fixtures/shared-2.47/`) and Locust's `stats.py`:
//!
//! * the headers and column order of `_stats.csv`, `_stats_history.csv`, `_failures.csv`
//!   (with `First Seen`/`Last Seen`) and `_exceptions.csv`;
//! * Python's `csv` module with its default dialect: `\r\n` after every record, a field quoted
//!   only when it holds `,`, `"`, `\r` or `\n`, and `"` doubled inside quotes;
//! * numbers as Python prints them: integers plainly, floats with `repr` (`244.0`, `1e-05`),
//!   the history's rates with `"{:2f}"` (six decimals), and `N/A` percentiles on empty rows;
//! * the Aggregated row with an empty `Type`, last.
//!
//! The driver computes the values ([`EntrySnapshot`]); this module only formats them.

use std::fmt::Write as _;

/// The percentile levels Locust reports, in column order.
pub const PERCENTILES: [f64; 11] = [
    0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0,
];

/// The header labels Locust gives those levels.
pub const PERCENTILE_LABELS: [&str; 11] = [
    "50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%",
];

/// The columns of `_stats.csv` before the percentiles.
const STATS_COLUMNS: [&str; 11] = [
    "Type",
    "Name",
    "Request Count",
    "Failure Count",
    "Median Response Time",
    "Average Response Time",
    "Min Response Time",
    "Max Response Time",
    "Average Content Size",
    "Requests/s",
    "Failures/s",
];

/// The columns of `_stats_history.csv` after the percentiles.
const HISTORY_TOTAL_COLUMNS: [&str; 7] = [
    "Total Request Count",
    "Total Failure Count",
    "Total Median Response Time",
    "Total Average Response Time",
    "Total Min Response Time",
    "Total Max Response Time",
    "Total Average Content Size",
];

/// The header of `_failures.csv` in Locust 2.47 (with first and last seen).
const FAILURES_COLUMNS: [&str; 6] = [
    "Method",
    "Name",
    "Error",
    "Occurrences",
    "First Seen",
    "Last Seen",
];

/// The header of `_exceptions.csv`.
const EXCEPTIONS_COLUMNS: [&str; 4] = ["Count", "Message", "Traceback", "Nodes"];

/// A number the way Locust's Python code holds it: an `int` prints plainly, a `float` with
/// `repr`. The distinction is visible in the files (`730` versus `730.0`), so it is kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// A Python `int`.
    Int(i64),
    /// A Python `float`.
    Float(f64),
}

/// One CSV cell, typed by how Locust formats it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Text, quoted when needed.
    Text(&'a str),
    /// A number as Python holds it.
    Num(Num),
    /// A rate in the history file: Python's `f"{x:2f}"`, i.e. six decimals.
    Fixed6(f64),
    /// `N/A`, Locust's percentile of an empty row.
    NotAvailable,
}

/// The totals of one Locust `StatsEntry` (one endpoint, or Aggregated) at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct EntrySnapshot {
    /// HTTP method; empty on the Aggregated row.
    pub method: String,
    /// Request name.
    pub name: String,
    /// Requests completed, failed or not.
    pub requests: u64,
    /// Requests that failed.
    pub failures: u64,
    /// Locust's median: a bucket key (`Int`), or the exact min/max when clamped (`Float`).
    pub median: Num,
    /// Mean response time in ms (0.0 without requests).
    pub avg_ms: f64,
    /// Fastest response in ms; `None` without requests (Locust writes `0`).
    pub min_ms: Option<f64>,
    /// Slowest response in ms; `None` without requests (Locust writes `0`).
    pub max_ms: Option<f64>,
    /// Sum of response body sizes in bytes.
    pub content_length_sum: u64,
    /// Requests per second over the whole run.
    pub total_rps: f64,
    /// Failures per second over the whole run.
    pub total_fail_per_s: f64,
    /// The whole-run percentiles in [`PERCENTILES`] order; `None` without requests.
    pub percentiles: Option<[u64; 11]>,
}

/// What a history row adds to an [`EntrySnapshot`].
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPoint {
    /// Unix time in whole seconds.
    pub timestamp: i64,
    /// Users running.
    pub user_count: u64,
    /// Locust's `current_rps` (mean over a recent window).
    pub current_rps: f64,
    /// Locust's `current_fail_per_sec`.
    pub current_fail_per_s: f64,
    /// The percentile columns of this row (windowed with `--csv-full-history`, otherwise
    /// whole-run); `None` gives `N/A`.
    pub percentiles: Option<[u64; 11]>,
}

/// One row of `_failures.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct FailureLine<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Request name.
    pub name: &'a str,
    /// The error, worded as Locust words it.
    pub error: &'a str,
    /// How many times it happened.
    pub occurrences: u64,
    /// Unix seconds when first seen.
    pub first_seen: i64,
    /// Unix seconds when last seen.
    pub last_seen: i64,
}

/// Formats a float as Python's `repr` does: shortest round-trip digits, fixed notation for
/// decimal exponents from -4 to 15 (always with a `.`), scientific (`1e-05`, `1.5e+16`)
/// otherwise.
pub fn python_float_repr(v: f64) -> String {
    if v.is_nan() {
        return "nan".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        let fixed = format!("{v}");
        if fixed.contains('.') {
            fixed
        } else {
            fixed + ".0"
        }
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}

/// Formats a [`Num`] as Python's `str` would.
pub fn format_num(n: Num) -> String {
    match n {
        Num::Int(i) => i.to_string(),
        Num::Float(f) => python_float_repr(f),
    }
}

/// Appends one field, quoted the way Python's `csv.writer` (QUOTE_MINIMAL) quotes.
pub fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        for c in field.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// Appends one record: the cells joined by commas, then `\r\n`.
pub fn push_record(out: &mut String, cells: &[Cell<'_>]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match cell {
            Cell::Text(t) => push_field(out, t),
            Cell::Num(n) => out.push_str(&format_num(*n)),
            Cell::Fixed6(f) => {
                let _ = write!(out, "{f:.6}");
            }
            Cell::NotAvailable => out.push_str("N/A"),
        }
    }
    out.push_str("\r\n");
}

fn push_header(out: &mut String, columns: &[&str]) {
    let cells: Vec<Cell<'_>> = columns.iter().map(|c| Cell::Text(c)).collect();
    push_record(out, &cells);
}

/// The header line of `_stats.csv`, with its `\r\n`.
pub fn stats_header() -> String {
    let mut out = String::new();
    let cols: Vec<&str> = STATS_COLUMNS
        .iter()
        .chain(PERCENTILE_LABELS.iter())
        .copied()
        .collect();
    push_header(&mut out, &cols);
    out
}

/// The header line of `_stats_history.csv`, with its `\r\n`.
pub fn history_header() -> String {
    let mut out = String::new();
    let mut cols = vec![
        "Timestamp",
        "User Count",
        "Type",
        "Name",
        "Requests/s",
        "Failures/s",
    ];
    cols.extend(PERCENTILE_LABELS);
    cols.extend(HISTORY_TOTAL_COLUMNS);
    push_header(&mut out, &cols);
    out
}

/// The header line of `_failures.csv`, with its `\r\n`.
pub fn failures_header() -> String {
    let mut out = String::new();
    push_header(&mut out, &FAILURES_COLUMNS);
    out
}

/// The header line of `_exceptions.csv`, with its `\r\n`.
pub fn exceptions_header() -> String {
    let mut out = String::new();
    push_header(&mut out, &EXCEPTIONS_COLUMNS);
    out
}

fn min_max_cell(v: Option<f64>) -> Cell<'static> {
    match v {
        Some(x) if x != 0.0 => Cell::Num(Num::Float(x)),
        _ => Cell::Num(Num::Int(0)),
    }
}

fn avg_content_cell(e: &EntrySnapshot) -> Cell<'static> {
    if e.requests == 0 {
        Cell::Num(Num::Int(0))
    } else {
        Cell::Num(Num::Float(e.content_length_sum as f64 / e.requests as f64))
    }
}

fn push_percentiles<'a>(cells: &mut Vec<Cell<'a>>, p: &Option<[u64; 11]>) {
    match p {
        Some(values) => cells.extend(values.iter().map(|v| Cell::Num(Num::Int(*v as i64)))),
        None => cells.extend(std::iter::repeat_n(Cell::NotAvailable, 11)),
    }
}

/// Appends one data row of `_stats.csv`.
pub fn push_stats_row(out: &mut String, e: &EntrySnapshot) {
    let mut cells = vec![
        Cell::Text(&e.method),
        Cell::Text(&e.name),
        Cell::Num(Num::Int(e.requests as i64)),
        Cell::Num(Num::Int(e.failures as i64)),
        Cell::Num(e.median),
        Cell::Num(Num::Float(e.avg_ms)),
        min_max_cell(e.min_ms),
        min_max_cell(e.max_ms),
        avg_content_cell(e),
        Cell::Num(Num::Float(e.total_rps)),
        Cell::Num(Num::Float(e.total_fail_per_s)),
    ];
    push_percentiles(&mut cells, &e.percentiles);
    push_record(out, &cells);
}

/// Appends one data row of `_stats_history.csv`.
pub fn push_history_row(out: &mut String, point: &HistoryPoint, e: &EntrySnapshot) {
    let mut cells = vec![
        Cell::Num(Num::Int(point.timestamp)),
        Cell::Num(Num::Int(point.user_count as i64)),
        Cell::Text(&e.method),
        Cell::Text(&e.name),
        Cell::Fixed6(point.current_rps),
        Cell::Fixed6(point.current_fail_per_s),
    ];
    push_percentiles(&mut cells, &point.percentiles);
    cells.extend([
        Cell::Num(Num::Int(e.requests as i64)),
        Cell::Num(Num::Int(e.failures as i64)),
        Cell::Num(e.median),
        Cell::Num(Num::Float(e.avg_ms)),
        min_max_cell(e.min_ms),
        min_max_cell(e.max_ms),
        avg_content_cell(e),
    ]);
    push_record(out, &cells);
}

/// Appends one data row of `_failures.csv`.
pub fn push_failure_row(out: &mut String, f: &FailureLine<'_>) {
    let first = crate::time::rfc3339(f.first_seen);
    let last = crate::time::rfc3339(f.last_seen);
    push_record(
        out,
        &[
            Cell::Text(f.method),
            Cell::Text(f.name),
            Cell::Text(f.error),
            Cell::Num(Num::Int(f.occurrences as i64)),
            Cell::Text(&first),
            Cell::Text(&last),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        assert_eq!(python_float_repr(244.0), "244.0");
        assert_eq!(python_float_repr(705.2787588048798), "705.2787588048798");
        assert_eq!(
            python_float_repr(0.10498777368441772),
            "0.10498777368441772"
        );
        assert_eq!(python_float_repr(0.0001), "0.0001");
        assert_eq!(python_float_repr(0.00001), "1e-05");
        assert_eq!(python_float_repr(1.5e16), "1.5e+16");
        assert_eq!(python_float_repr(1e15), "1000000000000000.0");
        assert_eq!(python_float_repr(0.0), "0.0");
    }

    #[test]
    fn quoting_matches_python_csv() {
        let mut s = String::new();
        push_record(
            &mut s,
            &[
                Cell::Text("GET"),
                Cell::Text("/items/{id}, \"detail\""),
                Cell::Text("a\nb"),
                Cell::Text(""),
            ],
        );
        assert_eq!(s, "GET,\"/items/{id}, \"\"detail\"\"\",\"a\nb\",\r\n");
    }

    #[test]
    fn known_stats_row() {
        let e = EntrySnapshot {
            method: "GET".into(),
            name: "/analysis/".into(),
            requests: 41,
            failures: 0,
            median: Num::Int(730),
            avg_ms: 705.2787588048798,
            min_ms: Some(415.724712000042),
            max_ms: Some(989.4092320000141),
            content_length_sum: 41 * 244,
            total_rps: 1.0761246802652817,
            total_fail_per_s: 0.0,
            percentiles: Some([730, 850, 860, 880, 940, 980, 990, 990, 990, 990, 990]),
        };
        let mut s = String::new();
        push_stats_row(&mut s, &e);
        assert_eq!(
            s,
            "GET,/analysis/,41,0,730,705.2787588048798,415.724712000042,989.4092320000141,\
             244.0,1.0761246802652817,0.0,730,850,860,880,940,980,990,990,990,990,990\r\n"
        );
    }

    #[test]
    fn empty_history_row() {
        let e = EntrySnapshot {
            method: String::new(),
            name: "Aggregated".into(),
            requests: 0,
            failures: 0,
            median: Num::Int(0),
            avg_ms: 0.0,
            min_ms: None,
            max_ms: None,
            content_length_sum: 0,
            total_rps: 0.0,
            total_fail_per_s: 0.0,
            percentiles: None,
        };
        let p = HistoryPoint {
            timestamp: 1795859304,
            user_count: 0,
            current_rps: 0.0,
            current_fail_per_s: 0.0,
            percentiles: None,
        };
        let mut s = String::new();
        push_history_row(&mut s, &p, &e);
        assert_eq!(
            s,
            "1795859304,0,,Aggregated,0.000000,0.000000,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,\
             N/A,N/A,0,0,0,0.0,0,0,0\r\n"
        );
    }

    const SAMPLE_STATS: &str =
        include_str!("../../fixtures/shared-2.47/latest-1/latest-1_stats.csv");
    const SAMPLE_HISTORY: &str =
        include_str!("../../fixtures/shared-2.47/latest-1/latest-1_stats_history.csv");
    const SAMPLE_FAILURES: &str =
        include_str!("../../fixtures/shared-2.47/latest-1/latest-1_failures.csv");
    const SAMPLE_EXCEPTIONS: &str =
        include_str!("../../fixtures/shared-2.47/latest-1/latest-1_exceptions.csv");

    fn rows(text: &str) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    }

    fn num(s: &str) -> Num {
        if s.contains(['.', 'e']) {
            Num::Float(s.parse().unwrap())
        } else {
            Num::Int(s.parse().unwrap())
        }
    }

    fn float_or_none(s: &str) -> Option<f64> {
        let v: f64 = s.parse().unwrap();
        (v != 0.0).then_some(v)
    }

    fn percentiles(cells: &[String]) -> Option<[u64; 11]> {
        if cells[0] == "N/A" {
            return None;
        }
        let mut out = [0; 11];
        for (o, c) in out.iter_mut().zip(cells) {
            *o = c.parse().unwrap();
        }
        Some(out)
    }

    /// Rebuilds the snapshot a row was written from (content size: Locust divides an int).
    fn snapshot(r: &[String], totals: &[String]) -> EntrySnapshot {
        let requests: u64 = totals[0].parse().unwrap();
        let avg_content: f64 = totals[6].parse().unwrap();
        EntrySnapshot {
            method: r[0].clone(),
            name: r[1].clone(),
            requests,
            failures: totals[1].parse().unwrap(),
            median: num(&totals[2]),
            avg_ms: totals[3].parse().unwrap(),
            min_ms: float_or_none(&totals[4]),
            max_ms: float_or_none(&totals[5]),
            content_length_sum: (avg_content * requests as f64).round() as u64,
            total_rps: 0.0,
            total_fail_per_s: 0.0,
            percentiles: None,
        }
    }

    #[test]
    fn rewrites_locusts_stats_file_byte_for_byte() {
        let mut out = stats_header();
        for r in rows(SAMPLE_STATS) {
            let mut e = snapshot(&r, &r[2..9]);
            e.total_rps = r[9].parse().unwrap();
            e.total_fail_per_s = r[10].parse().unwrap();
            e.percentiles = percentiles(&r[11..]);
            push_stats_row(&mut out, &e);
        }
        assert_eq!(out, SAMPLE_STATS);
    }

    #[test]
    fn rewrites_locusts_history_file_byte_for_byte() {
        let mut out = history_header();
        for r in rows(SAMPLE_HISTORY) {
            let e = snapshot(&r[2..4], &r[17..24]);
            let p = HistoryPoint {
                timestamp: r[0].parse().unwrap(),
                user_count: r[1].parse().unwrap(),
                current_rps: r[4].parse().unwrap(),
                current_fail_per_s: r[5].parse().unwrap(),
                percentiles: percentiles(&r[6..17]),
            };
            push_history_row(&mut out, &p, &e);
        }
        assert_eq!(out, SAMPLE_HISTORY);
    }

    #[test]
    fn rewrites_locusts_failures_and_exceptions_quoting() {
        let mut out = failures_header();
        for r in rows(SAMPLE_FAILURES) {
            let cells: Vec<Cell<'_>> = r.iter().map(|c| Cell::Text(c)).collect();
            push_record(&mut out, &cells);
        }
        assert_eq!(out, SAMPLE_FAILURES);
        let mut out = exceptions_header();
        for r in rows(SAMPLE_EXCEPTIONS) {
            let cells: Vec<Cell<'_>> = r.iter().map(|c| Cell::Text(c)).collect();
            push_record(&mut out, &cells);
        }
        assert_eq!(out, SAMPLE_EXCEPTIONS);
    }
}
