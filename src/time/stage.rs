//! The time stage of a run: built once, before any rule, from the model and the horizon,
//! and handed to the rules, to the policy request's `derived` and to the renderers. It holds
//! the Timeline, every escalation's segments over the horizon (and as if nobody took
//! holidays, for COV-005), and every calendar expanded over the horizon.
//! Nothing in it is computed lazily: a run reads it, never fills it.
//!
//! It is also the one place that resolves a service to what its walk needs
//! ([`Stage::service`]) and computes its gaps and worst time to engage ([`Timed`]).

use super::coverage::{Worst, staffed, worst};
use super::timeline::{Segment, Timeline, urgency_matters};
use super::walk::Walk;
use super::{Horizon, Interval, IntervalSet, calendar};
use crate::model::{ALWAYS, Entry, Escalation, Model, Service, Severity, Urgency, UrgencyChoice};
use jiff::Timestamp;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

pub struct Stage<'m> {
    pub timeline: Timeline<'m>,
    /// Per escalation and urgency; low urgency only when some notification rule depends on
    /// urgency (otherwise both are the same walk).
    segments: HashMap<&'m str, ByUrgency>,
    segments_without_holidays: HashMap<&'m str, ByUrgency>,
    urgency_matters: bool,
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
/// escalation's segments over the horizon, per severity (urgency may differ by severity).
pub struct Timed<'s> {
    pub escalation_id: &'s str,
    pub escalation: &'s Entry<Escalation>,
    pub required_id: &'s str,
    pub required: &'s IntervalSet,
    /// The walk at high urgency (the default): what does not depend on the severity.
    pub segments: &'s [Segment],
    /// The service's severities, each with the walk of its incidents.
    pub severities: Vec<SeverityTimed<'s>>,
}

/// One severity of a service: the segments of its incidents (at the urgency each instant
/// pages at) and the instants at which they page at low urgency.
pub struct SeverityTimed<'s> {
    pub severity: &'s Entry<Severity>,
    pub segments: Cow<'s, [Segment]>,
    pub low: IntervalSet,
    /// Why an incident pages at low urgency (`service urgency outside uk-business`).
    pub why_low: Option<String>,
}

impl SeverityTimed<'_> {
    pub fn urgency_at(&self, t: Timestamp) -> Urgency {
        if self.low.contains(t) { Urgency::Low } else { Urgency::High }
    }

    /// How a cause names the urgency at `t`, when it is low: `at low urgency (…)`.
    pub fn urgency_note(&self, t: Timestamp) -> String {
        match (self.urgency_at(t), &self.why_low) {
            (Urgency::Low, Some(why)) => format!("at low urgency ({why}): "),
            (Urgency::Low, None) => "at low urgency: ".into(),
            (Urgency::High, _) => String::new(),
        }
    }
}

impl<'s> Timed<'s> {
    /// The gaps: instants of required coverage at which the first step reaches nobody, for
    /// any severity of the service (paging.md, "Coverage per severity").
    pub fn gaps(&self) -> IntervalSet {
        self.required.subtract(&self.staffed())
    }

    /// Staffed coverage: the first step reaches someone, whatever the severity.
    pub fn staffed(&self) -> IntervalSet {
        let mut sets = self.severities.iter().map(|s| staffed(&s.segments));
        let first = sets.next().unwrap_or_else(|| staffed(self.segments));
        sets.fold(first, |all, s| all.intersect(&s))
    }

    /// The severities whose incidents at `t` find the first step reaching nobody.
    pub fn gapped_at(&self, t: Timestamp) -> Vec<&SeverityTimed<'s>> {
        self.severities.iter().filter(|s| !staffed(&s.segments).contains(t)).collect()
    }

    /// A severity of the service by id.
    pub fn severity(&self, id: &str) -> Option<&SeverityTimed<'s>> {
        self.severities.iter().find(|s| s.severity.id == id)
    }

    /// The worst time to engage of `sev`'s incidents over required coverage, on `clock`
    /// (`None`: the wall clock); `None` when no instant of the horizon needs coverage.
    pub fn worst(&self, sev: &str, clock: Option<&IntervalSet>) -> Option<Worst> {
        let segments = self.severity(sev).map_or(self.segments, |s| &s.segments);
        worst(segments, self.required, clock)
    }
}

