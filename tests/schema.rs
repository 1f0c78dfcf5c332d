//! The published JSON Schema of the model, held to what runready itself accepts.
//!
//! First half: the schema (schemas/support-model.schema.json, as jsonschema reads it) and
//! the loader accept exactly the same scalar values — a corpus of valid and invalid
//! spellings (tests/fixtures/schema/scalars.json) and property tests over random text — and
//! the schema keeps its promises to editors: every pattern has a sentence, every field its
//! own description.
//!
//! Second half: the schema as editors use it — the real yaml-language-server (1.25, the
//! server of VS Code's YAML extension and of Neovim's yamlls), installed from npm in
//! tests/editor/ (`npm ci` there; .ci/run does it) and driven over LSP by
//! tests/editor/lsp-check.mjs. What an editor shows must match what `runready check` says:
//! the same values accepted and refused, errors in words (not regular expressions), hover
//! with each field's own text.

use proptest::prelude::*;
use runready::model::{Date, DateOrTime, Duration, Instant, LocalDateTime, LocalTime, TimeZone};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
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
fn committed_schemas_are_current() {
    for (name, text) in runready::commands::schema::schemas() {
        let committed = std::fs::read_to_string(std::path::Path::new("schemas").join(name)).unwrap_or_default();
        assert!(committed == text, "schemas/{name} is stale: run `cargo run -- schema` and commit the result");
    }
}

