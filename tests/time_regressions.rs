//! Regressions found by an independent, minute-by-minute implementation of
//! support-model.md's "Semantics" (issue 10): each repro as the user ran it, through the
//! real binary, and the decisions taken on the spec's silences.

mod common;

use assert_cmd::Command;
use common::{assert_fails, assert_passes, base_with, run, statuses};
use runready::rules::Status;
use std::time::Duration;

const HEAD: &str = "apiVersion: runready.dev/v1\nkind: SupportModel\nmetadata: { name: repro }\n";

/// A 24x7 team that is always reachable: the smallest model that walks.
const NOC_ONLY: &str = r#"tiers: { t: { availability: always, required_coverage: always } }
severities: [{ id: s1, aws_severity: urgent, targets: { acknowledge: PT15M } }]
contacts: [{ id: noc, kind: team, always_reachable: true, channels: [{ type: voice, address: "1" }] }]
escalations: { e: { steps: [{ notify: [contact:noc], timeout: PT5M }], final_fallback: contact:noc } }
services: [{ id: svc, tier: t, escalation: e }]
"#;

/// Issue 10, repro 3: a calendar clock and a two-step walk.
const CALENDAR_CLOCK: &str = r#"calendars: { sun03: { timezone: UTC, weekly: [{ days: [sun], from: "03:00", to: "04:00" }] } }
severities: [{ id: s1, aws_severity: urgent, clock: sun03, targets: { acknowledge: PT15M } }]
contacts:
  - { id: x, kind: person, channels: [{ type: email, address: "x@x" }] }
  - { id: y, kind: person, channels: [{ type: sms, address: "1" }] }
  - { id: noc, kind: team, always_reachable: true, channels: [{ type: voice, address: "2" }] }
rotations: { r: { timezone: UTC, members: [x, y], start: 2026-10-24T21:00, handoff: PT8H } }
escalations: { e: { steps: [{ notify: [rotation:r], timeout: PT150M }, { notify: [rotation:r], timeout: PT30M }], final_fallback: contact:noc } }
tiers: { t: { availability: always, required_coverage: always } }
services: [{ id: svc, tier: t, escalation: e }]
"#;

fn runready() -> Command {
    let mut c = Command::cargo_bin("runready").unwrap();
    // A run that used to hang fails the test instead of stalling the suite.
    c.env("NO_COLOR", "1").env_remove("CI").timeout(Duration::from_secs(60));
    c
}

fn model(body: &str) -> tempfile::TempDir {
    common::model_dir(&format!("{HEAD}{body}"))
}

