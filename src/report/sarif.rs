//! SARIF 2.1.0: every rule in `tool.driver.rules`, every non-passing result with its
//! location relative to `%SRCROOT%` and a stable fingerprint. Validated against the
//! official schema in the tests.

use super::Report;
use super::baseline::Comparison;
use crate::rules::{RuleResult, Status};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub fn render(report: &Report, baseline: Option<&Comparison>) -> String {
    let rules: Vec<Value> = report
        .rules
        .iter()
        .map(|d| {
            let (full, help) = match d.explain.as_str() {
                "" => (d.title.clone(), d.title.clone()),
                explain => (explain.split("\n\n").next().unwrap_or(&d.title).to_string(), explain.to_string()),
            };
            json!({
                "id": d.id,
                "name": pascal(&d.title),
                "shortDescription": { "text": d.title },
                "fullDescription": { "text": full },
                "help": { "text": if d.why.is_empty() { help } else { format!("{help}\n\nWhy: {}", d.why) } },
                "defaultConfiguration": { "level": level(d.severity) },
                "properties": { "tags": ["support-readiness"] }
            })
        })
        .collect();
    let mut results: Vec<Value> = report.results.iter().filter(|r| r.status != Status::Pass).map(|r| result(r, report, baseline)).collect();
    for d in &report.load_errors {
        let mut v = json!({
            "ruleId": "LOAD",
            "level": "error",
            "message": { "text": d.message },
        });
        if let Some(l) = &d.location {
            v["locations"] = json!([physical(&l.file, l.line, l.column)]);
        }
        results.push(v);
    }
    let mut driver = json!({
        "name": "runready",
        "version": report.tool.version,
        "informationUri": "https://github.com/runready/runready",
        "rules": rules,
    });
    if !report.load_errors.is_empty() {
        driver["rules"].as_array_mut().expect("rules is an array").push(json!({
            "id": "LOAD", "name": "ModelLoads",
            "shortDescription": { "text": "The support model can be loaded" },
            "defaultConfiguration": { "level": "error" }
        }));
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The directory runready was run from" } } },
            "invocations": [{ "executionSuccessful": report.verdict != super::Verdict::Invalid, "properties": { "evaluatedAt": report.evaluated_at } }],
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&doc).expect("SARIF serialises") + "\n"
}

fn level(l: crate::model::Level) -> &'static str {
    match l {
        crate::model::Level::Error => "error",
        crate::model::Level::Warning => "warning",
        crate::model::Level::Info => "note",
    }
}

fn physical(file: &str, line: u32, column: u32) -> Value {
    json!({ "physicalLocation": {
        "artifactLocation": { "uri": file, "uriBaseId": "%SRCROOT%" },
        "region": { "startLine": line.max(1), "startColumn": column.max(1) }
    }})
}

fn result(r: &RuleResult, report: &Report, baseline: Option<&Comparison>) -> Value {
    let lvl = match r.status {
        Status::Fail | Status::Waived => level(r.severity),
        Status::Error => "error",
        _ => "note",
    };
    let kind = match r.status {
        Status::Fail | Status::Waived => "fail",
        Status::Unknown => "review",
        _ => "open",
    };
    let mut text = format!("{}: {}", r.subject, r.message);
    if let Some(h) = &r.help {
        text.push_str(&format!(" Help: {h}"));
    }
    let fingerprint = fingerprint(r);
    let mut v = json!({
        "ruleId": r.rule,
        "level": lvl,
        "kind": kind,
        "message": { "text": text },
        "partialFingerprints": { "runready/v1": fingerprint },
        "properties": { "subject": r.subject, "status": r.status.as_str() },
    });
    if let Some(idx) = report.rules.iter().position(|d| d.id == r.rule) {
        v["ruleIndex"] = json!(idx);
    }
    if let Some(l) = &r.location {
        v["locations"] = json!([physical(&l.file, l.line, l.column)]);
    }
    if let Some(w) = &r.waiver {
        v["suppressions"] = json!([{ "kind": "external", "status": "accepted", "justification": w.reason }]);
    }
    if let (Some(cmp), Status::Fail) = (baseline, r.status) {
        let state = if cmp.new.iter().any(|n| super::baseline::key(n) == super::baseline::key(r)) { "new" } else { "unchanged" };
        v["baselineState"] = json!(state);
    }
    v
}

/// The stable fingerprint of a result (rule, subject and the place's JSON path, never the
/// line): SARIF's partial fingerprint and GitLab Code Quality's.
pub fn fingerprint(r: &RuleResult) -> String {
    let (k_rule, k_subject, k_place) = super::baseline::key(r);
    hex(&Sha256::digest(format!("{k_rule}\u{0}{k_subject}\u{0}{k_place}").as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// "Every reference resolves" → "EveryReferenceResolves": SARIF's rule `name`.
fn pascal(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}
