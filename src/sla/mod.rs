//! Service-level agreements: per-endpoint and per-tier targets, and checking a run against them.
//!
//! * [`Sla`] holds the targets: [`Sla::builtin`] is the seed plan's, [`Sla::from_file`] reads a
//!   TOML file (format in README.md, example in `examples/sla.toml`);
//! * [`expr`] parses threshold expressions (`p95 < 500ms`, `rps >= 40`, `error_rate < 0.5%`);
//! * [`evaluate`] checks a [`crate::model::Run`] against an SLA and returns a [`CheckReport`]
//!   that every output format (table, Markdown, JSON, JUnit) renders.

mod check;
mod defaults;
pub mod expr;
mod file;

use std::path::{Path, PathBuf};

use crate::model::EndpointKey;

pub use check::{evaluate, Check, CheckReport, Scope, TierSource};
pub use expr::{parse_threshold, Decimal, ExprError, Kind, Metric, Op, Threshold, Unit};

/// Request types an SLA key may start with (`"GET /health/"`); any other first word is part of
/// the name, since Locust names may contain spaces.
pub const METHODS: [&str; 9] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
];

/// A set of targets a run is checked against.
#[derive(Debug, Clone, PartialEq)]
pub struct Sla {
    /// Where it came from, for reports: the file's path, or `built-in SLA (seed plan)`.
    pub source: String,
    /// Per-endpoint targets, checked whatever the tier.
    pub endpoints: Vec<EndpointTarget>,
    /// Per-tier targets, checked against the run's Aggregated row.
    pub tiers: Vec<Tier>,
    /// APDEX target times T (ms) per endpoint, from the file's `[apdex_t]` table (`*`: every
    /// endpoint without its own), in file order.
    pub apdex_t: Vec<(EndpointTarget, f64)>,
}

/// Targets for the endpoints with one name (and, optionally, one request type).
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointTarget {
    /// The request type, when the SLA names one; `None` matches every request type.
    pub method: Option<String>,
    /// The request name as Locust records it (`Aggregated` names the total row).
    pub name: String,
    /// The thresholds, in file order.
    pub thresholds: Vec<Threshold>,
}

impl EndpointTarget {
    /// Parses an SLA key: `"/health/"` or `"GET /health/"`.
    pub fn from_key(key: &str, thresholds: Vec<Threshold>) -> Self {
        let key = key.trim();
        let split = key.split_once(' ').and_then(|(first, rest)| {
            let method = first.to_ascii_uppercase();
            (METHODS.contains(&method.as_str()) && !rest.trim().is_empty())
                .then(|| (method, rest.trim().to_string()))
        });
        let (method, name) = match split {
            Some((m, n)) => (Some(m), n),
            None => (None, key.to_string()),
        };
        Self {
            method,
            name,
            thresholds,
        }
    }

    /// Whether a run's endpoint is one this target is about.
    pub fn matches(&self, key: &EndpointKey) -> bool {
        key.name == self.name
            && self
                .method
                .as_ref()
                .is_none_or(|m| m.eq_ignore_ascii_case(&key.method))
    }

    /// `GET /health/`, or `/health/` when any request type matches.
    pub fn label(&self) -> String {
        match &self.method {
            Some(m) => format!("{m} {}", self.name),
            None => self.name.clone(),
        }
    }
}

/// A load tier of the plan (light, medium, heavy, stress) and the targets a run at it must meet.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    /// Its name, as given to `--tier`.
    pub name: String,
    /// The user count that identifies a run of this tier (from the run's peak user count).
    pub users: Option<u64>,
    /// The thresholds on the Aggregated row, in file order.
    pub thresholds: Vec<Threshold>,
}

impl Sla {
    /// The seed plan's SLA: per-endpoint P95 targets and the light/medium/heavy/stress tiers.
    pub fn builtin() -> Self {
        defaults::builtin()
    }

