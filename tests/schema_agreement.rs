//! The published schema (schemas/support-model.schema.json, as jsonschema reads it) and the
//! loader accept exactly the same scalar values: a corpus of valid and invalid spellings
//! (tests/fixtures/schema/scalars.json, which tests/editor.rs also gives yaml-language-server)
//! and property tests over random text. Plus the schema's editor-facing promises: every
//! pattern has a sentence for editors, every field its own description.

use proptest::prelude::*;
use runready::model::{Date, DateOrTime, Duration, Instant, LocalDateTime, LocalTime, TimeZone};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::OnceLock;

fn schema() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| serde_json::from_str(&std::fs::read_to_string("schemas/support-model.schema.json").unwrap()).unwrap())
}

/// A validator of one definition of the published schema.
fn definition(name: &str) -> jsonschema::Validator {
    let doc = json!({ "definitions": schema()["definitions"].clone(), "$ref": format!("#/definitions/{name}") });
    jsonschema::draft7::new(&doc).unwrap()
}

fn validators() -> &'static HashMap<&'static str, jsonschema::Validator> {
    static V: OnceLock<HashMap<&'static str, jsonschema::Validator>> = OnceLock::new();
    V.get_or_init(|| KINDS.iter().map(|k| (*k, definition(k))).collect())
}

const KINDS: [&str; 7] = ["Duration", "Date", "LocalTime", "LocalDateTime", "Instant", "DateOrTime", "TimeZone"];

/// The loader's verdict on `text` as a value of `kind` (its error message when refused).
fn loader(kind: &str, text: &str) -> Result<(), String> {
    match kind {
        "Duration" => text.parse::<Duration>().map(drop),
        "Date" => text.parse::<Date>().map(drop),
        "LocalTime" => text.parse::<LocalTime>().map(drop),
        "LocalDateTime" => text.parse::<LocalDateTime>().map(drop),
        "Instant" => text.parse::<Instant>().map(drop),
        "DateOrTime" => text.parse::<DateOrTime>().map(drop),
        "TimeZone" => text.parse::<TimeZone>().map(drop),
        _ => unreachable!("{kind}"),
    }
}

fn schema_accepts(kind: &str, text: &str) -> bool {
    validators()[kind].is_valid(&Value::from(text))
}

