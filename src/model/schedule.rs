//! Holidays, calendars and rotations: when something is true and who is on duty.

use super::scalars::{Date, Instant, LocalDateTime, LocalTime, TimeZone};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    pub fn weekday(self) -> jiff::civil::Weekday {
        use jiff::civil::Weekday as W;
        match self {
            Day::Mon => W::Monday,
            Day::Tue => W::Tuesday,
            Day::Wed => W::Wednesday,
            Day::Thu => W::Thursday,
            Day::Fri => W::Friday,
            Day::Sat => W::Saturday,
            Day::Sun => W::Sunday,
        }
    }
}

/// A window that repeats every week on the given days, in local time. A window whose
/// `to` is earlier than its `from` crosses midnight and belongs to the day it starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyWindow {
    /// The days on which the window opens: `mon`..`sun`.
    #[schemars(length(min = 1))]
    pub days: Vec<Day>,
    /// Local opening time, HH:MM.
    pub from: LocalTime,
    /// Local closing time, HH:MM (`24:00` for midnight at the end of the day).
    pub to: LocalTime,
}

/// A dated exception: replaces the weekly windows of that local date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [
    { "required": ["closed"], "properties": { "closed": { "const": true } },
      "not": { "anyOf": [ { "required": ["from"], "properties": { "from": { "type": "string" } } }, { "required": ["to"], "properties": { "to": { "type": "string" } } } ] } },
    { "required": ["from", "to"], "properties": { "closed": { "const": false }, "from": { "type": "string" }, "to": { "type": "string" } } }
]))]
pub struct CalendarException {
    /// The local date the exception applies to.
    pub date: Date,
    /// Opening time on that date (with `to`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<LocalTime>,
    /// Closing time on that date (with `from`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<LocalTime>,
    /// `true`: closed all that date. Not combined with `from`/`to`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
}

/// An absolute stretch of time, added to the calendar and never excluded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstantRange {
    /// Start instant, RFC 3339 with offset.
    pub from: Instant,
    /// End instant (exclusive), RFC 3339 with offset.
    pub to: Instant,
}

/// When something is true: a service is open, a team covers, a change freeze holds.
/// For each local date: exceptions replace the weekly windows; otherwise a date in an
/// `exclude_holidays` set is closed; otherwise the weekly windows apply. `ranges` are
/// added last.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend(
    "if" = { "anyOf": [ { "required": ["weekly"], "properties": { "weekly": { "minItems": 1 } } }, { "required": ["exceptions"], "properties": { "exceptions": { "minItems": 1 } } } ] },
    "then" = { "required": ["timezone"], "properties": { "timezone": { "type": "string" } } }
))]
pub struct Calendar {
    /// IANA zone of the weekly windows and exceptions. Required when they are used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<TimeZone>,
    /// Windows repeating every week.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weekly: Vec<WeeklyWindow>,
    /// Holiday sets whose dates close the calendar.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_holidays: Vec<String>,
    /// Dated exceptions that replace that date's weekly windows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<CalendarException>,
    /// Absolute ranges added to the calendar.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<InstantRange>,
}

/// Someone else takes a stretch of a rotation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RotationOverride {
    /// Local start, YYYY-MM-DDTHH:MM in the rotation's zone.
    pub from: LocalDateTime,
    /// Local end (exclusive).
    pub to: LocalDateTime,
    /// Contact id on duty for the stretch.
    pub member: String,
}

/// An on-call rotation. Turn k starts at `start + k * handoff` (civil time in
/// `timezone`); member k mod n is on duty in turn k. Nobody is on duty before `start`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// IANA zone of `start`, handoffs, restrictions and overrides.
    pub timezone: TimeZone,
    /// Contact ids, in turn order.
    #[schemars(length(min = 1))]
    pub members: Vec<String>,
    /// Local date-time of the first turn, YYYY-MM-DDTHH:MM.
    pub start: LocalDateTime,
    /// Length of a turn in civil time (P1W stays a week across DST changes).
    pub handoff: super::Duration,
    /// Optional weekly windows; outside them nobody from this rotation is on duty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restrictions: Vec<WeeklyWindow>,
    /// Stretches in which someone else is on duty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<RotationOverride>,
    /// Local date-time before which nobody is on duty (PagerDuty: the layer's start);
    /// `start` stays the phase anchor of the turns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_from: Option<LocalDateTime>,
    /// Local date-time from which nobody is on duty (PagerDuty: the layer's end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_until: Option<LocalDateTime>,
    /// Where the rotation comes from, e.g. `pagerduty:schedule/PABC123/layer/PL1` (free
    /// text; `check --paging` compares objects with the same source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A layered schedule, as in PagerDuty: at each instant the member of the latest-listed
/// override covering it; otherwise the member on duty in the highest layer (last in
/// `layers`) that has someone on duty; otherwise nobody.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// IANA zone of the overrides, and of times in messages.
    pub timezone: TimeZone,
    /// Rotation ids, LOWEST FIRST: a later layer wins where it has someone on duty.
    #[schemars(length(min = 1))]
    pub layers: Vec<String>,
    /// Stretches in which someone is on duty above every layer (the later one wins).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<RotationOverride>,
    /// Where the schedule comes from, e.g. `pagerduty:schedule/PABC123`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A holiday set as written: a list of dates, or `{ ics: FILE, dates: [...] }` (absences.md).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum HolidaySet {
    Dates(Vec<Date>),
    Calendar(HolidayCalendar),
}

impl<'de> Deserialize<'de> for HolidaySet {
    /// A sequence is a list of dates (its errors are the dates'), a mapping a calendar.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = HolidaySet;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of dates or { ics: FILE, dates: [...] }")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<HolidaySet, A::Error> {
                Vec::<Date>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq)).map(HolidaySet::Dates)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<HolidaySet, A::Error> {
                HolidayCalendar::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(HolidaySet::Calendar)
            }
        }
        d.deserialize_any(V)
    }
}

/// Holidays read from an iCalendar file, relative to the YAML file that names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayCalendar {
    /// An iCalendar (RFC 5545) file: every event's local dates are holidays.
    pub ics: String,
    /// Dates of your own, besides the file's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<Date>,
}
