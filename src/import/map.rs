//! PagerDuty objects (REST API v2 JSON) as model objects (paging.md, "Import"): users →
//! contacts, schedule layers → rotations, schedules → layered schedules, escalation
//! policies → escalations, services → support-hours calendars and service entries. What the
//! model cannot express is a warning naming the PagerDuty id, never dropped silently.

use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Readable, stable ids: slugs of names, unique per section (a clash takes the PagerDuty
/// id as a suffix, so an id never depends on which other objects were imported).
#[derive(Default)]
pub struct Slugs {
    taken: BTreeMap<String, String>,
    by_source: BTreeMap<String, String>,
}

impl Slugs {
    /// The id for the object with PagerDuty id `pd` and `name`; the same on every call.
    pub fn id(&mut self, pd: &str, name: &str) -> String {
        if let Some(id) = self.by_source.get(pd) {
            return id.clone();
        }
        let base = slug(name);
        let id = match self.taken.get(&base) {
            Some(owner) if owner != pd => format!("{base}-{}", slug(pd)),
            _ => base,
        };
        self.taken.insert(id.clone(), pd.to_string());
        self.by_source.insert(pd.to_string(), id.clone());
        id
    }
}

/// `Alice Smith` → `alice-smith`; nothing usable → `x`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let t = out.trim_matches('-').to_string();
    if t.is_empty() { "x".into() } else { t }
}

/// An RFC 3339 instant as a local date-time in `tz`, to the minute; `None` when it does
/// not parse. The second flag says seconds were cut.
pub fn local(instant: &str, tz: &jiff::tz::TimeZone) -> Option<(String, bool)> {
    let t: jiff::Timestamp = instant.parse().ok()?;
    let dt = t.to_zoned(tz.clone()).datetime();
    Some((dt.strftime("%Y-%m-%dT%H:%M").to_string(), dt.second() != 0 || dt.subsec_nanosecond() != 0))
}

/// A turn length in seconds as a civil duration (`P1W`, `P1D`, `PT12H`, `P1DT6H`).
pub fn duration(secs: i64) -> String {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let mut out = String::from("P");
    if days > 0 && days % 7 == 0 && rest == 0 {
        return format!("P{}W", days / 7);
    }
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if rest > 0 || days == 0 {
        out.push('T');
        let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if s > 0 || (h == 0 && m == 0) {
            out.push_str(&format!("{s}S"));
        }
    }
    out
}

const WEEK: u32 = 7 * 1440;
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A layer's restrictions as weekly windows: PagerDuty's (start of day, duration) pairs,
/// daily or from a day of the week, are minutes of the week; they are united and cut at
/// each midnight, and days with the same hours share a window. `Err` names what cannot be
/// read.
pub fn restrictions(list: &[Value]) -> Result<Vec<Value>, String> {
    let mut covered = vec![false; WEEK as usize];
    for r in list {
        let kind = r.get("type").and_then(Value::as_str).unwrap_or("");
        let start = r.get("start_time_of_day").and_then(Value::as_str).and_then(time_of_day).ok_or_else(|| format!("restriction without a readable start_time_of_day: {r}"))?;
        let secs = r.get("duration_seconds").and_then(Value::as_i64).ok_or_else(|| format!("restriction without duration_seconds: {r}"))?;
        if !(60..=i64::from(WEEK) * 60).contains(&secs) {
            return Err(format!("a restriction of {secs} s (a restriction lasts from a minute to a week)"));
        }
        let minutes = (secs / 60) as u32;
        let starts: Vec<u32> = match kind {
            "daily_restriction" => (0..7).map(|d| d * 1440 + start).collect(),
            "weekly_restriction" => {
                let day = r.get("start_day_of_week").and_then(Value::as_u64).filter(|d| (1..=7).contains(d)).ok_or_else(|| format!("weekly restriction without start_day_of_week 1..7: {r}"))? as u32;
                vec![(day - 1) * 1440 + start]
            }
            other => return Err(format!("restriction type `{other}` is not daily_restriction or weekly_restriction")),
        };
        for s in starts {
            for m in 0..minutes.min(WEEK) {
                covered[((s + m) % WEEK) as usize] = true;
            }
        }
    }
    // Per day, its covered stretches; then one window per distinct stretch with its days.
    let mut by_hours: BTreeMap<(u32, u32), Vec<usize>> = BTreeMap::new();
    for day in 0..7usize {
        let mut m = 0u32;
        while m < 1440 {
            if covered[day * 1440 + m as usize] {
                let from = m;
                while m < 1440 && covered[day * 1440 + m as usize] {
                    m += 1;
                }
                by_hours.entry((from, m)).or_default().push(day);
            } else {
                m += 1;
            }
        }
    }
    if covered.iter().all(|c| *c) {
        return Ok(Vec::new());
    }
    let mut windows: Vec<(usize, Value)> =
        by_hours.into_iter().map(|((from, to), days)| (days[0], json!({ "days": days.iter().map(|d| DAYS[*d]).collect::<Vec<_>>(), "from": hhmm(from), "to": hhmm(to) }))).collect();
    windows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1["from"].as_str().cmp(&b.1["from"].as_str())));
    Ok(windows.into_iter().map(|(_, w)| w).collect())
}

