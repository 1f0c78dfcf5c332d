//! Every rule's `explain` examples are real models: each failing example fails its rule
//! through the real engine and each passing example passes it, at the examples' `--at`.
//! The messages they produce are snapshotted, so a change of wording is reviewed like code.

use runready::rules::rule::{EXAMPLES_AT, Input, Rule};
use runready::rules::{Options, Status, evaluate, registry};
use std::path::PathBuf;

/// Runs the example file (loaded from where it lives, so relative runbook paths resolve)
/// and returns the results of `rule`, after checking the file is the text `explain` prints.
fn results_of(rule: &Rule, which: &str, text: &str, input: Option<&str>) -> Vec<runready::rules::RuleResult> {
    let path = PathBuf::from(format!("src/rules/examples/{}.{which}.yaml", rule.id));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "{} is what explain prints", path.display());
    let loaded = runready::load::load(std::slice::from_ref(&path));
    assert!(loaded.diagnostics.is_empty(), "{} does not load: {:#?}", path.display(), loaded.diagnostics);
    let mut opts = Options::at(EXAMPLES_AT.parse().unwrap());
    match (rule.input, input) {
        (Input::Facts, Some(json)) => opts.facts = Some(serde_json::from_str(json).unwrap_or_else(|e| panic!("{}'s {which} facts: {e}", rule.id))),
        (Input::Journals, Some(json)) => opts.journals = Some(vec![serde_json::from_str(json).unwrap_or_else(|e| panic!("{}'s {which} journal: {e}", rule.id))]),
        (Input::Model | Input::Time, None) => {}
        (Input::Paging, Some(yaml)) => {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("pagerduty.yaml"), yaml).unwrap();
            opts.paging = Some(runready::load::paging_snapshot(dir.path()).unwrap_or_else(|e| panic!("{}'s {which} paging snapshot: {e}", rule.id)));
        }
        (input, given) => panic!("{}: a rule on {input:?} with example input {given:?}", rule.id),
    }
    let results = evaluate(&loaded.model, &loaded.sources, &opts).results;
    results.into_iter().filter(|r| r.rule == rule.id.as_str()).collect()
}

#[test]
fn every_failing_example_fails_and_every_passing_example_passes() {
    let mut messages = String::new();
    for rule in registry::all() {
        let examples = rule.examples.unwrap_or_else(|| panic!("{} has no examples", rule.id));
        let fails = results_of(rule, "fails", examples.fails, examples.fails_input);
        assert!(fails.iter().any(|r| r.status == Status::Fail), "{}'s failing example does not fail it: {fails:#?}", rule.id);
        let passes = results_of(rule, "passes", examples.passes, examples.passes_input);
        assert!(!passes.is_empty() && passes.iter().all(|r| r.status == Status::Pass), "{}'s passing example does not pass it: {passes:#?}", rule.id);
        messages.push_str(&format!("## {}\n", rule.id));
        for r in fails.iter().chain(&passes) {
            messages.push_str(&format!("{} {}: {}\n", r.status.as_str(), r.subject, r.message));
            if let Some(help) = &r.help {
                messages.push_str(&format!("  help: {help}\n"));
            }
        }
    }
    insta::assert_snapshot!("rule_messages", messages);
}

#[test]
fn explain_prints_the_examples() {
    let out = assert_cmd::Command::cargo_bin("runready").unwrap().args(["explain", "COV-001"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("Fails (at --at {EXAMPLES_AT}):")), "{text}");
    assert!(text.contains("\nPasses:\n  apiVersion: runready.dev/v1"), "{text}");
}
