//! Built-in rules: one module per family, each with its checks side by side, and the
//! engine that runs them, applies waivers and overrides, and yields [`RuleResult`]s.

mod absence;
mod artifact;
mod aws;
mod coverage;
mod drift;
mod drill;
mod dst;
mod engine;
mod escalation;
mod governance;
mod model_rules;
pub mod registry;
pub mod rule;
mod runbook;
mod severity;
mod vendor;
mod walk;

pub use engine::{Evaluation, Options, evaluate, evaluate_on};

use crate::diag::Location;
use crate::load::Sources;
use crate::model::{Level, Model, Origin};
use crate::time::Horizon;
use rule::Rule;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The outcome of one rule for one subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Waived,
    /// Needed input was missing.
    Unknown,
    /// The rule could not be evaluated (a policy crashed or ran out of its limits).
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Waived => "waived",
            Status::Unknown => "unknown",
            Status::Error => "error",
        }
    }
}

/// The waiver (or gap plan) that turned a failure into `waived`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WaiverNote {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// One result of one rule for one subject: the unit every report is rendered from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RuleResult {
    pub rule: String,
    pub title: String,
    pub severity: Level,
    pub status: Status,
    pub subject: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub evidence: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverNote>,
}

/// What every rule can read: the model, where its values came from, and time.
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub sources: &'a Sources,
    pub at: jiff::Timestamp,
    pub horizon: Horizon,
    /// Zone in which instants are shown in messages.
    pub display_tz: jiff::tz::TimeZone,
    /// The run's time stage: timeline, segments and calendars, built before any rule.
    pub stage: &'a crate::time::stage::Stage<'a>,
    /// Live AWS state, when `--facts` or `--live` gave it.
    pub facts: Option<&'a crate::facts::Facts>,
    /// `--max-facts-age` (AWS-005).
    pub max_facts_age: crate::model::Duration,
    /// `--require facts`: facts missing for an account fail instead of `unknown`.
    pub require_facts: bool,
    /// Drill journals from `--journal`, when given.
    pub journals: Option<&'a [crate::drill::journal::Journal]>,
    /// The live side of `--paging DIR`, when given.
    pub paging: Option<&'a Model>,
    /// Every runbook's text, or why it cannot be read: read once per run, before the rules.
    pub runbooks: std::collections::HashMap<String, Result<String, String>>,
}

impl<'a> Ctx<'a> {
    pub fn new(stage: &'a crate::time::stage::Stage<'a>, sources: &'a Sources, at: jiff::Timestamp, display_tz: jiff::tz::TimeZone) -> Self {
        Ctx {
            model: stage.model(),
            sources,
            at,
            horizon: stage.horizon(),
            display_tz,
            stage,
            facts: None,
            max_facts_age: crate::model::Duration::from_secs(24 * 3600),
            require_facts: false,
            journals: None,
            paging: None,
            runbooks: Default::default(),
        }
    }

    pub fn timeline(&self) -> &'a crate::time::timeline::Timeline<'a> {
        &self.stage.timeline
    }

    /// The walk of escalation `id` over the horizon, in constant segments.
    pub fn segments(&self, id: &str) -> Option<&'a [crate::time::timeline::Segment]> {
        self.stage.segments(id)
    }

    /// Segments as if nobody took holidays.
    pub fn segments_without_holidays(&self, id: &str) -> Option<&'a [crate::time::timeline::Segment]> {
        self.stage.segments_without_holidays(id)
    }

    /// Splits gap instants into those an unexpired gap plan accepts (before the end of its
    /// `expires` date, UTC) and those it does not.
    pub fn split_by_gap_plan(&self, plan: Option<&crate::model::GapPlan>, gaps: &crate::time::IntervalSet) -> (crate::time::IntervalSet, crate::time::IntervalSet) {
        let Some(plan) = plan else { return (Default::default(), gaps.clone()) };
        let until = plan.expires.0.tomorrow().unwrap_or(plan.expires.0).to_zoned(jiff::tz::TimeZone::UTC).map(|z| z.timestamp()).unwrap_or(jiff::Timestamp::MAX);
        let cut = crate::time::IntervalSet::single(crate::time::Interval { start: self.horizon.start, end: until.max(self.horizon.start) });
        (gaps.intersect(&cut), gaps.subtract(&cut))
    }

    /// Calendar `id` over the horizon (`None`: no such calendar), expanded once per run.
    pub fn calendar(&self, id: &str) -> Option<&'a crate::time::IntervalSet> {
        self.stage.calendar(id)
    }

    /// True when the UTC date of `--at` is after `date`: a date deadline holds through
    /// the end of its day.
    pub fn past(&self, date: jiff::civil::Date) -> bool {
        self.at.to_zoned(jiff::tz::TimeZone::UTC).date() > date
    }

    /// `Fri 2026-12-25 03:00 America/New_York`: an instant as messages show it.
    pub fn show(&self, t: jiff::Timestamp) -> String {
        crate::time::show::show(t, &self.display_tz)
    }
}

/// Collects results for one rule at a time.
pub struct Out<'c, 'a> {
    ctx: &'c Ctx<'a>,
    rule: &'static Rule,
    pub results: Vec<RuleResult>,
}

impl<'c, 'a> Out<'c, 'a> {
    pub fn new(ctx: &'c Ctx<'a>, rule: &'static Rule) -> Self {
        Out { ctx, rule, results: Vec::new() }
    }

    pub fn push(&mut self, status: Status, subject: impl Into<String>, origin: Option<&Origin>, message: impl Into<String>) -> &mut RuleResult {
        let location = origin.map(|o| self.ctx.sources.locate(o));
        self.results.push(RuleResult {
            rule: self.rule.id.to_string(),
            title: self.rule.title.to_string(),
            severity: self.rule.level,
            status,
            subject: subject.into(),
            message: message.into(),
            location,
            evidence: serde_json::Value::Null,
            help: None,
            waiver: None,
        });
        self.results.last_mut().expect("just pushed")
    }

    pub fn pass(&mut self, subject: impl Into<String>, origin: &Origin, message: impl Into<String>) -> &mut RuleResult {
        self.push(Status::Pass, subject, Some(origin), message)
    }

    pub fn fail(&mut self, subject: impl Into<String>, origin: &Origin, message: impl Into<String>, help: impl Into<String>) -> &mut RuleResult {
        let r = self.push(Status::Fail, subject, Some(origin), message);
        r.help = Some(help.into());
        r
    }

    pub fn unknown(&mut self, subject: impl Into<String>, origin: Option<&Origin>, message: impl Into<String>) -> &mut RuleResult {
        self.push(Status::Unknown, subject, origin, message)
    }
}

impl RuleResult {
    pub fn with_evidence(&mut self, evidence: serde_json::Value) -> &mut Self {
        self.evidence = evidence;
        self
    }
}

/// `service:payments-api`.
pub use crate::model::subject;
