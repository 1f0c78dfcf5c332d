//! `--live`, `facts collect`, `--facts` and `--notify-sns` end to end: the binary with the
//! standard credential chain (environment) and `AWS_ENDPOINT_URL` pointed at a moto server.
#![cfg(feature = "aws")]

#[path = "common/http.rs"]
mod http;
#[path = "common/moto.rs"]
mod moto;
#[path = "common/pki.rs"]
mod pki;

use assert_cmd::Command;
use moto::Moto;
use std::path::Path;

const AT: &str = "2026-11-23T10:00:00Z";
/// The account moto's credentials belong to.
const MOTO_ACCOUNT: &str = "123456789012";

fn runready(moto: Option<&Moto>) -> Command {
    let mut c = Command::cargo_bin("runready").unwrap();
    c.env("NO_COLOR", "1").env_remove("CI");
    for (k, v) in moto.map(|m| m.env()).unwrap_or_default() {
        c.env(k, v);
    }
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// The payments example, with its AWS account replaced by `account`.
fn payments_in(account: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy(Path::new("examples/payments"), dir.path());
    for f in ["model.yaml", "team.yaml"] {
        let p = dir.path().join(f);
        let text = std::fs::read_to_string(&p).unwrap().replace("111122223333", account);
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn notify_sns_publishes_the_verdict_summary() {
    let moto = Moto::start();
    let topic = moto.topic_with_queue("readiness", "eu-west-1");
    let (code, _, err) = run(runready(Some(&moto)).args(["check", "examples/payments", "--at", AT, "--notify-sns", &topic]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&format!("published the verdict to {topic}")), "{err}");
    let got = moto.received("readiness", "eu-west-1");
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0]["Subject"], "runready: payments-platform is ready");
    let body = got[0]["Message"].as_str().unwrap();
    assert!(body.starts_with("ready: 0 failed, "), "{body}");
    assert!(body.contains("payments-platform at 2026-11-23T10:00:00Z"), "{body}");
}

/// The SDK's own HTTPS client (rustls on ring, Cargo.toml) verifies the endpoint against the
/// system's trust store and `SSL_CERT_FILE`: moto over HTTPS with a private CA's certificate
/// is reached when SSL_CERT_FILE names that CA, and refused (exit 3, the reason named) when
/// it names only the system's CAs.
#[test]
fn the_sdk_speaks_https_and_verifies_the_endpoint_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki::private_ca(dir.path());
    let moto = Moto::start_tls(&pki.cert, &pki.key, &pki.ca);
    assert!(moto.url.starts_with("https://localhost:"));
    let topic = moto.topic_with_queue("readiness", "eu-west-1");
    let (code, _, err) = run(runready(Some(&moto)).env("SSL_CERT_FILE", &pki.ca).args(["check", "examples/payments", "--at", AT, "--notify-sns", &topic]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&format!("published the verdict to {topic}")), "{err}");
    assert_eq!(moto.received("readiness", "eu-west-1").len(), 1);
    // The same endpoint with only the system's CAs trusted: not published, and said why.
    let second = moto.topic_with_queue("second", "eu-west-1");
    let system = ["/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem"].into_iter().find(|p| Path::new(p).is_file()).expect("a system CA bundle");
    let (code, _, err) = run(runready(Some(&moto)).env("SSL_CERT_FILE", system).env_remove("SSL_CERT_DIR").args(["check", "examples/payments", "--at", AT, "--notify-sns", &second]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("SNS publish to") && err.to_lowercase().contains("certificate"), "{err}");
    assert_eq!(moto.received("second", "eu-west-1").len(), 0, "nothing reached moto");
}

#[test]
fn notify_sns_to_a_missing_topic_is_reported_and_exits_3() {
    let moto = Moto::start();
    let missing = format!("arn:aws:sns:eu-west-1:{MOTO_ACCOUNT}:nobody-here");
    let (code, _, err) = run(runready(Some(&moto)).args(["check", "examples/payments", "--at", AT, "--notify-sns", &missing]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("SNS publish to") && err.contains("NotFound"), "{err}");
    // --allow-incomplete keeps the verdict's exit code.
    let (code, _, _) = run(runready(Some(&moto)).args(["check", "examples/payments", "--at", AT, "--notify-sns", &missing, "--allow-incomplete"]));
    assert_eq!(code, 0);
}

#[test]
fn a_failed_live_collection_exits_3_and_still_reports() {
    // moto has no TrustedAdvisor, Health or DescribeSeverityLevels: every source fails.
    let moto = Moto::start();
    let model = payments_in(MOTO_ACCOUNT);
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("report.json");
    let (code, _, err) = run(runready(Some(&moto)).arg("check").arg(model.path()).args(["--at", AT, "--live", "--aws-max-attempts", "1", "--json"]).arg(&json));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains(&format!("error: Trusted Advisor of account {MOTO_ACCOUNT} (trustedadvisor) could not be read")), "{err}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let aws: Vec<_> = report["results"].as_array().unwrap().iter().filter(|r| r["rule"].as_str().unwrap().starts_with("AWS-")).collect();
    assert!(aws.iter().any(|r| r["rule"] == "AWS-001" && r["status"] == "error"), "{aws:#?}");
    assert!(aws.iter().any(|r| r["rule"] == "AWS-005" && r["status"] == "pass"), "{aws:#?}");
    // The model rules were still evaluated.
    assert!(report["results"].as_array().unwrap().iter().any(|r| r["rule"] == "COV-001" && r["status"] == "pass"));
}

#[test]
fn facts_collect_writes_a_snapshot_with_every_source_status() {
    let moto = Moto::start();
    let model = payments_in(MOTO_ACCOUNT);
    let out = tempfile::tempdir().unwrap();
    let facts = out.path().join("facts.json");
    let (code, _, err) = run(runready(Some(&moto)).args(["facts", "collect"]).arg(model.path()).arg("--out").arg(&facts).args(["--aws-max-attempts", "1"]));
    assert_eq!(code, 3, "{err}");
    let snap: runready::facts::Facts = serde_json::from_str(&std::fs::read_to_string(&facts).unwrap()).unwrap();
    assert_eq!(snap.sources.len(), 3);
    assert!(snap.sources.iter().all(|s| s.account == MOTO_ACCOUNT && s.status == runready::facts::SourceStatus::Error && s.message.is_some()));
    // The snapshot is valid against the published schema.
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("schemas/facts.schema.json").unwrap()).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&facts).unwrap()).unwrap();
    assert!(jsonschema::is_valid(&schema, &doc));
    // Credentials of another account are refused for the example's account.
    let (code, _, err) = run(runready(Some(&moto)).args(["facts", "collect", "examples/payments", "--allow-incomplete", "--out"]).arg(&facts));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("the credentials belong to account 123456789012, not 111122223333"), "{err}");
}

