//! Marks of a recorder's histograms, for the per-stage histograms of a stepped load: a mark
//! at a stage's first history row and one at its last, and the stage's histogram is their
//! difference (HDR histograms only grow, so the difference is exactly the requests recorded
//! in between).

use hdrhistogram::Histogram;

use super::{Entry, Recorder};

/// Every latency histogram of a recorder at one moment (endpoints in slot order, then
/// Aggregated): what a stage of a stepped load starts and ends at, so that its own histogram is
/// the difference ([`Recorder::histogram_rows_between`]).
#[derive(Debug, Clone)]
pub struct HistogramMark {
    entries: Vec<Histogram<u64>>,
    total: Histogram<u64>,
}

impl Recorder {
    /// The histograms as they are now, to diff against later.
    pub fn histogram_mark(&self) -> HistogramMark {
        HistogramMark {
            entries: self
                .entries
                .iter()
                .map(|e| e.latency.hist.clone())
                .collect(),
            total: self.total.latency.hist.clone(),
        }
    }

    /// The histogram buckets recorded between two marks, as [`Recorder::histogram_rows`]
    /// gives them: (method, name, bucket value in µs, count) per endpoint that recorded any
    /// request in between, sorted by (name, method), then Aggregated.
    pub fn histogram_rows_between(
        &self,
        from: &HistogramMark,
        to: &HistogramMark,
    ) -> Vec<(&str, &str, u64, u64)> {
        let diff = |a: &Histogram<u64>, b: &Histogram<u64>| {
            let mut d = b.clone();
            // `to` was taken after `from` from the same histograms, which only grow.
            d.subtract(a).ok().map(|_| d)
        };
        let mut parts: Vec<(&Entry, Histogram<u64>)> = self
            .entries
            .iter()
            .zip(from.entries.iter().zip(&to.entries))
            .filter_map(|(e, (a, b))| Some((e, diff(a, b)?)))
            .filter(|(_, d)| !d.is_empty())
            .collect();
        parts.sort_by(|(a, _), (b, _)| (&a.name, &a.method).cmp(&(&b.name, &b.method)));
        parts.extend(diff(&from.total, &to.total).map(|d| (&self.total, d)));
        parts
            .iter()
            .flat_map(|(e, d)| super::bucket_rows(e, d))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Sample;
    use super::*;

    fn sample(slot: usize, at: f64, ms: f64, err: Option<&str>) -> Sample {
        Sample {
            slot,
            at,
            latency_us: (ms * 1000.0) as u64,
            service_us: None,
            content_len: 10,
            error: err.map(String::from),
        }
    }

    /// What two marks enclose is exactly the requests recorded between them: counted by hand.
    #[test]
    fn rows_between_marks_hold_only_what_came_between() {
        let eps = vec![
            ("GET".to_string(), "/b".to_string()),
            ("GET".into(), "/a".into()),
        ];
        let mut r = Recorder::new(&eps, 1000.0);
        r.record(&sample(0, 1000.5, 5.0, None));
        let from = r.histogram_mark();
        r.record(&sample(1, 1001.0, 20.0, None));
        r.record(&sample(1, 1001.2, 20.0, Some("boom")));
        r.record(&sample(0, 1001.4, 7.0, None));
        let to = r.histogram_mark();
        r.record(&sample(0, 1002.0, 9.0, None));
        let rows = r.histogram_rows_between(&from, &to);
        let count = |name: &str| -> u64 {
            rows.iter()
                .filter(|row| row.1 == name)
                .map(|row| row.3)
                .sum()
        };
        assert_eq!((count("/a"), count("/b"), count("Aggregated")), (2, 1, 3));
        assert_eq!(rows[0].1, "/a");
        assert_eq!(rows.last().unwrap().1, "Aggregated");
        let a: Vec<u64> = rows
            .iter()
            .filter(|row| row.1 == "/a")
            .map(|row| row.2)
            .collect();
        assert_eq!(a.len(), 1, "two 20 ms requests share one bucket");
        assert!(a[0].abs_diff(20_000) <= 20, "{a:?}");
        let idle = r.histogram_rows_between(&to, &to);
        assert!(idle.is_empty(), "{idle:?}");
    }
}
