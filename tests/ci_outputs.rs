//! What CI systems read: `--format github` workflow commands (parsed back with an
//! independent parser written from GitHub's workflow-command syntax), the GitLab Code
//! Quality report (validated against tests/schemas/gitlab-codequality.schema.json, written
//! from GitLab's documentation), and JUnit read back with the Python `junitparser`.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const AT: &str = "2026-11-23T10:00:00Z";

/// A Rego policy whose one finding has a hostile message and subject, on a YAML line.
fn hostile_policy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.yaml"), "name: acme\nversion: 1.0.0\nabi: rego\nrules:\n  - { id: ORG-001, title: Hostile text, level: error }\n").unwrap();
    std::fs::write(
        dir.path().join("policy.rego"),
        "package runready\n\ndeny contains {\"message\": \"50% of steps\\nfail:: at once,\\r\\nreally ✓ %0A\", \"pointer\": \"/model/services/0/escalation\", \"subject\": \"service:shop, a::b\"} if true\n",
    )
    .unwrap();
    dir
}

/// One workflow command, as GitHub's runner reads it.
#[derive(Debug, PartialEq)]
struct WorkflowCommand {
    name: String,
    properties: Vec<(String, String)>,
    message: String,
}

/// Parses `::name k=v,k=v::data` and undoes the escapes (data: %25 %0D %0A; properties also
/// %3A %2C), written from GitHub's documentation of workflow commands, independently of
/// runready's encoder.
fn parse(line: &str) -> Option<WorkflowCommand> {
    let rest = line.strip_prefix("::")?;
    let end = rest.find("::")?;
    let (head, data) = (&rest[..end], &rest[end + 2..]);
    let (name, props) = match head.find(' ') {
        Some(i) => (&head[..i], &head[i + 1..]),
        None => (head, ""),
    };
    let unescape = |s: &str, property: bool| {
        let mut s = s.replace("%0D", "\r").replace("%0A", "\n");
        if property {
            s = s.replace("%3A", ":").replace("%2C", ",");
        }
        s.replace("%25", "%")
    };
    let properties = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), unescape(v, true))
        })
        .collect();
    Some(WorkflowCommand { name: name.to_string(), properties, message: unescape(data, false) })
}

