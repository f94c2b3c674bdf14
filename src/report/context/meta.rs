//! What a report can say about the target and the test beyond Locust's CSV files, which record
//! neither: the host and locustfile given on the command line (`report --host`,
//! `--locustfile`), and, for an archived run, the label, note and commit of its manifest.

use super::{Fact, ReportContext};
use crate::archive::manifest::Manifest;
use crate::archive::MANIFEST_NAME;
use crate::model::Run;

/// The label of the fact that stands for what is not recorded.
const NOT_RECORDED: &str = "Host, locustfile";

/// The target and test script, as the person running `report` names them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetFacts {
    /// The host Locust ran against (`--host`).
    pub host: Option<String>,
    /// The locustfile (`--locustfile`).
    pub locustfile: Option<String>,
}

/// The fact that says what is not known, for a run's facts.
pub(super) fn not_recorded() -> Fact {
    Fact::new(
        NOT_RECORDED,
        "not recorded in Locust's CSV files (report --host URL --locustfile FILE)",
    )
}

/// The label, note and commit of an archived run, from the `manifest.json` in its folder; none
/// for a run outside the archive (or with a manifest `perfreport verify` would reject).
pub(super) fn archived_facts(run: &Run) -> Vec<Fact> {
    let path = crate::output::parent_dir(&run.files.stats).join(MANIFEST_NAME);
    let Ok(m) = Manifest::read(&path) else {
        return Vec::new();
    };
    let mut facts = vec![Fact::new("Label", m.label)];
    if let Some(note) = m.note.filter(|n| !n.is_empty()) {
        facts.push(Fact::new("Note", note));
    }
    if let Some(commit) = m.git_commit {
        facts.push(Fact::new("Git commit", commit));
    }
    facts.push(Fact::new("Archived", m.archived_at));
    facts
}

impl ReportContext {
    /// Puts the host and locustfile named on the command line into every run's facts, in place
    /// of the fact saying they are not recorded.
    pub fn describe_target(&mut self, target: &TargetFacts) {
        if target.host.is_none() && target.locustfile.is_none() {
            return;
        }
        let mut given = Vec::new();
        if let Some(h) = &target.host {
            given.push(Fact::new("Host", h.clone()));
        }
        if let Some(f) = &target.locustfile {
            given.push(Fact::new("Locustfile", f.clone()));
        }
        for run in &mut self.runs {
            match run.facts.iter().position(|f| f.label == NOT_RECORDED) {
                Some(at) => {
                    run.facts.splice(at..=at, given.iter().cloned());
                }
                None => run.facts.extend(given.iter().cloned()),
            }
        }
    }
}
