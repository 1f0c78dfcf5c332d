//! WASM policies through the real host: modules built from WAT sources with the `wat`
//! crate, run by `runready check --policy`. A well-behaved policy's findings land on the
//! YAML line its pointer names; every hostile module gives an `error` result with its
//! reason from the closed list, and the rest of the run completes.

use assert_cmd::Command;
use serde_json::Value;

const AT: &str = "2026-11-23T10:00:00Z";

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn manifest(name: &str, limits: &str) -> String {
    format!(
        r#"{{"name":"{name}","version":"1.0.0","abi":"core-v1","rules":[{{"id":"ORG-001","title":"Escalations reach a manager","level":"error","help":"Add a manager step"}},{{"id":"ORG-002","title":"Never reported","level":"warning"}}]{limits}}}"#
    )
}

/// A core-ABI-v1 module: the manifest embedded and returned by metadata(), `{}` from
/// validate_settings(), and `evaluate` given as WAT instructions producing an i64.
fn module(name: &str, limits: &str, evaluate: &str, extra: &str, imports: &str, with_manifest: bool) -> Vec<u8> {
    let m = manifest(name, limits);
    let custom = if with_manifest { format!("(@custom \"runready.policy.v1\" \"{}\")", escape(&m)) } else { String::new() };
    let wat = format!(
        r#"(module
  {imports}
  (memory (export "memory") 2)
  (data (i32.const 16) "{meta}")
  (data (i32.const 8192) "{{}}")
  {extra}
  (func (export "runready_abi_version") (result i32) (i32.const 1))
  (func (export "runready_alloc") (param $len i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (i32.mul (memory.size) (i32.const 65536)))
    (if (i32.eq (memory.grow (i32.add (i32.div_u (local.get $len) (i32.const 65536)) (i32.const 1))) (i32.const -1))
      (then (return (i32.const 0))))
    (local.get $ptr))
  (func (export "runready_free") (param i32 i32))
  (func (export "runready_metadata") (result i64)
    (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const {meta_len})))
  (func (export "runready_validate_settings") (param i32 i32) (result i64)
    (i64.or (i64.shl (i64.const 8192) (i64.const 32)) (i64.const 2)))
  (func (export "runready_evaluate") (param $ptr i32) (param $len i32) (result i64)
    {evaluate})
  {custom})"#,
        meta = escape(&m),
        meta_len = m.len(),
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("{e}\n{wat}"))
}

/// `evaluate` returning fixed bytes placed at 12288.
fn returning(text: &str) -> (String, String) {
    (format!("(i64.or (i64.shl (i64.const 12288) (i64.const 32)) (i64.const {}))", text.len()), format!("(data (i32.const 12288) \"{}\")", escape(text)))
}

fn run(wasm: &[u8], extra_args: &[&str]) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.wasm");
    std::fs::write(&path, wasm).unwrap();
    let out = Command::cargo_bin("runready")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["check", "tests/fixtures/broken", "--at", AT, "--format", "json", "--policy", path.to_str().unwrap()])
        .args(extra_args)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout))))
}

fn policy_results<'a>(report: &'a Value, prefix: &str) -> Vec<&'a Value> {
    report["results"].as_array().unwrap().iter().filter(|r| r["rule"].as_str().unwrap().starts_with(prefix)).collect()
}

fn assert_contained(wasm: &[u8], name: &str, reason: &str) {
    let (code, report) = run(wasm, &[]);
    assert_eq!(code, 3, "{report:#}");
    let r = policy_results(&report, &format!("{name}/"));
    assert_eq!(r.len(), 1, "{r:#?}");
    assert_eq!(r[0]["status"], "error");
    assert_eq!(r[0]["subject"], format!("policy:{name}"));
    assert_eq!(r[0]["evidence"]["reason"], reason, "{:#}", r[0]);
    // The rest of the run completed: built-in rules are all there.
    assert!(report["results"].as_array().unwrap().iter().any(|r| r["rule"] == "RB-002" && r["status"] == "fail"));
    // --allow-incomplete leaves the verdict of the other rules (broken-shop is not ready).
    assert_eq!(run(wasm, &["--allow-incomplete"]).0, 1);
}

