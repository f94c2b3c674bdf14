//! The calibration harness: how often `compare` raises a false alarm between runs of one build,
//! and how often it finds a change that was injected on purpose — measured, not argued.
//!
//! It reads the battery of real Locust runs in `fixtures/calibration/` (recorded by its
//! `record.sh`): A/A runs of one build in `aa/`, and runs with known injected changes in one
//! folder per [`Change`]. For every design (1 v 1, 1 v 3, 2 v 2, 3 v 3, 4 v 4 runs) it compares
//! every split of the A/A runs (or a seeded sample of them when there are many) and counts the
//! comparisons that flag anything; for every change it compares A/A runs against changed runs
//! and counts the comparisons that find exactly the change. The same is then done with
//! simulated runs modelled on the A/A runs ([`simulate`]), where the truth is known by
//! construction and thousands of comparisons can be made. `cargo run --release --example
//! calibrate` prints the tables that `docs/calibration.md` quotes.

pub mod fit;
mod report;
pub mod simulate;

pub use report::report;

use std::collections::HashSet;
use std::path::Path;

use crate::compare::reference::ReferenceDrift;
use crate::compare::{compare_groups, CompareOptions, Comparison, MetricVerdict, Verdict};
use crate::locust::{load_runs, LocustError};
use crate::metric::Metric;
use crate::model::Run;
use simulate::{Model, Rng};

/// A change injected into one endpoint of the target (for simulation: what it does to times).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effect {
    /// The endpoint's name, as Locust reports it.
    pub endpoint: &'static str,
    /// Every response time multiplied by this.
    pub factor: f64,
    /// This share of requests…
    pub tail_rate: f64,
    /// …takes this many extra milliseconds.
    pub tail_ms: f64,
    /// This share of requests fails.
    pub fail_rate: f64,
}

const fn slower(endpoint: &'static str, factor: f64) -> Effect {
    Effect {
        endpoint,
        factor,
        tail_rate: 0.0,
        tail_ms: 0.0,
        fail_rate: 0.0,
    }
}

/// The endpoints of the recorded load profile (`fixtures/record/locustfile.py`).
pub const ENDPOINTS: [&str; 7] = [
    "/health/",
    "/system/metrics",
    "/analysis/",
    "/lmcache/status",
    "/analysis/run",
    "/items/{id}, \"detail\"",
    "/rapport/résumé ✓",
];

/// One battery design with a known change: its folder, what was changed, and the verdicts a
/// right answer gives (every other endpoint unchanged; Aggregated may follow either way).
#[derive(Debug, Clone, Copy)]
pub struct Change {
    /// Folder under the battery.
    pub dir: &'static str,
    /// What was injected.
    pub what: &'static str,
    /// The injected effects, for simulation.
    pub effects: &'static [Effect],
    /// The endpoints that must get these verdicts.
    pub expect: &'static [(&'static str, Verdict)],
}

/// The injected changes of the battery.
pub const CHANGES: [Change; 6] = [
    Change {
        dir: "slow30",
        what: "GET /system/metrics +30 %",
        effects: &[slower("/system/metrics", 1.3)],
        expect: &[("/system/metrics", Verdict::Regressed)],
    },
    Change {
        dir: "tail",
        what: "GET /analysis/: 5 % of requests +1.5 s",
        effects: &[Effect {
            tail_rate: 0.05,
            tail_ms: 1500.0,
            ..slower("/analysis/", 1.0)
        }],
        expect: &[("/analysis/", Verdict::Regressed)],
    },
    Change {
        dir: "fail3",
        what: "GET /lmcache/status: 0 → 3 % failures",
        effects: &[Effect {
            fail_rate: 0.03,
            ..slower("/lmcache/status", 1.0)
        }],
        expect: &[("/lmcache/status", Verdict::Regressed)],
    },
    Change {
        dir: "all50",
        what: "every endpoint +50 %",
        effects: &[
            slower(ENDPOINTS[0], 1.5),
            slower(ENDPOINTS[1], 1.5),
            slower(ENDPOINTS[2], 1.5),
            slower(ENDPOINTS[3], 1.5),
            slower(ENDPOINTS[4], 1.5),
            slower(ENDPOINTS[5], 1.5),
            slower(ENDPOINTS[6], 1.5),
        ],
        expect: &[
            (ENDPOINTS[0], Verdict::Regressed),
            (ENDPOINTS[1], Verdict::Regressed),
            (ENDPOINTS[2], Verdict::Regressed),
            (ENDPOINTS[3], Verdict::Regressed),
            (ENDPOINTS[4], Verdict::Regressed),
            (ENDPOINTS[5], Verdict::Regressed),
            (ENDPOINTS[6], Verdict::Regressed),
        ],
    },
    Change {
        dir: "mixed",
        what: "GET /analysis/ −30 %, GET /lmcache/status +30 %",
        effects: &[slower("/analysis/", 0.7), slower("/lmcache/status", 1.3)],
        expect: &[
            ("/analysis/", Verdict::Improved),
            ("/lmcache/status", Verdict::Regressed),
        ],
    },
    Change {
        dir: "slow8",
        what: "GET /system/metrics +8 % (below the 10 % threshold)",
        effects: &[slower("/system/metrics", 1.08)],
        expect: &[],
    },
];

