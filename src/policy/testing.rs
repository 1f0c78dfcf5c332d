//! `runready policy test`: a policy's YAML test cases, each run against its model with the
//! real host, reported pass/fail (terminal and JUnit); declared rules no case exercises are
//! reported as untested.

use super::{PolicySpec, Shared, evaluate};
use serde::Deserialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    /// The packed module, relative to the tests file.
    policy: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// A model file or directory, relative to the tests file.
    model: String,
    #[serde(default)]
    at: Option<String>,
    /// A facts snapshot (`facts collect`'s JSON), relative to the tests file.
    #[serde(default)]
    facts: Option<String>,
    #[serde(default)]
    settings: Value,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    findings: Option<Vec<Expected>>,
    /// No findings other than the expected ones.
    #[serde(default)]
    only: bool,
    /// A reason of the closed list: the case expects the policy to fail with it.
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    rule_id: String,
    #[serde(default)]
    pointer: Option<String>,
    #[serde(default)]
    subject: Option<String>,
}

/// One case's outcome.
pub struct CaseResult {
    pub file: String,
    pub name: String,
    pub passed: bool,
    pub detail: String,
}

/// Every case of every tests file, and the declared rules no case exercises.
pub struct Outcome {
    pub cases: Vec<CaseResult>,
    pub untested: Vec<String>,
}

/// Tests files: `*.tests.yaml` / `*.tests.yml`, or every such file below a directory; Rego
/// policies (directories with `abi: rego`) below the paths are found too (their `test_*`
/// rules run even without a tests file).
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if is_rego_dir(p) && p.join("policy.yaml").is_file() {
            out.push(p.clone());
            collect(p, &mut out);
        } else if p.is_dir() {
            let mut found: Vec<PathBuf> = Vec::new();
            collect(p, &mut found);
            found.sort();
            out.extend(found);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(format!("{}: no such file or directory", p.display()));
        }
    }
    if out.is_empty() {
        return Err("no *.tests.yaml files or Rego policies found".into());
    }
    Ok(out)
}

/// Whether a discovered path is a Rego policy directory rather than a tests file.
fn is_rego_dir(p: &Path) -> bool {
    p.is_dir() && super::rego::is_rego(p)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if p.is_dir() && !name.starts_with('.') && name != "target" && name != "node_modules" {
            if p.join("policy.yaml").is_file() && is_rego_dir(&p) {
                out.push(p.clone());
            }
            collect(&p, out);
        } else if name.ends_with(".tests.yaml") || name.ends_with(".tests.yml") {
            out.push(p);
        }
    }
}

pub fn run(files: &[PathBuf], default_at: jiff::Timestamp) -> Result<Outcome, String> {
    let mut cases = Vec::new();
    let mut untested = Vec::new();
    // Rego policies whose `test_*` rules run: named by a tests file or found by discovery.
    let mut rego: Vec<PathBuf> = Vec::new();
    let add_rego = |p: PathBuf, rego: &mut Vec<PathBuf>| {
        let key = p.canonicalize().unwrap_or(p);
        if !rego.contains(&key) {
            rego.push(key);
        }
    };
    for file in files {
        if is_rego_dir(file) {
            add_rego(file.clone(), &mut rego);
            continue;
        }
        let text = crate::read::text(file, crate::read::Kind::PolicyTests).map_err(|e| format!("cannot read {}", crate::read::describe(file, crate::read::Kind::PolicyTests, &e)))?;
        let node = crate::load::yaml::parse(&text).map_err(|e| format!("{}: invalid YAML: {}", file.display(), e.message))?;
        let tests: TestFile = serde_json::from_value(node.to_json()).map_err(|e| format!("{}: not a policy tests file: {e}", file.display()))?;
        let dir = file.parent().unwrap_or(Path::new("."));
        let shown = crate::load::display_path(file);
        let mut exercised: Vec<String> = Vec::new();
        for case in &tests.cases {
            let (passed, detail) = run_case(dir, &tests.policy, case, default_at);
            exercised.extend(case.expect.findings.iter().flatten().map(|f| f.rule_id.clone()));
            cases.push(CaseResult { file: shown.clone(), name: case.name.clone(), passed, detail });
        }
        // The rules the policy declares, read from its manifest without running it.
        let policy = dir.join(&tests.policy);
        let declared = if super::rego::is_rego(&policy) {
            add_rego(policy.clone(), &mut rego);
            super::rego::load(&policy).ok().map(|p| p.manifest.clone())
        } else {
            std::fs::read(&policy).ok().and_then(|b| super::manifest::scan(&b).ok()).and_then(|s| s.manifest).and_then(Result::ok)
        };
        if let Some(m) = declared {
            untested.extend(m.rules.iter().filter(|r| !exercised.contains(&r.id)).map(|r| format!("{}/{}", m.name, r.id)));
        }
    }
    for dir in &rego {
        cases.extend(rego_tests(dir));
    }
    Ok(Outcome { cases, untested })
}

