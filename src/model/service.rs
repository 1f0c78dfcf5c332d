//! Tiers, severities and services: what must be covered, and how fast.

use super::grammar::Spelling;
use super::scalars::{Date, Duration};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a tier of service requires of its support process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Calendar id (or `always`): when the service must be up.
    pub availability: String,
    /// Calendar id (or `always`): when a human must be reachable.
    pub required_coverage: String,
    /// Fewest members a rotation reached by this tier's services may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_rotation_members: Option<u32>,
    /// Longest continuous on-duty stretch for one person (civil time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_consecutive_oncall: Option<Duration>,
    /// A passing drill must be at least this recent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill_interval: Option<Duration>,
    /// A passing vendor process test must be at least this recent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_test_interval: Option<Duration>,
    /// COV-006 (N-1): no single absence may break the severities' targets (opt in).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub n_minus_one: bool,
    /// COV-007: the largest share (0..1] of a rotation's or schedule's duty one person may carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = 1))]
    pub max_load_share: Option<f64>,
}

/// AWS Support case severity codes, least to most severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AwsSeverity {
    /// General guidance.
    Low,
    /// System impaired.
    Normal,
    /// Production system impaired.
    High,
    /// Production system down.
    Urgent,
    /// Business-critical system down.
    Critical,
}

impl AwsSeverity {
    pub const ALL: [AwsSeverity; 5] = [Self::Low, Self::Normal, Self::High, Self::Urgent, Self::Critical];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
            Self::Critical => "critical",
        }
    }
}

/// Response targets of a severity; a missing target is unbounded.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// First human engaged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledge: Option<Duration>,
    /// Vendor case due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engage_vendor: Option<Duration>,
    /// Status updates at least this often.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_every: Option<Duration>,
    /// Service restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<Duration>,
}

impl Targets {
    /// The targets by name, in a fixed order, for rules that compare them pairwise.
    pub fn named(&self) -> [(&'static str, Option<Duration>); 4] {
        [("acknowledge", self.acknowledge), ("engage_vendor", self.engage_vendor), ("update_every", self.update_every), ("restore", self.restore)]
    }
}

/// One internal severity, mapped to an AWS Support severity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Severity {
    /// Unique severity id, e.g. `sev1`.
    #[schemars(extend("pattern" = Spelling::Id.pattern(), "patternErrorMessage" = Spelling::Id.message()))]
    pub id: String,
    /// What the severity means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The AWS Support severity a case for this severity is opened with.
    pub aws_severity: AwsSeverity,
    /// `wall`, or a calendar id whose open time is the only time the response clock runs
    /// (`always`, the built-in calendar, never pauses: it is the wall clock).
    #[serde(default)]
    pub clock: Clock,
    /// Response targets.
    #[serde(default)]
    pub targets: Targets,
    /// The urgency the paging tool gives incidents of this severity: `high` (default) or `low`.
    #[serde(default)]
    pub urgency: Urgency,
}

/// A paging tool's incident urgency: at low urgency only a person's low-urgency (and
/// `any`) notification rules apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    #[default]
    High,
    Low,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::High => "high",
            Urgency::Low => "low",
        }
    }
}

/// Which urgency a service's incidents page at, inside or outside its support hours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UrgencyChoice {
    /// The severity's own `urgency`.
    #[default]
    Severity,
    High,
    Low,
}

/// A service's urgency rule (PagerDuty: the service's incident urgency rule).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceUrgency {
    /// Calendar id: the support hours that decide between `inside` and `outside`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_hours: Option<String>,
    /// Urgency of incidents that start inside the support hours (default `severity`).
    #[serde(default)]
    pub inside: UrgencyChoice,
    /// Urgency of incidents that start outside them (default `low`).
    #[serde(default = "low")]
    pub outside: UrgencyChoice,
}

fn low() -> UrgencyChoice {
    UrgencyChoice::Low
}

/// A severity's response clock, spelled as in the YAML: `wall`, or a calendar id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Clock(pub String);

super::scalars::string_schema!(Clock, "Clock");

impl Default for Clock {
    fn default() -> Self {
        Clock("wall".into())
    }
}

impl Clock {
    /// The calendar the clock runs in, or `None` for the wall clock (`wall`, and the
    /// built-in `always`, which is open at every instant).
    pub fn calendar(&self) -> Option<&str> {
        match self.0.as_str() {
            "wall" | super::ALWAYS => None,
            id => Some(id),
        }
    }

    pub fn is_wall(&self) -> bool {
        self.calendar().is_none()
    }
}

impl std::fmt::Display for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An accepted coverage gap, with its mitigation, until it expires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GapPlan {
    /// What happens instead when nobody is there.
    pub mitigation: String,
    /// Who accepted the gap.
    pub accepted_by: String,
    /// The date after which the gap is no longer accepted.
    pub expires: Date,
}

/// How live AWS state maps onto a service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AwsScope {
    /// AWS account ids.
    #[serde(default, deserialize_with = "super::scalars::account_ids")]
    #[schemars(extend("items" = Spelling::Account.schema()))]
    pub accounts: Vec<String>,
    /// AWS regions, e.g. eu-west-1.
    #[serde(default)]
    pub regions: Vec<String>,
    /// AWS Health service codes, e.g. EC2.
    #[serde(default)]
    pub services: Vec<String>,
}

/// A service the team supports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Unique service id.
    #[schemars(extend("pattern" = Spelling::Id.pattern(), "patternErrorMessage" = Spelling::Id.message()))]
    pub id: String,
    /// What the service is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tier id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Owning team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Version in production; fills vendor request templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_version: Option<String>,
    /// Escalation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<String>,
    /// Calendar id the team declares it covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<String>,
    /// Severity ids that apply (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severities: Option<Vec<String>>,
    /// Vendor ids.
    #[serde(default)]
    pub vendors: Vec<String>,
    /// Runbook ids.
    #[serde(default)]
    pub runbooks: Vec<String>,
    /// Artifact ids.
    #[serde(default)]
    pub artifacts: Vec<String>,
    /// Accepted coverage gaps (COV-001, VND-003) until it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap_plan: Option<GapPlan>,
    /// How live AWS state maps onto this service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsScope>,
    /// The urgency incidents page at, by support hours; default: each severity's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<ServiceUrgency>,
    /// Where the service comes from, e.g. `pagerduty:service/PSVC123`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}
