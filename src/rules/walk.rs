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
