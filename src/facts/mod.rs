//! Facts: live AWS state (Trusted Advisor, AWS Health, the support plan), as collected by
//! `--live` / `facts collect` or read from snapshots. Rules read facts, never AWS.
//!
//! A snapshot is versioned JSON (`schemas/facts.schema.json`). Every source (one API, one
//! account) carries its own timestamp and status, so that a partial collection says
//! exactly what is missing and why.

#[cfg(feature = "aws")]
pub mod aws;
pub mod plan;

use crate::model::Instant;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const SCHEMA_VERSION: u32 = 1;

/// A facts snapshot: what AWS said about the model's accounts at collection time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// Format version of this file; runready reads version 1.
    #[schemars(extend("const" = SCHEMA_VERSION))]
    pub schema_version: u32,
    /// When the collection started.
    pub collected_at: Option<Instant>,
    /// One entry per API and account that was asked, with its outcome.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Trusted Advisor recommendations (TrustedAdvisor API) or classic checks (Support API).
    #[serde(default)]
    pub recommendations: Vec<Recommendation>,
    /// AWS Health events that were open or upcoming when collected.
    #[serde(default)]
    pub health_events: Vec<HealthEvent>,
    /// The live support plan of each account: its severity levels (Support API).
    #[serde(default)]
    pub support_plans: Vec<SupportPlan>,
}

/// Which kind of fact a source provides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    TrustedAdvisor,
    Health,
    SupportPlan,
}

impl SourceKind {
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::TrustedAdvisor => "Trusted Advisor",
            SourceKind::Health => "AWS Health",
            SourceKind::SupportPlan => "the support plan",
        }
    }
}

/// How asking one source went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    /// Answered; the facts are complete for this source.
    Ok,
    /// `SubscriptionRequiredException`: the account's plan is below Business.
    SubscriptionRequired,
    /// `AccessDeniedException` (the TrustedAdvisor API's answer to a plan below Business, or IAM).
    AccessDenied,
    /// Could not be read (network, throttling after retries, timeout, credentials); see `message`.
    Error,
}

/// One API asked about one account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub source: SourceKind,
    /// The AWS account id the facts are about.
    pub account: String,
    /// The endpoint region that answered (Health fails over from us-east-1 to us-east-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The API used: `trustedadvisor`, `support` (classic checks, plan), `health` or `health-organization`.
    pub api: String,
    /// When this source answered (or failed).
    pub collected_at: Instant,
    pub status: SourceStatus,
    /// The error or the reason for a fallback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A Trusted Advisor recommendation (or classic check) for one account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    pub account: String,
    /// The Trusted Advisor check id (`7DAFEmoDos`): the `check:CHECK` part of subjects.
    pub check: String,
    /// The recommendation id (TrustedAdvisor API); absent for classic checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation_id: Option<String>,
    pub name: String,
    /// `fault_tolerance`, `operational_excellence`, `service_limits`, `security`, `cost_optimizing`, `performance`.
    #[serde(default)]
    pub pillars: Vec<String>,
    /// `ok`, `warning`, `error` or `not_available`.
    pub status: String,
    /// AWS services it concerns, lowercase as Trusted Advisor writes them (`ec2`); empty: unknown (classic checks).
    #[serde(default)]
    pub aws_services: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<Instant>,
    /// Flagged resources (not `ok`), with their region.
    #[serde(default)]
    pub resources: Vec<FlaggedResource>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlaggedResource {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub status: String,
}

/// An AWS Health event affecting one account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthEvent {
    pub arn: String,
    pub account: String,
    /// Health service code (`EC2`).
    pub service: String,
    pub event_type_code: String,
    /// `issue`, `scheduledChange`, `accountNotification` or `investigation`.
    pub category: String,
    /// Region (`eu-west-1`) or `global`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `open`, `upcoming` or `closed`, as collected.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Affected resources (instance ids, ARNs, ...).
    #[serde(default)]
    pub affected_entities: Vec<String>,
}

/// The severity levels the Support API offers an account: its live plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SupportPlan {
    pub account: String,
    /// Severity codes (`low`, `normal`, `high`, `urgent`, `critical`).
    pub severity_levels: Vec<String>,
}

impl HealthEvent {
    /// Open at `at`: started, and not ended. The collected status decides only when the
    /// event carries no times, so that a snapshot read later gives the same answer as `--at`.
    pub fn open_at(&self, at: jiff::Timestamp) -> bool {
        match (self.start_time, self.end_time) {
            (Some(s), Some(e)) => s.0 <= at && at < e.0,
            (Some(s), None) => s.0 <= at && self.status != "closed",
            (None, Some(e)) => at < e.0 && self.status != "upcoming",
            (None, None) => self.status == "open",
        }
    }

