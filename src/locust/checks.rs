//! The rules that tie a row's fields to each other, and a history's rows to each other.
//!
//! A file that breaks one gives numbers that mean nothing (a failure rate of 500 %), so it is
//! refused. Only rules that hold in every file Locust (1.x, 2.x) or the embedded driver writes
//! are checked (Locust's source: `runners.py` and `stats.py`):
//!
//! * failures ≤ requests: the runner's `on_request` listener calls `stats.log_request` for
//!   every request and `stats.log_error` as well for a failed one, and both counts are read
//!   from the same entry at the same time;
//! * min ≤ max response time: both exact, from the same entry;
//! * in `_stats.csv`, percentiles that do not decrease with their level: each is
//!   `calculate_response_time_percentile` over the entry's one `response_times` histogram.
//!   Not checked in the history, whose *current* percentiles
//!   (`get_current_response_time_percentile`) each take `int(time.time())` afresh, so two
//!   columns of one row may come from different windows;
//! * in `_stats_history.csv`, timestamps that do not go back within one endpoint's rows (equal
//!   ones are fine: Locust can write two rows in the same second). Locust writes the wall
//!   clock, so only a clock set back during the run, or rows pasted from several runs, do this.
//!
//! Not checked, because they need not hold: the median or a percentile above the max (Locust
//! rounds percentiles, not the max), the average against min and max (Locust 1.0 wrote whole
//! numbers), totals that drop between history rows (`--reset-stats`).

use super::error::{LocustError, SuspectedCause};
use super::fields::Row;
use crate::model::EndpointKey;

/// Refuses a row that has more failures than requests.
pub(crate) fn failures_within_requests(
    row: &Row<'_>,
    (requests_col, requests): (usize, u64),
    (failures_col, failures): (usize, u64),
) -> Result<(), LocustError> {
    if failures <= requests {
        return Ok(());
    }
    Err(row.inconsistent(
        failures_col,
        format!(
            "a failure count no larger than the request count ({requests} in column \"{}\")",
            row.column_name(requests_col)
        ),
        SuspectedCause::Edited,
    ))
}

/// Refuses a row whose minimum response time is above its maximum.
pub(crate) fn min_within_max(
    row: &Row<'_>,
    (min_col, min): (usize, Option<f64>),
    (max_col, max): (usize, Option<f64>),
) -> Result<(), LocustError> {
    match (min, max) {
        (Some(min), Some(max)) if min > max => Err(row.inconsistent(
            min_col,
            format!(
                "a minimum response time no larger than the maximum ({} in column \"{}\")",
                row.text(max_col).trim(),
                row.column_name(max_col)
            ),
            SuspectedCause::Edited,
        )),
        _ => Ok(()),
    }
}

/// Refuses a row whose percentile columns decrease as their level rises (`N/A` is skipped).
pub(crate) fn percentiles_increase(
    row: &Row<'_>,
    values: &[Option<f64>],
) -> Result<(), LocustError> {
    let mut columns: Vec<(usize, f64, f64)> = row
        .percentile_columns()
        .iter()
        .zip(values)
        .filter_map(|(&(index, level), value)| value.map(|v| (index, level, v)))
        .collect();
    columns.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut highest: Option<(usize, f64)> = None;
    for (index, _, value) in columns {
        match highest {
            Some((at, top)) if value < top => {
                return Err(row.inconsistent(
                    index,
                    format!(
                        "percentiles that do not decrease as the level rises: at least {} (column \"{}\")",
                        row.text(at).trim(),
                        row.column_name(at)
                    ),
                    SuspectedCause::Edited,
                ))
            }
            _ => highest = Some((index, value)),
        }
    }
    Ok(())
}

/// Remembers, per endpoint, the last timestamp of a history and the line it was on, to refuse
/// a row that goes back in time.
#[derive(Default)]
pub(crate) struct Timeline {
    /// Endpoint number (in the order the history names them) → (latest timestamp seen, its
    /// line).
    last: Vec<Option<(i64, u64)>>,
}

impl Timeline {
    /// Accepts the row's timestamp, or refuses it when it is earlier than the endpoint's last;
    /// `endpoint` numbers the endpoint `key`, from 0 in the order the history names them.
    pub(crate) fn step(
        &mut self,
        row: &Row<'_>,
        endpoint: usize,
        key: &EndpointKey,
        (column, timestamp): (usize, i64),
    ) -> Result<(), LocustError> {
        self.advance(endpoint, timestamp, row.line())
            .map_err(|(before, line)| {
                row.inconsistent(
                    column,
                    format!(
                        "timestamps that do not go back in time within the rows of {:?}: at least {before}, that of line {line}",
                        shown(key)
                    ),
                    SuspectedCause::Rewound,
                )
            })
    }

    /// Accepts a timestamp of endpoint number `endpoint` on line `line`, or gives the later
    /// timestamp it goes back from, and that one's line.
    pub(crate) fn advance(
        &mut self,
        endpoint: usize,
        timestamp: i64,
        line: u64,
    ) -> Result<(), (i64, u64)> {
        if self.last.len() <= endpoint {
            self.last.resize(endpoint + 1, None);
        }
        match self.last[endpoint] {
            Some(before) if timestamp < before.0 => Err(before),
            _ => {
                self.last[endpoint] = Some((timestamp, line));
                Ok(())
            }
        }
    }
}

/// An endpoint as messages name it (`GET /a`, `Aggregated`).
fn shown(key: &EndpointKey) -> String {
    super::error::shorten(&key.to_string())
}
