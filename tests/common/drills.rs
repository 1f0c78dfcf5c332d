//! Drill test models: the common base with drill intervals, test-controlled artifacts and
//! drills, run through the real binary.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::Path;

/// The base model with an AWS account on the vendor (moto's), an external vendor, drill
/// intervals on the tier, and `artifacts`/`drills` given by the test.
pub fn model(dir: &Path, artifacts: &str, service_artifacts: &str, drills: &str) {
    let yaml = super::BASE
        .replace("critical: { availability: always, required_coverage: always }", "critical: { availability: always, required_coverage: always, drill_interval: P90D, process_test_interval: P180D }")
        .replace("aws: { kind: aws_support, plan: business, request_template: std }", "aws: { kind: aws_support, accounts: [\"123456789012\"], plan: business, request_template: std, test_case: { subject: \"TEST CASE-Please ignore\", severity: low } }\n  ext: { kind: external, contact: support@vendor.example, coverage: biz, response: { urgent: PT1H, high: PT2H }, request_template: std }")
        .replace("body: \"{{ impact }}\"", "body: \"We are running {{ product_version }}. Impact: {{ impact }}\"")
        .replace("  v: { kind: version, environment: production, retrieve: { command: x }, max_retrieval: PT1M }\n  c: { kind: config, environment: production, retrieve: { file: /x }, max_retrieval: PT1M }\n  l: { kind: logs, environment: production, retrieve: { command: y }, max_retrieval: PT1M }\n", artifacts)
        .replace("artifacts: [v, c, l] }", &format!("artifacts: [{service_artifacts}], aws: {{ accounts: [\"123456789012\"], regions: [us-east-1] }} }}"))
        + "drills:\n"
        + drills;
    std::fs::write(dir.join("model.yaml"), yaml).unwrap();
    std::fs::write(dir.join("rb.md"), super::RUNBOOK).unwrap();
}

pub fn runready() -> Command {
    let mut c = Command::cargo_bin("runready").unwrap();
    c.env("NO_COLOR", "1").env_remove("CI");
    c
}

pub fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// The journals written into `dir`, parsed.
pub fn journals(dir: &Path) -> Vec<runready::drill::journal::Journal> {
    runready::drill::journal::read(&[dir.to_path_buf()]).unwrap().into_iter().map(|(_, j)| j).collect()
}
