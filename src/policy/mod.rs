//! WASM policy plugins (policy-abi.md): load a module with its manifest, run it in the
//! sandbox with every limit, and turn its findings into results that go through the same
//! pipeline as built-in rules (pointers mapped to YAML lines, waivers, every report).
//!
//! Both call contracts run: the core-module ABI v1 and the component world
//! `runready:policy@1.0.0` (WASI imports linked as traps).

pub mod host;
pub mod manifest;
pub mod pack;
pub mod rego;
mod request;
pub mod scaffold;
pub mod testing;

use crate::diag::Location;
use crate::model::{Level, Model, Origin, PolicyLimits};
use crate::rules::{RuleResult, Status};
use host::{CallError, CorePolicy, Limits};
use manifest::{Abi, Manifest};
pub use request::{Context, PolicyResult, Request, Shared};
use serde::Serialize;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Why a policy produced an `error` result: the closed list of policy-abi.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Fuel,
    Timeout,
    Memory,
    Stack,
    Trap,
    Output,
    InvalidJson,
    UndeclaredRule,
    BadPointer,
    Import,
    Manifest,
    InvalidSettings,
    InvalidInput,
    Internal,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Fuel => "fuel",
            Reason::Timeout => "timeout",
            Reason::Memory => "memory",
            Reason::Stack => "stack",
            Reason::Trap => "trap",
            Reason::Output => "output",
            Reason::InvalidJson => "invalid_json",
            Reason::UndeclaredRule => "undeclared_rule",
            Reason::BadPointer => "bad_pointer",
            Reason::Import => "import",
            Reason::Manifest => "manifest",
            Reason::InvalidSettings => "invalid_settings",
            Reason::InvalidInput => "invalid_input",
            Reason::Internal => "internal",
        }
    }
}

/// A policy to run: from the model's `policies` or from `--policy`.
#[derive(Clone, Debug)]
pub struct PolicySpec {
    pub path: PathBuf,
    pub settings: Value,
    pub limits: Option<PolicyLimits>,
    /// Where the model names it (`None` for `--policy`).
    pub origin: Option<Origin>,
}

/// The model's policies, with paths relative to the YAML file that names them.
pub fn from_model(model: &Model, sources: &crate::load::Sources) -> Vec<PolicySpec> {
    model
        .policies
        .iter()
        .map(|p| {
            let dir = sources.files[p.origin.file].path.parent().map(Path::to_path_buf).unwrap_or_default();
            PolicySpec { path: dir.join(&p.path), settings: p.settings.clone(), limits: p.limits.clone(), origin: Some(p.origin.clone()) }
        })
        .collect()
}

/// `--policy PATH`: a `.wasm` file, a Rego policy (a directory with a `policy.yaml` of
/// `abi: rego`, or a `.rego` file beside one), or a directory of them: its `*.wasm` files
/// and the Rego policies in it and its subdirectories, sorted. A path that yields no policy,
/// and a Rego policy that does not load (syntax, unknown built-in, recursion), are errors.
pub fn from_paths(paths: &[PathBuf]) -> Result<Vec<PolicySpec>, String> {
    let mut out = Vec::new();
    let spec = |path: PathBuf| PolicySpec { path, settings: Value::Null, limits: None, origin: None };
    for p in paths {
        if !p.exists() {
            return Err(format!("--policy {}: no such file or directory", p.display()));
        }
        let found = if p.is_dir() && !p.join("policy.yaml").is_file() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?
                .flatten()
                .map(|e| e.path())
                .filter(|f| f.extension().is_some_and(|x| x == "wasm") || (f.is_dir() && f.join("policy.yaml").is_file() && rego::is_rego(f)))
                .collect();
            found.sort();
            if found.is_empty() {
                let rego = if rego::is_rego(p) { "; it holds .rego files but no policy.yaml (abi: rego)" } else { "" };
                return Err(format!("--policy {}: holds no policy (looked for *.wasm files and Rego policies: directories with a policy.yaml){rego}", p.display()));
            }
            found
        } else if p.is_dir() && !rego::is_rego(p) {
            return Err(format!("--policy {}: its policy.yaml has no .wasm module beside it and is not `abi: rego`; give the packed .wasm file", p.display()));
        } else {
            vec![p.clone()]
        };
        for f in found {
            if rego::is_rego(&f) {
                rego::load(&f).map_err(|e| format!("--policy {}: {e}", f.display()))?;
            }
            out.push(spec(f));
        }
    }
    Ok(out)
}

