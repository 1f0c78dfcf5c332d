//! Drills: the model's process tests, run end to end. A dry run (the plan, nothing
//! touched) unless live; every run writes a journal that `check --journal` counts.
//!
//! A live run checks its window (unless forced), takes the model's lock, checks AWS Health
//! when asked, runs the steps within `max_duration`, and then always resolves every case it
//! opened — after a failure, a timeout or an interruption too.

pub mod fetch;
pub mod journal;
#[cfg(feature = "aws")]
mod live_aws;
pub mod steps;
pub mod vendor;
pub mod window;

use crate::facts::Facts;
use crate::model::{Drill, DrillStep, Model};
use journal::{Cleanup, Journal, Outcome, Step};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How to run.
pub struct Options {
    pub live: bool,
    /// Run outside the window.
    pub force: bool,
    /// The instant a dry run plans for (live runs use the clock).
    pub at: jiff::Timestamp,
    pub journal_dir: PathBuf,
    pub keep_artifacts: bool,
    /// Facts a dry run checks the Health safety against.
    pub facts: Option<Facts>,
    /// Set by SIGINT/SIGTERM during a live run.
    pub stop: Arc<AtomicBool>,
    /// `--tz`: the zone of times in messages.
    pub display_tz: jiff::tz::TimeZone,
    #[cfg(feature = "aws")]
    pub aws: crate::aws::Settings,
}

