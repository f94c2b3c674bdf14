//! The HTML report: one self-contained file (inline CSS and SVG, no JavaScript, no external
//! fonts or requests) rendered by minijinja from a [`ReportContext`].
//!
//! The templates live in `templates/` and are compiled into the binary. Auto-escaping is on
//! (the template name ends in `.html.j2`), so every endpoint name, error and traceback is
//! text; only the SVG charts, drawn here with every label escaped by plotters, and the
//! stylesheet are marked safe.

use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use super::charts::{
    cdf, compare_bars, distinct_labels, endpoint_compare, failures, latency_over_time, palette,
    percentile_bars, shorten, stages, throughput, users, ChartError, EndpointPalette,
};
use super::context::{CompareSection, FocusEndpoint, ReportContext, RunSection, TopVerdict};
use super::history::Timeline;

/// The page template.
const TEMPLATE: &str = include_str!("../../templates/report.html.j2");
/// The stylesheet, inlined into the page (and into the sign-off's).
pub const STYLE: &str = include_str!("../../templates/report.css");
/// The template's name; its `.html.j2` ending turns HTML auto-escaping on.
const TEMPLATE_NAME: &str = "report.html.j2";

/// The HTML report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// The template failed (a bug in the template, reported with its line).
    #[error("could not render the HTML template: {0:#}")]
    Template(#[from] minijinja::Error),
}

/// A drawn chart and what to say under it.
#[derive(Debug, Serialize)]
struct Figure {
    /// The SVG markup (labels escaped by plotters).
    svg: String,
    /// A caption under the chart; empty for none.
    note: String,
}

impl Figure {
    fn new(svg: String, note: impl Into<String>) -> Self {
        Self {
            svg,
            note: note.into(),
        }
    }
}

/// The charts of one run's section.
#[derive(Debug, Serialize)]
struct RunFigures {
    over_time: Vec<Figure>,
    stages: Vec<Figure>,
    small_multiples: Vec<Figure>,
    distribution: Vec<Figure>,
}

/// One changed endpoint's pair of charts, baseline against latest.
#[derive(Debug, Serialize)]
struct FocusFigures {
    id: String,
    name: String,
    verdict: &'static str,
    over_time: Option<Figure>,
    distribution: Option<Figure>,
}

/// What the template receives: the context and the charts drawn from it.
#[derive(Serialize)]
struct Page<'a> {
    ctx: &'a ReportContext,
    style: &'static str,
    verdict: Option<TopVerdict>,
    runs: Vec<RunFigures>,
    focus: Vec<FocusFigures>,
    compare: Vec<Figure>,
}

