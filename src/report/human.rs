//! The terminal report: each problem with its file:line:col and a source snippet, then
//! what was not evaluated, then one summary line.

use super::{Report, Verdict};
use crate::diag::{Diagnostic, Location};
use crate::load::Sources;
use crate::rules::{RuleResult, Status};
use annotate_snippets::{AnnotationKind, Group, Level as ALevel, Renderer, Snippet};
use std::fmt::Write;

pub struct Style {
    pub color: bool,
    /// Also list passing results.
    pub verbose: bool,
}

pub fn render(report: &Report, sources: &Sources, style: &Style) -> String {
    let renderer = if style.color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    for d in &report.load_errors {
        out.push_str(&diagnostic(d, sources, &renderer));
        out.push('\n');
    }
    let shown = |r: &&RuleResult| match r.status {
        Status::Fail | Status::Error => true,
        Status::Waived => true,
        Status::Unknown => r.subject != "model",
        Status::Pass => style.verbose,
    };
    for r in report.results.iter().filter(shown) {
        out.push_str(&result(r, report, sources, &renderer));
        out.push('\n');
    }
    let not_evaluated = report.not_evaluated();
    if !not_evaluated.is_empty() {
        let ids: Vec<&str> = not_evaluated.iter().map(|(id, _)| *id).collect();
        let mut reasons: Vec<&str> = not_evaluated.iter().map(|(_, why)| *why).collect();
        reasons.sort();
        reasons.dedup();
        let _ = writeln!(out, "not evaluated ({}): {}", ids.len(), ids.join(", "));
        for why in reasons {
            let ids: Vec<&str> = not_evaluated.iter().filter(|(_, w)| *w == why).map(|(id, _)| *id).collect();
            let _ = writeln!(out, "  {}: {why}", ids.join(", "));
        }
        out.push('\n');
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

/// Load errors alone, for commands that stop when the model cannot be used.
pub fn diagnostics(diags: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    diags.iter().map(|d| diagnostic(d, sources, &renderer) + "\n").collect()
}

/// At most five file names, then "… and N more"; "the given paths" when there are none.
fn files(names: &[String]) -> String {
    const SHOWN: usize = 5;
    match names.len() {
        0 => "the given paths".to_string(),
        n if n <= SHOWN => names.join(", "),
        n => format!("{} … and {} more", names[..SHOWN].join(", "), n - SHOWN),
    }
}

pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let verdict = match report.verdict {
        Verdict::Ready => "ready",
        Verdict::NotReady => "not ready",
        Verdict::Incomplete => "incomplete",
        Verdict::Invalid => "invalid input",
    };
    if report.verdict == Verdict::Invalid {
        return format!("{verdict}: {} load error(s) in {}; no rule was evaluated", report.load_errors.len(), files(&report.model.files));
    }
    format!(
        "{verdict}: {} failed, {} waived, {} passed, {} unknown, {} error — {} at {} (fail-on {})",
        s.fail,
        s.waived,
        s.pass,
        s.unknown,
        s.error,
        report.model.name,
        report.evaluated_at,
        serde_json::to_value(report.fail_on).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    )
}

/// The verdict summary for a notification (SNS): a subject (at most 100 ASCII characters,
/// SNS's limit) and a short body with the counts and the failures at or above `--fail-on`.
pub fn notification(report: &Report) -> (String, String) {
    let verdict = summary_line(report);
    let head = verdict.split(':').next().unwrap_or("").to_string();
    let mut subject: String = format!("runready: {} is {head}", report.model.name).chars().filter(|c| c.is_ascii() && !c.is_ascii_control()).collect();
    subject.truncate(100);
    let mut body = format!("{verdict}\n");
    let failing: Vec<&RuleResult> = report.failing().collect();
    for r in failing.iter().take(20) {
        body.push_str(&format!("- {} {} {}: {}\n", r.rule, r.severity.as_str(), r.subject, r.message));
    }
    if failing.len() > 20 {
        body.push_str(&format!("… and {} more\n", failing.len() - 20));
    }
    (subject, body)
}

fn level_of(r: &RuleResult, report: &Report) -> ALevel<'static> {
    match r.status {
        Status::Fail if report.fail_on.trips(r.severity) => ALevel::ERROR,
        Status::Fail => ALevel::WARNING,
        Status::Error => ALevel::ERROR,
        Status::Waived | Status::Unknown => ALevel::NOTE,
        Status::Pass => ALevel::INFO,
    }
}

