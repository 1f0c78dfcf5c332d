//! Staffed coverage, gaps and time to engage, from the segments of a Timeline.

use super::timeline::{Miss, Walk, add};
use super::{Interval, IntervalSet};
use jiff::Timestamp;

/// Whether the first step of a walk reaches someone reachable who can be interrupted
/// (support-model.md, "Coverage": staffed coverage).
pub fn first_step_staffed(walk: &Walk) -> bool {
    walk.visits.first().is_some_and(|v| v.step == Some(0) && (!v.contacted.is_empty() || v.missed.iter().any(|m| matches!(m, Miss::TooLate(..)))))
}

/// Staffed coverage: the union of the segments whose first step reaches someone.
pub fn staffed(segments: &[(Interval, Walk)]) -> IntervalSet {
    IntervalSet::from_intervals(segments.iter().filter(|(_, w)| first_step_staffed(w)).map(|(i, _)| *i).collect())
}

/// Time to engage of a walk in seconds on the wall clock; `None`: nobody is ever engaged.
pub fn tte(walk: &Walk) -> Option<i64> {
    walk.engaged().map(|c| c.at)
}

/// The worst time to engage over `within`, on `clock` (`None`: the wall clock), and the
/// earliest instant attaining it.
#[derive(Clone, Debug, PartialEq)]
pub struct Worst {
    /// Seconds on the severity's clock; `None`: never engaged.
    pub secs: Option<i64>,
    pub at: Timestamp,
    pub walk: Walk,
}

/// Time on `clock` between `t` and `t + secs`: only the part inside the calendar counts.
pub fn on_clock(clock: &IntervalSet, t: Timestamp, secs: i64) -> i64 {
    clock.clip(Interval { start: t, end: add(t, secs) }).total_secs()
}

fn better(a: Option<i64>, b: Option<i64>) -> bool {
    // Is `a` worse than `b`? `None` (never) is the worst.
    match (a, b) {
        (None, Some(_)) => true,
        (Some(x), Some(y)) => x > y,
        _ => false,
    }
}

pub fn worst(segments: &[(Interval, Walk)], within: &IntervalSet, clock: Option<&IntervalSet>) -> Option<Worst> {
    let mut worst: Option<Worst> = None;
    for (seg, walk) in segments {
        let part = within.clip(*seg);
        if part.is_empty() {
            continue;
        }
        let wall = tte(walk);
        let candidates: Vec<Timestamp> = match (clock, wall) {
            (Some(c), Some(d)) => {
                // On a calendar clock the value moves with t: the maximum is at an end of
                // the part, or where t or t + d crosses a boundary of the calendar.
                let mut v = Vec::new();
                for i in part.intervals() {
                    v.push(i.start);
                    v.push(super::timeline::sub(i.end, 1));
                }
                for b in c.intervals().iter().flat_map(|i| [i.start, i.end]) {
                    for t in [b, super::timeline::sub(b, d)] {
                        if part.contains(t) {
                            v.push(t);
                        }
                    }
                }
                v.sort();
                v
            }
            _ => vec![part.intervals()[0].start],
        };
        for t in candidates {
            let secs = match (clock, wall) {
                (Some(c), Some(d)) => Some(on_clock(c, t, d)),
                (_, w) => w,
            };
            if worst.as_ref().is_none_or(|w| better(secs, w.secs)) {
                worst = Some(Worst { secs, at: t, walk: walk.clone() });
            }
        }
    }
    worst
}
