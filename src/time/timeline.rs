//! The Timeline: who is on duty and reachable when, and the escalation walk for an
//! incident at any instant. Everything is precomputed as sorted intervals over the
//! horizon (plus the longest walk), so each question is a binary search.

use super::rotation::{Duty, duties, holidays_of, schedule_duties};
pub use super::walk::{Contacted, Miss, StepVisit, Walk};
use super::{Horizon, Interval, IntervalSet};
use crate::model::{Assignment, ChannelType, Escalation, Model, Target, TargetRef, Urgency};
use jiff::Timestamp;
use std::collections::HashMap;

/// How a contact is first interrupted after a page: delay in seconds and channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirstContact {
    pub delay: i64,
    pub channel: ChannelType,
}

/// The first interruptive contact of a page at urgency `u` (support-model.md,
/// "Reachability", over the rules that apply at `u`: paging.md, "Urgency"); `None` when
/// the page never interrupts the contact. Without notification rules, the first
/// interruptive channel at once, at either urgency.
pub fn first_contact(model: &Model, id: &str, u: Urgency) -> Option<FirstContact> {
    let c = model.contact(id)?;
    if c.always_reachable {
        // Teams staffed 24x7 are contacted at once, on their first channel.
        let channel = c.channels.iter().find(|ch| ch.kind.interruptive()).or(c.channels.first()).map_or(ChannelType::Voice, |ch| ch.kind);
        return Some(FirstContact { delay: 0, channel });
    }
    if c.effective_rules().next().is_none() {
        return c.channels.iter().find(|ch| ch.kind.interruptive()).map(|ch| FirstContact { delay: 0, channel: ch.kind });
    }
    c.rules_at(u).filter(|r| r.channel.interruptive()).min_by_key(|r| r.after.as_secs()).map(|r| FirstContact { delay: r.after.as_secs(), channel: r.channel })
}

/// How a contact is reached: always (a staffed team), and the first interruptive contact
/// at each urgency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Reach {
    pub(super) always: bool,
    high: Option<FirstContact>,
    low: Option<FirstContact>,
}

impl Reach {
    pub(super) fn at(&self, u: Urgency) -> Option<FirstContact> {
        match u {
            Urgency::High => self.high,
            Urgency::Low => self.low,
        }
    }
}

/// Whether any notification rule of the model depends on urgency: if none does, a walk is
/// the same at both urgencies.
pub fn urgency_matters(model: &Model) -> bool {
    model.contacts.iter().any(|c| c.notification_rules.iter().any(|r| r.urgency != crate::model::RuleUrgency::Any))
}

/// Everything the time rules ask, precomputed over a span that covers the horizon and
/// the longest walk from its last instant.
#[derive(Clone)]
pub struct Timeline<'m> {
    pub model: &'m Model,
    pub horizon: Horizon,
    pub span: Horizon,
    duties: HashMap<&'m str, Vec<Duty>>,
    /// Layered schedules' final schedules.
    schedules: HashMap<&'m str, Vec<Duty>>,
    pub(super) away: HashMap<&'m str, IntervalSet>,
    /// Leave (absences.md) per contact, with how causes name each stretch.
    pub(super) leave: HashMap<&'m str, Vec<(Interval, String)>>,
    /// People absent for the whole horizon (N-1, `coverage --without`).
    pub(super) absent: Vec<String>,
    /// Per contact: always reachable, and the first interruptive contact of a page.
    pub(super) contacts: HashMap<&'m str, Reach>,
}

/// A stretch of the horizon on which the walk of an escalation gives the same answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub interval: Interval,
    /// Time to engage in seconds (wall clock); `None`: nobody is ever engaged.
    pub tte: Option<i64>,
    /// The first step reaches someone reachable (staffed coverage).
    pub staffed: bool,
    /// Two consecutive steps that resolve to the same single person: (step, step, person).
    pub repeated: Option<(usize, usize, String)>,
}

/// The longest walk of any escalation, in seconds (all passes and the fallback's delay).
pub fn longest_walk(model: &Model) -> i64 {
    let walks = model.escalations.values().map(|e| walk_length(e)).max().unwrap_or(0);
    walks + 86_400
}

fn walk_length(e: &Escalation) -> i64 {
    let pass: i64 = e.steps.iter().map(|s| s.timeout.as_secs().max(0)).sum();
    pass.saturating_mul(e.repeat.clamp(0, 1000) + 1)
}

