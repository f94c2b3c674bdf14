//! Locust's statistics arithmetic, reproduced exactly: how it buckets response times, picks
//! percentiles from the buckets, orders failures, and how Python's `repr` quotes the error
//! texts. The recorder and runner build on these so that the driver's numbers and error names
//! are the ones Locust would print for the same requests.

use std::collections::BTreeMap;

/// The key Locust sorts failures by: the SHA-256 hex digest of
/// `f"{method}.{name}.{error!r}"` (`StatsError.create_key`), so rows come out in Locust's order.
pub fn failure_sort_key(method: &str, name: &str, error: &str) -> String {
    use sha2::{Digest, Sha256};
    let key = format!("{method}.{name}.{}", py_str_repr(error));
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Locust's response-time key for a latency in ms: whole ms below 100, then 2 significant
/// digits (`147` → 150, `3432` → 3400, `58760` → 59000), rounding half to even like Python
/// ([`crate::stats::locust_round`]), as an integer.
pub fn locust_bucket(ms: f64) -> u64 {
    crate::stats::locust_round(ms).max(0.0) as u64
}

/// Locust's `calculate_response_time_percentile`: walk the keys from the top until no more
/// than `int(num_requests * percent)` requests remain below.
pub fn locust_percentile(keys: &BTreeMap<u64, u64>, num_requests: u64, percent: f64) -> u64 {
    let wanted = (num_requests as f64 * percent) as i128;
    let mut processed: i128 = 0;
    for (k, c) in keys.iter().rev() {
        processed += i128::from(*c);
        if i128::from(num_requests) - processed <= wanted {
            return *k;
        }
    }
    0
}

/// Python's `repr` of a `str`: single quotes unless the text has `'` and no `"`.
pub fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_sort_like_locust() {
        let timeout = |port| {
            format!(
                "ReadTimeout(ReadTimeoutError(\"HTTPConnectionPool(host='127.0.0.1', \
                 port={port}): Read timed out. (read timeout=2.0)\"))"
            )
        };
        let http = "HTTPError('500 Server Error: Internal Server Error for url: /analysis/run')";
        let key = |e: &str| failure_sort_key("POST", "/analysis/run", e);
        assert!(key(http) < key(&timeout(18081)), "baseline-1 order");
        assert!(key(&timeout(18082)) < key(http), "latest-1 order");
    }

    #[test]
    fn buckets_round_like_locust() {
        assert_eq!(locust_bucket(7.4), 7);
        assert_eq!(locust_bucket(99.4), 99);
        assert_eq!(locust_bucket(99.7), 100);
        assert_eq!(locust_bucket(147.0), 150);
        assert_eq!(locust_bucket(3432.0), 3400);
        assert_eq!(locust_bucket(58760.0), 59000);
        assert_eq!(locust_bucket(2003.25), 2000);
        assert_eq!(locust_bucket(0.5), 0);
        assert_eq!(locust_bucket(2.5), 2);
    }

    #[test]
    fn percentiles_like_locust() {
        let keys: BTreeMap<u64, u64> = [(10, 5), (20, 4), (2000, 1)].into_iter().collect();
        assert_eq!(locust_percentile(&keys, 10, 0.5), 20);
        assert_eq!(locust_percentile(&keys, 10, 0.8), 20);
        assert_eq!(locust_percentile(&keys, 10, 0.9), 2000);
        assert_eq!(locust_percentile(&keys, 10, 1.0), 2000);
        assert_eq!(locust_percentile(&BTreeMap::new(), 0, 0.5), 0);
    }

    #[test]
    fn python_string_repr() {
        assert_eq!(py_str_repr("abc"), "'abc'");
        assert_eq!(py_str_repr("it's"), "\"it's\"");
        assert_eq!(py_str_repr("a'\"b"), "'a\\'\"b'");
    }
}
