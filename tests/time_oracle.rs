//! The interval engine against a brute-force oracle: random calendars-in-rotations,
//! holidays, notification rules and escalations around DST changes (New York, London,
//! Lord Howe's 30-minute shift, Apia's skipped day), evaluated minute by minute with the
//! definitions of support-model.md, must give the same staffed coverage and the same time
//! to engage at every minute as the engine's segments. Since paging.md (v1.1): rotations
//! with `active_from`/`active_until`, a layered schedule over them with overrides, and
//! round-robin steps, by paging.md's definitions.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use runready::model::{Calendar, Escalation, Model, Rotation, RuleUrgency, Urgency, UrgencyChoice, WeeklyWindow};
use runready::time::timeline::Timeline;
use runready::time::{Horizon, to_instant};

const ZONES: [&str; 6] = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Apia", "Asia/Kolkata"];
/// Instants just before DST changes (and Apia's skipped 2011-12-30).
const STARTS: [&str; 6] = ["2026-03-07T12:00:00Z", "2026-10-31T12:00:00Z", "2026-10-03T00:00:00Z", "2011-12-28T12:00:00Z", "2026-03-28T12:00:00Z", "2026-04-04T00:00:00Z"];
const HANDOFFS: [&str; 7] = ["PT8H", "PT12H", "P1D", "P2D", "P1W", "PT7H30M", "PT1H"];
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

#[derive(Debug, Clone)]
struct Spec {
    start: usize,
    offset_hours: i64,
    rotations: Vec<RotSpec>,
    contacts: Vec<ContactSpec>,
    steps: Vec<(Vec<usize>, i64, bool)>,
    /// A schedule `s0` (target 7): layer order (rotation indices, lowest first) and overrides.
    schedule: Option<(Vec<usize>, Vec<(i64, i64, usize)>)>,
    repeat: i64,
    fallback: usize,
    /// The tier's required coverage (`None`: `always`), the severity's clock (`None`:
    /// `wall`) and the zone the heatmap is drawn in.
    required: Option<CalSpec>,
    clock: Option<CalSpec>,
    display: usize,
    /// Urgency (paging.md): the urgency the first test walks at (true: low); the severity's
    /// own urgency; the service's rule (inside, outside: 0 severity, 1 high, 2 low) by the
    /// support hours `sup`.
    low: bool,
    severity_low: bool,
    service_urgency: Option<(usize, usize, CalSpec)>,
}

/// A calendar of one weekly window (several may overlap, which the loader rejects).
#[derive(Debug, Clone)]
struct CalSpec {
    zone: usize,
    days: Vec<usize>,
    from: u16,
    to: u16,
}

#[derive(Debug, Clone)]
struct RotSpec {
    zone: usize,
    members: Vec<usize>,
    start_shift_quarters: i64,
    handoff: usize,
    restrictions: Vec<(Vec<usize>, u16, u16)>,
    overrides: Vec<(i64, i64, usize)>,
    /// `active_from`/`active_until` as hours from the horizon's start (local, whole hours).
    active: (Option<i64>, Option<i64>),
}

#[derive(Debug, Clone)]
struct ContactSpec {
    zone: usize,
    holiday_days: Vec<i64>,
    /// A notification rule: delay in minutes and channel (0 sms, 1 email, 2 voice: a
    /// channel type the contact does not have, so the rule is ignored).
    rule: Option<(i64, usize)>,
    email_only: bool,
    /// The rule's urgency (0 any, 1 high, 2 low) and a second rule: an sms rule at the other
    /// urgency after this many minutes.
    urgency: usize,
    other: Option<i64>,
}

