//! The command line end to end: exit codes, every report format written and read back by
//! a real parser (xmllint with the JUnit XSD, the SARIF 2.1.0 schema), snapshots.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const AT: &str = "2026-11-23T10:00:00Z";

fn runready() -> Command {
    let mut c = Command::cargo_bin("runready").unwrap();
    c.env("NO_COLOR", "1").env_remove("CI");
    c
}

fn check(args: &[&str]) -> (i32, String, String) {
    let out = runready().arg("check").args(args).args(["--at", AT]).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared").join(rel)
}

#[test]
fn examples_conclude_as_the_readme_says() {
    assert_eq!(check(&["examples/payments"]).0, 0);
    let (code, out, _) = check(&["examples/internal-vendor"]);
    assert_eq!(code, 0);
    assert!(out.contains("1 waived"), "{out}");
    let (code, out, _) = check(&["examples/ams"]);
    assert_eq!(code, 1);
    assert!(out.contains("SEV-003"), "{out}");
}

#[test]
fn human_report_of_a_failing_model() {
    let (code, out, _) = check(&["tests/fixtures/broken"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("human_broken", out);
}

#[test]
fn human_report_of_an_invalid_model() {
    let (code, out, _) = check(&["tests/fixtures/invalid"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("human_invalid", out);
}

#[test]
fn json_report_round_trips_and_matches_the_schema() {
    let (code, out, _) = check(&["tests/fixtures/broken", "--format", "json"]);
    assert_eq!(code, 1);
    let report: runready::report::Report = serde_json::from_str(&out).unwrap();
    assert_eq!(report.verdict, runready::report::Verdict::NotReady);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("schemas/report.schema.json").unwrap()).unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    insta::assert_snapshot!("json_broken", out);
}

fn write_all_reports(model: &str) -> (i32, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let (code, _, _) = check(&[model, "--json", &p("r.json"), "--junit", &p("r.xml"), "--markdown", &p("r.md"), "--sarif", &p("r.sarif")]);
    (code, dir)
}

fn xmllint(xml: &Path) {
    let xsd = shared("fixtures/schemas/jenkins-junit.xsd");
    let out = std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(xml).output().expect("xmllint must be installed (apt-get install libxml2-utils; .ci/run does it)");
    assert!(out.status.success(), "JUnit does not validate:\n{}", String::from_utf8_lossy(&out.stderr));
}

fn sarif_valid(path: &Path) -> serde_json::Value {
    let mut schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(shared("fixtures/schemas/sarif-schema-2.1.0.json")).unwrap()).unwrap();
    // The official schema's `language` patterns (run, toolComponent) have a stray `]` that
    // is not a valid ECMA 262 regex, so the draft-07 meta-schema (`format: regex`) rejects
    // the schema. Only those patterns are replaced, by the one they mean; we never emit
    // `language`.
    for def in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *language = serde_json::json!("^[a-zA-Z]{2}$|^[a-zA-Z]{2}-[a-zA-Z]{2}$");
    }
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft7).should_validate_formats(true).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF does not validate: {errors:#?}");
    for r in doc["runs"][0]["results"].as_array().unwrap() {
        for l in r["locations"].as_array().into_iter().flatten() {
            let uri = l["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
            assert!(!uri.starts_with('/') && !uri.contains('\\'), "{uri} is not a relative URI reference");
        }
    }
    doc
}

#[test]
fn every_report_is_written_and_valid_for_a_failing_model() {
    let (code, dir) = write_all_reports("tests/fixtures/broken");
    assert_eq!(code, 1);
    xmllint(&dir.path().join("r.xml"));
    let sarif = sarif_valid(&dir.path().join("r.sarif"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let rb002 = results.iter().find(|r| r["ruleId"] == "RB-002").unwrap();
    let region = &rb002["locations"][0]["physicalLocation"];
    assert_eq!(region["artifactLocation"]["uri"], "tests/fixtures/broken/model.yaml");
    assert_eq!(region["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(region["region"]["startLine"], 26);
    assert_eq!(region["region"]["startColumn"], 108);
    let junit = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    insta::assert_snapshot!("junit_broken", junit);
    insta::assert_snapshot!("sarif_broken", std::fs::read_to_string(dir.path().join("r.sarif")).unwrap());
    insta::assert_snapshot!("markdown_broken", std::fs::read_to_string(dir.path().join("r.md")).unwrap());
}

#[test]
fn every_report_is_written_and_valid_when_loading_fails() {
    let (code, dir) = write_all_reports("tests/fixtures/invalid");
    assert_eq!(code, 2);
    xmllint(&dir.path().join("r.xml"));
    sarif_valid(&dir.path().join("r.sarif"));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(json["verdict"], "invalid");
    assert_eq!(json["load_errors"].as_array().unwrap().len(), 6);
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(md.contains("The model could not be loaded"));
    insta::assert_snapshot!("markdown_invalid", md);
}

#[test]
fn every_report_is_valid_for_the_examples() {
    for example in ["examples/payments", "examples/internal-vendor", "examples/ams"] {
        let (_, dir) = write_all_reports(example);
        xmllint(&dir.path().join("r.xml"));
        sarif_valid(&dir.path().join("r.sarif"));
    }
}

#[test]
fn fail_on_sets_the_threshold() {
    // broken-shop has error failures and an SM-003 warning.
    assert_eq!(check(&["tests/fixtures/broken", "--fail-on", "never"]).0, 0);
    let warn_only = ["tests/fixtures/broken", "--fail-on", "warning"];
    assert_eq!(check(&warn_only).0, 1);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.yaml"), std::fs::read_to_string("examples/payments/model.yaml").unwrap().replace("reviewed: 2026-10-01", "reviewed: 2024-10-01")).unwrap();
    std::fs::copy("examples/payments/team.yaml", dir.path().join("team.yaml")).unwrap();
    std::fs::create_dir(dir.path().join("runbooks")).unwrap();
    std::fs::copy("examples/payments/runbooks/payments-failover.md", dir.path().join("runbooks/payments-failover.md")).unwrap();
    let d = dir.path().to_str().unwrap();
    assert_eq!(check(&[d]).0, 0, "a warning alone does not fail at the default threshold");
    assert_eq!(check(&[d, "--fail-on", "warning"]).0, 1);
}

#[test]
fn exit_code_precedence() {
    // A policy that cannot be evaluated is an `error` result: 3 beats 1, and
    // --allow-incomplete leaves the 1. (A native blob is never loaded as a policy.)
    let dir = tempfile::tempdir().unwrap();
    let model = std::fs::read_to_string("tests/fixtures/broken/model.yaml").unwrap() + "policies:\n  - { path: policies/acme.wasm }\n";
    std::fs::write(dir.path().join("model.yaml"), model).unwrap();
    std::fs::create_dir(dir.path().join("runbooks")).unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/acme.wasm"), b"\x7fELF not a module").unwrap();
    std::fs::copy("tests/fixtures/broken/runbooks/restore.md", dir.path().join("runbooks/restore.md")).unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, out, _) = check(&[d]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("policy:acme"));
    assert_eq!(check(&[d, "--allow-incomplete"]).0, 1);
    // A policy the model names that does not exist makes the input unusable: 2.
    std::fs::remove_file(dir.path().join("policies/acme.wasm")).unwrap();
    let (code, out, _) = check(&[d]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("policies/acme.wasm"));
    // 2 beats everything.
    assert_eq!(check(&["tests/fixtures/invalid", "--allow-incomplete"]).0, 2);
}

#[test]
fn bad_flags_and_paths_are_exit_2() {
    assert_eq!(check(&["examples/payments", "--horizon", "forever"]).0, 2);
    assert_eq!(check(&["examples/payments", "--horizon", "PT0M"]).0, 2);
    assert_eq!(check(&["examples/payments", "--horizon", "P20000D"]).0, 2);
    assert_eq!(check(&["does/not/exist"]).0, 2);
    assert_eq!(check(&["examples/payments", "--tz", "PST"]).0, 2);
    assert_eq!(check(&["examples/payments", "--service", "nope"]).0, 2);
    assert_eq!(check(&["examples/payments", "--baseline", "Cargo.toml"]).0, 2);
    let out = runready().args(["check", "examples/payments", "--at", "yesterday"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A report that cannot be written is not a silent success.
    let (code, _, err) = check(&["examples/payments", "--json", "Cargo.toml/report.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot write"), "{err}");
}

#[test]
fn baseline_shows_new_fixed_and_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    check(&["tests/fixtures/broken", "--json", base.to_str().unwrap()]);
    // The same model against itself: everything unchanged.
    let md = dir.path().join("r.md");
    let sarif = dir.path().join("r.sarif");
    check(&["examples/ams", "--baseline", base.to_str().unwrap(), "--markdown", md.to_str().unwrap(), "--sarif", sarif.to_str().unwrap()]);
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.contains("1 new, 4 fixed, 0 unchanged"), "{text}");
    let doc = sarif_valid(&sarif);
    let states: Vec<&str> = doc["runs"][0]["results"].as_array().unwrap().iter().filter_map(|r| r["baselineState"].as_str()).collect();
    assert_eq!(states, vec!["new"]);
    check(&["tests/fixtures/broken", "--baseline", base.to_str().unwrap(), "--markdown", md.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&md).unwrap().contains("0 new, 0 fixed, 4 unchanged"));
}

#[test]
fn markdown_template_can_be_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("t.md.j2");
    std::fs::write(&tpl, "{{ report.model.name }}: {{ report.verdict }} ({{ failures | length }} failures)\n").unwrap();
    let md = dir.path().join("r.md");
    check(&["tests/fixtures/broken", "--template", tpl.to_str().unwrap(), "--markdown", md.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&md).unwrap(), "broken-shop: not_ready (4 failures)\n");
}

#[test]
fn help_is_stable() {
    let out = runready().arg("--help").output().unwrap();
    insta::assert_snapshot!("help", String::from_utf8(out.stdout).unwrap());
    let out = runready().args(["check", "--help"]).output().unwrap();
    insta::assert_snapshot!("help_check", String::from_utf8(out.stdout).unwrap());
    let out = runready().args(["drill", "--help"]).output().unwrap();
    insta::assert_snapshot!("help_drill", String::from_utf8(out.stdout).unwrap());
    let out = runready().args(["facts", "collect", "--help"]).output().unwrap();
    insta::assert_snapshot!("help_facts_collect", String::from_utf8(out.stdout).unwrap());
    let out = runready().args(["import", "pagerduty", "--help"]).output().unwrap();
    insta::assert_snapshot!("help_import_pagerduty", String::from_utf8(out.stdout).unwrap());
}

#[test]
fn rules_and_explain() {
    let out = runready().arg("rules").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1 + runready::rules::registry::all().len());
    assert!(text.contains("RB-002"));
    let out = runready().args(["explain", "rb-002"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains("required_sections"));
    let out = runready().args(["explain", "RB-020"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("did you mean RB-002"));
}

#[test]
fn init_writes_a_model_that_passes() {
    let dir = tempfile::tempdir().unwrap();
    let out = runready().arg("init").arg(dir.path()).output().unwrap();
    assert!(out.status.success());
    let today = jiff::Timestamp::now().to_string();
    let out = runready().arg("check").arg(dir.path()).args(["--at", &today]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    // A second init does not overwrite the team's work.
    assert_eq!(runready().arg("init").arg(dir.path()).output().unwrap().status.code(), Some(2));
    // The modeline names the schema written beside the model (this version's, offline);
    // the loader leaves the .json alone.
    let model = std::fs::read_to_string(dir.path().join("runready.yaml")).unwrap();
    assert!(model.starts_with("# yaml-language-server: $schema=./schemas/support-model.schema.json\n"), "{}", model.lines().next().unwrap());
    let written = std::fs::read_to_string(dir.path().join("schemas/support-model.schema.json")).unwrap();
    assert_eq!(written, std::fs::read_to_string("schemas/support-model.schema.json").unwrap());
}

#[test]
fn init_can_point_the_modeline_at_a_url() {
    // `--schema-url` alone: this version's schema on the repository, not `main`'s.
    let dir = tempfile::tempdir().unwrap();
    assert!(runready().arg("init").arg("--schema-url").arg(dir.path()).output().unwrap().status.success());
    let model = std::fs::read_to_string(dir.path().join("runready.yaml")).unwrap();
    let pinned = format!("# yaml-language-server: $schema=https://raw.githubusercontent.com/runready/runready/v{}/schemas/support-model.schema.json\n", env!("CARGO_PKG_VERSION"));
    assert!(model.starts_with(&pinned), "{}", model.lines().next().unwrap());
    assert!(!dir.path().join("schemas").exists(), "no local copy when the modeline names a URL");
    let dir = tempfile::tempdir().unwrap();
    assert!(runready().arg("init").arg("--schema-url=https://schemas.example.com/rr.json").arg(dir.path()).output().unwrap().status.success());
    assert!(std::fs::read_to_string(dir.path().join("runready.yaml")).unwrap().starts_with("# yaml-language-server: $schema=https://schemas.example.com/rr.json\n"));
}

#[test]
fn coverage_shows_heatmaps_and_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("c.svg");
    let out = runready().args(["coverage", "tests/fixtures/broken", "--at", AT, "--horizon", "P7D", "--svg", svg.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("coverage_broken", text);
    // The SVG is well-formed XML with one cell per hour of the week per severity.
    let check = std::process::Command::new("xmllint").arg("--noout").arg(&svg).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    let doc = std::fs::read_to_string(&svg).unwrap();
    assert_eq!(doc.matches("<title>").count(), 2 * 7 * 24);
    // --fail-on-gap turns a gap into exit 1; the payments example has none.
    let gap = runready().args(["coverage", "tests/fixtures/broken", "--at", AT, "--fail-on-gap"]).output().unwrap();
    assert_eq!(gap.status.code(), Some(1));
    let none = runready().args(["coverage", "examples/payments", "--at", AT, "--fail-on-gap", "--format", "json"]).output().unwrap();
    assert_eq!(none.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&none.stdout).unwrap();
    assert_eq!(json["services"][0]["gaps"].as_array().unwrap().len(), 0);
    assert_eq!(json["services"][0]["severities"][0]["heatmap"].as_array().unwrap().len(), 7);
    assert_eq!(runready().args(["coverage", "tests/fixtures/invalid"]).output().unwrap().status.code(), Some(2));
    assert_eq!(runready().args(["coverage", "examples/payments", "--service", "nope"]).output().unwrap().status.code(), Some(2));
}

#[test]
fn simulate_walks_one_incident() {
    let out = runready().args(["simulate", "examples/payments", "--service", "payments-api", "--severity", "sev1", "--at", "2026-12-25T03:00:00-05:00", "--tz", "America/New_York"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("simulate_payments_christmas", String::from_utf8(out.stdout).unwrap());
    let out = runready().args(["simulate", "examples/internal-vendor", "--service", "market-data", "--severity", "p1", "--at", "2026-12-24T17:30:00Z", "--format", "json"]).output().unwrap();
    // The typed simulation's JSON, field by field (a change of the format is reviewed here).
    insta::assert_snapshot!("simulate_internal_vendor_json", String::from_utf8_lossy(&out.stdout));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Business-hours clocks: the vendor answers after Christmas, restore is due on the 29th.
    assert_eq!(json["vendor_cases"][0]["first_response_due_at"], "2026-12-29T09:00:00Z");
    assert_eq!(json["restore_due_at"], "2026-12-29T15:30:00Z");
    assert_eq!(json["acknowledge"]["met"], true);
    let bad = runready().args(["simulate", "examples/payments", "--service", "payments-api", "--severity", "sev9", "--at", AT]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn markdown_links_the_heatmap_written_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("summary.md");
    check(&["tests/fixtures/broken", "--markdown", md.to_str().unwrap()]);
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.contains("![Time to engage by hour of week](summary.coverage.svg)"));
    assert!(dir.path().join("summary.coverage.svg").exists());
    assert!(text.contains("65 gap(s) in required coverage"), "{text}");
}

/// Without the `aws` feature, asking for live AWS state is bad input, said plainly.
#[cfg(not(feature = "aws"))]
#[test]
fn live_needs_the_aws_feature() {
    let (code, _, err) = check(&["examples/payments", "--live"]);
    assert_eq!(code, 2);
    assert!(err.contains("built without the `aws` feature"), "{err}");
}

/// The bundled facts snapshot is valid against its schema and, at its time, passes AWS-001..005.
#[test]
fn the_bundled_facts_snapshot() {
    let path = "examples/facts/payments-2026-11-23.json";
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("schemas/facts.schema.json").unwrap()).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(jsonschema::is_valid(&schema, &doc));
    let (code, out, _) = check(&["examples/payments", "--facts", path, "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    for rule in ["AWS-001", "AWS-002", "AWS-003", "AWS-004", "AWS-005"] {
        let statuses: Vec<&str> = report["results"].as_array().unwrap().iter().filter(|r| r["rule"] == rule).map(|r| r["status"].as_str().unwrap()).collect();
        assert!(!statuses.is_empty() && statuses.iter().all(|s| *s == "pass"), "{rule}: {statuses:?}");
    }
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    // The reading end is closed before the command writes: every write gets EPIPE.
    for args in [&["rules"][..], &["check", "examples/payments", "--at", AT, "--format", "json"][..], &["explain", "COV-001"][..]] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_runready")).args(args).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
        assert!(out.status.code().is_some_and(|c| c <= 1), "{args:?}: {:?} {err}", out.status);
    }
}
