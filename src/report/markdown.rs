//! The Markdown report, for pull-request comments and `$GITHUB_STEP_SUMMARY`: verdict
//! first, a table of services by rule family, failures with file:line, waivers, what
//! changed since the baseline. Rendered with minijinja; `--template` replaces it.

use super::Report;
use super::baseline::Comparison;
use crate::model::{Level, Model};
use crate::rules::{RuleResult, Status, registry};
use serde::Serialize;

pub const DEFAULT_TEMPLATE: &str = include_str!("templates/report.md.j2");

/// The family columns, in order.
pub fn families() -> Vec<&'static str> {
    crate::rules::rule::Family::REPORTED.iter().map(|f| f.as_str()).collect()
}

#[derive(Serialize)]
struct ServiceRow {
    id: String,
    cells: Vec<String>,
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
}

/// Everything a Markdown template can use.
#[derive(Serialize)]
struct View<'a> {
    report: &'a Report,
    verdict_text: &'static str,
    summary_line: String,
    families: Vec<&'static str>,
    services: Vec<ServiceRow>,
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
        .filter(|r| (r.rule == "AWS-002" || r.rule == "AWS-003") && r.subject.contains("/event:"))
        .map(|r| HealthRow {
            service: r.subject.split('/').next().unwrap_or("").trim_start_matches("service:").to_string(),
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

/// Renders the report with `template` (the built-in one when `None`).
pub fn render(report: &Report, model: Option<&Model>, baseline: Option<&Comparison>, template: Option<&str>, coverage: &Coverage) -> Result<String, String> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
    env.add_filter("cell", cell);
    env.add_filter("duration", |secs: i64| crate::model::human_secs(secs));
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
        services: model.map(|m| rows(report, m)).unwrap_or_default(),
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

/// The services a subject belongs to: its own service, or every service using the entity.
pub fn services_of<'m>(model: &'m Model, subject: &str) -> Vec<&'m str> {
    model.services_of_subject(subject).unwrap_or_default()
}

fn rows(report: &Report, model: &Model) -> Vec<ServiceRow> {
    model
        .services
        .iter()
        .filter(|s| report.results.iter().any(|r| services_of(model, &r.subject).contains(&s.id.as_str())))
        .map(|s| {
            // Rules not evaluated for the whole model show as ❔ in every row.
            let mine: Vec<&RuleResult> = report.results.iter().filter(|r| services_of(model, &r.subject).contains(&s.id.as_str()) || (r.subject == "model" && r.status == Status::Unknown)).collect();
            let cells = crate::rules::rule::Family::REPORTED
                .iter()
                .map(|fam| {
                    let in_family: Vec<&&RuleResult> = mine.iter().filter(|r| registry::find(&r.rule).is_some_and(|i| i.family == *fam)).collect();
                    let fails = in_family.iter().filter(|r| r.status == Status::Fail).count();
                    let errors = in_family.iter().filter(|r| r.status == Status::Fail && r.severity == Level::Error).count();
                    if in_family.is_empty() {
                        "–".to_string()
                    } else if errors > 0 {
                        format!("❌ {fails}")
                    } else if fails > 0 {
                        format!("⚠️ {fails}")
                    } else if in_family.iter().any(|r| r.status == Status::Waived) {
                        "🔕".to_string()
                    } else if in_family.iter().any(|r| r.status == Status::Unknown || r.status == Status::Error) {
                        "❔".to_string()
                    } else {
                        "✅".to_string()
                    }
                })
                .collect();
            ServiceRow { id: s.id.clone(), cells }
        })
        .collect()
}
