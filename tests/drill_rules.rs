//! DRL-001, DRL-003, DRL-004 on journals: one failing and one passing case each.

mod common;
use common::*;
use runready::drill::journal::{CaseRecord, CaseState, Cleanup, Journal, Outcome, Step, Sweep, SweepOutcome};
use runready::model::{DrillKind, Instant};
use runready::rules::Status;
use serde_json::json;

/// The base model with drill intervals and a drill.
fn model() -> String {
    base_with("critical: { availability: always, required_coverage: always }", "critical: { availability: always, required_coverage: always, drill_interval: P90D, process_test_interval: P180D }")
        + "drills:\n  - { id: pt, kind: process_test, services: [api], every: P90D, steps: [{ vendor_case: aws }, { retrieve: [v, c, l] }] }\n"
}

fn step(kind: &str, target: &str, ms: u64) -> Step {
    Step {
        kind: kind.into(),
        target: target.into(),
        outcome: Outcome::Pass,
        started_at: None,
        duration_ms: ms,
        message: None,
        evidence: json!({ "environment": "production", "case_id": "case-1" }),
        cleanup: None,
    }
}

fn journal(started: &str, outcome: Outcome) -> Journal {
    let mut case = step("vendor_case", "aws", 2000);
    case.cleanup = Some(Cleanup { action: "resolve_case".into(), outcome: Outcome::Pass, message: None });
    Journal {
        schema_version: 1,
        drill: "pt".into(),
        kind: DrillKind::ProcessTest,
        model: "base".into(),
        services: vec!["api".into()],
        dry_run: false,
        started_at: started.parse::<Instant>().unwrap(),
        finished_at: Some(started.parse::<Instant>().unwrap()),
        outcome,
        reason: None,
        interrupted: false,
        forced: false,
        write_ahead: false,
        cases: vec![],
        swept: vec![],
        steps: vec![case, step("retrieve", "v", 500), step("retrieve", "c", 500), step("retrieve", "l", 500)],
    }
}

fn run_journals(journals: Vec<Journal>) -> Vec<runready::rules::RuleResult> {
    let mut opts = options();
    opts.journals = Some(journals);
    run_with(&model(), &opts)
}

#[test]
fn a_recent_passing_process_test_passes_every_drill_rule() {
    let r = run_journals(vec![journal("2026-11-01T10:00:00Z", Outcome::Pass)]);
    for id in ["DRL-001", "DRL-003", "DRL-004"] {
        assert_passes(&r, id);
    }
}

#[test]
fn drl001_needs_a_recent_pass_for_the_service_and_each_vendor() {
    // Too old for drill_interval (90 days before --at), and dry runs or failures do not count.
    let old = journal("2026-07-01T10:00:00Z", Outcome::Pass);
    let mut dry = journal("2026-11-01T10:00:00Z", Outcome::Pass);
    dry.dry_run = true;
    let failed = journal("2026-11-02T10:00:00Z", Outcome::Fail);
    let r = run_journals(vec![old, dry, failed]);
    let f = assert_fails(&r, "DRL-001");
    assert!(f[0].message.contains("no passing drill names it within drill_interval P90D (latest passing: pt on Wed 2026-07-01 10:00 UTC)"), "{}", f[0].message);
    // The vendor part: within P180D the old one still counts.
    assert!(r.iter().any(|x| x.rule == "DRL-001" && x.status == Status::Pass && x.message.starts_with("vendor aws:")));
    // After --at: not yet evidence.
    let r = run_journals(vec![journal("2026-11-24T10:00:00Z", Outcome::Pass)]);
    assert_fails(&r, "DRL-001");
    // Without journals: unknown, as before.
    assert_eq!(statuses(&run(&model()), "DRL-001"), vec![Status::Unknown]);
}

#[test]
fn drl003_each_artifact_within_max_retrieval_from_production() {
    let mut slow = journal("2026-11-01T10:00:00Z", Outcome::Pass);
    slow.steps[1].duration_ms = 61_000; // v: max_retrieval PT1M
    slow.steps[2].evidence["environment"] = json!("staging");
    let r = run_journals(vec![slow]);
    let f = assert_fails(&r, "DRL-003");
    let subjects: Vec<&str> = f.iter().map(|x| x.subject.as_str()).collect();
    assert_eq!(subjects, vec!["artifact:v", "artifact:c"]);
    assert!(r.iter().any(|x| x.rule == "DRL-003" && x.subject == "artifact:l" && x.status == Status::Pass));
}

/// A later passing run that opened (and resolved) its own case.
fn later_pass(started: &str, case: &str) -> Journal {
    let mut j = journal(started, Outcome::Pass);
    j.steps[0].evidence["case_id"] = json!(case);
    j
}

