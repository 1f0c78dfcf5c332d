//! Calendars expanded into exact sets of instants over a horizon.

use super::{Horizon, Interval, IntervalSet, to_instant};
use crate::model::{ALWAYS, Calendar, Model, WeeklyWindow};
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

/// The instants at which calendar `id` is open inside `horizon`; `None` when no such
/// calendar exists (SM-001 reports that).
pub fn expand(model: &Model, id: &str, horizon: Horizon) -> Option<IntervalSet> {
    if id == ALWAYS {
        return Some(IntervalSet::single(horizon.interval()));
    }
    let cal = model.calendars.get(id)?;
    Some(expand_calendar(model, cal, horizon))
}

pub fn expand_calendar(model: &Model, cal: &Calendar, horizon: Horizon) -> IntervalSet {
    let tz = cal.timezone.as_ref().map(|z| z.tz.clone()).unwrap_or(TimeZone::UTC);
    let holidays: Vec<Date> = cal.exclude_holidays.iter().filter_map(|set| model.holidays.get(set)).flat_map(|dates| dates.iter().map(|d| d.0)).collect();
    let mut out = Vec::new();
    for date in local_dates(&tz, horizon) {
        let exceptions: Vec<_> = cal.exceptions.iter().filter(|e| e.date.0 == date).collect();
        if !exceptions.is_empty() {
            for e in exceptions {
                if let (false, Some(from), Some(to)) = (e.closed, e.from, e.to) {
                    out.push(window_on(date, from.minutes, to.minutes, &tz));
                }
            }
        } else if !holidays.contains(&date) {
            out.extend(weekly_on(date, &cal.weekly, &tz));
        }
    }
    for r in &cal.ranges {
        out.push(Interval { start: r.from.0, end: r.to.0 });
    }
    IntervalSet::from_intervals(out).clip(horizon.interval())
}

/// Weekly windows alone (rotation restrictions), in `tz`, over the horizon.
pub fn expand_weekly(windows: &[WeeklyWindow], tz: &TimeZone, horizon: Horizon) -> IntervalSet {
    let out = local_dates(tz, horizon).flat_map(|d| weekly_on(d, windows, tz)).collect();
    IntervalSet::from_intervals(out).clip(horizon.interval())
}

fn weekly_on<'a>(date: Date, windows: &'a [WeeklyWindow], tz: &'a TimeZone) -> impl Iterator<Item = Interval> + 'a {
    windows.iter().filter(move |w| w.days.iter().any(|d| d.weekday() == date.weekday())).map(move |w| window_on(date, w.from.minutes, w.to.minutes, tz))
}

/// A window opening on local `date` at `from`; a `to` not after `from` crosses midnight.
fn window_on(date: Date, from: u16, to: u16, tz: &TimeZone) -> Interval {
    let start = local(date, from, tz);
    let end_date = if to <= from { date.tomorrow().unwrap_or(date) } else { date };
    Interval { start, end: local(end_date, to, tz) }
}

fn local(date: Date, minutes: u16, tz: &TimeZone) -> jiff::Timestamp {
    let (date, minutes) = if minutes >= 1440 { (date.tomorrow().unwrap_or(date), minutes - 1440) } else { (date, minutes) };
    let dt = DateTime::from_parts(date, jiff::civil::Time::new((minutes / 60) as i8, (minutes % 60) as i8, 0, 0).unwrap_or_default());
    to_instant(dt, tz)
}

/// Every local date that can hold a window touching the horizon: two days of margin
/// before (a window crossing midnight into a skipped day, as in Apia on 2011-12-30, ends
/// a day later) and one after.
fn local_dates(tz: &TimeZone, horizon: Horizon) -> impl Iterator<Item = Date> {
    let start = horizon.start.to_zoned(tz.clone()).date();
    let first = start.checked_sub(jiff::Span::new().days(2)).unwrap_or(Date::MIN);
    let last = horizon.end.to_zoned(tz.clone()).date().tomorrow().unwrap_or(Date::MAX);
    first.series(jiff::Span::new().days(1)).take_while(move |d| *d <= last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    fn model(yaml: &str) -> Model {
        let l = load_str("m.yaml", &format!("apiVersion: runready.dev/v1\nkind: SupportModel\nmetadata: {{ name: t }}\n{yaml}"));
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        l.model
    }

    fn ts(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn business_hours_with_holiday_and_exception() {
        let m = model(
            "holidays: { uk: [2026-12-25] }\ncalendars:\n  b:\n    timezone: Europe/London\n    weekly: [{ days: [mon, tue, wed, thu, fri], from: \"08:00\", to: \"18:00\" }]\n    exclude_holidays: [uk]\n    exceptions: [{ date: 2026-12-24, from: \"08:00\", to: \"12:00\" }]\n",
        );
        let h = Horizon { start: ts("2026-12-21T00:00:00Z"), end: ts("2026-12-28T00:00:00Z") };
        let set = expand(&m, "b", h).unwrap();
        // Mon-Wed 10h, Thu 4h, Fri (holiday) 0h.
        assert_eq!(set.total_secs(), (30 + 4) * 3600);
        assert!(set.contains(ts("2026-12-24T11:59:00Z")));
        assert!(!set.contains(ts("2026-12-24T12:00:00Z")));
    }

    #[test]
    fn windows_across_midnight_and_dst() {
        let m = model("calendars:\n  n:\n    timezone: America/New_York\n    weekly: [{ days: [sat], from: \"22:00\", to: \"06:00\" }]\n");
        // 2026-11-01 is the fall-back Sunday in New York: Sat 22:00 EDT to Sun 06:00 EST is 9h.
        let h = Horizon { start: ts("2026-10-31T00:00:00Z"), end: ts("2026-11-02T00:00:00Z") };
        assert_eq!(expand(&m, "n", h).unwrap().total_secs(), 9 * 3600);
    }
}
