//! The scalar types of the model: durations, dates, local times, instants and zones.
//! Each parses from the spelling in support-model.md, serialises back to a canonical
//! spelling, and describes itself in the JSON Schema.

use jiff::civil;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

macro_rules! string_scalar {
    ($ty:ty, $name:literal, $expecting:literal, $schema:tt) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse::<$ty>().map_err(|why: String| {
                    let found = if s.is_empty() { "an empty string".to_string() } else { format!("\"{s}\"") };
                    de::Error::custom(format_args!("expected {}, found {found} ({})", $expecting, why))
                })
            }
        }
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

/// A newtype over a string whose schema is a plain, inlined string (the loader and rules
/// check its contents): `Clock`, `Target`.
macro_rules! string_schema {
    ($ty:ty, $name:literal) => {
        impl schemars::JsonSchema for $ty {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string" })
            }
        }
    };
}
pub(crate) use string_scalar;
pub(crate) use string_schema;

/// A length of time: days (civil) plus seconds. `P1W` is 7 days, `PT36H` is 36 hours.
/// Elapsed uses of a duration count a day as 24 hours; civil uses (rotation handoffs)
/// add days on the calendar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Duration {
    pub days: i64,
    pub seconds: i64,
}

impl Duration {
    pub const fn from_secs(seconds: i64) -> Self {
        Duration { days: 0, seconds }
    }
    pub const fn from_days(days: i64) -> Self {
        Duration { days, seconds: 0 }
    }
    /// Elapsed length in seconds (a day is 86,400 s).
    pub fn as_secs(&self) -> i64 {
        self.days * 86_400 + self.seconds
    }
    pub fn is_zero(&self) -> bool {
        self.as_secs() == 0
    }
    /// The civil span: days stay days, so adding it across a DST change keeps wall time.
    pub fn civil_span(&self) -> jiff::Span {
        jiff::Span::new().days(self.days).seconds(self.seconds)
    }
    /// A short human spelling: `15m`, `1h30m`, `7d`.
    pub fn human(&self) -> String {
        human_secs(self.as_secs())
    }
}

/// `90s`, `15m`, `1h30m`, `2d4h`: how messages show an elapsed number of seconds.
pub fn human_secs(total: i64) -> String {
    if total == 0 {
        return "0m".into();
    }
    let (sign, mut s) = if total < 0 { ("-", -total) } else { ("", total) };
    let mut out = String::from(sign);
    for (unit, len) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if s >= len {
            out.push_str(&format!("{}{unit}", s / len));
            s %= len;
        }
    }
    out
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.days == 0 && self.seconds == 0 {
            return f.write_str("PT0S");
        }
        f.write_str("P")?;
        if self.days != 0 {
            write!(f, "{}D", self.days)?;
        }
        if self.seconds != 0 {
            f.write_str("T")?;
            let (h, m, s) = (self.seconds / 3600, self.seconds % 3600 / 60, self.seconds % 60);
            if h != 0 {
                write!(f, "{h}H")?;
            }
            if m != 0 {
                write!(f, "{m}M")?;
            }
            if s != 0 {
                write!(f, "{s}S")?;
            }
        }
        Ok(())
    }
}

impl FromStr for Duration {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let s = text.trim();
        if s.is_empty() {
            return Err("empty".into());
        }
        bounded(if let Some(rest) = s.strip_prefix('P').or_else(|| s.strip_prefix('p')) { parse_iso(rest) } else { parse_friendly(s) }?)
    }
}

/// The longest duration accepted: 100 years (P36525D). Longer values are typos, and
/// arithmetic on them must not overflow.
pub const MAX_DURATION_DAYS: i64 = 36_525;

/// `field += n * unit`, refusing overflow.
fn add_part(field: &mut i64, n: i64, unit: i64) -> Result<(), String> {
    *field = n.checked_mul(unit).and_then(|v| field.checked_add(v)).ok_or_else(|| "the number is too large".to_string())?;
    Ok(())
}

/// The parsed duration, if it is not longer than [`MAX_DURATION_DAYS`].
fn bounded(d: Duration) -> Result<Duration, String> {
    let total = d.days as i128 * 86_400 + d.seconds as i128;
    if total > MAX_DURATION_DAYS as i128 * 86_400 { Err(format!("longer than {MAX_DURATION_DAYS} days (100 years), the longest duration accepted")) } else { Ok(d) }
}

