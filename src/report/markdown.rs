//! The Markdown report, for pull-request comments and `$GITHUB_STEP_SUMMARY`: verdict
//! first, a table of services by rule family, failures with file:line, coverage heatmaps
//! as text grids, waivers, what changed since the baseline. Rendered with minijinja;
//! `--template` replaces it.
//!
//! The built-in report stays under [`MAX_BYTES`] (GitHub's comment limit is 65,536
//! characters): it is rendered with generous caps on every list, then with smaller ones
//! until it fits, and says what it left out and where the full results are.

use super::Report;
use super::baseline::Comparison;
use super::matrix::ServiceRow;
use crate::rules::{RuleResult, Status};
use serde::Serialize;

pub const DEFAULT_TEMPLATE: &str = include_str!("templates/report.md.j2");

/// The family columns, in order.
pub fn families() -> Vec<&'static str> {
    crate::rules::rule::Family::REPORTED.iter().map(|f| f.as_str()).collect()
}

#[derive(Serialize)]
struct Group<'a> {
    rules: Vec<&'a str>,
    reason: &'a str,
}

/// The coverage part of the Markdown report: the heatmap file and every gap.
#[derive(Serialize, Default)]
pub struct Coverage<'a> {
    /// File name of the SVG written beside the Markdown file.
    pub svg: Option<String>,
    pub services: &'a [crate::time::analysis::ServiceCoverage],
    /// Who carries the on-call load (absences.md), per rotation and schedule.
    pub load: &'a [crate::time::load::Roster],
}

/// The size the built-in report stays under, in UTF-8 bytes.
pub const MAX_BYTES: usize = 60_000;
/// At most this many heatmap grids (cli.md v1.1).
const MAX_GRIDS: usize = 10;

/// How many entries of each list a rendering shows.
#[derive(Clone, Copy, Serialize)]
struct Caps {
    services: usize,
    failures: usize,
    errors: usize,
    waived: usize,
    coverage: usize,
    gapped: usize,
    gaps: usize,
    load: usize,
    comparison: usize,
    all: usize,
    grids: usize,
}

impl Caps {
    const ALL: Caps = Caps {
        services: usize::MAX,
        failures: usize::MAX,
        errors: usize::MAX,
        waived: usize::MAX,
        coverage: usize::MAX,
        gapped: usize::MAX,
        gaps: usize::MAX,
        load: usize::MAX,
        comparison: usize::MAX,
        all: usize::MAX,
        grids: MAX_GRIDS,
    };

    /// The next, smaller caps; the last ones keep what a reviewer needs first.
    fn smaller(self) -> Option<Caps> {
        let half = |n: usize, floor: usize| if n == usize::MAX { floor.max(200) } else { (n / 2).max(floor) };
        let next = Caps {
            services: half(self.services, 10),
            failures: half(self.failures, 15),
            errors: half(self.errors, 10),
            waived: half(self.waived, 10),
            coverage: half(self.coverage, 10),
            gapped: half(self.gapped, 3),
            gaps: half(self.gaps, 3),
            load: half(self.load, 3),
            comparison: half(self.comparison, 10),
            all: if self.all == usize::MAX { 100 } else { 0 },
            grids: if self.services <= 10 && self.failures <= 15 { (self.grids / 2).max(1) } else { self.grids },
        };
        let same = next.services == self.services && next.failures == self.failures && next.all == self.all && next.grids == self.grids && next.coverage == self.coverage;
        (!same).then_some(next)
    }
}

/// How many entries each list left out (0: none).
#[derive(Default, Serialize)]
struct More {
    services: usize,
    failures: usize,
    errors: usize,
    waived: usize,
    coverage: usize,
    gapped: usize,
    load: usize,
    comparison: usize,
    all: usize,
    grids: usize,
    any: bool,
}

/// One heatmap as a text grid.
#[derive(Serialize)]
struct GridView {
    service: String,
    severity: String,
    summary: String,
    text: String,
}

/// A service's gaps, at most `caps.gaps` of them.
#[derive(Serialize)]
struct GappedView<'a> {
    service: &'a str,
    required_coverage: &'a str,
    count: usize,
    gaps: &'a [crate::time::analysis::Gap],
}

/// Everything a Markdown template can use.
#[derive(Serialize)]
struct View<'a> {
    report: &'a Report,
    verdict_text: &'static str,
    summary_line: String,
    families: Vec<&'static str>,
    services: &'a [ServiceRow],
    failures: Vec<&'a RuleResult>,
    errors: Vec<&'a RuleResult>,
    waived: Vec<&'a RuleResult>,
    not_evaluated: Vec<Group<'a>>,
    comparison: Option<ComparisonView<'a>>,
    coverage: CoverageView<'a>,
    health: Vec<HealthRow>,
    /// The results listed under "All results" (every result, unless summarised).
    all: &'a [RuleResult],
    grids: Vec<GridView>,
    legend: Vec<(String, &'static str)>,
    more: More,
    /// Where the full results are: the `--json` file, when one is written.
    json_report: Option<&'a str>,
}

