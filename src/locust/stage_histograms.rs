//! Reads `PREFIX_stage_histograms.csv`, the per-stage latency histograms the embedded driver
//! writes beside a stepped run (`perfreport run --stages`, [`crate::driver::stage_histograms`]),
//! so that stage percentiles are exact.
//!
//! Header `Users,Start,End,Type,Name,Value,Count`: `Start` and `End` are the Unix seconds of
//! the stage's first and last `_stats_history.csv` row at `Users`; the counts are the requests
//! recorded between those two rows (the histogram at `End` minus the one at `Start`). `Value`
//! is an HDR bucket's highest value in microseconds, as in `_histograms.csv`.

use std::path::Path;

use super::error::{FileKind, LocustError};
use super::fields::{read_file, Table};
use crate::model::{EndpointKey, Histogram};

/// One stage's histograms.
#[derive(Debug, Clone, PartialEq)]
pub struct StageHistogram {
    /// Users during the stage.
    pub users: u64,
    /// Unix seconds of the stage's first history row.
    pub start: i64,
    /// Unix seconds of its last history row.
    pub end: i64,
    /// Per endpoint, then Aggregated; buckets ascending, in ms.
    pub histograms: Vec<Histogram>,
}

/// Reads a `_stage_histograms.csv`; stages in file order.
pub fn read_stage_histograms(path: &Path) -> Result<Vec<StageHistogram>, LocustError> {
    read_file(path, FileKind::Histograms, from_table)
}

fn from_table(table: &mut Table<'_>) -> Result<Vec<StageHistogram>, LocustError> {
    let (users, start, end) = (
        table.require("Users")?,
        table.require("Start")?,
        table.require("End")?,
    );
    let (method, name) = (table.require("Type")?, table.require("Name")?);
    let (value, count) = (table.require("Value")?, table.require("Count")?);
    let mut stages: Vec<StageHistogram> = Vec::new();
    while let Some(row) = table.next_row()? {
        let (u, s, e) = (
            row.count(users)?,
            row.timestamp(start)?,
            row.timestamp(end)?,
        );
        let key = row.key(method, name);
        let bucket = (row.count(value)? as f64 / 1000.0, row.count(count)?);
        let same = |st: &StageHistogram| (st.users, st.start, st.end) == (u, s, e);
        if !stages.last().is_some_and(same) {
            stages.push(StageHistogram {
                users: u,
                start: s,
                end: e,
                histograms: Vec::new(),
            });
        }
        let Some(stage) = stages.last_mut() else {
            continue;
        };
        match stage.histograms.iter_mut().find(|h| h.key == key) {
            Some(h) => h.buckets.push(bucket),
            None => stage.histograms.push(Histogram {
                key: EndpointKey::new(key.method, key.name),
                buckets: vec![bucket],
            }),
        }
    }
    for stage in &mut stages {
        for h in &mut stage.histograms {
            h.buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
    }
    Ok(stages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_and_endpoints_are_grouped_in_file_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r_stage_histograms.csv");
        std::fs::write(
            &path,
            "Users,Start,End,Type,Name,Value,Count\r\n5,100,115,GET,/a,2000,3\r\n\
             5,100,115,GET,/a,1000,1\r\n5,100,115,,Aggregated,2000,3\r\n10,117,135,GET,/a,5000,7\r\n",
        )
        .unwrap();
        let s = read_stage_histograms(&path).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].users, s[0].start, s[0].end), (5, 100, 115));
        assert_eq!(s[0].histograms[0].buckets, vec![(1.0, 1), (2.0, 3)]);
        assert!(s[0].histograms[1].key.is_aggregated());
        assert_eq!(s[1].histograms[0].buckets, vec![(5.0, 7)]);
    }

    #[test]
    fn a_bad_count_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r_stage_histograms.csv");
        std::fs::write(
            &path,
            "Users,Start,End,Type,Name,Value,Count\r\nx,1,2,GET,/a,1,1\r\n",
        )
        .unwrap();
        let e = read_stage_histograms(&path).unwrap_err().to_string();
        assert!(e.contains("r_stage_histograms.csv"), "{e}");
    }
}