    /// Reads an SLA file (TOML). Errors name the file, line and column, and what was expected.
    pub fn from_file(path: &Path) -> Result<Self, SlaError> {
        let bytes = std::fs::read(path).map_err(|source| SlaError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let (line, column) = file::line_col(&String::from_utf8_lossy(valid), valid.len());
            SlaError::Invalid {
                path: path.to_path_buf(),
                line: Some(line),
                column: Some(column),
                message: "not UTF-8 text: an SLA file is TOML, which is UTF-8".into(),
            }
        })?;
        Self::from_toml(&text, path)
    }

    /// Parses SLA text; `path` is used in error messages and as the SLA's source.
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, SlaError> {
        file::parse(text, path)
    }

    /// The tier with this name.
    pub fn tier(&self, name: &str) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.name == name)
    }

    /// The tier whose user count is exactly `users`.
    pub fn tier_for_users(&self, users: u64) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.users == Some(users))
    }
}

/// Why an SLA could not be read or used.
#[derive(Debug, thiserror::Error)]
pub enum SlaError {
    /// The file could not be read.
    #[error("could not read SLA file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid SLA: bad TOML, an unknown key or a bad threshold.
    #[error("{}: {message}", location(path, *line, *column))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column (in characters), when known.
        column: Option<usize>,
        /// What was expected and what was found.
        message: String,
    },
    /// `--tier` named a tier the SLA does not define.
    #[error("unknown tier `{name}`: {source_name} defines {}", known_tiers(known))]
    UnknownTier {
        /// The name asked for.
        name: String,
        /// The SLA's source.
        source_name: String,
        /// The tiers it defines.
        known: Vec<String>,
    },
}

fn location(path: &Path, line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", path.display()),
        (Some(l), None) => format!("{}:{l}", path.display()),
        _ => path.display().to_string(),
    }
}

fn known_tiers(known: &[String]) -> String {
    if known.is_empty() {
        "no tiers".into()
    } else {
        format!("the tiers {}", known.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_a_method_only_when_it_is_one() {
        let t = EndpointTarget::from_key("GET /health/", vec![]);
        assert_eq!(
            (t.method.as_deref(), t.name.as_str()),
            (Some("GET"), "/health/")
        );
        let t = EndpointTarget::from_key("post /analysis/run", vec![]);
        assert_eq!(t.method.as_deref(), Some("POST"));
        let t = EndpointTarget::from_key("/rapport/résumé ✓", vec![]);
        assert_eq!((t.method, t.name.as_str()), (None, "/rapport/résumé ✓"));
        let t = EndpointTarget::from_key("API call", vec![]);
        assert_eq!((t.method, t.name.as_str()), (None, "API call"));
        let t = EndpointTarget::from_key("GET", vec![]);
        assert_eq!((t.method, t.name.as_str()), (None, "GET"));
    }

    #[test]
    fn targets_match_by_name_and_optional_method() {
        let any = EndpointTarget::from_key("/analysis/", vec![]);
        let get = EndpointTarget::from_key("GET /analysis/", vec![]);
        assert!(any.matches(&EndpointKey::new("GET", "/analysis/")));
        assert!(any.matches(&EndpointKey::new("POST", "/analysis/")));
        assert!(get.matches(&EndpointKey::new("GET", "/analysis/")));
        assert!(!get.matches(&EndpointKey::new("POST", "/analysis/")));
        assert!(!any.matches(&EndpointKey::new("GET", "/analysis/run")));
        let total = EndpointTarget::from_key("Aggregated", vec![]);
        assert!(total.matches(&EndpointKey::aggregated()));
    }

    #[test]
    fn unknown_tier_lists_the_known_ones() {
        let e = SlaError::UnknownTier {
            name: "huge".into(),
            source_name: "built-in SLA (seed plan)".into(),
            known: vec!["light".into(), "medium".into()],
        };
        assert_eq!(
            e.to_string(),
            "unknown tier `huge`: built-in SLA (seed plan) defines the tiers light, medium"
        );
    }
}
