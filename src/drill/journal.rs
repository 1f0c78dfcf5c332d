//! The drill journal (cli.md, "Drill journal"): one JSON file per run, dry runs included,
//! and what `check --journal` reads as evidence.

use crate::model::{DrillKind, Instant};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const SCHEMA_VERSION: u32 = 1;

/// How a drill, or one of its steps, ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Met its expectation.
    Pass,
    /// Did not meet its expectation.
    Fail,
    /// A safety limit (window, `max_duration`, an open Health issue, an interruption) stopped it.
    Aborted,
    /// Could not run.
    Error,
    /// Dry runs: what would be done.
    Planned,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Aborted => "aborted",
            Outcome::Error => "error",
            Outcome::Planned => "planned",
        }
    }
}

/// What a step cleaned up (a vendor case it opened is resolved, always).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cleanup {
    /// `resolve_case`, or `none` when the step created nothing.
    pub action: String,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One step of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// `vendor_case`, `sns_publish`, `retrieve` or `probe`.
    pub kind: String,
    /// The vendor, topic, artifact or probed URL/command.
    pub target: String,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Instant>,
    #[serde(default)]
    pub duration_ms: u64,
    /// Why the step did not pass, or what a dry run would do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What the step observed: case id, bytes and sha256, HTTP status, …
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub evidence: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup: Option<Cleanup>,
}

/// One run of one drill.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Journal {
    pub schema_version: u32,
    pub drill: String,
    /// `process_test`, `comms_check` or `probe`.
    pub kind: DrillKind,
    /// The model's `metadata.name`.
    pub model: String,
    pub services: Vec<String>,
    /// A dry run: the plan, nothing touched. `check --journal` ignores these.
    pub dry_run: bool,
    pub started_at: Instant,
    pub finished_at: Instant,
    pub outcome: Outcome,
    /// Why the drill did not pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The run was interrupted (SIGINT/SIGTERM) and cleaned up.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// `--force` overrode the window.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forced: bool,
    pub steps: Vec<Step>,
}

impl Journal {
    /// `<drill-id>-<start instant>.json`, with the instant's colons made file-name safe.
    pub fn file_name(&self) -> String {
        format!("{}-{}.json", self.drill, self.started_at.0.strftime("%Y-%m-%dT%H-%M-%SZ"))
    }

    /// Writes the journal atomically into `dir`; returns its path.
    pub fn write(&self, dir: &Path) -> Result<PathBuf, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join(self.file_name());
        let text = serde_json::to_string_pretty(self).expect("journals serialise") + "\n";
        crate::atomic::write_atomic(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }

    /// Cases this run opened that it did not resolve.
    pub fn left_open(&self) -> Vec<String> {
        self.steps
            .iter()
            .filter(|s| s.cleanup.as_ref().is_some_and(|c| c.action == "resolve_case" && c.outcome != Outcome::Pass))
            .map(|s| s.evidence.get("case_id").and_then(|v| v.as_str()).unwrap_or(&s.target).to_string())
            .collect()
    }
}

/// Reads journals from files and directories (every `*.json` below a directory). A file
/// that is not a journal names itself, the line and the column.
pub fn read(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Journal)>, String> {
    let mut files = Vec::new();
    for p in paths {
        collect(p, &mut files).map_err(|e| format!("cannot read journals {}: {e}", p.display()))?;
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = crate::read::text(&f, crate::read::Kind::Journal).map_err(|e| format!("cannot read {}", crate::read::describe(&f, crate::read::Kind::Journal, &e)))?;
        let j: Journal = serde_json::from_str(&text).map_err(|e| format!("{}:{}:{}: not a drill journal: {e}", f.display(), e.line(), e.column()))?;
        if j.schema_version != SCHEMA_VERSION {
            return Err(format!("{}: journal schema_version {} is not supported (expected {SCHEMA_VERSION})", f.display(), j.schema_version));
        }
        out.push((f, j));
    }
    Ok(out)
}

fn collect(p: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if p.is_dir() {
        for e in std::fs::read_dir(p)? {
            let e = e?.path();
            let hidden = e.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if e.is_dir() && !hidden {
                collect(&e, out)?;
            } else if !hidden && e.extension().is_some_and(|x| x == "json") {
                out.push(e);
            }
        }
        Ok(())
    } else {
        std::fs::metadata(p)?;
        out.push(p.to_path_buf());
        Ok(())
    }
}
