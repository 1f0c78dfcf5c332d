//! `retrieve` and `probe` steps: bytes from production within `max_retrieval`, redacted
//! before anything is stored; an HTTP status or an exit code against its expectation.

use super::fetch::{self, FetchError};
use super::journal::{Outcome, Step};
use crate::model::{Artifact, Probe};
use serde_json::json;
use sha2::Digest;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// The default `max_retrieval` of an artifact that names none.
pub const DEFAULT_RETRIEVAL: Duration = Duration::from_secs(300);
/// How long a probe may take when the drill's remaining time allows more.
pub const PROBE_LIMIT: Duration = Duration::from_secs(30);

pub fn step(kind: &str, target: &str) -> Step {
    Step { kind: kind.into(), target: target.into(), outcome: Outcome::Planned, started_at: None, duration_ms: 0, message: None, evidence: serde_json::Value::Null, cleanup: None }
}

/// Where an artifact comes from, for plans and evidence.
pub fn source(a: &Artifact) -> String {
    match &a.retrieve {
        Some(r) if r.command.is_some() => format!("command `{}`", r.command.as_deref().unwrap_or_default()),
        Some(r) if r.http.is_some() => format!("GET {}", r.http.as_ref().map(|h| h.url.as_str()).unwrap_or_default()),
        Some(r) if r.file.is_some() => format!("file {}", r.file.as_deref().unwrap_or_default()),
        _ => "nothing (no `retrieve`)".into(),
    }
}

pub fn retrieval_limit(a: &Artifact) -> Duration {
    a.max_retrieval.map(|d| Duration::from_secs(d.as_secs().max(0) as u64)).unwrap_or(DEFAULT_RETRIEVAL)
}

/// What every retrieve step records of its artifact, run or not: environment, source and
/// the time limit it is measured against (so that reports need nothing but the journal).
pub fn retrieval_evidence(a: &Artifact) -> serde_json::Value {
    json!({ "environment": a.environment, "source": source(a), "max_retrieval_ms": retrieval_limit(a).as_millis() as u64 })
}

/// Retrieves one artifact: fails on an error, a timeout or empty content; records size,
/// sha256 and redactions of the redacted content, and keeps it only in `keep`.
pub fn retrieve(id: &str, a: &Artifact, budget: Duration, stop: &AtomicBool, keep: Option<&Path>) -> Step {
    let mut s = step("retrieve", id);
    let own = retrieval_limit(a);
    let limit = own.min(budget);
    let t0 = std::time::Instant::now();
    let got: Result<Vec<u8>, FetchError> = match &a.retrieve {
        Some(r) if r.command.is_some() => fetch::command(r.command.as_deref().unwrap_or_default(), limit, stop).and_then(|o| match o.code {
            Some(0) => Ok(o.stdout),
            code => Err(FetchError::Failed(format!(
                "the command exited with {}{}",
                code.map(|c| c.to_string()).unwrap_or_else(|| "a signal".into()),
                if o.stderr_tail.is_empty() { String::new() } else { format!(": {}", o.stderr_tail) }
            ))),
        }),
        Some(r) if r.http.is_some() => {
            let url = &r.http.as_ref().expect("checked").url;
            fetch::http_get(url, limit)
                .map_err(|e| match e {
                    FetchError::Failed(m) => FetchError::Failed(format!("GET {url}: {m}")),
                    other => other,
                })
                .and_then(|(status, body)| if (200..300).contains(&status) { Ok(body) } else { Err(FetchError::Failed(format!("GET {url} answered HTTP {status}"))) })
        }
        Some(r) if r.file.is_some() => fetch::file(r.file.as_deref().unwrap_or_default(), limit),
        _ => Err(FetchError::Failed("the artifact has no `retrieve` (ART-001)".into())),
    };
    s.duration_ms = t0.elapsed().as_millis() as u64;
    let mut evidence = retrieval_evidence(a);
    match got {
        Err(e) => {
            s.outcome = if matches!(e, FetchError::Interrupted) || (matches!(e, FetchError::Timeout(_)) && limit < own) { Outcome::Aborted } else { Outcome::Fail };
            s.message = Some(match e {
                FetchError::Timeout(_) if limit < own => format!("stopped at the drill's max_duration after {}", crate::model::human_secs(limit.as_secs() as i64)),
                FetchError::Timeout(_) => format!("not retrieved within max_retrieval {}: the command's process group was killed", crate::model::human_secs(own.as_secs() as i64)),
                other => other.to_string(),
            });
        }
        Ok(raw) if raw.iter().all(|b| b.is_ascii_whitespace()) => {
            s.outcome = Outcome::Fail;
            s.message = Some("the artifact is empty".into());
            evidence["bytes"] = json!(raw.len());
        }
        Ok(raw) => {
            let (clean, redactions) = redact(&raw, &a.redact);
            evidence["bytes"] = json!(raw.len());
            evidence["sha256"] = json!(hex(&sha2::Sha256::digest(&clean)));
            evidence["redactions"] = json!(redactions);
            s.outcome = Outcome::Pass;
            if let Some(dir) = keep {
                let path = dir.join(id);
                match std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&path, &clean)) {
                    Ok(()) => evidence["kept"] = json!(path.display().to_string()),
                    Err(e) => s.message = Some(format!("retrieved, but not kept: {e}")),
                }
            }
        }
    }
    s.evidence = evidence;
    s
}

