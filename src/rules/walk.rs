//! What the walk-based rules share: the narration of a walk, and the inputs a rule needs
//! to walk a service's escalation.

use super::{Ctx, Out, subject};
use crate::model::*;
use crate::time::IntervalSet;
use crate::time::timeline::{Miss, Walk};

/// "step 1 (rotation:a) reaches nobody (carol on holiday), waits 5m; step 2 reaches lead
/// by voice at +5m": what happened in a walk, up to the first engagement.
pub fn describe(walk: &Walk) -> String {
    let engaged = walk.engaged().cloned();
    let mut parts = Vec::new();
    for v in &walk.visits {
        let label = match (v.step, v.pass) {
            (Some(i), 0) => format!("step {} ({})", i + 1, v.targets.join(", ")),
            (Some(i), p) => format!("pass {}, step {} ({})", p + 1, i + 1, v.targets.join(", ")),
            (None, _) => format!("fallback {}", v.targets.join(", ")),
        };
        let hit = engaged.as_ref().filter(|e| v.contacted.contains(e));
        if let Some(e) = hit {
            parts.push(format!("{label} reaches {} by {} at +{}", e.contact, e.channel.as_str(), human_secs(e.at)));
            break;
        }
        let why: Vec<String> = v.missed.iter().map(miss).collect();
        let wait = v.timeout.map(|t| format!(", waits {}", human_secs(t))).unwrap_or_default();
        parts.push(format!("{label} reaches nobody ({}){wait}", if why.is_empty() { "no targets".to_string() } else { why.join("; ") }));
    }
    if engaged.is_none() {
        parts.push("nobody is ever engaged".into());
    }
    parts.join("; ")
}

pub fn miss(m: &Miss) -> String {
    match m {
        Miss::NobodyOnDuty(r) => format!("nobody on duty in rotation {r}"),
        Miss::OnHoliday(c, set) if set.is_empty() => format!("{c} on holiday"),
        Miss::OnHoliday(c, set) => format!("{c} on holiday {set}"),
        Miss::NoInterruptiveChannel(c) => format!("{c} has no interruptive channel"),
        Miss::NoInterruptiveRule(c) => format!("{c}'s notification rules use no interruptive channel"),
        Miss::TooLate(c, d, timeout) => format!("{c} is first interrupted at +{}, {} the timeout", human_secs(*d), if d == timeout { "at" } else { "after" }),
        Miss::Unresolved(t) => format!("{t} does not exist"),
    }
}

/// What the walk-based rules need of a service: its escalation, its tier's required
/// coverage and the escalation's segments over the horizon.
pub struct TimedService<'c> {
    pub escalation: &'c Entry<Escalation>,
    pub required: &'c IntervalSet,
    pub segments: &'c [crate::time::timeline::Segment],
}

/// The inputs of a walk-based rule for `svc`; when they are unknown, an `unknown` result
/// saying why is recorded and `None` returned.
pub fn timed_service<'c>(ctx: &'c Ctx, out: &mut Out, svc: &Entry<Service>) -> Option<TimedService<'c>> {
    let inputs = (|| {
        let tier_id = svc.tier.as_deref().ok_or("the service has no tier (SM-002)")?;
        let tier = ctx.model.tiers.get(tier_id).ok_or(format!("tier `{tier_id}` does not exist (SM-001)"))?;
        let esc_id = svc.escalation.as_deref().ok_or("the service has no escalation (SM-002)")?;
        let escalation = ctx.model.escalations.get(esc_id).ok_or(format!("escalation `{esc_id}` does not exist (SM-001)"))?;
        let required = ctx.calendar(&tier.required_coverage).ok_or(format!("calendar `{}` does not exist (SM-001)", tier.required_coverage))?;
        let segments = ctx.segments(esc_id).unwrap_or_default();
        Ok::<_, String>(TimedService { escalation, required, segments })
    })();
    match inputs {
        Ok(t) => Some(t),
        Err(why) => {
            out.unknown(subject("service", &svc.id), Some(&svc.origin), why);
            None
        }
    }
}

/// Everyone a target can page: a rotation's members and override members, or the contact.
pub fn people_of(m: &Model, target: &str) -> Vec<String> {
    match target.split_once(':') {
        Some(("rotation", r)) => m
            .rotations
            .get(r)
            .map(|r| {
                let mut v: Vec<String> = r.members.iter().chain(r.overrides.iter().map(|o| &o.member)).cloned().collect();
                v.sort();
                v.dedup();
                v
            })
            .unwrap_or_default(),
        Some(("contact", c)) => vec![c.to_string()],
        _ => Vec::new(),
    }
}
