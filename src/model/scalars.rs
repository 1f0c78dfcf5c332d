//! The scalar types of the model: durations, dates, local times, instants and zones.
//! Each parses from the spelling in support-model.md, serialises back to a canonical
//! spelling, and describes itself in the JSON Schema.

use jiff::civil;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::grammar::Spelling;

macro_rules! string_scalar {
    ($ty:ty, $name:literal, $expecting:literal, $schema:expr) => {
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
                $schema
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
    fn from_str(s: &str) -> Result<Self, String> {
        if s.is_empty() {
            return Err("empty".into());
        }
        if s.trim() != s {
            return Err("remove the spaces around the value".into());
        }
        let d = match s.strip_prefix('P').or_else(|| s.strip_prefix('p')) {
            Some(rest) => parse_iso(rest)?,
            None => parse_short(s)?,
        };
        bounded(d)
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

/// `NUMBER UNIT` parts of a duration, in text order: (number, unit as written).
fn parts(text: &str, skip_spaces: bool, example: &str) -> Result<Vec<(i64, char)>, String> {
    let mut out = Vec::new();
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
        } else if c == ' ' && skip_spaces && number.is_empty() {
            continue;
        } else if c == ' ' && !number.is_empty() {
            return Err(format!("the unit must follow the number directly ({example})"));
        } else if number.is_empty() {
            return Err(format!("a number must come before `{c}`"));
        } else {
            out.push((number.parse::<i64>().map_err(|_| "the number is too large".to_string())?, c));
            number.clear();
        }
    }
    if !number.is_empty() {
        return Err(format!("a number needs a unit ({example})"));
    }
    Ok(out)
}

/// Adds `parts` whose units must come in the order of `units` (each at most once).
fn add_in_order(d: &mut Duration, parts: &[(i64, char)], units: &[(char, bool, i64)], order: &str) -> Result<(), String> {
    let mut next = 0;
    for &(n, c) in parts {
        let Some(i) = units.iter().position(|(u, _, _)| *u == c) else { unreachable!("units are checked before") };
        if i < next {
            return Err(format!("`{c}` is out of order or repeated: {order}"));
        }
        next = i + 1;
        let (_, is_days, len) = units[i];
        add_part(if is_days { &mut d.days } else { &mut d.seconds }, n, len)?;
    }
    Ok(())
}

/// ISO 8601 after the `P`: `[nW][nD][T[nH][nM][nS]]`, at least one part, letters in any case.
fn parse_iso(rest: &str) -> Result<Duration, String> {
    const ORDER: &str = "ISO durations go P, weeks (W), days (D), then T, hours (H), minutes (M), seconds (S), each once (P1DT1H30M)";
    let (date, time) = match rest.find(['T', 't']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let date_parts = parts(date, false, "P90D")?;
    let time_parts = match time {
        Some(t) => parts(t, false, "PT15M")?,
        None => Vec::new(),
    };
    for &(n, c) in &date_parts {
        match c.to_ascii_uppercase() {
            'W' | 'D' => {}
            'Y' | 'M' => return Err("years and months have no fixed length; use days (P90D)".into()),
            'H' | 'S' => return Err(format!("hours, minutes and seconds come after `T` (PT{n}{c})")),
            _ => return Err(format!("unexpected `{c}`")),
        }
    }
    for &(_, c) in &time_parts {
        if !matches!(c.to_ascii_uppercase(), 'H' | 'M' | 'S') {
            return Err(format!("unexpected `{c}` after `T`: only hours (H), minutes (M) and seconds (S) come there"));
        }
    }
    if time.is_some() && time_parts.is_empty() {
        return Err("`T` needs hours, minutes or seconds after it (PT15M)".into());
    }
    if date_parts.is_empty() && time_parts.is_empty() {
        return Err("no value after `P` (P90D, PT15M)".into());
    }
    let upper = |p: &[(i64, char)]| p.iter().map(|&(n, c)| (n, c.to_ascii_uppercase())).collect::<Vec<_>>();
    let mut d = Duration::default();
    add_in_order(&mut d, &upper(&date_parts), &[('W', true, 7), ('D', true, 1)], ORDER)?;
    add_in_order(&mut d, &upper(&time_parts), &[('H', false, 3600), ('M', false, 60), ('S', false, 1)], ORDER)?;
    Ok(d)
}

/// The short form: `[nw][nd][nh][nm][ns]` in lower case, at least one part, parts
/// optionally separated by spaces (`1h30m`, `2d 4h`).
fn parse_short(s: &str) -> Result<Duration, String> {
    const ORDER: &str = "short durations go weeks (w), days (d), hours (h), minutes (m), seconds (s), each once (1h30m)";
    let parts = parts(s, true, "15m, 4h, 90d")?;
    for &(_, c) in &parts {
        match c {
            'w' | 'd' | 'h' | 'm' | 's' => {}
            'W' | 'D' | 'H' | 'M' | 'S' => return Err(format!("the short form's units are lower case ({}); or write ISO 8601 (PT15M)", c.to_ascii_lowercase())),
            _ => return Err(format!("unknown unit `{c}`; use w, d, h, m or s")),
        }
    }
    if parts.is_empty() {
        return Err("no value".into());
    }
    let mut d = Duration::default();
    add_in_order(&mut d, &parts, &[('w', true, 7), ('d', true, 1), ('h', false, 3600), ('m', false, 60), ('s', false, 1)], ORDER)?;
    Ok(d)
}

/// A scalar's schema: its description and the grammar's pattern and message.
pub(crate) fn spelled(spelling: Spelling, description: &str) -> Schema {
    spelled_as(spelling, None, description)
}

/// [`spelled`] with a JSON Schema `format` (date, date-time) as well.
pub(crate) fn spelled_as(spelling: Spelling, format: Option<&str>, description: &str) -> Schema {
    let mut m = spelling.schema();
    if let Some(format) = format {
        m.insert("format".into(), format.into());
    }
    m.insert("description".into(), description.into());
    Schema::from(m)
}

string_scalar!(
    Duration,
    "Duration",
    "a duration such as PT15M, P90D, P1W, 15m or 1h30m",
    spelled(Spelling::Duration, "ISO 8601 duration (PT15M, P90D, P1W) or the short form (15m, 1h30m, 90d). Years and months are not accepted.")
);

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
        if !Spelling::Date.matches(s) {
            return Err(no_such_date(s).unwrap_or_else(|| "dates are written YYYY-MM-DD".into()));
        }
        s.parse::<civil::Date>().map(Date).map_err(|e| e.to_string())
    }
}

