//! Shared helpers: a small model that passes every static rule, and a runner.
#![allow(dead_code)]

pub mod drills;
pub mod pki;

use runready::rules::{Options, RuleResult, Status, evaluate};
use std::path::PathBuf;

pub const BASE: &str = r#"apiVersion: runready.dev/v1
kind: SupportModel
metadata: { name: base, reviewed: 2026-10-01, review_interval: P365D }
holidays: { uk: [2026-12-25] }
calendars:
  biz: { timezone: Europe/London, weekly: [{ days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00" }], exclude_holidays: [uk] }
tiers:
  critical: { availability: always, required_coverage: always }
severities:
  - { id: sev1, aws_severity: urgent, targets: { acknowledge: PT15M, engage_vendor: PT30M, restore: PT4H } }
  - { id: sev2, aws_severity: high, targets: { acknowledge: PT30M, engage_vendor: PT1H, restore: P1D } }
contacts:
  - { id: a, kind: person, channels: [{ type: sms, address: "1" }] }
  - { id: noc, kind: team, always_reachable: true, channels: [{ type: voice, address: "2" }] }
rotations:
  primary: { timezone: UTC, members: [a], start: 2026-01-05T09:00, handoff: P1W }
escalations:
  main:
    steps:
      - { notify: [rotation:primary], timeout: PT5M }
      - { notify: [contact:noc], timeout: PT10M, vendor_case: aws }
    final_fallback: contact:noc
vendors:
  aws: { kind: aws_support, plan: business, request_template: std }
request_templates:
  std: { required_fields: [product_version, impact, observed_behavior, expected_behavior], body: "{{ impact }}" }
runbooks:
  rb: { path: rb.md, reviewed: 2026-10-01, max_age: P180D, required_sections: [Restore] }
artifacts:
  v: { kind: version, environment: production, retrieve: { command: x }, max_retrieval: PT1M }
  c: { kind: config, environment: production, retrieve: { file: /x }, max_retrieval: PT1M }
  l: { kind: logs, environment: production, retrieve: { command: y }, max_retrieval: PT1M }
services:
  - { id: api, tier: critical, owner: t, product_version: "1", escalation: main, vendors: [aws], runbooks: [rb], artifacts: [v, c, l] }
"#;

pub const RUNBOOK: &str = "# RB\n\n## Restore\n\nDo the thing.\n";

pub const AT: &str = "2026-11-23T10:00:00Z";

/// Writes `yaml` (and a runbook) into a fresh directory and returns it.
pub fn model_dir(yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.yaml"), yaml).unwrap();
    std::fs::write(dir.path().join("rb.md"), RUNBOOK).unwrap();
    dir
}

pub fn options() -> Options {
    Options::at(AT.parse().unwrap())
}

/// Loads `yaml` (which must load) and evaluates every rule.
pub fn run_with(yaml: &str, opts: &Options) -> Vec<RuleResult> {
    let dir = model_dir(yaml);
    let loaded = runready::load::load(&[PathBuf::from(dir.path())]);
    assert!(loaded.diagnostics.is_empty(), "model does not load: {:#?}", loaded.diagnostics);
    evaluate(&loaded.model, &loaded.sources, opts).results
}

pub fn run(yaml: &str) -> Vec<RuleResult> {
    run_with(yaml, &options())
}

/// Replaces `from` (which must occur) with `to` in the base model.
pub fn base_with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "the base model has no {from:?}");
    BASE.replacen(from, to, 1)
}

pub fn statuses(results: &[RuleResult], rule: &str) -> Vec<Status> {
    results.iter().filter(|r| r.rule == rule).map(|r| r.status).collect()
}

pub fn fails(results: &[RuleResult], rule: &str) -> Vec<RuleResult> {
    results.iter().filter(|r| r.rule == rule && r.status == Status::Fail).cloned().collect()
}

/// The rule has results and none of them fails.
pub fn assert_passes(results: &[RuleResult], rule: &str) {
    let s = statuses(results, rule);
    assert!(!s.is_empty(), "{rule} reported nothing");
    assert!(s.iter().all(|s| *s == Status::Pass), "{rule} did not pass: {:#?}", results.iter().filter(|r| r.rule == rule).collect::<Vec<_>>());
}

/// The rule fails at least once; returns the failures.
pub fn assert_fails(results: &[RuleResult], rule: &str) -> Vec<RuleResult> {
    let f = fails(results, rule);
    assert!(!f.is_empty(), "{rule} did not fail: {:#?}", results.iter().filter(|r| r.rule == rule).collect::<Vec<_>>());
    f
}
