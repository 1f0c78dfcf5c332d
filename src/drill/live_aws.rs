//! The AWS side of a live drill: test cases with AWS Support (written ahead in the journal's
//! ledger, never created twice blindly, resolved at the end within the cleanup limit), the
//! sweep of what earlier runs left open, SNS test notifications, and the Health safety check.

use super::journal::{CaseRecord, CaseState, Cleanup, Journal, Outcome, Step, Sweep, SweepOutcome};
use super::run::Run;
use super::vendor::live::{self as aws_case, Found};
use super::{Options, error_step, external_case, signals::Signals, steps, vendor};
use crate::aws::{Sent, Settings};
use crate::facts::aws::Collector;
use crate::model::{Drill, Instant, Model, VendorCaseRef, VendorKind};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

pub struct Runner {
    rt: Option<tokio::runtime::Runtime>,
    settings: Settings,
    signals: Signals,
    cleanup_limit: Duration,
    /// A Support client without retries per account, for the cases opened in it.
    clients: BTreeMap<String, aws_sdk_support::Client>,
}

fn at_now() -> String {
    jiff::Timestamp::now().strftime("%H:%M:%S%.3fZ").to_string()
}

impl Runner {
    pub fn new(opts: &Options) -> Runner {
        let mut settings = opts.aws.clone();
        settings.progress = false;
        Runner { rt: crate::commands::facts::runtime().ok(), settings, signals: opts.signals.clone(), cleanup_limit: opts.cleanup_limit, clients: BTreeMap::new() }
    }

    /// A Support client (no retries) whose credentials belong to one of `accounts`.
    fn client(&mut self, accounts: &[String]) -> Result<(aws_sdk_support::Client, String), String> {
        if let Some((a, c)) = self.clients.iter().find(|(a, _)| accounts.is_empty() || accounts.contains(a)) {
            return Ok((c.clone(), a.clone()));
        }
        let rt = self.rt.as_ref().ok_or("cannot start the async runtime")?;
        let (config, account) = rt.block_on(aws_case::config_for(&self.settings, accounts))?;
        let client = crate::aws::support_once(&config);
        self.clients.insert(account.clone(), client.clone());
        Ok((client, account))
    }

    pub fn vendor_case(&mut self, model: &Model, drill: &Drill, v: &VendorCaseRef, run: &mut Run) -> Step {
        let req = match vendor::request(model, drill, v) {
            Ok(r) => r,
            Err(e) => return error_step("vendor_case", &v.vendor, e),
        };
        if req.kind == VendorKind::External {
            return external_case(&req);
        }
        let mut s = steps::step("vendor_case", &v.vendor);
        s.evidence = json!({ "subject": req.subject, "severity": req.severity.as_str() });
        let t0 = std::time::Instant::now();
        let (support, account) = match self.client(&req.accounts) {
            Ok(c) => c,
            Err(why) => return not_opened(s, &why),
        };
        let token = run.token();
        let body = vendor::with_token(&req.body, &token);
        let i = run.journal.cases.len();
        run.journal.cases.push(CaseRecord {
            step: run.journal.steps.len(),
            vendor: v.vendor.clone(),
            account: Some(account.clone()),
            subject: req.subject.clone(),
            token: token.clone(),
            requested_at: Instant(jiff::Timestamp::now()),
            state: CaseState::Requested,
            case_id: None,
            history: Vec::new(),
        });
        let opened = self.open(&support, &req, &body, run, i);
        s.duration_ms = t0.elapsed().as_millis() as u64;
        match opened {
            Opened::No(why) => not_opened(s, &why),
            Opened::Maybe(why) => {
                s.outcome = Outcome::Fail;
                s.message = Some(format!("{why}; the case may be open: the journal records it, and the cleanup and the next live run look it up"));
                s.cleanup = Some(Cleanup { action: "resolve_case".into(), outcome: Outcome::Planned, message: Some("looked up and resolved when the drill ends".into()) });
                s
            }
            Opened::Yes(id) => {
                let seen = self.rt.as_ref().map(|rt| rt.block_on(aws_case::describe(&support, &id)));
                s.evidence["case_id"] = json!(id);
                s.evidence["account"] = json!(account);
                match seen {
                    Some(Ok((status, severity, display))) => {
                        s.evidence["status"] = json!(status);
                        s.evidence["seen_severity"] = json!(severity);
                        s.evidence["display_id"] = json!(display);
                        s.outcome = Outcome::Pass;
                    }
                    Some(Err(e)) => {
                        s.outcome = Outcome::Fail;
                        s.message = Some(format!("case {id} was opened but DescribeCases did not show it: {}", e.message));
                    }
                    None => s.outcome = Outcome::Fail,
                }
                s.cleanup = Some(Cleanup { action: "resolve_case".into(), outcome: Outcome::Planned, message: Some("resolved when the drill ends".into()) });
                s
            }
        }
    }

