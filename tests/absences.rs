//! absences.md through the rules and the CLI: leave, COV-006 (N-1), COV-007, and
//! `coverage --without` / `--load`.

mod common;
use common::drills::{run as cli, runready};
use common::*;
use serde_json::Value;

/// Follow the sun: London weekdays (a, b), New York weekdays (c, d), and one person (w) on
/// weekends; step 1 pages the region's rotation and waits 20 minutes, step 2 the lead.
fn follow_the_sun(n_minus_one: bool) -> String {
    format!(
        r#"apiVersion: runready.dev/v1
kind: SupportModel
metadata: {{ name: fts, reviewed: 2026-10-01, review_interval: P365D }}
tiers:
  critical: {{ availability: always, required_coverage: always, n_minus_one: {n_minus_one} }}
severities:
  - {{ id: sev1, aws_severity: urgent, targets: {{ acknowledge: PT15M, engage_vendor: PT30M, restore: PT4H }} }}
contacts:
  - {{ id: a, kind: person, timezone: Europe/London, channels: [{{ type: sms, address: "1" }}] }}
  - {{ id: b, kind: person, timezone: Europe/London, channels: [{{ type: sms, address: "2" }}] }}
  - {{ id: c, kind: person, timezone: America/New_York, channels: [{{ type: sms, address: "3" }}] }}
  - {{ id: d, kind: person, timezone: America/New_York, channels: [{{ type: sms, address: "4" }}] }}
  - {{ id: w, kind: person, timezone: UTC, channels: [{{ type: sms, address: "5" }}] }}
  - {{ id: lead, kind: person, timezone: UTC, channels: [{{ type: sms, address: "6" }}] }}
  - {{ id: noc, kind: team, always_reachable: true, channels: [{{ type: voice, address: "0" }}] }}
rotations:
  london: {{ timezone: UTC, members: [a, b], start: 2026-11-02T00:00, handoff: P1W, restrictions: [{{ days: [mon, tue, wed, thu, fri], from: "00:00", to: "12:00" }}] }}
  newyork: {{ timezone: UTC, members: [c, d], start: 2026-11-02T00:00, handoff: P1W, restrictions: [{{ days: [mon, tue, wed, thu, fri], from: "12:00", to: "24:00" }}] }}
  weekend: {{ timezone: UTC, members: [w], start: 2026-11-02T00:00, handoff: P1W, restrictions: [{{ days: [sat, sun], from: "00:00", to: "24:00" }}] }}
escalations:
  main:
    steps:
      - {{ notify: [rotation:london, rotation:newyork, rotation:weekend], timeout: PT20M }}
      - {{ notify: [contact:lead], timeout: PT10M }}
    final_fallback: contact:noc
services:
  - {{ id: api, tier: critical, owner: t, escalation: main }}
"#
    )
}

#[test]
fn n_minus_one_finds_the_weekend_single_point_of_failure() {
    let r = run(&follow_the_sun(true));
    let f = assert_fails(&r, "COV-006");
    // w is alone on weekends and step 1 waits 20m > acknowledge 15m before the lead.
    assert!(f[0].message.contains("w absent: sev1: 20m at Sat 2026-11-28 00:00 UTC: step 1 (rotation:london, rotation:newyork, rotation:weekend) reaches nobody"), "{}", f[0].message);
    assert!(f[0].message.contains("w absent), waits 20m; step 2 (contact:lead) reaches lead by sms at +20m"), "{}", f[0].message);
    // a, b, c, d are each alone on duty in their week, too: every one of them breaks it.
    assert!(f[0].message.starts_with("5 single absence(s) break a target"), "{}", f[0].message);
    // With the lead in step 1 beside the rotations, no single absence breaks it.
    let fixed =
        follow_the_sun(true).replace("[rotation:london, rotation:newyork, rotation:weekend], timeout: PT20M", "[rotation:london, rotation:newyork, rotation:weekend, contact:lead], timeout: PT20M");
    assert_passes(&run(&fixed), "COV-006");
    // Opt in only.
    let r = run(&follow_the_sun(false));
    assert!(r.iter().filter(|x| x.rule == "COV-006").all(|x| x.message.starts_with("not required")));
}

