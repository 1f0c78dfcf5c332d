//! Live drills against AWS: a moto server for CreateCase, DescribeCases, ResolveCase and
//! SNS (moto does not keep ResolveCase's state, so its request recorder shows the calls);
//! a local endpoint for refusals and for AWS Health (CBOR). The case is always resolved.
#![cfg(feature = "aws")]

mod common;
#[path = "common/fake_aws.rs"]
mod fake_aws;
#[path = "common/http.rs"]
mod http;
#[path = "common/moto.rs"]
mod moto;

use common::drills::{journals, model, run, runready};
use moto::Moto;
use runready::drill::journal::Outcome;
use std::path::Path;

const ARTIFACTS: &str = "  v: { kind: version, environment: production, retrieve: { command: \"echo 1.2.3\" }, max_retrieval: PT10S }\n  c: { kind: config, environment: production, retrieve: { command: \"echo port: 1\" }, max_retrieval: PT10S }\n  l: { kind: logs, environment: production, retrieve: { command: \"echo ok\" }, max_retrieval: PT10S }\n";

fn process_test(extra_steps: &str, safety: &str) -> String {
    format!(
        "  - id: pt\n    kind: process_test\n    services: [api]\n    every: P90D\n{safety}    steps:\n      - vendor_case: {{ vendor: aws, fields: {{ impact: \"None: drill\" }} }}\n{extra_steps}"
    )
}

fn drill(moto: &Moto, dir: &Path, jdir: &Path) -> assert_cmd::Command {
    let mut c = runready();
    for (k, v) in moto.env() {
        c.env(k, v);
    }
    c.arg("drill").arg(dir).arg("--live").args(["--aws-max-attempts", "1"]).arg("--journal-dir").arg(jdir);
    c
}

fn ops(calls: &[(String, serde_json::Value)]) -> Vec<&str> {
    calls.iter().map(|(op, _)| op.as_str()).collect()
}

#[test]
fn a_process_test_opens_describes_and_resolves_its_case() {
    let moto = Moto::start();
    let topic = moto.topic_with_queue("oncall", "eu-west-1");
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), ARTIFACTS, "v, c, l", &process_test(&format!("      - vendor_case: ext\n      - sns_publish: {{ topic: \"{topic}\" }}\n      - retrieve: [v, c, l]\n"), ""));
    let jdir = tempfile::tempdir().unwrap();
    moto.start_recording();
    let (code, out, err) = run(&mut drill(&moto, dir.path(), jdir.path()));
    assert_eq!(code, 0, "{out}{err}");
    let j = &journals(jdir.path())[0];
    assert_eq!(j.outcome, Outcome::Pass, "{j:#?}");
    let case = &j.steps[0];
    let id = case.evidence["case_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("case-"), "{id}");
    assert_eq!(case.evidence["subject"], "TEST CASE-Please ignore");
    let cleanup = case.cleanup.as_ref().unwrap();
    assert_eq!((cleanup.action.as_str(), cleanup.outcome), ("resolve_case", Outcome::Pass));
    // The calls moto saw: open, look, resolve — with the rendered request.
    let calls = moto.support_calls();
    assert_eq!(ops(&calls), vec!["CreateCase", "DescribeCases", "ResolveCase"]);
    assert_eq!(calls[0].1["subject"], "TEST CASE-Please ignore");
    assert_eq!(calls[0].1["severityCode"], "low");
    assert_eq!(calls[0].1["communicationBody"], format!("We are running 1. Impact: None: drill\n\nrunready-run: pt {}", j.started_at));
    assert_eq!(calls[2].1["caseId"], id.as_str());
    // The external vendor's request is recorded, not sent; the notification arrived.
    assert!(j.steps[1].evidence["body"].as_str().unwrap().starts_with("We are running 1."));
    assert_eq!(moto.received("oncall", "eu-west-1").len(), 1);
    assert!(j.steps[2].evidence["message_id"].as_str().is_some());

    // check --journal counts it: DRL-001 (service and vendors), DRL-003, DRL-004 pass.
    let (_, out, _) = run(runready().arg("check").arg(dir.path()).arg("--journal").arg(jdir.path()).args(["--format", "json"]));
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let drl: Vec<(String, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"].as_str().unwrap().starts_with("DRL-0") && r["rule"] != "DRL-002")
        .map(|r| (r["rule"].as_str().unwrap().to_string(), r["status"].as_str().unwrap().to_string()))
        .collect();
    assert!(drl.iter().all(|(_, s)| s == "pass"), "{drl:#?}");
    for rule in ["DRL-001", "DRL-003", "DRL-004"] {
        assert!(drl.iter().any(|(r, _)| r == rule), "{rule} missing: {drl:#?}");
    }
    assert_eq!(report["drills"][0]["drill"], "pt");
}

#[test]
fn a_refused_case_and_a_missing_topic_are_failed_steps() {
    let moto = Moto::start();
    let refuse = http::HttpServer::start(|_| {
        Some((400, "application/x-amz-json-1.1", br#"{"__type":"SubscriptionRequiredException","message":"AWS Premium Support Subscription is required to use this service."}"#.to_vec()))
    });
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), ARTIFACTS, "v, c, l", &process_test("      - sns_publish: { topic: \"arn:aws:sns:eu-west-1:123456789012:nobody\" }\n", ""));
    let jdir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(drill(&moto, dir.path(), jdir.path()).env("AWS_ENDPOINT_URL_SUPPORT", &refuse.url));
    assert_eq!(code, 1, "{out}{err}");
    let j = &journals(jdir.path())[0];
    assert_eq!(j.outcome, Outcome::Fail);
    let case = &j.steps[0];
    assert_eq!(case.outcome, Outcome::Fail);
    assert!(case.message.as_deref().unwrap().contains("SubscriptionRequiredException"), "{:?}", case.message);
    assert_eq!(case.cleanup.as_ref().unwrap().action, "none");
    assert!(j.steps[1].message.as_deref().unwrap().contains("NotFound"), "{:?}", j.steps[1].message);
    assert!(j.left_open().is_empty());
}

#[test]
fn max_duration_aborts_and_still_resolves_the_case() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), ARTIFACTS, "v, c, l", &process_test("      - probe: { command: \"sleep 30\" }\n      - retrieve: [v]\n", "    safety: { max_duration: PT3S }\n"));
    let jdir = tempfile::tempdir().unwrap();
    moto.start_recording();
    let (code, out, err) = run(&mut drill(&moto, dir.path(), jdir.path()));
    assert_eq!(code, 3, "{out}{err}");
    let j = &journals(jdir.path())[0];
    assert_eq!(j.outcome, Outcome::Aborted);
    assert!(j.reason.as_deref().unwrap().contains("max_duration PT3S reached; cleaned up: resolved case case-"), "{:?}", j.reason);
    assert_eq!(ops(&moto.support_calls()), vec!["CreateCase", "DescribeCases", "ResolveCase"]);
}