fn prop<'a>(c: &'a WorkflowCommand, key: &str) -> Option<&'a str> {
    c.properties.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn run(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = Command::cargo_bin("runready").unwrap();
    cmd.current_dir(cwd).env("NO_COLOR", "1").env_remove("GITHUB_WORKSPACE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn github_annotations_survive_hostile_text_and_land_on_the_yaml_line() {
    let policy = hostile_policy();
    let root = env!("CARGO_MANIFEST_DIR");
    let (code, out) = run(&["check", "tests/fixtures/broken", "--at", AT, "--format", "github", "--policy", policy.path().to_str().unwrap()], Path::new(root), &[]);
    assert_eq!(code, 1, "exit codes are unchanged: {out}");
    let lines: Vec<&str> = out.lines().collect();
    // One command per line: no message broke out of its line.
    assert!(lines[..lines.len() - 1].iter().all(|l| l.starts_with("::")), "{out}");
    assert!(lines.last().unwrap().starts_with("not ready:"), "the summary comes last: {out}");
    let commands: Vec<WorkflowCommand> = lines.iter().filter_map(|l| parse(l)).collect();
    let hostile = commands.iter().find(|c| prop(c, "title").is_some_and(|t| t.starts_with("acme/ORG-001"))).expect("the policy's finding");
    assert_eq!(hostile.name, "error");
    assert_eq!(prop(hostile, "title"), Some("acme/ORG-001 service:shop, a::b"));
    assert_eq!(prop(hostile, "file"), Some("tests/fixtures/broken/model.yaml"));
    assert_eq!(prop(hostile, "line"), Some("33"));
    assert!(prop(hostile, "col").is_some());
    assert!(hostile.message.starts_with("50% of steps\nfail:: at once,\r\nreally ✓ %0A"), "{:?}", hostile.message);
    // Each failing built-in rule has its annotation too, and warnings are warnings.
    let rb002 = commands.iter().find(|c| prop(c, "title").is_some_and(|t| t.starts_with("RB-002 "))).unwrap();
    assert_eq!(rb002.name, "error");
    assert!(commands.iter().any(|c| c.name == "warning"), "{out}");
    // Then the one notice of the rules not evaluated.
    let notices: Vec<&WorkflowCommand> = commands.iter().filter(|c| prop(c, "title").is_some_and(|t| t.contains("not evaluated"))).collect();
    assert_eq!(notices.len(), 1, "{out}");
    assert_eq!(notices[0].name, "notice");
    assert!(notices[0].message.contains("AWS-001") && notices[0].message.contains("no facts given"), "{:?}", notices[0].message);
}

#[test]
fn github_paths_are_relative_to_the_workspace() {
    let root = env!("CARGO_MANIFEST_DIR");
    let fixtures = Path::new(root).join("tests/fixtures");
    // Run from inside the workspace's subdirectory: paths are still the workspace's.
    let (_, out) = run(&["check", "broken", "--at", AT, "--format", "github"], &fixtures, &[("GITHUB_WORKSPACE", root)]);
    let c = out.lines().filter_map(parse).find(|c| prop(c, "title").is_some_and(|t| t.starts_with("RB-002 "))).unwrap();
    assert_eq!(prop(&c, "file"), Some("tests/fixtures/broken/model.yaml"), "{out}");
    // Without GITHUB_WORKSPACE: relative to the working directory.
    let (_, out) = run(&["check", "broken", "--at", AT, "--format", "github"], &fixtures, &[]);
    let c = out.lines().filter_map(parse).find(|c| prop(c, "title").is_some_and(|t| t.starts_with("RB-002 "))).unwrap();
    assert_eq!(prop(&c, "file"), Some("broken/model.yaml"), "{out}");
}

#[test]
fn github_output_is_stable() {
    let root = env!("CARGO_MANIFEST_DIR");
    let (_, out) = run(&["check", "tests/fixtures/broken", "--at", AT, "--format", "github"], Path::new(root), &[]);
    insta::assert_snapshot!("github", out);
}

#[test]
fn code_quality_matches_its_schema_with_sarif_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    let cq = dir.path().join("gl-code-quality.json");
    let sarif = dir.path().join("runready.sarif");
    let policy = hostile_policy();
    let root = env!("CARGO_MANIFEST_DIR");
    let (code, _) = run(
        &["check", "tests/fixtures/broken", "--at", AT, "-q", "--codequality", cq.to_str().unwrap(), "--sarif", sarif.to_str().unwrap(), "--policy", policy.path().to_str().unwrap()],
        Path::new(root),
        &[],
    );
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&cq).unwrap()).unwrap();
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(Path::new(root).join("tests/schemas/gitlab-codequality.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let issues = doc.as_array().unwrap();
    assert!(!issues.is_empty());
    // Fingerprints are unique (GitLab shows one issue per fingerprint) and SARIF's.
    let mut prints: Vec<&str> = issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    prints.sort();
    let n = prints.len();
    prints.dedup();
    assert_eq!(prints.len(), n, "unique fingerprints");
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let sarif_prints: Vec<&str> = sarif["runs"][0]["results"].as_array().unwrap().iter().filter_map(|r| r["partialFingerprints"]["runready/v1"].as_str()).collect();
    assert!(prints.iter().all(|p| sarif_prints.contains(p)), "every Code Quality fingerprint is SARIF's");
    let hostile = issues.iter().find(|i| i["check_name"] == "acme/ORG-001").unwrap();
    assert_eq!(hostile["severity"], "major");
    assert_eq!(hostile["location"]["path"], "tests/fixtures/broken/model.yaml");
    assert_eq!(hostile["location"]["lines"]["begin"], 33);
    assert!(issues.iter().any(|i| i["severity"] == "minor"), "warnings are minor");
}

#[test]
fn a_ready_run_without_facts_or_journals_is_not_red_in_junit() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let root = env!("CARGO_MANIFEST_DIR");
    let (code, _) = run(&["check", "examples/payments", "--at", AT, "-q", "--junit", junit.to_str().unwrap()], Path::new(root), &[]);
    assert_eq!(code, 0, "the example is ready");
    // Read back by junitparser, as CI servers' parsers read it.
    let script = r#"
import sys, json
from junitparser import JUnitXml, Skipped, Error, Failure
xml = JUnitXml.fromfile(sys.argv[1])
out = {"errors": 0, "failures": 0, "skipped": [], "tests": 0}
for suite in xml:
    for case in suite:
        out["tests"] += 1
        for r in case.result:
            if isinstance(r, Error): out["errors"] += 1
            elif isinstance(r, Failure): out["failures"] += 1
            elif isinstance(r, Skipped): out["skipped"].append([case.name, r.text or ""])
print(json.dumps(out))
"#;
    let out = std::process::Command::new("python3").arg("-c").arg(script).arg(&junit).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let read: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read["errors"], 0, "{read:#}");
    assert_eq!(read["failures"], 0, "{read:#}");
    let skipped = read["skipped"].as_array().unwrap();
    let aws = skipped.iter().find(|s| s[0].as_str().unwrap().starts_with("AWS-001 ")).expect("AWS-001 is skipped");
    assert_eq!(aws[1], "not evaluated: no facts given", "the reason is the element's text");
    // Still valid against the Jenkins XSD.
    let xsd = Path::new(root).join("../shared/fixtures/schemas/jenkins-junit.xsd");
    let lint = std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(xsd).arg(&junit).output().unwrap();
    assert!(lint.status.success(), "{}", String::from_utf8_lossy(&lint.stderr));
}
