//! Drill runs as reports: terminal lines, a `drill:ID` JUnit suite per run (a test case per
//! step), and a Markdown summary with measured times against targets.

use crate::drill::journal::{Journal, Outcome, Step};
use junit_report::{Duration, ReportBuilder, TestCase, TestSuite, TestSuiteBuilder};

fn icon(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "✓",
        Outcome::Fail => "✗",
        Outcome::Aborted => "■",
        Outcome::Error => "!",
        Outcome::Planned => "·",
    }
}

fn ms(d: u64) -> String {
    if d < 1000 { format!("{d} ms") } else { format!("{:.1} s", d as f64 / 1000.0) }
}

/// What the step's cleanup did, in words.
fn cleanup(s: &Step) -> Option<String> {
    let c = s.cleanup.as_ref().filter(|c| c.action != "none")?;
    Some(format!("{} {}{}", c.action, c.outcome.as_str(), c.message.as_ref().map(|m| format!(" ({m})")).unwrap_or_default()))
}

/// A step whose cleanup failed is marked failed whatever the step did: its case is open.
fn mark(s: &Step) -> &'static str {
    if cleanup_failed(s) { "✗" } else { icon(s.outcome) }
}

fn cleanup_failed(s: &Step) -> bool {
    s.cleanup.as_ref().is_some_and(|c| c.action != "none" && c.outcome == Outcome::Fail)
}

pub fn human(journals: &[Journal], quiet: bool) -> String {
    let mut out = String::new();
    for j in journals {
        let mode = if j.dry_run { "dry run" } else { "live" };
        out.push_str(&format!("drill {} ({mode}): {}{}\n", j.drill, j.outcome.as_str(), j.reason.as_ref().map(|r| format!(" — {r}")).unwrap_or_default()));
        if quiet {
            continue;
        }
        for s in &j.steps {
            let took = if j.dry_run { String::new() } else { format!(" [{}]", ms(s.duration_ms)) };
            out.push_str(&format!("  {} {} {}{took}", mark(s), s.kind, s.target));
            if let Some(m) = &s.message {
                out.push_str(&format!(": {m}"));
            }
            if let Some(c) = cleanup(s).filter(|_| !j.dry_run) {
                let loud = if cleanup_failed(s) { "CLEANUP FAILED: " } else { "" };
                out.push_str(&format!("; cleanup: {loud}{c}"));
            }
            out.push('\n');
        }
    }
    out
}

/// One `drill:ID` suite per run, one test case per step named `KIND target`.
pub fn suites(journals: &[Journal]) -> Vec<TestSuite> {
    journals
        .iter()
        .map(|j| {
            let stamp = time::OffsetDateTime::from_unix_timestamp(j.started_at.0.as_second()).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
            let cases: Vec<TestCase> = j
                .steps
                .iter()
                .map(|s| {
                    let name = format!("{} {}", s.kind, s.target);
                    let took = Duration::milliseconds(s.duration_ms as i64);
                    let why = s.message.clone().unwrap_or_default();
                    let mut tc = match s.outcome {
                        Outcome::Pass if cleanup_failed(s) => TestCase::failure(&name, took, "cleanup", &cleanup(s).unwrap_or_default()),
                        Outcome::Pass => TestCase::success(&name, took),
                        Outcome::Fail => TestCase::failure(&name, took, "fail", &why),
                        Outcome::Aborted => TestCase::error(&name, took, "aborted", &why),
                        Outcome::Error => TestCase::error(&name, took, "error", &why),
                        Outcome::Planned => TestCase::skipped(&name),
                    };
                    tc.set_classname(&format!("runready.drill.{}", s.kind));
                    let mut detail = serde_json::to_string(&s.evidence).unwrap_or_default();
                    if let Some(c) = cleanup(s) {
                        detail.push_str(&format!("\ncleanup: {c}"));
                    }
                    if s.outcome != Outcome::Pass || s.cleanup.is_some() {
                        tc.set_system_out(&format!("{why}\n{detail}"));
                    }
                    tc
                })
                .collect();
            TestSuiteBuilder::new(&format!("drill:{}", j.drill)).set_timestamp(stamp).add_testcases(cases).build()
        })
        .collect()
}

pub fn junit(journals: &[Journal]) -> String {
    let mut builder = ReportBuilder::new();
    builder.add_testsuites(suites(journals));
    let mut buf = Vec::new();
    builder.build().write_xml(&mut buf).expect("writing XML to memory cannot fail");
    String::from_utf8(buf).expect("junit-report writes UTF-8") + "\n"
}

/// The target a step is measured against, when it has one.
pub fn target_of(s: &Step) -> Option<String> {
    match s.kind.as_str() {
        "retrieve" => s.evidence.get("max_retrieval_ms").and_then(|v| v.as_u64()).map(|t| format!("≤ {}", crate::model::human_secs((t / 1000) as i64))),
        _ => None,
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(journals: &[Journal]) -> String {
    let mut out = String::from("## runready drills\n\n");
    for j in journals {
        let mode = if j.dry_run { " (dry run)" } else { "" };
        out.push_str(&format!("### `{}`{mode}: {}\n\n", j.drill, j.outcome.as_str()));
        out.push_str(&format!(
            "Started `{}`, finished {}; services {}.",
            j.started_at,
            j.finished_at.map(|f| format!("`{f}`")).unwrap_or_else(|| "**never** (the run died; its journal lists what it may have left open)".into()),
            j.services.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
        ));
        if let Some(r) = &j.reason {
            out.push_str(&format!(" {}", cell(r)));
        }
        out.push_str("\n\n| Step | Target | Outcome | Measured | Target | Cleanup | Notes |\n|---|---|---|---|---|---|---|\n");
        for s in &j.steps {
            let measured = if j.dry_run { "–".to_string() } else { ms(s.duration_ms) };
            out.push_str(&format!(
                "| {} | `{}` | {} {} | {measured} | {} | {} | {} |\n",
                s.kind,
                cell(&s.target),
                mark(s),
                s.outcome.as_str(),
                target_of(s).unwrap_or_else(|| "–".into()),
                cleanup(s).map(|c| cell(&c)).unwrap_or_else(|| "–".into()),
                s.message.as_deref().map(cell).unwrap_or_default()
            ));
        }
        out.push('\n');
    }
    out
}
