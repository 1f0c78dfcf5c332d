//! The Markdown report, for pull-request comments and `$GITHUB_STEP_SUMMARY`: verdict
//! first, a table of services by rule family, failures with file:line, waivers, what
//! changed since the baseline. Rendered with minijinja; `--template` replaces it.

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
    coverage: &'a Coverage<'a>,
    health: Vec<HealthRow>,
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
}

/// What the Markdown report renders: the report, its services table
/// ([`super::matrix::service_rows`]; empty when the model did not load), the comparison
/// with a baseline and the coverage.
pub struct Input<'a> {
    pub report: &'a Report,
    pub services: &'a [ServiceRow],
    pub baseline: Option<&'a Comparison>,
    pub coverage: &'a Coverage<'a>,
}

/// Renders `input` with `template` (the built-in one when `None`).
pub fn render(input: &Input, template: Option<&str>) -> Result<String, String> {
    let Input { report, services, baseline, coverage } = *input;
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
    let not_evaluated = report.not_evaluated();
    let mut groups: Vec<Group> = Vec::new();
    for (id, why) in &not_evaluated {
        match groups.iter_mut().find(|g| g.reason == *why) {
            Some(g) => g.rules.push(id),
            None => groups.push(Group { rules: vec![id], reason: why }),
        }
    }
    let failures: Vec<&RuleResult> = report.results.iter().filter(|r| r.status == Status::Fail).collect();
    let ctx = View {
        report,
        verdict_text: match report.verdict {
            super::Verdict::Ready => "ready",
            super::Verdict::NotReady => "not ready",
            super::Verdict::Incomplete => "incomplete",
            super::Verdict::Invalid => "the model could not be loaded",
        },
        summary_line: super::human::summary_line(report),
        families: families(),
        services,
        failures,
        errors: report.results.iter().filter(|r| r.status == Status::Error).collect(),
        waived: report.results.iter().filter(|r| r.status == Status::Waived).collect(),
        not_evaluated: groups,
        comparison: baseline.map(|c| ComparisonView { new: &c.new, fixed: &c.fixed, unchanged: &c.unchanged }),
        coverage,
        health: health_rows(report),
    };
    let ctx = minijinja::Value::from(minijinja::value::Serde(ctx));
    let tmpl = env.get_template("report.md").map_err(|e| e.to_string())?;
    tmpl.render(ctx).map(|s| s.trim_end().to_string() + "\n").map_err(|e| format!("the Markdown template failed: {e}"))
}

/// Escapes a value for a Markdown table cell.
fn cell(value: String) -> String {
    value.replace('\\', "\\\\").replace('|', "\\|").replace('\n', "<br>").replace('<', "&lt;").replace("&lt;br>", "<br>")
}