/// The limits of one call: the defaults, lowered by the manifest, raised by the model.
pub fn limits_for(manifest: Option<&PolicyLimits>, model: Option<&PolicyLimits>) -> Limits {
    let mut l = Limits::default();
    if let Some(m) = manifest {
        l.fuel = m.fuel.map_or(l.fuel, |f| f.min(l.fuel));
        l.timeout_ms = m.timeout_ms.map_or(l.timeout_ms, |t| t.min(l.timeout_ms));
        l.memory_bytes = m.memory_mib.map_or(l.memory_bytes, |m| ((m as usize) << 20).min(l.memory_bytes));
    }
    if let Some(m) = model {
        l.fuel = m.fuel.unwrap_or(l.fuel);
        l.timeout_ms = m.timeout_ms.unwrap_or(l.timeout_ms);
        l.memory_bytes = m.memory_mib.map_or(l.memory_bytes, |m| (m as usize) << 20);
    }
    l
}

/// The name a policy is known by before its manifest is read: the file stem.
fn fallback_name(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "policy".into())
}

/// Everything one policy contributes to a run.
pub struct Outcome {
    pub results: Vec<RuleResult>,
    pub log: Vec<String>,
}

/// Runs one policy on the run's shared request parts (model, derived, facts).
/// `left_ms` is what remains of the run's wall-clock budget.
pub fn run(spec: &PolicySpec, shared: &Shared, at: &str, model: &Model, sources: &crate::load::Sources, left_ms: u64) -> Outcome {
    let mut name = fallback_name(&spec.path);
    let location = spec.origin.as_ref().map(|o| sources.locate(&o.at("path")));
    match evaluate(spec, shared, at, &mut name, left_ms) {
        Ok((manifest, findings, log)) => {
            // The policy's log (WASM `log`, Rego `print`) goes to stderr, named, beside the
            // diagnostics; the reports carry findings only.
            for line in &log {
                eprintln!("policy {name}: {line}");
            }
            Outcome { results: to_results(&manifest, findings, model, sources), log }
        }
        Err(e) => {
            let location = e.at.clone().or(location);
            Outcome { results: vec![error_result(&name, &spec.path, location, e)], log: Vec::new() }
        }
    }
}

fn error_result(name: &str, path: &Path, location: Option<Location>, e: CallError) -> RuleResult {
    RuleResult {
        rule: format!("{name}/evaluate"),
        title: format!("Policy {name} can be evaluated"),
        severity: Level::Error,
        status: Status::Error,
        subject: format!("policy:{name}"),
        message: format!("{} ({}): {}", path.display(), e.reason.as_str(), e.message),
        location,
        evidence: json!({ "reason": e.reason.as_str() }),
        help: Some("fix the policy, or run with --allow-incomplete to accept the unevaluated policy".into()),
        waiver: None,
    }
}

/// A finding as a policy returns it.
#[derive(Clone, Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub rule_id: String,
    pub level: Level,
    pub message: String,
    #[serde(default)]
    pub pointer: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub remediation: Option<String>,
    #[serde(default)]
    pub properties: Value,
}

/// Reads what `evaluate()` returned: the policy's own error, or at most `max_findings`
/// findings (the policy result parser, fuzzed in `fuzz/`).
pub fn parse_result(out: &str, max_findings: usize) -> Result<Vec<Finding>, CallError> {
    let result: Value = serde_json::from_str(out).map_err(|e| CallError::new(Reason::InvalidJson, format!("evaluate() did not return JSON: {e}")))?;
    if let Some(err) = result.get("error") {
        let reason = match err.get("kind").and_then(Value::as_str) {
            Some("invalid_input" | "invalid-input") => Reason::InvalidInput,
            Some("invalid_settings" | "invalid-settings") => Reason::InvalidSettings,
            _ => Reason::Internal,
        };
        return Err(CallError::new(reason, err.get("message").and_then(Value::as_str).unwrap_or("the policy reported an error").to_string()));
    }
    let findings = serde_json::from_value::<PolicyResult>(result).map_err(|e| CallError::new(Reason::InvalidJson, format!("the result is not {{\"findings\": [...]}}: {e}")))?.findings;
    if findings.len() > max_findings {
        return Err(CallError::new(Reason::Output, format!("{} findings, more than the {} allowed", findings.len(), max_findings)));
    }
    Ok(findings)
}