#[test]
fn the_corpus_is_accepted_and_refused_alike() {
    let corpus: Value = serde_json::from_str(&std::fs::read_to_string("tests/fixtures/schema/scalars.json").unwrap()).unwrap();
    let mut disagreements = Vec::new();
    let mut count = 0;
    for kind in KINDS {
        let cases = &corpus[kind];
        for (list, valid) in [("valid", true), ("invalid", false)] {
            for text in cases[list].as_array().unwrap_or_else(|| panic!("{kind}.{list}")) {
                let text = text.as_str().unwrap();
                count += 1;
                let by_loader = loader(kind, text);
                if by_loader.is_ok() != valid {
                    disagreements.push(format!("{kind} {text:?}: loader says {by_loader:?}, the corpus says {list}"));
                }
                if schema_accepts(kind, text) != valid {
                    disagreements.push(format!("{kind} {text:?}: the schema says {}, the corpus says {list}", if valid { "invalid" } else { "valid" }));
                }
            }
        }
        for text in cases["too_long"].as_array().into_iter().flatten() {
            let text = text.as_str().unwrap();
            let why = loader(kind, text).expect_err(text);
            assert!(why.contains("100 years") || why.contains("too large"), "{text}: {why}");
            assert!(schema_accepts(kind, text), "{text}: the pattern accepts every well-spelt duration");
        }
    }
    assert!(count > 140, "{count} cases");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn every_bundled_zone_name_is_in_the_enum_and_nothing_else_is() {
    let names: Vec<&str> = schema()["definitions"]["TimeZone"]["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(names.len() > 400, "{} names", names.len());
    for n in &names {
        assert!(n.parse::<TimeZone>().is_ok(), "{n} is in the enum but the loader refuses it");
    }
    assert!(names.contains(&"Europe/London") && names.contains(&"UTC") && !names.contains(&"EST") && !names.contains(&"GMT"));
}

/// The loader's verdict where the only refusal the schema cannot make is a magnitude.
fn agree(kind: &str, text: &str) -> Result<(), TestCaseError> {
    let by_loader = loader(kind, text);
    let by_schema = schema_accepts(kind, text);
    match by_loader {
        Err(why) if by_schema && (why.contains("100 years") || why.contains("too large")) => Ok(()),
        r => {
            prop_assert_eq!(r.is_ok(), by_schema, "{} {:?}: loader {:?}, schema {}", kind, text, r, by_schema);
            Ok(())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn durations_agree_on_random_text(text in "[0-9PpTtWwDdHhMmSsY ]{0,9}") {
        agree("Duration", &text)?;
    }

    #[test]
    fn durations_agree_on_well_formed_parts(parts in proptest::collection::vec((0u32..200, "[WDHMSwdhms]"), 1..5), iso in any::<bool>(), t in 0usize..5) {
        let mut text = if iso { "P".to_string() } else { String::new() };
        for (i, (n, unit)) in parts.iter().enumerate() {
            if iso && i == t {
                text.push('T');
            }
            text.push_str(&format!("{n}{unit}"));
        }
        agree("Duration", &text)?;
    }

    #[test]
    fn dates_agree_with_the_calendar(y in 0i16..=9999, m in 0i8..=13, d in 0i8..=32) {
        let text = format!("{y:04}-{m:02}-{d:02}");
        let exists = jiff::civil::Date::new(y, m, d).is_ok();
        prop_assert_eq!(text.parse::<Date>().is_ok(), exists, "{}", text);
        prop_assert_eq!(schema_accepts("Date", &text), exists, "{}", text);
        agree("DateOrTime", &text)?;
    }

    #[test]
    fn times_agree(h in 0u8..=30, m in 0u8..=70, s in proptest::option::of(0u8..=70), sep in "[T t]") {
        let time = format!("{h:02}:{m:02}");
        agree("LocalTime", &time)?;
        let mut local = format!("2026-03-29{sep}{time}");
        if let Some(s) = s {
            local.push_str(&format!(":{s:02}"));
        }
        agree("LocalDateTime", &local)?;
        agree("DateOrTime", &local)?;
        agree("Instant", &format!("{local}Z"))?;
        agree("Instant", &format!("{local}+{h:02}:{m:02}"))?;
    }

    #[test]
    fn time_zone_names_agree(text in "[A-Za-z_/+0-9-]{0,20}") {
        agree("TimeZone", &text)?;
    }
}

/// Every `pattern` in the published schemas comes with the sentence editors show.
#[test]
fn every_pattern_has_an_error_message_for_editors() {
    for entry in std::fs::read_dir("schemas").unwrap() {
        let path = entry.unwrap().path();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut stack = vec![&doc];
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(m) => {
                    if m.get("pattern").is_some_and(Value::is_string) {
                        assert!(m.get("patternErrorMessage").is_some_and(|t| t.as_str().is_some_and(|t| t.len() > 20)), "{}: {v} has no patternErrorMessage", path.display());
                    }
                    stack.extend(m.values());
                }
                Value::Array(a) => stack.extend(a),
                _ => {}
            }
        }
    }
}

/// Every property of the model schema has its own description (hover shows it), and none is
/// wrapped where yaml-language-server would show the shared type's text instead.
#[test]
fn every_field_has_its_own_description() {
    let root = schema();
    let mut objects: Vec<(String, &Value)> = vec![("(root)".into(), root)];
    objects.extend(root["definitions"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v)));
    let mut fields = 0;
    for (name, def) in objects {
        for (field, prop) in def.get("properties").and_then(Value::as_object).into_iter().flatten() {
            fields += 1;
            let own = prop.get("description").and_then(Value::as_str).unwrap_or_default();
            assert!(!own.is_empty(), "{name}.{field} has no description");
            assert!(prop.get("allOf").is_none(), "{name}.{field}: a single $ref is written beside its description, not in allOf");
            assert!(prop.get("anyOf").and_then(Value::as_array).is_none_or(|a| a.iter().all(|s| s.get("$ref").is_none())), "{name}.{field}: an optional $ref is a oneOf");
            for alternative in prop.get("oneOf").and_then(Value::as_array).into_iter().flatten() {
                if alternative.get("$ref").is_some() {
                    assert_eq!(alternative["description"].as_str(), Some(own), "{name}.{field}: the $ref alternative carries the field's text");
                }
            }
        }
    }
    assert!(fields > 150, "{fields} fields");
}
