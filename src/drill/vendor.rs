//! `vendor_case` and `sns_publish` steps: the request a test case carries, and the AWS
//! calls that open and resolve it or publish a test notification.

use crate::model::{AwsSeverity, Drill, Model, VendorCaseRef, VendorKind};
use serde_json::json;

/// AWS's own wording for a test case subject.
pub const TEST_SUBJECT: &str = "TEST CASE-Please ignore";

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

/// The AWS side: open, look at and resolve a case; publish to a topic.
#[cfg(feature = "aws")]
pub mod live {
    use super::CaseRequest;
    use crate::aws::{CallError, Settings, classify, sdk_config};

    /// Which account the credentials belong to (STS): a test case must not be opened in an
    /// account the vendor does not cover.
    pub async fn config_for(settings: &Settings, accounts: &[String]) -> Result<aws_config::SdkConfig, String> {
        let candidates: Vec<(Option<&str>, Option<&String>)> =
            std::iter::once((None, None)).chain(accounts.iter().filter_map(|a| settings.account_profiles.get(a).map(|p| (Some(p.as_str()), Some(a))))).collect();
        let mut seen = Vec::new();
        for (profile, _) in candidates {
            let config = sdk_config(settings, profile).await;
            match crate::aws::caller_account(&config).await {
                Ok(id) => {
                    if accounts.is_empty() || accounts.contains(&id) {
                        return Ok(config);
                    }
                    seen.push(id);
                }
                Err(e) => return Err(e.message),
            }
        }
        Err(format!("the credentials belong to account {}, which the vendor does not cover ({}): give --account-profile ACCOUNT=PROFILE", seen.join(", "), accounts.join(", ")))
    }

    pub fn support(config: &aws_config::SdkConfig) -> aws_sdk_support::Client {
        crate::aws::support(config)
    }

    /// CreateCase; returns the case id.
    pub async fn open(support: &aws_sdk_support::Client, req: &CaseRequest) -> Result<String, CallError> {
        let out =
            support.create_case().subject(&req.subject).severity_code(req.severity.as_str()).communication_body(&req.body).issue_type("technical").language("en").send().await.map_err(classify)?;
        out.case_id().map(str::to_string).ok_or(CallError { status: crate::facts::SourceStatus::Error, message: "CreateCase answered without a case id".into(), transient: false })
    }

    /// DescribeCases for one case: its status and severity as AWS sees them.
    pub async fn describe(support: &aws_sdk_support::Client, id: &str) -> Result<(String, String, String), CallError> {
        let out = support.describe_cases().case_id_list(id).include_resolved_cases(true).send().await.map_err(classify)?;
        let case = out.cases().iter().find(|c| c.case_id() == Some(id)).ok_or(CallError {
            status: crate::facts::SourceStatus::Error,
            message: format!("DescribeCases does not list case {id}"),
            transient: false,
        })?;
        Ok((case.status().unwrap_or_default().to_string(), case.severity_code().unwrap_or_default().to_string(), case.display_id().unwrap_or_default().to_string()))
    }

    /// ResolveCase; returns the final status AWS reports.
    pub async fn resolve(support: &aws_sdk_support::Client, id: &str) -> Result<String, CallError> {
        let out = support.resolve_case().case_id(id).send().await.map_err(classify)?;
        Ok(out.final_case_status().unwrap_or("resolved").to_string())
    }
}