/// Runs one policy and returns its manifest and raw findings, or the error with its reason.
/// `name` is set to the manifest's name as soon as it is known.
pub fn evaluate(spec: &PolicySpec, shared: &Shared, at: &str, name: &mut String, left_ms: u64) -> Result<(Manifest, Vec<Finding>, Vec<String>), CallError> {
    if rego::is_rego(&spec.path) {
        return evaluate_rego(spec, shared, at, name, left_ms);
    }
    let bytes = crate::read::bytes(&spec.path, crate::read::Kind::Policy).map_err(|e| CallError::new(Reason::Internal, format!("the module {e}")))?;
    let scan = manifest::scan(&bytes).map_err(|e| CallError::new(Reason::Manifest, e))?;
    let manifest = match scan.manifest {
        None => return Err(CallError::new(Reason::Manifest, format!("the module has no `{}` custom section; run `runready policy pack`", manifest::SECTION))),
        Some(Err(e)) => return Err(CallError::new(Reason::Manifest, format!("the embedded manifest is not valid: {e}"))),
        Some(Ok(m)) => m,
    };
    *name = manifest.name.clone();
    let is_component = scan.component || scan.wit_bindgen;
    if manifest.abi == Abi::Rego {
        return Err(CallError::new(Reason::Manifest, "the manifest says abi `rego`, but the file is a WebAssembly module"));
    }
    if (manifest.abi == Abi::Component) != is_component {
        return Err(CallError::new(
            Reason::Manifest,
            format!("the manifest says abi `{}`, but the file is a {}", if manifest.abi == Abi::Component { "component" } else { "core-v1" }, if is_component { "component" } else { "core module" }),
        ));
    }
    // A wasm32-unknown-unknown module with wit-bindgen output becomes a component here.
    let bytes = if scan.wit_bindgen {
        wit_component::ComponentEncoder::default()
            .module(&bytes)
            .and_then(|e| e.validate(true).encode())
            .map_err(|e| CallError::new(Reason::Manifest, format!("the module's component type cannot be made into a component: {e:#}")))?
    } else {
        bytes
    };
    if !is_component && let Some(bad) = scan.imports.iter().find(|i| *i != "runready.log") {
        return Err(CallError::new(Reason::Import, format!("the module imports `{bad}`; only `runready.log` is provided")));
    }
    let settings = settings_for(&manifest, spec)?;
    let mut limits = limits_for(manifest.limits.as_ref(), spec.limits.as_ref());
    limits.timeout_ms = limits.timeout_ms.min(left_ms);
    let policy = if is_component { Contract::Component(host::ComponentPolicy::new(&bytes)?) } else { Contract::Core(CorePolicy::new(&bytes)?) };
    // The metadata the module reports must be the manifest it carries.
    let meta = policy.metadata(&limits)?;
    let meta: Value = serde_json::from_str(&meta).map_err(|e| CallError::new(Reason::InvalidJson, format!("metadata() is not JSON: {e}")))?;
    if serde_json::from_value::<Manifest>(meta).ok().as_ref() != Some(&manifest) {
        return Err(CallError::new(Reason::Manifest, "metadata() differs from the embedded manifest"));
    }
    policy.validate_settings(&settings, &limits)?;
    let request = shared.request(|i| manifest.wants(i), at, &manifest.name, &settings);
    let text = serde_json::to_string(&request).map_err(|e| CallError::new(Reason::Internal, format!("cannot serialise the request: {e}")))?;
    let (out, log) = policy.evaluate(&text, &limits)?;
    let findings = parse_result(&out, limits.findings)?;
    check_findings(&manifest, &findings, &request)?;
    Ok((manifest, findings, log))
}

/// A Rego policy: loaded (and analysed) once per process, evaluated by the worker.
fn evaluate_rego(spec: &PolicySpec, shared: &Shared, at: &str, name: &mut String, left_ms: u64) -> Result<(Manifest, Vec<Finding>, Vec<String>), CallError> {
    let policy = rego::load(&spec.path).map_err(|e| {
        let located = CallError::new(Reason::Manifest, e.to_string());
        match e.location {
            Some(l) => located.at(l),
            None => located,
        }
    })?;
    let manifest = &policy.manifest;
    *name = manifest.name.clone();
    let settings = settings_for(manifest, spec)?;
    let mut limits = limits_for(manifest.limits.as_ref(), spec.limits.as_ref());
    limits.timeout_ms = limits.timeout_ms.min(left_ms);
    let request = shared.request(|i| manifest.wants(i), at, &manifest.name, &settings);
    let text = serde_json::to_string(&request).map_err(|e| CallError::new(Reason::Internal, format!("cannot serialise the request: {e}")))?;
    let (values, log) = policy.evaluate(&text, &limits)?;
    let findings = rego::elements::findings(manifest, values)?;
    if findings.len() > limits.findings {
        return Err(CallError::new(Reason::Output, format!("{} findings, more than the {} allowed", findings.len(), limits.findings)));
    }
    check_findings(manifest, &findings, &request)?;
    Ok((manifest.clone(), findings, log))
}

/// The policy's settings (`{}` when none are given), checked against its `settings_schema`.
fn settings_for(manifest: &Manifest, spec: &PolicySpec) -> Result<Value, CallError> {
    let settings = if spec.settings.is_null() { json!({}) } else { spec.settings.clone() };
    if let Some(schema) = &manifest.settings_schema {
        let validator = jsonschema::validator_for(schema).map_err(|e| CallError::new(Reason::Manifest, format!("settings_schema is not a valid JSON Schema: {e}")))?;
        if let Some(err) = validator.iter_errors(&settings).next() {
            return Err(CallError::new(Reason::InvalidSettings, format!("settings{}: {err}", err.instance_path())));
        }
    }
    Ok(settings)
}