fn parse_iso(rest: &str) -> Result<Duration, String> {
    let mut d = Duration::default();
    let mut in_time = false;
    let mut number = String::new();
    let mut any = false;
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            '0'..='9' => number.push(c),
            'T' if !in_time && number.is_empty() => in_time = true,
            unit => {
                let n: i64 = number.parse().map_err(|_| format!("a number must come before `{c}`"))?;
                number.clear();
                any = true;
                match (in_time, unit) {
                    (false, 'W') => add_part(&mut d.days, n, 7)?,
                    (false, 'D') => add_part(&mut d.days, n, 1)?,
                    (false, 'Y') | (false, 'M') => {
                        return Err("years and months have no fixed length; use days (P90D)".into());
                    }
                    (true, 'H') => add_part(&mut d.seconds, n, 3600)?,
                    (true, 'M') => add_part(&mut d.seconds, n, 60)?,
                    (true, 'S') => add_part(&mut d.seconds, n, 1)?,
                    _ => return Err(format!("unexpected `{c}`")),
                }
            }
        }
    }
    if !number.is_empty() {
        return Err("a number needs a unit".into());
    }
    if !any {
        return Err("no value".into());
    }
    Ok(d)
}

fn parse_friendly(s: &str) -> Result<Duration, String> {
    let mut d = Duration::default();
    let mut number = String::new();
    let mut any = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        if c == ' ' {
            continue;
        }
        let n: i64 = number.parse().map_err(|_| format!("a number must come before `{c}`"))?;
        number.clear();
        any = true;
        match c {
            'w' => add_part(&mut d.days, n, 7)?,
            'd' => add_part(&mut d.days, n, 1)?,
            'h' => add_part(&mut d.seconds, n, 3600)?,
            'm' => add_part(&mut d.seconds, n, 60)?,
            's' => add_part(&mut d.seconds, n, 1)?,
            _ => return Err(format!("unknown unit `{c}`; use w, d, h, m or s")),
        }
    }
    if !number.is_empty() {
        return Err("a number needs a unit (15m, 4h, 90d)".into());
    }
    if !any {
        return Err("no value".into());
    }
    Ok(d)
}

string_scalar!(Duration, "Duration", "a duration such as PT15M, P90D, P1W, 15m or 1h30m", {
    "type": "string",
    "description": "ISO 8601 duration (PT15M, P90D, P1W) or the short form (15m, 1h30m, 90d). Years and months are not accepted.",
    "pattern": "^(P(\\d+W)?(\\d+D)?(T(\\d+H)?(\\d+M)?(\\d+S)?)?|(\\d+ ?[wdhms] ?)+)$"
});

/// A calendar date, `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date(pub civil::Date);

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.len() != 10 {
            return Err("dates are written YYYY-MM-DD".into());
        }
        s.parse::<civil::Date>().map(Date).map_err(|e| e.to_string())
    }
}

string_scalar!(Date, "Date", "a date YYYY-MM-DD", {
    "type": "string", "format": "date", "description": "A calendar date, YYYY-MM-DD.",
    "pattern": "^\\d{4}-\\d{2}-\\d{2}$"
});

/// A local wall-clock time `HH:MM`; `24:00` is allowed as the end of a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalTime {
    /// Minutes after local midnight, 0..=1440.
    pub minutes: u16,
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

impl FromStr for LocalTime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (h, m) = s.split_once(':').ok_or("times are written HH:MM")?;
        if h.len() != 2 || m.len() != 2 {
            return Err("times are written HH:MM".into());
        }
        let h: u16 = h.parse().map_err(|_| "hours must be a number")?;
        let m: u16 = m.parse().map_err(|_| "minutes must be a number")?;
        if m > 59 || h > 24 || (h == 24 && m != 0) {
            return Err("no such time of day".into());
        }
        Ok(LocalTime { minutes: h * 60 + m })
    }
}

string_scalar!(LocalTime, "LocalTime", "a local time HH:MM", {
    "type": "string", "description": "A local wall-clock time, HH:MM (24:00 allowed as an end).",
    "pattern": "^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$"
});

/// A local date-time without offset, `YYYY-MM-DDTHH:MM`; the zone comes from its owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalDateTime(pub civil::DateTime);

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.0.strftime("%Y-%m-%dT%H:%M"))
    }
}

impl FromStr for LocalDateTime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.ends_with('Z') || s.get(16..).is_some_and(|t| t.contains('+') || t.contains('-')) {
            return Err("a local date-time has no offset; its zone comes from the enclosing object".into());
        }
        if s.len() < 16 || s.as_bytes()[10] != b'T' {
            return Err("local date-times are written YYYY-MM-DDTHH:MM".into());
        }
        s.parse::<civil::DateTime>().map(LocalDateTime).map_err(|e| e.to_string())
    }
}

string_scalar!(LocalDateTime, "LocalDateTime", "a local date-time YYYY-MM-DDTHH:MM", {
    "type": "string", "description": "A local date-time without offset, YYYY-MM-DDTHH:MM; the zone comes from the enclosing object.",
    "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?$"
});

