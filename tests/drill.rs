//! `runready drill` without AWS: dry runs, retrieve and probe steps against real commands,
//! files and a local HTTP server, the window, the lock, and the faults that fail a step.

mod common;

#[path = "common/http.rs"]
mod http;

use common::drills::{journals, model, run, runready};
use runready::drill::journal::Outcome;

const ARTIFACTS: &str = "  v: { kind: version, environment: production, retrieve: { command: \"echo 5.3.10; echo card 4111111111111111\" }, max_retrieval: PT10S, redact: ['\\b\\d{16}\\b'] }\n  c: { kind: config, environment: production, retrieve: { file: CONFIG }, max_retrieval: PT10S }\n  l: { kind: logs, environment: production, retrieve: { http: { url: \"URL/logs\" } }, max_retrieval: PT10S }\n";

fn server() -> http::HttpServer {
    http::HttpServer::start(|r| match r.path.as_str() {
        "/logs" => Some((200, "text/plain", b"GET /pay 200\nGET /pay 500\n".to_vec())),
        "/health" => Some((200, "text/plain", b"ok".to_vec())),
        _ => Some((404, "text/plain", b"no".to_vec())),
    })
}

fn setup(drills: &str, srv: &http::HttpServer) -> (tempfile::TempDir, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    // The production config lives outside the model directory (every YAML there is model).
    let jdir = tempfile::tempdir().unwrap();
    let config = jdir.path().join("payments.conf");
    std::fs::write(&config, "port: 8443\n").unwrap();
    let artifacts = ARTIFACTS.replace("CONFIG", &config.display().to_string()).replace("URL", &srv.url);
    model(dir.path(), &artifacts, "v, c, l", &drills.replace("URL", &srv.url));
    (dir, jdir)
}

const RETRIEVE: &str = "  - id: evidence\n    kind: probe\n    services: [api]\n    every: P30D\n    steps:\n      - retrieve: [v, c, l]\n      - probe: { http: { url: \"URL/health\", expect_status: 200 } }\n      - probe: { command: \"test 1 = 1\" }\n";

#[test]
fn a_dry_run_plans_and_touches_nothing() {
    let srv = server();
    let marker = tempfile::tempdir().unwrap();
    let touch = marker.path().join("touched");
    let drills = format!(
        "  - id: pt\n    kind: process_test\n    services: [api]\n    every: P90D\n    steps:\n      - vendor_case: {{ vendor: aws, fields: {{ impact: \"None: drill\" }} }}\n      - vendor_case: ext\n      - sns_publish: {{ topic: \"arn:aws:sns:eu-west-1:123456789012:oncall\" }}\n      - probe: {{ command: \"touch {}\" }}\n",
        touch.display()
    );
    let (dir, jdir) = setup(&drills, &srv);
    let (code, out, err) = run(runready().args(["drill"]).arg(dir.path()).args(["--at", "2026-11-23T10:00:00Z", "--journal-dir"]).arg(jdir.path()));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("drill pt (dry run): pass"), "{out}");
    assert!(out.contains("would open an AWS Support case \"TEST CASE-Please ignore\" (severity low) in account 123456789012 and resolve it afterwards"), "{out}");
    assert!(!touch.exists(), "a dry run ran a command");
    assert!(srv.requests.lock().unwrap().is_empty());
    let j = journals(jdir.path());
    assert_eq!(j.len(), 1);
    assert!(j[0].dry_run);
    assert_eq!(j[0].steps.len(), 4);
    assert!(j[0].steps.iter().all(|s| s.outcome == Outcome::Planned));
    // The request template rendered with the service's version, the step's field and defaults.
    assert_eq!(j[0].steps[0].evidence["body"], "We are running 1. Impact: None: drill\n\nrunready-run: pt 2026-11-23T10:00:00Z");
    assert!(j[0].steps[1].evidence["body"].as_str().unwrap().contains("Impact: None: this is a test case"));
    // The file is named after the drill and its start, and valid against the published schema.
    let files: Vec<_> = std::fs::read_dir(jdir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".json")).collect();
    assert_eq!(files, vec!["pt-2026-11-23T10-00-00Z.json".to_string()]);
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("schemas/drill-journal.schema.json").unwrap()).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(jdir.path().join(&files[0])).unwrap()).unwrap();
    assert!(jsonschema::is_valid(&schema, &doc));
}

