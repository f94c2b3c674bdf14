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
pub mod simulate;

use std::collections::HashSet;
use std::path::Path;

use crate::compare::{compare_groups, CompareOptions, Comparison, Verdict};
use crate::locust::{load_runs, LocustError};
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

/// The designs measured: runs on the baseline side × runs on the latest side.
pub const DESIGNS: [(usize, usize); 5] = [(1, 1), (1, 3), (2, 2), (3, 3), (4, 4)];

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
    /// An endpoint outside the expected ones (Aggregated aside) was flagged.
    pub others: bool,
}

/// Judges one comparison against the expected verdicts.
pub fn outcome(c: &Comparison, expect: &[(&str, Verdict)]) -> Outcome {
    let flagged = |v: Verdict| matches!(v, Verdict::Regressed | Verdict::Improved);
    let found = expect.iter().all(|(name, verdict)| {
        c.endpoints
            .iter()
            .any(|e| e.name == *name && e.verdict == *verdict)
    });
    let others = c
        .endpoints
        .iter()
        .any(|e| flagged(e.verdict) && !expect.iter().any(|(name, _)| e.name == *name));
    Outcome {
        any_flag: flagged(c.aggregated.verdict) || c.endpoints.iter().any(|e| flagged(e.verdict)),
        found: found && !expect.is_empty(),
        others,
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

/// Share of A/A comparisons of `design` that flag anything.
pub fn false_alarms(
    aa: &[Run],
    design: (usize, usize),
    options: &CompareOptions,
    limit: usize,
    rng: &mut Rng,
) -> Share {
    let mut share = Share::default();
    for (b, l) in splits(aa.len(), aa.len(), design, true, limit, rng) {
        if let Some(c) = compare_groups(&pick(aa, &b), &pick(aa, &l), options, None) {
            share.add(outcome(&c, &[]).any_flag);
        }
    }
    share
}

/// For a change: the share of comparisons (A/A baseline against changed latest runs) that find
/// it, and the share that flag another endpoint.
pub fn power(
    aa: &[Run],
    changed: &[Run],
    change: &Change,
    design: (usize, usize),
    options: &CompareOptions,
    limit: usize,
    rng: &mut Rng,
) -> (Share, Share) {
    let (mut found, mut others) = (Share::default(), Share::default());
    for (b, l) in splits(aa.len(), changed.len(), design, false, limit, rng) {
        if let Some(c) = compare_groups(&pick(aa, &b), &pick(changed, &l), options, None) {
            let o = outcome(&c, change.expect);
            found.add(if change.expect.is_empty() {
                o.any_flag
            } else {
                o.found
            });
            others.add(o.others);
        }
    }
    (found, others)
}

/// The same two measures with simulated runs: `reps` comparisons per design.
pub fn simulated(
    model: &Model,
    change: Option<&Change>,
    design: (usize, usize),
    options: &CompareOptions,
    reps: usize,
    rng: &mut Rng,
) -> (Share, Share) {
    let (mut found, mut others) = (Share::default(), Share::default());
    let effects = change.map_or(&[][..], |c| c.effects);
    let expect = change.map_or(&[][..], |c| c.expect);
    for rep in 0..reps {
        let b: Vec<Run> = (0..design.0)
            .map(|i| model.run(rng, &format!("b{rep}-{i}"), &[]))
            .collect();
        let l: Vec<Run> = (0..design.1)
            .map(|i| model.run(rng, &format!("l{rep}-{i}"), effects))
            .collect();
        if let Some(c) = compare_groups(&b, &l, options, None) {
            let o = outcome(&c, expect);
            found.add(if expect.is_empty() {
                o.any_flag
            } else {
                o.found
            });
            others.add(o.others);
        }
    }
    (found, others)
}

/// Every table of the calibration, in Markdown. `limit` caps recorded comparisons per cell,
/// `reps` is the number of simulated comparisons per cell.
pub fn report(battery: &Battery, options: &CompareOptions, limit: usize, reps: usize) -> String {
    let mut out = String::new();
    let observed = fit::observe(&battery.aa);
    let fitted = fit::fit(&observed, &options.drift);
    out.push_str(&drift_table(&options.drift, &fitted, battery.aa.len()));
    out.push_str(&observed_table(&observed));
    let mut rng = Rng::new(20261201);
    let model = Model::from_runs(&battery.aa, &observed, &fitted);

    out.push_str("\n### False alarms between runs of one build (A/A)\n\n");
    out.push_str("Share of comparisons in which any endpoint or Aggregated is flagged (regressed or improved).\n\n");
    out.push_str("| design | recorded runs | simulated runs |\n| --- | ---: | ---: |\n");
    for design in DESIGNS {
        let real = false_alarms(&battery.aa, design, options, limit, &mut rng);
        let sim = model.as_ref().map_or(Share::default(), |m| {
            simulated(m, None, design, options, reps, &mut rng).0
        });
        out.push_str(&format!(
            "| {} v {} | {} | {} |\n",
            design.0,
            design.1,
            real.describe(),
            sim.describe()
        ));
    }

    out.push_str("\n### Power on injected changes\n\n");
    out.push_str("*found*: every changed endpoint gets its verdict (for +8 %: any flag at all); *others*: another endpoint (Aggregated aside) is flagged too.\n\n");
    out.push_str("| change | design | found (recorded) | others (recorded) | found (simulated) | others (simulated) |\n| --- | --- | ---: | ---: | ---: | ---: |\n");
    for (change, runs) in &battery.changes {
        for design in DESIGNS.into_iter().filter(|d| d.1 <= runs.len()) {
            let (found, others) =
                power(&battery.aa, runs, change, design, options, limit, &mut rng);
            let (sim_found, sim_others) = model.as_ref().map_or_else(Default::default, |m| {
                simulated(m, Some(change), design, options, reps, &mut rng)
            });
            out.push_str(&format!(
                "| {} | {} v {} | {} | {} | {} | {} |\n",
                change.what,
                design.0,
                design.1,
                found.describe(),
                others.describe(),
                sim_found.describe(),
                sim_others.describe()
            ));
        }
    }
    out
}

fn drift_table(
    used: &crate::compare::DriftAllowance,
    fitted: &crate::compare::DriftAllowance,
    runs: usize,
) -> String {
    use crate::compare::Metric;
    let mut out = format!(
        "### Drift allowance\n\nMeasured on {runs} A/A runs (between-run standard deviation beyond each run's own sampling noise, log scale).\n\n| metric | in use | measured |\n| --- | ---: | ---: |\n"
    );
    for metric in fit::DRIFT_METRICS {
        let i = Metric::ALL.iter().position(|&m| m == metric).unwrap_or(0);
        out.push_str(&format!(
            "| {} relative | {:.1} % | {:.1} % |\n",
            metric.name(),
            used.relative[i] * 100.0,
            fitted.relative[i] * 100.0
        ));
    }
    for metric in fit::DRIFT_METRICS.into_iter().filter(|m| m.is_latency()) {
        let i = Metric::ALL.iter().position(|&m| m == metric).unwrap_or(0);
        out.push_str(&format!(
            "| {} absolute | {:.1} ms | {:.1} ms |\n",
            metric.name(),
            used.absolute_ms[i],
            fitted.absolute_ms[i]
        ));
    }
    out.push_str(&format!(
        "| prior degrees of freedom | {:.0} | {:.0} |\n",
        used.prior_df, fitted.prior_df
    ));
    out
}

/// Every endpoint's measured drift: the between-run standard deviation beyond sampling noise.
fn observed_table(observed: &[fit::Observed]) -> String {
    let mut out = String::from(
        "\n| endpoint | metric | typical value | between-run sd | within-run sd |\n| --- | --- | ---: | ---: | ---: |\n",
    );
    for o in observed {
        out.push_str(&format!(
            "| {} | {} | {:.1} | {:.1} % | {:.1} % |\n",
            o.key,
            o.metric.name(),
            o.value,
            o.between_var().sqrt() * 100.0,
            o.within_var.sqrt() * 100.0
        ));
    }
    out
}