    /// CreateCase without blind retries: the ledger is saved before every attempt and after
    /// every answer; after an ambiguous failure the case is looked up before another attempt.
    fn open(&mut self, support: &aws_sdk_support::Client, req: &vendor::CaseRequest, body: &str, run: &mut Run, i: usize) -> Opened {
        let Some(rt) = self.rt.as_ref() else { return Opened::No("cannot start the async runtime".into()) };
        let attempts = self.settings.max_attempts.max(1);
        let mut backoff = Duration::from_millis(500);
        for n in 1..=attempts {
            run.case(i).state = CaseState::Requested;
            run.case(i).history.push(format!("{} CreateCase sent (attempt {n} of {attempts})", at_now()));
            if !run.save() {
                let why = format!("not sent: the journal could not be written ({})", run.write_error.clone().unwrap_or_default());
                run.case(i).state = CaseState::NotOpened;
                run.case(i).history.push(why.clone());
                return Opened::No(why);
            }
            let answer = rt.block_on(aws_case::open_once(support, req, body));
            let step = match answer {
                Ok(id) => {
                    let r = run.case(i);
                    r.state = CaseState::Opened;
                    r.history.push(format!("{} CreateCase answered {id}", at_now()));
                    r.case_id = Some(id.clone());
                    Some(Opened::Yes(id))
                }
                Err((why, Sent::No)) => {
                    run.case(i).state = CaseState::NotOpened;
                    run.case(i).history.push(format!("{} {why}: nothing was created", at_now()));
                    Some(Opened::No(why))
                }
                Err((why, Sent::Throttled)) => {
                    run.case(i).history.push(format!("{} {why}: throttled, nothing was created", at_now()));
                    (n == attempts).then(|| {
                        run.case(i).state = CaseState::NotOpened;
                        Opened::No(why)
                    })
                }
                Err((why, Sent::Maybe)) => {
                    run.case(i).state = CaseState::MayHaveOpened;
                    run.case(i).history.push(format!("{} {why}: the case may have been created", at_now()));
                    run.save();
                    let since = run.case(i).requested_at.0;
                    match rt.block_on(aws_case::find(support, &req.subject, Some(&run.token()), since, None)) {
                        Ok(found) if !found.is_empty() => Some(adopt(found, run, i)),
                        Ok(_) if n == attempts => {
                            run.case(i).state = CaseState::NotOpened;
                            run.case(i).history.push(format!("{} DescribeCases: no such case; no attempt left", at_now()));
                            Some(Opened::No(why))
                        }
                        Ok(_) => {
                            run.case(i).history.push(format!("{} DescribeCases: no such case, so CreateCase is sent again", at_now()));
                            None
                        }
                        Err(e) => {
                            run.case(i).history.push(format!("{} {e}: the case could not be looked up", at_now()));
                            Some(Opened::Maybe(why))
                        }
                    }
                }
            };
            run.save();
            if let Some(o) = step {
                return o;
            }
            std::thread::sleep(backoff);
            backoff *= 2;
        }
        Opened::No("no attempt left".into())
    }

    pub fn sns(&mut self, drill: &Drill, topic: &str, run: &mut Run) -> Step {
        let Some(rt) = &self.rt else { return error_step("sns_publish", topic, "cannot start the async runtime".into()) };
        let mut s = steps::step("sns_publish", topic);
        if !run.save() {
            s.outcome = Outcome::Error;
            s.message = Some("not published: the journal could not be written".into());
            return s;
        }
        let t0 = std::time::Instant::now();
        let message = format!("This is a test notification from runready drill {}. No action is needed.", drill.id);
        let sent = rt.block_on(crate::aws::publish(&self.settings, topic, "runready drill: test notification (please ignore)", &message));
        s.duration_ms = t0.elapsed().as_millis() as u64;
        match sent {
            Ok(id) => {
                s.outcome = Outcome::Pass;
                s.evidence = json!({ "message_id": id });
            }
            Err((e, Sent::Maybe)) => {
                s.outcome = Outcome::Fail;
                s.message = Some(format!("{e}: it may have published (a publish cannot be looked up, so it is not retried)"));
                s.evidence = json!({ "may_have_published": true });
            }
            Err((e, _)) => {
                s.outcome = Outcome::Fail;
                s.message = Some(format!("publish failed: {e}"));
                s.evidence = json!({ "may_have_published": false });
            }
        }
        s
    }