/// Masks every match of the artifact's `redact` patterns (validated at load) with
/// `[REDACTED]`; returns the content and the number of masks.
pub fn redact(raw: &[u8], patterns: &[String]) -> (Vec<u8>, usize) {
    let mut text = raw.to_vec();
    let mut count = 0;
    for p in patterns {
        let Ok(re) = regex::bytes::Regex::new(p) else { continue };
        count += re.find_iter(&text).count();
        text = re.replace_all(&text, &b"[REDACTED]"[..]).into_owned();
    }
    (text, count)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a probe checks, for plans and targets.
pub fn probe_target(p: &Probe) -> String {
    match (&p.http, &p.command) {
        (Some(h), _) => format!("GET {} = {}", h.url, h.expect_status.unwrap_or(200)),
        (None, Some(c)) => format!("`{c}` exits {}", p.expect_exit.unwrap_or(0)),
        (None, None) => "nothing".into(),
    }
}

pub fn probe(p: &Probe, budget: Duration, stop: &AtomicBool) -> Step {
    let mut s = step("probe", &probe_target(p));
    let limit = PROBE_LIMIT.min(budget);
    let t0 = std::time::Instant::now();
    let (outcome, message, evidence) = match (&p.http, &p.command) {
        (Some(h), _) => {
            let want = h.expect_status.unwrap_or(200);
            match fetch::http_get(&h.url, limit) {
                Ok((status, _)) if status == want => (Outcome::Pass, None, json!({ "status": status })),
                Ok((status, _)) => (Outcome::Fail, Some(format!("GET {} answered {status}, expected {want}", h.url)), json!({ "status": status })),
                Err(FetchError::Timeout(_)) if limit < PROBE_LIMIT => {
                    (Outcome::Aborted, Some(format!("stopped at the drill's max_duration after {}", crate::model::human_secs(limit.as_secs() as i64))), serde_json::Value::Null)
                }
                Err(e) => (Outcome::Fail, Some(format!("GET {}: {e}", h.url)), serde_json::Value::Null),
            }
        }
        (None, Some(c)) => {
            let want = p.expect_exit.unwrap_or(0);
            match fetch::command(c, limit, stop) {
                Ok(o) if o.code == Some(want) => (Outcome::Pass, None, json!({ "exit_code": o.code })),
                Ok(o) => (Outcome::Fail, Some(format!("exited with {:?}, expected {want}", o.code)), json!({ "exit_code": o.code })),
                Err(FetchError::Interrupted) => (Outcome::Aborted, Some("interrupted".into()), serde_json::Value::Null),
                Err(FetchError::Timeout(_)) if limit < PROBE_LIMIT => {
                    (Outcome::Aborted, Some(format!("stopped at the drill's max_duration after {}", crate::model::human_secs(limit.as_secs() as i64))), serde_json::Value::Null)
                }
                Err(e) => (Outcome::Fail, Some(e.to_string()), serde_json::Value::Null),
            }
        }
        (None, None) => (Outcome::Error, Some("the probe names neither `http` nor `command`".into()), serde_json::Value::Null),
    };
    s.duration_ms = t0.elapsed().as_millis() as u64;
    s.outcome = outcome;
    s.message = message;
    s.evidence = evidence;
    s
}
