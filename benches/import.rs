//! `cargo bench --bench import`: `runready import pagerduty` of 200 schedules (3 layers
//! each), 100 escalation policies and 500 users from a local fake API that answers every
//! request after 50 ms, at the default concurrency (16). Prints the wall time; a bench
//! binary, nothing here asserts.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};

fn answer(path: &str) -> Value {
    let path = path.split('?').next().unwrap_or("");
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let user = |i: usize| json!({ "user": { "id": format!("PU{}", i % 500) } });
    match parts.as_slice() {
        ["escalation_policies", id] => {
            let n: usize = id.trim_start_matches("PEP").parse().unwrap_or(0);
            json!({ "escalation_policy": { "id": id, "name": format!("Policy {n}"), "num_loops": 1, "escalation_rules": [
                { "escalation_delay_in_minutes": 10, "targets": [{ "id": format!("PS{}", 2 * n), "type": "schedule_reference" }] },
                { "escalation_delay_in_minutes": 10, "targets": [{ "id": format!("PS{}", 2 * n + 1), "type": "schedule_reference" }] } ] } })
        }
        ["schedules", id] => {
            let n: usize = id.trim_start_matches("PS").parse().unwrap_or(0);
            let layer = |l: usize, restriction: Value| {
                json!({ "id": format!("PL{l}"), "name": format!("Layer {l}"), "start": "2026-01-01T00:00:00Z", "rotation_virtual_start": "2026-01-05T09:00:00Z", "rotation_turn_length_seconds": 604800,
                "users": (0..3).map(|k| user(n * 9 + (l - 1) * 3 + k)).collect::<Vec<_>>(), "restrictions": restriction })
            };
            json!({ "schedule": { "id": id, "name": format!("Schedule {n}"), "time_zone": "Europe/London", "schedule_layers": [
                layer(3, json!([{ "type": "weekly_restriction", "start_day_of_week": 6, "start_time_of_day": "00:00:00", "duration_seconds": 172800 }])),
                layer(2, json!([{ "type": "daily_restriction", "start_time_of_day": "20:00:00", "duration_seconds": 39600 }])),
                layer(1, json!([])) ], "final_schedule": { "rendered_schedule_entries": [] } } })
        }
        ["schedules", _, "overrides"] => json!({ "overrides": [] }),
        ["users", id] => json!({ "user": { "id": id, "name": format!("User {id}"), "time_zone": "Europe/London" } }),
        ["users", id, "contact_methods"] => json!({ "contact_methods": [{ "id": format!("{id}-sms"), "type": "sms_contact_method", "address": "5550100", "country_code": 44 }], "more": false }),
        ["users", id, "notification_rules"] => {
            json!({ "notification_rules": [{ "id": "N", "start_delay_in_minutes": 0, "urgency": "high", "contact_method": { "id": format!("{id}-sms"), "type": "sms_contact_method_reference" } }], "more": false })
        }
        _ => json!({}),
    }
}

fn serve(latency: Duration) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                        break;
                    }
                }
                std::thread::sleep(latency);
                let body = serde_json::to_vec(&answer(&path)).unwrap();
                let mut conn = conn;
                let _ = conn.write_all(format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len()).as_bytes());
                let _ = conn.write_all(&body);
            });
        }
    });
    url
}

fn main() {
    let url = serve(Duration::from_millis(50));
    // SAFETY: the bench is single-threaded until the import starts; nothing else reads the environment.
    unsafe { std::env::set_var("RUNREADY_BENCH_TOKEN", "bench") };
    let out = tempfile::tempdir().unwrap();
    let opts = runready::import::Options {
        api_url: url,
        token_env: "RUNREADY_BENCH_TOKEN".into(),
        schedules: Vec::new(),
        escalation_policies: (0..100).map(|i| format!("PEP{i}")).collect(),
        services: Vec::new(),
        teams: Vec::new(),
        at: "2026-03-02T00:00:00Z".parse().unwrap(),
        horizon: runready::model::Duration::from_days(28),
        fallback: Some("contact:noc".into()),
        out: out.path().to_path_buf(),
        progress: false,
        timeout: Duration::from_secs(30),
        concurrency: 16,
    };
    let t = Instant::now();
    let outcome = runready::import::pagerduty(&opts);
    let took = t.elapsed();
    match outcome {
        Ok(o) => println!(
            "import pagerduty: 100 policies, {} schedules (3 layers each), {} users, 50 ms per request, concurrency 16: {:.2} s wall",
            o.schedules,
            std::fs::read_to_string(out.path().join("pagerduty.yaml")).unwrap_or_default().matches("source: pagerduty:user/").count(),
            took.as_secs_f64()
        ),
        Err(e) => println!("import failed after {:.2} s: {e}", took.as_secs_f64()),
    }
}