#[test]
fn the_request_and_the_result_match_their_schemas() {
    let load = |name: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(format!("schemas/{name}")).unwrap()).unwrap() };
    let loaded = runready::load::load(&[std::path::PathBuf::from("examples/payments")]);
    let horizon = runready::time::Horizon::new(AT.parse().unwrap(), runready::model::Duration::from_days(90));
    let facts: runready::facts::Facts = serde_json::from_str(&std::fs::read_to_string("examples/facts/payments-2026-11-23.json").unwrap()).unwrap();
    let stage = runready::time::stage::Stage::build(&loaded.model, horizon);
    let shared = runready::policy::Shared::new(&stage, Some(&facts));
    let settings = serde_json::json!({});
    let request = serde_json::to_value(shared.request(|_| true, AT, "p", &settings)).unwrap();
    assert!(request["facts"]["sources"].is_array(), "facts are sent when given");
    let v = jsonschema::draft7::new(&load("policy-request.schema.json")).unwrap();
    assert!(v.is_valid(&request), "{:?}", v.iter_errors(&request).map(|e| e.to_string()).collect::<Vec<_>>());
    let result = serde_json::json!({ "findings": [{ "rule_id": "ORG-001", "level": "error", "message": "m", "pointer": "/model/services/0" }] });
    assert!(jsonschema::draft7::new(&load("policy-result.schema.json")).unwrap().is_valid(&result));
    let manifest: Value = serde_json::from_str(&manifest("acme", "")).unwrap();
    assert!(jsonschema::draft7::new(&load("policy-manifest.schema.json")).unwrap().is_valid(&manifest));
}

#[test]
fn findings_land_on_the_yaml_line_their_pointer_names() {
    let (eval, data) = returning(
        r#"{"findings":[{"rule_id":"ORG-001","level":"error","message":"shop escalates to nobody senior","pointer":"/model/services/0/escalation","subject":"service:shop","remediation":"Add contact:manager"}]}"#,
    );
    let wasm = module("acme", "", &eval, &data, "", true);
    let (code, report) = run(&wasm, &[]);
    assert_eq!(code, 1);
    let r = policy_results(&report, "acme/");
    assert_eq!(r.len(), 2, "{r:#?}");
    let fail = r.iter().find(|r| r["rule"] == "acme/ORG-001").unwrap();
    assert_eq!(fail["status"], "fail");
    assert_eq!(fail["subject"], "service:shop");
    assert_eq!(fail["location"]["file"], "tests/fixtures/broken/model.yaml");
    assert_eq!(fail["location"]["line"], 33);
    assert_eq!(fail["help"], "Add contact:manager");
    // A declared rule that reports nothing counts as one pass.
    let pass = r.iter().find(|r| r["rule"] == "acme/ORG-002").unwrap();
    assert_eq!((pass["status"].as_str(), pass["subject"].as_str()), (Some("pass"), Some("model")));
    // Policy rules are in the SARIF rule list like built-in ones.
    assert!(report["rules"].as_array().unwrap().iter().any(|d| d["id"] == "acme/ORG-001"));
}