#[test]
fn examples_validate_against_the_schema() {
    let validator = jsonschema::draft7::new(schema()).unwrap();
    let mut files = Vec::new();
    yaml_files(Path::new("examples"), &mut files);
    assert!(files.len() >= 4);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        // Hand-written examples carry the modeline; an import's output says what wrote it.
        let imported = text.starts_with("# Written by runready import");
        assert!(imported || text.starts_with("# yaml-language-server: $schema=../../schemas/support-model.schema.json"), "{} lacks the modeline", f.display());
        let doc = runready::load::yaml::parse(&text).unwrap().to_json();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
    }
    // And the schema rejects what the loader rejects: an unknown key.
    let bad = runready::load::yaml::parse("apiVersion: runready.dev/v1\nkind: SupportModel\nservics: []\n").unwrap().to_json();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn every_bundled_zone_name_is_in_the_enum_and_nothing_else_is() {
    let names: Vec<&str> = schema()["definitions"]["TimeZone"]["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(names.len() > 400, "{} names", names.len());
    for n in &names {
        assert!(n.parse::<TimeZone>().is_ok(), "{n} is in the enum but the loader refuses it");
    }
    assert!(names.contains(&"Europe/London") && names.contains(&"UTC") && !names.contains(&"EST") && !names.contains(&"GMT"));
    // Every other name of the bundled database (abbreviations and single words such as
    // EST, GMT, Zulu) is refused by the loader as well.
    let others: Vec<String> = jiff::tz::TimeZoneDatabase::bundled().available().map(|n| n.to_string()).filter(|n| !names.contains(&n.as_str())).collect();
    assert!(others.len() > 10, "{others:?}");
    for n in &others {
        assert!(n.parse::<TimeZone>().is_err(), "{n} is not in the enum but the loader accepts it");
    }
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
        // What each spelling means, worked out here rather than read off the grammar.
        let clock = h < 24 && m < 60;
        let seconds_ok = s.is_none_or(|s| s < 60);
        let time = format!("{h:02}:{m:02}");
        prop_assert_eq!(loader("LocalTime", &time).is_ok(), clock || (h == 24 && m == 0), "{}", time);
        agree("LocalTime", &time)?;
        let mut local = format!("2026-03-29{sep}{time}");
        if let Some(s) = s {
            local.push_str(&format!(":{s:02}"));
        }
        prop_assert_eq!(loader("LocalDateTime", &local).is_ok(), clock && seconds_ok && sep == "T", "{}", local);
        agree("LocalDateTime", &local)?;
        agree("DateOrTime", &local)?;
        let instant = format!("{local}Z");
        prop_assert_eq!(loader("Instant", &instant).is_ok(), clock && s.is_some() && seconds_ok && sep != " ", "{}", instant);
        agree("Instant", &instant)?;
        let offset = format!("{local}+{h:02}:{m:02}");
        prop_assert_eq!(loader("Instant", &offset).is_ok(), clock && s.is_some() && seconds_ok && sep != " ", "{}", offset);
        agree("Instant", &offset)?;
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

// ---- The editor: yaml-language-server over LSP ----

const MODELINE: &str = "# yaml-language-server: $schema=";

fn schema_path() -> PathBuf {
    Path::new("schemas/support-model.schema.json").canonicalize().unwrap()
}

/// Runs the LSP client over `plan` (see lsp-check.mjs) and returns its report.
fn lsp(plan: &Value) -> Vec<Value> {
    let server = Path::new("tests/editor/node_modules/yaml-language-server");
    assert!(server.is_dir(), "yaml-language-server is not installed: run `npm ci` in tests/editor (.ci/run does)");
    let mut child = Command::new("node").arg("tests/editor/lsp-check.mjs").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("node runs");
    child.stdin.take().unwrap().write_all(plan.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "lsp-check.mjs failed");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["documents"].as_array().unwrap().clone()
}

fn diagnostics(doc: &Value) -> Vec<(u64, String)> {
    doc["diagnostics"].as_array().unwrap().iter().map(|d| (d["line"].as_u64().unwrap(), d["message"].as_str().unwrap().to_string())).collect()
}

/// A model file whose modeline names the repository's schema by absolute path.
fn model_file(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{MODELINE}{}\napiVersion: runready.dev/v1\nkind: SupportModel\n{body}", schema_path().display())).unwrap();
    path
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
}

#[test]
fn the_examples_and_the_starter_model_are_clean_in_the_editor() {
    let mut files = Vec::new();
    yaml_files(Path::new("examples"), &mut files);
    let files: Vec<PathBuf> = files.into_iter().filter(|f| std::fs::read_to_string(f).unwrap().starts_with(MODELINE)).map(|f| f.canonicalize().unwrap()).collect();
    assert!(files.len() >= 4, "{files:?}");
    // `runready init` writes the schema beside the model and a relative modeline: the editor
    // finds it offline, and it is the installed version's.
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_runready")).arg("init").arg(dir.path()).stdout(Stdio::null()).status().unwrap();
    assert!(status.success());
    let starter = dir.path().join("runready.yaml");
    assert!(std::fs::read_to_string(&starter).unwrap().starts_with("# yaml-language-server: $schema=./schemas/support-model.schema.json\n"));
    let mut documents: Vec<Value> = files.iter().map(|f| json!({ "path": f })).collect();
    documents.push(json!({ "path": starter }));
    for doc in lsp(&json!({ "documents": documents })) {
        assert_eq!(diagnostics(&doc), Vec::<(u64, String)>::new(), "{}", doc["path"]);
    }
}

/// Where each scalar kind sits in a minimal model: the YAML before the value, which ends
/// the document on its own line.
fn context(kind: &str) -> &'static str {
    match kind {
        "Duration" => "metadata:\n  name: m\n  review_interval: ",
        "Date" => "metadata:\n  name: m\n  reviewed: ",
        "LocalTime" => "calendars:\n  c:\n    timezone: UTC\n    weekly:\n      - days: [mon]\n        to: \"24:00\"\n        from: ",
        "LocalDateTime" => "rotations:\n  r:\n    timezone: UTC\n    members: [a]\n    handoff: P1W\n    start: ",
        "Instant" => "calendars:\n  c:\n    ranges:\n      - to: \"2030-01-01T00:00:00Z\"\n        from: ",
        "DateOrTime" => "contacts:\n  - id: a\n    kind: person\n    leave:\n      - to: \"2030-01-01\"\n        from: ",
        "TimeZone" => "calendars:\n  c:\n    timezone: ",
        _ => unreachable!("{kind}"),
    }
}

/// Every value of the corpus the loader accepts, the editor accepts; every value it refuses,
/// the editor flags on its line, in words.
#[test]
fn the_editor_accepts_and_refuses_the_corpus_as_the_loader_does() {
    let corpus: Value = serde_json::from_str(&std::fs::read_to_string("tests/fixtures/schema/scalars.json").unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for (kind, lists) in corpus.as_object().unwrap().iter().filter(|(k, _)| !k.starts_with('$')) {
        for (list, valid) in [("valid", true), ("invalid", false)] {
            for value in lists[list].as_array().unwrap() {
                let text = value.as_str().unwrap();
                let loader = runready::load::load_str("m.yaml", &format!("apiVersion: runready.dev/v1\nkind: SupportModel\n{}{}\n", context(kind), serde_json::to_string(text).unwrap()));
                let loader_refuses = loader.diagnostics.iter().any(|d| d.code == runready::diag::Code::InvalidValue);
                assert_eq!(!loader_refuses, valid, "{kind} {text:?}: the loader says {:?}", loader.diagnostics);
                let body = format!("{}{}\n", context(kind), serde_json::to_string(text).unwrap());
                let path = model_file(dir.path(), &format!("case{}.yaml", cases.len()), &body);
                // 0-based: the modeline, apiVersion and kind come first; the value ends the body.
                let line = 2 + body.lines().count() as u64;
                cases.push((kind.clone(), text.to_string(), valid, path, line));
            }
        }
    }
    assert!(cases.len() > 140);
    let report = lsp(&json!({ "documents": cases.iter().map(|c| json!({ "path": c.3 })).collect::<Vec<_>>() }));
    let mut disagreements = Vec::new();
    for ((kind, text, valid, _, line), doc) in cases.iter().zip(&report) {
        let on_line: Vec<String> = diagnostics(doc).into_iter().filter(|(l, _)| l == line).map(|(_, m)| m).collect();
        if *valid && !on_line.is_empty() {
            disagreements.push(format!("{kind} {text:?}: valid, but the editor says {on_line:?}"));
        }
        if !*valid && on_line.is_empty() {
            disagreements.push(format!("{kind} {text:?}: invalid, but the editor shows nothing on its line ({:?})", diagnostics(doc)));
        }
        if let Some(m) = on_line.iter().find(|m| m.contains("pattern") || m.contains("^(")) {
            disagreements.push(format!("{kind} {text:?}: the editor shows a regular expression: {m}"));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// `runready check` of one model file: its exit code and everything it printed.
fn check(path: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_runready")).args(["check", "--at", "2026-12-01T00:00:00Z"]).arg(path).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr))
}

/// Checks the schema now expresses (they were the loader's or a rule's alone), each flagged by
/// the editor on its line and refused by runready: (YAML body, text on the line of the
/// finding, what the editor says there, what `runready check` says).
const STRUCTURE: &[(&str, &str, &str, &str)] = &[
    ("calendars:\n  c:\n    timezone: UTC\n    weekly:\n      - days: []\n        from: \"08:00\"\n        to: \"18:00\"\n", "days: []", "too few items", "needs at least one day"),
    ("rotations:\n  r:\n    timezone: UTC\n    handoff: P1W\n    start: 2026-01-05T09:00\n    members: []\n", "members: []", "too few items", "has no members"),
    ("vendors:\n  aws:\n    kind: aws_support\n", "aws:", "Missing property \"plan\"", "declares no `plan`"),
    ("vendors:\n  aws:\n    kind: aws_support\n    plan: business\n    accounts: [111122223333]\n", "accounts", "Incorrect type", "in quotes"),
    ("vendors:\n  aws:\n    kind: aws_support\n    plan: business\n    accounts: [\"11112222333\"]\n", "accounts", "12-digit", "12-digit"),
    ("calendars:\n  c:\n    timezone: UTC\n    exceptions:\n      - { date: 2026-12-24, closed: true, from: \"08:00\" }\n", "date: 2026-12-24", "not allowed", "`closed: true` and has `from`/`to`"),
    ("calendars:\n  c:\n    weekly:\n      - { days: [mon], from: \"08:00\", to: \"18:00\" }\n", "  c:", "Missing property \"timezone\"", "no `timezone`"),
    ("calendars:\n  Bad id:\n    timezone: UTC\n", "Bad id", "An id:", "must start with a letter or digit"),
    ("policies:\n  - path: p.wasm\n    sha256: abc\n", "sha256", "64 hexadecimal", "64 hexadecimal"),
    ("escalations:\n  e:\n    repeat: -1\n    steps: [{ notify: [contact:a], timeout: PT5M }]\n", "repeat", "minimum of 0", "ESC-005"),
    ("escalations:\n  e:\n    steps:\n      - notify: [team:a]\n        timeout: PT5M\n", "team:a", "rotation:ID, schedule:ID or contact:ID", "SM-001"),
    ("artifacts:\n  a:\n    kind: logs\n    environment: production\n    max_retrieval: PT1M\n    retrieve: { command: x, file: /x }\n", "retrieve", "only one", "retrieval methods"),
    ("artifacts:\n  a:\n    kind: logs\n    environment: production\n    max_retrieval: PT1M\n    retrieve: { http: ~ }\n", "retrieve", "Incorrect type", "no retrieval method"),
    ("contacts:\n  - id: a\n    kind: person\n    leave:\n      - { ics: ~ }\n", "ics: ~", "Incorrect type", "a leave entry is"),
    ("rule_overrides:\n  FOO-999: { enabled: false }\n", "FOO-999", "Not a rule", "is not a rule"),
    ("calendars:\n  always:\n    timezone: UTC\n", "always:", "built-in calendar", "built-in calendar"),
];

/// Keys written as `~` are absent to the loader, and to the schema's "exactly one" checks:
/// (YAML body, text on the line that must show nothing, what runready must not say).
const NULLS_ARE_ABSENT: &[(&str, &str, &str)] = &[
    ("artifacts:\n  a:\n    kind: logs\n    environment: production\n    max_retrieval: PT1M\n    retrieve: { command: x, file: ~ }\n", "retrieve", "retrieval methods"),
    ("calendars:\n  c:\n    timezone: UTC\n    exceptions:\n      - { date: 2026-12-24, closed: true, from: ~ }\n", "date: 2026-12-24", "exception on"),
    ("contacts:\n  - id: a\n    kind: person\n    leave:\n      - { from: 2026-12-21, to: 2026-12-24, ics: ~ }\n", "from: 2026-12-21", "a leave entry is"),
];

#[test]
fn keys_written_as_null_are_absent_to_both() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = NULLS_ARE_ABSENT.iter().enumerate().map(|(i, (body, ..))| model_file(dir.path(), &format!("n{i}.yaml"), &format!("metadata: {{ name: m }}\n{body}"))).collect();
    let report = lsp(&json!({ "documents": paths.iter().map(|p| json!({ "path": p })).collect::<Vec<_>>() }));
    for ((path, (body, marker, never)), doc) in paths.iter().zip(NULLS_ARE_ABSENT).zip(&report) {
        let line = 4 + body.lines().position(|l| l.contains(marker)).unwrap() as u64;
        let found: Vec<_> = diagnostics(doc).into_iter().filter(|(l, _)| *l == line).collect();
        assert!(found.is_empty(), "{body}\nthe editor says {found:?}");
        let (code, text) = check(path);
        assert_ne!(code, Some(2), "{body}\n{text}");
        assert!(!text.contains(never), "{body}\nrunready says:\n{text}");
    }
}

#[test]
fn structural_checks_are_made_by_the_editor_and_by_runready() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = STRUCTURE.iter().enumerate().map(|(i, (body, ..))| model_file(dir.path(), &format!("s{i}.yaml"), &format!("metadata: {{ name: m }}\n{body}"))).collect();
    let report = lsp(&json!({ "documents": paths.iter().map(|p| json!({ "path": p })).collect::<Vec<_>>() }));
    for ((path, (body, marker, editor, runready)), doc) in paths.iter().zip(STRUCTURE).zip(&report) {
        // The modeline, apiVersion, kind and metadata come before the body.
        let line = 4 + body.lines().position(|l| l.contains(marker)).unwrap() as u64;
        let found = diagnostics(doc);
        assert!(found.iter().any(|(l, m)| *l == line && m.contains(editor)), "{body}\nthe editor says {found:?}, expected {editor:?} on line {line}");
        let (code, text) = check(path);
        assert!(matches!(code, Some(1 | 2)), "{body}\nexit {code:?}");
        assert!(text.contains(runready), "{body}\nrunready says:\n{text}");
    }
}

/// Hover shows the field's own description, not the shared type's; completion offers the
/// zone names and the AWS severities with their meanings.
#[test]
fn hover_shows_each_fields_own_text_and_completion_offers_values() {
    let dir = tempfile::tempdir().unwrap();
    let body = "calendars:\n  c:\n    timezone: Europe/London\nrotations:\n  r:\n    timezone: UTC\n    members: [a]\n    start: 2026-01-05T09:00\n    handoff: P1W\nescalations:\n  e:\n    steps:\n      - notify: [contact:a]\n        timeout: PT5M\nvendors:\n  aws:\n    kind: aws_support\n    plan: business\nservices:\n  - id: s\n    gap_plan:\n      mitigation: x\nseverities:\n  - id: sev1\n    aws_severity: \n";
    let path = model_file(dir.path(), "h.yaml", body);
    // (0-based line, column) of a key, and the definition and property whose text it must show.
    let hovers = [(5, 6, "Calendar", "timezone"), (11, 6, "Rotation", "handoff"), (16, 10, "EscalationStep", "timeout"), (20, 6, "Vendor", "plan"), (23, 6, "Service", "gap_plan")];
    let report = lsp(&json!({ "documents": [{ "path": path, "hovers": hovers.iter().map(|h| [h.0, h.1]).collect::<Vec<_>>(), "completions": [[5, 14], [27, 18]] }] }));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string("schemas/support-model.schema.json").unwrap()).unwrap();
    for ((_, _, def, field), hover) in hovers.iter().zip(report[0]["hovers"].as_array().unwrap()) {
        let own = schema["definitions"][def]["properties"][field]["description"].as_str().unwrap();
        let shown = hover.as_str().unwrap_or_default().replace('\\', "");
        let first_line = own.lines().next().unwrap();
        assert!(shown.contains(first_line), "hover on {def}.{field} shows {shown:?}, not its own text {own:?}");
    }
    let zones: Vec<&str> = report[0]["completions"][0].as_array().unwrap().iter().filter_map(|c| c["label"].as_str()).collect();
    assert!(zones.contains(&"Europe/London") && zones.contains(&"America/New_York") && zones.len() > 400, "{} zones", zones.len());
    let severities: Vec<(String, String)> =
        report[0]["completions"][1].as_array().unwrap().iter().map(|c| (c["label"].as_str().unwrap().to_string(), c["documentation"].as_str().unwrap_or_default().to_string())).collect();
    let labels: Vec<&str> = severities.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(labels, ["low", "normal", "high", "urgent", "critical"]);
    assert!(severities.iter().all(|(_, doc)| !doc.is_empty()), "{severities:?}");
}