#[test]
fn leave_makes_a_person_unreachable_and_is_named_in_causes() {
    let yaml = BASE.replace(
        "  - { id: a, kind: person, channels: [{ type: sms, address: \"1\" }] }",
        "  - { id: a, kind: person, timezone: Europe/London, channels: [{ type: sms, address: \"1\" }], leave: [{ from: 2026-11-24, to: 2026-11-25 }, { from: 2026-12-01T13:00, to: 2026-12-01T17:00 }] }",
    );
    let f = assert_fails(&run(&yaml), "COV-001");
    assert!(f[0].message.contains("a on leave 2026-11-24..2026-11-25 (contact:a leave[0])"), "{}", f[0].message);
    assert!(f[0].message.contains("Mon 2026-11-23 23:59") || f[0].message.contains("Tue 2026-11-24 00:00"), "{}", f[0].message);
    // Mixed kinds and reversed stretches do not load.
    for bad in ["{ from: 2026-11-24, to: 2026-11-25T10:00 }", "{ from: 2026-11-25, to: 2026-11-24 }"] {
        let l = runready::load::load_str("m.yaml", &BASE.replace("channels: [{ type: sms, address: \"1\" }] }", &format!("channels: [{{ type: sms, address: \"1\" }}], leave: [{bad}] }}")));
        assert!(l.diagnostics.iter().any(|d| d.message.contains("leave") && d.location.is_some()), "{bad}: {:#?}", l.diagnostics);
    }
}

#[test]
fn load_share_fails_when_one_person_carries_too_much() {
    let yaml = follow_the_sun(false).replace("n_minus_one: false", "max_load_share: 0.6");
    let r = run(&yaml);
    let f = assert_fails(&r, "COV-007");
    assert!(f.iter().any(|x| x.subject == "rotation:weekend" && x.message.starts_with("w 100% of its")), "{f:#?}");
    assert!(r.iter().any(|x| x.rule == "COV-007" && x.subject == "rotation:london" && x.status == runready::rules::Status::Pass));
}

#[test]
fn coverage_without_and_load() {
    let dir = model_dir(&follow_the_sun(false));
    let (code, out, err) = cli(runready().arg("coverage").arg(dir.path()).args(["--at", AT, "--horizon", "P7D", "--without", "w", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let cov: Value = serde_json::from_str(&out).unwrap();
    let worst = cov["services"][0]["severities"][0]["worst_seconds"].as_i64().unwrap();
    assert_eq!(worst, 20 * 60, "{out}");
    assert!(cov["services"][0]["severities"][0]["worst_cause"].as_str().unwrap().contains("w absent"), "{out}");
    let (code, _, err) = cli(runready().arg("coverage").arg(dir.path()).args(["--without", "nobody"]));
    assert_eq!(code, 2);
    assert!(err.contains("--without nobody: no such contact"), "{err}");
    let (code, _, err) = cli(runready().arg("coverage").arg(dir.path()).args(["--without", "noc"]));
    assert_eq!(code, 2, "{err}");

    let (code, out, err) = cli(runready().arg("coverage").arg(dir.path()).args(["--at", "2026-11-23T00:00:00Z", "--horizon", "P7D", "--load", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let load: Value = serde_json::from_str(&out).unwrap();
    let weekend = load["load"].as_array().unwrap().iter().find(|r| r["subject"] == "rotation:weekend").unwrap();
    assert_eq!(weekend["people"][0], serde_json::json!({ "contact": "w", "hours": 48.0, "night_hours": 18.0, "weekend_hours": 48.0, "holiday_hours": 0.0 }));
    let london = load["load"].as_array().unwrap().iter().find(|r| r["subject"] == "rotation:london").unwrap();
    // b has the week of 2026-11-23 (5 x 12 h), a none: balance 0.
    assert_eq!((london["people"][0]["contact"].as_str(), london["people"][0]["hours"].as_f64()), (Some("a"), Some(0.0)));
    assert_eq!((london["people"][1]["contact"].as_str(), london["people"][1]["hours"].as_f64()), (Some("b"), Some(60.0)));
    assert_eq!(london["balance"], 0.0);
}