/// Why `YYYY-MM-DD`-shaped text is not a date (2026-02-30), if it is shaped so.
fn no_such_date(s: &str) -> Option<String> {
    let shaped = s.len() == 10 && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let (year, month, day): (i16, i8, i8) = (s.get(..4)?.parse().ok()?, s.get(5..7)?.parse().ok()?, s.get(8..10)?.parse().ok()?);
    if !shaped {
        return None;
    }
    if !(1..=12).contains(&month) {
        return Some(format!("there is no month {month}"));
    }
    let last = civil::date(year, month, 1).days_in_month();
    if (1..=last).contains(&day) {
        return None;
    }
    Some(format!("there is no day {day} in {} {year}; it has {last} days", civil::date(year, month, 1).strftime("%B")))
}

string_scalar!(Date, "Date", "a date YYYY-MM-DD", spelled_as(Spelling::Date, Some("date"), "A calendar date, YYYY-MM-DD."));

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
        if !Spelling::LocalTime.matches(s) {
            let digits = s.len() == 5 && s.as_bytes()[2] == b':' && s.bytes().enumerate().all(|(i, b)| i == 2 || b.is_ascii_digit());
            return Err(if digits { "no such time of day".into() } else { "times are written HH:MM".into() });
        }
        let minutes = s[..2].parse::<u16>().expect("two digits") * 60 + s[3..].parse::<u16>().expect("two digits");
        Ok(LocalTime { minutes })
    }
}

string_scalar!(LocalTime, "LocalTime", "a local time HH:MM", spelled(Spelling::LocalTime, "A local wall-clock time, HH:MM (24:00 allowed as an end)."));

/// A local date-time without offset, `YYYY-MM-DDTHH:MM`; the zone comes from its owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalDateTime(pub civil::DateTime);

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&local_date_time(self.0))
    }
}

/// `YYYY-MM-DDTHH:MM`, with `:SS` when the seconds are not zero (the grammar allows them, and
/// the JSON report must not drop what the model said).
pub fn local_date_time(t: civil::DateTime) -> String {
    if t.second() == 0 { t.strftime("%Y-%m-%dT%H:%M").to_string() } else { t.strftime("%Y-%m-%dT%H:%M:%S").to_string() }
}

