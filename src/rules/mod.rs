//! Built-in rules: one module per family, each with its checks side by side, and the
//! engine that runs them, applies waivers and overrides, and yields [`RuleResult`]s.

mod artifact;
mod aws;
mod coverage;
mod drill;
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

pub use engine::{Evaluation, Options, evaluate};
pub use walk::{describe as describe_walk, miss as timing_miss};

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
    /// Calendars expanded over the horizon, by id: many services share few calendars.
    pub calendars: std::cell::RefCell<std::collections::HashMap<String, Option<std::rc::Rc<crate::time::IntervalSet>>>>,
    /// The timeline, built on first use (only the time rules need it).
    pub timeline: std::cell::OnceCell<crate::time::timeline::Timeline<'a>>,
    /// Segments of each escalation's walk over the horizon, by escalation id.
    pub segments: std::cell::RefCell<std::collections::HashMap<(String, bool), std::rc::Rc<Segments>>>,
    /// The timeline as if nobody took holidays (COV-005), built on first use.
    pub timeline_without_holidays: std::cell::OnceCell<crate::time::timeline::Timeline<'a>>,
    /// Live AWS state, when `--facts` or `--live` gave it.
    pub facts: Option<&'a crate::facts::Facts>,
    /// `--max-facts-age` (AWS-005).
    pub max_facts_age: crate::model::Duration,
    /// `--require facts`: facts missing for an account fail instead of `unknown`.
    pub require_facts: bool,
    /// Drill journals from `--journal`, when given.
    pub journals: Option<&'a [crate::drill::journal::Journal]>,
}

/// Stretches of the horizon on which an escalation's walk gives the same answers.
pub type Segments = Vec<crate::time::timeline::Segment>;

impl<'a> Ctx<'a> {
    pub fn new(model: &'a Model, sources: &'a Sources, at: jiff::Timestamp, horizon: Horizon, display_tz: jiff::tz::TimeZone) -> Self {
        Ctx {
            model,
            sources,
            at,
            horizon,
            display_tz,
            calendars: Default::default(),
            timeline: Default::default(),
            segments: Default::default(),
            timeline_without_holidays: Default::default(),
            facts: None,
            max_facts_age: crate::model::Duration::from_secs(24 * 3600),
            require_facts: false,
            journals: None,
        }
    }

    pub fn timeline(&self) -> &crate::time::timeline::Timeline<'a> {
        self.timeline.get_or_init(|| crate::time::timeline::Timeline::new(self.model, self.horizon))
    }

    /// The walk of escalation `id` over the horizon, in constant segments.
    pub fn segments(&self, id: &str) -> Option<std::rc::Rc<Segments>> {
        self.segments_of(id, true)
    }

    /// Segments as if nobody took holidays.
    pub fn segments_without_holidays(&self, id: &str) -> Option<std::rc::Rc<Segments>> {
        self.segments_of(id, false)
    }

    fn segments_of(&self, id: &str, holidays: bool) -> Option<std::rc::Rc<Segments>> {
        let key = (id.to_string(), holidays);
        if let Some(hit) = self.segments.borrow().get(&key) {
            return Some(hit.clone());
        }
        let esc = self.model.escalations.get(id)?;
        let tl = if holidays { self.timeline() } else { self.timeline_without_holidays.get_or_init(|| crate::time::timeline::Timeline::without_holidays(self.model, self.horizon)) };
        let segs = std::rc::Rc::new(tl.segments(esc, &[]));
        self.segments.borrow_mut().insert(key, segs.clone());
        Some(segs)
    }

    /// Calendar `id` over the timeline's whole span (for clocks that run past the horizon).
    pub fn calendar_over_span(&self, id: &str) -> Option<crate::time::IntervalSet> {
        crate::time::calendar::expand(self.model, id, self.timeline().span)
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
    pub fn calendar(&self, id: &str) -> Option<std::rc::Rc<crate::time::IntervalSet>> {
        if let Some(hit) = self.calendars.borrow().get(id) {
            return hit.clone();
        }
        let set = crate::time::calendar::expand(self.model, id, self.horizon).map(std::rc::Rc::new);
        self.calendars.borrow_mut().insert(id.to_string(), set.clone());
        set
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

    /// The file a value came from, for paths relative to it (runbooks).
    pub fn file_dir(&self, origin: &Origin) -> std::path::PathBuf {
        self.sources.files[origin.file].path.parent().map(|p| p.to_path_buf()).unwrap_or_default()
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
pub fn subject(kind: &str, id: &str) -> String {
    format!("{kind}:{id}")
}
