//! COV-006 and COV-007 (absences.md): which single absence breaks a service's targets, and
//! whether one person carries too much of a rotation's or schedule's duty.

use super::rule::{Rule, rule};
use super::walk::{people_of, timed_service};
use super::{Ctx, Out, subject};
use crate::model::*;
use crate::time::coverage::{Worst, worst};
use crate::time::timeline::Segment;
use crate::time::{Interval, IntervalSet};
use serde_json::json;
use std::collections::HashMap;

/// The rules of this family, as `rules`, `explain` and every report list them.
pub static RULES: &[Rule] = &[
    rule!(
        "COV-006",
        Error,
        Coverage,
        Time,
        "No single absence breaks the service (N-1)",
        "A process that works only while everyone is healthy is not ready",
        "For each service whose tier has `n_minus_one: true`, the absence of any single person or team its escalation can page (any step or the fallback), for the whole horizon, makes no severity's worst time to engage exceed `acknowledge` and never leaves an incident with nobody engaged — judged over required coverage, where that held with nobody absent. The absent person is still paged and never answers, so the walk goes on.\n\nFix: add a second person to the step that waits on one, shorten the step's timeout, or give the rotation more members.",
        n_minus_one,
        examples
    ),
    rule!(
        "COV-007",
        Warning,
        Coverage,
        Time,
        "Nobody carries more than max_load_share of a rotation's duty",
        "Load concentrated on one person burns them out and makes them a single point of failure",
        "For each rotation or schedule that a service with `max_load_share` pages, no person carries more than the strictest such share of its scheduled duty over the horizon (hours on duty in the final schedule, holidays and leave included).\n\nFix: rebalance the rotation (more members, shorter turns, overrides).",
        load_share,
        examples
    ),
];

/// The people (and teams that are not always reachable) an escalation can page.
fn pageable(m: &Model, esc: &Escalation) -> Vec<String> {
    let mut people: Vec<String> = esc.targets().flat_map(|t| people_of(m, t)).filter(|p| m.contact(p).is_some_and(|c| !c.always_reachable)).collect();
    people.sort();
    people.dedup();
    people
}

fn ok(w: &Option<Worst>, ack: Option<i64>) -> bool {
    w.as_ref().is_some_and(|w| w.secs.is_some_and(|s| ack.is_none_or(|a| s <= a)))
}

/// The first instant of required coverage at which the walk met the target with nobody
/// absent and misses it with the absence: its instant and time to engage (`None`: nobody).
fn first_break(base: &[Segment], absent: &[Segment], required: &IntervalSet, clock: Option<&IntervalSet>, ack: Option<i64>) -> Option<(jiff::Timestamp, Option<i64>)> {
    let (mut i, mut j) = (0, 0);
    while i < base.len() && j < absent.len() {
        let (a, b) = (&base[i], &absent[j]);
        let piece = Interval { start: a.interval.start.max(b.interval.start), end: a.interval.end.min(b.interval.end) };
        if piece.start < piece.end && a.tte != b.tte {
            for q in required.clip(piece).intervals() {
                let within = IntervalSet::single(*q);
                let wb = worst(&[Segment { interval: *q, ..a.clone() }], &within, clock);
                let wa = worst(&[Segment { interval: *q, ..b.clone() }], &within, clock);
                if ok(&wb, ack) && !ok(&wa, ack) {
                    let w = wa.expect("required coverage in the piece");
                    return Some((w.at, w.secs));
                }
            }
        }
        if a.interval.end <= b.interval.end {
            i += 1;
        } else {
            j += 1;
        }
    }
    None
}