impl FromStr for LocalDateTime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if !Spelling::LocalDateTime.matches(s) {
            if s.ends_with(['Z', 'z']) || s.get(16..).is_some_and(|t| t.contains(['+', '-'])) {
                return Err("a local date-time has no offset; its zone comes from the enclosing object".into());
            }
            if let Some(why) = s.get(..10).and_then(no_such_date) {
                return Err(why);
            }
            return Err("local date-times are written YYYY-MM-DDTHH:MM".into());
        }
        s.parse::<civil::DateTime>().map(LocalDateTime).map_err(|e| e.to_string())
    }
}

string_scalar!(
    LocalDateTime,
    "LocalDateTime",
    "a local date-time YYYY-MM-DDTHH:MM",
    spelled(Spelling::LocalDateTime, "A local date-time without offset, YYYY-MM-DDTHH:MM; the zone comes from the enclosing object.")
);

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
        if !Spelling::Instant.matches(s) {
            if let Some(why) = s.get(..10).and_then(no_such_date) {
                return Err(why);
            }
            return Err("instants are written YYYY-MM-DDTHH:MM:SS with an offset, Z or +01:00".into());
        }
        s.parse::<jiff::Timestamp>().map(Instant).map_err(|e| e.to_string())
    }
}

string_scalar!(
    Instant,
    "Instant",
    "an RFC 3339 instant with an offset (2026-11-23T10:00:00Z)",
    spelled_as(Spelling::Instant, Some("date-time"), "An instant, RFC 3339 with an offset: 2026-11-23T10:00:00Z.")
);

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
        let names = zone_names();
        if names.binary_search_by(|n| n.as_str().cmp(s)).is_err() {
            if let Some(name) = names.iter().find(|n| n.eq_ignore_ascii_case(s)) {
                return Err(format!("did you mean {name}?"));
            }
            return Err(match crate::suggest::did_you_mean(s, names.iter().map(String::as_str)) {
                Some(name) => format!("not an IANA time zone name; did you mean {name}?"),
                None => "not an IANA time zone name".into(),
            });
        }
        let tz = tzdb().get(s).map_err(|_| "not an IANA time zone name".to_string())?;
        Ok(TimeZone { name: s.to_string(), tz })
    }
}

impl TimeZone {
    pub fn utc() -> Self {
        TimeZone { name: "UTC".into(), tz: jiff::tz::TimeZone::UTC }
    }
}

/// The time-zone database every zone is read from: the copy bundled into the binary (not
/// the machine's /usr/share/zoneinfo), so a model means the same on every machine.
pub fn tzdb() -> &'static jiff::tz::TimeZoneDatabase {
    static DB: std::sync::OnceLock<jiff::tz::TimeZoneDatabase> = std::sync::OnceLock::new();
    DB.get_or_init(jiff::tz::TimeZoneDatabase::bundled)
}

/// A zone of the bundled database by IANA name (any case, as jiff looks them up).
pub fn zone(name: &str) -> Option<jiff::tz::TimeZone> {
    tzdb().get(name).ok()
}

/// The zone names a model may use, sorted: every name of the bundled database with a `/`
/// (abbreviations such as EST are ambiguous), and UTC. The schema's `enum`.
pub fn zone_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<String> = tzdb().available().map(|n| n.to_string()).filter(|n| n.contains('/') || n == "UTC").collect();
        if !names.iter().any(|n| n == "UTC") {
            names.push("UTC".into());
        }
        names.sort();
        names.dedup();
        names
    })
}

string_scalar!(TimeZone, "TimeZone", "an IANA time zone", {
    let mut m = serde_json::Map::new();
    m.insert("type".into(), "string".into());
    m.insert("description".into(), "An IANA time zone name such as Europe/London. Abbreviations (PST) are rejected.".into());
    m.insert("enum".into(), zone_names().iter().map(|n| serde_json::Value::from(n.as_str())).collect());
    m.insert(
        "errorMessage".into(),
        "Not a time zone runready knows: use an IANA name from its bundled database, such as Europe/London or America/New_York (abbreviations such as PST are ambiguous).".into(),
    );
    Schema::from(m)
});

