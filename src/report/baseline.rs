//! `--baseline`: what is new, fixed and unchanged compared with a previous JSON report.

use super::Report;
use crate::rules::{RuleResult, Status};

/// Identifies "the same finding" across runs: rule, subject and where it points.
pub fn key(r: &RuleResult) -> (String, String, String) {
    let place = r.location.as_ref().map(|l| l.path.clone()).filter(|p| !p.is_empty()).unwrap_or_else(|| r.message.clone());
    (r.rule.clone(), r.subject.clone(), place)
}

pub struct Comparison {
    pub new: Vec<RuleResult>,
    pub fixed: Vec<RuleResult>,
    pub unchanged: Vec<RuleResult>,
}

pub fn compare(current: &Report, base: &Report) -> Comparison {
    let failing = |rep: &Report| rep.results.iter().filter(|r| r.status == Status::Fail).cloned().collect::<Vec<_>>();
    let (now, before) = (failing(current), failing(base));
    let before_keys: std::collections::HashSet<_> = before.iter().map(key).collect();
    let now_keys: std::collections::HashSet<_> = now.iter().map(key).collect();
    let (unchanged, new) = now.into_iter().partition(|r| before_keys.contains(&key(r)));
    let fixed = before.into_iter().filter(|r| !now_keys.contains(&key(r))).collect();
    Comparison { new, fixed, unchanged }
}

/// Reads a previous JSON report; the error says what is wrong with the file.
pub fn read(path: &std::path::Path) -> Result<Report, String> {
    let text = crate::read::text(path, crate::read::Kind::Baseline).map_err(|e| format!("cannot read {}", crate::read::describe(path, crate::read::Kind::Baseline, &e)))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not a runready JSON report: {e} (line {}, column {})", path.display(), e.line(), e.column()))
}
