//! What the walk-based rules share: a service's walk inputs from the time stage (or an
//! `unknown` result saying why there are none), and the people a target can page.

use super::{Ctx, Out, subject};
use crate::model::*;
use crate::time::stage::Timed;

/// The walk inputs of `svc` from the run's stage; when they are unknown, an `unknown`
/// result saying why is recorded and `None` returned.
pub fn timed_service<'c>(ctx: &'c Ctx, out: &mut Out, svc: &'c Entry<Service>) -> Option<Timed<'c>> {
    match ctx.stage.service(svc) {
        Ok(t) => Some(t),
        Err(why) => {
            out.unknown(subject("service", &svc.id), Some(&svc.origin), why.to_string());
            None
        }
    }
}

/// Why the first step reaches nobody at `t`: the walk at the urgency of the first severity
/// whose incidents find a gap there, naming the severity (and the urgency, when low) when
/// not every severity of the service has the gap.
pub fn gap_cause(ctx: &Ctx, timed: &Timed, t: jiff::Timestamp) -> String {
    let gapped = timed.gapped_at(t);
    let first = gapped.first().copied();
    let urgency = first.map_or(Urgency::High, |s| s.urgency_at(t));
    let narration = ctx.stage.walk(timed.escalation, t, urgency).narration().to_string();
    let note = first.map(|s| s.urgency_note(t)).unwrap_or_default();
    let names: Vec<&str> = gapped.iter().map(|s| s.severity.id.as_str()).collect();
    if gapped.len() < timed.severities.len() && !names.is_empty() {
        format!("at {} (for {} only): {note}{narration}", ctx.show(t), names.join(", "))
    } else {
        format!("at {}: {note}{narration}", ctx.show(t))
    }
}

/// Everyone a target can page: a rotation's members and override members, or the contact.
pub fn people_of(m: &Model, target: &Target) -> Vec<String> {
    match target.get() {
        TargetRef::Rotation(r) => m
            .rotations
            .get(r)
            .map(|r| {
                let mut v: Vec<String> = r.members.iter().chain(r.overrides.iter().map(|o| &o.member)).cloned().collect();
                v.sort();
                v.dedup();
                v
            })
            .unwrap_or_default(),
        TargetRef::Schedule(s) => {
            let mut v: Vec<String> =
                m.schedules.get(s).map(|s| s.layers.iter().flat_map(|l| people_of(m, &Target::rotation(l))).chain(s.overrides.iter().map(|o| o.member.clone())).collect()).unwrap_or_default();
            v.sort();
            v.dedup();
            v
        }
        TargetRef::Contact(c) => vec![c.to_string()],
        TargetRef::Other(_) => Vec::new(),
    }
}