/// AWS account ids: 12 digits, written as strings. An unquoted number is refused: YAML
/// reads it as a number, and other tools that read the same file (yq, PyYAML, a policy's
/// language) drop a leading zero; the schema says the same (`type: string`).
pub fn account_ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct Account(String);
    impl<'de> Deserialize<'de> for Account {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl de::Visitor<'_> for V {
                type Value = Account;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a 12-digit AWS account id in quotes (\"111122223333\")")
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Account, E> {
                    if Spelling::Account.matches(v) { Ok(Account(v.to_string())) } else { Err(E::custom(format_args!("expected a 12-digit AWS account id, found \"{v}\""))) }
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<Account, E> {
                    // An unquoted 012345678901 has already lost its zero: show the id padded.
                    let id = format!("{v:012}");
                    if id.len() == 12 {
                        Err(E::custom(format_args!("expected an AWS account id in quotes, found the number {v}: write \"{id}\" (unquoted, YAML reads a number and tools drop leading zeros)")))
                    } else {
                        Err(E::custom(format_args!("expected a 12-digit AWS account id in quotes, found the number {v}")))
                    }
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<Account, E> {
                    match u64::try_from(v) {
                        Ok(v) => self.visit_u64(v),
                        Err(_) => Err(E::custom(format_args!("expected a 12-digit AWS account id in quotes, found the number {v}"))),
                    }
                }
            }
            d.deserialize_any(V)
        }
    }
    Ok(Vec::<Account>::deserialize(d)?.into_iter().map(|a| a.0).collect())
}

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
        assert!("PT".parse::<Duration>().is_err());
        assert!("P1DT".parse::<Duration>().is_err());
        assert_eq!("pt5m".parse::<Duration>().unwrap().as_secs(), 300);
        assert!("PT30S1M".parse::<Duration>().unwrap_err().contains("out of order"));
        assert!("30m1h".parse::<Duration>().unwrap_err().contains("out of order"));
        assert!("1h1h".parse::<Duration>().is_err());
        assert!("1 5m".parse::<Duration>().is_err());
        assert_eq!("2d 4h".parse::<Duration>().unwrap().as_secs(), 2 * 86_400 + 4 * 3600);
        assert!("15M".parse::<Duration>().unwrap_err().contains("lower case"));
        assert_eq!("P1DT2H30M".parse::<Duration>().unwrap().to_string(), "P1DT2H30M");
    }

    #[test]
    fn zones_reject_abbreviations() {
        assert!("Europe/London".parse::<TimeZone>().is_ok());
        assert!("UTC".parse::<TimeZone>().is_ok());
        assert!("PST".parse::<TimeZone>().is_err());
        assert!("EST".parse::<TimeZone>().is_err());
        assert!("Mars/Olympus".parse::<TimeZone>().is_err());
        assert!("America/New_Yrok".parse::<TimeZone>().unwrap_err().contains("did you mean America/New_York?"));
        assert!("europe/london".parse::<TimeZone>().unwrap_err().contains("Europe/London"));
    }

    #[test]
    fn local_times_and_dates() {
        assert_eq!("24:00".parse::<LocalTime>().unwrap().minutes, 1440);
        assert!("24:01".parse::<LocalTime>().is_err());
        assert!("8:00".parse::<LocalTime>().is_err());
        assert!("2026-02-30".parse::<Date>().unwrap_err().contains("no day 30 in February 2026"));
        assert!("2024-02-29".parse::<Date>().is_ok());
        assert!("+1:00".parse::<LocalTime>().is_err());
        // A real date with a bad time is not blamed on the date.
        assert!("2026-11-23T10:00:00".parse::<Instant>().unwrap_err().contains("with an offset"));
        assert!("2026-01-05T25:00".parse::<LocalDateTime>().unwrap_err().contains("YYYY-MM-DDTHH:MM"));
        assert!("2026-02-30T10:00".parse::<LocalDateTime>().unwrap_err().contains("no day 30 in February"));
        assert!("2026-01-05T09:00".parse::<LocalDateTime>().is_ok());
        for text in ["2026-01-05T09:00", "2026-01-05T09:00:30"] {
            assert_eq!(text.parse::<LocalDateTime>().unwrap().to_string(), text, "written back as read");
        }
        assert!("2026-01-05T09:00Z".parse::<LocalDateTime>().is_err());
        assert!("2026-01-05T09:00:00Z".parse::<Instant>().is_ok());
        assert!("2026-01-05T09:00:00".parse::<Instant>().is_err());
    }
}
