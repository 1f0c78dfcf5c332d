//! Drills: the model's process tests, run end to end. A dry run (the plan, nothing
//! touched) unless live; every run writes a journal that `check --journal` counts.
//!
//! A live run checks its window (unless forced), takes the model's lock, checks AWS Health
//! when asked, runs the steps within `max_duration`, and then always resolves every case it
//! opened — after a failure, a timeout or an interruption too.

#[cfg(feature = "aws")]
mod cleanup;
pub mod fetch;
pub mod journal;
pub mod ledger;
#[cfg(feature = "aws")]
mod live_aws;
mod run;
pub mod signals;
pub mod steps;
pub mod vendor;
pub mod window;

pub use run::{Finished, live};

use crate::facts::Facts;
use crate::model::{Drill, DrillStep, Model};
use journal::{Cleanup, Journal, Outcome, Step};
use serde_json::json;
use std::path::PathBuf;
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
    /// SIGINT/SIGTERM/SIGHUP during a live run: the first stops it, a second its cleanup.
    pub signals: signals::Signals,
    /// How long the cleanup may wait on AWS (`--cleanup-timeout`).
    pub cleanup_limit: Duration,
    /// `--tz`: the zone of times in messages.
    pub display_tz: jiff::tz::TimeZone,
    #[cfg(feature = "aws")]
    pub aws: crate::aws::Settings,
}

/// A step of the plan; `retrieve` lists become one step per artifact.
pub(crate) enum Planned<'m> {
    Case(&'m crate::model::VendorCaseRef),
    Sns(&'m str),
    Retrieve(&'m str),
    Probe(&'m crate::model::Probe),
}

pub(crate) fn plan(drill: &Drill) -> Vec<Planned<'_>> {
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

pub(crate) fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

pub(crate) fn journal(model: &Model, drill: &Drill, dry_run: bool, started: jiff::Timestamp) -> Journal {
    Journal {
        schema_version: journal::SCHEMA_VERSION,
        drill: drill.id.clone(),
        kind: drill.kind,
        model: model.name().to_string(),
        services: drill.services.clone(),
        dry_run,
        started_at: crate::model::Instant(started),
        finished_at: Some(crate::model::Instant(started)),
        outcome: Outcome::Pass,
        reason: None,
        interrupted: false,
        forced: false,
        write_ahead: false,
        steps: Vec::new(),
        cases: Vec::new(),
        swept: Vec::new(),
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
                    let body = if req.kind == crate::model::VendorKind::AwsSupport { vendor::with_token(&req.body, &vendor::token(&drill.id, opts.at)) } else { req.body.clone() };
                    s.evidence = json!({ "subject": req.subject, "severity": req.severity.as_str(), "body": body });
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

/// A planned step the run stopped before: aborted, with the reason.
pub(crate) fn not_run(model: &Model, p: &Planned, why: &str) -> Step {
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

pub(crate) fn first_problem(steps: &[Step]) -> Option<String> {
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

/// An external vendor's test case: the request is rendered and recorded; nothing is opened.
pub fn external_case(req: &vendor::CaseRequest) -> Step {
    let mut s = steps::step("vendor_case", &req.vendor);
    s.outcome = Outcome::Pass;
    s.message = Some(format!("request rendered and recorded; runready opens no case with external vendors (send it to {})", req.contact.as_deref().unwrap_or("the vendor")));
    s.evidence = json!({ "contact": req.contact, "subject": req.subject, "severity": req.severity.as_str(), "body": req.body });
    s.cleanup = Some(Cleanup { action: "none".into(), outcome: Outcome::Pass, message: None });
    s
}
