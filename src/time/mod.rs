//! Time: exact intervals of instants, calendars expanded over a horizon, rotations and
//! the response clocks of vendors. Nothing here samples minutes: every set is a sorted
//! list of half-open intervals.

pub mod analysis;
pub mod bounds;
pub mod calendar;
pub mod coverage;
pub mod interval;
pub mod load;
mod pages;
pub mod response;
pub mod rotation;
pub mod show;
pub mod stage;
pub mod timeline;
pub mod walk;

pub use interval::{Interval, IntervalSet};

use jiff::Timestamp;

/// The stretch of time simulated: `--at` .. `--at + --horizon`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Horizon {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Horizon {
    pub fn new(at: Timestamp, length: crate::model::Duration) -> Self {
        let end = at.checked_add(jiff::SignedDuration::from_secs(length.as_secs())).unwrap_or(Timestamp::MAX);
        Horizon { start: at, end }
    }
    pub fn interval(&self) -> Interval {
        Interval { start: self.start, end: self.end }
    }
    /// The same start, a longer end: room for clocks that run past the horizon.
    pub fn extended(&self, secs: i64) -> Horizon {
        let end = self.end.checked_add(jiff::SignedDuration::from_secs(secs)).unwrap_or(Timestamp::MAX);
        Horizon { start: self.start, end }
    }
}

/// Local civil date-time → instant: a time in a DST gap moves forward by the gap, a time
/// that occurs twice takes its first occurrence (support-model.md, "Rotations").
pub fn to_instant(dt: jiff::civil::DateTime, tz: &jiff::tz::TimeZone) -> Timestamp {
    tz.to_ambiguous_timestamp(dt).compatible().unwrap_or(Timestamp::MAX)
}

/// The first instant after `t` at which the local hour in `tz` changes: the next whole
/// local hour at the current offset, or the zone's next offset transition, whichever
/// comes first. Always later than `t`, whatever the zone's offsets (30- and 45-minute
/// zones, repeated and skipped hours), so a loop over local hours always ends.
pub fn next_local_hour(t: Timestamp, tz: &jiff::tz::TimeZone) -> Timestamp {
    let offset = i64::from(tz.to_offset(t).seconds());
    let local = t.as_second() + offset;
    let mark = Timestamp::from_second((local.div_euclid(3600) + 1) * 3600 - offset).unwrap_or(Timestamp::MAX);
    match tz.following(t).next().map(|tr| tr.timestamp()) {
        Some(tr) if tr > t && tr < mark => tr,
        _ => mark,
    }
}