impl<'m> Timeline<'m> {
    pub fn new(model: &'m Model, horizon: Horizon) -> Self {
        let mut tl = Self::without_holidays(model, horizon);
        let utc = jiff::tz::TimeZone::UTC;
        tl.leave = model.contacts.iter().filter(|c| !c.leave.is_empty()).map(|c| (c.id.as_str(), super::rotation::leave_of(model, &c.id, &utc, tl.span))).collect();
        tl.away = model
            .contacts
            .iter()
            .map(|c| {
                let leave = tl.leave.get(c.id.as_str()).map(|l| IntervalSet::from_intervals(l.iter().map(|(i, _)| *i).collect())).unwrap_or_default();
                (c.id.as_str(), holidays_of(model, &c.id, &utc, tl.span).union(&leave))
            })
            .collect();
        tl
    }

    /// The same timeline as if nobody took holidays (COV-005 compares declared coverage
    /// with staffed coverage "personal holidays aside").
    pub fn without_holidays(model: &'m Model, horizon: Horizon) -> Self {
        let span = horizon.extended(longest_walk(model));
        let duties: HashMap<&str, Vec<Duty>> = model.rotations.iter().map(|(id, r)| (id.as_str(), duties(r, span))).collect();
        let none: &[Duty] = &[];
        let schedules = model.schedules.iter().map(|(id, s)| (id.as_str(), schedule_duties(s, span, |l| duties.get(l).map_or(none, Vec::as_slice)))).collect();
        let reach = |id: &str| Reach { always: model.contact(id).is_some_and(|c| c.always_reachable), high: first_contact(model, id, Urgency::High), low: first_contact(model, id, Urgency::Low) };
        let contacts = model.contacts.iter().map(|c| (c.id.as_str(), reach(&c.id))).collect();
        Timeline { model, horizon, span, duties, schedules, away: HashMap::new(), leave: HashMap::new(), absent: Vec::new(), contacts }
    }

