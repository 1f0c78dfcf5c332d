//! The time stage of a run: built once, before any rule, from the model and the horizon,
//! and handed to the rules, to the policy request's `derived` and to the renderers. It holds
//! the Timeline, every escalation's segments over the horizon (and as if nobody took
//! holidays, for COV-005), and every calendar expanded over the horizon.
//! Nothing in it is computed lazily: a run reads it, never fills it.
//!
//! It is also the one place that resolves a service to what its walk needs
//! ([`Stage::service`]) and computes its gaps and worst time to engage ([`Timed`]).

use super::coverage::{Worst, staffed, worst};
use super::timeline::{Segment, Timeline};
use super::walk::Walk;
use super::{Horizon, IntervalSet, calendar};
use crate::model::{ALWAYS, Entry, Escalation, Model, Service, Severity};
use jiff::Timestamp;
use std::collections::HashMap;
use std::fmt;

pub struct Stage<'m> {
    pub timeline: Timeline<'m>,
    segments: HashMap<&'m str, Vec<Segment>>,
    segments_without_holidays: HashMap<&'m str, Vec<Segment>>,
    calendars: HashMap<&'m str, IntervalSet>,
    /// Every calendar a severity uses as its clock, over the timeline's span (a clock runs
    /// past the horizon while an incident at its end is walked).
    clocks: HashMap<&'m str, IntervalSet>,
}

/// Why a service's walk cannot be simulated (the load rules SM-001/SM-002 report the cause).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unresolved {
    NoTier,
    NoSuchTier(String),
    NoEscalation,
    NoSuchEscalation(String),
    NoSuchCalendar(String),
}

impl fmt::Display for Unresolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unresolved::NoTier => f.write_str("the service has no tier (SM-002)"),
            Unresolved::NoSuchTier(t) => write!(f, "tier `{t}` does not exist (SM-001)"),
            Unresolved::NoEscalation => f.write_str("the service has no escalation (SM-002)"),
            Unresolved::NoSuchEscalation(e) => write!(f, "escalation `{e}` does not exist (SM-001)"),
            Unresolved::NoSuchCalendar(c) => write!(f, "calendar `{c}` does not exist (SM-001)"),
        }
    }
}

/// A service as its walk needs it: its escalation, its tier's required coverage and the
/// escalation's segments over the horizon.
pub struct Timed<'s> {
    pub escalation_id: &'s str,
    pub escalation: &'s Entry<Escalation>,
    pub required_id: &'s str,
    pub required: &'s IntervalSet,
    pub segments: &'s [Segment],
}

impl Timed<'_> {
    /// The gaps: instants of required coverage at which the first step reaches nobody.
    pub fn gaps(&self) -> IntervalSet {
        self.required.subtract(&staffed(self.segments))
    }

    /// The worst time to engage over required coverage, on `clock` (`None`: the wall clock);
    /// `None` when no instant of the horizon needs coverage.
    pub fn worst(&self, clock: Option<&IntervalSet>) -> Option<Worst> {
        worst(self.segments, self.required, clock)
    }
}

impl<'m> Stage<'m> {
    pub fn build(model: &'m Model, horizon: Horizon) -> Self {
        let timeline = Timeline::new(model, horizon);
        let without_holidays = Timeline::without_holidays(model, horizon);
        // Every escalation's walk is independent of the others': computed on every core.
        let escalations: Vec<(&'m str, &'m Escalation)> = model.escalations.iter().map(|(id, e)| (id.as_str(), &**e)).collect();
        let segments = escalations.iter().map(|(id, _)| *id).zip(crate::par::map(&escalations, |(_, e)| timeline.segments(e, &[]))).collect();
        let segments_without_holidays = escalations.iter().map(|(id, _)| *id).zip(crate::par::map(&escalations, |(_, e)| without_holidays.segments(e, &[]))).collect();
        let calendars = std::iter::once(ALWAYS).chain(model.calendars.keys().map(String::as_str)).filter_map(|id| calendar::expand(model, id, horizon).map(|set| (id, set))).collect();
        let clock_ids = model.severities.iter().filter_map(|s| s.clock.calendar());
        let clocks = clock_ids.filter_map(|id| calendar::expand(model, id, timeline.span).map(|set| (id, set))).collect();
        Stage { timeline, segments, segments_without_holidays, calendars, clocks }
    }

    /// What the walk of `svc` needs, or why it cannot be walked.
    pub fn service<'s>(&'s self, svc: &'s Service) -> Result<Timed<'s>, Unresolved> {
        let model = self.model();
        let tier_id = svc.tier.as_deref().ok_or(Unresolved::NoTier)?;
        let tier = model.tiers.get(tier_id).ok_or_else(|| Unresolved::NoSuchTier(tier_id.into()))?;
        let (escalation_id, escalation) =
            svc.escalation.as_deref().ok_or(Unresolved::NoEscalation).and_then(|id| model.escalations.get_key_value(id).ok_or_else(|| Unresolved::NoSuchEscalation(id.into())))?;
        let required_id = tier.required_coverage.as_str();
        let required = self.calendar(required_id).ok_or_else(|| Unresolved::NoSuchCalendar(required_id.into()))?;
        let segments = self.segments(escalation_id).unwrap_or_default();
        Ok(Timed { escalation_id, escalation, required_id, required, segments })
    }

    /// The clock a severity's targets are measured on: `Ok(None)` for the wall clock,
    /// `Err` naming the calendar when it does not exist.
    pub fn clock(&self, sev: &Severity) -> Result<Option<&IntervalSet>, Unresolved> {
        match sev.clock.calendar() {
            None => Ok(None),
            Some(c) => self.clocks.get(c).map(Some).ok_or_else(|| Unresolved::NoSuchCalendar(c.into())),
        }
    }

    /// The walk of an incident at `t` through `escalation`: the cause of a gap or of a
    /// worst time to engage.
    pub fn walk(&self, escalation: &Escalation, t: Timestamp) -> Walk {
        self.timeline.walk(escalation, t)
    }

    pub fn model(&self) -> &'m Model {
        self.timeline.model
    }

    pub fn horizon(&self) -> Horizon {
        self.timeline.horizon
    }

    /// The walk of escalation `id` over the horizon, in constant segments.
    pub fn segments(&self, id: &str) -> Option<&[Segment]> {
        self.segments.get(id).map(Vec::as_slice)
    }

    /// The same, as if nobody took holidays (COV-005: "personal holidays aside").
    pub fn segments_without_holidays(&self, id: &str) -> Option<&[Segment]> {
        self.segments_without_holidays.get(id).map(Vec::as_slice)
    }

    /// Calendar `id` over the horizon; `None` when the model has no such calendar.
    pub fn calendar(&self, id: &str) -> Option<&IntervalSet> {
        self.calendars.get(id)
    }
}
