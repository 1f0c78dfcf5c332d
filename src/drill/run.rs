//! A live run, written ahead (cli.md, "Write-ahead"): the journal exists before the first
//! side effect and is rewritten, durably, before and after every call that creates
//! something and after every step. A run that dies leaves `finished_at: null` and every case
//! it opened or may have opened; a run whose journal cannot be written stops, resolves what
//! it opened and ends in `error`.

#[cfg(not(feature = "aws"))]
use super::journal::Step;
use super::journal::{self, CaseState, Journal, Outcome};
use super::{Options, Planned, error_step, first_problem, not_run, now, plan, steps, window};
use crate::model::{Drill, Model};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// What a journal says while its run is in progress (and forever, if the run died).
pub const IN_PROGRESS: &str = "in progress; if the run is not running any more, it died before it finished: its cases are listed in `cases`";

/// The journal of a run in progress and its file.
pub struct Run {
    pub journal: Journal,
    file: Option<journal::File>,
    /// The first failure to write the journal: the run stops and ends in `error`.
    pub write_error: Option<String>,
}

impl Run {
    /// Rewrites the journal; `false` (and the error kept) when it could not be written.
    pub fn save(&mut self) -> bool {
        let Some(f) = &self.file else { return false };
        match f.save(&self.journal) {
            Ok(()) => true,
            Err(e) => {
                self.write_error.get_or_insert(e);
                false
            }
        }
    }

    /// The line that marks this run's cases.
    #[cfg_attr(not(feature = "aws"), allow(dead_code))]
    pub fn token(&self) -> String {
        super::vendor::token(&self.journal.drill, self.journal.started_at.0)
    }

    #[cfg_attr(not(feature = "aws"), allow(dead_code))]
    pub fn case(&mut self, i: usize) -> &mut journal::CaseRecord {
        &mut self.journal.cases[i]
    }
}

/// A finished live run: its journal, where it was written, and why it could not be, if so.
pub struct Finished {
    pub journal: Journal,
    pub path: Option<PathBuf>,
    pub write_error: Option<String>,
}

/// A live run. Never panics on a step: every problem is a step outcome with its reason.
pub fn live(model: &Model, drill: &Drill, opts: &Options) -> Finished {
    let started = now();
    let mut j = super::journal(model, drill, false, started);
    j.forced = opts.force;
    j.write_ahead = true;
    j.finished_at = None;
    j.outcome = Outcome::Error;
    j.reason = Some(IN_PROGRESS.into());
    let mut run = match j.create(&opts.journal_dir) {
        Ok(file) => Run { journal: j, file: Some(file), write_error: None },
        Err(e) => {
            // Nothing was touched: without a journal the run does not start.
            j.finished_at = Some(crate::model::Instant(now()));
            j.reason = Some(format!("not started: the journal could not be created before the first side effect: {e}"));
            return Finished { journal: j, path: None, write_error: Some(e) };
        }
    };
    if let Some(why) = window::closed(model, drill, started, &opts.display_tz).filter(|_| !opts.force) {
        return finish(run, Outcome::Aborted, Some(format!("not started: {why} (--force runs it anyway)")));
    }
    let _lock = match window::lock(&opts.journal_dir, model.name()) {
        Ok(l) => l,
        Err(e) => return finish(run, Outcome::Error, Some(e)),
    };
    let mut runner = Runner::new(opts);
    // First, what earlier runs left open (recorded in `swept`).
    runner.sweep(model, &mut run, opts);
    if drill.safety.as_ref().is_some_and(|s| s.stop_if_open_health_issue) {
        match health_now(model, drill, opts) {
            Ok(open) if open.is_empty() => {}
            Ok(open) => return finish(run, Outcome::Aborted, Some(format!("not started: open AWS Health issue {}", open.join(", ")))),
            Err(e) => return finish(run, Outcome::Error, Some(format!("not started: {e}"))),
        }
    }
    let stopped = steps_of(model, drill, opts, &mut runner, &mut run);
    // Always: whatever happened above, every case opened is resolved now.
    runner.clean_up(&mut run, opts);
    let left_open = run.journal.left_open();
    let (outcome, reason) = if let Some(e) = run.write_error.clone() {
        (Outcome::Error, Some(format!("the journal could not be written ({e}); {}", cleaned(&run.journal, &left_open))))
    } else if let Some((why, interrupted)) = &stopped {
        run.journal.interrupted = *interrupted;
        (Outcome::Aborted, Some(format!("{why}; {}", cleaned(&run.journal, &left_open))))
    } else if run.journal.steps.iter().any(|s| s.outcome == Outcome::Error) {
        (Outcome::Error, first_problem(&run.journal.steps))
    } else if run.journal.steps.iter().any(|s| s.outcome == Outcome::Fail) || !left_open.is_empty() {
        (Outcome::Fail, first_problem(&run.journal.steps).or_else(|| Some(format!("left open: {}", left_open.join(", ")))))
    } else {
        (Outcome::Pass, None)
    };
    finish(run, outcome, reason)
}

