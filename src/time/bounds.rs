//! Upper bounds on simulated work, checked before any simulation (docs/decisions.md,
//! "Bounded work"). Every loop over simulated time runs over rotation turns or over an
//! escalation's breakpoints (each duty boundary of what it pages, once per offset at which
//! it pages it); both are counted here from the model and the horizon, and a model that
//! would exceed them is refused with the object, the count, the bound and what changes it.

use super::Horizon;
use super::timeline::longest_walk;
use crate::model::{Model, Origin, TargetRef};

/// The most turns one rotation may have over the simulated span.
pub const MAX_TURNS: i64 = 100_000;
/// The most duty boundaries one escalation's walk may have to look at over the span.
pub const MAX_BREAKPOINTS: i64 = 2_000_000;

/// One bound exceeded: where, and the message.
#[derive(Clone, Debug, PartialEq)]
pub struct Exceeded {
    pub origin: Origin,
    pub message: String,
}

/// Turns of rotation `id` over `secs` seconds of simulated time (an upper bound).
fn turns(model: &Model, id: &str, secs: i64) -> i64 {
    model.rotations.get(id).map_or(0, |r| {
        let handoff = (r.handoff.days * 86_400 + r.handoff.seconds).max(1);
        secs / handoff + 2
    })
}

/// Every bound the model exceeds over `horizon` (empty: within every bound).
pub fn check(model: &Model, horizon: Horizon) -> Vec<Exceeded> {
    let secs = (horizon.end.as_second() - horizon.start.as_second()).saturating_add(longest_walk(model));
    let mut out = Vec::new();
    for (id, r) in &model.rotations {
        let n = turns(model, id, secs);
        if n > MAX_TURNS {
            out.push(Exceeded {
                origin: r.origin.at("handoff"),
                message: format!(
                    "rotation `{id}` hands off every {}: {n} turns over the simulated {} days, more than the bound of {MAX_TURNS} turns per rotation; use a shorter --horizon or a longer handoff",
                    r.handoff,
                    secs / 86_400
                ),
            });
        }
    }
    for (id, e) in &model.escalations {
        let passes = e.repeat.clamp(0, 1000) + 1;
        let targets = e.targets();
        let per_pass: i64 = targets
            .map(|t| match t.get() {
                TargetRef::Rotation(r) => 2 * turns(model, r, secs),
                TargetRef::Schedule(s) => model.schedules.get(s).map_or(0, |s| s.layers.iter().map(|l| 2 * turns(model, l, secs)).sum::<i64>() + 2 * s.overrides.len() as i64),
                _ => 0,
            })
            .sum();
        let n = per_pass.saturating_mul(passes);
        if n > MAX_BREAKPOINTS {
            out.push(Exceeded {
                origin: e.origin.at("repeat"),
                message: format!(
                    "escalation `{id}` would look at {n} duty boundaries over the simulated {} days ({passes} pass(es) through rotations that hand off often), more than the bound of {MAX_BREAKPOINTS}; use a shorter --horizon, fewer `repeat` passes or longer handoffs",
                    secs / 86_400
                ),
            });
        }
    }
    out
}
