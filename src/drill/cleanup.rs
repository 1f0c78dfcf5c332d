//! Resolving AWS Support cases: at the end of a live run every case it opened (and a look
//! for those it may have opened), within the cleanup limit and until a second signal; and,
//! before its steps, what earlier runs of the model left open (the sweep, cli.md).

use super::journal::{CaseRecord, CaseState, Cleanup, Journal, Outcome, Sweep, SweepOutcome};
use super::live_aws::{Runner, adopt, at_now};
use super::run::Run;
use super::signals::Signals;
use super::vendor::live::{self as aws_case, Found};
use super::{Options, vendor};
use crate::model::{Model, VendorKind};
use std::time::Duration;

impl Runner {
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
