//! Rotations expanded into who is on duty when.

use super::calendar::expand_weekly;
use super::{Horizon, Interval, IntervalSet, to_instant};
use crate::model::{Model, Rotation, Schedule};
use jiff::Timestamp;

/// A stretch during which one member is on duty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duty {
    pub interval: Interval,
    pub member: String,
    /// In a schedule's final schedule: the layer (rotation id) or `override` that puts the
    /// member on duty; `None` in a rotation's own duties.
    pub via: Option<String>,
}

/// Who is on duty in `rot` during the horizon: turns (civil handoffs), overrides on top,
/// clipped by restrictions. Nobody is on duty before `start`, overrides included.
pub fn duties(rot: &Rotation, horizon: Horizon) -> Vec<Duty> {
    let tz = &rot.timezone.tz;
    let n = rot.members.len() as i64;
    if n == 0 || rot.handoff.as_secs() <= 0 {
        return Vec::new();
    }
    let start = to_instant(rot.start.0, tz);
    let mut turns = Vec::new();
    let mut k = turn_before(rot, horizon.start);
    while let (Some(a), Some(b)) = (turn_start(rot, k), turn_start(rot, k + 1)) {
        if a >= horizon.end {
            break;
        }
        if b > horizon.start {
            turns.push(Duty { interval: Interval { start: a, end: b }, member: rot.members[(k % n) as usize].clone(), via: None });
        }
        k += 1;
    }
    // Overrides replace the turn's member; where overrides overlap, the later one wins.
    let mut overrides: Vec<Duty> = Vec::new();
    for o in &rot.overrides {
        // Nobody is on duty before `start`, by override neither (docs/decisions.md): an
        // override that begins earlier counts from `start` (after a skipped local start
        // has moved forward).
        let interval = Interval { start: to_instant(o.from.0, tz).max(start), end: to_instant(o.to.0, tz) };
        if interval.start >= interval.end {
            continue;
        }
        let this = IntervalSet::single(interval);
        overrides = overrides
            .into_iter()
            .flat_map(|d| IntervalSet::single(d.interval).subtract(&this).intervals().iter().map(|i| Duty { interval: *i, member: d.member.clone(), via: None }).collect::<Vec<_>>())
            .collect();
        overrides.push(Duty { interval, member: o.member.clone(), via: None });
    }
    let over_set = IntervalSet::from_intervals(overrides.iter().map(|d| d.interval).collect());
    let mut out = Vec::new();
    for t in turns {
        for i in IntervalSet::single(t.interval).subtract(&over_set).intervals() {
            out.push(Duty { interval: *i, member: t.member.clone(), via: None });
        }
    }
    out.extend(overrides);
    let mut mask = if rot.restrictions.is_empty() { IntervalSet::single(horizon.interval()) } else { expand_weekly(&rot.restrictions, tz, horizon) };
    // Nobody is on duty before `active_from` or from `active_until` (PagerDuty's layer
    // start and end), by override neither.
    if rot.active_from.is_some() || rot.active_until.is_some() {
        let from = rot.active_from.map_or(horizon.start, |f| to_instant(f.0, tz).max(horizon.start));
        let until = rot.active_until.map_or(horizon.end, |u| to_instant(u.0, tz).min(horizon.end));
        mask = if from < until { mask.intersect(&IntervalSet::single(Interval { start: from, end: until })) } else { IntervalSet::default() };
    }
    let mut clipped: Vec<Duty> = out
        .into_iter()
        .flat_map(|d| {
            let member = d.member.clone();
            IntervalSet::single(d.interval).intersect(&mask).intervals().iter().map(move |i| Duty { interval: *i, member: member.clone(), via: None }).collect::<Vec<_>>()
        })
        .collect();
    clipped.sort_by_key(|d| d.interval);
    clipped
}

/// Who is on duty in a layered schedule (paging.md, "Layers"): the latest-listed override
/// covering the instant, else the highest layer (last in `layers`) with someone on duty,
/// else nobody. `layer` gives each rotation's duties over the same span.
pub fn schedule_duties<'d>(sch: &Schedule, horizon: Horizon, layer: impl Fn(&str) -> &'d [Duty]) -> Vec<Duty> {
    let mut out: Vec<Duty> = Vec::new();
    for id in &sch.layers {
        let named: Vec<Duty> = layer(id).iter().map(|d| Duty { via: Some(id.clone()), ..d.clone() }).collect();
        out = overlay(&out, &named);
    }
    let tz = &sch.timezone.tz;
    for o in &sch.overrides {
        let interval = Interval { start: to_instant(o.from.0, tz), end: to_instant(o.to.0, tz) }.clip(horizon.interval());
        if let Some(interval) = interval {
            out = overlay(&out, &[Duty { interval, member: o.member.clone(), via: Some("override".into()) }]);
        }
    }
    // One stretch per person on duty without a break, whichever layer it came from.
    let mut merged: Vec<Duty> = Vec::with_capacity(out.len());
    for d in out {
        match merged.last_mut() {
            Some(last) if last.interval.end == d.interval.start && last.member == d.member && last.via == d.via => last.interval.end = d.interval.end,
            _ => merged.push(d),
        }
    }
    merged
}

