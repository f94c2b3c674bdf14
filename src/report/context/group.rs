//! What a report says about a side that is a group of repeated runs: the tables show the group
//! pooled, but its facts are the runs' own — each run's duration (a pooled run's would be their
//! sum), whether each has a history, where their files are — and over-time charts, which do not
//! pool, are said to be per run.

use super::{history_kind, Fact, ReportContext};
use crate::model::Run;
use crate::report::format;

impl ReportContext {
    /// Replaces the latest section's facts with the facts of the group `runs` it pools, when
    /// there is more than one run (one run is described by its own facts already).
    pub fn describe_group(&mut self, runs: &[Run]) {
        let Some(section) = self.runs.first_mut() else {
            return;
        };
        if runs.len() < 2 {
            return;
        }
        section.facts = group_facts(runs);
        section.timeline_note = format!(
            "The {} runs are pooled in the tables; charts over time are not drawn for a group, \
             because per-second series of different runs do not pool. `perfreport report RUN` \
             draws one run's.",
            runs.len()
        );
    }
}

/// The facts of a group: its runs, their durations, users, history and files.
fn group_facts(runs: &[Run]) -> Vec<Fact> {
    let names: Vec<&str> = runs.iter().map(|r| r.files.name.as_str()).collect();
    let mut facts = vec![Fact::new(
        "Runs",
        format!("{} ({})", runs.len(), names.join(", ")),
    )];
    let durations: Vec<String> = runs
        .iter()
        .map(|r| r.duration_s().map_or("-".to_string(), format::duration))
        .collect();
    facts.push(Fact::new("Duration of each run", durations.join(", ")));
    if let Some(users) = runs.iter().filter_map(Run::peak_users).max() {
        facts.push(Fact::new("Users (peak)", users.to_string()));
    }
    let kinds: Vec<&str> = runs.iter().map(history_kind).collect();
    let history = if kinds.iter().all(|k| *k == kinds[0]) {
        format!("every run: {}", kinds[0])
    } else {
        names
            .iter()
            .zip(&kinds)
            .map(|(n, k)| format!("{n}: {k}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    facts.push(Fact::new("History", history));
    let mut folders: Vec<String> = runs
        .iter()
        .map(|r| {
            crate::output::parent_dir(&r.files.stats)
                .display()
                .to_string()
        })
        .collect();
    folders.dedup();
    facts.push(Fact::new("Stats files in", folders.join(", ")));
    facts.push(super::meta::not_recorded());
    facts
}
