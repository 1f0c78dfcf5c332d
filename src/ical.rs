//! iCalendar (RFC 5545) holiday calendars (absences.md): the local dates a holiday set's
//! `.ics` file names. Content lines are parsed by the `icalendar` crate's parser; events are
//! read here: all-day and timed `DTSTART`/`DTEND` (or `DURATION`), `TZID`, UTC and floating
//! times (floating: UTC for a holiday set), `RRULE` (`FREQ` DAILY/WEEKLY/MONTHLY/YEARLY with
//! `INTERVAL`, `COUNT`, `UNTIL`, `BYMONTH`, `BYMONTHDAY`, `BYDAY`) with `EXDATE`;
//! `STATUS:CANCELLED` and `TRANSP:TRANSPARENT` events are skipped. Anything else that
//! changes which dates an event covers (`RDATE`, other `RRULE` parts) is an error naming
//! the line, never ignored.

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use std::collections::BTreeSet;

/// A problem in an `.ics` file: its line (1-based) and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct IcsError {
    pub line: usize,
    pub message: String,
}

/// The last date an unbounded recurrence is expanded to (and the most dates one file gives).
const LAST_YEAR: i16 = 2100;
const MAX_DATES: usize = 200_000;

/// Where an event's times are: an all-day date, UTC, a named zone, or floating (the
/// reader's zone: UTC for a holiday set, the contact's for leave).
#[derive(Clone, Debug, PartialEq)]
pub enum Zone {
    AllDay,
    Utc,
    Named(TimeZone),
    Floating,
}

/// One occurrence of an event: its local start, where that is, its length, what it is.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub start: DateTime,
    pub zone: Zone,
    pub seconds: i64,
    pub summary: String,
    pub line: usize,
}

impl Occurrence {
    /// The instants it covers, floating times read in `floating`.
    pub fn instants(&self, floating: &TimeZone) -> (jiff::Timestamp, jiff::Timestamp) {
        let tz = match &self.zone {
            Zone::AllDay | Zone::Floating => floating.clone(),
            Zone::Utc => TimeZone::UTC,
            Zone::Named(z) => z.clone(),
        };
        let start = crate::time::to_instant(self.start, &tz);
        let end = match self.zone {
            // All-day lengths are whole local days.
            Zone::AllDay => crate::time::to_instant(self.start.checked_add(jiff::Span::new().days(self.seconds / 86_400)).unwrap_or(self.start), &tz),
            _ => start.checked_add(jiff::SignedDuration::from_secs(self.seconds)).unwrap_or(start),
        };
        (start, end)
    }
}

/// The local dates of every event of the file (for a holiday set): the dates each
/// occurrence touches in its own zone (floating: UTC).
pub fn holiday_dates(text: &str) -> Result<Vec<Date>, IcsError> {
    Ok(holiday_days(text)?.into_iter().map(|(d, _, _)| d).collect())
}

/// [`holiday_dates`] with, for each date, the first event's summary and line.
pub fn holiday_days(text: &str) -> Result<Vec<(Date, String, usize)>, IcsError> {
    let mut dates = std::collections::BTreeMap::new();
    for o in occurrences(text)? {
        let end = o.start.checked_add(jiff::SignedDuration::from_secs((o.seconds - 1).max(0))).unwrap_or(o.start);
        let mut d = o.start.date();
        while d <= end.date() {
            dates.entry(d).or_insert_with(|| (o.summary.clone(), o.line));
            d = d.tomorrow().map_err(|e| IcsError { line: o.line, message: e.to_string() })?;
            if dates.len() > MAX_DATES {
                return Err(IcsError { line: o.line, message: format!("more than {MAX_DATES} dates") });
            }
        }
    }
    Ok(dates.into_iter().map(|(d, (s, l))| (d, s, l)).collect())
}

