//! Tests of the threshold grammar: the issue's examples, units, errors and APDEX.

use super::*;

fn t(text: &str) -> Threshold {
    parse_threshold(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn e(text: &str) -> ExprError {
    parse_threshold(text).expect_err(text)
}

#[test]
fn the_issue_examples_parse() {
    let p95 = t("p95 < 500ms");
    assert_eq!(p95.metric, Metric::Percentile(9500));
    assert_eq!(p95.op, Op::Lt);
    assert_eq!(p95.base_f64(), 500.0);
    assert_eq!(t("avg < 200ms").metric, Metric::Avg);
    let rps = t("rps >= 40");
    assert_eq!(
        (rps.metric, rps.op, rps.base_f64()),
        (Metric::Rps, Op::Ge, 40.0)
    );
    let rate = t("error_rate < 0.5%");
    assert_eq!(
        rate.base(),
        Some(Decimal {
            digits: 5,
            scale: 3
        })
    );
    assert_eq!(rate.base_f64(), 0.005);
    let p99 = t("p99 < 2s");
    assert_eq!(p99.base_f64(), 2000.0);
    assert_eq!(p99.to_string(), "p99 < 2s");
}

#[test]
fn spacing_aliases_and_k6_forms() {
    assert_eq!(t("p95<500ms"), t("  p95   <   500 ms "));
    assert_eq!(t("p(95) < 500"), t("p95 < 500ms"));
    assert_eq!(t("P99.9 <= 1.5s").metric, Metric::Percentile(9990));
    assert_eq!(t("P99.9 <= 1.5s").base_f64(), 1500.0);
    assert_eq!(t("p99.99 > 1").metric, Metric::Percentile(9999));
    assert_eq!(t("p100 < 3s").metric, Metric::Percentile(10000));
    assert_eq!(t("mean < 1").metric, Metric::Avg);
    assert_eq!(t("failure_rate < 0.01").base_f64(), 0.01);
    assert_eq!(t("rps >= 40/s").base_f64(), 40.0);
    assert_eq!(t("requests >= 100").base_f64(), 100.0);
    assert_eq!(t("median > 0.25s").base_f64(), 250.0);
}

#[test]
fn units_convert_exactly() {
    // 1.1 × 1000 in floating point is not guaranteed to be 1100; the decimal is.
    assert_eq!(
        t("p95 < 1.1s").base(),
        Some(Decimal {
            digits: 11000,
            scale: 1
        })
    );
    assert_eq!(t("p95 < 1.1s").base_f64(), 1100.0);
    assert_eq!(t("error_rate < 0.1%").base_f64(), 0.001);
    assert_eq!(t("error_rate < 5%").base_f64(), 0.05);
}

#[test]
fn display_keeps_the_written_unit() {
    assert_eq!(t("error_rate<0.50%").target(), "< 0.5%");
    assert_eq!(t("p99.9 >= 2s").to_string(), "p99.9 >= 2s");
    assert_eq!(t("avg < 200").to_string(), "avg < 200ms");
    assert_eq!(t("error_rate < 0.005").target(), "< 0.005");
}

#[test]
fn ops_hold_as_written() {
    use Ordering::*;
    let cases = [
        (Op::Lt, [true, false, false]),
        (Op::Le, [true, true, false]),
        (Op::Gt, [false, false, true]),
        (Op::Ge, [false, true, true]),
    ];
    for (op, expect) in cases {
        assert_eq!(
            [op.holds(Less), op.holds(Equal), op.holds(Greater)],
            expect,
            "{op}"
        );
    }
}

#[test]
fn errors_say_what_was_expected_and_where() {
    let unknown = e("p95x < 5ms");
    assert!(
        unknown
            .message
            .starts_with("unknown metric `p95x`: expected avg"),
        "{unknown}"
    );
    assert_eq!(unknown.offset, 0);
    let column = e("p97 < 5ms");
    assert!(
        column.message.contains("Locust writes no p97 column"),
        "{column}"
    );
    assert!(column.message.contains("p99.9"), "{column}");
    let op = e("p95 = 5ms");
    assert_eq!(
        op.message,
        "expected a comparison (<, <=, > or >=) after `p95`, found `= 5ms`"
    );
    assert_eq!(op.offset, 4);
    let missing = e("p95 <");
    assert_eq!(
        missing.message,
        "expected a time like `500ms` or `2s` after `<`, found the end of the expression"
    );
    let word = e("avg < fast");
    assert_eq!(
        word.message,
        "expected a time like `500ms` or `2s` after `<`, found `fast`"
    );
    assert_eq!(word.offset, 6);
    let unit = e("p95 < 500 sec");
    assert_eq!(
        unit.message,
        "unknown unit `sec` in `500 sec`: a time is in `ms` (the default) or `s`"
    );
    assert_eq!(unit.offset, 10);
    assert!(e("error_rate < 5").message.contains("write `5%`"));
    assert!(e("error_rate < 5ms").message.contains("unknown unit `ms`"));
    assert!(e("rps >= 40ms").message.contains("unknown unit `ms`"));
    assert!(e("requests > 1.5").message.contains("whole number"));
    assert!(e("").message.starts_with("empty threshold"));
    assert!(e("< 5ms").message.starts_with("expected a metric"));
    assert!(e("avg < -5").message.contains("found `-5`"));
    assert!(e("avg < 1e3").message.contains("unknown unit `e3`"));
    assert!(e("avg < 1.").message.contains("found `1.`"));
    assert!(e("avg < 1234567890123456789012")
        .message
        .contains("too many digits"));
}

#[test]
fn apdex_thresholds_parse_with_and_without_a_target_time() {
    let a = t("apdex >= 0.9");
    assert_eq!(
        (a.metric, a.op, a.base_f64()),
        (Metric::Apdex(None), Op::Ge, 0.9)
    );
    assert_eq!(a.to_string(), "apdex >= 0.9");
    let b = t("apdex(300ms) >= 0.85");
    assert_eq!(b.metric, Metric::Apdex(Decimal::parse("300")));
    assert_eq!(b.to_string(), "apdex(300ms) >= 0.85");
    assert_eq!(t("APDEX(0.3s) >= 0.85").to_string(), "apdex(300ms) >= 0.85");
    assert_eq!(t("apdex(300) > 0.5").metric, b.metric);
    assert_eq!(t("apdex(1.5s) >= 1").to_string(), "apdex(1500ms) >= 1");
    assert!(e("apdex >= 1.5").message.contains("scores run from 0 to 1"));
    assert!(e("apdex >= 90%").message.contains("unknown unit `%`"));
    assert!(e("apdex(0ms) >= 0.9").message.contains("positive time"));
    assert!(e("apdex(fast) >= 0.9").message.contains("positive time"));
    assert!(e("apdex( >= 0.9").message.contains("apdex(T)"));
    assert_eq!(parse_time_ms("2s"), Decimal::parse("2000"));
    assert_eq!(parse_time_ms("-1"), None);
}

#[test]
fn requests_accept_whole_decimals() {
    assert_eq!(t("requests >= 100.0").base_f64(), 100.0);
}
