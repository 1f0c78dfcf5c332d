//! Rego policies (policy-abi.md, "Rego policies (v1.1)"): a directory of `.rego` files with
//! a `policy.yaml` (`abi: rego`), or one `.rego` file with a `policy.yaml` beside it.
//!
//! runready parses the modules itself for the load checks (syntax, unknown built-ins,
//! recursion: exit 2, located) and the refused built-ins (an `import` error); a worker
//! process evaluates them (`worker.rs`), so that no policy can crash or hang the run.

pub mod elements;
pub mod scan;
pub mod worker;

use super::Reason;
use super::host::{CallError, Limits};
use super::manifest::{Abi, Manifest};
use crate::diag::Location;
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// One `.rego` file of a policy.
#[derive(Clone, Debug)]
pub struct RegoFile {
    /// `/`-separated, relative to the policy's directory.
    pub rel: String,
    /// As shown in messages (relative to the working directory when below it).
    pub shown: String,
    pub text: String,
    /// A `*_test.rego` file: read by `policy test`, never by `check`.
    pub test: bool,
}

/// A loaded Rego policy.
#[derive(Debug)]
pub struct RegoPolicy {
    pub root: PathBuf,
    pub manifest: Manifest,
    pub manifest_text: String,
    pub files: Vec<RegoFile>,
    pub analysis: scan::Analysis,
    /// `data.runready`, `data.main` or the manifest's `data.NAMESPACE`.
    pub package: String,
}

/// A load error: exit 2, at a place in a file when there is one.
#[derive(Clone, Debug)]
pub struct LoadError {
    pub message: String,
    pub location: Option<Location>,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match &self.location {
            Some(l) => write!(f, "{l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

fn err(message: impl Into<String>) -> LoadError {
    LoadError { message: message.into(), location: None }
}

/// Whether `path` is a Rego policy: a `.rego` file, or a directory whose `policy.yaml`
/// says `abi: rego` or that holds `.rego` files.
pub fn is_rego(path: &Path) -> bool {
    if path.is_file() {
        return path.extension().is_some_and(|e| e == "rego");
    }
    if !path.is_dir() {
        return false;
    }
    let manifest = path.join("policy.yaml");
    if manifest.is_file() {
        let abi = std::fs::read_to_string(&manifest).ok().and_then(|t| crate::load::yaml::parse(&t).ok()).map(|n| n.to_json()["abi"].clone());
        return abi.is_some_and(|a| a == "rego");
    }
    std::fs::read_dir(path).into_iter().flatten().flatten().any(|e| e.path().extension().is_some_and(|x| x == "rego"))
}

/// The `.rego` files below `dir`, sorted bytewise by relative path (hidden directories and
/// `target`/`node_modules` skipped).
fn rego_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, LoadError> {
    let mut out = Vec::new();
    let mut work = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, prefix)) = work.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| err(format!("cannot read {}: {e}", d.display())))?;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let p = e.path();
            if p.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    work.push((p, format!("{prefix}{name}/")));
                }
            } else if name.ends_with(".rego") {
                out.push((format!("{prefix}{name}"), p));
            }
        }
    }
    out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(out)
}

/// Loads (and caches for the rest of the process) the policy at `path`: its manifest, its
/// files, and the analysis of their syntax trees. Load errors are exit 2.
pub fn load(path: &Path) -> Result<Arc<RegoPolicy>, LoadError> {
    static CACHE: OnceLock<Mutex<Vec<(PathBuf, Arc<RegoPolicy>)>>> = OnceLock::new();
    let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let cache = CACHE.get_or_init(Default::default);
    if let Some((_, p)) = cache.lock().expect("cache").iter().find(|(k, _)| *k == key) {
        return Ok(p.clone());
    }
    let policy = Arc::new(load_uncached(path)?);
    cache.lock().expect("cache").push((key, policy.clone()));
    Ok(policy)
}

