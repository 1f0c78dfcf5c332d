//! The example policies under `policies/`: two in Rust with the SDK (built for
//! wasm32-unknown-unknown) and one in AssemblyScript (npm), all for the core ABI v1;
//! packed with `runready policy pack`, tested with `runready policy test`, and run by
//! `check --policy` on a real model.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const POLICIES: [(&str, &str); 5] = [
    ("ops-basics", "wasm32-unknown-unknown"),
    ("manager-reach", "wasm32-unknown-unknown"),
    ("service-descriptions", "wasm32-wasip2"),
    ("wasi-caller", "wasm32-wasip2"),
    ("facts-echo", "wasm32-wasip2"),
];

/// Builds and packs every example policy once per test run.
fn packed() -> &'static Path {
    static DIST: OnceLock<PathBuf> = OnceLock::new();
    DIST.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        // Core-ABI policies for wasm32-unknown-unknown; the component for wasm32-wasip2.
        for (target, packages) in [("wasm32-unknown-unknown", &["ops-basics", "manager-reach"][..]), ("wasm32-wasip2", &["service-descriptions", "wasi-caller", "facts-echo"][..])] {
            let mut cmd = std::process::Command::new(&cargo);
            cmd.args(["build", "--release", "--locked", "--target", target]).current_dir(&root).env_remove("CARGO_TARGET_DIR");
            for p in packages {
                cmd.args(["-p", p]);
            }
            let out = cmd.output().expect("cargo runs");
            assert!(
                out.status.success(),
                "building the policies for {target} failed (is the target installed? `rustup target add {target}`; .ci/run does it):\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // The AssemblyScript policy proves the core ABI is language-neutral.
        let asc = root.join("assemblyscript");
        let npm = std::process::Command::new("npm").args(["run", "build"]).current_dir(&asc).output().expect("npm runs");
        assert!(
            npm.status.success(),
            "building the AssemblyScript policy failed (run `npm ci` in policies/assemblyscript; .ci/run does it):\n{}{}",
            String::from_utf8_lossy(&npm.stdout),
            String::from_utf8_lossy(&npm.stderr)
        );
        let dist = root.join("dist");
        // The component policy built the other way policy-abi.md allows: a core module with
        // wit-bindgen output, made into a component by the host.
        let out = std::process::Command::new(&cargo)
            .args(["build", "--release", "--locked", "--target", "wasm32-unknown-unknown", "-p", "service-descriptions"])
            .current_dir(&root)
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .expect("cargo runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let _ = std::fs::remove_file(dist.join("service-descriptions-core.wasm"));
        Command::cargo_bin("runready")
            .unwrap()
            .args(["policy", "pack"])
            .arg(root.join("target/wasm32-unknown-unknown/release/service_descriptions.wasm"))
            .arg("--manifest")
            .arg(root.join("service-descriptions/policy.yaml"))
            .arg("-o")
            .arg(dist.join("service-descriptions-core.wasm"))
            .assert()
            .success();
        let _ = std::fs::remove_file(dist.join("severity-descriptions.wasm"));
        Command::cargo_bin("runready")
            .unwrap()
            .args(["policy", "pack"])
            .arg(asc.join("build/severity-descriptions.wasm"))
            .arg("--manifest")
            .arg(asc.join("policy.yaml"))
            .arg("-o")
            .arg(dist.join("severity-descriptions.wasm"))
            .assert()
            .success();
        for (p, target) in POLICIES {
            let built = root.join("target").join(target).join("release").join(format!("{}.wasm", p.replace('-', "_")));
            let _ = std::fs::remove_file(dist.join(format!("{p}.wasm")));
            Command::cargo_bin("runready")
                .unwrap()
                .args(["policy", "pack"])
                .arg(&built)
                .arg("--manifest")
                .arg(root.join(p).join("policy.yaml"))
                .arg("-o")
                .arg(dist.join(format!("{p}.wasm")))
                .assert()
                .success();
        }
        dist
    })
}

