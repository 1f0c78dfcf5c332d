//! `runready import pagerduty` against a local fake of the PagerDuty REST API v2 (real HTTP,
//! the real binary): pagination, 429 with Retry-After, a 5xx, the token from the
//! environment, and the answer key over a schedule built to trip naive importers: layers
//! that override each other, a weekly restriction over several days, a daily one across
//! midnight, an ended layer, `rotation_virtual_start` before `start`, an override, hand-offs
//! across the 2026-03-08 DST change, and times rendered in the requester's zone unless asked.
//! PagerDuty's rendered final schedule below was worked out by hand from its documented
//! semantics (layers, restrictions in local time, overrides on top).

mod common;
#[path = "common/http.rs"]
mod http;

use common::drills::{run, runready};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

const TOKEN: &str = "test-token";
const SINCE: &str = "2026-03-02T00:00:00-05:00";

fn user(id: &str, name: &str) -> Value {
    json!({ "id": id, "type": "user", "name": name, "summary": name, "time_zone": "America/New_York" })
}

fn layers() -> Value {
    // Highest priority first, as the API lists them.
    json!([
        { "id": "PL3", "name": "Weekend", "start": "2026-01-01T00:00:00-05:00", "end": null, "rotation_virtual_start": "2026-01-03T00:00:00-05:00", "rotation_turn_length_seconds": 604800,
          "users": [{ "user": { "id": "PU3", "type": "user_reference" } }],
          "restrictions": [{ "type": "weekly_restriction", "start_day_of_week": 6, "start_time_of_day": "00:00:00", "duration_seconds": 172800 }] },
        { "id": "PL2", "name": "Nights", "start": "2026-01-01T00:00:00-05:00", "end": "2026-03-12T00:00:00-04:00", "rotation_virtual_start": "2026-01-01T00:00:00-05:00", "rotation_turn_length_seconds": 86400,
          "users": [{ "user": { "id": "PU4", "type": "user_reference" } }],
          "restrictions": [{ "type": "daily_restriction", "start_time_of_day": "22:00:00", "duration_seconds": 32400 }] },
        { "id": "PL1", "name": "Weekly", "start": "2026-02-01T00:00:00-05:00", "end": null, "rotation_virtual_start": "2025-12-29T09:00:00-05:00", "rotation_turn_length_seconds": 604800,
          "users": [{ "user": { "id": "PU1", "type": "user_reference" } }, { "user": { "id": "PU2", "type": "user_reference" } }],
          "restrictions": [] }
    ])
}

/// PagerDuty's final schedule over [SINCE, SINCE + 14 days), by hand (see the module comment).
fn rendered() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("2026-03-02T00:00:00-05:00", "2026-03-02T07:00:00-05:00", "PU4"),
        ("2026-03-02T07:00:00-05:00", "2026-03-02T09:00:00-05:00", "PU1"),
        ("2026-03-02T09:00:00-05:00", "2026-03-02T22:00:00-05:00", "PU2"),
        ("2026-03-02T22:00:00-05:00", "2026-03-03T07:00:00-05:00", "PU4"),
        ("2026-03-03T07:00:00-05:00", "2026-03-03T22:00:00-05:00", "PU2"),
        ("2026-03-03T22:00:00-05:00", "2026-03-04T07:00:00-05:00", "PU4"),
        ("2026-03-04T07:00:00-05:00", "2026-03-04T12:00:00-05:00", "PU2"),
        ("2026-03-04T12:00:00-05:00", "2026-03-04T18:00:00-05:00", "PU5"),
        ("2026-03-04T18:00:00-05:00", "2026-03-04T22:00:00-05:00", "PU2"),
        ("2026-03-04T22:00:00-05:00", "2026-03-05T07:00:00-05:00", "PU4"),
        ("2026-03-05T07:00:00-05:00", "2026-03-05T22:00:00-05:00", "PU2"),
        ("2026-03-05T22:00:00-05:00", "2026-03-06T07:00:00-05:00", "PU4"),
        ("2026-03-06T07:00:00-05:00", "2026-03-06T22:00:00-05:00", "PU2"),
        ("2026-03-06T22:00:00-05:00", "2026-03-07T00:00:00-05:00", "PU4"),
        ("2026-03-07T00:00:00-05:00", "2026-03-09T00:00:00-04:00", "PU3"),
        ("2026-03-09T00:00:00-04:00", "2026-03-09T07:00:00-04:00", "PU4"),
        ("2026-03-09T07:00:00-04:00", "2026-03-09T09:00:00-04:00", "PU2"),
        ("2026-03-09T09:00:00-04:00", "2026-03-09T22:00:00-04:00", "PU1"),
        ("2026-03-09T22:00:00-04:00", "2026-03-10T07:00:00-04:00", "PU4"),
        ("2026-03-10T07:00:00-04:00", "2026-03-10T22:00:00-04:00", "PU1"),
        ("2026-03-10T22:00:00-04:00", "2026-03-11T07:00:00-04:00", "PU4"),
        ("2026-03-11T07:00:00-04:00", "2026-03-11T22:00:00-04:00", "PU1"),
        ("2026-03-11T22:00:00-04:00", "2026-03-12T00:00:00-04:00", "PU4"),
        ("2026-03-12T00:00:00-04:00", "2026-03-14T00:00:00-04:00", "PU1"),
        ("2026-03-14T00:00:00-04:00", "2026-03-16T00:00:00-04:00", "PU3"),
        // --horizon P14D is elapsed time: across the DST change it ends at 01:00 local.
        ("2026-03-16T00:00:00-04:00", "2026-03-16T01:00:00-04:00", "PU1"),
    ]
}