#[test]
fn an_interrupted_drill_resolves_its_case_and_says_so() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("started");
    let artifacts = ARTIFACTS.replace("command: \"echo 1.2.3\" }, max_retrieval: PT10S", &format!("command: \"touch {}; sleep 30\" }}, max_retrieval: PT1M", marker.display()));
    model(dir.path(), &artifacts, "v, c, l", &process_test("      - retrieve: [v, c]\n", ""));
    let jdir = tempfile::tempdir().unwrap();
    moto.start_recording();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("runready"));
    cmd.envs(moto.env())
        .env("NO_COLOR", "1")
        .arg("drill")
        .arg(dir.path())
        .arg("--live")
        .arg("--journal-dir")
        .arg(jdir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !marker.exists() {
        assert!(std::time::Instant::now() < deadline, "the retrieve step never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: sends SIGINT to the child we spawned, as Ctrl-C in its terminal would.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stdout));
    let j = &journals(jdir.path())[0];
    assert!(j.interrupted);
    assert_eq!(j.outcome, Outcome::Aborted);
    assert!(j.reason.as_deref().unwrap().starts_with("interrupted; cleaned up: resolved case case-"), "{:?}", j.reason);
    assert_eq!(j.steps[1].outcome, Outcome::Aborted);
    assert_eq!(j.steps[2].message.as_deref(), Some("not run: interrupted"));
    assert_eq!(j.steps[0].cleanup.as_ref().unwrap().outcome, Outcome::Pass);
    assert_eq!(ops(&moto.support_calls()), vec!["CreateCase", "DescribeCases", "ResolveCase"]);
}

#[test]
fn an_open_health_issue_stops_the_drill_before_it_touches_anything() {
    let moto = Moto::start();
    let started = jiff::Timestamp::now().as_second() - 3600;
    let health = http::HttpServer::start(move |r| {
        let body = if r.path.ends_with("/DescribeEvents") {
            serde_json::json!({ "events": [{ "arn": "arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/X1", "service": "EC2", "eventTypeCode": "AWS_EC2_OPERATIONAL_ISSUE", "eventTypeCategory": "issue", "region": "us-east-1", "startTime": started, "statusCode": "open" }] })
        } else if r.path.ends_with("/DescribeEventDetails") {
            serde_json::json!({ "successfulSet": [], "failedSet": [] })
        } else {
            serde_json::json!({ "entities": [] })
        };
        Some((200, "application/cbor", fake_aws::cbor(&body)))
    });
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), ARTIFACTS, "v, c, l", &process_test("", "    safety: { stop_if_open_health_issue: true }\n"));
    let jdir = tempfile::tempdir().unwrap();
    moto.start_recording();
    let (code, out, err) = run(drill(&moto, dir.path(), jdir.path()).env("AWS_ENDPOINT_URL_HEALTH", &health.url));
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("aborted — not started: open AWS Health issue AWS_EC2_OPERATIONAL_ISSUE"), "{out}");
    assert!(moto.support_calls().is_empty(), "a case was opened");
    // Health that cannot be read stops it too (moto has no Health API).
    let (code, out, _) = run(&mut drill(&moto, dir.path(), jdir.path()));
    assert_eq!(code, 3);
    assert!(out.contains("error — not started: AWS Health could not be checked"), "{out}");
}
