//! The calibration tables in Markdown, as `docs/calibration.md` quotes them.

use super::simulate::{Model, Rng};
use super::{
    false_alarms, fit, power, reversed_gate, simulated, simulated_reversed_gate, Battery, Design,
    Power, Share, DESIGNS,
};

/// `12.5 % (50/400); 0.0 %`: other endpoints flagged, and called regressed.
fn others(p: &Power) -> String {
    format!(
        "{}; {:.1} %",
        p.others.describe(),
        p.others_regressed.fraction() * 100.0
    )
}
use crate::apdex::ApdexTargets;
use crate::compare::CompareOptions;
use crate::metric::Metric;

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
    let references = |d: Design| battery.aa.len().saturating_sub(d.baseline + d.latest);
    for design in DESIGNS {
        let real = false_alarms(&battery.aa, design, options, limit, &mut rng);
        let sim = model.as_ref().map_or(Share::default(), |m| {
            simulated(m, None, design, references(design), options, reps, &mut rng).found
        });
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            design.label(),
            real.describe(),
            sim.describe()
        ));
    }

    out.push_str("\n### Power on injected changes\n\n");
    out.push_str("*found*: every changed endpoint gets its verdict (for +8 %: any flag at all); *others*: another endpoint (Aggregated aside) is flagged too on a latency or its failure rate, and after the semicolon how often one was called *regressed* (throughput is left out: in Locust's closed model every endpoint's requests per second follow the users' cycle time).\n\n");
    out.push_str("| change | design | found (recorded) | others; regressed (recorded) | found (simulated) | others; regressed (simulated) |\n| --- | --- | ---: | ---: | ---: | ---: |\n");
    for (change, runs) in &battery.changes {
        for design in DESIGNS.into_iter().filter(|d| d.latest <= runs.len()) {
            let real = power(&battery.aa, runs, change, design, options, limit, &mut rng);
            let sim = model.as_ref().map_or_else(Power::default, |m| {
                simulated(
                    m,
                    Some(change),
                    design,
                    references(design),
                    options,
                    reps,
                    &mut rng,
                )
            });
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                change.what,
                design.label(),
                real.found.describe(),
                others(&real),
                sim.found.describe(),
                others(&sim)
            ));
        }
    }

    out.push_str("\n### Improvements do not fail the gate\n\n");
    out.push_str("The changed runs as the baseline and A/A runs as the latest (the change undone: only improvements): share of comparisons that exit 1.\n\n");
    out.push_str("| improvement | design | gate fails (recorded) | gate fails (simulated) |\n| --- | --- | ---: | ---: |\n");
    for (change, runs) in battery
        .changes
        .iter()
        .filter(|(c, _)| matches!(c.dir, "slow30" | "all50"))
    {
        for design in [Design::plain(1, 1), Design::plain(3, 3)] {
            let real = reversed_gate(&battery.aa, runs, design, options, limit, &mut rng);
            let sim = model.as_ref().map_or(Share::default(), |m| {
                simulated_reversed_gate(m, change, design, options, reps, &mut rng)
            });
            out.push_str(&format!(
                "| {} undone | {} | {} | {} |\n",
                change.what,
                design.label(),
                real.describe(),
                sim.describe()
            ));
        }
    }
    out.push_str(&apdex_tables(battery, options, limit, &mut rng));
    out
}

/// The APDEX verdicts on their own (`--metrics apdex`) at several target times: where T sits
/// in an endpoint's distribution decides how much drift moves its score. Recorded runs only:
/// the simulator draws response times, not the histograms that make the scores exact.
fn apdex_tables(
    battery: &Battery,
    options: &CompareOptions,
    limit: usize,
    rng: &mut Rng,
) -> String {
    let mut out = String::from(
        "\n### APDEX judged alone, at several T\n\nOnly the `apdex` metric selected (`--metrics apdex --apdex-t T`), exact scores from the runs' `--json-file` histograms. *false alarms*: A/A comparisons flagging anything; *found*: the changed endpoints get their verdict.\n\n| T | design | false alarms | GET /system/metrics +30 % found | GET /analysis/ −30 %, GET /lmcache/status +30 % found |\n| ---: | --- | ---: | ---: | ---: |\n",
    );
    for t_ms in [50.0, 100.0, 300.0, 500.0] {
        let options = CompareOptions {
            metrics: vec![Metric::APDEX],
            apdex: ApdexTargets::uniform(t_ms),
            ..options.clone()
        };
        // Reference runs learn the latencies' drift, not APDEX's: they would change nothing here.
        for design in [Design::plain(1, 1), Design::plain(3, 3)] {
            let found = |dir: &str, rng: &mut Rng| {
                battery
                    .changes
                    .iter()
                    .find(|(c, runs)| c.dir == dir && design.latest <= runs.len())
                    .map_or(Share::default(), |(c, runs)| {
                        power(&battery.aa, runs, c, design, &options, limit, rng).found
                    })
            };
            let alarms = false_alarms(&battery.aa, design, &options, limit, rng);
            let slow30 = found("slow30", rng);
            let mixed = found("mixed", rng);
            out.push_str(&format!(
                "| {t_ms:.0} ms | {} | {} | {} | {} |\n",
                design.label(),
                alarms.describe(),
                slow30.describe(),
                mixed.describe()
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
    use crate::metric::Metric;
    let mut out = format!(
        "### Drift allowance\n\nMeasured on {runs} A/A runs (between-run standard deviation beyond each run's own sampling noise, log scale).\n\n| metric | in use | measured |\n| --- | ---: | ---: |\n"
    );
    for metric in fit::DRIFT_METRICS {
        let i = Metric::JUDGED
            .iter()
            .position(|&m| m == metric)
            .unwrap_or(0);
        out.push_str(&format!(
            "| {} relative | {:.1} % | {:.1} % |\n",
            metric.name(),
            used.relative[i] * 100.0,
            fitted.relative[i] * 100.0
        ));
    }
    for metric in fit::DRIFT_METRICS.into_iter().filter(|m| m.is_latency()) {
        let i = Metric::JUDGED
            .iter()
            .position(|&m| m == metric)
            .unwrap_or(0);
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