    /// Resolves every case this run opened, and looks up those it may have opened, within
    /// the cleanup limit; a second signal stops waiting. Each step records how it went.
    pub fn clean_up(&mut self, run: &mut Run, _opts: &Options) {
        let deadline = std::time::Instant::now() + self.cleanup_limit;
        let mut i = 0;
        while i < run.journal.cases.len() {
            let r = run.case(i).clone();
            let Some(account) = r.account.clone() else {
                i += 1;
                continue;
            };
            let client = self.clients.get(&account).cloned();
            match (r.state, client) {
                (CaseState::Opened, Some(c)) => {
                    let id = r.case_id.clone().unwrap_or_default();
                    let result = self.resolve_within(&c, &id, deadline);
                    let rec = run.case(i);
                    match result {
                        Ok(status) => {
                            rec.state = CaseState::Resolved;
                            rec.history.push(format!("{} ResolveCase: {status}", at_now()));
                        }
                        Err(why) => {
                            rec.state = CaseState::LeftOpen;
                            rec.history.push(format!("{} {why}: case {id} is still open", at_now()));
                        }
                    }
                }
                (CaseState::MayHaveOpened | CaseState::Requested, Some(c)) => {
                    let found = self.rt.as_ref().map(|rt| rt.block_on(aws_case::find(&c, &r.subject, Some(&r.token), r.requested_at.0, None)));
                    match found {
                        Some(Ok(found)) if found.is_empty() => {
                            run.case(i).state = CaseState::NotOpened;
                            run.case(i).history.push(format!("{} DescribeCases at cleanup: no such case", at_now()));
                        }
                        Some(Ok(found)) => {
                            // Resolved on the next turn of the loop, as opened cases.
                            let known: Vec<String> = run.journal.cases.iter().filter_map(|c| c.case_id.clone()).collect();
                            let new: Vec<Found> = found.into_iter().filter(|f| !known.contains(&f.case_id)).collect();
                            if new.is_empty() {
                                run.case(i).state = CaseState::NotOpened;
                                run.case(i).history.push(format!("{} DescribeCases at cleanup: only cases already recorded", at_now()));
                            } else {
                                adopt(new, run, i);
                                run.save();
                                continue;
                            }
                        }
                        Some(Err(e)) => run.case(i).history.push(format!("{} {e}: still unknown whether a case was opened", at_now())),
                        None => {}
                    }
                }
                _ => {}
            }
            run.save();
            i += 1;
        }
        mirror_cleanup(&mut run.journal);
        run.save();
    }

