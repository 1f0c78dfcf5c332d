//! The AWS side of a live drill: test cases with AWS Support (opened during the run,
//! resolved at its end, always), SNS test notifications, and the Health safety check.

use super::journal::{Cleanup, Outcome, Step};
use super::{Options, error_step, external_case, steps, vendor};
use crate::aws::Settings;
use crate::facts::aws::Collector;
use crate::model::{Drill, Model, VendorCaseRef, VendorKind};
use serde_json::json;

/// A case this run opened, to resolve at the end.
struct OpenCase {
    step: usize,
    id: String,
    support: aws_sdk_support::Client,
}

pub struct Runner {
    rt: Option<tokio::runtime::Runtime>,
    settings: Settings,
    open: Vec<OpenCase>,
}

impl Runner {
    pub fn new(opts: &Options) -> Runner {
        let mut settings = opts.aws.clone();
        settings.progress = false;
        Runner { rt: crate::commands::facts::runtime().ok(), settings, open: Vec::new() }
    }

    pub fn vendor_case(&mut self, model: &Model, drill: &Drill, v: &VendorCaseRef, index: usize) -> Step {
        let req = match vendor::request(model, drill, v) {
            Ok(r) => r,
            Err(e) => return error_step("vendor_case", &v.vendor, e),
        };
        if req.kind == VendorKind::External {
            return external_case(&req);
        }
        let Some(rt) = &self.rt else { return error_step("vendor_case", &v.vendor, "cannot start the async runtime".into()) };
        let mut s = steps::step("vendor_case", &v.vendor);
        let t0 = std::time::Instant::now();
        let settings = self.settings.clone();
        let opened = rt.block_on(async {
            let config = vendor::live::config_for(&settings, &req.accounts).await?;
            let support = vendor::live::support(&config);
            let id = vendor::live::open(&support, &req).await.map_err(|e| e.message)?;
            let seen = vendor::live::describe(&support, &id).await;
            Ok::<_, String>((support, id, seen))
        });
        s.duration_ms = t0.elapsed().as_millis() as u64;
        match opened {
            Err(why) => {
                s.outcome = Outcome::Fail;
                s.message = Some(format!("the case was not opened: {why}"));
                s.evidence = json!({ "subject": req.subject, "severity": req.severity.as_str() });
                s.cleanup = Some(Cleanup { action: "none".into(), outcome: Outcome::Pass, message: Some("nothing was opened".into()) });
            }
            Ok((support, id, seen)) => {
                let mut evidence = json!({ "case_id": id, "subject": req.subject, "severity": req.severity.as_str() });
                match seen {
                    Ok((status, severity, display)) => {
                        evidence["status"] = json!(status);
                        evidence["seen_severity"] = json!(severity);
                        evidence["display_id"] = json!(display);
                        s.outcome = Outcome::Pass;
                    }
                    Err(e) => {
                        s.outcome = Outcome::Fail;
                        s.message = Some(format!("case {id} was opened but DescribeCases did not show it: {}", e.message));
                    }
                }
                s.evidence = evidence;
                s.cleanup = Some(Cleanup { action: "resolve_case".into(), outcome: Outcome::Planned, message: Some("resolved when the drill ends".into()) });
                self.open.push(OpenCase { step: index, id, support });
            }
        }
        s
    }

    pub fn sns(&mut self, drill: &Drill, topic: &str) -> Step {
        let Some(rt) = &self.rt else { return error_step("sns_publish", topic, "cannot start the async runtime".into()) };
        let mut s = steps::step("sns_publish", topic);
        let t0 = std::time::Instant::now();
        let message = format!("This is a test notification from runready drill {}. No action is needed.", drill.id);
        let sent = rt.block_on(crate::aws::publish(&self.settings, topic, "runready drill: test notification (please ignore)", &message));
        s.duration_ms = t0.elapsed().as_millis() as u64;
        match sent {
            Ok(id) => {
                s.outcome = Outcome::Pass;
                s.evidence = json!({ "message_id": id });
            }
            Err(e) => {
                s.outcome = Outcome::Fail;
                s.message = Some(format!("publish failed: {e}"));
            }
        }
        s
    }

    /// Resolves every case this run opened; each step records how its cleanup went.
    pub fn clean_up(&mut self, steps: &mut [Step]) {
        let Some(rt) = &self.rt else { return };
        for case in self.open.drain(..) {
            let result = rt.block_on(vendor::live::resolve(&case.support, &case.id));
            if let Some(s) = steps.get_mut(case.step) {
                s.cleanup = Some(match result {
                    Ok(status) => Cleanup { action: "resolve_case".into(), outcome: Outcome::Pass, message: Some(format!("case {} {status}", case.id)) },
                    Err(e) => Cleanup { action: "resolve_case".into(), outcome: Outcome::Fail, message: Some(format!("case {} is still open: {}", case.id, e.message)) },
                });
            }
        }
    }
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
