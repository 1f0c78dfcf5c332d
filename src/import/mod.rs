//! `runready import pagerduty` (paging.md, "Import"): PagerDuty's services, escalation
//! policies, schedules and users as a model fragment, checked against PagerDuty's own
//! rendered final schedules (the answer key).

pub mod check;
pub mod client;
pub mod emit;
mod layers;
pub mod map;
mod read;

use client::{ApiError, Client};
use serde_json::Value;
use std::path::PathBuf;

/// What to import and where.
pub struct Options {
    pub api_url: String,
    pub token_env: String,
    pub schedules: Vec<String>,
    pub escalation_policies: Vec<String>,
    pub services: Vec<String>,
    pub teams: Vec<String>,
    pub at: jiff::Timestamp,
    pub horizon: crate::model::Duration,
    pub fallback: Option<String>,
    pub out: PathBuf,
    /// Draw a progress line on stderr (a terminal only).
    pub progress: bool,
    /// Per request (`--timeout`).
    pub timeout: std::time::Duration,
    /// Requests in flight at once (`--concurrency`).
    pub concurrency: usize,
}

/// What an import did.
pub struct Outcome {
    pub written: Vec<PathBuf>,
    pub warnings: Vec<String>,
    /// Schedules compared with PagerDuty's rendering, and the disagreements found.
    pub schedules: usize,
    pub disagreements: usize,
}

/// Why an import could not finish: the API (exit 3) or the output (exit 2).
#[derive(Debug)]
pub enum Failure {
    Api(ApiError),
    Output(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Failure::Api(e) => write!(f, "{e}"),
            Failure::Output(e) => f.write_str(e),
        }
    }
}

/// Imports, writes `pagerduty.yaml`, `pagerduty-services.yaml.example` and
/// `pagerduty-check.json` into `opts.out`.
pub fn pagerduty(opts: &Options) -> Result<Outcome, Failure> {
    let token = std::env::var(&opts.token_env)
        .ok()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| Failure::Api(ApiError(format!("no PagerDuty token: set {} to a REST API key (runready never takes a token as a flag)", opts.token_env))))?;
    let client = Client::new(&opts.api_url, token, opts.timeout);
    let until = opts.at.checked_add(jiff::SignedDuration::from_secs(opts.horizon.as_secs())).map_err(|e| Failure::Output(format!("--horizon: {e}")))?;
    let data = read::everything(&client, opts, until).map_err(Failure::Api)?;
    let built = read::build(&data, opts);
    let header = format!(
        "# Written by runready import pagerduty from {} as of {} (horizon {}).\n# Re-run the import instead of editing this file; copy services from pagerduty-services.yaml.example.\n",
        opts.api_url, opts.at, opts.horizon
    );
    let text = format!("{header}apiVersion: runready.dev/v1\nkind: SupportModel\n{}", emit::document(&built.fragment));
    let services = format!(
        "# Services as PagerDuty has them: copy these entries into your model's `services` and add\n# tier, severities, vendors, runbooks and artifacts, which PagerDuty does not know.\nservices:\n{}",
        emit::document(&serde_json::json!({ "x": built.services })).trim_start_matches("x:\n")
    );
    let key = check::compare(&text, &data, &built, opts.at, until).map_err(Failure::Output)?;
    let report = serde_json::to_string_pretty(&key.json).expect("serialises") + "\n";
    let mut written = Vec::new();
    for (name, body) in [("pagerduty.yaml", &text), ("pagerduty-services.yaml.example", &services), ("pagerduty-check.json", &report)] {
        let path = opts.out.join(name);
        crate::atomic::write_atomic(&path, body).map_err(|e| Failure::Output(format!("cannot write {}: {e}", path.display())))?;
        written.push(path);
    }
    Ok(Outcome { written, warnings: built.warnings, schedules: key.schedules, disagreements: key.disagreements })
}

/// A PagerDuty object's id, or the empty string.
fn pd_id(v: &Value) -> &str {
    v.get("id").and_then(Value::as_str).unwrap_or("")
}

fn name_of(v: &Value) -> &str {
    v.get("name").or_else(|| v.get("summary")).and_then(Value::as_str).unwrap_or_else(|| pd_id(v))
}