impl<'m> Stage<'m> {
    pub fn build(model: &'m Model, horizon: Horizon) -> Self {
        Self::build_without(model, horizon, &[])
    }

    /// The stage as if `absent` were away for the whole horizon (`coverage --without`).
    pub fn build_without(model: &'m Model, horizon: Horizon, absent: &[&str]) -> Self {
        let timeline = Timeline::new(model, horizon).with_absent(absent);
        let without_holidays = Timeline::without_holidays(model, horizon);
        // Every escalation's walk is independent of the others': computed on every core.
        let urgency_matters = urgency_matters(model);
        let urgencies: &[Urgency] = if urgency_matters { &[Urgency::High, Urgency::Low] } else { &[Urgency::High] };
        let jobs: Vec<(&'m str, &'m Escalation, Urgency)> = model.escalations.iter().flat_map(|(id, e)| urgencies.iter().map(move |u| (id.as_str(), &**e, *u))).collect();
        let segments = by_urgency(&jobs, crate::par::map(&jobs, |(_, e, u)| timeline.segments(e, &[], *u)));
        let segments_without_holidays = by_urgency(&jobs, crate::par::map(&jobs, |(_, e, u)| without_holidays.segments(e, &[], *u)));
        let calendars = std::iter::once(ALWAYS).chain(model.calendars.keys().map(String::as_str)).filter_map(|id| calendar::expand(model, id, horizon).map(|set| (id, set))).collect();
        let clock_ids = model.severities.iter().filter_map(|s| s.clock.calendar());
        let clocks = clock_ids.filter_map(|id| calendar::expand(model, id, timeline.span).map(|set| (id, set))).collect();
        Stage { timeline, segments, segments_without_holidays, urgency_matters, calendars, clocks }
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
        let severities = model.service_severities(svc).into_iter().map(|sev| self.severity_timed(svc, sev, escalation_id, false)).collect();
        Ok(Timed { escalation_id, escalation, required_id, required, segments, severities })
    }

    /// The segments of `sev`'s incidents on `svc`: high-urgency segments where they page at
    /// high urgency, low-urgency ones where at low.
    pub fn severity_timed<'s>(&'s self, svc: &Service, sev: &'s Entry<Severity>, escalation: &'s str, without_holidays: bool) -> SeverityTimed<'s> {
        let (low, why_low) = self.low_urgency(svc, sev);
        let map = if without_holidays { &self.segments_without_holidays } else { &self.segments };
        let walks = map.get(escalation);
        let high: &[Segment] = walks.map(|w| w.high.as_slice()).unwrap_or_default();
        let segments = match walks.and_then(|w| w.low.as_ref()) {
            Some(lows) if !low.is_empty() => Cow::Owned(splice(high, lows, &low, self.horizon().interval())),
            _ => Cow::Borrowed(high),
        };
        SeverityTimed { severity: sev, segments, low, why_low }
    }

    /// `st`'s segments on another timeline (the same model with someone absent): the walk at
    /// each urgency it pages at, spliced as in [`Stage::severity_timed`].
    pub fn segments_on(&self, tl: &Timeline, escalation: &Escalation, st: &SeverityTimed) -> Vec<Segment> {
        let high = tl.segments(escalation, &[], Urgency::High);
        if !self.urgency_matters || st.low.is_empty() {
            return high;
        }
        let low = tl.segments(escalation, &[], Urgency::Low);
        splice(&high, &low, &st.low, self.horizon().interval())
    }

    /// The incident starts at which `sev`'s incidents on `svc` page at low urgency, and why
    /// (paging.md, "Urgency": the service's rule by support hours, else the severity's own).
    pub fn low_urgency(&self, svc: &Service, sev: &Severity) -> (IntervalSet, Option<String>) {
        let all = IntervalSet::single(self.horizon().interval());
        let pick = |c: UrgencyChoice| pick(c, sev);
        let Some(rule) = &svc.urgency else {
            return if sev.urgency == Urgency::Low { (all, Some(format!("severity {} pages at low urgency", sev.id))) } else { (IntervalSet::default(), None) };
        };
        // Without support hours the rule is constant: `inside` at every instant.
        let hours = rule.support_hours.as_deref().map_or_else(|| all.clone(), |c| self.calendar(c).cloned().unwrap_or_default());
        let name = rule.support_hours.as_deref().unwrap_or("support hours");
        let mut low = IntervalSet::default();
        let mut why = Vec::new();
        if pick(rule.inside) == Urgency::Low {
            low = low.union(&hours);
            why.push(format!("service urgency inside {name}"));
        }
        if pick(rule.outside) == Urgency::Low && rule.support_hours.is_some() {
            low = low.union(&all.subtract(&hours));
            why.push(format!("service urgency outside {name}"));
        }
        let why = (!why.is_empty()).then(|| why.join(", "));
        (low, why)
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
    pub fn walk(&self, escalation: &Escalation, t: Timestamp, u: Urgency) -> Walk {
        self.timeline.walk(escalation, t, u)
    }

    pub fn model(&self) -> &'m Model {
        self.timeline.model
    }

    pub fn horizon(&self) -> Horizon {
        self.timeline.horizon
    }

    /// The walk of escalation `id` over the horizon at high urgency, in constant segments.
    pub fn segments(&self, id: &str) -> Option<&[Segment]> {
        self.segments.get(id).map(|w| w.high.as_slice())
    }

    /// The same, as if nobody took holidays (COV-005: "personal holidays aside").
    pub fn segments_without_holidays(&self, id: &str) -> Option<&[Segment]> {
        self.segments_without_holidays.get(id).map(|w| w.high.as_slice())
    }

    /// Whether some notification rule depends on urgency.
    pub fn urgency_matters(&self) -> bool {
        self.urgency_matters
    }

    /// Calendar `id` over the horizon; `None` when the model has no such calendar.
    pub fn calendar(&self, id: &str) -> Option<&IntervalSet> {
        self.calendars.get(id)
    }
}