fn query(path: &str) -> Vec<(String, String)> {
    path.split_once('?')
        .map(|(_, q)| q.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.replace("%5B%5D", "[]"), v.replace("%2F", "/").replace("%3A", ":").replace("%2B", "+"))).collect())
        .unwrap_or_default()
}

/// The fake API. `truth` is the final schedule it renders; `calls` logs every path.
fn fake(truth: Vec<(&'static str, &'static str, &'static str)>) -> (http::HttpServer, Arc<Mutex<Vec<String>>>) {
    fake_with(truth, layers())
}

fn fake_with(truth: Vec<(&'static str, &'static str, &'static str)>, layers: Value) -> (http::HttpServer, Arc<Mutex<Vec<String>>>) {
    let calls: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = calls.clone();
    let server = http::HttpServer::start(move |r| {
        let path = r.path.split('?').next().unwrap_or("").to_string();
        let q = query(&r.path);
        let get = |k: &str| q.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
        let seen = {
            let mut l = log.lock().unwrap();
            l.push(r.path.clone());
            l.iter().filter(|p| p.split('?').next() == Some(path.as_str())).count()
        };
        let auth = r.headers.iter().any(|(k, v)| k == "authorization" && v == &format!("Token token={TOKEN}"));
        let ok = |v: Value| Some((200u16, "application/json", serde_json::to_vec(&v).unwrap()));
        if !auth {
            return Some((401, "application/json", br#"{"error":{"message":"Unauthorized","code":2006}}"#.to_vec()));
        }
        match path.as_str() {
            "/services" => {
                let offset: usize = get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
                let all = [
                    json!({ "id": "PSVC1", "name": "Payments API", "escalation_policy": { "id": "PEP1", "type": "escalation_policy_reference" },
                            "incident_urgency_rule": { "type": "use_support_hours", "during_support_hours": { "type": "constant", "urgency": "high" }, "outside_support_hours": { "type": "constant", "urgency": "low" } },
                            "support_hours": { "type": "fixed_time_per_day", "time_zone": "America/New_York", "days_of_week": [1, 2, 3, 4, 5], "start_time": "09:00:00", "end_time": "17:00:00" } }),
                    json!({ "id": "PSVC2", "name": "Internal Tools", "escalation_policy": { "id": "PEP1" }, "incident_urgency_rule": { "type": "constant", "urgency": "low" } }),
                ];
                // One per page, to make the importer follow `more`.
                ok(json!({ "services": all.get(offset).cloned().into_iter().collect::<Vec<_>>(), "limit": 1, "offset": offset, "more": offset + 1 < all.len() }))
            }
            // Throttled once: the importer must wait for Retry-After and ask again.
            "/escalation_policies/PEP1" if seen == 1 => Some((429, "application/json", br#"{"error":{"message":"Rate Limit Exceeded"}}"#.to_vec())),
            "/escalation_policies/PEP1" => ok(json!({ "escalation_policy": { "id": "PEP1", "name": "Payments Escalation", "num_loops": 1,
                "escalation_rules": [
                    { "id": "R1", "escalation_delay_in_minutes": 10, "targets": [{ "id": "PS1", "type": "schedule_reference" }] },
                    { "id": "R2", "escalation_delay_in_minutes": 15, "escalation_rule_assignment_strategy": { "type": "round_robin" },
                      "targets": [{ "id": "PU5", "type": "user_reference" }, { "id": "PU1", "type": "user_reference" }, { "id": "PT9", "type": "team_reference" }] }
                ] } })),
            "/schedules/PS1" => {
                let tz = get("time_zone");
                let mut s = json!({ "id": "PS1", "name": "Payments Oncall", "time_zone": "America/New_York", "schedule_layers": layers.clone() });
                if tz.as_deref() == Some("America/New_York") {
                    s["final_schedule"] = json!({ "rendered_schedule_entries": truth.iter().map(|(a, b, u)| json!({ "start": a, "end": b, "user": { "id": u } })).collect::<Vec<_>>() });
                } else {
                    // Unless asked, PagerDuty renders in the requester's zone (UTC here).
                    s["final_schedule"] = json!({ "rendered_schedule_entries": [] });
                }
                ok(json!({ "schedule": s }))
            }
            "/schedules/PS1/overrides" => ok(json!({ "overrides": [{ "id": "PO1", "start": "2026-03-04T12:00:00-05:00", "end": "2026-03-04T18:00:00-05:00", "user": { "id": "PU5" } }] })),
            // A server error once: retried with a back-off.
            "/users/PU3" if seen == 1 => Some((503, "application/json", b"{}".to_vec())),
            p if p.starts_with("/users/") => {
                let id = p.trim_start_matches("/users/").split('/').next().unwrap().to_string();
                let names = [("PU1", "Alice Smith"), ("PU2", "Bob Jones"), ("PU3", "Carol White"), ("PU4", "Dave Night"), ("PU5", "Erin Cover")];
                let name = names.iter().find(|(i, _)| *i == id).map(|(_, n)| *n)?;
                if p.ends_with("/contact_methods") {
                    let mut methods = vec![json!({ "id": format!("{id}-sms"), "type": "sms_contact_method", "address": "5550100", "country_code": 1 })];
                    if id == "PU1" {
                        methods.push(json!({ "id": "PU1-mail", "type": "email_contact_method", "address": "alice@example.com" }));
                    }
                    if id == "PU3" {
                        methods.push(json!({ "id": "PU3-hook", "type": "webhook_contact_method", "address": "https://example.com/hook" }));
                    }
                    ok(json!({ "contact_methods": methods, "more": false }))
                } else if p.ends_with("/notification_rules") {
                    assert_eq!(get("urgency").as_deref(), Some("all"), "notification rules must be read for both urgencies");
                    let rules = if id == "PU1" {
                        json!([{ "id": "N1", "start_delay_in_minutes": 0, "urgency": "high", "contact_method": { "id": "PU1-sms", "type": "sms_contact_method_reference" } },
                               { "id": "N2", "start_delay_in_minutes": 0, "urgency": "low", "contact_method": { "id": "PU1-mail", "type": "email_contact_method_reference" } }])
                    } else {
                        json!([{ "id": format!("N-{id}"), "start_delay_in_minutes": 1, "urgency": "high", "contact_method": { "id": format!("{id}-sms"), "type": "sms_contact_method_reference" } }])
                    };
                    ok(json!({ "notification_rules": rules, "more": false }))
                } else {
                    ok(json!({ "user": user(&id, name) }))
                }
            }
            _ => Some((404, "application/json", br#"{"error":{"message":"Not Found"}}"#.to_vec())),
        }
    });
    (server, calls)
}

fn import(url: &str, out: &std::path::Path) -> assert_cmd::Command {
    let mut c = runready();
    c.env("PAGERDUTY_TOKEN", TOKEN).args(["import", "pagerduty", "--api-url", url, "--at", SINCE, "--horizon", "P14D", "--fallback", "contact:noc", "--out"]).arg(out);
    c
}

#[test]
fn an_import_reproduces_pagerdutys_own_final_schedule() {
    let (server, calls) = fake(rendered());
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(&mut import(&server.url, out.path()));
    assert_eq!(code, 0, "{stdout}{stderr}\n{}", std::fs::read_to_string(out.path().join("pagerduty-check.json")).unwrap_or_default());
    assert!(stdout.contains("1 schedule(s) agree with PagerDuty's rendered final schedule over P14D"), "{stdout}");
    // What the model cannot express is a warning with its PagerDuty id.
    assert!(stderr.contains("warning: user PU3: contact method PU3-hook of type `webhook_contact_method` has no channel equivalent"), "{stderr}");
    assert!(stderr.contains("warning: escalation policy PEP1, rule 2: target PT9 of type `team_reference` cannot be expressed"), "{stderr}");
    let calls = calls.lock().unwrap().clone();
    // Pagination followed, the throttled and failed requests retried, schedules read in their zone.
    assert!(calls.iter().any(|c| c.starts_with("/services?") && c.contains("offset=1")), "{calls:?}");
    assert_eq!(calls.iter().filter(|c| c.starts_with("/escalation_policies/PEP1")).count(), 2, "{calls:?}");
    assert_eq!(calls.iter().filter(|c| *c == "/users/PU3").count(), 2, "{calls:?}");
    assert!(calls.iter().any(|c| c.starts_with("/schedules/PS1?") && c.contains("time_zone=America")), "{calls:?}");

    let yaml = std::fs::read_to_string(out.path().join("pagerduty.yaml")).unwrap();
    insta::assert_snapshot!("import_pagerduty_yaml", yaml.replace(&server.url, "http://fake-pagerduty"));
    // examples/pagerduty/paging is this import's output.
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pagerduty/paging");
    assert_eq!(std::fs::read_to_string(example.join("pagerduty.yaml")).unwrap(), yaml.replace(&server.url, "http://fake-pagerduty"), "examples/pagerduty/paging/pagerduty.yaml is out of date");
    assert_eq!(std::fs::read_to_string(example.join("pagerduty-services.yaml.example")).unwrap(), std::fs::read_to_string(out.path().join("pagerduty-services.yaml.example")).unwrap());
    insta::assert_snapshot!("import_pagerduty_services", std::fs::read_to_string(out.path().join("pagerduty-services.yaml.example")).unwrap());
    let check: Value = serde_json::from_str(&std::fs::read_to_string(out.path().join("pagerduty-check.json")).unwrap()).unwrap();
    assert_eq!(check["disagreements"], 0);
    // Reproducible: the same answers give the same bytes.
    let again = tempfile::tempdir().unwrap();
    let (code, _, _) = run(&mut import(&server.url, again.path()));
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(again.path().join("pagerduty.yaml")).unwrap(), yaml);
    // The fragment loads with a team's model and the escalation pages the schedule.
    let model = tempfile::tempdir().unwrap();
    std::fs::write(
        model.path().join("model.yaml"),
        common::BASE.replace(
            "services:\n  - { id: api, tier: critical, owner: t, product_version: \"1\", escalation: main,",
            "services:\n  - { id: api, tier: critical, owner: t, product_version: \"1\", escalation: payments-escalation,",
        ),
    )
    .unwrap();
    std::fs::write(model.path().join("rb.md"), common::RUNBOOK).unwrap();
    let (code, stdout, stderr) = run(runready().arg("check").arg(model.path()).arg(out.path()).args(["--at", "2026-03-02T05:00:00Z", "--format", "json"]));
    assert!(code == 0 || code == 1, "{stdout}{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert!(report["results"].as_array().unwrap().iter().any(|r| r["subject"] == "schedule:payments-oncall"), "no result on the imported schedule");
}

#[test]
fn a_disagreement_with_pagerduty_fails_the_import_and_says_where() {
    // PagerDuty says bob, not alice, holds the Monday-morning hand-over hour after the DST change.
    let mut truth = rendered();
    truth[17] = ("2026-03-09T09:00:00-04:00", "2026-03-09T22:00:00-04:00", "PU2");
    let (server, _) = fake(truth);
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(&mut import(&server.url, out.path()));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("disagrees with PagerDuty's own rendering in 1 stretch(es) over 1 schedule(s)"), "{stderr}");
    let check: Value = serde_json::from_str(&std::fs::read_to_string(out.path().join("pagerduty-check.json")).unwrap()).unwrap();
    assert_eq!(check["schedules"][0]["disagreements"][0], json!({ "from": "2026-03-09T13:00:00Z", "to": "2026-03-10T02:00:00Z", "runready": "alice-smith", "pagerduty": "bob-jones" }));
}

#[test]
fn a_refused_token_a_missing_token_and_an_unreachable_api_are_exit_3() {
    let (server, _) = fake(rendered());
    let out = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(import(&server.url, out.path()).env("PAGERDUTY_TOKEN", "wrong"));
    assert_eq!(code, 3);
    assert!(stderr.contains("HTTP 401: the token was refused") && stderr.contains("Unauthorized"), "{stderr}");
    let (code, _, stderr) = run(import(&server.url, out.path()).env_remove("PAGERDUTY_TOKEN"));
    assert_eq!(code, 3);
    assert!(stderr.contains("no PagerDuty token: set PAGERDUTY_TOKEN"), "{stderr}");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let (code, _, stderr) = run(&mut import(&format!("http://{closed}"), out.path()));
    assert_eq!(code, 3);
    assert!(stderr.contains("cannot reach PagerDuty"), "{stderr}");
    assert!(!out.path().join("pagerduty.yaml").exists(), "nothing is written when the import fails");
}

/// The results of one rule in a JSON report.
fn rule_results(report: &Value, rule: &str) -> Vec<(String, String, String)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == rule)
        .map(|r| (r["subject"].as_str().unwrap().into(), r["status"].as_str().unwrap().into(), r["message"].as_str().unwrap().into()))
        .collect()
}

#[test]
fn check_paging_reports_drift_between_the_declared_copy_and_the_paging_tool() {
    let (server, _) = fake(rendered());
    let live = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(&mut import(&server.url, live.path()));
    assert_eq!(code, 0, "{stderr}");
    let imported = std::fs::read_to_string(live.path().join("pagerduty.yaml")).unwrap();
    let model = tempfile::tempdir().unwrap();
    std::fs::write(model.path().join("model.yaml"), common::BASE.replace("escalation: main,", "escalation: payments-escalation,")).unwrap();
    std::fs::write(model.path().join("rb.md"), common::RUNBOOK).unwrap();
    let check = |declared: &str, extra: &[&str]| {
        std::fs::write(model.path().join("paging.yaml"), declared).unwrap();
        let (_, stdout, stderr) = run(runready().arg("check").arg(model.path()).args(["--at", "2026-03-02T05:00:00Z", "--horizon", "P14D", "--format", "json"]).args(extra));
        serde_json::from_str::<Value>(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"))
    };
    let paging = live.path().to_str().unwrap();
    // The declared copy is the import: no drift.
    let r = check(&imported, &["--paging", paging]);
    for rule in ["DRF-001", "DRF-002", "DRF-003", "DRF-004"] {
        let results = rule_results(&r, rule);
        assert!(!results.is_empty() && results.iter().all(|(_, s, _)| s == "pass"), "{rule}: {results:#?}");
    }
    // Someone edits PagerDuty (here: the declared copy drifts from it).
    let drifted = imported
        .replace("members: [alice-smith, bob-jones]", "members: [bob-jones, alice-smith]")
        .replace("timeout: PT10M", "timeout: PT5M")
        .replace("        channel: email\n        urgency: low\n", "        channel: sms\n        urgency: low\n")
        .replace("rotations:\n", "rotations:\n  retired: { timezone: UTC, members: [erin-cover], start: 2026-01-05T09:00, handoff: P1W, source: pagerduty:schedule/PGONE/layer/PL9 }\n");
    let r = check(&drifted, &["--paging", paging]);
    let f1 = rule_results(&r, "DRF-001");
    assert!(f1.iter().any(|(s, st, m)| s == "schedule:payments-oncall" && st == "fail" && m.contains("declared bob-jones, live alice-smith")), "{f1:#?}");
    let f2 = rule_results(&r, "DRF-002");
    assert!(f2.iter().any(|(s, st, m)| s == "escalation:payments-escalation" && st == "fail" && m.contains("step 1 times out after PT5M declared, PT10M live")), "{f2:#?}");
    let f3 = rule_results(&r, "DRF-003");
    assert!(f3.iter().any(|(s, st, m)| s == "contact:alice-smith" && st == "fail" && m.contains("at low urgency: declared first interrupted at +0m by sms, live never interrupted")), "{f3:#?}");
    let f4 = rule_results(&r, "DRF-004");
    assert!(f4.iter().any(|(s, st, m)| s == "rotation:retired" && st == "fail" && m.contains("pagerduty:schedule/PGONE/layer/PL9 is not in the paging snapshot")), "{f4:#?}");
    // Without a snapshot: unknown, or a failure with --require paging.
    let r = check(&imported, &[]);
    assert!(rule_results(&r, "DRF-001").iter().all(|(_, s, m)| s == "unknown" && m == "not evaluated: no paging snapshot given"));
    let r = check(&imported, &["--require", "paging"]);
    assert!(rule_results(&r, "DRF-001").iter().all(|(_, s, _)| s == "fail"));
}

#[test]
fn a_hung_api_is_exit_3_after_the_timeout() {
    let hung = http::HttpServer::start(|_| None);
    let out = tempfile::tempdir().unwrap();
    let t0 = std::time::Instant::now();
    let (code, _, stderr) = run(import(&hung.url, out.path()).args(["--timeout", "PT1S"]));
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("cannot reach PagerDuty") && stderr.contains("imeout"), "{stderr}");
    assert!(t0.elapsed() < std::time::Duration::from_secs(10), "took {:?}", t0.elapsed());
}

#[test]
fn malformed_layers_are_warnings_naming_them_and_never_a_silently_wrong_schedule() {
    let mut bad = layers();
    bad[0]["users"] = json!([]);
    bad[1]["restrictions"][0]["duration_seconds"] = json!(8 * 86_400);
    bad[2]["restrictions"] = json!([{ "type": "fortnightly_restriction", "start_time_of_day": "09:00:00", "duration_seconds": 3600 }]);
    let (server, _) = fake_with(rendered(), bad);
    let out = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(&mut import(&server.url, out.path()));
    assert!(stderr.contains("warning: schedule PS1, layer PL3: no users: left out"), "{stderr}");
    assert!(stderr.contains("warning: schedule PS1, layer PL2: a restriction of 691200 s (a restriction lasts from a minute to a week): left out"), "{stderr}");
    assert!(stderr.contains("warning: schedule PS1, layer PL1: restriction type `fortnightly_restriction` is not daily_restriction or weekly_restriction: left out"), "{stderr}");
    // Every layer left out: the schedule cannot be imported, and says so; the answer key
    // has nothing to agree with, so nothing is claimed.
    assert!(stderr.contains("warning: schedule PS1: no layer could be imported: left out"), "{stderr}");
    assert_eq!(code, 0, "{stderr}");
    let check: Value = serde_json::from_str(&std::fs::read_to_string(out.path().join("pagerduty-check.json")).unwrap()).unwrap();
    assert_eq!(check["schedules"], json!([]));
    // One bad layer among good ones: the answer key catches the difference.
    let mut one = layers();
    one[1]["users"] = json!([]);
    let (server, _) = fake_with(rendered(), one);
    let (code, _, stderr) = run(&mut import(&server.url, out.path()));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("layer PL2: no users") && stderr.contains("disagrees with PagerDuty's own rendering"), "{stderr}");
}

#[test]
fn the_bundled_example_finds_the_low_urgency_gap_and_no_drift() {
    let (code, stdout, stderr) =
        run(runready().args(["check", "examples/pagerduty", "--at", "2026-03-02T05:00:00Z", "--horizon", "P14D", "--paging", "examples/pagerduty/paging", "--format", "json"]));
    assert_eq!(code, 1, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let cov = rule_results(&report, "COV-001");
    assert!(cov.iter().any(|(_, s, m)| s == "fail" && m.contains("at low urgency (service urgency outside payments-api-support-hours)")), "{cov:#?}");
    for rule in ["DRF-001", "DRF-002", "DRF-003", "DRF-004"] {
        assert!(rule_results(&report, rule).iter().all(|(_, s, _)| s == "pass"), "{rule}");
    }
}

#[test]
fn a_bad_services_example_is_exit_2_at_its_own_line() {
    let live = tempfile::tempdir().unwrap();
    std::fs::write(live.path().join("pagerduty.yaml"), "apiVersion: runready.dev/v1\nkind: SupportModel\n").unwrap();
    std::fs::write(live.path().join("pagerduty-services.yaml.example"), "# copied by hand\nservices:\n  - { id: x, urgency: { inside: medium } }\n").unwrap();
    let model = common::model_dir(common::BASE);
    let (code, _, stderr) = run(runready().arg("check").arg(model.path()).arg("--paging").arg(live.path()));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("pagerduty-services.yaml.example:3:"), "{stderr}");
}