/// The coverage as the template sees it: lists already capped.
#[derive(Serialize)]
struct CoverageView<'a> {
    svg: Option<&'a str>,
    services: &'a [crate::time::analysis::ServiceCoverage],
    gapped: Vec<GappedView<'a>>,
    load: &'a [crate::time::load::Roster],
    tz: &'a str,
}

/// An open Health issue or upcoming scheduled change of a service (AWS-002/003 evidence).
#[derive(Serialize)]
struct HealthRow {
    service: String,
    kind: &'static str,
    event_type_code: String,
    aws_service: String,
    region: String,
    start: String,
    end: String,
    /// Scheduled changes: whether the window is inside staffed coverage.
    inside_coverage: Option<bool>,
    status: Status,
}

fn health_rows(report: &Report) -> Vec<HealthRow> {
    let text = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    report
        .results
        .iter()
        .filter(|r| (r.rule == "AWS-002" || r.rule == "AWS-003") && crate::model::Subject::parse(&r.subject).part("event").is_some())
        .map(|r| HealthRow {
            service: crate::model::Subject::parse(&r.subject).service().unwrap_or_default().to_string(),
            kind: if r.rule == "AWS-002" { "open issue" } else { "scheduled change" },
            event_type_code: text(&r.evidence, "event_type_code"),
            aws_service: text(&r.evidence, "service"),
            region: r.evidence.get("region").and_then(|x| x.as_str()).unwrap_or("global").to_string(),
            start: text(&r.evidence, "start_time"),
            end: text(&r.evidence, "end_time"),
            inside_coverage: r.evidence.get("inside_coverage").and_then(|x| x.as_bool()),
            status: r.status,
        })
        .collect()
}

#[derive(Serialize)]
struct ComparisonView<'a> {
    new: &'a [RuleResult],
    fixed: &'a [RuleResult],
    unchanged: &'a [RuleResult],
    /// The sizes before capping.
    new_count: usize,
    fixed_count: usize,
    unchanged_count: usize,
}

/// What the Markdown report renders: the report, its services table
/// ([`super::matrix::service_rows`]; empty when the model did not load), the comparison
/// with a baseline and the coverage.
pub struct Input<'a> {
    pub report: &'a Report,
    pub services: &'a [ServiceRow],
    pub baseline: Option<&'a Comparison>,
    pub coverage: &'a Coverage<'a>,
    /// The `--json` file written beside, named where the report is summarised.
    pub json_report: Option<&'a str>,
    /// The display zone of the heatmaps.
    pub tz: &'a str,
}

/// Renders `input` with `template` (the built-in one when `None`). The built-in report is
/// capped to stay under [`MAX_BYTES`]; a user's template gets every entry.
pub fn render(input: &Input, template: Option<&str>) -> Result<String, String> {
    let env = environment(template)?;
    let tmpl = env.get_template("report.md").map_err(|e| e.to_string())?;
    let mut caps = if template.is_some() { Caps { grids: MAX_GRIDS, ..Caps::ALL } } else { Caps::ALL };
    loop {
        let text =
            tmpl.render(minijinja::Value::from(minijinja::value::Serde(view(input, caps)))).map(|s| s.trim_end().to_string() + "\n").map_err(|e| format!("the Markdown template failed: {e}"))?;
        match caps.smaller() {
            Some(next) if template.is_none() && text.len() > MAX_BYTES => caps = next,
            _ => return Ok(text),
        }
    }
}

fn environment(template: Option<&str>) -> Result<minijinja::Environment<'_>, String> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
    env.add_filter("cell", cell);
    env.add_filter("duration", |secs: i64| crate::model::human_secs(secs));
    // A share as a bar that reads without colour: `████░░░░░░ 40%`.
    env.add_filter("share", |hours: f64, total: f64| {
        let f = if total > 0.0 { hours / total } else { 0.0 };
        let filled = (f * 10.0).round() as usize;
        format!("{}{} {:.0}%", "█".repeat(filled), "░".repeat(10 - filled.min(10)), f * 100.0)
    });
    env.add_template("report.md", template.unwrap_or(DEFAULT_TEMPLATE)).map_err(|e| format!("the Markdown template does not parse: {e}"))?;
    Ok(env)
}

fn capped<T>(items: &[T], cap: usize, more: &mut usize) -> usize {
    let n = items.len().min(cap);
    *more = items.len() - n;
    n
}

