//! The AWS side of a live drill: test cases with AWS Support (written ahead in the journal's
//! ledger, never created twice blindly), SNS test notifications, and the Health safety
//! check. Resolving cases (at the end, and earlier runs' before the steps) is in `cleanup`.

use super::journal::{CaseRecord, CaseState, Cleanup, Outcome, Step};
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
    pub(super) rt: Option<tokio::runtime::Runtime>,
    pub(super) settings: Settings,
    pub(super) signals: Signals,
    pub(super) cleanup_limit: Duration,
    /// A Support client without retries per account, for the cases opened in it.
    pub(super) clients: BTreeMap<String, aws_sdk_support::Client>,
}

pub(super) fn at_now() -> String {
    jiff::Timestamp::now().strftime("%H:%M:%S%.3fZ").to_string()
}

impl Runner {
    pub fn new(opts: &Options) -> Runner {
        let mut settings = opts.aws.clone();
        settings.progress = false;
        Runner { rt: crate::commands::facts::runtime().ok(), settings, signals: opts.signals.clone(), cleanup_limit: opts.cleanup_limit, clients: BTreeMap::new() }
    }

    /// A Support client (no retries) whose credentials belong to one of `accounts`.
    pub(super) fn client(&mut self, accounts: &[String]) -> Result<(aws_sdk_support::Client, String), String> {
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
}

/// Cases a lookup found: the first is the step's, any others (a create that was answered
/// too late, twice) get records of their own so that they are resolved too.
pub(super) fn adopt(found: Vec<Found>, run: &mut Run, i: usize) -> Opened {
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

pub(super) enum Opened {
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