    /// The same timeline with `people` absent for the whole span: still paged, never
    /// answering (absences.md, "Absence in N-1"). Always-reachable teams are never absent.
    pub fn with_absent(&self, people: &[&str]) -> Timeline<'m> {
        let mut tl = self.clone();
        for p in people {
            if let Some((id, _)) = self.contacts.get_key_value(*p).filter(|(_, r)| !r.always) {
                tl.away.insert(*id, IntervalSet::single(self.span.interval()));
                tl.absent.push(id.to_string());
            }
        }
        tl
    }

    pub fn duties(&self, rotation: &str) -> &[Duty] {
        self.duties.get(rotation).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Which layer (or `override`) of schedule `s` puts its member on duty at `t`.
    pub fn layer_at(&self, s: &str, t: Timestamp) -> Option<&str> {
        duty_at(self.schedule_duties(s), t).and_then(|d| d.via.as_deref())
    }

    /// A schedule's final schedule: who is on duty when.
    pub fn schedule_duties(&self, schedule: &str) -> &[Duty] {
        self.schedules.get(schedule).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Who a rotation or schedule target puts on duty when; `None` for other targets.
    pub fn roster(&self, target: TargetRef) -> Option<&[Duty]> {
        match target {
            TargetRef::Rotation(r) => Some(self.duties(r)),
            TargetRef::Schedule(s) => Some(self.schedule_duties(s)),
            _ => None,
        }
    }

    pub fn away(&self, contact: &str) -> Option<&IntervalSet> {
        self.away.get(contact)
    }

    /// The member of `rotation` on duty at `t`.
    pub fn on_duty(&self, rotation: &str, t: Timestamp) -> Option<&str> {
        on_duty_in(self.duties(rotation), t)
    }

    /// Instants at which rotation `id` has someone on duty who is not on holiday and can
    /// be interrupted.
    pub fn rotation_staffed(&self, id: &str) -> IntervalSet {
        self.staffed_in(self.duties(id))
    }

    /// [`Timeline::rotation_staffed`] for a rotation or schedule target.
    pub fn target_staffed(&self, target: TargetRef) -> IntervalSet {
        self.roster(target).map(|d| self.staffed_in(d)).unwrap_or_default()
    }

    /// Everything `person` is on duty for: the final schedule of every schedule, and every
    /// rotation that is not only a layer of one (paging.md, "Duty counted once").
    pub fn duty_of(&self, person: &str) -> IntervalSet {
        let layered: std::collections::HashSet<&str> = self.model.schedules.values().flat_map(|s| s.layers.iter().map(String::as_str)).collect();
        let direct = self.model.directly_paged_rotations();
        let rotations = self.model.rotations.keys().filter(|r| !layered.contains(r.as_str()) || direct.contains(r.as_str())).flat_map(|r| self.duties(r).iter());
        let all = rotations.chain(self.schedules.values().flatten());
        IntervalSet::from_intervals(all.filter(|d| d.member == person).map(|d| d.interval).collect())
    }

    fn staffed_in(&self, duties: &[Duty]) -> IntervalSet {
        let on = duties.iter().filter(|d| self.contacts.get(d.member.as_str()).is_some_and(|c| c.high.is_some())).flat_map(|d| {
            let away = self.away.get(d.member.as_str()).cloned().unwrap_or_default();
            IntervalSet::single(d.interval).subtract(&away).intervals().to_vec()
        });
        IntervalSet::from_intervals(on.collect())
    }

    /// The name of the holiday set that puts `contact` on holiday at `t`.
    pub(super) fn holiday_set(&self, contact: &str, t: Timestamp) -> String {
        let Some(c) = self.model.contact(contact) else { return String::new() };
        let tz = c.timezone.as_ref().map_or(jiff::tz::TimeZone::UTC, |z| z.tz.clone());
        let date = t.to_zoned(tz).date();
        let set = c.holidays.iter().find(|h| self.model.holidays.get(*h).is_some_and(|d| d.iter().any(|d| d.0 == date))).cloned().unwrap_or_default();
        // A set read from an iCalendar file names the event too.
        match self.model.holiday_events.get(&set).and_then(|e| e.get(&crate::model::Date(date))) {
            Some(event) => format!("{set}: {event} {date}"),
            None => set,
        }
    }

    pub fn on_holiday(&self, contact: &str, t: Timestamp) -> bool {
        self.away.get(contact).is_some_and(|s| s.contains(t))
    }

    /// The contacts a target resolves to at `t`, or why it reaches nobody.
    pub fn resolve(&self, target: &Target, t: Timestamp) -> Result<String, Miss> {
        match target.get() {
            TargetRef::Rotation(r) if self.model.rotations.contains_key(r) => self.on_duty(r, t).map(str::to_string).ok_or_else(|| Miss::NobodyOnDuty(r.to_string())),
            TargetRef::Schedule(s) if self.model.schedules.contains_key(s) => on_duty_in(self.schedule_duties(s), t).map(str::to_string).ok_or_else(|| Miss::NobodyOnDuty(format!("schedule:{s}"))),
            TargetRef::Contact(c) if self.contacts.contains_key(c) => Ok(c.to_string()),
            _ => Err(Miss::Unresolved(target.to_string())),
        }
    }

    /// The instants (in the horizon) at which the walk of `esc` may change: every duty
    /// and holiday boundary of what it pages, shifted back by the offsets at which it
    /// pages them. Between two consecutive breakpoints the walk is the same.
    pub fn breakpoints(&self, esc: &Escalation, extra: &[Timestamp]) -> Vec<Timestamp> {
        let mut offsets: Vec<(i64, &Target)> = Vec::new();
        let mut elapsed = 0i64;
        for _ in 0..=esc.repeat.clamp(0, 1000) {
            for step in &esc.steps {
                for target in &step.notify {
                    offsets.push((elapsed, target));
                }
                elapsed += step.timeout.as_secs().max(0);
            }
        }
        if let Some(f) = &esc.final_fallback {
            offsets.push((elapsed, f));
        }
        let mut points = vec![self.horizon.start];
        points.extend(extra.iter().copied().filter(|t| *t >= self.horizon.start && *t < self.horizon.end));
        for (offset, target) in offsets {
            for b in self.boundaries(target) {
                let p = sub(b, offset);
                if p >= self.horizon.start && p < self.horizon.end {
                    points.push(p);
                }
            }
        }
        points.sort();
        points.dedup();
        points
    }

    /// Instants at which what `target` resolves to, or their reachability, may change.
    fn boundaries(&self, target: &Target) -> Vec<Timestamp> {
        let mut out = Vec::new();
        let mut contacts: Vec<&str> = Vec::new();
        match target.get() {
            TargetRef::Rotation(_) | TargetRef::Schedule(_) => {
                for d in self.roster(target.get()).unwrap_or_default() {
                    out.push(d.interval.start);
                    out.push(d.interval.end);
                    contacts.push(&d.member);
                }
            }
            TargetRef::Contact(c) => contacts.push(c),
            TargetRef::Other(_) => {}
        }
        contacts.sort();
        contacts.dedup();
        for c in contacts {
            if let Some(set) = self.away.get(c) {
                for i in set.intervals() {
                    out.push(i.start);
                    out.push(i.end);
                }
            }
        }
        out
    }

    /// Segments of the horizon on which the walk of `esc` gives the same answers.
    pub fn segments(&self, esc: &Escalation, extra: &[Timestamp], u: Urgency) -> Vec<Segment> {
        let points = self.breakpoints(esc, extra);
        let mut out: Vec<Segment> = Vec::with_capacity(points.len());
        for (i, start) in points.iter().enumerate() {
            let end = points.get(i + 1).copied().unwrap_or(self.horizon.end);
            let seg = self.summary(esc, *start, Interval { start: *start, end }, u);
            match out.last_mut() {
                Some(last) if last.interval.end == *start && last.tte == seg.tte && last.staffed == seg.staffed && last.repeated == seg.repeated => last.interval.end = end,
                _ => out.push(seg),
            }
        }
        out
    }

    /// What `walk(esc, t)` concludes (time to engage, staffed, repeated person) without
    /// building the walk: the hot path of segmentation. Must agree with `walk`; the
    /// oracle test checks both.
    pub fn summary(&self, esc: &Escalation, t: Timestamp, interval: Interval, u: Urgency) -> Segment {
        let mut best: Option<i64> = None;
        let mut staffed = false;
        let mut repeated = None;
        let mut previous: Option<(usize, &str)> = None;
        let mut elapsed = 0i64;
        for pass in 0..=esc.repeat.clamp(0, 1000) as usize {
            for (i, step) in esc.steps.iter().enumerate() {
                let at = add(t, elapsed);
                let timeout = step.timeout.as_secs().max(0);
                // The single person this step resolves to, if it resolves to exactly one.
                let mut single: Option<&str> = None;
                let mut several = false;
                // The earliest contact of the step (all), or its latest and whether anyone
                // it resolves to is missed (round robin: the worst target counts).
                let (mut earliest, mut latest, mut missed) = (None::<i64>, None::<i64>, false);
                for target in &step.notify {
                    let Some(contact) = self.resolve_ref(target, at) else { continue };
                    match single {
                        None => single = Some(contact),
                        Some(s) if s != contact => several = true,
                        Some(_) => {}
                    }
                    let reach = self.contacts.get(contact).copied().unwrap_or_default();
                    let (always, first) = (reach.always, reach.at(u));
                    // Reached within the step: at `after == timeout` the walk has moved on.
                    match first.filter(|f| (always || !self.on_holiday(contact, at)) && f.delay < timeout) {
                        Some(first) => {
                            earliest = Some(earliest.map_or(first.delay, |b| b.min(first.delay)));
                            latest = Some(latest.map_or(first.delay, |b| b.max(first.delay)));
                        }
                        None => missed = true,
                    }
                }
                let reached = if step.assignment == Assignment::RoundRobin { latest.filter(|_| !missed) } else { earliest };
                if let Some(delay) = reached {
                    if pass == 0 && i == 0 {
                        staffed = true;
                    }
                    let when = elapsed + delay;
                    best = Some(best.map_or(when, |b| b.min(when)));
                }
                let current = if several { None } else { single };
                if let (None, Some((j, p)), Some(c)) = (&repeated, previous, current)
                    && p == c
                {
                    repeated = Some((j, i, c.to_string()));
                }
                previous = current.map(|c| (i, c));
                elapsed += timeout;
            }
        }
        if let Some(f) = &esc.final_fallback {
            let at = add(t, elapsed);
            if let Some(contact) = self.resolve_ref(f, at) {
                let reach = self.contacts.get(contact).copied().unwrap_or_default();
                let (always, first) = (reach.always, reach.at(u));
                if let (true, Some(first)) = (always || !self.on_holiday(contact, at), first) {
                    let when = elapsed + first.delay;
                    best = Some(best.map_or(when, |b| b.min(when)));
                }
            }
        }
        Segment { interval, tte: best, staffed, repeated }
    }

    /// The contact a target resolves to at `t`, borrowed; `None` when it reaches nobody.
    fn resolve_ref<'s>(&'s self, target: &'s Target, t: Timestamp) -> Option<&'s str> {
        match target.get() {
            TargetRef::Rotation(r) => self.on_duty(r, t),
            TargetRef::Schedule(s) => on_duty_in(self.schedule_duties(s), t),
            TargetRef::Contact(c) if self.contacts.contains_key(c) => Some(c),
            _ => None,
        }
    }
}

/// The member on duty at `t` in sorted, disjoint duties.
fn on_duty_in(d: &[Duty], t: Timestamp) -> Option<&str> {
    duty_at(d, t).map(|x| x.member.as_str())
}

fn duty_at(d: &[Duty], t: Timestamp) -> Option<&Duty> {
    let i = d.partition_point(|x| x.interval.end <= t);
    d.get(i).filter(|x| x.interval.start <= t)
}

pub fn add(t: Timestamp, secs: i64) -> Timestamp {
    t.checked_add(jiff::SignedDuration::from_secs(secs)).unwrap_or(Timestamp::MAX)
}

pub fn sub(t: Timestamp, secs: i64) -> Timestamp {
    t.checked_sub(jiff::SignedDuration::from_secs(secs)).unwrap_or(Timestamp::MIN)
}
