//! Number formatting shared by the text renderers, so a value reads the same everywhere.

/// A response time in ms: whole numbers as they are (Locust's rounded percentiles), others
/// with one decimal below 1 s.
pub fn ms(v: f64) -> String {
    if v.fract() == 0.0 || v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// An optional response time; `N/A` when absent, as Locust writes it.
pub fn opt_ms(v: Option<f64>) -> String {
    v.map_or_else(|| "N/A".to_string(), ms)
}

/// Requests per second.
pub fn rps(v: f64) -> String {
    format!("{v:.2}")
}

/// A fraction shown as a percentage.
pub fn percent(fraction: f64) -> String {
    format!("{:.2}%", fraction * 100.0)
}

/// A signed percentage change.
pub fn signed_pct(pct: f64) -> String {
    format!("{pct:+.1}%")
}

/// A difference of APDEX scores with its sign, `0.00` (not `-0.00`) when it rounds to nothing.
pub fn signed_score(d: f64) -> String {
    if (d * 100.0).round() == 0.0 {
        "0.00".into()
    } else {
        format!("{d:+.2}")
    }
}

/// A p-value: three decimals, or `<0.001`.
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "<0.001".to_string()
    } else {
        format!("{p:.3}")
    }
}

/// A duration in seconds as `1m 05s` or `40s`.
pub fn duration(secs: f64) -> String {
    let total = secs.round() as u64;
    match (total / 3600, total / 60 % 60, total % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m {s:02}s"),
        (h, m, s) => format!("{h}h {m:02}m {s:02}s"),
    }
}

/// A percentile level as Locust heads its column (`95%`, `99.9%`).
pub fn level(level: f64) -> String {
    let pct = level * 100.0;
    let text = format!("{pct:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_read_like_locust() {
        assert_eq!(ms(140.0), "140");
        assert_eq!(ms(139.16176), "139.2");
        assert_eq!(ms(2002.64), "2003");
        assert_eq!(level(0.5), "50%");
        assert_eq!(level(0.999), "99.9%");
        assert_eq!(level(0.9999), "99.99%");
        assert_eq!(level(1.0), "100%");
        assert_eq!(duration(40.0), "40s");
        assert_eq!(duration(65.0), "1m 05s");
        assert_eq!(duration(3725.0), "1h 02m 05s");
        assert_eq!(p_value(0.0004), "<0.001");
        assert_eq!(p_value(0.04321), "0.043");
        assert_eq!(signed_pct(28.57), "+28.6%");
        assert_eq!(percent(4.0 / 491.0), "0.81%");
    }
}