    /// The window the event occupies: start to end, or one hour from start when it has no end.
    pub fn window(&self) -> Option<(jiff::Timestamp, jiff::Timestamp)> {
        let start = self.start_time?.0;
        let end = self.end_time.map(|e| e.0).unwrap_or_else(|| start.saturating_add(jiff::SignedDuration::from_hours(1)).unwrap_or(start));
        Some((start, end.max(start)))
    }
}

/// The scope names this AWS service (or either side names none); case-insensitive, since
/// Trusted Advisor writes `ec2` and Health `EC2`.
pub fn matches_service(scope: &crate::model::AwsScope, codes: &[String]) -> bool {
    scope.services.is_empty() || codes.is_empty() || codes.iter().any(|c| scope.services.iter().any(|s| s.eq_ignore_ascii_case(c)))
}

/// The scope covers this region; `global` and unknown regions concern every scope.
pub fn matches_region(scope: &crate::model::AwsScope, region: Option<&str>) -> bool {
    match region {
        None | Some("global") | Some("") => true,
        Some(r) => scope.regions.is_empty() || scope.regions.iter().any(|s| s == r),
    }
}

impl Facts {
    /// Health events of `category` for the scope's accounts, regions and AWS services.
    pub fn events_for(&self, scope: &crate::model::AwsScope, category: &str) -> Vec<&HealthEvent> {
        self.health_events
            .iter()
            .filter(|e| e.category == category && scope.accounts.contains(&e.account) && matches_service(scope, std::slice::from_ref(&e.service)) && matches_region(scope, e.region.as_deref()))
            .collect()
    }

    pub fn new(collected_at: jiff::Timestamp) -> Self {
        Facts { schema_version: SCHEMA_VERSION, collected_at: Some(Instant(collected_at)), ..Default::default() }
    }

    /// Adds another snapshot: later sources replace earlier ones for the same API and
    /// account, and their facts with them.
    pub fn merge(&mut self, other: Facts) {
        for src in &other.sources {
            let stale = self.sources.iter().find(|s| s.source == src.source && s.account == src.account).map(|s| s.collected_at < src.collected_at).unwrap_or(false);
            if stale {
                self.drop_facts(src.source, &src.account);
                self.sources.retain(|s| !(s.source == src.source && s.account == src.account));
            } else if self.sources.iter().any(|s| s.source == src.source && s.account == src.account) {
                continue;
            }
            self.sources.push(src.clone());
            match src.source {
                SourceKind::TrustedAdvisor => self.recommendations.extend(other.recommendations.iter().filter(|r| r.account == src.account).cloned()),
                SourceKind::Health => self.health_events.extend(other.health_events.iter().filter(|e| e.account == src.account).cloned()),
                SourceKind::SupportPlan => self.support_plans.extend(other.support_plans.iter().filter(|p| p.account == src.account).cloned()),
            }
        }
        self.collected_at = match (self.collected_at, other.collected_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    fn drop_facts(&mut self, kind: SourceKind, account: &str) {
        match kind {
            SourceKind::TrustedAdvisor => self.recommendations.retain(|r| r.account != account),
            SourceKind::Health => self.health_events.retain(|e| e.account != account),
            SourceKind::SupportPlan => self.support_plans.retain(|p| p.account != account),
        }
    }

    /// The outcome of asking `kind` about `account`, if it was asked.
    pub fn source(&self, kind: SourceKind, account: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.source == kind && s.account == account)
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("facts serialise");
        s.push('\n');
        s
    }
}

/// Reads and merges snapshots; an unreadable or invalid file names itself, the line and
/// the column, and what was expected.
pub fn read(paths: &[impl AsRef<Path>]) -> Result<Facts, String> {
    let mut all = Facts { schema_version: SCHEMA_VERSION, ..Default::default() };
    for p in paths {
        let p = p.as_ref();
        let text = crate::read::text(p, crate::read::Kind::Facts).map_err(|e| format!("cannot read {}", crate::read::describe(p, crate::read::Kind::Facts, &e)))?;
        let facts: Facts = serde_json::from_str(&text).map_err(|e| format!("{}:{}:{}: not a facts snapshot: {e}", p.display(), e.line(), e.column()))?;
        if facts.schema_version != SCHEMA_VERSION {
            return Err(format!("{}: facts schema_version {} is not supported (expected {SCHEMA_VERSION})", p.display(), facts.schema_version));
        }
        all.merge(facts);
    }
    Ok(all)
}