/// Every occurrence of every event that counts (not cancelled, not transparent).
pub fn occurrences(text: &str) -> Result<Vec<Occurrence>, IcsError> {
    let unfolded = icalendar::parser::unfold(text);
    let components = icalendar::parser::read_calendar(&unfolded).map_err(|e| IcsError { line: 1, message: format!("not an iCalendar file: {}", e.lines().next().unwrap_or("")) })?;
    let starts = event_lines(text);
    let mut out = Vec::new();
    for (n, ev) in components.components.iter().filter(|c| c.name == "VEVENT").enumerate() {
        let line = starts.get(n).copied().unwrap_or(1);
        let prop = |name: &str| ev.properties.iter().find(|p| p.name == name);
        if prop("STATUS").is_some_and(|p| p.val.as_str().eq_ignore_ascii_case("CANCELLED")) || prop("TRANSP").is_some_and(|p| p.val.as_str().eq_ignore_ascii_case("TRANSPARENT")) {
            continue;
        }
        if prop("RDATE").is_some() {
            return Err(IcsError { line: property_line(text, line, "RDATE"), message: "RDATE is not supported (it adds occurrences runready would not see)".into() });
        }
        let start = prop("DTSTART").ok_or(IcsError { line, message: "VEVENT without DTSTART".into() })?;
        let (first, zone) = point(start.val.as_str(), tzid(start)).map_err(|m| IcsError { line: property_line(text, line, "DTSTART"), message: m })?;
        // The event's length, in days for all-day events and seconds for timed ones.
        let seconds = match (prop("DTEND"), prop("DURATION")) {
            (Some(end), _) => {
                let (e, _) = point(end.val.as_str(), tzid(end)).map_err(|m| IcsError { line: property_line(text, line, "DTEND"), message: m })?;
                e.duration_since(first).as_secs().max(0)
            }
            (None, Some(d)) => duration(d.val.as_str()).map_err(|m| IcsError { line: property_line(text, line, "DURATION"), message: m })?,
            (None, None) if zone == Zone::AllDay => 86_400,
            (None, None) => 0,
        };
        let excluded: BTreeSet<DateTime> = ev
            .properties
            .iter()
            .filter(|p| p.name == "EXDATE")
            .flat_map(|p| p.val.as_str().split(',').map(move |v| point(v.trim(), tzid(p)).map(|x| x.0)))
            .collect::<Result<_, _>>()
            .map_err(|m| IcsError { line: property_line(text, line, "EXDATE"), message: m })?;
        let starts = match prop("RRULE") {
            None => vec![first],
            Some(r) => expand(first, r.val.as_str()).map_err(|m| IcsError { line: property_line(text, line, "RRULE"), message: m })?,
        };
        let summary = prop("SUMMARY").map(|p| p.val.as_str().to_string()).unwrap_or_else(|| "(no summary)".into());
        out.extend(starts.into_iter().filter(|o| !excluded.contains(o)).map(|o| Occurrence { start: o, zone: zone.clone(), seconds, summary: summary.clone(), line }));
        if out.len() > MAX_DATES {
            return Err(IcsError { line, message: format!("more than {MAX_DATES} occurrences") });
        }
    }
    Ok(out)
}

/// The line of each `BEGIN:VEVENT`, in order.
fn event_lines(text: &str) -> Vec<usize> {
    text.lines().enumerate().filter(|(_, l)| l.trim_end().eq_ignore_ascii_case("BEGIN:VEVENT")).map(|(i, _)| i + 1).collect()
}

/// The line of a property within the event that starts at `from`.
fn property_line(text: &str, from: usize, name: &str) -> usize {
    text.lines().enumerate().skip(from).find(|(_, l)| l.starts_with(name) && l[name.len()..].starts_with([':', ';'])).map_or(from, |(i, _)| i + 1)
}

fn tzid<'a>(p: &'a icalendar::parser::Property) -> Option<&'a str> {
    p.params.iter().find(|x| x.key == "TZID").and_then(|x| x.val.as_ref()).map(|v| v.as_str())
}

/// A DATE or DATE-TIME value as a local date-time, and where it is.
fn point(v: &str, tzid: Option<&str>) -> Result<(DateTime, Zone), String> {
    let bad = || format!("`{v}` is not an iCalendar DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS[Z])");
    if v.len() == 8 {
        let d = Date::strptime("%Y%m%d", v).map_err(|_| bad())?;
        return Ok((d.to_datetime(jiff::civil::Time::midnight()), Zone::AllDay));
    }
    let (body, utc) = v.strip_suffix('Z').map_or((v, false), |b| (b, true));
    let dt = DateTime::strptime("%Y%m%dT%H%M%S", body).map_err(|_| bad())?;
    let zone = match (utc, tzid) {
        (true, _) => Zone::Utc,
        (false, None) => Zone::Floating,
        (false, Some(id)) => Zone::Named(
            crate::model::scalars::zone(id)
                .or_else(|| crate::model::scalars::zone(windows_zone(id).unwrap_or(id)))
                .ok_or_else(|| format!("TZID `{id}` is not an IANA time zone (or a Windows zone name runready knows)"))?,
        ),
    };
    Ok((dt, zone))
}