fn rot_spec() -> impl Strategy<Value = RotSpec> {
    (
        0..ZONES.len(),
        prop::collection::vec(0..4usize, 1..4),
        // Often far before the horizon; often near it, among the overrides.
        prop_oneof![-3000i64..96, -100i64..240],
        0..HANDOFFS.len(),
        // One window at most: several may overlap, which the loader rejects.
        prop::collection::vec((prop::collection::vec(0..7usize, 1..7), 0u16..48, 0u16..48), 0..2),
        prop::collection::vec((-24i64..60, 1i64..30, 0..4usize), 0..3),
        (prop::option::weighted(0.3, -10i64..30), prop::option::weighted(0.3, 1i64..40)),
    )
        .prop_map(|(zone, members, start_shift_quarters, handoff, restrictions, overrides, (from, len))| RotSpec {
            zone,
            members,
            start_shift_quarters,
            handoff,
            restrictions: restrictions.into_iter().filter(|(_, a, b)| a != b).map(|(d, a, b)| (d, a * 30, b * 30)).collect(),
            overrides,
            active: (from, len.map(|l| from.unwrap_or(-48) + l)),
        })
}

fn contact_spec() -> impl Strategy<Value = ContactSpec> {
    // Delays of 5 and 10 minutes meet the step timeouts of 5 and 10 minutes exactly.
    let delay = prop_oneof![0i64..25, Just(5i64), Just(10i64)];
    (0..ZONES.len(), prop::collection::vec(-1i64..4, 0..3), prop::option::of((delay, 0usize..3)), prop::bool::weighted(0.3), 0usize..3, prop::option::weighted(0.3, 0i64..15))
        .prop_map(|(zone, holiday_days, rule, email_only, urgency, other)| ContactSpec { zone, holiday_days, rule, email_only, urgency, other })
}

fn cal_spec() -> impl Strategy<Value = CalSpec> {
    // Any window, or a short one (30 minutes to 3 hours) that a long walk runs across.
    let to = prop_oneof![0u16..48, (100u16..106)];
    (0..ZONES.len(), prop::collection::vec(0..7usize, 1..7), 0u16..48, to)
        .prop_map(|(zone, days, from, to)| if to >= 100 { (zone, days, from, (from + to - 99) % 48) } else { (zone, days, from, to) })
        .prop_filter("a window has a length", |(_, _, a, b)| a != b)
        .prop_map(|(zone, days, from, to)| CalSpec { zone, days, from: from * 30, to: to * 30 })
}

fn spec() -> impl Strategy<Value = Spec> {
    // Short timeouts, the notification delays of 5 and 10 minutes exactly, and long
    // steps whose walks cross calendar boundaries.
    let timeout = prop_oneof![3 => 1i64..21, 1 => Just(5i64), 1 => Just(10i64), 2 => Just(150i64), 1 => Just(30i64)];
    (
        (0..STARTS.len(), 0i64..36),
        prop::collection::vec(rot_spec(), 1..3),
        prop::collection::vec(contact_spec(), 4..5),
        prop::collection::vec((prop::collection::vec(0..8usize, 1..3), timeout, prop::bool::weighted(0.3)), 1..4),
        (0i64..3, 0usize..4),
        prop::option::weighted(0.6, (prop::collection::vec(0..2usize, 1..3), prop::collection::vec((-12i64..40, 1i64..12, 0..4usize), 0..3))),
        (prop::option::weighted(0.5, cal_spec()), prop::option::weighted(0.6, cal_spec()), 0..ZONES.len()),
        (prop::bool::weighted(0.4), prop::bool::weighted(0.3), prop::option::weighted(0.4, (0usize..3, 0usize..3, cal_spec()))),
    )
        .prop_map(|((start, offset_hours), rotations, contacts, steps, (repeat, fallback), schedule, (required, clock, display), (low, severity_low, service_urgency))| Spec {
            low,
            severity_low,
            service_urgency,
            start,
            offset_hours,
            steps,
            // Layers name rotations that exist; without a schedule, target 7 is a contact.
            schedule: schedule.map(|(layers, o)| (layers.into_iter().map(|l| l % rotations.len()).collect(), o)),
            rotations,
            contacts,
            repeat,
            fallback,
            required,
            clock,
            display,
        })
}