#[test]
fn a_planned_retrieve_records_the_limit_it_will_be_measured_against() {
    let srv = server();
    let (dir, jdir) = setup(RETRIEVE, &srv);
    let md = jdir.path().join("drill.md");
    let (code, out, err) = run(runready().args(["drill"]).arg(dir.path()).args(["--at", "2026-11-23T10:00:00Z", "--journal-dir"]).arg(jdir.path()).arg("--markdown").arg(&md));
    assert_eq!(code, 0, "{out}{err}");
    let j = journals(jdir.path());
    let retrieves: Vec<_> = j[0].steps.iter().filter(|s| s.kind == "retrieve").collect();
    assert_eq!(retrieves.len(), 3);
    assert!(retrieves.iter().all(|s| s.evidence["max_retrieval_ms"].as_u64().is_some_and(|ms| ms > 0)), "{:?}", retrieves);
    // The Markdown renders the journal alone, limits included.
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.lines().filter(|l| l.starts_with("| retrieve |")).all(|l| l.contains("≤ ")), "{text}");
    assert!(srv.requests.lock().unwrap().is_empty());
}

#[test]
fn a_live_run_retrieves_redacts_probes_and_reports() {
    let srv = server();
    let (dir, jdir) = setup(RETRIEVE, &srv);
    let junit = jdir.path().join("drill.xml");
    let (code, out, err) = run(runready().args(["drill"]).arg(dir.path()).arg("--live").arg("--keep-artifacts").arg("--journal-dir").arg(jdir.path()).arg("--junit").arg(&junit));
    assert_eq!(code, 0, "{out}{err}");
    let j = &journals(jdir.path())[0];
    assert_eq!(j.outcome, Outcome::Pass, "{j:#?}");
    assert!(!j.dry_run);
    let v = &j.steps[0];
    assert_eq!((v.kind.as_str(), v.target.as_str(), v.outcome), ("retrieve", "v", Outcome::Pass));
    assert_eq!(v.evidence["redactions"], 1);
    assert_eq!(v.evidence["environment"], "production");
    assert_eq!(v.evidence["bytes"], 29);
    // Kept content is the redacted content, and its sha256 is recorded.
    let kept = std::fs::read_to_string(v.evidence["kept"].as_str().unwrap()).unwrap();
    assert_eq!(kept, "5.3.10\ncard [REDACTED]\n");
    assert_eq!(v.evidence["sha256"], runready::drill::steps::hex(&<sha2::Sha256 as sha2::Digest>::digest(kept.as_bytes())));
    assert_eq!(j.steps[1].evidence["bytes"], 11);
    assert_eq!(j.steps[2].evidence["bytes"], 26);
    assert!(srv.requests.lock().unwrap().contains(&"GET /logs".to_string()));
    assert_eq!(j.steps[3].evidence["status"], 200);
    assert_eq!(j.steps[4].evidence["exit_code"], 0);
    // The JUnit report has a drill:ID suite with a test case per step, and is valid.
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("testsuite") && xml.contains("name=\"drill:evidence\"") && xml.contains("name=\"retrieve v\""), "{xml}");
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/schemas/jenkins-junit.xsd");
    let ok = std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(&junit).output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    // check --journal: the Markdown drill table (measured against targets) and a drill:ID JUnit suite.
    let md = jdir.path().join("report.md");
    let cj = jdir.path().join("check.xml");
    let (_, out, err) = run(runready().arg("check").arg(dir.path()).arg("--journal").arg(jdir.path()).arg("--markdown").arg(&md).arg("--junit").arg(&cj));
    let md = std::fs::read_to_string(&md).unwrap_or_else(|_| panic!("{out}{err}"));
    assert!(md.contains("### Drills: latest live runs"), "{md}");
    assert!(md.contains("| `evidence` |") && md.contains("| retrieve `v` | pass |") && md.contains("| ≤ 10s |"), "{md}");
    let xml = std::fs::read_to_string(&cj).unwrap();
    assert!(xml.contains("name=\"drill:evidence\""), "{xml}");
    let ok = std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(&cj).output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
}