/// Renders the whole report.
pub fn render(ctx: &ReportContext) -> Result<String, HtmlError> {
    let (compare, focus) = match &ctx.comparison {
        Some(c) => (
            compare_figures(c)?,
            c.focus
                .iter()
                .map(|f| focus_figures(f, &ctx.colors))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let runs = ctx
        .runs
        .iter()
        .map(|r| run_figures(r, &ctx.colors))
        .collect::<Result<Vec<_>, _>>()?;
    let page = Page {
        ctx,
        style: STYLE,
        verdict: TopVerdict::of(ctx),
        runs,
        focus,
        compare,
    };
    Ok(render_page(TEMPLATE_NAME, TEMPLATE, &page)?)
}

/// The macros both HTML pages share (`table`).
const MACROS: &str = include_str!("../../templates/macros.j2");

/// Renders one of perfreport's pages: undefined values are errors, and the shared macros are
/// there to import.
pub(crate) fn render_page(
    name: &str,
    template: &str,
    page: &impl Serialize,
) -> Result<String, minijinja::Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template("macros.j2", MACROS)?;
    env.add_template(name, template)?;
    env.get_template(name)?.render(Value::from(Serde(page)))
}

/// Longest endpoint name in a focus chart's title, in characters.
const FOCUS_TITLE_CHARS: usize = 40;

fn focus_figures(f: &FocusEndpoint, colors: &EndpointPalette) -> Result<FocusFigures, ChartError> {
    let color = colors.color(&f.name);
    let name = shorten(&f.name, FOCUS_TITLE_CHARS);
    let over_time = if f.has_series() {
        let title = if f.baseline.len() > 1 || f.latest.len() > 1 {
            format!("{name}: p95 over time, per run")
        } else {
            format!("{name}: p50/p95 over time")
        };
        Some(Figure::new(
            latency_over_time::compared(&title, color, &f.baseline, &f.latest)?,
            "",
        ))
    } else {
        None
    };
    let distribution = if f.baseline_cdf.len() >= 2 || f.latest_cdf.len() >= 2 {
        let title = format!("{name}: distribution");
        Some(Figure::new(
            endpoint_compare::distribution(&title, color, &f.baseline_cdf, &f.latest_cdf)?,
            "",
        ))
    } else {
        None
    };
    Ok(FocusFigures {
        id: f.id.clone(),
        name: f.name.clone(),
        verdict: f.verdict,
        over_time,
        distribution,
    })
}

fn run_figures(run: &RunSection, colors: &EndpointPalette) -> Result<RunFigures, ChartError> {
    let mut over_time = Vec::new();
    if let Some(t) = &run.timeline {
        over_time.push(Figure::new(throughput::chart(t, None)?, ""));
        if any_failures(t) {
            over_time.push(Figure::new(failures::chart(t, None)?, ""));
        }
        over_time.push(Figure::new(users::chart(t, None)?, ""));
        if !t.latency.is_empty() {
            over_time.push(Figure::new(
                latency_over_time::chart(
                    "Response-time percentiles over time, all requests",
                    palette::INK,
                    &t.latency,
                    None,
                    false,
                )?,
                "",
            ));
        }
    }
    let names: Vec<&str> = run
        .endpoint_latency
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    let titles = distinct_labels(&names, latency_over_time::SMALL_TITLE_CHARS);
    let small_multiples = run
        .endpoint_latency
        .iter()
        .zip(&titles)
        .map(|(e, title)| {
            latency_over_time::chart(title, colors.color(&e.name), &e.series, None, true)
                .map(|svg| Figure::new(svg, ""))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut distribution = Vec::new();
    if !run.p95_bars.is_empty() {
        distribution.push(Figure::new(
            percentile_bars::chart(
                "95th percentile response time per endpoint (whole run)",
                "p95 response time (ms)",
                &run.p95_bars,
            )?,
            run.p95_note.clone(),
        ));
    }
    if !run.cdf.is_empty() {
        distribution.push(Figure::new(
            cdf::chart(&run.cdf, colors)?,
            format!(
                "All requests and the {} most requested endpoints; lines join Locust's \
                 percentile points (minimum, 50%, 66%, … 99.99%, maximum), so they are exact \
                 only at those points.",
                run.cdf.len().saturating_sub(1)
            ),
        ));
    }
    let stages = if run.stages.is_empty() {
        Vec::new()
    } else {
        let mut figures = vec![Figure::new(stages::throughput(&run.stages)?, "")];
        // Stages of a cumulative history have no percentiles (the table's title says why).
        if run.stages.iter().any(|s| s.aggregated.p50_ms.is_some()) {
            figures.push(Figure::new(stages::latency(&run.stages)?, ""));
        }
        figures
    };
    Ok(RunFigures {
        over_time,
        stages,
        small_multiples,
        distribution,
    })
}

fn compare_figures(c: &CompareSection) -> Result<Vec<Figure>, ChartError> {
    let mut figures = Vec::new();
    if !c.p95_bars.is_empty() {
        figures.push(Figure::new(
            compare_bars::chart(
                "p95 response time, baseline vs latest",
                "p95 response time (ms)",
                &c.p95_bars,
            )?,
            c.bars_note.clone(),
        ));
    }
    if !c.p50_bars.is_empty() {
        figures.push(Figure::new(
            compare_bars::chart(
                "Median response time, baseline vs latest",
                "p50 response time (ms)",
                &c.p50_bars,
            )?,
            c.bars_note.clone(),
        ));
    }
    if let (Some(b), Some(l)) = (&c.baseline_timeline, &c.latest_timeline) {
        let aligned = "Both runs from their own start; Locust's current values (about the last \
                       10 s in Locust 2.x).";
        figures.push(Figure::new(throughput::chart(l, Some(b))?, aligned));
        if any_failures(l) || any_failures(b) {
            figures.push(Figure::new(failures::chart(l, Some(b))?, aligned));
        }
        if !(l.latency.is_empty() && b.latency.is_empty()) {
            figures.push(Figure::new(
                latency_over_time::chart(
                    "Response-time percentiles over time, all requests, baseline vs latest",
                    palette::INK,
                    &l.latency,
                    Some(&b.latency),
                    false,
                )?,
                aligned,
            ));
        }
        figures.push(Figure::new(users::chart(l, Some(b))?, ""));
    }
    Ok(figures)
}

fn any_failures(t: &Timeline) -> bool {
    t.failures_per_s.iter().any(|p| p.1 > 0.0)
}