/// Runs the steps in order until one stops the run; returns why it stopped, if it did, and
/// whether that was an interruption.
fn steps_of(model: &Model, drill: &Drill, opts: &Options, runner: &mut Runner, run: &mut Run) -> Option<(String, bool)> {
    let max = Duration::from_secs(window::max_duration(drill).as_secs().max(1) as u64);
    let deadline = std::time::Instant::now() + max;
    let started = run.journal.started_at.0;
    let keep = opts.keep_artifacts.then(|| opts.journal_dir.join(format!("{}-{}", drill.id, started.strftime("%Y-%m-%dT%H-%M-%S%.fZ"))));
    let stop = &opts.signals.stop;
    let mut stopped: Option<(String, bool)> = None;
    for p in plan(drill) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if stopped.is_none() && stop.load(Ordering::SeqCst) {
            stopped = Some(("interrupted".into(), true));
        }
        if stopped.is_none() && left.is_zero() {
            stopped = Some((format!("max_duration {} reached", window::max_duration(drill)), false));
        }
        let at = crate::model::Instant(now());
        let mut s = match (&stopped, p) {
            (Some((why, _)), p) => not_run(model, &p, why),
            (None, Planned::Retrieve(id)) => match model.artifacts.get(id) {
                Some(a) => steps::retrieve(id, a, left, stop, keep.as_deref()),
                None => error_step("retrieve", id, format!("artifact `{id}` does not exist (SM-001)")),
            },
            (None, Planned::Probe(pr)) => steps::probe(pr, left, stop),
            (None, Planned::Case(v)) => runner.vendor_case(model, drill, v, run),
            (None, Planned::Sns(topic)) => runner.sns(drill, topic, run),
        };
        if s.started_at.is_none() && stopped.is_none() {
            s.started_at = Some(at);
        }
        if stopped.is_none() && s.outcome == Outcome::Aborted {
            let interrupted = stop.load(Ordering::SeqCst);
            stopped = Some((if interrupted { "interrupted".into() } else { format!("max_duration {} reached", window::max_duration(drill)) }, interrupted));
        }
        run.journal.steps.push(s);
        if !run.save() && stopped.is_none() {
            stopped = Some(("stopped: the journal could not be written".into(), false));
        }
    }
    stopped
}

fn finish(mut run: Run, outcome: Outcome, reason: Option<String>) -> Finished {
    run.journal.outcome = outcome;
    run.journal.reason = reason;
    run.journal.finished_at = Some(crate::model::Instant(now()));
    let had_error = run.write_error.is_some();
    let saved = run.save();
    if !saved && !had_error {
        // The last write failed: the journal on disk still says the run is in progress.
        let e = run.write_error.clone().unwrap_or_default();
        run.journal.outcome = Outcome::Error;
        run.journal.reason = Some(format!("the journal could not be written at the end ({e}); {}", run.journal.reason.clone().unwrap_or_default()));
    }
    Finished { path: run.file.as_ref().map(|f| f.path.clone()), write_error: run.write_error, journal: run.journal }
}

/// What the cleanup did, for the run's reason.
fn cleaned(j: &Journal, left_open: &[String]) -> String {
    let resolved: Vec<&str> = j.cases.iter().filter(|c| c.state == CaseState::Resolved).filter_map(|c| c.case_id.as_deref()).collect();
    match (resolved.is_empty(), left_open.is_empty()) {
        (true, true) => "nothing to clean up".into(),
        (false, true) => format!("cleaned up: resolved case {}", resolved.join(", ")),
        (_, false) => format!("cleaned up what it could; LEFT OPEN: case {}", left_open.join(", ")),
    }
}

#[cfg(feature = "aws")]
use super::live_aws::{Runner, health_now};

#[cfg(not(feature = "aws"))]
fn health_now(_model: &Model, _drill: &Drill, _opts: &Options) -> Result<Vec<String>, String> {
    Err(crate::commands::facts::NO_AWS.into())
}

/// Without the `aws` feature: external vendors still render their request; AWS steps cannot
/// run, so nothing is ever opened and there is nothing to sweep or clean up.
#[cfg(not(feature = "aws"))]
struct Runner;

#[cfg(not(feature = "aws"))]
impl Runner {
    fn new(_opts: &Options) -> Runner {
        Runner
    }

    fn sweep(&mut self, _model: &Model, _run: &mut Run, _opts: &Options) {}

    fn vendor_case(&mut self, model: &Model, drill: &Drill, v: &crate::model::VendorCaseRef, _run: &mut Run) -> Step {
        match super::vendor::request(model, drill, v) {
            Ok(req) if req.kind == crate::model::VendorKind::External => super::external_case(&req),
            Ok(_) => error_step("vendor_case", &v.vendor, crate::commands::facts::NO_AWS.into()),
            Err(e) => error_step("vendor_case", &v.vendor, e),
        }
    }

    fn sns(&mut self, _drill: &Drill, topic: &str, _run: &mut Run) -> Step {
        error_step("sns_publish", topic, crate::commands::facts::NO_AWS.into())
    }

    fn clean_up(&mut self, _run: &mut Run, _opts: &Options) {}
}