/// A comparison design: runs on the baseline side, runs on the latest side, and whether the
/// drift is learned from reference runs (`--drift-from`: every A/A run the comparison does not
/// use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Design {
    /// Runs on the baseline side.
    pub baseline: usize,
    /// Runs on the latest side.
    pub latest: usize,
    /// Whether the other A/A runs are given as reference runs.
    pub reference: bool,
}

impl Design {
    const fn plain(baseline: usize, latest: usize) -> Self {
        Self {
            baseline,
            latest,
            reference: false,
        }
    }

    /// `3 v 3`, or `1 v 1 + reference` when drift is learned.
    pub fn label(self) -> String {
        let plain = format!("{} v {}", self.baseline, self.latest);
        if self.reference {
            format!("{plain} + reference runs")
        } else {
            plain
        }
    }

    fn sizes(self) -> (usize, usize) {
        (self.baseline, self.latest)
    }

    /// The options for one comparison: `options` with the drift of the `reference` runs
    /// learned when the design asks for it.
    fn options(self, options: &CompareOptions, reference: &[Run]) -> CompareOptions {
        let mut out = options.clone();
        if self.reference {
            out.reference = ReferenceDrift::from_runs(reference);
        }
        out
    }
}

/// The designs measured.
pub const DESIGNS: [Design; 7] = [
    Design::plain(1, 1),
    Design::plain(1, 3),
    Design::plain(2, 2),
    Design::plain(3, 3),
    Design::plain(4, 4),
    Design {
        reference: true,
        ..Design::plain(1, 1)
    },
    Design {
        reference: true,
        ..Design::plain(3, 3)
    },
];

/// The design `kb v kl` without reference runs.
pub fn design(kb: usize, kl: usize) -> Design {
    Design::plain(kb, kl)
}

/// The recorded battery: A/A runs and, per change, its runs.
pub struct Battery {
    /// Runs of one build.
    pub aa: Vec<Run>,
    /// Each change with its runs (changes whose folder is missing are left out).
    pub changes: Vec<(Change, Vec<Run>)>,
}

/// Reads the battery under `dir` (`aa/` is required).
pub fn load(dir: &Path) -> Result<Battery, LocustError> {
    let aa = load_runs(&dir.join("aa"))?;
    let mut changes = Vec::new();
    for change in CHANGES {
        let path = dir.join(change.dir);
        if path.is_dir() {
            changes.push((change, load_runs(&path)?));
        }
    }
    Ok(Battery { aa, changes })
}

/// A count out of a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Share {
    /// Comparisons where it happened.
    pub hits: usize,
    /// Comparisons made.
    pub total: usize,
}

impl Share {
    /// As a fraction (0 for no comparisons).
    pub fn fraction(self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.hits as f64 / self.total as f64
        }
    }

    fn add(&mut self, hit: bool) {
        self.total += 1;
        self.hits += usize::from(hit);
    }

    /// `12.3 % (37/300)`, or `-` for none.
    pub fn describe(self) -> String {
        if self.total == 0 {
            return "-".to_string();
        }
        format!(
            "{:.1} % ({}/{})",
            self.fraction() * 100.0,
            self.hits,
            self.total
        )
    }
}

