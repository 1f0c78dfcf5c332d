//! ESC-002..ESC-004 and DRL-002: the escalation walk over the horizon, and drill windows.

use super::{Ctx, Out, RuleResult, subject};
use crate::model::*;
use crate::time::coverage::worst;
use crate::time::timeline::{Miss, Walk, first_contact};
use crate::time::{Horizon, IntervalSet, calendar};
use serde_json::json;

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
    pub required: std::rc::Rc<IntervalSet>,
    pub segments: std::rc::Rc<super::Segments>,
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

pub fn esc002(ctx: &Ctx) -> Vec<RuleResult> {
    let mut out = Out::new(ctx, "ESC-002");
    for svc in &ctx.model.services {
        let s = subject("service", &svc.id);
        let Some(TimedService { escalation: esc, required, segments }) = timed_service(ctx, &mut out, svc) else { continue };
        for sev in ctx.model.service_severities(svc) {
            let Some(ack) = sev.targets.acknowledge else {
                out.pass(&s, &sev.origin, format!("not required: {} has no acknowledge target", sev.id));
                continue;
            };
            let clock = sev.clock.calendar().and_then(|c| ctx.calendar_over_span(c));
            if !sev.clock.is_wall() && clock.is_none() {
                out.unknown(&s, Some(&sev.origin.at("clock")), format!("clock `{}` does not exist (SM-001)", sev.clock));
                continue;
            }
            let Some(w) = worst(&segments, &required, clock.as_ref()) else {
                out.pass(&s, &sev.origin, format!("not required: no required coverage in the horizon for {}", sev.id));
                continue;
            };
            let shown = w.secs.map(human_secs).unwrap_or_else(|| "never".into());
            let walk = describe(&ctx.timeline().walk(esc, w.at));
            let cause = format!("{}: {walk}", ctx.show(w.at));
            let evidence = json!({ "severity": sev.id, "worst_seconds": w.secs, "worst_at": w.at.to_string(), "acknowledge_seconds": ack.as_secs(), "cause": walk });
            if w.secs.is_some_and(|x| x <= ack.as_secs()) {
                out.pass(&s, &esc.origin, format!("{}: worst time to engage {shown} (target {}), at {cause}", sev.id, ack.human())).with_evidence(evidence);
            } else {
                out.fail(
                    &s,
                    &esc.origin.at("steps"),
                    format!("{}: worst time to engage is {shown}, longer than acknowledge {}: {cause}", sev.id, ack.human()),
                    "page more people in the first step, shorten step timeouts, or relax the target",
                )
                .with_evidence(evidence);
            }
        }
    }
    out.results
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

pub fn esc003(ctx: &Ctx) -> Vec<RuleResult> {
    let mut out = Out::new(ctx, "ESC-003");
    for (id, esc) in &ctx.model.escalations {
        let s = subject("escalation", id);
        let mut problems = 0;
        for (i, step) in esc.steps.iter().enumerate() {
            let timeout = step.timeout.as_secs();
            for person in step.notify.iter().flat_map(|t| people_of(ctx.model, t)) {
                let first = first_contact(ctx.model, &person);
                let late = match first {
                    None if ctx.model.contact(&person).is_some_and(|c| c.has_interruptive_channel()) => Some("has notification rules that use no interruptive channel".to_string()),
                    None => Some("has no interruptive channel".to_string()),
                    Some(f) if f.delay >= timeout => Some(format!("is first interrupted at +{}", human_secs(f.delay))),
                    Some(_) => None,
                };
                if let Some(why) = late {
                    problems += 1;
                    out.fail(
                        &s,
                        &esc.origin.at(format!("steps/{i}/timeout")),
                        format!("step {} times out after {}, but {person} {why}", i + 1, step.timeout.human()),
                        format!("lengthen the step's timeout, or give {person} an earlier interruptive notification rule"),
                    );
                }
            }
        }
        if problems == 0 {
            out.pass(&s, &esc.origin, "every step outlasts the first interruptive contact of everyone it pages");
        }
    }
    out.results
}

pub fn esc004(ctx: &Ctx) -> Vec<RuleResult> {
    let mut out = Out::new(ctx, "ESC-004");
    for (id, esc) in &ctx.model.escalations {
        let s = subject("escalation", id);
        let segments = ctx.segments(id).unwrap_or_default();
        let found = segments.iter().find_map(|seg| seg.repeated.as_ref().map(|(i, j, person)| (seg.interval.start, person.clone(), *i, *j)));
        match found {
            Some((t, person, i, j)) => {
                out.fail(
                    &s,
                    &esc.origin.at(format!("steps/{j}")),
                    format!("steps {} and {} both page only {person} for an incident at {}", i + 1, j + 1, ctx.show(t)),
                    "escalate to someone else: a lead, a secondary rotation",
                );
            }
            None => {
                out.pass(&s, &esc.origin, "no two consecutive steps page the same single person");
            }
        }
    }
    out.results
}

pub fn drl002(ctx: &Ctx) -> Vec<RuleResult> {
    let mut out = Out::new(ctx, "DRL-002");
    for d in &ctx.model.drills {
        let s = subject("drill", &d.id);
        let every = Horizon::new(ctx.at, d.every);
        let window = d.window.clone().unwrap_or_default();
        let within_id = window.within.as_deref().unwrap_or(ALWAYS);
        let Some(mut open) = calendar::expand(ctx.model, within_id, every) else {
            out.unknown(&s, Some(&d.origin.at("window/within")), format!("calendar `{within_id}` does not exist (SM-001)"));
            continue;
        };
        let mut missing = None;
        for c in &window.not_during {
            match calendar::expand(ctx.model, c, every) {
                Some(closed) => open = open.subtract(&closed),
                None => missing = Some(c.clone()),
            }
        }
        if let Some(c) = missing {
            out.unknown(&s, Some(&d.origin.at("window")), format!("calendar `{c}` does not exist (SM-001)"));
            continue;
        }
        let need = d.safety.as_ref().and_then(|s| s.max_duration).map_or(3600, |m| m.as_secs());
        match open.intervals().iter().find(|i| i.secs() >= need) {
            Some(i) => {
                out.pass(&s, &d.origin, format!("first window with room for {}: {}", human_secs(need), ctx.show(i.start)));
            }
            None => {
                let longest = open.intervals().iter().map(|i| i.secs()).max().unwrap_or(0);
                out.fail(
                    &s,
                    &d.origin.at("window"),
                    format!("no window of {} fits between {} and {} (longest {})", human_secs(need), ctx.show(every.start), ctx.show(every.end), human_secs(longest)),
                    "widen `window.within`, shorten `safety.max_duration`, or move a `not_during` freeze",
                );
            }
        }
    }
    out.results
}
