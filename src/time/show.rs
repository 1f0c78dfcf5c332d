//! Instants as people read them: `Fri 2026-12-25 03:00 America/New_York`. One formatter
//! for messages, causes and reports, so every output says the same thing the same way.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// `Fri 2026-12-25 03:00 America/New_York`. Seconds are shown when they are not zero
/// (`02:29:59`); the offset is added when the local time occurs twice in the zone
/// (`Sun 2026-11-01 01:30 -04:00 America/New_York`), so that it names one instant.
pub fn show(t: Timestamp, tz: &TimeZone) -> String {
    let z = t.to_zoned(tz.clone());
    let name = tz.iana_name().unwrap_or("UTC");
    let local = if z.second() != 0 { z.strftime("%a %Y-%m-%d %H:%M:%S") } else { z.strftime("%a %Y-%m-%d %H:%M") };
    if tz.to_ambiguous_timestamp(z.datetime()).is_ambiguous() { format!("{local} {} {name}", z.strftime("%:z")) } else { format!("{local} {name}") }
}

/// [`show`] in one zone, for code that formats many instants.
pub fn show_in(tz: &TimeZone) -> impl Fn(Timestamp) -> String + '_ {
    move |t| show(t, tz)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn ambiguous_local_times_carry_their_offset() {
        let ny = TimeZone::get("America/New_York").unwrap();
        assert_eq!(show(ts("2026-11-01T05:30:00Z"), &ny), "Sun 2026-11-01 01:30 -04:00 America/New_York");
        assert_eq!(show(ts("2026-11-01T06:30:00Z"), &ny), "Sun 2026-11-01 01:30 -05:00 America/New_York");
        assert_eq!(show(ts("2026-11-01T08:00:00Z"), &ny), "Sun 2026-11-01 03:00 America/New_York");
        let lh = TimeZone::get("Australia/Lord_Howe").unwrap();
        // Lord Howe falls back 30 minutes: 01:30..02:00 occurs twice.
        assert_eq!(show(ts("2027-04-03T14:45:00Z"), &lh), "Sun 2027-04-04 01:45 +11:00 Australia/Lord_Howe");
    }

    #[test]
    fn seconds_only_when_they_matter() {
        assert_eq!(show(ts("2026-10-25T02:29:59Z"), &TimeZone::UTC), "Sun 2026-10-25 02:29:59 UTC");
        assert_eq!(show(ts("2026-10-25T02:29:00Z"), &TimeZone::UTC), "Sun 2026-10-25 02:29 UTC");
    }
}