/// `high` where an incident pages at high urgency, `low` inside `mask`: one sorted list.
fn splice(high: &[Segment], low: &[Segment], mask: &IntervalSet, span: Interval) -> Vec<Segment> {
    let outside = IntervalSet::single(span).subtract(mask);
    let mut out: Vec<Segment> = Vec::with_capacity(high.len() + low.len());
    for (segments, within) in [(high, &outside), (low, mask)] {
        for s in segments {
            for piece in IntervalSet::single(s.interval).intersect(within).intervals() {
                out.push(Segment { interval: *piece, ..s.clone() });
            }
        }
    }
    out.sort_by_key(|s| s.interval.start);
    out
}

/// The urgency a service's urgency choice gives an incident of `sev`.
pub fn pick(c: UrgencyChoice, sev: &Severity) -> Urgency {
    match c {
        UrgencyChoice::Severity => sev.urgency,
        UrgencyChoice::High => Urgency::High,
        UrgencyChoice::Low => Urgency::Low,
    }
}

/// The urgency of an incident of `sev` on `svc` starting at `t` (paging.md, "Urgency").
pub fn urgency_at(model: &Model, svc: &Service, sev: &Severity, t: Timestamp) -> Urgency {
    let Some(rule) = &svc.urgency else { return sev.urgency };
    let inside = match &rule.support_hours {
        None => true,
        Some(c) => calendar::expand(model, c, Horizon::new(t, crate::model::Duration::from_secs(1))).is_some_and(|set| set.contains(t)),
    };
    pick(if inside { rule.inside } else { rule.outside }, sev)
}

/// An escalation's walk at high urgency, and at low urgency when that differs.
struct ByUrgency {
    high: Vec<Segment>,
    low: Option<Vec<Segment>>,
}

fn by_urgency<'m>(jobs: &[(&'m str, &'m Escalation, Urgency)], results: Vec<Vec<Segment>>) -> HashMap<&'m str, ByUrgency> {
    let mut out: HashMap<&'m str, ByUrgency> = HashMap::new();
    for ((id, _, u), segments) in jobs.iter().zip(results) {
        let e = out.entry(id).or_insert_with(|| ByUrgency { high: Vec::new(), low: None });
        match u {
            Urgency::High => e.high = segments,
            Urgency::Low => e.low = Some(segments),
        }
    }
    out
}