#[test]
fn drl004_a_case_left_open_fails_until_some_journal_records_it_resolved() {
    let mut open = journal("2026-11-02T10:00:00Z", Outcome::Aborted);
    open.steps[0].cleanup = Some(Cleanup { action: "resolve_case".into(), outcome: Outcome::Fail, message: Some("AWS Support ResolveCase: HTTP 500 InternalServerError".into()) });
    let r = run_journals(vec![journal("2026-11-01T10:00:00Z", Outcome::Pass), open.clone()]);
    let f = assert_fails(&r, "DRL-004");
    assert!(f[0].message.starts_with("1 case left open: case case-1, opened by drill pt started 2026-11-02T10:00:00Z: AWS Support ResolveCase: HTTP 500"), "{}", f[0].message);
    assert!(f[0].help.as_deref().unwrap().contains("aws support resolve-case --case-id case-1"), "{:?}", f[0].help);
    assert_eq!(f[0].subject, "drill:pt");
    // Later passing runs (and a run refused by its window) do not hide it (v1.1).
    let mut refused = journal("2026-11-04T10:00:00Z", Outcome::Aborted);
    refused.steps.clear();
    let r = run_journals(vec![open.clone(), later_pass("2026-11-03T10:00:00Z", "case-2"), refused.clone()]);
    assert_fails(&r, "DRL-004");
    // A later run's sweep that resolved it closes it.
    let mut swept = later_pass("2026-11-05T10:00:00Z", "case-3");
    swept.swept.push(Sweep { drill: "pt".into(), run_started_at: open.started_at, case_id: Some("case-1".into()), outcome: SweepOutcome::Resolved, message: None });
    let r = run_journals(vec![open, later_pass("2026-11-03T10:00:00Z", "case-2"), refused, swept]);
    assert_passes(&r, "DRL-004");
    // No live run at all: not evaluated.
    assert_eq!(statuses(&run_journals(vec![]), "DRL-004"), vec![Status::Unknown]);
}

#[test]
fn drl004_a_run_without_an_end_may_have_opened_a_case() {
    // Written ahead: CreateCase sent, no answer recorded, the run died.
    let mut dead = journal("2026-11-02T10:00:00Z", Outcome::Error);
    dead.finished_at = None;
    dead.write_ahead = true;
    dead.steps.clear();
    dead.cases.push(CaseRecord {
        step: 0,
        vendor: "aws".into(),
        account: Some("123456789012".into()),
        subject: "TEST CASE-Please ignore".into(),
        token: "runready-run: pt 2026-11-02T10:00:00Z".into(),
        requested_at: "2026-11-02T10:00:01Z".parse().unwrap(),
        state: CaseState::Requested,
        case_id: None,
        history: vec!["10:00:01.000Z CreateCase sent (attempt 1 of 5)".into()],
    });
    let r = run_journals(vec![dead.clone(), later_pass("2026-11-03T10:00:00Z", "case-2")]);
    let f = assert_fails(&r, "DRL-004");
    assert!(
        f[0].message.starts_with(
            "1 case may be open: a case drill pt started 2026-11-02T10:00:00Z may have opened in account 123456789012: CreateCase was sent at 2026-11-02T10:00:01Z and the run did not finish"
        ),
        "{}",
        f[0].message
    );
    assert!(f[0].help.as_deref().unwrap().contains("created from Mon 2026-11-02 10:00:01 UTC on"), "{:?}", f[0].help);
    // Without a ledger (written by hand or before v1.1) a run with no end counts too.
    let mut old = journal("2026-11-02T10:00:00Z", Outcome::Error);
    old.finished_at = None;
    old.steps.clear();
    assert_fails(&run_journals(vec![old.clone()]), "DRL-004");
    // A later run looked it up and found nothing: closed.
    let mut sweep = later_pass("2026-11-03T10:00:00Z", "case-2");
    sweep.swept.push(Sweep { drill: "pt".into(), run_started_at: dead.started_at, case_id: None, outcome: SweepOutcome::NotFound, message: None });
    assert_passes(&run_journals(vec![dead, sweep]), "DRL-004");
}

#[test]
fn journals_of_another_model_are_not_evidence() {
    let mut other = journal("2026-11-01T10:00:00Z", Outcome::Pass);
    other.model = "someone-else".into();
    assert_fails(&run_journals(vec![other]), "DRL-001");
}

#[test]
fn drill_renderers() {
    let mut j = journal("2026-11-01T10:00:00Z", Outcome::Fail);
    j.steps[1].outcome = Outcome::Fail;
    j.steps[1].message = Some("not retrieved within max_retrieval 1m: the command's process group was killed".into());
    // A live run records every retrieve step's limit in its evidence; the renderers read
    // nothing else.
    for s in &mut j.steps[1..] {
        s.evidence["max_retrieval_ms"] = json!(60_000);
    }
    j.reason = Some("retrieve v: not retrieved within max_retrieval 1m".into());
    insta::assert_snapshot!("drill_human", runready::report::drill::human(std::slice::from_ref(&j), false));
    insta::assert_snapshot!("drill_markdown", runready::report::drill::markdown(std::slice::from_ref(&j)));
    insta::assert_snapshot!("drill_junit", runready::report::drill::junit(std::slice::from_ref(&j)));
}