#[test]
fn example_policies_pass_their_own_tests() {
    let dist = packed();
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("policy-tests.xml");
    let out = Command::cargo_bin("runready").unwrap().args(["policy", "test", "policies/", "--junit"]).arg(&junit).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    // 10 cases of the WASM policies, 8 cases and 9 test_* rules of the Rego ones (policies/rego).
    assert!(text.contains("policy tests: 27 passed, 0 failed"), "{text}");
    assert!(text.contains("PASS policies/wasi-caller/wasi-caller.tests.yaml :: a WASI call traps instead of reaching the machine — failed with `trap` as expected"), "{text}");
    assert!(text.contains("(component contract)"), "{text}");
    assert!(text.contains("severity-descriptions.tests.yaml"), "{text}");
    // The WASI fixture's one rule is never reported: it is the only untested rule.
    assert_eq!(text.matches("UNTESTED").count(), 1, "{text}");
    assert!(text.contains("UNTESTED wasi-caller/IO-001"), "{text}");
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/schemas/jenkins-junit.xsd");
    let lint = std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(xsd).arg(&junit).output().unwrap();
    assert!(lint.status.success(), "{}", String::from_utf8_lossy(&lint.stderr));
    assert!(dist.join("ops-basics.wasm").exists());
}

#[test]
fn a_failing_case_fails_the_run() {
    let dist = packed();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(Path::new("policies/ops-basics/fixtures/good.yaml"), dir.path().join("good.yaml")).unwrap();
    std::fs::write(
        dir.path().join("wrong.tests.yaml"),
        format!(
            "policy: {}\ncases:\n  - name: expects a finding that never comes\n    model: good.yaml\n    at: 2026-11-23T10:00:00Z\n    expect: {{ findings: [{{ rule_id: OPS-001 }}] }}\n",
            dist.join("ops-basics.wasm").display()
        ),
    )
    .unwrap();
    let out = Command::cargo_bin("runready").unwrap().args(["policy", "test"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAIL"));
}

#[test]
fn check_runs_a_policy_with_settings_from_the_model() {
    let dist = packed();
    let dir = tempfile::tempdir().unwrap();
    for f in ["model.yaml", "team.yaml"] {
        std::fs::copy(Path::new("examples/payments").join(f), dir.path().join(f)).unwrap();
    }
    std::fs::create_dir(dir.path().join("runbooks")).unwrap();
    std::fs::copy("examples/payments/runbooks/payments-failover.md", dir.path().join("runbooks/payments-failover.md")).unwrap();
    std::fs::copy(dist.join("manager-reach.wasm"), dir.path().join("manager-reach.wasm")).unwrap();
    std::fs::write(dir.path().join("policies.yaml"), "apiVersion: runready.dev/v1\nkind: SupportModel\npolicies:\n  - { path: manager-reach.wasm, settings: { managers: [noc], max_minutes: 10 } }\n")
        .unwrap();
    let out = Command::cargo_bin("runready").unwrap().arg("check").arg(dir.path()).args(["--at", "2026-11-23T10:00:00Z", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = report["results"].as_array().unwrap().iter().find(|r| r["rule"] == "manager-reach/MGR-001").unwrap();
    assert_eq!(f["status"], "fail");
    assert_eq!(f["subject"], "escalation:payments");
    // The pointer /model/escalations/payments/steps lands on the `steps:` of model.yaml.
    assert!(f["location"]["file"].as_str().unwrap().ends_with("model.yaml"));
    assert_eq!(f["location"]["line"], 59);
    // A component policy runs the same way, its WASI imports linked as traps.
    let out = Command::cargo_bin("runready")
        .unwrap()
        .args(["check", "examples/ams", "--at", "2026-11-23T10:00:00Z", "--format", "json", "--policy"])
        .arg(dist.join("service-descriptions.wasm"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = report["results"].as_array().unwrap().iter().find(|r| r["rule"] == "service-descriptions/SVC-001").unwrap();
    assert_eq!((f["status"].as_str(), f["subject"].as_str()), (Some("fail"), Some("service:ledger")));
    assert_eq!(f["location"]["line"], 110);
    // The same policy as a wasm32-unknown-unknown module with wit-bindgen output, which the
    // host makes into a component, gives the same result.
    let out = Command::cargo_bin("runready")
        .unwrap()
        .args(["check", "examples/ams", "--at", "2026-11-23T10:00:00Z", "--format", "json", "--policy"])
        .arg(dist.join("service-descriptions-core.wasm"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let g = report["results"].as_array().unwrap().iter().find(|r| r["rule"] == "service-descriptions/SVC-001").unwrap();
    assert_eq!((g["status"].as_str(), g["location"]["line"].as_i64()), (Some("fail"), Some(110)), "{g:#}");
    // And the ops-basics policy from --policy passes on the example.
    let out = Command::cargo_bin("runready")
        .unwrap()
        .args(["check", "examples/payments", "--at", "2026-11-23T10:00:00Z", "--format", "json", "--policy"])
        .arg(dist.join("ops-basics.wasm"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn pack_refuses_a_packed_module_and_inspect_reads_the_manifest() {
    let dist = packed();
    let out = Command::cargo_bin("runready")
        .unwrap()
        .args(["policy", "pack"])
        .arg(dist.join("ops-basics.wasm"))
        .args(["--manifest", "policies/ops-basics/policy.yaml", "-o"])
        .arg(std::env::temp_dir().join("again.wasm"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::cargo_bin("runready").unwrap().args(["policy", "inspect"]).arg(dist.join("ops-basics.wasm")).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("ops-basics 1.0.0 (core-v1)"), "{text}");
    assert!(text.contains("ops-basics/OPS-001  error"), "{text}");
    assert!(text.contains("imports: none"));
}

#[test]
fn a_new_policy_builds_and_passes_its_own_test_as_generated() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("runready").unwrap().args(["policy", "new", "acme-rules", "--dir"]).arg(dir.path()).assert().success();
    let root = dir.path().join("acme-rules");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Share the example policies' build directory: same dependencies, no second compile.
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/target");
    let out = std::process::Command::new(cargo).args(["build", "--release", "--target", "wasm32-unknown-unknown"]).current_dir(&root).env("CARGO_TARGET_DIR", &target).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Command::cargo_bin("runready")
        .unwrap()
        .args(["policy", "pack"])
        .arg(target.join("wasm32-unknown-unknown/release/acme_rules.wasm"))
        .arg("--manifest")
        .arg(root.join("policy.yaml"))
        .arg("-o")
        .arg(root.join("dist/acme-rules.wasm"))
        .assert()
        .success();
    let out = Command::cargo_bin("runready").unwrap().args(["policy", "test"]).arg(&root).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("2 passed, 0 failed"), "{text}");
    // A second `new` with the same name does not overwrite it.
    assert_eq!(Command::cargo_bin("runready").unwrap().args(["policy", "new", "acme-rules", "--dir"]).arg(dir.path()).output().unwrap().status.code(), Some(2));
}

#[test]
fn a_component_policy_sees_facts_when_given() {
    let dist = packed();
    let check = |extra: &[&str]| {
        let out = Command::cargo_bin("runready")
            .unwrap()
            .args(["check", "examples/payments", "--at", "2026-11-23T10:00:00Z", "--format", "json", "--policy"])
            .arg(dist.join("facts-echo.wasm"))
            .args(extra)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["results"].as_array().unwrap().iter().filter(|r| r["rule"].as_str().is_some_and(|id| id.starts_with("facts-echo/"))).cloned().collect::<Vec<_>>()
    };
    let seen = check(&["--facts", "examples/facts/payments-2026-11-23.json"]);
    let facts: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("examples/facts/payments-2026-11-23.json").unwrap()).unwrap();
    let sources = facts["sources"].as_array().unwrap();
    assert!(!sources.is_empty());
    assert_eq!(seen.len(), sources.len(), "{seen:#?}");
    assert!(seen.iter().all(|r| r["rule"] == "facts-echo/FCT-001"), "{seen:#?}");
    let account = sources[0]["account"].as_str().unwrap();
    assert!(seen[0]["message"].as_str().unwrap().ends_with(&format!("account {account}")), "{seen:#?}");
    // Without facts the request has none, and the policy reports nothing.
    assert!(check(&[]).iter().all(|r| r["status"] == "pass"), "{:#?}", check(&[]));
}