/// What one comparison flagged, against what a right answer would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Any endpoint, or Aggregated, regressed or improved.
    pub any_flag: bool,
    /// Every expected endpoint got its expected verdict.
    pub found: bool,
    /// An endpoint outside the expected ones (Aggregated aside) was flagged on a latency or its
    /// failure rate (throughput follows every endpoint's latency in a closed model).
    pub others: bool,
    /// …and among those, one was called regressed.
    pub others_regressed: bool,
}

/// What a battery cell measures over many comparisons of one injected change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Power {
    /// Every changed endpoint got its verdict (for a change below the threshold: anything at
    /// all was flagged).
    pub found: Share,
    /// Another endpoint was flagged on a latency or its failure rate.
    pub others: Share,
    /// Another endpoint was called regressed.
    pub others_regressed: Share,
}

impl Power {
    fn add(&mut self, o: Outcome, expect_nothing: bool) {
        self.found
            .add(if expect_nothing { o.any_flag } else { o.found });
        self.others.add(o.others);
        self.others_regressed.add(o.others_regressed);
    }
}

/// Judges one comparison against the expected verdicts.
pub fn outcome(c: &Comparison, expect: &[(&str, Verdict)]) -> Outcome {
    let flagged = |v: Verdict| matches!(v, Verdict::Regressed | Verdict::Improved);
    let found = expect.iter().all(|(name, verdict)| {
        c.endpoints
            .iter()
            .any(|e| e.name == *name && e.verdict == *verdict)
    });
    // Throughput is left out: in Locust's closed model every user waits for its responses, so
    // a change to one endpoint's latency moves every endpoint's requests per second.
    let other_flags = |wanted: &dyn Fn(MetricVerdict) -> bool| {
        c.endpoints.iter().any(|e| {
            !expect.iter().any(|(name, _)| e.name == *name)
                && e.metrics
                    .iter()
                    .any(|m| m.metric != Metric::Rps && wanted(m.verdict))
        })
    };
    Outcome {
        any_flag: flagged(c.aggregated.verdict) || c.endpoints.iter().any(|e| flagged(e.verdict)),
        found: found && !expect.is_empty(),
        others: other_flags(&|v| v != MetricVerdict::Unchanged),
        others_regressed: other_flags(&|v| v == MetricVerdict::Regressed),
    }
}

/// Disjoint index sets `(baseline, latest)` of sizes `kb` and `kl` out of `n` (the same
/// `baseline` and `latest` pools when `shared`): all of them when there are at most `limit`,
/// else `limit` distinct ones drawn with `rng`. Mirror images are counted once when `shared`
/// and `kb == kl` (the tests are symmetric).
pub fn splits(
    n_b: usize,
    n_l: usize,
    (kb, kl): (usize, usize),
    shared: bool,
    limit: usize,
    rng: &mut Rng,
) -> Vec<(Vec<usize>, Vec<usize>)> {
    let mut all = Vec::new();
    for b in combinations(n_b, kb) {
        for l in combinations(n_l, kl) {
            if shared && (l.iter().any(|i| b.contains(i)) || (kb == kl && l < b)) {
                continue;
            }
            all.push((b.clone(), l));
        }
    }
    if all.len() <= limit {
        return all;
    }
    let mut picked = HashSet::new();
    while picked.len() < limit {
        picked.insert(rng.below(all.len()));
    }
    let mut picked: Vec<usize> = picked.into_iter().collect();
    picked.sort_unstable();
    picked.into_iter().map(|i| all[i].clone()).collect()
}

fn combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
    fn go(start: usize, n: usize, k: usize, current: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if current.len() == k {
            out.push(current.clone());
            return;
        }
        for i in start..n {
            current.push(i);
            go(i + 1, n, k, current, out);
            current.pop();
        }
    }
    let mut out = Vec::new();
    if k <= n {
        go(0, n, k, &mut Vec::with_capacity(k), &mut out);
    }
    out
}