fn n_minus_one(ctx: &Ctx, out: &mut Out) {
    // The services to judge, with the people their escalation can page.
    let mut judged = Vec::new();
    for svc in &ctx.model.services {
        let s = subject("service", &svc.id);
        let Some(tier) = svc.tier.as_deref().and_then(|t| ctx.model.tiers.get(t)) else { continue };
        if !tier.n_minus_one {
            out.pass(&s, &svc.origin, "not required: the tier does not set n_minus_one");
            continue;
        }
        let Some(timed) = timed_service(ctx, out, svc) else { continue };
        let people = pageable(ctx.model, timed.escalation);
        judged.push((svc, timed, people));
    }
    // Person by person: one timeline with them absent, and the walks it changes — only the
    // escalations that can page them, each computed once for every service sharing it.
    let mut everyone: Vec<&String> = judged.iter().flat_map(|(_, _, p)| p.iter()).collect();
    everyone.sort();
    everyone.dedup();
    let mut breaks: HashMap<&str, Vec<(String, String, jiff::Timestamp, String)>> = HashMap::new();
    for p in everyone {
        let tl = ctx.timeline().with_absent(&[p.as_str()]);
        // Keyed by escalation, and by service and severity only where the walk is spliced by
        // urgency (otherwise every severity shares the high-urgency walk).
        let mut walks: HashMap<(&str, Option<(&str, &str)>), Vec<Segment>> = HashMap::new();
        for (svc, timed, _) in judged.iter().filter(|(_, _, people)| people.contains(p)) {
            for st in &timed.severities {
                let sev = st.severity;
                let clock = ctx.stage.clock(sev).unwrap_or_default();
                let spliced = (ctx.stage.urgency_matters() && !st.low.is_empty()).then_some((svc.id.as_str(), sev.id.as_str()));
                let segs = walks.entry((timed.escalation_id, spliced)).or_insert_with(|| ctx.stage.segments_on(&tl, timed.escalation, st));
                let ack = sev.targets.acknowledge.map(|d| d.as_secs());
                if let Some((t, tte)) = first_break(&st.segments, segs, timed.required, clock, ack) {
                    let walk = tl.walk(timed.escalation, t, st.urgency_at(t)).narration().to_string();
                    let shown = tte.map(human_secs).unwrap_or_else(|| "nobody engaged".into());
                    let text = format!("{p} absent: {}: {shown} at {}: {}{walk}", sev.id, ctx.show(t), st.urgency_note(t));
                    breaks.entry(svc.id.as_str()).or_default().push((p.clone(), sev.id.clone(), t, text));
                    break;
                }
            }
        }
    }
    for (svc, timed, people) in &judged {
        let s = subject("service", &svc.id);
        let esc = timed.escalation;
        match breaks.get(svc.id.as_str()) {
            None => {
                out.pass(&s, &esc.origin, format!("no single absence among {} people breaks a target", people.len()));
            }
            Some(found) => {
                let evidence: Vec<serde_json::Value> = found.iter().map(|(p, sev, t, _)| json!({ "person": p, "severity": sev, "first_at": t.to_string() })).collect();
                out.fail(
                    &s,
                    &esc.origin.at("steps"),
                    format!("{} single absence(s) break a target: {}", found.len(), found.iter().map(|b| b.3.clone()).collect::<Vec<_>>().join("; ")),
                    "add a second person to the step that waits on one, shorten its timeout, or add members to the rotation",
                )
                .with_evidence(json!({ "breaks": evidence }));
            }
        }
    }
}

/// The rotations and schedules each service pages (steps and fallback), with the strictest
/// `max_load_share` of the services that page them.
fn load_limits(m: &Model) -> Vec<(Target, f64, Vec<String>)> {
    let mut out: Vec<(Target, f64, Vec<String>)> = Vec::new();
    for svc in &m.services {
        let Some(share) = svc.tier.as_deref().and_then(|t| m.tiers.get(t)).and_then(|t| t.max_load_share) else { continue };
        let Some(esc) = svc.escalation.as_deref().and_then(|e| m.escalations.get(e)) else { continue };
        for t in esc.targets() {
            if !matches!(t.get(), TargetRef::Rotation(_) | TargetRef::Schedule(_)) {
                continue;
            }
            match out.iter_mut().find(|(x, ..)| x == t) {
                Some(entry) => {
                    entry.1 = entry.1.min(share);
                    entry.2.push(svc.id.clone());
                }
                None => out.push((t.clone(), share, vec![svc.id.clone()])),
            }
        }
    }
    out
}

/// Hours on duty per person in a roster over the horizon, in order of first appearance.
pub fn hours(duties: &[crate::time::rotation::Duty], h: Interval) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    for d in duties {
        let Some(i) = d.interval.clip(h) else { continue };
        let secs = i.secs() as f64 / 3600.0;
        match out.iter_mut().find(|(p, _)| *p == d.member) {
            Some(e) => e.1 += secs,
            None => out.push((d.member.clone(), secs)),
        }
    }
    out
}

fn load_share(ctx: &Ctx, out: &mut Out) {
    let limits = load_limits(ctx.model);
    if limits.is_empty() {
        out.push(super::Status::Pass, "model", None, "not required: no tier sets max_load_share");
        return;
    }
    for (target, share, services) in limits {
        let (s, origin) = match target.get() {
            TargetRef::Rotation(r) => (subject("rotation", r), ctx.model.rotations.get(r).map(|x| x.origin.clone())),
            TargetRef::Schedule(x) => (subject("schedule", x), ctx.model.schedules.get(x).map(|x| x.origin.clone())),
            _ => continue,
        };
        let Some(origin) = origin else { continue };
        let Some(duties) = ctx.timeline().roster(target.get()) else { continue };
        let per = hours(duties, ctx.horizon.interval());
        let total: f64 = per.iter().map(|(_, h)| h).sum();
        let over: Vec<(String, f64)> = per.iter().filter(|(_, h)| total > 0.0 && h / total > share + 1e-9).map(|(p, h)| (p.clone(), h / total)).collect();
        if over.is_empty() {
            out.pass(&s, &origin, format!("nobody carries more than {:.0}% of its {total:.0} hours on duty (max_load_share {share} for {})", share * 100.0, services.join(", ")));
        } else {
            let who: Vec<String> = over.iter().map(|(p, f)| format!("{p} {:.0}%", f * 100.0)).collect();
            out.fail(
                &s,
                &origin,
                format!("{} of its {total:.0} hours on duty over the horizon, more than max_load_share {share} (for {})", who.join(", "), services.join(", ")),
                "add members, shorten turns, or hand stretches over with overrides",
            )
            .with_evidence(json!({ "over": over.iter().map(|(p, f)| json!({ "contact": p, "share": f })).collect::<Vec<_>>(), "total_hours": total }));
        }
    }
}