#[test]
fn a_snapshot_is_evaluated_offline() {
    let dir = tempfile::tempdir().unwrap();
    let facts = dir.path().join("facts.json");
    let snapshot = serde_json::json!({
        "schema_version": 1,
        "collected_at": "2026-11-23T09:00:00Z",
        "sources": [
            { "source": "trusted_advisor", "account": "111122223333", "api": "trustedadvisor", "collected_at": "2026-11-23T09:00:00Z", "status": "ok" },
            { "source": "health", "account": "111122223333", "region": "us-east-1", "api": "health", "collected_at": "2026-11-23T09:00:00Z", "status": "ok" },
            { "source": "support_plan", "account": "111122223333", "api": "support", "collected_at": "2026-11-23T09:00:00Z", "status": "subscription_required", "message": "SubscriptionRequiredException" }
        ],
        "health_events": [
            { "arn": "arn:aws:health:eu-west-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/X1", "account": "111122223333", "service": "EC2",
              "event_type_code": "AWS_EC2_OPERATIONAL_ISSUE", "category": "issue", "region": "eu-west-1", "status": "open", "start_time": "2026-11-23T08:00:00Z" }
        ]
    });
    std::fs::write(&facts, snapshot.to_string()).unwrap();
    let md = dir.path().join("report.md");
    let (code, out, err) = run(runready(None).args(["check", "examples/payments", "--at", AT, "--facts"]).arg(&facts).arg("--markdown").arg(&md));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("AWS-002") && out.contains("open AWS Health issue AWS_EC2_OPERATIONAL_ISSUE"), "{out}");
    assert!(out.contains("SubscriptionRequiredException: its plan is below Business"), "{out}");
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(md.contains("### AWS Health: open issues and maintenance windows"), "{md}");
    assert!(md.contains("| `payments-api` | open issue `AWS_EC2_OPERATIONAL_ISSUE` | EC2 | eu-west-1 |"), "{md}");
    // A stale snapshot fails AWS-005 (a warning: the verdict does not change by it alone).
    let (_, out, _) = run(runready(None).args(["check", "examples/payments", "--at", "2026-11-30T10:00:00Z", "--facts"]).arg(&facts));
    assert!(out.contains("AWS-005"), "{out}");
    // A broken snapshot is bad input.
    std::fs::write(&facts, "{ \"schema_version\": 1, \"sources\": [ 1 ] }").unwrap();
    let (code, _, err) = run(runready(None).args(["check", "examples/payments", "--at", AT, "--facts"]).arg(&facts));
    assert_eq!(code, 2);
    assert!(err.contains("facts.json:1:"), "{err}");
}

#[test]
fn a_service_endpoint_override_reaches_the_classic_checks_on_moto() {
    // AWS_ENDPOINT_URL_TRUSTEDADVISOR: a local endpoint that denies, as the TrustedAdvisor
    // API does below Business; the classic checks then come from moto's Support API.
    let deny = http::HttpServer::start(|_| Some((403, "application/json", br#"{"__type":"AccessDeniedException","message":"denied"}"#.to_vec())));
    let moto = Moto::start();
    let model = payments_in(MOTO_ACCOUNT);
    let out = tempfile::tempdir().unwrap();
    let facts = out.path().join("facts.json");
    let (code, _, err) =
        run(runready(Some(&moto)).env("AWS_ENDPOINT_URL_TRUSTEDADVISOR", &deny.url).args(["facts", "collect"]).arg(model.path()).arg("--out").arg(&facts).args(["--aws-max-attempts", "1"]));
    assert_eq!(code, 3, "{err}");
    assert_eq!(deny.requests.lock().unwrap().iter().filter(|r| r.starts_with("GET /v1/recommendations")).count(), 1);
    let snap: runready::facts::Facts = serde_json::from_str(&std::fs::read_to_string(&facts).unwrap()).unwrap();
    let ta = snap.source(runready::facts::SourceKind::TrustedAdvisor, MOTO_ACCOUNT).unwrap();
    // moto lists the classic checks but has no check summaries (HTTP 500): an error that says both.
    assert_eq!((ta.api.as_str(), ta.status), ("support", runready::facts::SourceStatus::Error));
    let msg = ta.message.as_deref().unwrap();
    assert!(msg.contains("TrustedAdvisor API: ") && msg.contains("AccessDeniedException") && msg.contains("classic checks: "), "{msg}");
}