/// The IANA zone of the Windows zone names Outlook and Exchange exports use most.
fn windows_zone(id: &str) -> Option<&'static str> {
    Some(match id {
        "GMT Standard Time" => "Europe/London",
        "W. Europe Standard Time" => "Europe/Berlin",
        "Romance Standard Time" => "Europe/Paris",
        "Central Europe Standard Time" => "Europe/Budapest",
        "Central European Standard Time" => "Europe/Warsaw",
        "E. Europe Standard Time" => "Europe/Chisinau",
        "FLE Standard Time" => "Europe/Kiev",
        "Eastern Standard Time" => "America/New_York",
        "Central Standard Time" => "America/Chicago",
        "Mountain Standard Time" => "America/Denver",
        "Pacific Standard Time" => "America/Los_Angeles",
        "India Standard Time" => "Asia/Kolkata",
        "Tokyo Standard Time" => "Asia/Tokyo",
        "China Standard Time" => "Asia/Shanghai",
        "Singapore Standard Time" => "Asia/Singapore",
        "AUS Eastern Standard Time" => "Australia/Sydney",
        "UTC" | "Coordinated Universal Time" => "UTC",
        _ => return None,
    })
}

/// A DURATION value (`P1D`, `PT8H`, `P1W`) in seconds.
fn duration(v: &str) -> Result<i64, String> {
    let d: crate::model::Duration = v.parse().map_err(|e| format!("DURATION `{v}`: {e}"))?;
    Ok(d.as_secs())
}

/// Occurrence starts of a recurrence, from `first` to its end (or `LAST_YEAR`).
fn expand(first: DateTime, rule: &str) -> Result<Vec<DateTime>, String> {
    let mut freq = None;
    let (mut interval, mut count, mut until) = (1i64, None::<usize>, None::<DateTime>);
    let (mut months, mut monthdays, mut days): (Vec<i8>, Vec<i8>, Vec<(i8, Weekday)>) = (Vec::new(), Vec::new(), Vec::new());
    for part in rule.split(';').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').ok_or(format!("RRULE part `{part}` is not KEY=VALUE"))?;
        match k {
            "FREQ" => freq = Some(v.to_string()),
            "INTERVAL" => interval = v.parse().map_err(|_| format!("INTERVAL `{v}`"))?,
            "COUNT" => count = Some(v.parse().map_err(|_| format!("COUNT `{v}`"))?),
            "UNTIL" => until = Some(point(v, None)?.0),
            "BYMONTH" => months = v.split(',').map(|x| x.parse().map_err(|_| format!("BYMONTH `{x}`"))).collect::<Result<_, _>>()?,
            "BYMONTHDAY" => monthdays = v.split(',').map(|x| x.parse().map_err(|_| format!("BYMONTHDAY `{x}`"))).collect::<Result<_, _>>()?,
            "BYDAY" => days = v.split(',').map(byday).collect::<Result<_, _>>()?,
            "WKST" => {}
            other => return Err(format!("RRULE part {other} is not supported")),
        }
    }
    let freq = freq.ok_or("RRULE without FREQ")?;
    let interval = interval.max(1);
    let end = until.unwrap_or_else(|| DateTime::constant(LAST_YEAR, 12, 31, 23, 59, 59, 0));
    let mut out = Vec::new();
    let mut period = 0i64;
    while out.len() < count.unwrap_or(usize::MAX) && out.len() <= MAX_DATES {
        let base = match freq.as_str() {
            "DAILY" => first.checked_add(jiff::Span::new().days(period * interval)),
            "WEEKLY" => first.checked_add(jiff::Span::new().weeks(period * interval)),
            "MONTHLY" => first.date().first_of_month().checked_add(jiff::Span::new().months(period * interval)).map(|d| d.to_datetime(first.time())),
            "YEARLY" => first.date().with().month(1).day(1).build().and_then(|d| d.checked_add(jiff::Span::new().years(period * interval))).map(|d| d.to_datetime(first.time())),
            other => return Err(format!("FREQ={other} is not supported")),
        }
        .map_err(|e| e.to_string())?;
        if base.date() > end.date() {
            break;
        }
        let mut candidates = candidates(&freq, base, first, &months, &monthdays, &days);
        candidates.sort();
        for c in candidates.into_iter().filter(|c| *c >= first && *c <= end) {
            if out.len() >= count.unwrap_or(usize::MAX) {
                break;
            }
            out.push(c);
        }
        period += 1;
        if period > 100_000 {
            break;
        }
    }
    Ok(out)
}

fn byday(x: &str) -> Result<(i8, Weekday), String> {
    let (n, d) = x.split_at(x.len().saturating_sub(2));
    let day = match d {
        "MO" => Weekday::Monday,
        "TU" => Weekday::Tuesday,
        "WE" => Weekday::Wednesday,
        "TH" => Weekday::Thursday,
        "FR" => Weekday::Friday,
        "SA" => Weekday::Saturday,
        "SU" => Weekday::Sunday,
        _ => return Err(format!("BYDAY `{x}`")),
    };
    let n = if n.is_empty() { 0 } else { n.trim_start_matches('+').parse().map_err(|_| format!("BYDAY `{x}`"))? };
    Ok((n, day))
}