/// An instant, RFC 3339 with an offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Instant(pub jiff::Timestamp);

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Instant {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        s.parse::<jiff::Timestamp>().map(Instant).map_err(|e| e.to_string())
    }
}

string_scalar!(Instant, "Instant", "an RFC 3339 instant with an offset (2026-11-23T10:00:00Z)", {
    "type": "string", "format": "date-time", "description": "An instant, RFC 3339 with an offset: 2026-11-23T10:00:00Z."
});

/// An IANA time zone (`Europe/London`), resolved against the bundled time-zone database.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeZone {
    pub name: String,
    pub tz: jiff::tz::TimeZone,
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl FromStr for TimeZone {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        // Abbreviations such as PST or EST are ambiguous; only IANA names (and UTC) pass.
        if !s.contains('/') && s != "UTC" {
            return Err("use an IANA name such as Europe/London or America/New_York; abbreviations are ambiguous".into());
        }
        let tz = jiff::tz::db().get(s).map_err(|_| "not an IANA time zone name".to_string())?;
        let canonical = tz.iana_name().unwrap_or(s);
        if canonical != s && canonical.eq_ignore_ascii_case(s) {
            return Err(format!("did you mean {canonical}?"));
        }
        Ok(TimeZone { name: s.to_string(), tz })
    }
}

impl TimeZone {
    pub fn utc() -> Self {
        TimeZone { name: "UTC".into(), tz: jiff::tz::TimeZone::UTC }
    }
}

string_scalar!(TimeZone, "TimeZone", "an IANA time zone", {
    "type": "string", "description": "An IANA time zone name such as Europe/London. Abbreviations (PST) are rejected.",
    "pattern": "^(UTC|[A-Za-z_]+(/[A-Za-z0-9_+-]+)+)$"
});

#[cfg(test)]
mod tests {
    #[test]
    fn durations_that_would_overflow_are_refused() {
        // Found by `cargo fuzz run scalars`: the hours wrapped to a negative duration.
        for text in ["PT30000060000000000H", "P9223372036854775807D", "P1000000000000000W", "PT9223372036854775807S", "99999999999999999h"] {
            assert!(text.parse::<super::Duration>().is_err(), "{text} parsed");
        }
        let max = format!("P{}D", super::MAX_DURATION_DAYS);
        assert_eq!(max.parse::<super::Duration>().map(|d| d.days), Ok(super::MAX_DURATION_DAYS));
        assert!(format!("P{}D", super::MAX_DURATION_DAYS + 1).parse::<super::Duration>().unwrap_err().contains("100 years"));
    }

    use super::*;

    #[test]
    fn durations_in_both_forms() {
        assert_eq!("PT15M".parse::<Duration>().unwrap().as_secs(), 900);
        assert_eq!("15m".parse::<Duration>().unwrap().as_secs(), 900);
        assert_eq!("1h30m".parse::<Duration>().unwrap().as_secs(), 5400);
        assert_eq!("P1W".parse::<Duration>().unwrap(), Duration::from_days(7));
        assert_eq!("90d".parse::<Duration>().unwrap(), Duration::from_days(90));
        assert_eq!("P1DT2H".parse::<Duration>().unwrap().as_secs(), 93_600);
        assert!("P1M".parse::<Duration>().is_err());
        assert!("15".parse::<Duration>().is_err());
        assert!("15x".parse::<Duration>().is_err());
        assert!("P".parse::<Duration>().is_err());
        assert_eq!("P1DT2H30M".parse::<Duration>().unwrap().to_string(), "P1DT2H30M");
    }

    #[test]
    fn zones_reject_abbreviations() {
        assert!("Europe/London".parse::<TimeZone>().is_ok());
        assert!("UTC".parse::<TimeZone>().is_ok());
        assert!("PST".parse::<TimeZone>().is_err());
        assert!("EST".parse::<TimeZone>().is_err());
        assert!("Mars/Olympus".parse::<TimeZone>().is_err());
        assert!("europe/london".parse::<TimeZone>().unwrap_err().contains("Europe/London"));
    }

    #[test]
    fn local_times_and_dates() {
        assert_eq!("24:00".parse::<LocalTime>().unwrap().minutes, 1440);
        assert!("24:01".parse::<LocalTime>().is_err());
        assert!("8:00".parse::<LocalTime>().is_err());
        assert!("2026-02-30".parse::<Date>().is_err());
        assert!("2026-01-05T09:00".parse::<LocalDateTime>().is_ok());
        assert!("2026-01-05T09:00Z".parse::<LocalDateTime>().is_err());
        assert!("2026-01-05T09:00:00Z".parse::<Instant>().is_ok());
        assert!("2026-01-05T09:00:00".parse::<Instant>().is_err());
    }
}
