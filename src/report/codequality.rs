//! `check --codequality FILE` (cli.md v1.1): the GitLab Code Quality report, the JSON array
//! the merge-request widget reads. One issue per result with status `fail` or `error` (and
//! per located load error), fingerprinted like SARIF so that a moved line is not "fixed and
//! new". The format's schema, written from GitLab's documentation, is
//! `tests/schemas/gitlab-codequality.schema.json`.

use super::Report;
use crate::model::Level;
use crate::rules::Status;
use serde_json::{Value, json};
use sha2::Digest;

fn location(file: &str, line: u32) -> Value {
    json!({ "path": file, "lines": { "begin": line.max(1) } })
}

pub fn render(report: &Report) -> String {
    let mut issues: Vec<Value> = Vec::new();
    for d in &report.load_errors {
        let path = d.location.as_ref().map(|l| l.file.clone()).or_else(|| report.model.files.first().cloned()).unwrap_or_default();
        let line = d.location.as_ref().map_or(1, |l| l.line);
        let print: String = sha2::Sha256::digest(format!("LOAD\u{0}{}\u{0}{path}\u{0}{}", d.code.as_str(), d.message).as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        issues.push(json!({
            "description": format!("model does not load: {}", d.message),
            "check_name": "LOAD",
            "fingerprint": print,
            "severity": "blocker",
            "location": location(&path, line),
        }));
    }
    for r in report.results.iter().filter(|r| matches!(r.status, Status::Fail | Status::Error)) {
        let severity = match (r.status, r.severity) {
            (Status::Error, _) => "critical",
            (_, Level::Error) => "major",
            (_, Level::Warning) => "minor",
            (_, Level::Info) => "info",
        };
        // Results about the model as a whole have no line: GitLab needs a path, so they
        // point at the model's first file, line 1.
        let (path, line) = match &r.location {
            Some(l) => (l.file.clone(), l.line),
            None => (report.model.files.first().cloned().unwrap_or_default(), 1),
        };
        let mut description = format!("{} {}: {}", r.rule, r.subject, r.message);
        if let Some(h) = &r.help {
            description.push_str(&format!(" (help: {h})"));
        }
        issues.push(json!({
            "description": description,
            "check_name": r.rule,
            "fingerprint": super::sarif::fingerprint(r),
            "severity": severity,
            "location": location(&path, line),
        }));
    }
    serde_json::to_string_pretty(&issues).expect("JSON") + "\n"
}
