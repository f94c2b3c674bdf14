//! JSON output: the computed structures as they are, for machines.

use serde::Serialize;

use super::ReportError;

/// Pretty-printed JSON with a trailing newline.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(value).map_err(ReportError::Json)?;
    text.push('\n');
    Ok(text)
}