fn load_uncached(path: &Path) -> Result<RegoPolicy, LoadError> {
    // `dir/.` (a tests file's `policy: .`) is shown as `dir`.
    let path: PathBuf = path.components().filter(|c| *c != std::path::Component::CurDir).collect();
    let path = path.as_path();
    let (root, listed) = if path.is_file() {
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !root.join("policy.yaml").is_file() {
            return Err(err(format!("{}: a single .rego file as a policy needs a policy.yaml (abi: rego) beside it", path.display())));
        }
        (root, vec![(name, path.to_path_buf())])
    } else {
        (path.to_path_buf(), rego_files(path)?)
    };
    let manifest_path = root.join("policy.yaml");
    if !manifest_path.is_file() {
        return Err(err(format!("{}: holds .rego files but no policy.yaml (the manifest: name, version, abi: rego, rules)", path.display())));
    }
    let manifest = super::pack::read_manifest(&manifest_path).map_err(err)?;
    if manifest.abi != Abi::Rego {
        return Err(err(format!("{}: says abi `{}`; a directory of Rego files needs `abi: rego`", manifest_path.display(), abi_name(manifest.abi))));
    }
    let manifest_text = crate::read::text(&manifest_path, crate::read::Kind::Policy).map_err(|e| err(format!("cannot read {}: {e}", manifest_path.display())))?;
    let mut files = Vec::new();
    for (rel, p) in listed {
        let text = crate::read::text(&p, crate::read::Kind::Policy).map_err(|e| err(format!("cannot read {}", crate::read::describe(&p, crate::read::Kind::Policy, &e))))?;
        let test = rel.ends_with("_test.rego");
        files.push(RegoFile { shown: crate::load::display_path(&p), rel, text, test });
    }
    if !files.iter().any(|f| !f.test) {
        return Err(err(format!("{}: holds no .rego module besides tests (looked for *.rego files below it)", path.display())));
    }
    let modules: Vec<RegoFile> = files.iter().filter(|f| !f.test).cloned().collect();
    let analysis = parse(&modules)?;
    let package = match &manifest.namespace {
        Some(ns) => format!("data.{ns}"),
        None if analysis.has_rules_in("data.runready") => "data.runready".into(),
        None => "data.main".into(),
    };
    Ok(RegoPolicy { root, manifest, manifest_text, files, analysis, package })
}

pub fn abi_name(abi: Abi) -> &'static str {
    match abi {
        Abi::Component => "component",
        Abi::CoreV1 => "core-v1",
        Abi::Rego => "rego",
    }
}

/// Parses every file (tests included) and analyses the trees; the first syntax error, unknown
/// function or recursion is the load error.
fn parse(files: &[RegoFile]) -> Result<scan::Analysis, LoadError> {
    let mut engine = regorus::Engine::new();
    for f in files {
        engine.add_policy(f.shown.clone(), f.text.clone()).map_err(|e| located(&e.to_string()))?;
    }
    let modules = engine.get_modules().clone();
    let pairs: Vec<(&regorus::unstable::Module, bool)> = modules.iter().zip(files).map(|(m, f)| (m.as_ref(), f.test)).collect();
    let analysis = scan::analyse(&pairs);
    if let Some(first) = analysis.errors.first() {
        return Err(LoadError { message: first.message.clone(), location: Some(first.location.clone()) });
    }
    Ok(analysis)
}

/// A regorus error (`--> file:line:col` and a source excerpt) as a located load error.
fn located(message: &str) -> LoadError {
    let at = message.lines().find_map(|l| l.trim().strip_prefix("--> ")).and_then(|s| {
        let mut parts = s.trim().rsplitn(3, ':');
        let column = parts.next()?.parse().ok()?;
        let line = parts.next()?.parse().ok()?;
        Some(Location { file: parts.next()?.to_string(), line, column, path: String::new() })
    });
    let what = message.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or(message).trim();
    let what = what.strip_prefix("error: ").unwrap_or(what);
    LoadError { message: format!("rego_parse_error: {what}"), location: at }
}

