//! `vendor_case` and `sns_publish` steps: the request a test case carries, and the AWS
//! calls that open and resolve it or publish a test notification.

use crate::model::{AwsSeverity, Drill, Model, VendorCaseRef, VendorKind};
use serde_json::json;

/// AWS's own wording for a test case subject.
pub const TEST_SUBJECT: &str = "TEST CASE-Please ignore";

/// The line a live run adds to its cases' body: it tells this run's cases from any other
/// with the same subject when a case must be looked up (after an ambiguous CreateCase, or by
/// the next run after this one died).
pub fn token(drill: &str, started: jiff::Timestamp) -> String {
    format!("runready-run: {drill} {started}")
}

pub fn with_token(body: &str, token: &str) -> String {
    format!("{body}\n\n{token}")
}

/// A test case, ready to send.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseRequest {
    pub vendor: String,
    pub kind: VendorKind,
    pub subject: String,
    pub severity: AwsSeverity,
    pub body: String,
    /// The accounts an `aws_support` case may be opened in; the contact of an external vendor.
    pub accounts: Vec<String>,
    pub contact: Option<String>,
}

/// Test-case defaults for the request fields neither the service nor the step gives.
fn default_field(name: &str) -> String {
    match name {
        "impact" => "None: this is a test case of our support process, opened by runready drill".into(),
        "observed_behavior" => "Nothing is wrong; we are testing that we can reach you".into(),
        "expected_behavior" => "No action is needed: we resolve this case ourselves in a few minutes".into(),
        _ => "n/a (process test)".into(),
    }
}

/// Renders the vendor's request template for a test case: the service's product version,
/// the step's `fields`, and test-case defaults for the rest. A template that does not
/// render (strict: an unknown variable is an error) is the reason the step cannot run.
pub fn request(model: &Model, drill: &Drill, step: &VendorCaseRef) -> Result<CaseRequest, String> {
    let vendor = model.vendors.get(&step.vendor).ok_or(format!("vendor `{}` does not exist (SM-001)", step.vendor))?;
    let service = drill.services.iter().filter_map(|id| model.service(id)).find(|s| s.vendors.contains(&step.vendor)).or_else(|| drill.services.iter().find_map(|id| model.service(id)));
    let mut fields = serde_json::Map::new();
    let template = vendor.request_template.as_deref().and_then(|t| model.request_templates.get(t));
    for f in template.map(|t| t.required_fields.clone()).unwrap_or_default() {
        fields.insert(f.clone(), json!(default_field(&f)));
    }
    if let Some(v) = service.and_then(|s| s.product_version.clone()) {
        fields.insert("product_version".into(), json!(v));
    }
    for (k, v) in &step.fields {
        fields.insert(k.clone(), json!(v));
    }
    let body = match template {
        None => format!("This is a test case opened by runready drill {} to verify our support process. No action is needed; we will resolve it.", drill.id),
        Some(t) => {
            let mut env = minijinja::Environment::new();
            env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
            env.render_str(&t.body, minijinja::Value::from(minijinja::value::Serde(serde_json::Value::Object(fields))))
                .map_err(|e| format!("request template `{}` does not render: {e}", vendor.request_template.as_deref().unwrap_or_default()))?
        }
    };
    let test = vendor.test_case.as_ref();
    Ok(CaseRequest {
        vendor: step.vendor.clone(),
        kind: vendor.kind,
        subject: test.map(|t| t.subject.clone()).unwrap_or_else(|| TEST_SUBJECT.into()),
        severity: test.map(|t| t.severity).unwrap_or(AwsSeverity::Low),
        body,
        accounts: vendor.accounts.clone(),
        contact: vendor.contact.clone(),
    })
}

/// The AWS side: open, look up, look at and resolve a case.
#[cfg(feature = "aws")]
pub mod live {
    use super::CaseRequest;
    use crate::aws::{CallError, Sent, Settings, classify, sdk_config};

    /// A configuration whose credentials belong to one of `accounts` (STS), and that
    /// account: a test case must not be opened in an account the vendor does not cover.
    pub async fn config_for(settings: &Settings, accounts: &[String]) -> Result<(aws_config::SdkConfig, String), String> {
        let candidates: Vec<Option<&str>> = std::iter::once(None).chain(accounts.iter().filter_map(|a| settings.account_profiles.get(a).map(|p| Some(p.as_str())))).collect();
        let mut seen = Vec::new();
        for profile in candidates {
            let config = sdk_config(settings, profile).await;
            match crate::aws::caller_account(&config).await {
                Ok(id) if accounts.is_empty() || accounts.contains(&id) => return Ok((config, id)),
                Ok(id) => seen.push(id),
                Err(e) => return Err(e.message),
            }
        }
        Err(format!("the credentials belong to account {}, which the vendor does not cover ({}): give --account-profile ACCOUNT=PROFILE", seen.join(", "), accounts.join(", ")))
    }