/// A step of the plan; `retrieve` lists become one step per artifact.
enum Planned<'m> {
    Case(&'m crate::model::VendorCaseRef),
    Sns(&'m str),
    Retrieve(&'m str),
    Probe(&'m crate::model::Probe),
}

fn plan(drill: &Drill) -> Vec<Planned<'_>> {
    let mut out = Vec::new();
    for s in &drill.steps {
        match s {
            DrillStep::VendorCase(v) => out.push(Planned::Case(v)),
            DrillStep::SnsPublish(p) => out.push(Planned::Sns(&p.topic)),
            DrillStep::Retrieve(ids) => out.extend(ids.iter().map(|i| Planned::Retrieve(i))),
            DrillStep::Probe(p) => out.push(Planned::Probe(p)),
        }
    }
    out
}

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

fn journal(model: &Model, drill: &Drill, dry_run: bool, started: jiff::Timestamp) -> Journal {
    Journal {
        schema_version: journal::SCHEMA_VERSION,
        drill: drill.id.clone(),
        kind: drill.kind,
        model: model.name().to_string(),
        services: drill.services.clone(),
        dry_run,
        started_at: crate::model::Instant(started),
        finished_at: crate::model::Instant(started),
        outcome: Outcome::Pass,
        reason: None,
        interrupted: false,
        forced: false,
        steps: Vec::new(),
    }
}

/// The plan: what each step would do and clean up, whether the window is open at `--at`,
/// and whether the Health safety would stop it (from `--facts`, when given).
pub fn dry_run(model: &Model, drill: &Drill, opts: &Options) -> Journal {
    let mut j = journal(model, drill, true, opts.at);
    let mut invalid = Vec::new();
    for p in plan(drill) {
        let s = match p {
            Planned::Case(v) => match vendor::request(model, drill, v) {
                Ok(req) => {
                    let mut s = steps::step("vendor_case", &v.vendor);
                    let what = match req.kind {
                        crate::model::VendorKind::AwsSupport => {
                            format!("would open an AWS Support case \"{}\" (severity {}) in account {} and resolve it afterwards", req.subject, req.severity.as_str(), req.accounts.join(" or "))
                        }
                        crate::model::VendorKind::External => format!("would render the request for {} and record it (no case is opened)", req.contact.as_deref().unwrap_or(&req.vendor)),
                    };
                    s.message = Some(what);
                    s.evidence = json!({ "subject": req.subject, "severity": req.severity.as_str(), "body": req.body });
                    s.cleanup =
                        Some(Cleanup { action: if req.kind == crate::model::VendorKind::AwsSupport { "resolve_case".into() } else { "none".into() }, outcome: Outcome::Planned, message: None });
                    s
                }
                Err(e) => {
                    invalid.push(e.clone());
                    let mut s = steps::step("vendor_case", &v.vendor);
                    s.outcome = Outcome::Error;
                    s.message = Some(e);
                    s
                }
            },
            Planned::Sns(topic) => {
                let mut s = steps::step("sns_publish", topic);
                s.message = Some("would publish a test notification".into());
                s
            }
            Planned::Retrieve(id) => {
                let mut s = steps::step("retrieve", id);
                match model.artifacts.get(id) {
                    Some(a) => {
                        s.message = Some(format!("would retrieve from {} within {}", steps::source(a), crate::model::human_secs(steps::retrieval_limit(a).as_secs() as i64)));
                        s.evidence = steps::retrieval_evidence(a);
                    }
                    None => {
                        s.outcome = Outcome::Error;
                        s.message = Some(format!("artifact `{id}` does not exist (SM-001)"));
                        invalid.push(s.message.clone().unwrap_or_default());
                    }
                }
                s
            }
            Planned::Probe(p) => {
                let mut s = steps::step("probe", &steps::probe_target(p));
                s.message = Some(format!("would check {}", steps::probe_target(p)));
                s
            }
        };
        j.steps.push(s);
    }
    let mut notes = Vec::new();
    if let Some(why) = window::closed(model, drill, opts.at, &opts.display_tz) {
        notes.push(format!("a live run now would not start: {why}{}", if opts.force { " (--force overrides)" } else { "" }));
    }
    if drill.safety.as_ref().is_some_and(|s| s.stop_if_open_health_issue) {
        notes.push(match &opts.facts {
            Some(f) => match open_issues(model, drill, f, opts.at) {
                Ok(open) if open.is_empty() => "AWS Health (from --facts): no open issue for the drill's services".into(),
                Ok(open) => format!("AWS Health (from --facts): a live run would stop, open issue {}", open.join(", ")),
                Err(e) => format!("AWS Health (from --facts): {e}"),
            },
            None => "a live run checks AWS Health first".into(),
        });
    }
    if invalid.is_empty() {
        j.outcome = Outcome::Pass;
        j.reason = (!notes.is_empty()).then(|| notes.join("; "));
    } else {
        j.outcome = Outcome::Error;
        j.reason = Some(invalid.join("; "));
    }
    j
}

/// Open Health issues for the drill's services at `at`; an error when Health could not be read.
pub fn open_issues(model: &Model, drill: &Drill, facts: &Facts, at: jiff::Timestamp) -> Result<Vec<String>, String> {
    let mut open = Vec::new();
    for scope in drill.services.iter().filter_map(|id| model.service(id)).filter_map(|s| s.aws.as_ref()) {
        for a in &scope.accounts {
            match facts.source(crate::facts::SourceKind::Health, a) {
                Some(s) if s.status == crate::facts::SourceStatus::Ok => {}
                Some(s) => return Err(format!("AWS Health could not be checked for account {a}: {}", s.message.as_deref().unwrap_or("unavailable"))),
                None => return Err(format!("no AWS Health facts for account {a}")),
            }
        }
        open.extend(facts.events_for(scope, "issue").into_iter().filter(|e| e.open_at(at)).map(|e| format!("{} ({})", e.event_type_code, e.arn)));
    }
    open.sort();
    open.dedup();
    Ok(open)
}

/// A live run. Never panics on a step: every problem is a step outcome with its reason.
pub fn live(model: &Model, drill: &Drill, opts: &Options) -> Journal {
    let started = now();
    let mut j = journal(model, drill, false, started);
    j.forced = opts.force;
    let finish = |mut j: Journal, outcome: Outcome, reason: Option<String>| {
        j.outcome = outcome;
        j.reason = reason;
        j.finished_at = crate::model::Instant(now());
        j
    };
    if let Some(why) = window::closed(model, drill, started, &opts.display_tz).filter(|_| !opts.force) {
        return finish(j, Outcome::Aborted, Some(format!("not started: {why} (--force runs it anyway)")));
    }
    let _lock = match window::lock(&opts.journal_dir, model.name()) {
        Ok(l) => l,
        Err(e) => return finish(j, Outcome::Error, Some(e)),
    };
    if drill.safety.as_ref().is_some_and(|s| s.stop_if_open_health_issue) {
        match health_now(model, drill, opts) {
            Ok(open) if open.is_empty() => {}
            Ok(open) => return finish(j, Outcome::Aborted, Some(format!("not started: open AWS Health issue {}", open.join(", ")))),
            Err(e) => return finish(j, Outcome::Error, Some(format!("not started: {e}"))),
        }
    }
    let max = Duration::from_secs(window::max_duration(drill).as_secs().max(1) as u64);
    let deadline = std::time::Instant::now() + max;
    let keep = opts.keep_artifacts.then(|| opts.journal_dir.join(format!("{}-{}", drill.id, started.strftime("%Y-%m-%dT%H-%M-%SZ"))));
    let mut runner = Runner::new(opts);
    let mut stopped: Option<(String, bool)> = None;
    for p in plan(drill) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if stopped.is_none() && opts.stop.load(Ordering::SeqCst) {
            stopped = Some(("interrupted".into(), true));
        }
        if stopped.is_none() && left.is_zero() {
            stopped = Some((format!("max_duration {} reached", window::max_duration(drill)), false));
        }
        let at = crate::model::Instant(now());
        let mut s = match (&stopped, p) {
            (Some((why, _)), p) => not_run(model, &p, why),
            (None, Planned::Retrieve(id)) => match model.artifacts.get(id) {
                Some(a) => steps::retrieve(id, a, left, &opts.stop, keep.as_deref()),
                None => error_step("retrieve", id, format!("artifact `{id}` does not exist (SM-001)")),
            },
            (None, Planned::Probe(pr)) => steps::probe(pr, left, &opts.stop),
            (None, Planned::Case(v)) => runner.vendor_case(model, drill, v, j.steps.len()),
            (None, Planned::Sns(topic)) => runner.sns(drill, topic),
        };
        if s.started_at.is_none() && stopped.is_none() {
            s.started_at = Some(at);
        }
        if stopped.is_none() && s.outcome == Outcome::Aborted {
            let interrupted = opts.stop.load(Ordering::SeqCst);
            stopped = Some((if interrupted { "interrupted".into() } else { format!("max_duration {} reached", window::max_duration(drill)) }, interrupted));
        }
        j.steps.push(s);
    }
    // Always: whatever happened above, every case opened is resolved now.
    runner.clean_up(&mut j.steps);
    let left_open = j.left_open();
    let (outcome, reason) = if let Some((why, interrupted)) = &stopped {
        j.interrupted = *interrupted;
        (Outcome::Aborted, Some(format!("{why}; {}", cleaned(&j.steps, &left_open))))
    } else if j.steps.iter().any(|s| s.outcome == Outcome::Error) {
        (Outcome::Error, first_problem(&j.steps))
    } else if j.steps.iter().any(|s| s.outcome == Outcome::Fail) || !left_open.is_empty() {
        (Outcome::Fail, first_problem(&j.steps).or_else(|| Some(format!("left open: {}", left_open.join(", ")))))
    } else {
        (Outcome::Pass, None)
    };
    finish(j, outcome, reason)
}

/// A planned step the run stopped before: aborted, with the reason.
fn not_run(model: &Model, p: &Planned, why: &str) -> Step {
    let (kind, target) = describe(p);
    let mut s = steps::step(kind, &target);
    s.outcome = Outcome::Aborted;
    s.message = Some(format!("not run: {why}"));
    if let Planned::Retrieve(id) = p
        && let Some(a) = model.artifacts.get(*id)
    {
        s.evidence = steps::retrieval_evidence(a);
    }
    s
}

fn cleaned(steps: &[Step], left_open: &[String]) -> String {
    let resolved: Vec<String> = steps
        .iter()
        .filter(|s| s.cleanup.as_ref().is_some_and(|c| c.action == "resolve_case" && c.outcome == Outcome::Pass))
        .filter_map(|s| s.evidence.get("case_id").and_then(|v| v.as_str()).map(str::to_string))
        .collect();
    match (resolved.is_empty(), left_open.is_empty()) {
        (true, true) => "nothing to clean up".into(),
        (false, true) => format!("cleaned up: resolved case {}", resolved.join(", ")),
        (_, false) => format!("cleaned up what it could; LEFT OPEN: case {}", left_open.join(", ")),
    }
}

fn first_problem(steps: &[Step]) -> Option<String> {
    steps.iter().find(|s| matches!(s.outcome, Outcome::Fail | Outcome::Error)).map(|s| format!("{} {}: {}", s.kind, s.target, s.message.as_deref().unwrap_or("failed")))
}

fn describe(p: &Planned) -> (&'static str, String) {
    match p {
        Planned::Case(v) => ("vendor_case", v.vendor.clone()),
        Planned::Sns(t) => ("sns_publish", t.to_string()),
        Planned::Retrieve(id) => ("retrieve", id.to_string()),
        Planned::Probe(pr) => ("probe", steps::probe_target(pr)),
    }
}

pub fn error_step(kind: &str, target: &str, why: String) -> Step {
    let mut s = steps::step(kind, target);
    s.outcome = Outcome::Error;
    s.message = Some(why);
    s
}

#[cfg(feature = "aws")]
use live_aws::{Runner, health_now};

#[cfg(not(feature = "aws"))]
fn health_now(_model: &Model, _drill: &Drill, _opts: &Options) -> Result<Vec<String>, String> {
    Err(crate::commands::facts::NO_AWS.into())
}

/// Without the `aws` feature: external vendors still render their request; AWS steps cannot run.
#[cfg(not(feature = "aws"))]
struct Runner;

#[cfg(not(feature = "aws"))]
impl Runner {
    fn new(_opts: &Options) -> Runner {
        Runner
    }

    fn vendor_case(&mut self, model: &Model, drill: &Drill, v: &crate::model::VendorCaseRef, _index: usize) -> Step {
        match vendor::request(model, drill, v) {
            Ok(req) if req.kind == crate::model::VendorKind::External => external_case(&req),
            Ok(_) => error_step("vendor_case", &v.vendor, crate::commands::facts::NO_AWS.into()),
            Err(e) => error_step("vendor_case", &v.vendor, e),
        }
    }

    fn sns(&mut self, _drill: &Drill, topic: &str) -> Step {
        error_step("sns_publish", topic, crate::commands::facts::NO_AWS.into())
    }

    fn clean_up(&mut self, _steps: &mut [Step]) {}
}

/// An external vendor's test case: the request is rendered and recorded; nothing is opened.
pub fn external_case(req: &vendor::CaseRequest) -> Step {
    let mut s = steps::step("vendor_case", &req.vendor);
    s.outcome = Outcome::Pass;
    s.message = Some(format!("request rendered and recorded; runready opens no case with external vendors (send it to {})", req.contact.as_deref().unwrap_or("the vendor")));
    s.evidence = json!({ "contact": req.contact, "subject": req.subject, "severity": req.severity.as_str(), "body": req.body });
    s.cleanup = Some(Cleanup { action: "none".into(), outcome: Outcome::Pass, message: None });
    s
}
