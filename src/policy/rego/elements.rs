//! The elements of a Rego policy's `deny`/`violation`/`warn` sets as findings, the way
//! conftest users write them: a string (the message) or an object of the data contract's
//! fields (`msg` accepted for `message`).

use super::super::host::CallError;
use super::super::manifest::Manifest;
use super::super::{Finding, Reason};
use crate::model::Level;
use serde_json::{Map, Value};

const KEYS: &[&str] = &["rule_id", "message", "msg", "pointer", "subject", "remediation", "properties"];

/// Every element of every rule's value, in the order the rules are given (and, within a set,
/// Rego's order of values: sorted, so the same input always gives the same list).
pub fn findings(manifest: &Manifest, values: Vec<(String, Value)>) -> Result<Vec<Finding>, CallError> {
    let mut out = Vec::new();
    for (rule, value) in values {
        let name = rule.rsplit('.').next().unwrap_or(&rule).to_string();
        let level = if name.starts_with("warn") { Level::Warning } else { Level::Error };
        let elements = match value {
            Value::Null => continue,
            Value::Array(items) => items,
            v @ (Value::String(_) | Value::Object(_)) => vec![v],
            other => return Err(bad(&name, format!("is `{other}`; a finding rule is a set of strings or objects (`{name} contains msg if {{ ... }}`)"))),
        };
        for element in elements {
            out.push(finding(manifest, &name, level, element)?);
        }
    }
    Ok(out)
}

fn bad(rule: &str, what: String) -> CallError {
    CallError::new(Reason::InvalidJson, format!("`{rule}` {what}"))
}

/// The policy's first declared rule of the level: where a string element goes.
fn default_rule(manifest: &Manifest, rule: &str, level: Level) -> Result<String, CallError> {
    manifest.rules.iter().find(|r| r.level == level).map(|r| r.id.clone()).ok_or_else(|| {
        CallError::new(Reason::UndeclaredRule, format!("`{rule}` gives a finding without rule_id, and the policy declares no rule of level {}: declare one, or give rule_id", level.as_str()))
    })
}

fn finding(manifest: &Manifest, rule: &str, level: Level, element: Value) -> Result<Finding, CallError> {
    let fields: Map<String, Value> = match element {
        Value::String(message) => return Ok(Finding { rule_id: default_rule(manifest, rule, level)?, level, message, pointer: None, subject: None, remediation: None, properties: Value::Null }),
        Value::Object(fields) => fields,
        other => return Err(bad(rule, format!("has an element `{other}`; elements are strings or objects {{rule_id, message, pointer, subject, remediation, properties}}"))),
    };
    if let Some(unknown) = fields.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(bad(rule, format!("has an element with the key `{unknown}`; the keys are {}", KEYS.join(", "))));
    }
    let text = |key: &str| -> Result<Option<String>, CallError> {
        match fields.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(bad(rule, format!("has `{key}: {other}`; `{key}` is a string"))),
        }
    };
    let message = match (text("message")?, text("msg")?) {
        (Some(m), _) | (None, Some(m)) => m,
        (None, None) => return Err(bad(rule, "has an element without `message` (or `msg`)".to_string())),
    };
    let rule_id = match text("rule_id")? {
        Some(id) => id,
        None => default_rule(manifest, rule, level)?,
    };
    let properties = match fields.get("properties") {
        None | Some(Value::Null) => Value::Null,
        Some(v @ Value::Object(_)) => v.clone(),
        Some(other) => return Err(bad(rule, format!("has `properties: {other}`; `properties` is an object"))),
    };
    Ok(Finding { rule_id, level, message, pointer: text("pointer")?, subject: text("subject")?, remediation: text("remediation")?, properties })
}