#[test]
fn faults_are_failed_steps_with_their_reasons() {
    let srv = server();
    let pid_file = tempfile::tempdir().unwrap();
    let pid = pid_file.path().join("pid");
    // A hanging command (whose grandchild must die too), an empty artifact, an unreachable endpoint.
    let artifacts = format!(
        "  v: {{ kind: version, environment: production, retrieve: {{ command: \"sleep 30 & echo $! > {}; wait\" }}, max_retrieval: PT1S }}\n  c: {{ kind: config, environment: production, retrieve: {{ command: \"true\" }}, max_retrieval: PT5S }}\n  l: {{ kind: logs, environment: production, retrieve: {{ http: {{ url: \"http://127.0.0.1:9/logs\" }} }}, max_retrieval: PT5S }}\n",
        pid.display()
    );
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), &artifacts, "v, c, l", &RETRIEVE.replace("URL/health", "http://127.0.0.1:9/health").replace("URL", &srv.url));
    let jdir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(runready().args(["drill"]).arg(dir.path()).arg("--live").arg("--journal-dir").arg(jdir.path()));
    assert_eq!(code, 1, "{out}{err}");
    let j = &journals(jdir.path())[0];
    assert_eq!(j.outcome, Outcome::Fail);
    let msg = |i: usize| j.steps[i].message.clone().unwrap_or_default();
    assert_eq!(j.steps[0].outcome, Outcome::Fail);
    assert!(msg(0).contains("not retrieved within max_retrieval 1s: the command's process group was killed"), "{}", msg(0));
    assert!(j.steps[0].duration_ms < 5_000, "{}", j.steps[0].duration_ms);
    let sleeper: i32 = std::fs::read_to_string(&pid).unwrap().trim().parse().unwrap();
    // Killed: gone, or a zombie waiting for whoever inherited it to reap it.
    let state = std::fs::read_to_string(format!("/proc/{sleeper}/stat")).unwrap_or_default();
    assert!(state.is_empty() || state.split(") ").nth(1).is_some_and(|s| s.starts_with('Z')), "the grandchild survived: {state}");
    assert!(msg(1).contains("the artifact is empty"), "{}", msg(1));
    assert!(msg(2).contains("127.0.0.1:9"), "{}", msg(2));
    assert_eq!(j.steps[3].outcome, Outcome::Fail);
    assert!(out.contains("✗ retrieve v"), "{out}");
}

#[test]
fn the_window_is_enforced_unless_forced() {
    let srv = server();
    let closed = RETRIEVE.replace("    every: P30D\n", "    every: P30D\n    window: { not_during: [always] }\n");
    let (dir, jdir) = setup(&closed, &srv);
    let (code, out, _) = run(runready().args(["drill"]).arg(dir.path()).arg("--live").arg("--journal-dir").arg(jdir.path()));
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("aborted — not started: inside `always` (not_during)"), "{out}");
    assert!(srv.requests.lock().unwrap().is_empty(), "a step ran outside the window");
    let (code, out, _) = run(runready().args(["drill"]).arg(dir.path()).args(["--live", "--force"]).arg("--journal-dir").arg(jdir.path()));
    assert_eq!(code, 0, "{out}");
    let forced: Vec<_> = journals(jdir.path()).into_iter().filter(|j| j.forced).collect();
    assert_eq!(forced.len(), 1);
}

#[test]
fn one_live_run_per_model_at_a_time() {
    let srv = server();
    let (dir, jdir) = setup(RETRIEVE, &srv);
    let _held = runready::drill::window::lock(jdir.path(), "base").unwrap();
    let (code, out, _) = run(runready().args(["drill"]).arg(dir.path()).arg("--live").arg("--journal-dir").arg(jdir.path()));
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("another live drill of model `base` is running"), "{out}");
}