    /// One CreateCase (the client has no retries); the case id, or the error and whether
    /// the case may have been created anyway.
    pub async fn open_once(support: &aws_sdk_support::Client, req: &CaseRequest, body: &str) -> Result<String, (String, Sent)> {
        let out = support.create_case().subject(&req.subject).severity_code(req.severity.as_str()).communication_body(body).issue_type("technical").language("en").send().await;
        match out {
            Ok(o) => o.case_id().map(str::to_string).ok_or(("AWS Support CreateCase answered without a case id".into(), Sent::Maybe)),
            Err(e) => Err((format!("AWS Support CreateCase: {}", crate::aws::describe(&e)), crate::aws::sent(&e))),
        }
    }

    /// A case found by [`find`]: its id and status.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Found {
        pub case_id: String,
        pub status: String,
    }

    /// The cases with `subject` created from `from` on (until `to`, when given) whose body
    /// carries `token` (DescribeCases with communications, every page). Without a token (a
    /// run that left no ledger) the creation time alone decides.
    pub async fn find(support: &aws_sdk_support::Client, subject: &str, token: Option<&str>, from: jiff::Timestamp, to: Option<jiff::Timestamp>) -> Result<Vec<Found>, String> {
        let after = from.checked_sub(jiff::SignedDuration::from_secs(300)).unwrap_or(from);
        let mut found = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..50 {
            let mut call = support.describe_cases().include_resolved_cases(true).include_communications(true).after_time(after.to_string()).set_next_token(next.clone());
            if let Some(to) = to {
                call = call.before_time(to.to_string());
            }
            let out = call.send().await.map_err(|e| format!("AWS Support DescribeCases: {}", crate::aws::describe(&e)))?;
            for c in out.cases() {
                if c.subject() != Some(subject) {
                    continue;
                }
                let created = c.time_created().and_then(created_at);
                let in_window = created.is_none_or(|t| t >= after && to.is_none_or(|to| t <= to));
                let ours = match token {
                    Some(t) => c.recent_communications().is_some_and(|rc| rc.communications().iter().any(|m| m.body().is_some_and(|b| b.contains(t)))),
                    None => created.is_some(),
                };
                if ours
                    && in_window
                    && let Some(id) = c.case_id()
                {
                    found.push(Found { case_id: id.to_string(), status: c.status().unwrap_or_default().to_string() });
                }
            }
            next = out.next_token().filter(|t| !t.is_empty() && Some(*t) != next.as_deref()).map(str::to_string);
            if next.is_none() {
                return Ok(found);
            }
        }
        Ok(found)
    }

    /// `timeCreated` as AWS writes it (RFC 3339), or without an offset (taken as UTC).
    fn created_at(text: &str) -> Option<jiff::Timestamp> {
        text.parse::<jiff::Timestamp>().ok().or_else(|| text.parse::<jiff::civil::DateTime>().ok().and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok()).map(|z| z.timestamp()))
    }

    /// DescribeCases for one case: its status, severity and display id as AWS sees them.
    pub async fn describe(support: &aws_sdk_support::Client, id: &str) -> Result<(String, String, String), CallError> {
        let out = support.describe_cases().case_id_list(id).include_resolved_cases(true).send().await.map_err(classify)?;
        let case = out.cases().iter().find(|c| c.case_id() == Some(id)).ok_or(CallError {
            status: crate::facts::SourceStatus::Error,
            message: format!("DescribeCases does not list case {id}"),
            transient: false,
        })?;
        Ok((case.status().unwrap_or_default().to_string(), case.severity_code().unwrap_or_default().to_string(), case.display_id().unwrap_or_default().to_string()))
    }

    /// One ResolveCase; the final status AWS reports.
    pub async fn resolve(support: &aws_sdk_support::Client, id: &str) -> Result<String, CallError> {
        let out = support.resolve_case().case_id(id).send().await.map_err(|e| {
            let mut c = classify(e);
            c.message = format!("AWS Support ResolveCase: {}", c.message);
            c
        })?;
        Ok(out.final_case_status().unwrap_or("resolved").to_string())
    }
}
