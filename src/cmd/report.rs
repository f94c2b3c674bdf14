//! `perfreport report`: the HTML page of runs, of a comparison, or of groups.

use std::io::IsTerminal;

use super::{emit_to, judge_options, named_runs};
use crate::apdex::ApdexTargets;
use crate::archive::RunResolver;
use crate::cli::{ReportArgs, SlaChoice};
use crate::cmd::error::{AppError, Outcome};
use crate::compare::compare_and_pool;
use crate::report::context::{ReportContext, SlaSection, TargetFacts};
use crate::report::{html, ReportError};
use crate::sla::evaluate;

/// `perfreport report`: the HTML report of the runs, or of the latest run against a baseline,
/// with the SLA checklist of each run reported when `--sla` is given.
/// Always exit 0 when the report is written: `compare` and `check` are the gates, the report
/// is for reading.
pub fn report(args: &ReportArgs) -> Result<Outcome, AppError> {
    if args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(AppError::Usage(
            "report writes a whole HTML page: name a file with -o FILE (or -o - for the terminal)"
                .to_string(),
        ));
    }
    let sla = args.sla.as_ref().map(SlaChoice::load).transpose()?;
    let apdex = ApdexTargets::with_sla(
        args.apdex_t,
        sla.as_ref().map_or(&[][..], |s| s.apdex_t.as_slice()),
    );
    let default_t = ApdexTargets::default();
    let mut checked = Vec::new();
    let resolver = RunResolver::new(&args.results);
    let mut context = match &args.baseline {
        Some(baseline_arg) => {
            let baseline = named_runs(baseline_arg, &resolver)?;
            let mut latest = Vec::new();
            for arg in &args.runs {
                latest.extend(named_runs(arg, &resolver)?);
            }
            // A group is shown by its pooled run (tables; no time series, which do not pool).
            let chosen =
                args.apdex_t.is_some() || sla.as_ref().is_some_and(|s| !s.apdex_t.is_empty());
            let options = judge_options(&args.judge, &resolver, apdex.clone(), chosen)?;
            let (comparison, base, last) =
                compare_and_pool(&baseline, &latest, &options, args.judge.skip_warmup)
                    .ok_or_else(|| AppError::Usage("nothing to compare".to_string()))?;
            if let Some(sla) = &sla {
                checked.push(evaluate(&last, sla, args.tier.as_deref())?);
            }
            // A group is titled by the folders or selectors named, not its runs' file names.
            let group_title = (baseline.len() > 1 || latest.len() > 1).then(|| {
                let named: Vec<String> =
                    args.runs.iter().map(|p| p.display().to_string()).collect();
                format!(
                    "Load test report: {} vs baseline {}",
                    named.join(", "),
                    baseline_arg.display()
                )
            });
            let title = args.title.clone().or(group_title);
            let mut context = ReportContext::compared(&base, &last, &comparison, title.as_deref());
            context.describe_group(&latest);
            context.focus_groups(&comparison, &baseline, &latest);
            if let Some(section) = context.runs.first_mut().filter(|_| apdex != default_t) {
                section.set_apdex(&last, &apdex);
            }
            context
        }
        None => {
            let mut runs = Vec::new();
            for arg in &args.runs {
                runs.extend(named_runs(arg, &resolver)?);
            }
            if let Some(sla) = &sla {
                for run in &runs {
                    checked.push(evaluate(run, sla, args.tier.as_deref())?);
                }
            }
            let mut context = ReportContext::of_runs(&runs, args.title.as_deref());
            for (section, run) in context.runs.iter_mut().zip(&runs) {
                if apdex != default_t {
                    section.set_apdex(run, &apdex);
                }
            }
            context
        }
    };
    context.sla = checked.iter().map(SlaSection::of).collect();
    context.describe_target(&TargetFacts {
        host: args.host.clone(),
        locustfile: args.locustfile.clone(),
    });
    let page = html::render(&context).map_err(ReportError::from)?;
    emit_to(args.output.as_deref(), &page)?;
    Ok(Outcome::Ok)
}
