//! Staffed coverage, gaps and time to engage, from the segments of a Timeline.

use super::timeline::{Segment, add, sub};
use super::{Interval, IntervalSet};
use jiff::Timestamp;

/// Staffed coverage: the union of the segments whose first step reaches someone.
pub fn staffed(segments: &[Segment]) -> IntervalSet {
    IntervalSet::from_intervals(segments.iter().filter(|s| s.staffed).map(|s| s.interval).collect())
}

/// The worst time to engage over `within`, on `clock` (`None`: the wall clock), and the
/// earliest instant attaining it. The walk at `at` explains it (`Timeline::walk`).
#[derive(Clone, Debug, PartialEq)]
pub struct Worst {
    /// Seconds on the severity's clock; `None`: never engaged.
    pub secs: Option<i64>,
    pub at: Timestamp,
}

/// Time on `clock` between `t` and `t + secs`: only the part inside the calendar counts.
pub fn on_clock(clock: &IntervalSet, t: Timestamp, secs: i64) -> i64 {
    clock.clip(Interval { start: t, end: add(t, secs) }).total_secs()
}

/// Is `a` worse than `b`? `None` (never engaged) is the worst.
fn worse(a: Option<i64>, b: Option<i64>) -> bool {
    match (a, b) {
        (None, Some(_)) => true,
        (Some(x), Some(y)) => x > y,
        _ => false,
    }
}

pub fn worst(segments: &[Segment], within: &IntervalSet, clock: Option<&IntervalSet>) -> Option<Worst> {
    let mut best: Option<Worst> = None;
    let mut consider = |secs: Option<i64>, t: Timestamp| {
        if best.as_ref().is_none_or(|w| worse(secs, w.secs)) {
            best = Some(Worst { secs, at: t });
        }
    };
    for seg in segments {
        let idx = within.intervals().partition_point(|i| i.end <= seg.interval.start);
        let parts = within.intervals()[idx..].iter().take_while(|i| i.start < seg.interval.end).map(|i| Interval { start: i.start.max(seg.interval.start), end: i.end.min(seg.interval.end) });
        match (clock, seg.tte) {
            (Some(c), Some(d)) => {
                // On a calendar clock the value moves with t: the maximum is at an end of
                // a part, or where t or t + d crosses a boundary of the calendar.
                for part in parts {
                    let mut candidates = vec![part.start, sub(part.end, 1)];
                    // Boundaries b with b or b - d inside the part: b up to part.end + d.
                    let lo = c.intervals().partition_point(|i| i.end < part.start);
                    let hi = add(part.end, d);
                    for i in c.intervals()[lo..].iter().take_while(|i| i.start <= hi) {
                        for b in [i.start, i.end] {
                            for t in [b, sub(b, d)] {
                                if part.start <= t && t < part.end {
                                    candidates.push(t);
                                }
                            }
                        }
                    }
                    candidates.sort();
                    for t in candidates {
                        consider(Some(on_clock(c, t, d)), t);
                    }
                }
            }
            (_, tte) => {
                if let Some(first) = parts.into_iter().next() {
                    consider(tte, first.start);
                }
            }
        }
    }
    best
}