fn pick(runs: &[Run], indices: &[usize]) -> Vec<Run> {
    indices.iter().map(|&i| runs[i].clone()).collect()
}

/// Every A/A run outside `used`.
fn rest(aa: &[Run], used: &[usize]) -> Vec<Run> {
    (0..aa.len())
        .filter(|i| !used.contains(i))
        .map(|i| aa[i].clone())
        .collect()
}

/// Share of A/A comparisons of `design` that flag anything.
pub fn false_alarms(
    aa: &[Run],
    design: Design,
    options: &CompareOptions,
    limit: usize,
    rng: &mut Rng,
) -> Share {
    let mut share = Share::default();
    for (b, l) in splits(aa.len(), aa.len(), design.sizes(), true, limit, rng) {
        let used: Vec<usize> = b.iter().chain(&l).copied().collect();
        let options = design.options(options, &rest(aa, &used));
        if let Some(c) = compare_groups(&pick(aa, &b), &pick(aa, &l), &options, None) {
            share.add(outcome(&c, &[]).any_flag);
        }
    }
    share
}

/// For a change: the share of comparisons (A/A baseline against changed latest runs) that find
/// it, and the shares that flag another endpoint.
pub fn power(
    aa: &[Run],
    changed: &[Run],
    change: &Change,
    design: Design,
    options: &CompareOptions,
    limit: usize,
    rng: &mut Rng,
) -> Power {
    let mut power = Power::default();
    for (b, l) in splits(aa.len(), changed.len(), design.sizes(), false, limit, rng) {
        let options = design.options(options, &rest(aa, &b));
        if let Some(c) = compare_groups(&pick(aa, &b), &pick(changed, &l), &options, None) {
            power.add(outcome(&c, change.expect), change.expect.is_empty());
        }
    }
    power
}

/// Share of comparisons that fail the gate when the change is an improvement: the changed runs
/// are the baseline and A/A runs the latest (a slowdown undone), recorded.
pub fn reversed_gate(
    aa: &[Run],
    changed: &[Run],
    design: Design,
    options: &CompareOptions,
    limit: usize,
    rng: &mut Rng,
) -> Share {
    let mut share = Share::default();
    for (b, l) in splits(changed.len(), aa.len(), design.sizes(), false, limit, rng) {
        if let Some(c) = compare_groups(&pick(changed, &b), &pick(aa, &l), options, None) {
            share.add(c.regressed);
        }
    }
    share
}

/// [`reversed_gate`] with simulated runs: the baseline has the change, the latest not.
pub fn simulated_reversed_gate(
    model: &Model,
    change: &Change,
    design: Design,
    options: &CompareOptions,
    reps: usize,
    rng: &mut Rng,
) -> Share {
    let mut share = Share::default();
    for rep in 0..reps {
        let b = model.runs(rng, &format!("b{rep}"), design.baseline, change.effects);
        let l = model.runs(rng, &format!("l{rep}"), design.latest, &[]);
        if let Some(c) = compare_groups(&b, &l, options, None) {
            share.add(c.regressed);
        }
    }
    share
}

/// The same two measures with simulated runs: `reps` comparisons per design (with `references`
/// simulated reference runs when the design learns drift).
pub fn simulated(
    model: &Model,
    change: Option<&Change>,
    design: Design,
    references: usize,
    options: &CompareOptions,
    reps: usize,
    rng: &mut Rng,
) -> Power {
    let mut power = Power::default();
    let effects = change.map_or(&[][..], |c| c.effects);
    let expect = change.map_or(&[][..], |c| c.expect);
    for rep in 0..reps {
        let b = model.runs(rng, &format!("b{rep}"), design.baseline, &[]);
        let l = model.runs(rng, &format!("l{rep}"), design.latest, effects);
        let wanted = if design.reference { references } else { 0 };
        let reference = model.runs(rng, &format!("r{rep}"), wanted, &[]);
        let options = design.options(options, &reference);
        if let Some(c) = compare_groups(&b, &l, &options, None) {
            power.add(outcome(&c, expect), expect.is_empty());
        }
    }
    power
}