fn time_of_day(s: &str) -> Option<u32> {
    let mut it = s.trim_end_matches('Z').split(':');
    let h: u32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn hhmm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// A contact method as a channel type; `None` for types the model has no channel for.
pub fn channel(kind: &str) -> Option<&'static str> {
    match kind.trim_end_matches("_reference") {
        "phone_contact_method" => Some("voice"),
        "sms_contact_method" => Some("sms"),
        "email_contact_method" => Some("email"),
        "push_notification_contact_method" => Some("push"),
        _ => None,
    }
}

/// An assignment strategy, written as a string or as `{ "type": … }`.
pub fn assignment(v: Option<&Value>) -> &'static str {
    let kind = v.and_then(|v| v.as_str().or_else(|| v.get("type").and_then(Value::as_str))).unwrap_or("assign_to_everyone");
    if kind == "round_robin" { "round_robin" } else { "all" }
}

/// An urgency as the model spells a service's choice.
pub fn urgency_choice(u: Option<&str>) -> &'static str {
    match u {
        Some("low") => "low",
        Some("severity_based") => "severity",
        _ => "high",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable_stable_and_unique() {
        let mut s = Slugs::default();
        assert_eq!(s.id("P1", "Alice Smith"), "alice-smith");
        assert_eq!(s.id("P2", "alice  smith!"), "alice-smith-p2");
        assert_eq!(s.id("P1", "renamed"), "alice-smith");
        assert_eq!(slug("***"), "x");
    }

    #[test]
    fn turn_lengths_are_civil_durations() {
        assert_eq!(duration(604_800), "P1W");
        assert_eq!(duration(86_400), "P1D");
        assert_eq!(duration(43_200), "PT12H");
        assert_eq!(duration(129_600), "P1DT12H");
        assert_eq!(duration(5_400), "PT1H30M");
    }

    #[test]
    fn restrictions_become_weekly_windows_cut_at_midnight() {
        // Weekly: Friday 18:00 for 60 hours, to Monday 06:00.
        let w = restrictions(&[json!({ "type": "weekly_restriction", "start_time_of_day": "18:00:00", "duration_seconds": 216_000, "start_day_of_week": 5 })]).unwrap();
        assert_eq!(
            w,
            vec![
                json!({ "days": ["mon"], "from": "00:00", "to": "06:00" }),
                json!({ "days": ["fri"], "from": "18:00", "to": "24:00" }),
                json!({ "days": ["sat", "sun"], "from": "00:00", "to": "24:00" })
            ]
        );
        // Daily across midnight: 22:00 for 9 hours.
        let w = restrictions(&[json!({ "type": "daily_restriction", "start_time_of_day": "22:00:00", "duration_seconds": 32_400 })]).unwrap();
        assert_eq!(
            w,
            vec![
                json!({ "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "00:00", "to": "07:00" }),
                json!({ "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "22:00", "to": "24:00" })
            ]
        );
        assert!(restrictions(&[json!({ "type": "monthly", "start_time_of_day": "00:00:00" })]).is_err());
    }
}