/// The occurrences a period yields (the month or year that `base` starts, the week or day).
fn candidates(freq: &str, base: DateTime, first: DateTime, months: &[i8], monthdays: &[i8], days: &[(i8, Weekday)]) -> Vec<DateTime> {
    let at = |d: Date| d.to_datetime(first.time());
    match freq {
        "DAILY" => vec![base].into_iter().filter(|b| (months.is_empty() || months.contains(&b.month())) && (days.is_empty() || days.iter().any(|(_, w)| *w == b.weekday()))).collect(),
        "WEEKLY" if days.is_empty() => vec![base],
        "WEEKLY" => {
            let monday = base.date().checked_sub(jiff::Span::new().days(i64::from(base.weekday().to_monday_zero_offset()))).unwrap_or(base.date());
            days.iter().filter_map(|(_, w)| monday.checked_add(jiff::Span::new().days(i64::from(w.to_monday_zero_offset()))).ok()).map(at).collect()
        }
        "MONTHLY" => month_days(base.date(), monthdays, days, first.date()).into_iter().map(at).collect(),
        _ => {
            // YEARLY: the months asked for (default: the first occurrence's month).
            let ms: Vec<i8> = if months.is_empty() { vec![first.month()] } else { months.to_vec() };
            let mdays: Vec<i8> = if monthdays.is_empty() && days.is_empty() { vec![first.day()] } else { monthdays.to_vec() };
            ms.iter().filter_map(|m| base.date().with().month(*m).day(1).build().ok()).flat_map(|m| month_days(m, &mdays, days, first.date())).map(at).collect()
        }
    }
}

/// The days of the month starting at `month` that the BYMONTHDAY / BYDAY parts select
/// (default: the first occurrence's day of the month).
fn month_days(month: Date, monthdays: &[i8], days: &[(i8, Weekday)], first: Date) -> Vec<Date> {
    let len = month.days_in_month();
    let day = |n: i8| -> Option<Date> {
        let d = if n < 0 { len + 1 + n } else { n };
        (1..=len).contains(&d).then(|| month.with().day(d).build().ok()).flatten()
    };
    let mut out: Vec<Date> = monthdays.iter().filter_map(|n| day(*n)).collect();
    for (n, w) in days {
        let all: Vec<Date> = (1..=len).filter_map(day).filter(|d| d.weekday() == *w).collect();
        match *n {
            0 => out.extend(all),
            n if n > 0 => out.extend(all.get(n as usize - 1).copied()),
            n => out.extend(all.len().checked_sub((-n) as usize).and_then(|i| all.get(i).copied())),
        }
    }
    if monthdays.is_empty() && days.is_empty() {
        out.extend(day(first.day()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal(events: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n{events}END:VCALENDAR\r\n")
    }

    #[test]
    fn all_day_timed_recurring_and_skipped_events() {
        let text = cal(concat!(
            "BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Christmas\r\nDTSTART;VALUE=DATE:20261225\r\nDURATION:P2D\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nUID:2\r\nSUMMARY:Offsite\r\nDTSTART;TZID=America/New_York:20261130T200000\r\nDTEND;TZID=America/New_York:20261201T010000\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nUID:3\r\nSUMMARY:Thanksgiving\r\nDTSTART;VALUE=DATE:20261126\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;COUNT=2\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nUID:4\r\nSUMMARY:Cancelled\r\nSTATUS:CANCELLED\r\nDTSTART;VALUE=DATE:20260101\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nUID:5\r\nSUMMARY:Weekly\r\nDTSTART;VALUE=DATE:20260105\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE;VALUE=DATE:20260112\r\nEND:VEVENT\r\n",
        ));
        let d: Vec<String> = holiday_dates(&text).unwrap().into_iter().map(|d| d.to_string()).collect();
        assert_eq!(d, vec!["2026-01-05", "2026-01-19", "2026-11-26", "2026-11-30", "2026-12-01", "2026-12-25", "2026-12-26", "2027-11-25"]);
    }

    #[test]
    fn unsupported_parts_name_their_line() {
        let text = cal("BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261225\r\nRRULE:FREQ=YEARLY;BYSETPOS=1\r\nEND:VEVENT\r\n");
        assert_eq!(holiday_dates(&text).unwrap_err(), IcsError { line: 7, message: "RRULE part BYSETPOS is not supported".into() });
        let text = cal("BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261225\r\nRDATE;VALUE=PERIOD:20261201T000000Z/PT1H\r\nEND:VEVENT\r\n");
        assert_eq!(holiday_dates(&text).unwrap_err().line, 7);
        let text = cal("BEGIN:VEVENT\r\nUID:1\r\nDTSTART;TZID=Mars/Olympus:20261225T000000\r\nEND:VEVENT\r\n");
        assert!(holiday_dates(&text).unwrap_err().message.contains("TZID `Mars/Olympus`"));
    }
}