impl RegoPolicy {
    /// The pin (policy-abi.md): sha256 over every `*.rego` file and `policy.yaml`, sorted
    /// bytewise by relative path, each as `path NUL contents NUL`.
    pub fn sha256(&self) -> String {
        let mut parts: Vec<(&str, &str)> = self.files.iter().map(|f| (f.rel.as_str(), f.text.as_str())).collect();
        parts.push(("policy.yaml", &self.manifest_text));
        parts.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut h = sha2::Sha256::new();
        for (path, text) in parts {
            h.update(path.as_bytes());
            h.update([0]);
            h.update(text.as_bytes());
            h.update([0]);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// What `policy inspect` prints for a Rego policy.
    pub fn inspect(&self) -> String {
        let m = &self.manifest;
        let mut out = format!("{} {} (rego)\n", m.name, m.version);
        if let Some(d) = &m.description {
            out.push_str(&format!("{d}\n"));
        }
        out.push_str(&format!("sha256 {} (the pin: policy.yaml and {} .rego files, sorted by path)\n", self.sha256(), self.files.len()));
        out.push_str("files:\n");
        for f in &self.files {
            out.push_str(&format!("  {}{}\n", f.rel, if f.test { "  (test, read only by `policy test`)" } else { "" }));
        }
        let sets = self.finding_rules();
        out.push_str(&format!("package: {}\nfinding rules: {}\n", self.package, if sets.is_empty() { "none (deny, violation or warn expected)".to_string() } else { sets.join(", ") }));
        let tests = parse(&self.files).map(|a| a.tests().len());
        out.push_str(&match tests {
            Ok(n) => format!("tests: {n} test_* rule(s)\n"),
            Err(e) => format!("tests: do not load: {e}\n"),
        });
        if let Some(r) = self.analysis.refused.first() {
            out.push_str(&format!("refused built-in: {}: {}\n", r.location, r.message));
        }
        if let Some(i) = &m.inputs {
            out.push_str(&format!("inputs: {}\n", i.iter().map(|i| serde_json::to_value(i).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()).collect::<Vec<_>>().join(", ")));
        }
        out.push_str(&super::pack::manifest_tail(m));
        out
    }

    /// The rules `check` reads: the namespace's `deny`, `violation` and `warn` sets.
    pub fn finding_rules(&self) -> Vec<String> {
        self.analysis.finding_sets(&self.package).into_iter().map(|s| format!("{}.{s}", self.package)).collect()
    }

    fn header(&self, mode: worker::Mode, rules: Vec<String>, limits: &Limits) -> worker::Header {
        let files = self.files.iter().filter(|f| mode == worker::Mode::Test || !f.test).map(|f| (f.shown.clone(), f.text.clone())).collect();
        worker::Header { mode, files, rules, max_findings: limits.findings, memory_bytes: limits.memory_bytes, log_lines: limits.log_lines, log_bytes: limits.log_bytes }
    }

    /// The first refused built-in the modules call, as an `import` error (the analysis is of
    /// the non-test modules: tests may mock `time.now_ns` and the like).
    pub fn refused(&self) -> Result<(), CallError> {
        match self.analysis.refused.first() {
            Some(r) => Err(CallError::new(Reason::Import, format!("{}: {}", r.location, r.message)).at(r.location.clone())),
            None => Ok(()),
        }
    }

    /// Evaluates the finding rules on the request: each rule's value and the policy's log.
    pub fn evaluate(&self, request: &str, limits: &Limits) -> Result<(Vec<(String, serde_json::Value)>, Vec<String>), CallError> {
        self.refused()?;
        let rules = self.finding_rules();
        if rules.is_empty() {
            return Err(CallError::new(Reason::Manifest, format!("package {} has no deny, violation or warn rule (also looked for suffixes: deny_NAME)", self.package)));
        }
        match worker::call(&self.header(worker::Mode::Evaluate, rules, limits), request, limits)? {
            worker::Answer::Values { values, log } => Ok((values, log)),
            worker::Answer::Error { reason, message } => Err(CallError::new(reason, message)),
            worker::Answer::Tests { .. } => Err(CallError::new(Reason::Internal, "the worker answered with test results")),
        }
    }

    /// Runs the `test_*` rules of the `*_test.rego` files: (file, rule, passed, detail). The
    /// test files are parsed here (`check` never reads them); their load errors are the error.
    pub fn run_tests(&self, limits: &Limits) -> Result<Vec<(String, String, bool, String)>, LoadOrCall> {
        let tests = parse(&self.files).map_err(LoadOrCall::Load)?.tests();
        if tests.is_empty() {
            return Ok(Vec::new());
        }
        let rules = tests.iter().map(|(r, _)| r.clone()).collect();
        match worker::call(&self.header(worker::Mode::Test, rules, limits), "", limits).map_err(LoadOrCall::Call)? {
            worker::Answer::Tests { tests: results } => {
                Ok(results.into_iter().zip(&tests).map(|((rule, passed, detail), (_, at))| (at.file.clone(), rule, passed, if passed { detail } else { format!("{at}: {detail}") })).collect())
            }
            worker::Answer::Error { reason, message } => Err(LoadOrCall::Call(CallError::new(reason, message))),
            worker::Answer::Values { .. } => Err(LoadOrCall::Call(CallError::new(Reason::Internal, "the worker answered with values"))),
        }
    }
}

/// Why Rego tests could not run.
pub enum LoadOrCall {
    Load(LoadError),
    Call(CallError),
}