fn at(spec: &Spec) -> Timestamp {
    STARTS[spec.start].parse::<Timestamp>().unwrap() + SignedDuration::from_hours(spec.offset_hours)
}

fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn local(t: Timestamp, zone: &str, shift_minutes: i64) -> String {
    let dt = t.to_zoned(TimeZone::get(zone).unwrap()).datetime();
    let dt = dt.with().minute(0).second(0).subsec_nanosecond(0).build().unwrap();
    dt.checked_add(jiff::Span::new().minutes(shift_minutes)).unwrap().strftime("%Y-%m-%dT%H:%M").to_string()
}

fn target(i: usize, rotations: usize, schedule: bool) -> String {
    match i {
        0 => "rotation:r0".into(),
        1 if rotations > 1 => "rotation:r1".into(),
        1 => "contact:c1".into(),
        6 => "contact:noc".into(),
        7 if schedule => "schedule:s0".into(),
        n => format!("contact:c{}", (n - 2) % 4),
    }
}

fn yaml(spec: &Spec) -> String {
    let t0 = at(spec);
    let mut y = String::from("apiVersion: runready.dev/v1\nkind: SupportModel\nmetadata: { name: oracle }\nholidays:\n");
    for (i, c) in spec.contacts.iter().enumerate() {
        let zone = ZONES[c.zone];
        let date = t0.to_zoned(TimeZone::get(zone).unwrap()).date();
        let days: Vec<String> = c.holiday_days.iter().map(|d| date.checked_add(jiff::Span::new().days(*d)).unwrap().to_string()).collect();
        y.push_str(&format!("  h{i}: [{}]\n", days.join(", ")));
    }
    y.push_str("contacts:\n  - { id: noc, kind: team, always_reachable: true, channels: [{ type: voice, address: \"0\" }] }\n");
    for (i, c) in spec.contacts.iter().enumerate() {
        let channel = if c.email_only { "email" } else { "sms" };
        let urgency = ["any", "high", "low"][c.urgency];
        let rules = match (c.rule, c.other) {
            (Some((after, channel)), other) => {
                let second = match (other, c.urgency) {
                    (Some(o), 1 | 2) => format!(", {{ after: PT{o}M, channel: sms, urgency: {} }}", ["", "low", "high"][c.urgency]),
                    _ => String::new(),
                };
                format!(", notification_rules: [{{ after: PT{after}M, channel: {}, urgency: {urgency} }}{second}]", ["sms", "email", "voice"][channel])
            }
            (None, _) => String::new(),
        };
        y.push_str(&format!("  - {{ id: c{i}, kind: person, timezone: {}, holidays: [h{i}], channels: [{{ type: {channel}, address: \"{i}\" }}]{rules} }}\n", ZONES[c.zone]));
    }
    y.push_str("rotations:\n");
    for (i, r) in spec.rotations.iter().enumerate() {
        let zone = ZONES[r.zone];
        let members: Vec<String> = r.members.iter().map(|m| format!("c{m}")).collect();
        let restrictions: Vec<String> = r
            .restrictions
            .iter()
            .map(|(d, a, b)| {
                let days: Vec<&str> = d.iter().map(|x| DAYS[*x]).collect();
                format!("{{ days: [{}], from: \"{}\", to: \"{}\" }}", days.join(", "), hhmm(*a), hhmm(*b))
            })
            .collect();
        let overrides: Vec<String> =
            r.overrides.iter().map(|(from_h, len_h, m)| format!("{{ from: {}, to: {}, member: c{m} }}", local(t0, zone, from_h * 60), local(t0, zone, (from_h + len_h) * 60))).collect();
        let mut active = String::new();
        if let Some(f) = r.active.0 {
            active.push_str(&format!(", active_from: {}", local(t0, zone, f * 60)));
        }
        if let Some(u) = r.active.1 {
            active.push_str(&format!(", active_until: {}", local(t0, zone, u * 60)));
        }
        y.push_str(&format!(
            "  r{i}: {{ timezone: {zone}, members: [{}], start: {}, handoff: {}, restrictions: [{}], overrides: [{}]{active} }}\n",
            members.join(", "),
            local(t0, zone, r.start_shift_quarters * 15),
            HANDOFFS[r.handoff],
            restrictions.join(", "),
            overrides.join(", ")
        ));
    }
    if let Some((layers, overrides)) = &spec.schedule {
        let zone = ZONES[spec.rotations[0].zone];
        let l: Vec<String> = layers.iter().map(|i| format!("r{i}")).collect();
        let o: Vec<String> = overrides.iter().map(|(from_h, len_h, m)| format!("{{ from: {}, to: {}, member: c{m} }}", local(t0, zone, from_h * 60), local(t0, zone, (from_h + len_h) * 60))).collect();
        y.push_str(&format!("schedules:\n  s0: {{ timezone: {zone}, layers: [{}], overrides: [{}] }}\n", l.join(", "), o.join(", ")));
    }
    y.push_str("escalations:\n  e:\n    steps:\n");
    for (targets, timeout, rr) in &spec.steps {
        let t: Vec<String> = targets.iter().map(|i| target(*i, spec.rotations.len(), spec.schedule.is_some())).collect();
        let assignment = if *rr { ", assignment: round_robin" } else { "" };
        y.push_str(&format!("      - {{ notify: [{}], timeout: PT{timeout}M{assignment} }}\n", t.join(", ")));
    }
    y.push_str(&format!("    repeat: {}\n", spec.repeat));
    match spec.fallback {
        1 => y.push_str("    final_fallback: contact:noc\n"),
        2 => y.push_str("    final_fallback: rotation:r0\n"),
        3 if spec.schedule.is_some() => y.push_str("    final_fallback: schedule:s0\n"),
        _ => {}
    }
    y.push_str("calendars:\n");
    let sup = spec.service_urgency.as_ref().map(|(_, _, c)| c.clone());
    for (id, cal) in [("req", &spec.required), ("clk", &spec.clock), ("sup", &sup)] {
        let Some(c) = cal else { continue };
        let days: Vec<&str> = c.days.iter().map(|d| DAYS[*d]).collect();
        y.push_str(&format!("  {id}: {{ timezone: {}, weekly: [{{ days: [{}], from: \"{}\", to: \"{}\" }}] }}\n", ZONES[c.zone], days.join(", "), hhmm(c.from), hhmm(c.to)));
    }
    let required = if spec.required.is_some() { "req" } else { "always" };
    let clock = if spec.clock.is_some() { "clk" } else { "wall" };
    y.push_str(&format!("tiers: {{ t: {{ availability: always, required_coverage: {required} }} }}\n"));
    let sev_urgency = if spec.severity_low { "low" } else { "high" };
    y.push_str(&format!("severities: [{{ id: s1, aws_severity: urgent, clock: {clock}, urgency: {sev_urgency}, targets: {{ acknowledge: PT15M }} }}]\n"));
    let choice = ["severity", "high", "low"];
    let service_urgency = spec.service_urgency.as_ref().map(|(i, o, _)| format!(", urgency: {{ support_hours: sup, inside: {}, outside: {} }}", choice[*i], choice[*o])).unwrap_or_default();
    y.push_str(&format!("services: [{{ id: svc, tier: t, escalation: e{service_urgency} }}]\n"));
    y
}