fn run_cli(args: &[&str]) -> (i32, String) {
    let out = runready().args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

fn coverage_json(dir: &tempfile::TempDir, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["coverage", dir.path().to_str().unwrap(), "--format", "json"];
    all.extend_from_slice(args);
    let (code, out) = run_cli(&all);
    assert_eq!(code, 0, "{out}");
    serde_json::from_str(&out).unwrap()
}

/// The filled cells of the first severity's heatmap, as (weekday 0 = Monday, hour).
fn filled(doc: &serde_json::Value) -> Vec<(usize, usize)> {
    let grid = doc["services"][0]["severities"][0]["heatmap"].as_array().unwrap();
    let mut out = Vec::new();
    for (d, row) in grid.iter().enumerate() {
        for (h, cell) in row.as_array().unwrap().iter().enumerate() {
            if !cell.is_null() {
                out.push((d, h));
            }
        }
    }
    out
}

#[test]
fn lord_howe_fall_back_in_tz_terminates_everywhere() {
    let dir = model(NOC_ONLY);
    let path = dir.path().to_str().unwrap();
    let lh = ["--at", "2027-04-03T14:00:00Z", "--horizon", "P1D", "--tz", "Australia/Lord_Howe"];
    let doc = coverage_json(&dir, &lh);
    // 24 hours of instants, in 23 local hours plus the repeated half hour: 01 holds both
    // occurrences of 01:30..02:00, so exactly 24 distinct local hours are filled.
    assert_eq!(filled(&doc).len(), 24, "{doc:#}");
    let svg = dir.path().join("c.svg");
    let (code, out) = run_cli(&[&["coverage", path, "--svg", svg.to_str().unwrap()], &lh[..]].concat());
    assert_eq!(code, 0, "{out}");
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
    let md = dir.path().join("summary.md");
    let (code, out) = run_cli(&[&["check", path, "--markdown", md.to_str().unwrap()], &lh[..]].concat());
    assert!(code == 0 || code == 1, "{out}");
    assert!(std::fs::read_to_string(&md).unwrap().contains("Time to engage"));
    // The bundled AMS example, over Lord Howe's fall-back.
    let (code, out) = run_cli(&["coverage", "examples/ams", "--at", "2027-03-25T00:00:00Z", "--tz", "Australia/Lord_Howe"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn heatmap_hour_after_lord_howe_spring_forward() {
    let body = NOC_ONLY.replace("required_coverage: always", "required_coverage: sun3")
        + "calendars: { sun3: { timezone: Australia/Lord_Howe, weekly: [{ days: [sun], from: \"03:00\", to: \"04:00\" }] } }\n";
    let dir = model(&body);
    let doc = coverage_json(&dir, &["--at", "2027-10-02T12:00:00Z", "--horizon", "P1D", "--tz", "Australia/Lord_Howe"]);
    assert_eq!(filled(&doc), vec![(6, 3)], "only Sunday 03 needs coverage: {doc:#}");
}

#[test]
fn worst_time_on_a_calendar_clock_is_reported_at_its_earliest_instant() {
    let dir = model(CALENDAR_CLOCK);
    let doc = coverage_json(&dir, &["--at", "2026-10-24T21:00:00Z", "--horizon", "PT12H"]);
    let sev = &doc["services"][0]["severities"][0];
    assert_eq!(sev["worst_seconds"], 3600);
    assert_eq!(sev["worst_at"], "2026-10-25T01:00:00Z");
    assert!(sev["worst_cause"].as_str().unwrap().starts_with("Sun 2026-10-25 01:00 UTC: "), "{sev:#}");
    // ESC-002 says the same, and simulate at that instant agrees.
    let (_, out) = run_cli(&["check", dir.path().to_str().unwrap(), "--at", "2026-10-24T21:00:00Z", "--horizon", "PT12H", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let esc002 = report["results"].as_array().unwrap().iter().find(|r| r["rule"] == "ESC-002").unwrap();
    assert_eq!(esc002["evidence"]["worst_at"], "2026-10-25T01:00:00Z", "{esc002:#}");
    assert_eq!(esc002["evidence"]["worst_seconds"], 3600);
    let (_, out) = run_cli(&["simulate", dir.path().to_str().unwrap(), "--service", "svc", "--severity", "s1", "--at", "2026-10-25T01:00:00Z", "--format", "json"]);
    let sim: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sim["time_to_engage_seconds"], 3600);
}

#[test]
fn clock_always_is_the_wall_clock() {
    let yaml = base_with("{ id: sev1, aws_severity: urgent, targets:", "{ id: sev1, aws_severity: urgent, clock: always, targets:");
    let results = run(&yaml);
    assert_passes(&results, "SM-001");
    assert_passes(&results, "SEV-004");
    assert_passes(&results, "SEV-001");
    assert_passes(&results, "ESC-002");
    // A clock that names nothing is still SM-001.
    let results = run(&base_with("{ id: sev1, aws_severity: urgent, targets:", "{ id: sev1, aws_severity: urgent, clock: allways, targets:"));
    let f = assert_fails(&results, "SM-001");
    assert!(f[0].help.as_deref().unwrap_or_default().contains("did you mean `always`?"), "{f:#?}");
}

#[test]
fn a_first_contact_at_the_timeout_does_not_staff_the_step() {
    let yaml = base_with(
        "  - { id: a, kind: person, channels: [{ type: sms, address: \"1\" }] }",
        "  - { id: a, kind: person, channels: [{ type: sms, address: \"1\" }], notification_rules: [{ after: PT5M, channel: sms }] }",
    );
    let results = run(&yaml);
    let gaps = assert_fails(&results, "COV-001");
    assert!(gaps[0].message.contains("a is first interrupted at +5m, at the timeout"), "{}", gaps[0].message);
    let slow = assert_fails(&results, "ESC-003");
    assert!(slow[0].message.contains("a is first interrupted at +5m"), "{}", slow[0].message);
    // One minute earlier, the step is staffed.
    let yaml = yaml.replace("after: PT5M", "after: PT4M");
    let results = run(&yaml);
    assert_passes(&results, "COV-001");
    assert_passes(&results, "ESC-003");
    // One minute later, "after" the timeout.
    let results = run(&yaml.replace("after: PT4M", "after: PT6M"));
    assert!(assert_fails(&results, "COV-001")[0].message.contains("at +6m, after the timeout"));
}

fn on_duty(body: &str, rotation: &str, at: &str) -> Option<String> {
    let l = runready::load::load_str("m.yaml", &format!("{HEAD}{body}"));
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let h = runready::time::Horizon::new("2026-03-01T00:00:00Z".parse().unwrap(), runready::model::Duration::from_days(30));
    let d = runready::time::rotation::duties(&l.model.rotations[rotation], h);
    let t: jiff::Timestamp = at.parse().unwrap();
    d.iter().find(|d| d.interval.start <= t && t < d.interval.end).map(|d| d.member.clone())
}

#[test]
fn overrides_have_no_effect_before_start() {
    let people = "contacts:\n  - { id: a, kind: person, channels: [{ type: sms, address: '1' }] }\n  - { id: b, kind: person, channels: [{ type: sms, address: '2' }] }\n";
    let body = format!(
        "{people}rotations:\n  r: {{ timezone: UTC, members: [a], start: 2026-03-10T00:00, handoff: P1W, overrides: [{{ from: 2026-03-05T00:00, to: 2026-03-06T00:00, member: b }}, {{ from: 2026-03-09T12:00, to: 2026-03-10T12:00, member: b }}] }}\n"
    );
    assert_eq!(on_duty(&body, "r", "2026-03-05T12:00:00Z"), None);
    assert_eq!(on_duty(&body, "r", "2026-03-09T18:00:00Z"), None);
    assert_eq!(on_duty(&body, "r", "2026-03-10T06:00:00Z").as_deref(), Some("b"));
    assert_eq!(on_duty(&body, "r", "2026-03-10T12:00:00Z").as_deref(), Some("a"));
    // New York springs forward on 2026-03-08 at 02:00: a 02:30 start moves to 03:30 EDT,
    // past the beginning of an override from 03:00, which counts from 03:30 only.
    let body = format!(
        "{people}rotations:\n  r: {{ timezone: America/New_York, members: [a], start: 2026-03-08T02:30, handoff: P1W, overrides: [{{ from: 2026-03-08T03:00, to: 2026-03-08T04:00, member: b }}] }}\n"
    );
    assert_eq!(on_duty(&body, "r", "2026-03-08T07:15:00Z"), None);
    assert_eq!(on_duty(&body, "r", "2026-03-08T07:45:00Z").as_deref(), Some("b"));
    assert_eq!(on_duty(&body, "r", "2026-03-08T08:00:00Z").as_deref(), Some("a"));
}

#[test]
fn gaps_are_listed_in_the_chosen_zone_with_the_offset_when_ambiguous() {
    // Nobody is on duty before the rotation starts, at 01:30 EST, after New York's fall-back.
    let body = r#"tiers: { t: { availability: always, required_coverage: always } }
severities: [{ id: s1, aws_severity: urgent, targets: { acknowledge: PT15M } }]
contacts: [{ id: a, kind: person, channels: [{ type: sms, address: "1" }] }]
rotations: { r: { timezone: America/New_York, members: [a], start: 2026-11-01T01:30, handoff: P1W } }
escalations: { e: { steps: [{ notify: [rotation:r], timeout: PT5M }], final_fallback: rotation:r } }
services: [{ id: svc, tier: t, escalation: e }]
"#;
    let dir = model(body);
    let (_, out) = run_cli(&["coverage", dir.path().to_str().unwrap(), "--at", "2026-11-01T04:00:00Z", "--horizon", "PT4H", "--tz", "America/New_York"]);
    // 01:30 occurs twice that night; `start` takes the first occurrence (EDT).
    assert!(out.contains("Sun 2026-11-01 00:00 America/New_York → Sun 2026-11-01 01:30 -04:00 America/New_York (1h30m)"), "{out}");
    assert!(!out.contains("2026-11-01T04:00:00Z"), "{out}");
}

#[test]
fn notification_rules_without_an_interruptive_channel_say_so() {
    let yaml = base_with(
        "  - { id: a, kind: person, channels: [{ type: sms, address: \"1\" }] }",
        "  - { id: a, kind: person, channels: [{ type: sms, address: \"1\" }, { type: chat, address: \"@a\" }], notification_rules: [{ after: PT0M, channel: chat }] }",
    );
    let results = run(&yaml);
    let gaps = assert_fails(&results, "COV-001");
    assert!(gaps[0].message.contains("a's notification rules use no interruptive channel"), "{}", gaps[0].message);
    let esc = assert_fails(&results, "ESC-003");
    assert!(esc[0].message.contains("a has notification rules that use no interruptive channel"), "{}", esc[0].message);
}

#[test]
fn a_notification_rule_for_a_channel_the_contact_lacks_is_sm001_and_ignored() {
    let yaml = base_with(
        "  - { id: a, kind: person, channels: [{ type: sms, address: \"1\" }] }",
        "  - { id: a, kind: person, channels: [{ type: email, address: \"a@x\" }], notification_rules: [{ after: PT1M, channel: sms }] }",
    );
    let results = run(&yaml);
    let sm = assert_fails(&results, "SM-001");
    assert_eq!(sm.len(), 1, "{sm:#?}");
    assert!(sm[0].message.contains("notification rule 1 of a uses channel `sms`, but a has no sms channel"), "{}", sm[0].message);
    let at = sm[0].location.as_ref().unwrap();
    assert_eq!(at.path, "contacts[0].notification_rules[0].channel", "{sm:#?}");
    assert_eq!(at.line, 13, "the line of the rule's channel in the base model: {sm:#?}");
    // Ignored: `a` (email only) reaches nobody, and nothing becomes unknown.
    let gaps = assert_fails(&results, "COV-001");
    assert!(gaps[0].message.contains("a has no interruptive channel"), "{}", gaps[0].message);
    assert!(
        results.iter().all(|r| r.status != Status::Unknown || r.rule.starts_with("DRL") || r.rule.starts_with("AWS")),
        "{:#?}",
        results.iter().filter(|r| r.status == Status::Unknown).collect::<Vec<_>>()
    );
    // The same rule on someone with an sms channel is fine.
    let ok = base_with("channels: [{ type: sms, address: \"1\" }] }", "channels: [{ type: sms, address: \"1\" }], notification_rules: [{ after: PT1M, channel: sms }] }");
    assert_eq!(statuses(&run(&ok), "SM-001").iter().filter(|s| **s == Status::Fail).count(), 0);
}

#[test]
fn simulate_json_says_what_each_entry_is() {
    let dir = model(NOC_ONLY);
    let (code, out) = run_cli(&["simulate", dir.path().to_str().unwrap(), "--service", "svc", "--severity", "s1", "--at", "2026-11-23T10:00:00Z", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let sim: serde_json::Value = serde_json::from_str(&out).unwrap();
    let steps = sim["steps"].as_array().unwrap();
    assert_eq!(steps[0]["kind"], "step");
    assert_eq!(steps[0]["step"], 1);
    assert_eq!(steps[0]["pass"], 1);
    let fallback = steps.last().unwrap();
    assert_eq!(fallback["kind"], "fallback");
    assert!(fallback.get("step").is_none() && fallback.get("pass").is_none(), "{fallback:#}");
}
