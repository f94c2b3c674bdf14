//! Error signatures across two runs: which errors are new, gone, or more frequent.
//!
//! Locust writes one failure row per distinct error text, and the text often holds numbers,
//! URLs and ports (`HTTPConnectionPool(host='127.0.0.1', port=18081): Read timed out.`), so the
//! same error splits into many rows across runs. A signature replaces those parts with
//! placeholders before rows are matched.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{EndpointKey, Run};
use crate::stats::{holm_adjust, proportion_test};

/// How an error signature changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureStatus {
    /// Seen in latest, never in baseline.
    New,
    /// Significantly more frequent per 1,000 requests of its endpoint.
    MoreFrequent,
    /// Seen in baseline, never in latest.
    Gone,
    /// Seen in both at a similar rate.
    Same,
}

/// One error signature on one endpoint, in both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureChange {
    /// Request type.
    pub method: String,
    /// Request name.
    pub name: String,
    /// The normalised error text.
    pub signature: String,
    /// One original error text, as Locust wrote it.
    pub example: String,
    /// Occurrences in the baseline.
    pub baseline_count: u64,
    /// Occurrences in the latest run.
    pub latest_count: u64,
    /// Occurrences per 1,000 requests of the endpoint in the baseline.
    pub baseline_per_1000: Option<f64>,
    /// Occurrences per 1,000 requests of the endpoint in the latest run.
    pub latest_per_1000: Option<f64>,
    /// How it changed.
    pub status: FailureStatus,
}

/// Replaces URLs, numbers (including IP addresses and ports) and hexadecimal ids with
/// placeholders so that one error is one signature.
pub fn normalise_error(error: &str) -> String {
    let mut out = String::with_capacity(error.len());
    let chars: Vec<char> = error.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        if starts_with(rest, "http://") || starts_with(rest, "https://") {
            while i < chars.len() && !is_url_end(chars[i]) {
                i += 1;
            }
            out.push_str("<url>");
        } else if starts_with(rest, "0x") && rest.get(2).is_some_and(|c| c.is_ascii_hexdigit()) {
            i += 2;
            while i < chars.len() && chars[i].is_ascii_hexdigit() {
                i += 1;
            }
            out.push_str("<hex>");
        } else if chars[i].is_ascii_digit() && !preceded_by_word(&chars, i) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if is_status_code(&chars, start, i) {
                out.extend(&chars[start..i]);
            } else {
                out.push_str("<n>");
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn starts_with(chars: &[char], prefix: &str) -> bool {
    let mut it = chars.iter();
    prefix.chars().all(|p| it.next() == Some(&p))
}

fn is_url_end(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\'' | '"' | ')' | '>' | ',')
}

/// An HTTP status (`500 Server Error`, `status 503`) tells errors apart, so it is kept.
fn is_status_code(chars: &[char], start: usize, end: usize) -> bool {
    let after: String = chars[end..].iter().take(13).collect();
    let before: String = chars[start.saturating_sub(7)..start].iter().collect();
    end - start == 3
        && (after.starts_with(" Server Error")
            || after.starts_with(" Client Error")
            || before.ends_with("status "))
}

/// A digit inside an identifier (`HTTP2`, `utf8`) is part of a name, not a number.
fn preceded_by_word(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_ascii_alphabetic() || chars[i - 1] == '_')
}

#[derive(Default)]
struct Tally {
    example: String,
    baseline: u64,
    latest: u64,
}

/// Matches the two runs' failure rows by endpoint and signature.
pub(super) fn compare_failures(baseline: &Run, latest: &Run, alpha: f64) -> Vec<FailureChange> {
    let mut tallies: BTreeMap<(EndpointKey, String), Tally> = BTreeMap::new();
    for (run, is_latest) in [(baseline, false), (latest, true)] {
        for row in &run.failures {
            let entry = tallies
                .entry((row.key.clone(), normalise_error(&row.error)))
                .or_default();
            if entry.example.is_empty() {
                entry.example = row.error.clone();
            }
            let count = if is_latest {
                &mut entry.latest
            } else {
                &mut entry.baseline
            };
            *count = count.saturating_add(row.occurrences);
        }
    }
    let requests = |run: &Run, key: &EndpointKey| run.endpoint(key).map(|e| e.requests);
    let per_1000 = |count: u64, n: Option<u64>| {
        n.filter(|n| *n > 0)
            .map(|n| count as f64 * 1000.0 / n as f64)
    };
    let mut changes: Vec<FailureChange> = Vec::with_capacity(tallies.len());
    let mut rises: Vec<(usize, f64)> = Vec::new();
    for ((key, signature), t) in tallies {
        let n_b = requests(baseline, &key);
        let n_l = requests(latest, &key);
        let status = if t.baseline == 0 {
            FailureStatus::New
        } else if t.latest == 0 {
            FailureStatus::Gone
        } else {
            if let Some(p) = rise_p_value(t.baseline, n_b, t.latest, n_l) {
                rises.push((changes.len(), p));
            }
            FailureStatus::Same
        };
        changes.push(FailureChange {
            method: key.method,
            name: key.name,
            signature,
            example: t.example,
            baseline_count: t.baseline,
            latest_count: t.latest,
            baseline_per_1000: per_1000(t.baseline, n_b),
            latest_per_1000: per_1000(t.latest, n_l),
            status,
        });
    }
    // Holm over the signatures seen in both runs, so that many error kinds do not make
    // one of them look more frequent by chance.
    let raw: Vec<f64> = rises.iter().map(|(_, p)| *p).collect();
    for ((index, _), p) in rises.iter().zip(holm_adjust(&raw)) {
        if p < alpha {
            changes[*index].status = FailureStatus::MoreFrequent;
        }
    }
    changes.sort_by(|a, b| {
        a.status
            .cmp(&b.status)
            .then(b.latest_count.cmp(&a.latest_count))
    });
    changes
}

/// The p-value of a two-proportion test when the latest rate per request is higher.
fn rise_p_value(x_b: u64, n_b: Option<u64>, x_l: u64, n_l: Option<u64>) -> Option<f64> {
    let (n_b, n_l) = (n_b.filter(|n| *n > 0)?, n_l.filter(|n| *n > 0)?);
    if (x_l as f64 / n_l as f64) <= (x_b as f64 / n_b as f64) {
        return None;
    }
    proportion_test(x_b.min(n_b), n_b, x_l.min(n_l), n_l)
}
