//! `runready schema`: the JSON Schemas (draft-07) generated from the types, so editors
//! validate and complete model files and policy manifests, and consumers can validate
//! reports and policy requests and results.

use std::path::Path;

/// Every schema this version writes: file name and content.
pub fn schemas() -> Vec<(&'static str, String)> {
    let settings = schemars::generate::SchemaSettings::draft07();
    let mut model = settings.clone().into_generator().into_root_schema_for::<crate::model::Document>();
    rule_override_keys(&mut model);
    let facts = settings.clone().into_generator().into_root_schema_for::<crate::facts::Facts>();
    let journal = settings.clone().into_generator().into_root_schema_for::<crate::drill::journal::Journal>();
    let report = settings.clone().into_generator().into_root_schema_for::<crate::report::Report>();
    let request = settings.clone().into_generator().into_root_schema_for::<crate::policy::Request<'static>>();
    let result = settings.clone().into_generator().into_root_schema_for::<crate::policy::PolicyResult>();
    let manifest = settings.into_generator().into_root_schema_for::<crate::policy::manifest::Manifest>();
    let pretty = |s: &schemars::Schema| {
        let mut v = s.as_value().clone();
        shaped_for_editors(&mut v);
        serde_json::to_string_pretty(&v).expect("schemas serialise") + "\n"
    };
    vec![
        ("support-model.schema.json", pretty(&model)),
        ("facts.schema.json", pretty(&facts)),
        ("drill-journal.schema.json", pretty(&journal)),
        ("report.schema.json", pretty(&report)),
        ("policy-request.schema.json", pretty(&request)),
        ("policy-result.schema.json", pretty(&result)),
        ("policy-manifest.schema.json", pretty(&manifest)),
    ]
}

/// `rule_overrides` keys: a built-in rule id (the catalogue, as the loader checks) or a
/// policy's `POLICY/RULE`.
fn rule_override_keys(model: &mut schemars::Schema) {
    use crate::model::grammar::Spelling;
    let ids: Vec<serde_json::Value> = crate::rules::registry::all().iter().map(|r| r.id.as_str().into()).collect();
    let keys = serde_json::json!({
        "anyOf": [
            { "enum": ids, "errorMessage": "Not a rule: a built-in rule id (`runready rules` lists them, e.g. COV-001) or a policy's POLICY/RULE." },
            { "type": "string", "pattern": Spelling::PolicyRule.pattern(), "patternErrorMessage": Spelling::PolicyRule.message() }
        ]
    });
    if let Some(section) = model.as_object_mut().and_then(|m| m.get_mut("properties")).and_then(|p| p.get_mut("rule_overrides")).and_then(serde_json::Value::as_object_mut) {
        section.insert("propertyNames".into(), keys);
    }
}

pub fn run(out: &Path) -> i32 {
    for (name, text) in schemas() {
        let path = out.join(name);
        if let Err(e) = crate::atomic::write_atomic(&path, &text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return crate::exit::INVALID_INPUT;
        }
        outln!("wrote {}", path.display());
    }
    0
}

/// Keywords that only annotate (validators ignore them beside `$ref` in draft-07).
const ANNOTATIONS: [&str; 6] = ["description", "title", "default", "examples", "deprecated", "markdownDescription"];

/// Editors show the field's own text on hover, not the shared type's, and name what each
/// value of an enumeration means. What schemars writes, and what this makes of it
/// (validation unchanged; yaml-language-server 1.25 is what tests/schema.rs drives):
/// - a documented field of a named type, `{"description": D, "allOf": [{"$ref": T}]}`:
///   `{"description": D, "$ref": T}` (draft-07 validators ignore a `$ref`'s siblings, and
///   these are annotations only), so hover shows D instead of T's description;
/// - an optional one, `{"description": D, "anyOf": [{"$ref": T}, {"type": "null"}]}`:
///   `oneOf` (the two never overlap; hover merges `anyOf` into "T's title || …"), with D
///   beside the `$ref` too;
/// - an enumeration of documented constants, `{"oneOf": [{"const": C, "description": E}…]}`:
///   `{"type": "string", "enum": [C…], "markdownEnumDescriptions": [E…]}`, so hover on a
///   field shows its text and its allowed values, and completion each value's meaning.
pub fn shaped_for_editors(v: &mut serde_json::Value) {
    use serde_json::Value;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                let single_ref = m.get("allOf").and_then(Value::as_array).filter(|a| a.len() == 1 && a[0].as_object().is_some_and(|r| r.len() == 1 && r.contains_key("$ref")));
                if single_ref.is_some() && m.keys().all(|k| k == "allOf" || ANNOTATIONS.contains(&k.as_str())) {
                    let target = m.remove("allOf").and_then(|mut a| a.as_array_mut().map(|a| a.remove(0))).and_then(|r| r.get("$ref").cloned());
                    m.insert("$ref".into(), target.expect("checked above"));
                }
                let nullable_ref =
                    m.get("anyOf").and_then(Value::as_array).is_some_and(|a| a.len() == 2 && a[0].as_object().is_some_and(|r| r.contains_key("$ref")) && a[1] == serde_json::json!({ "type": "null" }));
                if nullable_ref {
                    let mut alternatives = m.remove("anyOf").expect("checked above");
                    if let Some(description) = m.get("description") {
                        alternatives[0]["description"] = description.clone();
                    }
                    m.insert("oneOf".into(), alternatives);
                }
                let constants = m.get("oneOf").and_then(Value::as_array).filter(|a| {
                    a.iter().all(|c| c.get("const").is_some_and(Value::is_string) && c.as_object().is_some_and(|c| c.keys().all(|k| matches!(k.as_str(), "const" | "type" | "description"))))
                });
                if let Some(constants) = constants {
                    let values: Vec<Value> = constants.iter().map(|c| c["const"].clone()).collect();
                    let texts: Vec<Value> = constants.iter().map(|c| c.get("description").cloned().unwrap_or_else(|| "".into())).collect();
                    m.remove("oneOf");
                    m.insert("type".into(), "string".into());
                    m.insert("enum".into(), values.into());
                    m.insert("markdownEnumDescriptions".into(), texts.into());
                }
                stack.extend(m.values_mut());
            }
            Value::Array(a) => stack.extend(a.iter_mut()),
            _ => {}
        }
    }
}
