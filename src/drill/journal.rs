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
    /// `null` while the run is in progress: a journal left so died with its run (SIGKILL,
    /// OOM, power), and every case its ledger names as requested may be open.
    pub finished_at: Option<Instant>,
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
    /// Written ahead (v1.1): created before the first side effect and rewritten before and
    /// after every create call, so `cases` names every case the run opened or may have opened.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub write_ahead: bool,
    pub steps: Vec<Step>,
    /// The write-ahead ledger of the AWS Support cases this run asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<CaseRecord>,
    /// What this run did, before its steps, about cases earlier runs left open.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub swept: Vec<Sweep>,
}

/// Where a case request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// CreateCase is about to be sent or was sent with no answer yet (a run that died here
    /// may have opened the case).
    Requested,
    /// CreateCase failed in a way that says nothing was created (a refusal, no connection).
    NotOpened,
    /// CreateCase failed ambiguously and the case could not be looked up: it may be open.
    MayHaveOpened,
    /// The case is open (`case_id`); the run resolves it at its end.
    Opened,
    /// ResolveCase succeeded (or the case was found resolved).
    Resolved,
    /// ResolveCase failed or was cut short: the case is still open.
    LeftOpen,
}

/// One case request in the write-ahead ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseRecord {
    /// The index of the `vendor_case` step in `steps`.
    pub step: usize,
    pub vendor: String,
    /// The account the case is opened in (the credentials' account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub subject: String,
    /// The line in the case's body that tells this run's cases from others with the subject.
    pub token: String,
    pub requested_at: Instant,
    pub state: CaseState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// Every call about the case and its answer, in order (`CreateCase: timed out`,
    /// `DescribeCases: found case-…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<String>,
}

/// How a sweep of an earlier run's case ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SweepOutcome {
    /// ResolveCase succeeded.
    Resolved,
    /// AWS already shows the case resolved.
    AlreadyResolved,
    /// The case does not exist: a case the run may have opened was looked up and not
    /// found, or AWS answered ResolveCase with `CaseIdNotFound`.
    NotFound,
    /// The case could not be resolved or looked up: it may still be open.
    Failed,
}

/// What a run did about a case an earlier run left open or may have opened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    /// The earlier run: its drill and start.
    pub drill: String,
    pub run_started_at: Instant,
    /// The case, when it is known or was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    pub outcome: SweepOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Journal {
    /// `<drill-id>-<start instant>.json`, with the instant's colons made file-name safe and
    /// its fraction of a second kept (`pt-2026-12-01T15-40-00.123456789Z.json`).
    pub fn file_name(&self) -> String {
        format!("{}-{}.json", self.drill, self.started_at.0.strftime("%Y-%m-%dT%H-%M-%S%.fZ"))
    }

    fn text(&self) -> String {
        serde_json::to_string_pretty(self).expect("journals serialise") + "\n"
    }

    /// Creates the journal's file in `dir`, exclusively: a run never replaces another's
    /// journal (a second run with the same name gets `-2`, `-3`, …). Durable on return.
    pub fn create(&self, dir: &Path) -> Result<File, String> {
        use std::io::Write;
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let name = self.file_name();
        let stem = name.trim_end_matches(".json");
        for n in 1..=1000 {
            let path = if n == 1 { dir.join(&name) } else { dir.join(format!("{stem}-{n}.json")) };
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    let written = f.write_all(self.text().as_bytes()).and_then(|_| f.sync_all()).and_then(|_| crate::atomic::sync_dir(dir));
                    if let Err(e) = written {
                        // Never leave half a journal behind.
                        let _ = std::fs::remove_file(&path);
                        return Err(format!("cannot write {}: {e}", path.display()));
                    }
                    return Ok(File { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
            }
        }
        Err(format!("cannot create a journal for {name} in {}: 1000 journals of that name exist", dir.display()))
    }

    /// Writes the journal as a new file in `dir` (dry runs, and runs that end before their
    /// first side effect); returns its path.
    pub fn write(&self, dir: &Path) -> Result<PathBuf, String> {
        self.create(dir).map(|f| f.path)
    }

    /// The run as `drill pt started 2026-12-01T15:40:00Z`, how messages name it.
    pub fn run_name(&self) -> String {
        format!("drill {} started {}", self.drill, self.started_at)
    }

    /// Cases this run opened, or may have opened, that it did not resolve: their ids, or
    /// `a case it may have opened` for a request whose answer is unknown.
    pub fn left_open(&self) -> Vec<String> {
        super::ledger::unresolved(&[self], |_| false).into_iter().map(|u| u.case_id.unwrap_or_else(|| "(a case it may have opened)".into())).collect()
    }
}

/// A journal's file, rewritten atomically and durably (the temporary file and the directory
/// are synced) by [`File::save`].
#[derive(Debug)]
pub struct File {
    pub path: PathBuf,
}

impl File {
    pub fn save(&self, journal: &Journal) -> Result<(), String> {
        crate::atomic::write_atomic(&self.path, &journal.text()).map_err(|e| format!("cannot write {}: {e}", self.path.display()))
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

/// The journals in `dir` that can be read, skipping any that cannot (what a live run sweeps:
/// a damaged file must not stop it from cleaning up after the others).
pub fn read_dir_lenient(dir: &Path) -> Vec<Journal> {
    let mut files = Vec::new();
    if collect(dir, &mut files).is_err() {
        return Vec::new();
    }
    files
        .into_iter()
        .filter_map(|f| crate::read::text(&f, crate::read::Kind::Journal).ok())
        .filter_map(|t| serde_json::from_str::<Journal>(&t).ok())
        .filter(|j| j.schema_version == SCHEMA_VERSION)
        .collect()
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