// ---- The oracle: the definitions of support-model.md, evaluated at one instant. ----

fn tz(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap()
}

fn turn_start(r: &Rotation, k: i64) -> Timestamp {
    let span = jiff::Span::new().days(r.handoff.days * k).seconds(r.handoff.seconds * k);
    to_instant(r.start.0.checked_add(span).unwrap(), &r.timezone.tz)
}

fn window_instant(date: Date, minutes: u16, zone: &TimeZone) -> Timestamp {
    let (date, minutes) = if minutes >= 1440 { (date.tomorrow().unwrap(), minutes - 1440) } else { (date, minutes) };
    to_instant(DateTime::from_parts(date, Time::new((minutes / 60) as i8, (minutes % 60) as i8, 0, 0).unwrap()), zone)
}

/// The instants of weekly windows on the local dates from `from`'s (two days back: a
/// window crossing into a skipped day, as in Apia, ends a day later) to `to`'s, merged.
fn weekly_windows(windows: &[WeeklyWindow], zone: &TimeZone, from: Timestamp, to: Timestamp) -> Vec<(Timestamp, Timestamp)> {
    let mut d = from.to_zoned(zone.clone()).date().checked_sub(jiff::Span::new().days(2)).unwrap();
    let last = to.to_zoned(zone.clone()).date();
    let mut out = Vec::new();
    while d <= last {
        for w in windows.iter().filter(|w| w.days.iter().any(|x| x.weekday() == d.weekday())) {
            let start = window_instant(d, w.from.minutes, zone);
            let end_date = if w.to.minutes <= w.from.minutes { d.tomorrow().unwrap() } else { d };
            out.push((start, window_instant(end_date, w.to.minutes, zone)));
        }
        d = d.tomorrow().unwrap();
    }
    out.sort();
    let mut merged: Vec<(Timestamp, Timestamp)> = Vec::new();
    for (a, b) in out.into_iter().filter(|(a, b)| a < b) {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

fn in_weekly(windows: &[WeeklyWindow], zone: &TimeZone, t: Timestamp) -> bool {
    weekly_windows(windows, zone, t, t).iter().any(|(a, b)| *a <= t && t < *b)
}

fn in_restrictions(r: &Rotation, t: Timestamp) -> bool {
    r.restrictions.is_empty() || in_weekly(&r.restrictions, &r.timezone.tz, t)
}

/// Seconds of `[t, t + secs)` inside a calendar's weekly windows.
fn on_clock(cal: &Calendar, t: Timestamp, secs: i64) -> i64 {
    let end = t + SignedDuration::from_secs(secs);
    let zone = cal.timezone.as_ref().unwrap().tz.clone();
    weekly_windows(&cal.weekly, &zone, t, end).iter().map(|(a, b)| (b.as_second().min(end.as_second()) - a.as_second().max(t.as_second())).max(0)).sum()
}

fn duty_at(r: &Rotation, t: Timestamp) -> Option<String> {
    if !in_restrictions(r, t) {
        return None;
    }
    let zone = &r.timezone.tz;
    // Nobody is on duty before `start`, by override neither; nor outside the active window.
    if t < turn_start(r, 0) || r.active_from.is_some_and(|f| t < to_instant(f.0, zone)) || r.active_until.is_some_and(|u| t >= to_instant(u.0, zone)) {
        return None;
    }
    if let Some(o) = r.overrides.iter().rev().find(|o| to_instant(o.from.0, zone) <= t && t < to_instant(o.to.0, zone)) {
        return Some(o.member.clone());
    }
    let mut k = 0;
    while turn_start(r, k + 1) <= t {
        k += 1;
    }
    Some(r.members[(k as usize) % r.members.len()].clone())
}

fn on_holiday(m: &Model, c: &str, t: Timestamp) -> bool {
    let contact = m.contact(c).unwrap();
    let zone = contact.timezone.as_ref().map_or(TimeZone::UTC, |z| z.tz.clone());
    let date = t.to_zoned(zone).date();
    contact.holidays.iter().any(|h| m.holidays[h].iter().any(|d| d.0 == date))
}

fn first_delay(m: &Model, c: &str, u: Urgency) -> Option<i64> {
    let contact = m.contact(c).unwrap();
    if contact.always_reachable {
        return Some(0);
    }
    // A rule for a channel type the contact does not have is ignored.
    let rules: Vec<_> = contact.notification_rules.iter().filter(|r| contact.channels.iter().any(|ch| ch.kind == r.channel)).collect();
    if rules.is_empty() {
        return contact.channels.iter().any(|ch| ch.kind.interruptive()).then_some(0);
    }
    // paging.md, "Urgency": only the rules for this urgency or `any` apply.
    let applies = |r: &&&runready::model::NotificationRule| match r.urgency {
        RuleUrgency::Any => true,
        RuleUrgency::High => u == Urgency::High,
        RuleUrgency::Low => u == Urgency::Low,
    };
    rules.iter().filter(applies).filter(|r| r.channel.interruptive()).map(|r| r.after.as_secs()).min()
}

/// The urgency of an incident at `t` (paging.md, "Urgency").
fn oracle_urgency(m: &Model, t: Timestamp) -> Urgency {
    let svc = m.service("svc").unwrap();
    let own = m.severities[0].urgency;
    let Some(rule) = &svc.urgency else { return own };
    let cal = &m.calendars["sup"];
    let inside = in_weekly(&cal.weekly, &cal.timezone.as_ref().unwrap().tz, t);
    match if inside { rule.inside } else { rule.outside } {
        UrgencyChoice::Severity => own,
        UrgencyChoice::High => Urgency::High,
        UrgencyChoice::Low => Urgency::Low,
    }
}

/// paging.md, "Layers": the latest-listed override, else the highest layer with someone.
fn schedule_at(m: &Model, id: &str, t: Timestamp) -> Option<String> {
    let s = &m.schedules[id];
    let zone = &s.timezone.tz;
    if let Some(o) = s.overrides.iter().rev().find(|o| to_instant(o.from.0, zone) <= t && t < to_instant(o.to.0, zone)) {
        return Some(o.member.clone());
    }
    s.layers.iter().rev().find_map(|l| duty_at(&m.rotations[l], t))
}

fn resolve(m: &Model, target: &str, t: Timestamp) -> Option<String> {
    match target.split_once(':').unwrap() {
        ("rotation", r) => duty_at(&m.rotations[r], t),
        ("schedule", s) => schedule_at(m, s, t),
        (_, c) => Some(c.to_string()),
    }
}

/// The delay at which a step reaches someone at `at`: the earliest of its people, or for
/// round robin the latest, and nothing if one of them is missed (paging.md, "Round robin").
fn step_delay(m: &Model, step: &runready::model::EscalationStep, at: Timestamp, u: Urgency) -> Option<i64> {
    let timeout = step.timeout.as_secs();
    let people: Vec<String> = step.notify.iter().filter_map(|target| resolve(m, target.as_str(), at)).collect();
    let delays: Vec<Option<i64>> = people.iter().map(|c| first_delay(m, c, u).filter(|d| *d < timeout && reachable(m, c, at))).collect();
    if step.assignment == runready::model::Assignment::RoundRobin {
        if delays.iter().any(Option::is_none) { None } else { delays.into_iter().flatten().max() }
    } else {
        delays.into_iter().flatten().min()
    }
}

fn reachable(m: &Model, c: &str, t: Timestamp) -> bool {
    m.contact(c).unwrap().always_reachable || !on_holiday(m, c, t)
}

fn oracle_tte(m: &Model, e: &Escalation, t: Timestamp, u: Urgency) -> Option<i64> {
    let mut best: Option<i64> = None;
    let mut elapsed = 0;
    for _ in 0..=e.repeat {
        for step in &e.steps {
            let at = t + SignedDuration::from_secs(elapsed);
            if let Some(d) = step_delay(m, step, at, u) {
                best = Some(best.map_or(elapsed + d, |b: i64| b.min(elapsed + d)));
            }
            elapsed += step.timeout.as_secs();
        }
    }
    if let Some(f) = &e.final_fallback {
        let at = t + SignedDuration::from_secs(elapsed);
        if let Some(c) = resolve(m, f.as_str(), at).filter(|c| reachable(m, c, at))
            && let Some(d) = first_delay(m, &c, u)
        {
            best = Some(best.map_or(elapsed + d, |b: i64| b.min(elapsed + d)));
        }
    }
    best
}

/// The first step reaches someone reachable within its timeout.
fn oracle_staffed(m: &Model, e: &Escalation, t: Timestamp, u: Urgency) -> bool {
    step_delay(m, &e.steps[0], t, u).is_some()
}

/// Is `a` a worse time to engage than `b`? Never engaged is the worst.
fn worse(a: Option<i64>, b: Option<i64>) -> bool {
    match (a, b) {
        (None, Some(_)) => true,
        (Some(x), Some(y)) => x > y,
        _ => false,
    }
}

/// The model of a spec, loaded (it must load), and its 36-hour horizon.
fn generated(spec: &Spec) -> (String, runready::load::Loaded, Horizon) {
    let text = yaml(spec);
    let loaded = runready::load::load_str("oracle.yaml", &text);
    assert!(loaded.diagnostics.is_empty(), "{:#?}\n{text}", loaded.diagnostics);
    (text, loaded, Horizon::new(at(spec), runready::model::Duration::from_secs(36 * 3600)))
}

proptest! {
    // 100 cases by default; PROPTEST_CASES=5000 for a deeper run (see BENCHMARKS.md).
    #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100)))]

    #[test]
    fn interval_engine_agrees_with_minute_by_minute_oracle(spec in spec()) {
        let (text, loaded, horizon) = generated(&spec);
        let m = &loaded.model;
        let tl = Timeline::new(m, horizon);
        let e = &m.escalations["e"];
        let u = if spec.low { Urgency::Low } else { Urgency::High };
        let segments = tl.segments(e, &[], u);
        let staffed = runready::time::coverage::staffed(&segments);
        let mut seg = 0;
        let mut t = horizon.start;
        while t < horizon.end {
            while segments[seg].interval.end <= t {
                seg += 1;
            }
            let engine = segments[seg].tte;
            let oracle = oracle_tte(m, e, t, u);
            prop_assert_eq!(engine, oracle, "time to engage at {} differs\n{}", t, text);
            prop_assert_eq!(staffed.contains(t), oracle_staffed(m, e, t, u), "staffed at {} differs\n{}", t, text);
            // The fast summary behind the segments agrees with the full, descriptive walk.
            let walk = tl.walk(e, t, u);
            prop_assert_eq!(walk.engaged().map(|c| c.at), engine);
            prop_assert_eq!(walk.first_step_staffed(), staffed.contains(t));
            prop_assert_eq!(walk.repeated(), tl.summary(e, t, segments[seg].interval, u).repeated, "repeated person at {} differs\n{}", t, text);
            t += SignedDuration::from_mins(1);
        }
    }

    #[test]
    fn worst_time_to_engage_and_heatmap_agree_with_oracle(spec in spec()) {
        let (text, loaded, horizon) = generated(&spec);
        let m = &loaded.model;
        let e = &m.escalations["e"];
        let display = tz(ZONES[spec.display]);
        let stage = runready::time::stage::Stage::build(m, horizon);
        let coverage = runready::time::analysis::analyse(&stage, m.service("svc").unwrap(), &display).unwrap();
        let engine = &coverage.severities[0];
        let gaps = stage.service(m.service("svc").unwrap()).unwrap().gaps();

        let required = m.calendars.get("req");
        let clock = m.calendars.get("clk");
        let zone_of = |c: &Calendar| c.timezone.as_ref().unwrap().tz.clone();
        // Every boundary is on a whole minute, so the value is linear within each minute:
        // its first and last second hold the minute's extremes.
        let mut worst: Option<(Option<i64>, Timestamp)> = None;
        let mut grid: Vec<Vec<Option<Option<i64>>>> = vec![vec![None; 24]; 7];
        let mut minute = horizon.start;
        while minute < horizon.end {
            // A gap: required coverage, and the first step reaches nobody at the urgency of
            // an incident starting then.
            let required_now = required.is_none_or(|c| in_weekly(&c.weekly, &zone_of(c), minute));
            prop_assert_eq!(gaps.contains(minute), required_now && !oracle_staffed(m, e, minute, oracle_urgency(m, minute)), "gap at {} differs\n{}", minute, text);
            for t in [minute, minute + SignedDuration::from_secs(59)] {
                if required.is_some_and(|c| !in_weekly(&c.weekly, &zone_of(c), t)) {
                    continue;
                }
                let value = oracle_tte(m, e, t, oracle_urgency(m, t)).map(|d| clock.map_or(d, |c| on_clock(c, t, d)));
                if worst.is_none_or(|(w, _)| worse(value, w)) {
                    worst = Some((value, t));
                }
                let local = t.to_zoned(display.clone());
                let cell = &mut grid[local.weekday().to_monday_zero_offset() as usize][local.hour() as usize];
                if cell.is_none_or(|old| worse(value, old)) {
                    *cell = Some(value);
                }
            }
            minute += SignedDuration::from_mins(1);
        }
        prop_assert_eq!(engine.required, worst.is_some(), "{}", text);
        prop_assert_eq!(engine.worst_seconds, worst.and_then(|w| w.0), "worst time to engage differs\n{}", text);
        prop_assert_eq!(engine.never_engaged, worst.is_some_and(|w| w.0.is_none()));
        prop_assert_eq!(engine.worst_at.clone(), worst.map(|w| w.1.to_string()), "the earliest instant of the worst differs\n{}", text);
        let cells: Vec<Vec<Option<Option<i64>>>> = engine.heatmap.iter().map(|row| row.iter().map(|c| c.map(|v| v.worst)).collect()).collect();
        prop_assert_eq!(cells, grid, "heatmap in {} differs\n{}", ZONES[spec.display], text);
    }
}

#[test]
fn apia_skips_a_day_and_lord_howe_moves_half_an_hour() {
    // A daily 09:00 hand-over in Apia: 2011-12-30 does not exist, so the turn that starts
    // on the 29th ends on the 31st at 09:00, 24 hours later in elapsed time.
    let text = "apiVersion: runready.dev/v1\nkind: SupportModel\nmetadata: { name: m }\ncontacts:\n  - { id: a, kind: person, channels: [{ type: sms, address: '1' }] }\n  - { id: b, kind: person, channels: [{ type: sms, address: '2' }] }\nrotations:\n  apia: { timezone: Pacific/Apia, members: [a, b], start: 2011-12-28T09:00, handoff: P1D }\n  lh: { timezone: Australia/Lord_Howe, members: [a, b], start: 2026-10-01T09:00, handoff: P1W }\n";
    let l = runready::load::load_str("m.yaml", text);
    assert!(l.diagnostics.is_empty());
    let h = Horizon::new("2011-12-28T00:00:00Z".parse().unwrap(), runready::model::Duration::from_days(5));
    let d = runready::time::rotation::duties(&l.model.rotations["apia"], h);
    let turn = d.iter().find(|d| d.interval.start == to_instant("2011-12-29T09:00".parse().unwrap(), &tz("Pacific/Apia"))).unwrap();
    assert_eq!(turn.interval.secs(), 24 * 3600);
    assert_eq!(turn.interval.end.to_zoned(tz("Pacific/Apia")).date().to_string(), "2011-12-31");
    // Lord Howe springs forward 30 minutes on 2026-10-04: the week-long turn is 167.5 hours.
    let h = Horizon::new("2026-09-30T22:30:00Z".parse().unwrap(), runready::model::Duration::from_days(9));
    let d = runready::time::rotation::duties(&l.model.rotations["lh"], h);
    assert_eq!(d[0].interval.secs(), 167 * 3600 + 1800);
}