/// `top` over `base`: where `top` has someone on duty it wins; elsewhere `base` shows
/// through. Both sorted and without overlaps; so is the result. Linear in their lengths.
pub fn overlay(base: &[Duty], top: &[Duty]) -> Vec<Duty> {
    let mut out = Vec::with_capacity(base.len() + top.len());
    let mut j = 0;
    for d in base {
        let (mut start, end) = (d.interval.start, d.interval.end);
        while j < top.len() && top[j].interval.end <= start {
            j += 1;
        }
        let mut k = j;
        while start < end {
            match top.get(k) {
                Some(t) if t.interval.start < end => {
                    if t.interval.start > start {
                        out.push(Duty { interval: Interval { start, end: t.interval.start }, member: d.member.clone(), via: d.via.clone() });
                    }
                    start = start.max(t.interval.end);
                    k += 1;
                }
                _ => {
                    out.push(Duty { interval: Interval { start, end }, member: d.member.clone(), via: d.via.clone() });
                    break;
                }
            }
        }
    }
    out.extend(top.iter().cloned());
    out.sort_by_key(|d| d.interval.start);
    out
}

/// The index of the last turn that starts at or before `t` (0 when `t` is before the
/// first): an estimate from elapsed time, corrected by looking at the real turn starts,
/// so that no offset change (DST, 30- and 45-minute zones, skipped days) can make it
/// skip a turn.
pub fn turn_before(rot: &Rotation, t: Timestamp) -> i64 {
    let handoff = rot.handoff.as_secs();
    if handoff <= 0 {
        return 0;
    }
    let elapsed = t.as_second() - to_instant(rot.start.0, &rot.timezone.tz).as_second();
    let mut k = (elapsed / handoff).max(0);
    // Offsets differ by at most a day between two instants, so a few steps suffice; the
    // bound only guards against arithmetic overflow far from `start`.
    for _ in 0..10_000 {
        match turn_start(rot, k) {
            Some(a) if a > t && k > 0 => k -= 1,
            None if k > 0 => k -= 1,
            _ => break,
        }
    }
    k
}

/// The instant at which turn `k` starts (`start + k * handoff`, civil, in the zone).
pub fn turn_start(rot: &Rotation, k: i64) -> Option<Timestamp> {
    let span = jiff::Span::new().days(rot.handoff.days.checked_mul(k)?).seconds(rot.handoff.seconds.checked_mul(k)?);
    let dt = rot.start.0.checked_add(span).ok()?;
    Some(to_instant(dt, &rot.timezone.tz))
}

/// A contact's leave over the horizon: each stretch (dates inclusive, date-times
/// half-open, in the contact's zone or `fallback`) with how causes name it.
pub fn leave_of(model: &Model, contact: &str, fallback: &jiff::tz::TimeZone, horizon: Horizon) -> Vec<(Interval, String)> {
    use crate::model::DateOrTime;
    let Some(c) = model.contact(contact) else { return Vec::new() };
    let tz = c.timezone.as_ref().map(|z| z.tz.clone()).unwrap_or_else(|| fallback.clone());
    let at = |d: jiff::civil::DateTime| to_instant(d, &tz);
    c.leave
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let (start, end, shown) = match (l.from?, l.to?) {
                (DateOrTime::Date(a), DateOrTime::Date(b)) => {
                    (at(a.to_datetime(jiff::civil::Time::midnight())), at(b.tomorrow().ok()?.to_datetime(jiff::civil::Time::midnight())), format!("{a}..{b}"))
                }
                (DateOrTime::DateTime(a), DateOrTime::DateTime(b)) => (at(a), at(b), format!("{}..{}", a.strftime("%Y-%m-%dT%H:%M"), b.strftime("%Y-%m-%dT%H:%M"))),
                _ => return None,
            };
            Interval { start, end }.clip(horizon.interval()).map(|iv| (iv, format!("{shown} (contact:{contact} leave[{i}])")))
        })
        .chain(c.ics_leave.iter().filter_map(|l| Interval { start: l.start, end: l.end }.clip(horizon.interval()).map(|iv| (iv, l.shown.clone()))))
        .collect()
}

/// The instants at which a contact is unreachable because of their own holidays (local
/// dates in their zone, or the given fallback zone).
pub fn holidays_of(model: &Model, contact: &str, fallback: &jiff::tz::TimeZone, horizon: Horizon) -> IntervalSet {
    let Some(c) = model.contact(contact) else { return IntervalSet::default() };
    let tz = c.timezone.as_ref().map(|z| z.tz.clone()).unwrap_or_else(|| fallback.clone());
    let days = c
        .holidays
        .iter()
        .filter_map(|set| model.holidays.get(set))
        .flat_map(|dates| dates.iter())
        .filter_map(|d| {
            let start = to_instant(d.0.to_datetime(jiff::civil::Time::midnight()), &tz);
            let end = to_instant(d.0.tomorrow().ok()?.to_datetime(jiff::civil::Time::midnight()), &tz);
            Some(Interval { start, end })
        })
        .collect();
    IntervalSet::from_intervals(days).clip(horizon.interval())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    #[test]
    fn weekly_turns_keep_wall_time_across_dst() {
        let l = load_str(
            "m.yaml",
            "apiVersion: runready.dev/v1\nkind: SupportModel\nmetadata: { name: t }\ncontacts:\n  - { id: a, kind: person, channels: [{ type: sms, address: '1' }] }\n  - { id: b, kind: person, channels: [{ type: sms, address: '2' }] }\nrotations:\n  r: { timezone: America/New_York, members: [a, b], start: 2026-10-26T09:00, handoff: P1W }\n",
        );
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        let rot = &l.model.rotations["r"];
        let h = Horizon { start: "2026-10-26T13:00:00Z".parse().unwrap(), end: "2026-11-09T14:00:00Z".parse().unwrap() };
        let d = duties(rot, h);
        assert_eq!(d[0].member, "a");
        // The turn spanning the fall-back change is 169 hours long and ends at 09:00 EST.
        assert_eq!(d[0].interval.secs(), 169 * 3600);
        assert_eq!(d[1].interval.start.to_string(), "2026-11-02T14:00:00Z");
        assert_eq!(d[1].member, "b");
    }
}
