//! Reads `PREFIX_failures.csv`: each distinct error and how often it happened per endpoint.
//!
//! Header: `Method, Name, Error, Occurrences` in every Locust from 0.x to 2.x; recent 2.x
//! versions add `First Seen, Last Seen` (ISO 8601 times). When nothing failed the file is the
//! header alone, which reads as an empty list.

use std::path::Path;

use super::error::{FileKind, LocustError};
use super::fields::{parse_table, read_file, Table};
use crate::model::FailureRow;

/// Reads a `_failures.csv` file: every row in file order.
pub fn read_failures(path: &Path) -> Result<Vec<FailureRow>, LocustError> {
    read_file(path, FileKind::Failures, failures_from_table)
}

/// Like [`read_failures`], from bytes already in memory; `path_for_messages` names them in errors.
pub fn read_failures_from_bytes(
    bytes: &[u8],
    path_for_messages: &Path,
) -> Result<Vec<FailureRow>, LocustError> {
    parse_table(
        bytes,
        path_for_messages,
        FileKind::Failures,
        failures_from_table,
    )
}

/// Converts every record.
pub(crate) fn failures_from_table(table: &mut Table<'_>) -> Result<Vec<FailureRow>, LocustError> {
    let method = table.require("Method")?;
    let name = table.require("Name")?;
    let error = table.require("Error")?;
    let occurrences = table.require("Occurrences")?;
    let first_seen = table.header.optional("First Seen");
    let last_seen = table.header.optional("Last Seen");
    let mut rows = Vec::new();
    while let Some(row) = table.next_row()? {
        rows.push(FailureRow {
            key: row.key(method, name),
            error: row.text(error).to_owned(),
            occurrences: row.count(occurrences)?,
            first_seen: first_seen.map(|i| row.text(i).to_owned()),
            last_seen: last_seen.map(|i| row.text(i).to_owned()),
        });
    }
    Ok(rows)
}