    /// ResolveCase, attempted until it succeeds, a refusal, the deadline or a second signal.
    fn resolve_within(&self, support: &aws_sdk_support::Client, id: &str, deadline: std::time::Instant) -> Result<String, String> {
        let Some(rt) = self.rt.as_ref() else { return Err("cannot start the async runtime".into()) };
        let limit = crate::model::Duration::from_secs(self.cleanup_limit.as_secs() as i64);
        let mut last = String::new();
        let mut wait = Duration::from_millis(250);
        for attempt in 1.. {
            if self.signals.hurry() {
                return Err(format!("{last}{}a second signal stopped the cleanup", if last.is_empty() { "" } else { "; " }));
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(format!("{last}; the cleanup time limit {limit} ran out after {} attempts", attempt - 1));
            }
            let per = left.min(self.settings.call_timeout);
            let signals = self.signals.clone();
            let answer = rt.block_on(async {
                tokio::select! {
                    r = tokio::time::timeout(per, aws_case::resolve(support, id)) => Some(r),
                    _ = hurried(&signals) => None,
                }
            });
            match answer {
                None => return Err(format!("{last}{}a second signal stopped the cleanup", if last.is_empty() { "" } else { "; " })),
                Some(Ok(Ok(status))) => return Ok(status),
                Some(Ok(Err(e))) if !e.transient => return Err(e.message),
                Some(Ok(Err(e))) => last = e.message,
                Some(Err(_)) => last = format!("AWS Support ResolveCase: timed out after {}", crate::model::human_secs(per.as_secs() as i64)),
            }
            let pause = wait.min(deadline.saturating_duration_since(std::time::Instant::now()));
            rt.block_on(async {
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {},
                    _ = hurried(&signals) => {},
                }
            });
            wait = (wait * 2).min(Duration::from_secs(4));
        }
        unreachable!("the loop above returns")
    }

    /// Before its steps, a run resolves what earlier runs of the model left open (the
    /// journals in `--journal-dir`) and records what it did in `swept`.
    pub fn sweep(&mut self, model: &Model, run: &mut Run, opts: &Options) {
        let earlier: Vec<Journal> =
            super::journal::read_dir_lenient(&opts.journal_dir).into_iter().filter(|j| j.model == model.name() && !j.dry_run && j.started_at < run.journal.started_at).collect();
        let refs: Vec<&Journal> = earlier.iter().collect();
        let todo = super::ledger::unresolved(&refs, |d| opens_cases(model, d));
        if todo.is_empty() {
            return;
        }
        let deadline = std::time::Instant::now() + self.cleanup_limit;
        for u in todo {
            if self.signals.hurry() || opts.signals.stop.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            let accounts = u.account.clone().map(|a| vec![a]).unwrap_or_else(|| drill_accounts(model, &u.journal.drill));
            let base = Sweep { drill: u.journal.drill.clone(), run_started_at: u.journal.started_at, case_id: u.case_id.clone(), outcome: SweepOutcome::Failed, message: None };
            let client = self.client(&accounts);
            let sweeps: Vec<Sweep> = match (client, &u.case_id) {
                (Err(e), _) => vec![Sweep { message: Some(e), ..base }],
                (Ok((c, _)), Some(id)) => vec![self.resolved(&c, id, deadline, base)],
                (Ok((c, _)), None) => {
                    let subject = u.subject.clone().unwrap_or_else(|| vendor::TEST_SUBJECT.into());
                    let to = u.token.is_none().then(|| {
                        let span = model.drills.iter().find(|d| d.id == u.journal.drill).map(|d| super::window::max_duration(d)).unwrap_or(super::window::DEFAULT_MAX);
                        u.since.0.checked_add(jiff::SignedDuration::from_secs(span.as_secs() + 600)).unwrap_or(u.since.0)
                    });
                    let found = self.rt.as_ref().map(|rt| rt.block_on(aws_case::find(&c, &subject, u.token.as_deref(), u.since.0, to)));
                    match found {
                        Some(Ok(f)) if f.is_empty() => vec![Sweep { outcome: SweepOutcome::NotFound, message: Some("looked up: no such case exists".into()), ..base }],
                        Some(Ok(f)) => f
                            .into_iter()
                            .map(|f| {
                                let b = Sweep { case_id: Some(f.case_id.clone()), ..base.clone() };
                                if f.status == "resolved" {
                                    Sweep { outcome: SweepOutcome::AlreadyResolved, message: Some("found, already resolved".into()), ..b }
                                } else {
                                    self.resolved(&c, &f.case_id, deadline, b)
                                }
                            })
                            .collect(),
                        Some(Err(e)) => vec![Sweep { message: Some(e), ..base }],
                        None => vec![Sweep { message: Some("cannot start the async runtime".into()), ..base }],
                    }
                }
            };
            run.journal.swept.extend(sweeps);
            run.save();
        }
    }

    fn resolved(&self, c: &aws_sdk_support::Client, id: &str, deadline: std::time::Instant, base: Sweep) -> Sweep {
        match self.resolve_within(c, id, deadline) {
            Ok(status) => Sweep { outcome: SweepOutcome::Resolved, message: Some(format!("ResolveCase: {status}")), ..base },
            Err(e) if e.contains("CaseIdNotFound") => Sweep { outcome: SweepOutcome::NotFound, message: Some(e), ..base },
            Err(e) => Sweep { outcome: SweepOutcome::Failed, message: Some(e), ..base },
        }
    }
}

