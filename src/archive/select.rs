//! Run selectors: `@latest`, `@previous` and `@label:v1.4.0` name archived runs wherever a
//! command takes a RUN, so a baseline is picked by name instead of by path; `@all:v1.4.0` names
//! every run archived with that label, oldest first — repeated runs of one build, a group.

use std::path::{Path, PathBuf};

use super::scan::{scan, ArchivedRun, Scan};
use super::ArchiveError;

/// A parsed selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The newest archived run.
    Latest,
    /// The one before the newest.
    Previous,
    /// The newest run with this label.
    Label(String),
    /// Every run with this label, oldest first.
    All(String),
}

impl Selector {
    /// Parses `@latest`, `@previous`, `@label:X` or `@all:X`; `None` for anything not starting
    /// with `@`. An unknown `@` word is an error, so a typo is not read as a path.
    pub fn parse(arg: &str) -> Option<Result<Selector, ArchiveError>> {
        let rest = arg.strip_prefix('@')?;
        let labelled = |prefix: &str| rest.strip_prefix(prefix).filter(|l| !l.is_empty());
        Some(match rest {
            "latest" => Ok(Selector::Latest),
            "previous" => Ok(Selector::Previous),
            _ => {
                if let Some(label) = labelled("label:") {
                    Ok(Selector::Label(label.to_string()))
                } else if let Some(label) = labelled("all:") {
                    Ok(Selector::All(label.to_string()))
                } else {
                    Err(ArchiveError::Selector {
                        selector: arg.to_string(),
                        reason: "unknown selector; expected @latest, @previous, @label:NAME or \
                                 @all:NAME"
                            .to_string(),
                    })
                }
            }
        })
    }

    /// The runs this selector picks among `runs` (oldest first): one, or with `@all:` every
    /// run of the label; empty when none matches.
    pub fn pick<'a>(&self, runs: &'a [ArchivedRun]) -> Vec<&'a ArchivedRun> {
        match self {
            Selector::Latest => runs.last().into_iter().collect(),
            Selector::Previous => runs
                .len()
                .checked_sub(2)
                .and_then(|i| runs.get(i))
                .into_iter()
                .collect(),
            Selector::Label(label) => runs
                .iter()
                .rev()
                .find(|r| &r.manifest.label == label)
                .into_iter()
                .collect(),
            Selector::All(label) => runs.iter().filter(|r| &r.manifest.label == label).collect(),
        }
    }
}

/// Maps a selector to the archived runs' Locust prefixes in `results`; any other argument is
/// returned unchanged (it is a path).
pub fn resolve_run_arg(arg: &Path, results: &Path) -> Result<Vec<PathBuf>, ArchiveError> {
    RunResolver::new(results).resolve(arg)
}

/// Resolves run arguments against one results folder, reading its manifests at most once
/// however many selectors a command names (`compare @previous @latest` reads them once).
pub struct RunResolver<'a> {
    results: &'a Path,
    scanned: std::cell::OnceCell<Scan>,
}

impl<'a> RunResolver<'a> {
    /// A resolver for `results`; nothing is read until a selector needs it.
    pub fn new(results: &'a Path) -> Self {
        Self {
            results,
            scanned: std::cell::OnceCell::new(),
        }
    }

    /// [`resolve_run_arg`] with the folder's scan shared between calls.
    pub fn resolve(&self, arg: &Path) -> Result<Vec<PathBuf>, ArchiveError> {
        let Some(text) = arg.to_str() else {
            return Ok(vec![arg.to_owned()]);
        };
        let Some(selector) = Selector::parse(text) else {
            return Ok(vec![arg.to_owned()]);
        };
        let selector = selector?;
        let found = match self.scanned.get() {
            Some(found) => found,
            None => {
                let found = scan(self.results)?;
                self.scanned.get_or_init(|| found)
            }
        };
        match selector.pick(&found.runs).as_slice() {
            [] => Err(ArchiveError::Selector {
                selector: text.to_string(),
                reason: format!(
                    "no such run among the {} archived in {}",
                    found.runs.len(),
                    self.results.display()
                ),
            }),
            picked => Ok(picked.iter().map(|r| r.prefix()).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert!(Selector::parse("results/perf").is_none());
        assert_eq!(
            Selector::parse("@latest").unwrap().unwrap(),
            Selector::Latest
        );
        assert_eq!(
            Selector::parse("@previous").unwrap().unwrap(),
            Selector::Previous
        );
        assert_eq!(
            Selector::parse("@label:v1.4.0").unwrap().unwrap(),
            Selector::Label("v1.4.0".into())
        );
        assert_eq!(
            Selector::parse("@all:main").unwrap().unwrap(),
            Selector::All("main".into())
        );
        assert!(Selector::parse("@all:").unwrap().is_err());
        assert!(Selector::parse("@lates").unwrap().is_err());
        assert!(Selector::parse("@label:").unwrap().is_err());
    }
}