fn result(r: &RuleResult, report: &Report, sources: &Sources, renderer: &Renderer) -> String {
    let level = level_of(r, report);
    let title = match r.status {
        Status::Fail | Status::Pass => format!("{}: {}", r.subject, r.message),
        other => format!("{} {}: {}", other.as_str(), r.subject, r.message),
    };
    let mut groups = vec![located(level.clone().primary_title(title).id(r.rule.clone()), r.location.as_ref(), sources, "")];
    if let Some(w) = &r.waiver {
        let until = w.expires.as_deref().map(|e| format!(" until {e}")).unwrap_or_default();
        groups.push(Group::with_title(ALevel::NOTE.secondary_title(format!("waived{until}: {}", w.reason))));
    }
    if let Some(h) = &r.help
        && r.status != Status::Pass
    {
        groups.push(Group::with_title(ALevel::HELP.secondary_title(h.clone())));
    }
    renderer.render(&groups).to_string() + "\n"
}

fn diagnostic(d: &Diagnostic, sources: &Sources, renderer: &Renderer) -> String {
    let title = ALevel::ERROR.primary_title(d.message.clone()).id(d.code.as_str());
    let mut groups = vec![located(title, d.location.as_ref(), sources, "")];
    for rel in &d.related {
        groups.push(located(ALevel::NOTE.secondary_title(rel.message.clone()), Some(&rel.location), sources, ""));
    }
    if let Some(h) = &d.help {
        groups.push(Group::with_title(ALevel::HELP.secondary_title(h.clone())));
    }
    renderer.render(&groups).to_string() + "\n"
}

/// A group with the source line of `loc` underlined at the value, when the text is known.
fn located<'a>(title: annotate_snippets::Title<'a>, loc: Option<&Location>, sources: &Sources, label: &'a str) -> Group<'a> {
    let Some(loc) = loc else { return Group::with_title(title) };
    let Some(text) = sources.text_of(&loc.file) else {
        return Group::with_title(title).element(annotate_snippets::Origin::path(format!("{loc}")));
    };
    let Some(line) = text.lines().nth(loc.line.saturating_sub(1) as usize) else {
        return Group::with_title(title).element(annotate_snippets::Origin::path(format!("{loc}")));
    };
    let start = line.char_indices().nth(loc.column.saturating_sub(1) as usize).map(|(i, _)| i).unwrap_or(line.len());
    let end = token_end(line, start);
    let snippet = Snippet::source(line.to_string()).line_start(loc.line as usize).path(loc.file.clone()).annotation(AnnotationKind::Primary.span(start..end.max(start)).label(label));
    // annotate-snippets shows the column of the span's start: it matches loc.column.
    Group::with_title(title).element(snippet)
}

/// The end of the YAML token starting at `start`: a quoted string, a flow collection's
/// first item, or a plain scalar up to a separator.
fn token_end(line: &str, start: usize) -> usize {
    let rest = &line[start..];
    let mut chars = rest.char_indices();
    match chars.next() {
        None => start,
        Some((_, q @ ('"' | '\''))) => rest[1..].find(q).map(|i| start + i + 2).unwrap_or(line.len()),
        Some(_) => {
            let stop = [rest.find([',', ']', '}', '#']), rest.find(": "), rest.ends_with(':').then(|| rest.len() - 1)].into_iter().flatten().min().unwrap_or(rest.len());
            start + rest[..stop].trim_end().len().max(1)
        }
    }
}