#[test]
fn waivers_apply_to_policy_rules() {
    let (eval, data) = returning(r#"{"findings":[{"rule_id":"ORG-001","level":"error","message":"m","subject":"service:shop"}]}"#);
    let wasm = module("acme", "", &eval, &data, "", true);
    let dir = tempfile::tempdir().unwrap();
    let model = std::fs::read_to_string("tests/fixtures/broken/model.yaml").unwrap()
        + "  - { rule: acme/ORG-001, subject: service:shop, reason: manager hired in January, approved_by: cto, expires: 2027-01-31 }\n";
    std::fs::write(dir.path().join("model.yaml"), model).unwrap();
    std::fs::create_dir(dir.path().join("runbooks")).unwrap();
    std::fs::copy("tests/fixtures/broken/runbooks/restore.md", dir.path().join("runbooks/restore.md")).unwrap();
    std::fs::write(dir.path().join("p.wasm"), &wasm).unwrap();
    let out = Command::cargo_bin("runready")
        .unwrap()
        .args(["check", dir.path().to_str().unwrap(), "--at", AT, "--format", "json", "--policy", dir.path().join("p.wasm").to_str().unwrap()])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = policy_results(&report, "acme/ORG-001");
    assert_eq!(r[0]["status"], "waived");
}

#[test]
fn an_infinite_loop_runs_out_of_fuel() {
    let wasm = module("loop", r#","limits":{"fuel":50000000}"#, "(loop $l (br $l)) (unreachable)", "", "", true);
    assert_contained(&wasm, "loop", "fuel");
}

#[test]
fn an_infinite_loop_with_fuel_to_spare_hits_the_wall_clock() {
    let wasm = module("slow", r#","limits":{"timeout_ms":100}"#, "(loop $l (br $l)) (unreachable)", "", "", true);
    let started = std::time::Instant::now();
    assert_contained(&wasm, "slow", "timeout");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn unbounded_recursion_overflows_the_stack() {
    let wasm = module("deep", "", "(call $down) (unreachable)", "(func $down (call $down))", "", true);
    assert_contained(&wasm, "deep", "stack");
}

#[test]
fn memory_growth_past_the_limit_is_denied() {
    let eval = "(loop $l (if (i32.eq (memory.grow (i32.const 256)) (i32.const -1)) (then (unreachable))) (br $l)) (unreachable)";
    let wasm = module("hungry", r#","limits":{"memory_mib":16}"#, eval, "", "", true);
    assert_contained(&wasm, "hungry", "memory");
}

#[test]
fn a_huge_result_is_refused() {
    let wasm = module("huge", "", "(i64.or (i64.shl (i64.const 0) (i64.const 32)) (i64.const 20000000))", "", "", true);
    assert_contained(&wasm, "huge", "output");
}

#[test]
fn invalid_json_is_reported() {
    let (eval, data) = returning("this is not JSON");
    assert_contained(&module("garbled", "", &eval, &data, "", true), "garbled", "invalid_json");
}

#[test]
fn an_undeclared_rule_id_is_reported() {
    let (eval, data) = returning(r#"{"findings":[{"rule_id":"ORG-999","level":"error","message":"m"}]}"#);
    assert_contained(&module("sneaky", "", &eval, &data, "", true), "sneaky", "undeclared_rule");
}

#[test]
fn a_pointer_that_resolves_to_nothing_is_reported() {
    let (eval, data) = returning(r#"{"findings":[{"rule_id":"ORG-001","level":"error","message":"m","pointer":"/model/nope/1"}]}"#);
    assert_contained(&module("lost", "", &eval, &data, "", true), "lost", "bad_pointer");
}

#[test]
fn a_trap_is_reported() {
    assert_contained(&module("crashy", "", "(unreachable)", "", "", true), "crashy", "trap");
}

#[test]
fn a_module_importing_wasi_is_refused_with_the_import() {
    let wasm = module("wasi", "", "(unreachable)", "", r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#, true);
    let (_, report) = run(&wasm, &[]);
    let r = policy_results(&report, "wasi/");
    assert!(r[0]["message"].as_str().unwrap().contains("wasi_snapshot_preview1.fd_write"), "{:#}", r[0]);
    assert_contained(&wasm, "wasi", "import");
}

#[test]
fn a_module_without_a_manifest_is_refused() {
    assert_contained(&module("p", "", "(unreachable)", "", "", false), "p", "manifest");
}

#[test]
fn a_precompiled_blob_is_never_loaded() {
    let mut blob = b"\x7fELF\x02\x01\x01\x00".to_vec();
    blob.extend(std::iter::repeat_n(0u8, 4096));
    let (code, report) = run(&blob, &[]);
    assert_eq!(code, 3);
    let r = policy_results(&report, "p/");
    assert_eq!(r[0]["evidence"]["reason"], "manifest");
    assert!(r[0]["message"].as_str().unwrap().contains("precompiled native object"));
}

#[test]
fn settings_are_validated_against_the_schema() {
    let (eval, data) = returning(r#"{"findings":[]}"#);
    let wasm = module("strict", r#","settings_schema":{"type":"object","properties":{"max_ack_minutes":{"type":"integer"}},"additionalProperties":false}"#, &eval, &data, "", true);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("strict.wasm"), &wasm).unwrap();
    let base = std::fs::read_to_string("tests/fixtures/broken/model.yaml").unwrap();
    std::fs::create_dir(dir.path().join("runbooks")).unwrap();
    std::fs::copy("tests/fixtures/broken/runbooks/restore.md", dir.path().join("runbooks/restore.md")).unwrap();
    for (settings, reason) in [("{ max_ack_minutes: 10 }", None), ("{ max_ack_minutes: ten }", Some("invalid_settings"))] {
        std::fs::write(dir.path().join("model.yaml"), format!("{base}policies:\n  - {{ path: strict.wasm, settings: {settings} }}\n")).unwrap();
        let out = Command::cargo_bin("runready").unwrap().args(["check", dir.path().to_str().unwrap(), "--at", AT, "--format", "json"]).output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let r = policy_results(&report, "strict/");
        match reason {
            None => assert!(r.iter().all(|r| r["status"] == "pass"), "{r:#?}"),
            Some(reason) => assert_eq!(r[0]["evidence"]["reason"], reason, "{r:#?}"),
        }
    }
    // A sha256 pin that does not match is a load error.
    std::fs::write(dir.path().join("model.yaml"), format!("{base}policies:\n  - {{ path: strict.wasm, sha256: \"{}\" }}\n", "0".repeat(64))).unwrap();
    let out = Command::cargo_bin("runready").unwrap().args(["check", dir.path().to_str().unwrap(), "--at", AT]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not the pinned"));
}

#[test]
fn compiled_modules_are_cached_on_disk_and_reused() {
    let (eval, data) = returning(r#"{"findings":[]}"#);
    let wasm = module("cached", "", &eval, &data, "", true);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let path = dir.path().join("p.wasm");
    std::fs::write(&path, &wasm).unwrap();
    let run = || Command::cargo_bin("runready").unwrap().env("RUNREADY_CACHE_DIR", &cache).args(["check", "examples/payments", "--at", AT, "-q", "--policy", path.to_str().unwrap()]).output().unwrap();
    assert_eq!(run().status.code(), Some(0));
    let files: Vec<_> = std::fs::read_dir(cache.join("modules")).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "one compiled module in the cache");
    let written = files[0].metadata().unwrap().modified().unwrap();
    assert_eq!(run().status.code(), Some(0));
    let again: Vec<_> = std::fs::read_dir(cache.join("modules")).unwrap().flatten().collect();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].metadata().unwrap().modified().unwrap(), written, "the second run reused the compiled module");
    // A changed module is a different cache entry, never the old code.
    let (eval2, data2) = returning(r#"{"findings":[{"rule_id":"ORG-001","level":"error","message":"changed"}]}"#);
    std::fs::write(&path, module("cached", "", &eval2, &data2, "", true)).unwrap();
    assert_eq!(run().status.code(), Some(1));
    assert_eq!(std::fs::read_dir(cache.join("modules")).unwrap().count(), 2);
}

#[test]
fn a_manifest_that_lies_about_its_abi_is_refused() {
    let (eval, data) = returning(r#"{"findings":[]}"#);
    let m = manifest("liar", "").replace("core-v1", "component");
    let wasm = module("liar", "", &eval, &data, "", false);
    let packed = {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("m.wasm"), &wasm).unwrap();
        std::fs::write(dir.path().join("policy.yaml"), &m).unwrap();
        Command::cargo_bin("runready")
            .unwrap()
            .args(["policy", "pack"])
            .arg(dir.path().join("m.wasm"))
            .arg("--manifest")
            .arg(dir.path().join("policy.yaml"))
            .arg("-o")
            .arg(dir.path().join("p.wasm"))
            .assert()
            .success();
        std::fs::read(dir.path().join("p.wasm")).unwrap()
    };
    assert_contained(&packed, "liar", "manifest");
}

/// A core module that reports one finding pointing into the request's facts: the host
/// accepts a pointer only when it resolves in the request the policy was given.
fn pointing_at_facts(inputs: &str) -> Vec<u8> {
    let (eval, data) = returning(r#"{"findings":[{"rule_id":"ORG-001","level":"warning","message":"read the facts","pointer":"/facts/sources/0/account"}]}"#);
    module("facts-reader", inputs, &eval, &data, "", true)
}

#[test]
fn the_request_carries_facts_when_given_and_only_the_inputs_a_policy_asks_for() {
    let facts = ["--facts", "examples/facts/payments-2026-11-23.json"];
    // Facts given, every input (no `inputs`): the pointer into /facts resolves.
    let (_, report) = run(&pointing_at_facts(""), &facts);
    let r = policy_results(&report, "facts-reader/ORG-001");
    assert_eq!(r.len(), 1, "{report:#}");
    assert_eq!(r[0]["status"], "fail", "{:#}", r[0]);
    // No facts given: nothing to point at.
    let (code, report) = run(&pointing_at_facts(""), &[]);
    assert_eq!(code, 3);
    assert_eq!(policy_results(&report, "facts-reader/")[0]["evidence"]["reason"], "bad_pointer");
    // Facts given, but the manifest asks for the model only: they are left out.
    let (code, report) = run(&pointing_at_facts(r#","inputs":["model"]"#), &facts);
    assert_eq!(code, 3);
    assert_eq!(policy_results(&report, "facts-reader/")[0]["evidence"]["reason"], "bad_pointer");
}

#[test]
fn shared_request_parts_are_built_only_when_asked_for() {
    use runready::policy::manifest::Input;
    let loaded = runready::load::load(&[std::path::PathBuf::from("examples/payments")]);
    let horizon = runready::time::Horizon::new(AT.parse().unwrap(), runready::model::Duration::from_days(90));
    let stage = runready::time::stage::Stage::build(&loaded.model, horizon);
    let shared = runready::policy::Shared::new(&stage, None);
    let settings = serde_json::json!({});
    let request = serde_json::to_value(shared.request(|i| i == Input::Model, AT, "p", &settings)).unwrap();
    assert!(request.get("derived").is_none() && request.get("facts").is_none() && request["model"].is_object());
    assert_eq!(shared.built(), vec![Input::Model], "derived is not built for a policy that does not read it");
    let _ = shared.request(|_| true, AT, "q", &settings);
    assert_eq!(shared.built(), vec![Input::Model, Input::Derived, Input::Facts]);
}

#[test]
fn a_policy_directory_without_a_policy_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("runready").unwrap().args(["check", "examples/payments", "--at", AT, "-q", "--policy"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("holds no policy (looked for *.wasm files and Rego policies"), "{err}");
    let check = |manifest: &str| {
        std::fs::write(dir.path().join("policy.yaml"), manifest).unwrap();
        let out = Command::cargo_bin("runready").unwrap().args(["check", "examples/payments", "--at", AT, "-q", "--policy"]).arg(dir.path()).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, err) = check("name: x\nversion: 1.0.0\nabi: core-v1\nrules: [{ id: X-1, title: t, level: error }]\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("its policy.yaml has no .wasm module beside it"), "{err}");
    let (code, err) = check("name: x\nversion: 1.0.0\nabi: rego\nrules: [{ id: X-1, title: t, level: error }]\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("holds no .rego module"), "{err}");
}