/// Every finding names a declared rule and points at something in the request.
fn check_findings(manifest: &Manifest, findings: &[Finding], request: &Request) -> Result<(), CallError> {
    for f in findings {
        if !manifest.rules.iter().any(|r| r.id == f.rule_id) {
            return Err(CallError::new(Reason::UndeclaredRule, format!("finding for rule `{}`, which the policy does not declare", f.rule_id)));
        }
        if let Some(p) = &f.pointer
            && !request.resolves(p)
        {
            return Err(CallError::new(Reason::BadPointer, format!("pointer `{p}` resolves to nothing in the request")));
        }
    }
    Ok(())
}

fn to_results(manifest: &Manifest, findings: Vec<Finding>, model: &Model, sources: &crate::load::Sources) -> Vec<RuleResult> {
    let mut out = Vec::new();
    for rule in &manifest.rules {
        let id = format!("{}/{}", manifest.name, rule.id);
        let mine: Vec<&Finding> = findings.iter().filter(|f| f.rule_id == rule.id).collect();
        if mine.is_empty() {
            out.push(RuleResult {
                rule: id.clone(),
                title: rule.title.clone(),
                severity: rule.level,
                status: Status::Pass,
                subject: "model".into(),
                message: "no finding".into(),
                location: None,
                evidence: Value::Null,
                help: None,
                waiver: None,
            });
        }
        for f in mine {
            let location = f.pointer.as_deref().and_then(|p| p.strip_prefix("/model")).and_then(|p| model.origin_of_pointer(p)).map(|o| sources.locate(&o));
            out.push(RuleResult {
                rule: id.clone(),
                title: rule.title.clone(),
                severity: f.level,
                status: Status::Fail,
                subject: f.subject.clone().unwrap_or_else(|| "model".into()),
                message: f.message.clone(),
                location,
                evidence: f.properties.clone(),
                help: f.remediation.clone().or_else(|| rule.help.clone()),
                waiver: None,
            });
        }
    }
    out
}

/// A loaded policy under either call contract.
enum Contract {
    Core(CorePolicy),
    Component(host::ComponentPolicy),
}

/// A component's `policy-error` case as a reason.
fn component_error((case, message): (String, String)) -> CallError {
    let reason = match case.as_str() {
        "invalid-input" => Reason::InvalidInput,
        "invalid-settings" => Reason::InvalidSettings,
        _ => Reason::Internal,
    };
    CallError::new(reason, message)
}

impl Contract {
    fn metadata(&self, limits: &Limits) -> Result<String, CallError> {
        match self {
            Contract::Core(p) => {
                let (out, _) = p.call("runready_metadata", b"", limits)?;
                String::from_utf8(out).map_err(|_| CallError::new(Reason::InvalidJson, "metadata() is not UTF-8"))
            }
            Contract::Component(p) => p.call("metadata", None, limits)?.0.map_err(component_error).map(Option::unwrap_or_default),
        }
    }

    fn validate_settings(&self, settings: &Value, limits: &Limits) -> Result<(), CallError> {
        match self {
            Contract::Core(p) => {
                let (answer, _) = p.call("runready_validate_settings", settings.to_string().as_bytes(), limits)?;
                let answer: Value = serde_json::from_slice(&answer).map_err(|e| CallError::new(Reason::InvalidJson, format!("validate_settings() is not JSON: {e}")))?;
                match answer.get("error") {
                    Some(err) => Err(CallError::new(Reason::InvalidSettings, err.get("message").and_then(Value::as_str).unwrap_or("settings rejected").to_string())),
                    None => Ok(()),
                }
            }
            Contract::Component(p) => p.call("validate-settings", Some(&settings.to_string()), limits)?.0.map(|_| ()).map_err(component_error),
        }
    }

    /// The result JSON (or, from a core module, an `{"error": ...}` document) and the log.
    fn evaluate(&self, request: &str, limits: &Limits) -> Result<(String, Vec<String>), CallError> {
        match self {
            Contract::Core(p) => {
                let (out, log) = p.call("runready_evaluate", request.as_bytes(), limits)?;
                Ok((String::from_utf8(out).map_err(|_| CallError::new(Reason::InvalidJson, "evaluate() did not return UTF-8"))?, log))
            }
            Contract::Component(p) => {
                let (answer, log) = p.call("evaluate", Some(request), limits)?;
                Ok((answer.map_err(component_error)?.unwrap_or_default(), log))
            }
        }
    }
}