/// Cases a lookup found: the first is the step's, any others (a create that was answered
/// too late, twice) get records of their own so that they are resolved too.
fn adopt(found: Vec<Found>, run: &mut Run, i: usize) -> Opened {
    let ids: Vec<String> = found.iter().map(|f| f.case_id.clone()).collect();
    let template = run.case(i).clone();
    let r = run.case(i);
    r.state = CaseState::Opened;
    r.case_id = Some(ids[0].clone());
    r.history.push(format!("{} DescribeCases found {}", at_now(), ids.join(", ")));
    for id in &ids[1..] {
        run.journal.cases.push(CaseRecord {
            state: CaseState::Opened,
            case_id: Some(id.clone()),
            history: vec![format!("{} found by DescribeCases after an ambiguous CreateCase", at_now())],
            ..template.clone()
        });
    }
    Opened::Yes(ids[0].clone())
}

enum Opened {
    Yes(String),
    No(String),
    Maybe(String),
}

fn not_opened(mut s: Step, why: &str) -> Step {
    s.outcome = Outcome::Fail;
    s.message = Some(format!("the case was not opened: {why}"));
    s.cleanup = Some(Cleanup { action: "none".into(), outcome: Outcome::Pass, message: Some("nothing was opened".into()) });
    s
}

async fn hurried(signals: &Signals) {
    while !signals.hurry() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Each `vendor_case` step's cleanup, from the ledger: resolved, left open, or unknown.
fn mirror_cleanup(j: &mut Journal) {
    for (n, s) in j.steps.iter_mut().enumerate() {
        let records: Vec<&CaseRecord> = j.cases.iter().filter(|r| r.step == n).collect();
        if records.is_empty() {
            continue;
        }
        let open: Vec<String> = records.iter().filter(|r| matches!(r.state, CaseState::Opened | CaseState::LeftOpen)).map(|r| r.case_id.clone().unwrap_or_default()).collect();
        let unknown = records.iter().any(|r| matches!(r.state, CaseState::Requested | CaseState::MayHaveOpened));
        let resolved: Vec<String> = records.iter().filter(|r| r.state == CaseState::Resolved).filter_map(|r| r.case_id.clone()).collect();
        let (outcome, message) = if !open.is_empty() {
            let why = records.iter().filter(|r| r.state == CaseState::LeftOpen).filter_map(|r| r.history.last()).next().cloned().unwrap_or_default();
            (Outcome::Fail, format!("case {} is still open: {why}", open.join(", ")))
        } else if unknown {
            (Outcome::Fail, "it is not known whether a case was opened: the next live run looks it up".to_string())
        } else if !resolved.is_empty() {
            (Outcome::Pass, format!("case {} resolved", resolved.join(", ")))
        } else {
            continue;
        };
        s.cleanup = Some(Cleanup { action: "resolve_case".into(), outcome, message: Some(message) });
    }
}

/// Whether a drill of the model has a step that opens AWS Support cases.
fn opens_cases(model: &Model, drill: &str) -> bool {
    !drill_accounts_vendors(model, drill).is_empty()
}

fn drill_accounts_vendors<'m>(model: &'m Model, drill: &str) -> Vec<&'m crate::model::Vendor> {
    model
        .drills
        .iter()
        .filter(|d| d.id == drill)
        .flat_map(|d| d.steps.iter())
        .filter_map(|s| match s {
            crate::model::DrillStep::VendorCase(v) => model.vendors.get(&v.vendor).map(|e| &e.value).filter(|v| v.kind == VendorKind::AwsSupport),
            _ => None,
        })
        .collect()
}

fn drill_accounts(model: &Model, drill: &str) -> Vec<String> {
    let mut out: Vec<String> = drill_accounts_vendors(model, drill).into_iter().flat_map(|v| v.accounts.iter().cloned()).collect();
    out.sort();
    out.dedup();
    out
}

/// Reads AWS Health now for the drill's services and lists their open issues.
pub fn health_now(model: &Model, drill: &Drill, opts: &Options) -> Result<Vec<String>, String> {
    let accounts: std::collections::BTreeSet<&String> = drill.services.iter().filter_map(|id| model.service(id)).filter_map(|s| s.aws.as_ref()).flat_map(|a| a.accounts.iter()).collect();
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let scopes: Vec<_> = crate::facts::plan::accounts(model).into_iter().filter(|s| accounts.contains(&s.account)).collect();
    let rt = crate::commands::facts::runtime()?;
    let mut settings = opts.aws.clone();
    settings.progress = false;
    let facts = rt.block_on(async {
        let collector = Collector::from_env(&settings).await;
        collector.collect_only(&scopes, &[crate::facts::SourceKind::Health]).await
    });
    super::open_issues(model, drill, &facts, jiff::Timestamp::now())
}