/// The heatmaps worth a grid: (service, severity) pairs with a gap or a missed target first,
/// in report order, then the others.
fn grids(coverage: &Coverage, tz: &str, cap: usize, more: &mut usize) -> Vec<GridView> {
    let pairs: Vec<(&str, &crate::time::analysis::SeverityCoverage)> =
        coverage.services.iter().flat_map(|c| c.severities.iter().filter(|s| s.required).map(move |s| (c.service.as_str(), s))).collect();
    let troubled = |s: &crate::time::analysis::SeverityCoverage| {
        let gap = s.heatmap.iter().flatten().flatten().any(|c| c.gap);
        let missed = s.never_engaged || matches!((s.worst_seconds, s.acknowledge_seconds), (Some(w), Some(a)) if w > a);
        gap || missed
    };
    let mut order: Vec<&(&str, &crate::time::analysis::SeverityCoverage)> = pairs.iter().filter(|(_, s)| troubled(s)).collect();
    order.extend(pairs.iter().filter(|(_, s)| !troubled(s)));
    *more = order.len().saturating_sub(cap);
    order
        .into_iter()
        .take(cap)
        .map(|(service, s)| {
            let gap_hours = s.heatmap.iter().flatten().flatten().filter(|c| c.gap).count();
            let worst = match (s.never_engaged, s.worst_seconds) {
                (true, _) => "**nobody is engaged** at worst".to_string(),
                (_, Some(w)) => format!("worst time to engage {}", crate::model::human_secs(w)),
                _ => "no coverage required".to_string(),
            };
            let target = s.acknowledge_seconds.map(|a| format!(" (target {})", crate::model::human_secs(a))).unwrap_or_default();
            let gaps = if gap_hours > 0 { format!(" · **{gap_hours} hour(s) of the week with a gap** (the first step reaches nobody)") } else { String::new() };
            GridView { service: service.to_string(), severity: s.severity.clone(), summary: format!("{worst}{target}{gaps}"), text: super::heatmap::grid(s, tz) }
        })
        .collect()
}

fn view<'a>(input: &'a Input, caps: Caps) -> View<'a> {
    let Input { report, services, baseline, coverage, json_report, tz } = *input;
    let mut more = More::default();
    let not_evaluated = report.not_evaluated();
    let mut groups: Vec<Group> = Vec::new();
    for (id, why) in &not_evaluated {
        match groups.iter_mut().find(|g| g.reason == *why) {
            Some(g) => g.rules.push(id),
            None => groups.push(Group { rules: vec![id], reason: why }),
        }
    }
    let by = |status: Status| report.results.iter().filter(move |r| r.status == status);
    let failures: Vec<&RuleResult> = by(Status::Fail).collect();
    let errors: Vec<&RuleResult> = by(Status::Error).collect();
    let waived: Vec<&RuleResult> = by(Status::Waived).collect();
    let n_services = capped(services, caps.services, &mut more.services);
    let n_failures = capped(&failures, caps.failures, &mut more.failures);
    let n_errors = capped(&errors, caps.errors, &mut more.errors);
    let n_waived = capped(&waived, caps.waived, &mut more.waived);
    let n_all = capped(&report.results, caps.all, &mut more.all);
    let n_coverage = capped(coverage.services, caps.coverage, &mut more.coverage);
    let n_load = capped(coverage.load, caps.load, &mut more.load);
    let gapped_all: Vec<&crate::time::analysis::ServiceCoverage> = coverage.services.iter().filter(|c| !c.gaps.is_empty()).collect();
    let n_gapped = capped(&gapped_all, caps.gapped, &mut more.gapped);
    let gapped =
        gapped_all[..n_gapped].iter().map(|c| GappedView { service: &c.service, required_coverage: &c.required_coverage, count: c.gaps.len(), gaps: &c.gaps[..c.gaps.len().min(caps.gaps)] }).collect();
    let comparison = baseline.map(|c| {
        let cap = |v: &'a [RuleResult]| &v[..v.len().min(caps.comparison)];
        more.comparison = c.new.len().saturating_sub(caps.comparison) + c.fixed.len().saturating_sub(caps.comparison);
        ComparisonView { new: cap(&c.new), fixed: cap(&c.fixed), unchanged: cap(&c.unchanged), new_count: c.new.len(), fixed_count: c.fixed.len(), unchanged_count: c.unchanged.len() }
    });
    let grids = grids(coverage, tz, caps.grids, &mut more.grids);
    more.any = more.services + more.failures + more.errors + more.waived + more.coverage + more.gapped + more.load + more.comparison + more.all > 0 || caps.all != usize::MAX;
    View {
        report,
        verdict_text: match report.verdict {
            super::Verdict::Ready => "ready",
            super::Verdict::NotReady => "not ready",
            super::Verdict::Incomplete => "incomplete",
            super::Verdict::Invalid => "the model could not be loaded",
        },
        summary_line: super::human::summary_line(report),
        families: families(),
        services: &services[..n_services],
        failures: failures[..n_failures].to_vec(),
        errors: errors[..n_errors].to_vec(),
        waived: waived[..n_waived].to_vec(),
        not_evaluated: groups,
        comparison,
        coverage: CoverageView { svg: coverage.svg.as_deref(), services: &coverage.services[..n_coverage], gapped, load: &coverage.load[..n_load], tz },
        health: health_rows(report),
        all: &report.results[..n_all],
        grids,
        legend: super::heatmap::LEGEND.iter().map(|(b, label)| (super::heatmap::symbol(*b).to_string(), *label)).collect(),
        more,
        json_report,
    }
}

/// Escapes a value for a Markdown table cell.
fn cell(value: String) -> String {
    value.replace('\\', "\\\\").replace('|', "\\|").replace('\n', "<br>").replace('<', "&lt;").replace("&lt;br>", "<br>")
}
