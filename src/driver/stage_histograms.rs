//! `PREFIX_stage_histograms.csv`: the latency histograms of each plateau of a stepped load
//! (`--stages`), so that stage percentiles are exact instead of rebuilt from the history's
//! 10 s windows. The format is the one [`crate::locust::read_stage_histograms`] reads:
//!
//! ```text
//! Users,Start,End,Type,Name,Value,Count
//! ```
//!
//! A stage here is what [`crate::stats::stages`] finds in the history: a maximal run of two or
//! more consecutive `_stats_history.csv` rows with the same user count above 0. `Start` and
//! `End` are the Unix seconds of its first and last row, and the counts are exactly the
//! requests recorded between those two rows: the driver marks its histograms under the same
//! lock as it takes each row's cumulative counts, and writes the difference of the marks at
//! the two rows. So each stage's `Count`s add up to the difference of the history's `Total
//! Request Count` between its rows. Rows per stage: each endpoint that recorded a request in
//! the stage (by name, method), then Aggregated (empty `Type`); `Value` is an HDR bucket's
//! highest value in µs, as in `_histograms.csv`.
//!
//! The file is rewritten whole (atomically) when a stage ends and when the run ends, the last
//! stage ending at the run's last history row.

use super::recorder::{HistogramMark, Recorder};
use crate::locust::write::{push_record, Cell, Num};

/// The header of `_stage_histograms.csv`.
pub const HEADER: &str = "Users,Start,End,Type,Name,Value,Count\r\n";

/// The plateau being recorded: its users, first and last history row, and the marks there.
struct Open {
    users: u64,
    start: i64,
    start_mark: HistogramMark,
    end: i64,
    end_mark: HistogramMark,
}

/// Follows the history rows as they are written and collects the stages' histograms.
pub struct StageHistograms {
    open: Option<Open>,
    content: String,
}

impl Default for StageHistograms {
    fn default() -> Self {
        Self {
            open: None,
            content: HEADER.to_string(),
        }
    }
}

impl StageHistograms {
    /// Takes note of a history row at `second` with `users`, the recorder as the row saw it.
    /// A row in the same second as the last one replaces it (the run's final tick). Returns
    /// whether a stage ended, so the file is due.
    pub fn row(&mut self, rec: &Recorder, second: i64, users: u64) -> bool {
        let mark = rec.histogram_mark();
        if let Some(open) = self.open.as_mut().filter(|o| o.users == users) {
            if open.start == second {
                open.start_mark = mark.clone();
            }
            open.end = second;
            open.end_mark = mark;
            return false;
        }
        let ended = self.close(rec);
        if users > 0 {
            self.open = Some(Open {
                users,
                start: second,
                start_mark: mark.clone(),
                end: second,
                end_mark: mark,
            });
        }
        ended
    }

    /// Ends the plateau being recorded (at the run's end); whether it was a stage.
    pub fn close(&mut self, rec: &Recorder) -> bool {
        let Some(o) = self.open.take() else {
            return false;
        };
        if o.end <= o.start {
            return false;
        }
        let (users, start, end) = (o.users as i64, o.start, o.end);
        for (method, name, value, count) in rec.histogram_rows_between(&o.start_mark, &o.end_mark) {
            push_record(
                &mut self.content,
                &[
                    Cell::Num(Num::Int(users)),
                    Cell::Num(Num::Int(start)),
                    Cell::Num(Num::Int(end)),
                    Cell::Text(method),
                    Cell::Text(name),
                    Cell::Num(Num::Int(value as i64)),
                    Cell::Num(Num::Int(count as i64)),
                ],
            );
        }
        true
    }

    /// The file's content so far.
    pub fn content(&self) -> &str {
        &self.content
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::recorder::Sample;
    use crate::locust::read_stage_histograms;

    fn sample(at: f64, ms: f64) -> Sample {
        Sample {
            slot: 0,
            at,
            latency_us: (ms * 1000.0) as u64,
            service_us: None,
            content_len: 1,
            error: None,
        }
    }

    /// Rows at 0, 2, 2, 2, 4, 4 users: one stage at 2 users (rows 101–103), one at 4 (104–105);
    /// the reader gets back exactly the requests recorded between each stage's rows.
    #[test]
    fn stages_are_the_plateaus_and_read_back() {
        let endpoints = vec![("GET".to_string(), "/a".to_string())];
        let mut rec = Recorder::new(&endpoints, 100.0);
        let mut st = StageHistograms::default();
        st.row(&rec, 100, 0);
        rec.record(&sample(100.5, 10.0));
        st.row(&rec, 101, 2);
        rec.record(&sample(101.5, 20.0));
        rec.record(&sample(101.7, 20.0));
        st.row(&rec, 102, 2);
        rec.record(&sample(102.5, 30.0));
        assert!(!st.row(&rec, 103, 2));
        rec.record(&sample(103.5, 40.0));
        assert!(st.row(&rec, 104, 4), "the 2-user stage ended");
        rec.record(&sample(104.5, 50.0));
        st.row(&rec, 105, 4);
        rec.record(&sample(105.2, 60.0));
        // The final tick in the same second replaces the row of second 105.
        st.row(&rec, 105, 4);
        assert!(st.close(&rec));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r_stage_histograms.csv");
        std::fs::write(&path, st.content()).unwrap();
        let stages = read_stage_histograms(&path).unwrap();
        let summary: Vec<(u64, i64, i64, u64)> = stages
            .iter()
            .map(|s| {
                let agg = s.histograms.iter().find(|h| h.key.is_aggregated()).unwrap();
                (
                    s.users,
                    s.start,
                    s.end,
                    agg.buckets.iter().map(|b| b.1).sum(),
                )
            })
            .collect();
        assert_eq!(summary, vec![(2, 101, 103, 3), (4, 104, 105, 2)]);
        let two = &stages[0].histograms[0];
        assert_eq!(two.buckets.len(), 2);
        assert!((two.buckets[0].0 - 20.0).abs() < 0.05 && two.buckets[0].1 == 2);
    }
}
