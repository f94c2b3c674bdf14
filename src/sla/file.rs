//! The SLA file: TOML with an `[endpoints]` table and `[tiers.NAME]` tables.
//!
//! ```toml
//! [endpoints]
//! "/health/" = "p95 < 50ms"
//! "GET /analysis/" = ["p95 < 2s", "error_rate < 1%"]
//!
//! [tiers.light]
//! users = 10
//! checks = ["rps >= 10", "avg < 200ms", "p95 < 500ms", "error_rate < 0.1%"]
//!
//! [apdex_t]                # APDEX target times (default 500 ms); `*` for every other endpoint
//! "GET /analysis/" = "2s"
//! ```
//!
//! Every value keeps its place in the file (toml's spans), so an error names the line and
//! column of the offending key or expression.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::expr::{parse_threshold, parse_time_ms, Threshold};
use super::{EndpointTarget, Sla, SlaError, Tier};

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an SLA with an [endpoints] table, [tiers.NAME] tables and an [apdex_t] table"
)]
struct RawSla {
    #[serde(default)]
    endpoints: BTreeMap<Spanned<String>, Spanned<Exprs>>,
    #[serde(default)]
    tiers: BTreeMap<Spanned<String>, Spanned<RawTier>>,
    #[serde(default)]
    apdex_t: BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a tier table with `checks` and an optional `users`"
)]
struct RawTier {
    users: Option<Spanned<u64>>,
    checks: Spanned<Exprs>,
}

