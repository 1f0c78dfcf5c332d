//! Vendors and the request templates their cases are written from.

use super::grammar::Spelling;
use super::scalars::{Duration, TimeZone};
use super::service::AwsSeverity;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What kind of vendor this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VendorKind {
    /// AWS Support, on one of its plans.
    AwsSupport,
    /// Any other vendor with a support contract.
    External,
}

/// AWS Support plans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AwsPlan {
    Basic,
    Developer,
    Business,
    BusinessPlus,
    EnterpriseOnRamp,
    Enterprise,
    UnifiedOperations,
}

impl AwsPlan {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Developer => "developer",
            Self::Business => "business",
            Self::BusinessPlus => "business-plus",
            Self::EnterpriseOnRamp => "enterprise-on-ramp",
            Self::Enterprise => "enterprise",
            Self::UnifiedOperations => "unified-operations",
        }
    }
}

/// Subject and severity of the test case a process-test drill opens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// Case subject; AWS asks for "TEST CASE-Please ignore".
    pub subject: String,
    /// Case severity, normally `low`.
    pub severity: AwsSeverity,
}

/// A vendor that supports one or more services.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend(
    "if" = { "required": ["kind"], "properties": { "kind": { "const": "aws_support" } } },
    "then" = { "required": ["plan"], "properties": { "plan": { "type": "string" } } }
))]
pub struct Vendor {
    /// `aws_support` or `external`.
    pub kind: VendorKind,
    /// AWS account ids covered by this support plan (`aws_support`).
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "super::scalars::account_ids")]
    #[schemars(extend("items" = Spelling::Account.schema()))]
    pub accounts: Vec<String>,
    /// The declared AWS Support plan (`aws_support`, required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<AwsPlan>,
    /// IANA zone of business-hours response clocks (Developer plan); default UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<TimeZone>,
    /// Request template id for cases with this vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_template: Option<String>,
    /// The test case a process-test drill opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_case: Option<TestCase>,
    /// How to reach an external vendor's support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Calendar id: the vendor's contracted support hours (`external`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<String>,
    /// First-response times by AWS-style severity code (`external`), counted inside `coverage`.
    #[serde(default, skip_serializing_if = "indexmap::IndexMap::is_empty")]
    pub response: indexmap::IndexMap<AwsSeverity, Duration>,
}

/// The body of a support request, with the fields it must contain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestTemplate {
    /// Fields every request must fill.
    #[serde(default)]
    pub required_fields: Vec<String>,
    /// minijinja template of the request body; a missing field is an error.
    pub body: String,
}