#[test]
fn max_duration_aborts_the_drill() {
    let srv = server();
    let slow = "  - id: slow\n    kind: probe\n    services: [api]\n    every: P30D\n    safety: { max_duration: PT1S }\n    steps:\n      - probe: { command: \"sleep 20\" }\n      - retrieve: [v]\n";
    let (dir, jdir) = setup(slow, &srv);
    let (code, out, _) = run(runready().args(["drill"]).arg(dir.path()).arg("--live").arg("--journal-dir").arg(jdir.path()));
    assert_eq!(code, 3, "{out}");
    let j = &journals(jdir.path())[0];
    assert_eq!(j.outcome, Outcome::Aborted);
    assert!(j.reason.as_deref().unwrap().starts_with("max_duration PT1S reached; nothing to clean up"), "{:?}", j.reason);
    assert_eq!(j.steps[0].outcome, Outcome::Aborted);
    assert!(j.steps[0].message.as_deref().unwrap().starts_with("stopped at the drill's max_duration"), "{:?}", j.steps[0].message);
    assert_eq!(j.steps[1].outcome, Outcome::Aborted);
    assert_eq!(j.steps[1].message.as_deref(), Some("not run: max_duration PT1S reached"));
}

#[test]
fn unknown_drill_and_bad_journal_are_bad_input() {
    let srv = server();
    let (dir, jdir) = setup(RETRIEVE, &srv);
    let (code, _, err) = run(runready().args(["drill"]).arg(dir.path()).args(["--drill", "nope"]).arg("--journal-dir").arg(jdir.path()));
    assert_eq!(code, 2);
    assert!(err.contains("--drill nope: no such drill (the model has: evidence)"), "{err}");
    let (code, _, err) = run(runready().args(["drill"]).arg(dir.path()).args(["--service", "nope"]).arg("--journal-dir").arg(jdir.path()));
    assert_eq!(code, 2);
    assert!(err.contains("--service nope: no such service"), "{err}");
    let (code, out, _) = run(runready().args(["drill"]).arg(dir.path()).args(["--service", "api"]).arg("--journal-dir").arg(jdir.path()));
    assert_eq!(code, 0);
    assert!(out.contains("drill evidence (dry run)"), "{out}");
    std::fs::write(jdir.path().join("bad.json"), "{\n \"schema_version\": 1,\n \"drill\": 3 }").unwrap();
    let (code, _, err) = run(runready().args(["check"]).arg(dir.path()).arg("--journal").arg(jdir.path()));
    assert_eq!(code, 2);
    assert!(err.contains("bad.json:3:"), "{err}");
}

/// A TLS server with a certificate from a private CA: `openssl s_server -www`, which answers
/// any GET with 200 and a status page. Returns the CA's PEM file, the server and its port.
fn private_ca_server(dir: &std::path::Path) -> (std::path::PathBuf, std::process::Child, u16) {
    use std::io::BufRead;
    let pki = common::pki::private_ca(dir);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = std::process::Command::new("openssl")
        .args(["s_server", "-www", "-cert"])
        .arg(&pki.cert)
        .arg("-key")
        .arg(&pki.key)
        .arg("-accept")
        .arg(format!("127.0.0.1:{port}"))
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // s_server prints ACCEPT once it listens; keep draining its log afterwards.
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.by_ref().map_while(Result::ok).any(|l| l.contains("ACCEPT")), "s_server did not start");
    std::thread::spawn(move || lines.for_each(drop));
    (pki.ca, child, port)
}

