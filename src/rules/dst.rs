//! COV-003 (declared in the coverage family): turn starts, override boundaries, active
//! windows and calendar windows that fall on a local time that does not exist or occurs twice.

use super::{Ctx, Out, subject};
use crate::model::*;
use crate::time::to_instant;
use jiff::tz::{AmbiguousOffset, TimeZone};
use serde_json::json;

/// A local date-time that does not exist or occurs twice in `tz`.
fn dst_problem(dt: jiff::civil::DateTime, tz: &TimeZone) -> Option<&'static str> {
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { .. } => None,
        AmbiguousOffset::Gap { .. } => Some("does not exist (clocks spring forward)"),
        AmbiguousOffset::Fold { .. } => Some("occurs twice (clocks fall back)"),
    }
}

pub(super) fn dst_traps(ctx: &Ctx, out: &mut Out) {
    let h = ctx.horizon;
    let in_horizon = |dt: jiff::civil::DateTime, tz: &TimeZone| {
        let t = to_instant(dt, tz);
        t >= h.start && t < h.end
    };
    for (id, rot) in &ctx.model.rotations {
        let tz = &rot.timezone.tz;
        let mut found: Vec<String> = Vec::new();
        if rot.handoff.as_secs() > 0 {
            let mut k = crate::time::rotation::turn_before(rot, h.start);
            while let Ok(dt) = rot.start.0.checked_add(jiff::Span::new().days(rot.handoff.days * k).seconds(rot.handoff.seconds * k)) {
                if to_instant(dt, tz) >= h.end || k > 1_000_000 {
                    break;
                }
                if in_horizon(dt, tz)
                    && let Some(p) = dst_problem(dt, tz)
                {
                    found.push(format!("turn start {} {p}", dt.strftime("%Y-%m-%d %H:%M")));
                }
                k += 1;
            }
        }
        for o in &rot.overrides {
            for dt in [o.from.0, o.to.0] {
                if in_horizon(dt, tz)
                    && let Some(p) = dst_problem(dt, tz)
                {
                    found.push(format!("override boundary {} {p}", dt.strftime("%Y-%m-%d %H:%M")));
                }
            }
        }
        for (what, dt) in [("active_from", rot.active_from), ("active_until", rot.active_until)] {
            if let Some(dt) = dt.filter(|d| in_horizon(d.0, tz))
                && let Some(p) = dst_problem(dt.0, tz)
            {
                found.push(format!("{what} {} {p}", dt.0.strftime("%Y-%m-%d %H:%M")));
            }
        }
        found.extend(window_problems(&rot.restrictions, &[], tz, h));
        report(ctx, out, subject("rotation", id), &rot.origin, &rot.timezone.name, found);
    }
    for (id, sch) in &ctx.model.schedules {
        let tz = &sch.timezone.tz;
        let found: Vec<String> = sch
            .overrides
            .iter()
            .flat_map(|o| [o.from.0, o.to.0])
            .filter(|dt| in_horizon(*dt, tz))
            .filter_map(|dt| dst_problem(dt, tz).map(|p| format!("override boundary {} {p}", dt.strftime("%Y-%m-%d %H:%M"))))
            .collect();
        report(ctx, out, subject("schedule", id), &sch.origin, &sch.timezone.name, found);
    }
    for (id, cal) in &ctx.model.calendars {
        let Some(zone) = &cal.timezone else { continue };
        let found = window_problems(&cal.weekly, &cal.exceptions, &zone.tz, h);
        report(ctx, out, subject("calendar", id), &cal.origin, &zone.name, found);
    }
}

fn window_problems(weekly: &[WeeklyWindow], exceptions: &[CalendarException], tz: &TimeZone, h: crate::time::Horizon) -> Vec<String> {
    let mut found = Vec::new();
    if weekly.is_empty() && exceptions.is_empty() {
        return found;
    }
    let first = h.start.to_zoned(tz.clone()).date();
    let last = h.end.to_zoned(tz.clone()).date();
    for date in first.series(jiff::Span::new().days(1)).take_while(|d| *d <= last) {
        let mut times: Vec<u16> = weekly.iter().filter(|w| w.days.iter().any(|d| d.weekday() == date.weekday())).flat_map(|w| [w.from.minutes, w.to.minutes]).collect();
        times.extend(exceptions.iter().filter(|e| e.date.0 == date).flat_map(|e| [e.from, e.to]).flatten().map(|t| t.minutes));
        for m in times.into_iter().filter(|m| *m < 1440) {
            let dt = date.to_datetime(jiff::civil::Time::new((m / 60) as i8, (m % 60) as i8, 0, 0).unwrap_or_default());
            if let Some(p) = dst_problem(dt, tz) {
                found.push(format!("window boundary {} {p}", dt.strftime("%Y-%m-%d %H:%M")));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

fn report(ctx: &Ctx, out: &mut Out, s: String, origin: &Origin, zone: &str, found: Vec<String>) {
    let _ = ctx;
    if found.is_empty() {
        out.pass(s, origin, format!("no boundary falls on a skipped or repeated local time in {zone}"));
    } else {
        let shown: Vec<&str> = found.iter().take(3).map(String::as_str).collect();
        out.fail(
            s,
            origin,
            format!("{} in {zone}: {}{}", found.len(), shown.join("; "), if found.len() > 3 { "; …" } else { "" }),
            "move the time off the DST change (02:00–03:00 local is the usual trap), e.g. hand over at 09:00",
        )
        .with_evidence(json!({ "zone": zone, "occurrences": found }));
    }
}