/// One expression (`"p95 < 50ms"`) or a list of them.
enum Exprs {
    One(String),
    Many(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for Exprs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ExprsVisitor;
        impl<'de> Visitor<'de> for ExprsVisitor {
            type Value = Exprs;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a threshold like \"p95 < 500ms\" or a list of them")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Exprs, E> {
                Ok(Exprs::One(v.to_string()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Exprs, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<String>>()? {
                    items.push(item);
                }
                Ok(Exprs::Many(items))
            }
        }
        deserializer.deserialize_any(ExprsVisitor)
    }
}

/// Parses SLA text read from `path`.
pub(super) fn parse(text: &str, path: &Path) -> Result<Sla, SlaError> {
    let invalid = |span: Option<Range<usize>>, message: String| {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = line_col(text, s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        SlaError::Invalid {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let raw: RawSla =
        toml::from_str(text).map_err(|e| invalid(e.span(), e.message().trim().to_string()))?;

    let mut endpoints: Vec<(usize, EndpointTarget)> = Vec::new();
    for (key, exprs) in raw.endpoints {
        if key.get_ref().trim().is_empty() {
            return Err(invalid(
                Some(key.span()),
                "empty endpoint name: expected a name like \"/health/\" or \"GET /health/\"".into(),
            ));
        }
        let what = format!("endpoint \"{}\"", key.get_ref());
        let thresholds = thresholds(text, &exprs, &what).map_err(|(s, m)| invalid(Some(s), m))?;
        endpoints.push((
            key.span().start,
            EndpointTarget::from_key(key.get_ref(), thresholds),
        ));
    }
    endpoints.sort_by_key(|(at, _)| *at);

    let mut tiers: Vec<(usize, Tier)> = Vec::new();
    let mut by_users: BTreeMap<u64, String> = BTreeMap::new();
    for (name, tier) in raw.tiers {
        let what = format!("tier `{}`", name.get_ref());
        let raw_tier = tier.get_ref();
        let thresholds =
            thresholds(text, &raw_tier.checks, &what).map_err(|(s, m)| invalid(Some(s), m))?;
        let users = raw_tier.users.as_ref().map(|u| *u.get_ref());
        if let (Some(u), Some(span)) = (users, raw_tier.users.as_ref().map(Spanned::span)) {
            if let Some(other) = by_users.insert(u, name.get_ref().clone()) {
                return Err(invalid(
                    Some(span),
                    format!(
                        "tiers `{other}` and `{}` both have users = {u}: a run's tier is found \
                         from its user count, so each tier needs its own",
                        name.get_ref()
                    ),
                ));
            }
        }
        tiers.push((
            tier.span().start,
            Tier {
                name: name.get_ref().clone(),
                users,
                thresholds,
            },
        ));
    }
    tiers.sort_by_key(|(at, _)| *at);

    let mut apdex_t: Vec<(usize, (EndpointTarget, f64))> = Vec::new();
    for (key, value) in raw.apdex_t {
        if key.get_ref().trim().is_empty() {
            return Err(invalid(
                Some(key.span()),
                "empty endpoint name in [apdex_t]: expected a name like \"/health/\" or \"*\""
                    .into(),
            ));
        }
        let t = parse_time_ms(value.get_ref()).ok_or_else(|| {
            invalid(
                Some(value.span()),
                format!(
                    "APDEX target time \"{}\" for \"{}\": expected a positive time like \
                     \"500ms\" or \"2s\"",
                    value.get_ref(),
                    key.get_ref()
                ),
            )
        })?;
        apdex_t.push((
            key.span().start,
            (
                EndpointTarget::from_key(key.get_ref(), Vec::new()),
                t.to_f64(),
            ),
        ));
    }
    apdex_t.sort_by_key(|(at, _)| *at);

    if endpoints.is_empty() && tiers.is_empty() {
        return Err(invalid(
            None,
            "the SLA defines no targets: expected an [endpoints] table or [tiers.NAME] tables"
                .into(),
        ));
    }
    Ok(Sla {
        source: path.display().to_string(),
        endpoints: endpoints.into_iter().map(|(_, e)| e).collect(),
        tiers: tiers.into_iter().map(|(_, t)| t).collect(),
        apdex_t: apdex_t.into_iter().map(|(_, t)| t).collect(),
    })
}

/// Parses one value's expressions; on error, the span to point at and the message.
fn thresholds(
    text: &str,
    exprs: &Spanned<Exprs>,
    what: &str,
) -> Result<Vec<Threshold>, (Range<usize>, String)> {
    let items: Vec<(&str, Range<usize>)> = match exprs.get_ref() {
        Exprs::One(s) => vec![(s.as_str(), exprs.span())],
        Exprs::Many(list) => list
            .iter()
            .map(|s| (s.get_ref().as_str(), s.span()))
            .collect(),
    };
    if items.is_empty() {
        return Err((
            exprs.span(),
            format!("{what} has no thresholds: expected one like \"p95 < 500ms\""),
        ));
    }
    items
        .into_iter()
        .map(|(expr, span)| {
            parse_threshold(expr).map_err(|e| {
                let at = expression_offset(text, &span, expr, e.offset);
                (
                    at..span.end,
                    format!("bad threshold \"{expr}\" for {what}: {}", e.message),
                )
            })
        })
        .collect()
}

/// Where in the file byte `offset` of an expression is: exact when the string is written
/// plainly between quotes, otherwise the start of the string.
fn expression_offset(text: &str, span: &Range<usize>, expr: &str, offset: usize) -> usize {
    let raw = text.get(span.clone()).unwrap_or("");
    let plain = raw.len() == expr.len() + 2 && raw.get(1..raw.len() - 1) == Some(expr);
    if plain {
        span.start + 1 + offset
    } else {
        span.start
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(super) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::{Metric, Op};

    fn parse_ok(text: &str) -> Sla {
        parse(text, Path::new("sla.toml")).unwrap_or_else(|e| panic!("{e}"))
    }

    fn parse_err(text: &str) -> String {
        parse(text, Path::new("sla.toml"))
            .expect_err("should not parse")
            .to_string()
    }

    #[test]
    fn endpoints_and_tiers_keep_file_order() {
        let sla = parse_ok(
            r#"
[endpoints]
"/z/" = "p95 < 50ms"
"GET /a/" = ["p95 < 2s", "error_rate < 1%"]

[tiers.stress]
users = 200
checks = ["rps >= 100"]

[tiers.light]
checks = "avg < 200ms"
"#,
        );
        assert_eq!(sla.source, "sla.toml");
        let names: Vec<String> = sla.endpoints.iter().map(EndpointTarget::label).collect();
        assert_eq!(names, ["/z/", "GET /a/"]);
        assert_eq!(sla.endpoints[1].thresholds.len(), 2);
        assert_eq!(sla.endpoints[1].thresholds[1].metric, Metric::FailureRate);
        let tiers: Vec<(&str, Option<u64>)> = sla
            .tiers
            .iter()
            .map(|t| (t.name.as_str(), t.users))
            .collect();
        assert_eq!(tiers, [("stress", Some(200)), ("light", None)]);
        assert_eq!(sla.tiers[0].thresholds[0].op, Op::Ge);
    }

    #[test]
    fn a_bad_expression_names_file_line_column_and_expectation() {
        let text = "[endpoints]\n\"/health/\" = \"p95 < 50ms\"\n\"/x/\" = [\"p95 < 5ms\", \"avg < fast\"]\n";
        assert_eq!(
            parse_err(text),
            "sla.toml:3:30: bad threshold \"avg < fast\" for endpoint \"/x/\": expected a time \
             like `500ms` or `2s` after `<`, found `fast`"
        );
        let text = "[tiers.light]\nusers = 10\nchecks = [\"rps => 10\"]\n";
        assert_eq!(
            parse_err(text),
            "sla.toml:3:16: bad threshold \"rps => 10\" for tier `light`: expected a comparison \
             (<, <=, > or >=) after `rps`, found `=> 10`"
        );
    }

    #[test]
    fn toml_and_schema_errors_have_locations() {
        let e = parse_err("[endpoints]\n\"/health/\" = \"p95 < 50ms\n");
        assert!(e.starts_with("sla.toml:2:"), "{e}");
        let e = parse_err("[tiers.light]\nuser = 10\nchecks = \"rps >= 1\"\n");
        assert!(e.starts_with("sla.toml:2:1: unknown field `user`"), "{e}");
        assert!(e.contains("`users`"), "{e}");
        let e = parse_err("[endpoint]\n\"/a/\" = \"p95 < 1\"\n");
        assert!(e.starts_with("sla.toml:1:"), "{e}");
        assert!(e.contains("unknown field `endpoint`"), "{e}");
        let e = parse_err("[endpoints]\n\"/a/\" = 5\n");
        assert!(e.starts_with("sla.toml:2:9:"), "{e}");
        assert!(e.contains("a threshold like"), "{e}");
        let e = parse_err("[tiers.light]\nusers = -1\nchecks = \"rps >= 1\"\n");
        assert!(e.starts_with("sla.toml:2:"), "{e}");
        let e = parse_err("[tiers]\nlight = 1\n");
        assert!(e.contains("expected a tier table with `checks`"), "{e}");
        let e = parse_err("[tiers.light]\nusers = 1\n");
        assert!(e.contains("missing field `checks`"), "{e}");
    }

    #[test]
    fn semantic_errors_have_locations() {
        let e = parse_err("[endpoints]\n\"/a/\" = []\n");
        assert_eq!(
            e,
            "sla.toml:2:9: endpoint \"/a/\" has no thresholds: expected one like \"p95 < 500ms\""
        );
        let e = parse_err(
            "[tiers.a]\nusers = 10\nchecks = \"rps >= 1\"\n[tiers.b]\nusers = 10\nchecks = \"rps >= 1\"\n",
        );
        assert!(
            e.starts_with("sla.toml:5:9: tiers `a` and `b` both have users = 10"),
            "{e}"
        );
        let e = parse_err("[endpoints]\n\"\" = \"p95 < 1\"\n");
        assert!(e.starts_with("sla.toml:2:1: empty endpoint name"), "{e}");
        assert_eq!(
            parse_err("# nothing\n"),
            "sla.toml: the SLA defines no targets: expected an [endpoints] table or \
             [tiers.NAME] tables"
        );
    }

    #[test]
    fn the_documented_example_parses() {
        let doc = include_str!("../../docs/sla.md");
        let section = doc
            .split("## The SLA file")
            .nth(1)
            .expect("docs/sla.md has the SLA file section");
        let example = section
            .split("```toml\n")
            .nth(1)
            .and_then(|s| s.split("```").next())
            .expect("a toml block");
        let sla = parse_ok(example);
        assert_eq!(sla.endpoints.len(), 4);
        assert_eq!(sla.tiers[1].users, None);
        assert_eq!(sla.endpoints[2].thresholds[0].to_string(), "p99.9 <= 3s");
    }

    #[test]
    fn apdex_targets_parse_in_file_order_with_locations() {
        let sla = parse_ok(
            "[endpoints]\n\"/a/\" = \"apdex >= 0.9\"\n[apdex_t]\n\"GET /a/\" = \"2s\"\n\"*\" = \"300\"\n",
        );
        let t: Vec<(String, f64)> = sla.apdex_t.iter().map(|(e, t)| (e.label(), *t)).collect();
        assert_eq!(
            t,
            [("GET /a/".to_string(), 2000.0), ("*".to_string(), 300.0)]
        );
        assert_eq!(sla.endpoints[0].thresholds[0].metric, Metric::Apdex(None));
        let e =
            parse_err("[endpoints]\n\"/a/\" = \"apdex >= 0.9\"\n[apdex_t]\n\"/a/\" = \"soon\"\n");
        assert!(
            e.starts_with("sla.toml:4:9: APDEX target time \"soon\""),
            "{e}"
        );
        let e = parse_err("[endpoints]\n\"/a/\" = \"apdex(0s) >= 0.9\"\n");
        assert!(e.contains("positive time"), "{e}");
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(line_col("ab\nc✓d", 7), (2, 3));
        assert_eq!(line_col("abc", 0), (1, 1));
        assert_eq!(line_col("abc", 99), (1, 4));
    }
}