#[test]
fn https_endpoints_are_verified_against_the_system_trust_store_and_ssl_cert_file() {
    let pki = tempfile::tempdir().unwrap();
    let (ca, mut server, port) = private_ca_server(pki.path());
    let url = format!("https://localhost:{port}/");
    let artifacts = format!(
        "  v: {{ kind: version, environment: production, retrieve: {{ command: \"echo 1\" }}, max_retrieval: PT10S }}\n  c: {{ kind: config, environment: production, retrieve: {{ command: \"echo c\" }}, max_retrieval: PT10S }}\n  l: {{ kind: logs, environment: production, retrieve: {{ http: {{ url: \"{url}\" }} }}, max_retrieval: PT10S }}\n"
    );
    let drills =
        format!("  - id: tls\n    kind: probe\n    services: [api]\n    every: P30D\n    steps:\n      - retrieve: [l]\n      - probe: {{ http: {{ url: \"{url}\", expect_status: 200 }} }}\n");
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), &artifacts, "v, c, l", &drills);

    // The private CA named by SSL_CERT_FILE (as for an internal CA): both steps pass.
    let trusted = tempfile::tempdir().unwrap();
    let (code, out, err) = run(runready().args(["drill"]).arg(dir.path()).arg("--live").arg("--journal-dir").arg(trusted.path()).env("SSL_CERT_FILE", &ca).env_remove("SSL_CERT_DIR"));
    let j = &journals(trusted.path())[0];
    assert_eq!(code, 0, "{out}{err}{j:#?}");
    assert!(j.steps[0].evidence["bytes"].as_u64().unwrap() > 0);
    assert_eq!(j.steps[1].evidence["status"], 200);

    // Without it the certificate is not trusted: each step fails and says why.
    let untrusted = tempfile::tempdir().unwrap();
    let (code, out, err) = run(runready().args(["drill"]).arg(dir.path()).arg("--live").arg("--journal-dir").arg(untrusted.path()).env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR"));
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(code, 1, "{out}{err}");
    let j = &journals(untrusted.path())[0];
    for step in &j.steps {
        assert_eq!(step.outcome, Outcome::Fail);
        let msg = step.message.clone().unwrap_or_default();
        assert!(msg.contains("invalid peer certificate: UnknownIssuer"), "{msg}");
    }
}

/// Whether `pid` is gone (or a zombie nobody has reaped yet).
fn dead(pid: i32) -> bool {
    let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    state.is_empty() || state.rsplit_once(") ").is_some_and(|(_, s)| s.starts_with('Z'))
}

#[test]
fn descendants_that_leave_the_process_group_are_killed_too() {
    let pids = tempfile::tempdir().unwrap();
    let (daemon, hung) = (pids.path().join("daemon"), pids.path().join("hung"));
    // v daemonises a sleeper in a session of its own and exits: its output is still whole,
    // and the sleeper does not outlive the step. c hangs on a sleeper in its own session.
    let artifacts = format!(
        "  v: {{ kind: version, environment: production, retrieve: {{ command: \"setsid sh -c 'sleep 30 & echo $! > {}'; echo 1.2.3\" }}, max_retrieval: PT10S }}\n  c: {{ kind: config, environment: production, retrieve: {{ command: \"setsid sleep 30 & echo $! > {}; wait\" }}, max_retrieval: PT1S }}\n  l: {{ kind: logs, environment: production, retrieve: {{ command: \"echo l\" }}, max_retrieval: PT10S }}\n",
        daemon.display(),
        hung.display()
    );
    let drills = "  - id: escape\n    kind: probe\n    services: [api]\n    every: P30D\n    steps:\n      - retrieve: [v, c]\n";
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), &artifacts, "v, c, l", drills);
    let jdir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(runready().args(["drill"]).arg(dir.path()).arg("--live").arg("--journal-dir").arg(jdir.path()));
    assert_eq!(code, 1, "{out}{err}");
    let j = &journals(jdir.path())[0];
    let pid = |p: &std::path::Path| -> i32 { std::fs::read_to_string(p).unwrap().trim().parse().unwrap() };
    assert_eq!(j.steps[0].outcome, Outcome::Pass, "{j:#?}");
    assert_eq!(j.steps[0].evidence["bytes"], 6);
    assert!(j.steps[0].duration_ms < 2_000, "waited for the daemon's pipe: {}", j.steps[0].duration_ms);
    assert!(dead(pid(&daemon)), "the daemonised sleeper survived");
    assert_eq!(j.steps[1].outcome, Outcome::Fail);
    assert!(j.steps[1].message.as_deref().unwrap_or_default().contains("not retrieved within max_retrieval 1s"), "{j:#?}");
    assert!(j.steps[1].duration_ms < 2_000, "{}", j.steps[1].duration_ms);
    assert!(dead(pid(&hung)), "the sleeper in its own session survived");
}
