//! Reads `PREFIX_exceptions.csv`: exceptions raised in locustfile code, with tracebacks.
//!
//! Header: `Count, Message, Traceback, Nodes` (the file exists since Locust 1.x's `StatsCSV`
//! gained it; older runs simply have none). Tracebacks are quoted fields spanning several lines.
//! When no exception was raised the file is the header alone, which reads as an empty list.

use std::path::Path;

use super::error::{FileKind, LocustError};
use super::fields::{parse_table, read_file, Table};
use crate::model::ExceptionRow;

/// Reads an `_exceptions.csv` file: every row in file order.
pub fn read_exceptions(path: &Path) -> Result<Vec<ExceptionRow>, LocustError> {
    read_file(path, FileKind::Exceptions, exceptions_from_table)
}

/// Like [`read_exceptions`], from bytes already in memory; `path_for_messages` names them in
/// errors.
pub fn read_exceptions_from_bytes(
    bytes: &[u8],
    path_for_messages: &Path,
) -> Result<Vec<ExceptionRow>, LocustError> {
    parse_table(
        bytes,
        path_for_messages,
        FileKind::Exceptions,
        exceptions_from_table,
    )
}

/// Converts every record.
pub(crate) fn exceptions_from_table(
    table: &mut Table<'_>,
) -> Result<Vec<ExceptionRow>, LocustError> {
    let count = table.require("Count")?;
    let message = table.require("Message")?;
    let traceback = table.require("Traceback")?;
    let nodes = table.require("Nodes")?;
    let mut rows = Vec::new();
    while let Some(row) = table.next_row()? {
        rows.push(ExceptionRow {
            count: row.count(count)?,
            message: row.text(message).to_owned(),
            traceback: row.text(traceback).to_owned(),
            nodes: row.text(nodes).to_owned(),
        });
    }
    Ok(rows)
}
