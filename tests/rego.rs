//! Rego policies (policy-abi.md, "Rego policies (v1.1)") through `runready check --policy`
//! and the model's `policies`: findings on their YAML lines, waivers, every hostile case
//! with the outcome the contract names, and nothing that crashes or hangs the process.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const AT: &str = "2026-11-23T10:00:00Z";

const RULES: &str = "rules:\n  - { id: ORG-001, title: Escalations reach a manager, level: error, help: Add a manager step }\n  - { id: ORG-002, title: Owners are named, level: warning }\n";

/// A Rego policy directory: `policy.yaml` (name `acme` plus `extra` lines) and the files.
fn policy(extra: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.yaml"), format!("name: acme\nversion: 1.0.0\nabi: rego\n{RULES}{extra}")).unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

struct Run {
    code: i32,
    report: Value,
    stderr: String,
}

fn check(policy: &Path, extra: &[&str]) -> Run {
    let out = Command::cargo_bin("runready")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["check", "tests/fixtures/broken", "--at", AT, "--format", "json", "--policy", policy.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    Run { code: out.status.code().unwrap_or(-1), report, stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

fn results<'a>(report: &'a Value, prefix: &str) -> Vec<&'a Value> {
    report["results"].as_array().unwrap().iter().filter(|r| r["rule"].as_str().unwrap().starts_with(prefix)).collect()
}

/// The policy gives one `error` result with `reason`, and every built-in rule still ran.
fn assert_contained(dir: &Path, reason: &str) -> Value {
    let run = check(dir, &[]);
    assert_eq!(run.code, 3, "{:#}\n{}", run.report, run.stderr);
    let r = results(&run.report, "acme/");
    assert_eq!(r.len(), 1, "{r:#?}");
    assert_eq!((r[0]["status"].as_str(), r[0]["subject"].as_str()), (Some("error"), Some("policy:acme")));
    assert_eq!(r[0]["evidence"]["reason"], reason, "{:#}", r[0]);
    assert!(run.report["results"].as_array().unwrap().iter().any(|r| r["rule"] == "RB-002" && r["status"] == "fail"), "the built-in rules ran");
    r[0].clone()
}

/// A load error: exit 2, the message on stderr naming `file:line:col`.
fn assert_load_error(dir: &Path, file: &str, line_col: &str, words: &str) {
    let run = check(dir, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let at = format!("{}:{line_col}", dir.join(file).display());
    assert!(run.stderr.contains(&at), "expected {at} in:\n{}", run.stderr);
    assert!(run.stderr.contains(words), "expected {words:?} in:\n{}", run.stderr);
}

const SHOP: &str = r#"package runready

deny contains {"rule_id": "ORG-001", "msg": "shop escalates to nobody senior", "pointer": "/model/services/0/escalation", "subject": "service:shop", "remediation": "Add contact:manager"} if {
	input.model.services[0].id == "shop"
}

warn_owner contains "someone should own this" if {
	input.context.now == "2026-11-23T10:00:00Z"
}
"#;

#[test]
fn findings_land_on_the_yaml_line_their_pointer_names() {
    let dir = policy("", &[("policy.rego", SHOP)]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let r = results(&run.report, "acme/");
    let fail = r.iter().find(|r| r["rule"] == "acme/ORG-001").unwrap();
    assert_eq!((fail["status"].as_str(), fail["subject"].as_str()), (Some("fail"), Some("service:shop")));
    assert_eq!(fail["message"], "shop escalates to nobody senior", "msg is read as message");
    assert_eq!(fail["location"]["file"], "tests/fixtures/broken/model.yaml");
    assert_eq!(fail["location"]["line"], 33);
    assert_eq!(fail["help"], "Add contact:manager");
    // A string in `warn_owner` (a suffixed set) takes the first declared warning rule.
    let warn = r.iter().find(|r| r["rule"] == "acme/ORG-002").unwrap();
    assert_eq!((warn["status"].as_str(), warn["severity"].as_str(), warn["message"].as_str()), (Some("fail"), Some("warning"), Some("someone should own this")));
    assert!(run.report["rules"].as_array().unwrap().iter().any(|d| d["id"] == "acme/ORG-001"), "in the SARIF rule list");
    // The same request gives the same report.
    assert_eq!(check(dir.path(), &[]).report["results"], run.report["results"]);
}

#[test]
fn the_model_lists_a_rego_policy_with_its_pin_and_waivers_apply() {
    let dir = tempfile::tempdir().unwrap();
    let pdir = dir.path().join("org-policy");
    std::fs::create_dir(&pdir).unwrap();
    std::fs::write(pdir.join("policy.yaml"), format!("name: acme\nversion: 1.0.0\nabi: rego\n{RULES}")).unwrap();
    std::fs::write(pdir.join("policy.rego"), SHOP).unwrap();
    std::fs::write(pdir.join("policy_test.rego"), "package runready_test\n\ntest_nothing if true\n").unwrap();
    // The pin, computed here independently: every *.rego and policy.yaml, sorted by path,
    // `path NUL contents NUL`.
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for name in ["policy.rego", "policy.yaml", "policy_test.rego"] {
        h.update(format!("{name}\0"));
        h.update(std::fs::read(pdir.join(name)).unwrap());
        h.update("\0");
    }
    let pin: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let inspect = Command::cargo_bin("runready").unwrap().args(["policy", "inspect", pdir.to_str().unwrap()]).output().unwrap();
    assert!(String::from_utf8_lossy(&inspect.stdout).contains(&format!("sha256 {pin}")), "{}", String::from_utf8_lossy(&inspect.stdout));
    let base = std::fs::read_to_string("tests/fixtures/broken/model.yaml").unwrap();
    std::fs::create_dir(dir.path().join("runbooks")).unwrap();
    std::fs::copy("tests/fixtures/broken/runbooks/restore.md", dir.path().join("runbooks/restore.md")).unwrap();
    let write = |pin: &str, waiver: &str| {
        let model = base.replace("waivers:\n", &format!("policies:\n  - {{ path: org-policy, sha256: {pin} }}\nwaivers:\n{waiver}"));
        assert_ne!(model, base, "the fixture has a waivers section");
        std::fs::write(dir.path().join("model.yaml"), model).unwrap();
    };
    let run = |extra: &[&str]| {
        let out = Command::cargo_bin("runready").unwrap().args(["check", dir.path().to_str().unwrap(), "--at", AT]).args(extra).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        (out.status.code().unwrap(), serde_json::from_slice::<Value>(&out.stdout).unwrap_or(Value::Null), text)
    };
    write(&pin, "  - { rule: acme/ORG-001, subject: service:shop, reason: manager hired in January, approved_by: cto, expires: 2027-01-31 }\n");
    let (code, report, stderr) = run(&["--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(results(&report, "acme/ORG-001")[0]["status"], "waived");
    // A changed file is a pin mismatch: exit 2, at the pin.
    write(&"0".repeat(64), "");
    let (code, _, stderr) = run(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&format!("has sha256 {pin}")), "{stderr}");
}

#[test]
fn a_namespace_falls_back_to_main_and_the_manifest_can_name_one() {
    let main = policy("", &[("p.rego", "package main\n\ndeny contains \"from main\" if true\n")]);
    let r = check(main.path(), &[]);
    assert_eq!(results(&r.report, "acme/ORG-001")[0]["message"], "from main");
    let named =
        policy("namespace: acme.org\n", &[("p.rego", "package acme.org\n\nviolation contains \"from acme.org\" if true\n"), ("q.rego", "package runready\n\ndeny contains \"not read\" if true\n")]);
    let r = check(named.path(), &[]);
    let found: Vec<&str> = results(&r.report, "acme/ORG-001").iter().map(|r| r["message"].as_str().unwrap()).collect();
    assert_eq!(found, ["from acme.org"]);
}

#[test]
fn test_files_are_never_evaluated_by_check() {
    let dir = policy("", &[("policy.rego", "package runready\n\ndeny contains \"x\" if false\n"), ("policy_test.rego", "package runready\n\ndeny contains \"from a test file\" if true\n")]);
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(results(&r.report, "acme/ORG-001")[0]["status"], "pass");
}

#[test]
fn malformed_elements_and_undeclared_rules_are_errors() {
    let undeclared = policy("", &[("p.rego", "package runready\n\ndeny contains {\"rule_id\": \"ORG-999\", \"message\": \"m\"} if true\n")]);
    assert_contained(undeclared.path(), "undeclared_rule");
    // A string in `warn` needs a declared warning rule; this policy has only an error rule.
    let no_warning = tempfile::tempdir().unwrap();
    std::fs::write(no_warning.path().join("policy.yaml"), "name: acme\nversion: 1.0.0\nabi: rego\nrules: [{ id: ORG-001, title: t, level: error }]\n").unwrap();
    std::fs::write(no_warning.path().join("p.rego"), "package runready\n\nwarn contains \"w\" if true\n").unwrap();
    let e = assert_contained(no_warning.path(), "undeclared_rule");
    assert!(e["message"].as_str().unwrap().contains("no rule of level warning"), "{e:#}");
    let typo = policy("", &[("p.rego", "package runready\n\ndeny contains {\"message\": \"m\", \"pointr\": \"/model\"} if true\n")]);
    let e = assert_contained(typo.path(), "invalid_json");
    assert!(e["message"].as_str().unwrap().contains("`pointr`"), "{e:#}");
    let bad_pointer = policy("", &[("p.rego", "package runready\n\ndeny contains {\"message\": \"m\", \"pointer\": \"/model/nothing/here\"} if true\n")]);
    assert_contained(bad_pointer.path(), "bad_pointer");
}

#[test]
fn settings_are_validated_and_given_as_input() {
    let dir = policy(
        "settings_schema: { type: object, required: [managers], properties: { managers: { type: array } } }\n",
        &[("p.rego", "package runready\n\ndeny contains sprintf(\"managers: %v\", [input.settings.managers]) if true\n")],
    );
    let e = assert_contained(dir.path(), "invalid_settings");
    assert!(e["message"].as_str().unwrap().contains("managers"), "{e:#}");
}

#[test]
fn print_goes_to_the_policy_log() {
    let dir = policy("", &[("p.rego", "package runready\n\ndeny contains \"x\" if {\n\tprint(\"services:\", count(input.model.services))\n}\n")]);
    let r = check(dir.path(), &[]);
    assert!(r.stderr.contains("policy acme: ") && r.stderr.contains("p.rego:4: services: 1"), "{}", r.stderr);
}

// ---- load errors: exit 2, located ----

#[test]
fn a_syntax_error_is_located() {
    let dir = policy("", &[("policy.rego", "package runready\n\ndeny contains msg if {\n\tmsg := \"unclosed\n}\n")]);
    assert_load_error(dir.path(), "policy.rego", "4:", "rego_parse_error");
}

#[test]
fn an_unknown_builtin_is_located_even_in_a_rule_that_never_runs() {
    let dir = policy("", &[("policy.rego", "package runready\n\ndeny contains \"x\" if {\n\tfalse\n\tstrings.frobnicate(\"a\")\n}\n")]);
    assert_load_error(dir.path(), "policy.rego", "5:2", "undefined function strings.frobnicate");
}

#[test]
fn recursion_among_rules_is_refused_at_load() {
    let dir = policy("", &[("policy.rego", "package runready\n\na if b\n\nb if a\n\ndeny contains \"x\" if a\n")]);
    assert_load_error(dir.path(), "policy.rego", "", "rego_recursion_error: rule data.runready.");
}

#[test]
fn recursion_among_functions_is_refused_at_load() {
    let dir = policy(
        "",
        &[("lib.rego", "package lib\n\nf(x) := y if {\n\ty := g(x)\n}\n\ng(x) := f(x - 1)\n"), ("policy.rego", "package runready\n\nimport data.lib\n\ndeny contains \"x\" if lib.f(3) > 0\n")],
    );
    let run = check(dir.path(), &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("rego_recursion_error: rule data.lib.") && run.stderr.contains("lib.rego:"), "{}", run.stderr);
}

#[test]
fn a_function_calling_itself_is_refused_at_load() {
    let dir = policy("", &[("policy.rego", "package runready\n\nfact(n) := n * fact(n - 1) if n > 0\n\ndeny contains \"x\" if fact(5) > 0\n")]);
    assert_load_error(dir.path(), "policy.rego", "3:", "data.runready.fact -> data.runready.fact");
}

#[test]
fn a_local_variable_named_like_a_rule_is_not_recursion() {
    // `msg` calls `shout`, whose argument is also called `msg`: a variable, not a cycle.
    let dir = policy("", &[("policy.rego", "package runready\n\nmsg := shout(\"m\")\n\nshout(msg) := upper(msg)\n\ndeny contains msg if true\n")]);
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn a_directory_without_a_manifest_or_a_single_file_without_one_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.rego"), "package runready\n\ndeny contains \"x\" if true\n").unwrap();
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no policy.yaml"), "{}", r.stderr);
    let r = check(&dir.path().join("p.rego"), &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("needs a policy.yaml"), "{}", r.stderr);
    // With the manifest beside it, the single file is a policy.
    std::fs::write(dir.path().join("policy.yaml"), format!("name: acme\nversion: 1.0.0\nabi: rego\n{RULES}")).unwrap();
    assert_eq!(check(&dir.path().join("p.rego"), &[]).code, 1);
}

// ---- refused built-ins: an `import` error (exit 3) naming the built-in ----

#[test]
fn http_send_is_refused_with_its_name() {
    let dir = policy("", &[("policy.rego", "package runready\n\ndeny contains \"x\" if {\n\tr := http.send({\"method\": \"get\", \"url\": \"https://example.com\"})\n\tr.status_code == 200\n}\n")]);
    let e = assert_contained(dir.path(), "import");
    assert!(e["message"].as_str().unwrap().contains("`http.send`, which reads the network"), "{e:#}");
    assert_eq!(e["location"]["line"], 4, "{e:#}");
}

#[test]
fn time_now_ns_is_refused_even_in_a_rule_that_never_runs() {
    let dir = policy("", &[("policy.rego", "package runready\n\nstale if {\n\tfalse\n\ttime.now_ns() > 0\n}\n\ndeny contains \"x\" if stale\n")]);
    let e = assert_contained(dir.path(), "import");
    assert!(e["message"].as_str().unwrap().contains("`time.now_ns`, which reads the clock"), "{e:#}");
}

// ---- limits at evaluation: an `error` result, never a crash or a hang ----

#[test]
fn a_comprehension_over_a_huge_range_hits_the_memory_ceiling() {
    let dir = policy("", &[("policy.rego", "package runready\n\ndeny contains \"x\" if {\n\tcount([x | some x in numbers.range(1, 200000000)]) > 0\n}\n")]);
    assert_contained(dir.path(), "memory");
}

#[test]
fn a_long_evaluation_is_stopped_at_the_wall_clock() {
    let dir = policy(
        "limits: { timeout_ms: 300 }\n",
        &[("policy.rego", "package runready\n\ndeny contains \"x\" if {\n\tsome x in numbers.range(1, 100000)\n\tsome y in numbers.range(1, 100000)\n\tx * y < 0\n}\n")],
    );
    let started = std::time::Instant::now();
    let e = assert_contained(dir.path(), "timeout");
    assert!(e["message"].as_str().unwrap().contains("300 ms"), "{e:#}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "stopped, not run to the end");
}

#[test]
fn a_million_findings_are_refused() {
    let dir = policy("", &[("policy.rego", "package runready\n\ndeny contains sprintf(\"f%d\", [x]) if {\n\tsome x in numbers.range(1, 1000000)\n}\n")]);
    let e = assert_contained(dir.path(), "output");
    assert!(e["message"].as_str().unwrap().contains("10000"), "{e:#}");
}

#[test]
fn a_reference_chain_too_deep_for_the_evaluator_overflows_its_stack_not_ours() {
    // 50,000 rules in five files, each reading the next: no recursion, but deeper than any
    // stack (a file may have at most 20,000 lines).
    let mut files: Vec<(String, String)> = (0..5).map(|f| (format!("chain{f}.rego"), String::from("package runready\n\n"))).collect();
    files[0].1.push_str("deny contains \"x\" if r0\n\n");
    for i in 0..50_000 {
        files[i / 10_000].1.push_str(&format!("r{i} if r{}\n", i + 1));
    }
    files[4].1.push_str("r50000 := true\n");
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let dir = policy("", &files);
    assert_contained(dir.path(), "stack");
}

#[test]
fn every_other_policy_still_runs_beside_a_hostile_one() {
    let hostile = policy("", &[("policy.rego", "package runready\n\ndeny contains \"x\" if {\n\tcount([x | some x in numbers.range(1, 200000000)]) > 0\n}\n")]);
    let good = tempfile::tempdir().unwrap();
    std::fs::write(good.path().join("policy.yaml"), format!("name: good\nversion: 1.0.0\nabi: rego\n{RULES}")).unwrap();
    std::fs::write(good.path().join("policy.rego"), SHOP).unwrap();
    let r = check(hostile.path(), &["--policy", good.path().to_str().unwrap()]);
    assert_eq!(r.code, 3);
    assert_eq!(results(&r.report, "good/ORG-001")[0]["status"], "fail");
    assert_eq!(results(&r.report, "acme/")[0]["evidence"]["reason"], "memory");
}

// ---- policy test, new, inspect ----

#[test]
fn policy_test_runs_cases_and_test_rules_and_reports_failures() {
    let dir = policy(
        "",
        &[
            ("policy.rego", SHOP),
            (
                "policy_test.rego",
                "package runready_test\n\nimport data.runready\n\ntest_shop_is_denied if {\n\tcount(runready.deny) == 1 with input as {\"model\": {\"services\": [{\"id\": \"shop\"}]}}\n}\n\ntest_wrong if {\n\tcount(runready.deny) == 5 with input as {\"model\": {\"services\": [{\"id\": \"shop\"}]}}\n}\n",
            ),
        ],
    );
    let junit = dir.path().join("junit.xml");
    let out = Command::cargo_bin("runready").unwrap().args(["policy", "test", dir.path().to_str().unwrap(), "--junit", junit.to_str().unwrap()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("PASS") && stdout.contains("data.runready_test.test_shop_is_denied — true"), "{stdout}");
    assert!(stdout.contains("FAIL") && stdout.contains("data.runready_test.test_wrong") && stdout.contains("policy_test.rego:9:"), "{stdout}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("test_wrong") && xml.contains("<failure"), "{xml}");
}

#[test]
fn the_rego_scaffold_passes_its_own_tests_as_generated() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("runready").unwrap().args(["policy", "new", "acme-rules", "--lang", "rego", "--dir", dir.path().to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let root = dir.path().join("acme-rules");
    let out = Command::cargo_bin("runready").unwrap().args(["policy", "test", root.to_str().unwrap()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("policy tests: 4 passed, 0 failed"), "{stdout}");
    let out = Command::cargo_bin("runready").unwrap().args(["policy", "inspect", root.to_str().unwrap()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("acme-rules 0.1.0 (rego)") && stdout.contains("acme-rules/EX-001") && stdout.contains("finding rules: data.runready.deny"), "{stdout}");
}

#[test]
fn the_rego_examples_pass_their_tests_and_agree_with_the_wasm_versions_on_the_examples() {
    let out = Command::cargo_bin("runready").unwrap().args(["policy", "test", "policies/rego"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
    // Each example policy contributes its tests-file cases and its test_* rules.
    for name in ["ops-basics", "manager-reach", "scheduled-changes"] {
        assert!(stdout.contains(&format!("policies/rego/{name}/policy_test.rego :: ")), "{name}: {stdout}");
        assert!(stdout.contains(&format!("policies/rego/{name}/{name}.tests.yaml :: ")), "{name}: {stdout}");
    }
}