/// A Rego policy's `test_*` rules (conftest `verify`'s convention), each a case; a policy
/// that does not load, or whose tests cannot run, is one failed case saying why.
fn rego_tests(dir: &Path) -> Vec<CaseResult> {
    let shown = crate::load::display_path(dir);
    let failed = |name: &str, detail: String| vec![CaseResult { file: shown.clone(), name: name.to_string(), passed: false, detail }];
    let policy = match super::rego::load(dir) {
        Ok(p) => p,
        Err(e) => return failed("the policy loads", e.to_string()),
    };
    let limits = super::limits_for(policy.manifest.limits.as_ref(), None);
    match policy.run_tests(&limits) {
        Ok(results) => results.into_iter().map(|(file, rule, passed, detail)| CaseResult { file, name: rule, passed, detail }).collect(),
        Err(super::rego::LoadOrCall::Load(e)) => failed("the tests load", e.to_string()),
        Err(super::rego::LoadOrCall::Call(e)) => failed("the tests run", format!("{}: {}", e.reason.as_str(), e.message)),
    }
}

/// (passed, detail)
fn run_case(dir: &Path, policy: &str, case: &Case, default_at: jiff::Timestamp) -> (bool, String) {
    let at = match case.at.as_deref().map(str::parse::<jiff::Timestamp>) {
        None => default_at,
        Some(Ok(t)) => t,
        Some(Err(e)) => return (false, format!("`at` is not an RFC 3339 instant: {e}")),
    };
    let loaded = crate::load::load(&[dir.join(&case.model)]);
    if !loaded.is_usable() {
        let first = &loaded.diagnostics[0];
        return (false, format!("the model does not load: {}{}", first.message, first.location.as_ref().map(|l| format!(" at {l}")).unwrap_or_default()));
    }
    let horizon = crate::time::Horizon::new(at, crate::model::Duration::from_days(90));
    let spec = PolicySpec { path: dir.join(policy), settings: case.settings.clone(), limits: None, origin: None };
    let mut name = String::new();
    let facts = match case.facts.as_ref().map(|f| crate::facts::read(&[dir.join(f)])).transpose() {
        Ok(f) => f,
        Err(e) => return (false, format!("the facts do not load: {e}")),
    };
    let stage = crate::time::stage::Stage::build(&loaded.model, horizon);
    let outcome = evaluate(&spec, &Shared::new(&stage, facts.as_ref()), &at.to_string(), &mut name, 60_000);
    match (outcome, &case.expect.error) {
        (Err(e), Some(want)) if e.reason.as_str() == want => (true, format!("failed with `{want}` as expected")),
        (Err(e), Some(want)) => (false, format!("expected error `{want}`, got `{}`: {}", e.reason.as_str(), e.message)),
        (Err(e), None) => (false, format!("the policy failed ({}): {}", e.reason.as_str(), e.message)),
        (Ok(_), Some(want)) => (false, format!("expected error `{want}`, but the policy succeeded")),
        (Ok((_, findings, _)), None) => {
            let expected = case.expect.findings.as_deref().unwrap_or_default();
            let mut used = vec![false; findings.len()];
            let mut missing = Vec::new();
            for e in expected {
                let hit = findings.iter().enumerate().position(|(i, f)| {
                    !used[i] && f.rule_id == e.rule_id && e.pointer.as_ref().is_none_or(|p| f.pointer.as_ref() == Some(p)) && e.subject.as_ref().is_none_or(|s| f.subject.as_ref() == Some(s))
                });
                match hit {
                    Some(i) => used[i] = true,
                    None => missing.push(format!("{}{}", e.rule_id, e.pointer.as_deref().map(|p| format!(" at {p}")).unwrap_or_default())),
                }
            }
            let extra: Vec<String> =
                findings.iter().zip(&used).filter(|(_, u)| !**u).map(|(f, _)| format!("{}{}", f.rule_id, f.pointer.as_deref().map(|p| format!(" at {p}")).unwrap_or_default())).collect();
            let only = case.expect.only || (case.expect.findings.as_ref().is_some_and(|f| f.is_empty()));
            if !missing.is_empty() {
                (false, format!("expected finding(s) missing: {}", missing.join(", ")))
            } else if only && !extra.is_empty() {
                (false, format!("unexpected finding(s): {}", extra.join(", ")))
            } else {
                (true, format!("{} finding(s)", findings.len()))
            }
        }
    }
}

/// The cases as JUnit: one suite per tests file.
pub fn junit(outcome: &Outcome) -> String {
    use junit_report::{Duration, ReportBuilder, TestCase, TestSuiteBuilder};
    let mut suites: indexmap::IndexMap<&str, Vec<TestCase>> = indexmap::IndexMap::new();
    for c in &outcome.cases {
        let tc = if c.passed { TestCase::success(&c.name, Duration::ZERO) } else { TestCase::failure(&c.name, Duration::ZERO, "policy-test", &c.detail) };
        suites.entry(c.file.as_str()).or_default().push(tc);
    }
    let mut b = ReportBuilder::new();
    for (name, cases) in suites {
        b.add_testsuite(TestSuiteBuilder::new(name).set_timestamp(time::OffsetDateTime::UNIX_EPOCH).add_testcases(cases).build());
    }
    let mut buf = Vec::new();
    b.build().write_xml(&mut buf).expect("writing XML to memory cannot fail");
    String::from_utf8(buf).expect("UTF-8") + "\n"
}
