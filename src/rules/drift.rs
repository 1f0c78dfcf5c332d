//! DRF-001..004 (paging.md, "Drift"): the declared model against the live side of
//! `check --paging DIR`, object by object through `source:`. People are matched by their
//! contact's `source` (the paging tool's user id), else by contact id.

use super::rule::{Rule, rule};
use super::{Ctx, Out, subject};
use crate::model::{Escalation, Model, Origin, Target, TargetRef, Urgency};
use crate::time::timeline::{Timeline, first_contact};
use serde_json::json;

/// The rules of this family, as `rules`, `explain` and every report list them.
pub static RULES: &[Rule] = &[
    rule!(
        "DRF-001",
        Error,
        Drift,
        Paging,
        "Declared rotations and schedules put the same person on duty as the paging tool",
        "A readiness verdict about a copy says nothing about what pages people tonight",
        "Each declared rotation or schedule with a `source` puts the same person on duty as its live counterpart at every instant of the horizon; the message gives the first differing stretches and who is on duty on each side.\n\nFix: re-import (`runready import pagerduty`), or change the paging tool back.",
        same_on_duty,
        examples paging
    ),
    rule!(
        "DRF-002",
        Error,
        Drift,
        Paging,
        "Declared escalations and services match the paging tool",
        "An escalation edited in the paging tool is not the one the model checks",
        "Each declared escalation with a `source` has its live counterpart's steps (targets, timeouts, assignment), repeat and fallback; each declared service with a `source` has the escalation and urgency of the live entry with that `source`.\n\nFix: re-import, or change the paging tool back.",
        same_escalation,
        examples paging
    ),
    rule!(
        "DRF-003",
        Warning,
        Drift,
        Paging,
        "Declared contacts reach people as the paging tool does",
        "A phone number or a notification rule changed in the paging tool changes who answers",
        "Each declared contact with a `source` reaches the person interruptively at the same delays, for each urgency, as the live contact.\n\nFix: re-import, or ask the person to restore their notification rules.",
        same_reach,
        examples paging
    ),
    rule!(
        "DRF-004",
        Error,
        Drift,
        Paging,
        "Every declared source still exists in the paging tool",
        "An object deleted or renamed in the paging tool leaves the model describing nothing",
        "A declared `source` that the live side does not contain (deleted or renamed in the paging tool) fails.\n\nFix: remove the object or its `source`, or re-import.",
        sources_exist,
        examples paging
    ),
];

/// Every declared object with a `source`: (kind, id, source, origin).
pub fn sourced(m: &Model) -> Vec<(&'static str, String, String, Origin)> {
    let mut out = Vec::new();
    for (id, r) in &m.rotations {
        out.extend(r.source.clone().map(|s| ("rotation", id.clone(), s, r.origin.clone())));
    }
    for (id, s) in &m.schedules {
        out.extend(s.source.clone().map(|src| ("schedule", id.clone(), src, s.origin.clone())));
    }
    for (id, e) in &m.escalations {
        out.extend(e.source.clone().map(|s| ("escalation", id.clone(), s, e.origin.clone())));
    }
    for c in &m.contacts {
        out.extend(c.source.clone().map(|s| ("contact", c.id.clone(), s, c.origin.clone())));
    }
    for svc in &m.services {
        out.extend(svc.source.clone().map(|s| ("service", svc.id.clone(), s, svc.origin.clone())));
    }
    out
}

fn live<'a>(ctx: &Ctx<'a>) -> &'a Model {
    ctx.paging.expect("the engine runs paging rules only with a snapshot")
}

/// The live side's objects by kind and source, built once per rule.
type LiveIndex = std::collections::HashMap<(&'static str, String), String>;

fn live_index(m: &Model) -> LiveIndex {
    sourced(m).into_iter().map(|(k, id, s, _)| ((k, s), id)).collect()
}

/// The live object of a kind with a source.
fn live_id(index: &LiveIndex, kind: &'static str, source: &str) -> Option<String> {
    index.get(&(kind, source.to_string())).cloned()
}

/// How a person is matched across the two sides.
fn person(m: &Model, contact: &str) -> String {
    m.contact(contact).and_then(|c| c.source.clone()).unwrap_or_else(|| format!("contact:{contact}"))
}

/// A target as both sides can compare it: a person, or the source of what it names.
fn target_key(m: &Model, t: &Target) -> String {
    match t.get() {
        TargetRef::Contact(c) => person(m, c),
        TargetRef::Rotation(r) => m.rotations.get(r).and_then(|r| r.source.clone()).unwrap_or_else(|| t.to_string()),
        TargetRef::Schedule(s) => m.schedules.get(s).and_then(|s| s.source.clone()).unwrap_or_else(|| t.to_string()),
        TargetRef::Other(_) => t.to_string(),
    }
}

fn nothing_to_compare(ctx: &Ctx, out: &mut Out, kinds: &[&str]) -> bool {
    if sourced(ctx.model).iter().any(|(k, ..)| kinds.contains(k)) {
        return false;
    }
    out.push(super::Status::Pass, "model", None, "not required: no declared object of this kind carries `source:`");
    true
}

fn same_on_duty(ctx: &Ctx, out: &mut Out) {
    if nothing_to_compare(ctx, out, &["rotation", "schedule"]) {
        return;
    }
    let other = live(ctx);
    let index = live_index(other);
    let theirs = Timeline::without_holidays(other, ctx.horizon);
    let ours = ctx.timeline();
    let h = ctx.horizon.interval();
    for (kind, id, source, origin) in sourced(ctx.model).into_iter().filter(|(k, ..)| *k == "rotation" || *k == "schedule") {
        let Some(lid) = live_id(&index, kind, &source) else { continue };
        let stretch = |tl: &Timeline, m: &Model, k: &str, id: &str| -> Vec<(jiff::Timestamp, jiff::Timestamp, String)> {
            let duties = if k == "rotation" { tl.duties(id) } else { tl.schedule_duties(id) };
            duties.iter().filter_map(|d| d.interval.clip(h).map(|i| (i.start, i.end, person(m, &d.member)))).collect()
        };
        let diffs = crate::import::check::differences(&stretch(ours, ctx.model, kind, &id), &stretch(&theirs, other, kind, &lid), h.start, h.end);
        let s = subject(kind, &id);
        if diffs.is_empty() {
            out.pass(&s, &origin, format!("the same person on duty as {source} at every instant of the horizon"));
            continue;
        }
        let name = |m: &Model, key: &Option<String>| match key {
            None => "nobody".to_string(),
            Some(k) => m.contacts.iter().find(|c| c.source.as_deref() == Some(k.as_str()) || format!("contact:{}", c.id) == *k).map_or(k.clone(), |c| c.id.clone()),
        };
        let first: Vec<String> = diffs.iter().take(3).map(|(a, b, o, t)| format!("{} → {}: declared {}, live {}", ctx.show(*a), ctx.show(*b), name(ctx.model, o), name(other, t))).collect();
        let secs: i64 = diffs.iter().map(|(a, b, ..)| b.as_second() - a.as_second()).sum();
        out.fail(
            &s,
            &origin,
            format!("{kind} `{id}` differs from {source} for {} in {} stretch(es); first {}", crate::model::human_secs(secs), diffs.len(), first.join("; ")),
            "re-import with `runready import pagerduty`, or change the paging tool back",
        )
        .with_evidence(json!({ "source": source, "stretches": diffs.len(), "seconds": secs }));
    }
}

/// The first difference between two escalations, in words.
fn escalation_difference(ours: (&Model, &Escalation), theirs: (&Model, &Escalation)) -> Option<String> {
    let ((m, a), (n, b)) = (ours, theirs);
    if a.steps.len() != b.steps.len() {
        return Some(format!("{} step(s) declared, {} live", a.steps.len(), b.steps.len()));
    }
    for (i, (x, y)) in a.steps.iter().zip(&b.steps).enumerate() {
        let mut tx: Vec<String> = x.notify.iter().map(|t| target_key(m, t)).collect();
        let mut ty: Vec<String> = y.notify.iter().map(|t| target_key(n, t)).collect();
        tx.sort();
        ty.sort();
        if tx != ty {
            return Some(format!(
                "step {} pages {} declared, {} live",
                i + 1,
                x.notify.iter().map(Target::to_string).collect::<Vec<_>>().join(", "),
                y.notify.iter().map(Target::to_string).collect::<Vec<_>>().join(", ")
            ));
        }
        if x.timeout.as_secs() != y.timeout.as_secs() {
            return Some(format!("step {} times out after {} declared, {} live", i + 1, x.timeout, y.timeout));
        }
        if x.assignment != y.assignment {
            return Some(format!("step {} assignment {:?} declared, {:?} live", i + 1, x.assignment, y.assignment));
        }
    }
    if a.repeat != b.repeat {
        return Some(format!("repeat {} declared, {} live", a.repeat, b.repeat));
    }
    let fx = a.final_fallback.as_ref().map(|t| target_key(m, t));
    let fy = b.final_fallback.as_ref().map(|t| target_key(n, t));
    (fx != fy)
        .then(|| format!("final_fallback {} declared, {} live", a.final_fallback.as_ref().map_or("none".into(), Target::to_string), b.final_fallback.as_ref().map_or("none".into(), Target::to_string)))
}

fn same_escalation(ctx: &Ctx, out: &mut Out) {
    if nothing_to_compare(ctx, out, &["escalation", "service"]) {
        return;
    }
    let other = live(ctx);
    let index = live_index(other);
    for (kind, id, source, origin) in sourced(ctx.model).into_iter().filter(|(k, ..)| *k == "escalation" || *k == "service") {
        let Some(lid) = live_id(&index, kind, &source) else { continue };
        let s = subject(kind, &id);
        let diff =
            if kind == "escalation" { escalation_difference((ctx.model, &ctx.model.escalations[&id]), (other, &other.escalations[&lid])) } else { service_difference(ctx.model, &id, other, &lid) };
        match diff {
            None => {
                out.pass(&s, &origin, format!("matches {source}"));
            }
            Some(d) => {
                out.fail(&s, &origin, format!("{kind} `{id}` differs from {source}: {d}"), "re-import with `runready import pagerduty`, or change the paging tool back")
                    .with_evidence(json!({ "source": source }));
            }
        }
    }
}

fn service_difference(m: &Model, id: &str, n: &Model, lid: &str) -> Option<String> {
    let (a, b) = (m.service(id)?, n.service(lid)?);
    let esc_source = |model: &Model, e: &Option<String>| e.as_ref().map(|e| model.escalations.get(e).and_then(|x| x.source.clone()).unwrap_or_else(|| format!("escalation:{e}")));
    if esc_source(m, &a.escalation) != esc_source(n, &b.escalation) {
        return Some(format!("escalation {} declared, {} live", a.escalation.as_deref().unwrap_or("none"), b.escalation.as_deref().unwrap_or("none")));
    }
    // Urgency: the choices, and the support hours by what they contain.
    let hours = |model: &Model, u: &Option<crate::model::ServiceUrgency>| {
        u.as_ref().map(|u| {
            (
                u.inside,
                u.outside,
                u.support_hours.as_ref().and_then(|c| model.calendars.get(c)).map(|c| (c.timezone.as_ref().map(|z| z.name.clone()), serde_json::to_string(&c.weekly).unwrap_or_default())),
            )
        })
    };
    (hours(m, &a.urgency) != hours(n, &b.urgency)).then(|| "its urgency rule (inside, outside or support hours) differs".to_string())
}

fn same_reach(ctx: &Ctx, out: &mut Out) {
    if nothing_to_compare(ctx, out, &["contact"]) {
        return;
    }
    let other = live(ctx);
    let index = live_index(other);
    for (_, id, source, origin) in sourced(ctx.model).into_iter().filter(|(k, ..)| *k == "contact") {
        let Some(lid) = live_id(&index, "contact", &source) else { continue };
        let s = subject("contact", &id);
        let mut diffs = Vec::new();
        for u in [Urgency::High, Urgency::Low] {
            let (a, b) = (first_contact(ctx.model, &id, u), first_contact(other, &lid, u));
            let say = |f: Option<crate::time::timeline::FirstContact>| {
                f.map_or("never interrupted".to_string(), |f| format!("first interrupted at +{} by {}", crate::model::human_secs(f.delay), f.channel.as_str()))
            };
            if a.map(|f| f.delay) != b.map(|f| f.delay) {
                diffs.push(format!("at {} urgency: declared {}, live {}", u.as_str(), say(a), say(b)));
            }
        }
        if diffs.is_empty() {
            out.pass(&s, &origin, format!("reaches the person like {source} at both urgencies"));
        } else {
            out.fail(&s, &origin, format!("contact `{id}` differs from {source}: {}", diffs.join("; ")), "re-import, or ask the person to restore their notification rules")
                .with_evidence(json!({ "source": source }));
        }
    }
}

fn sources_exist(ctx: &Ctx, out: &mut Out) {
    let declared = sourced(ctx.model);
    if declared.is_empty() {
        out.push(super::Status::Pass, "model", None, "not required: no declared object carries `source:`");
        return;
    }
    let other = live(ctx);
    let index = live_index(other);
    for (kind, id, source, origin) in declared {
        let s = subject(kind, &id);
        if live_id(&index, kind, &source).is_some() {
            out.pass(&s, &origin.at("source"), format!("{source} exists on the live side"));
        } else {
            out.fail(
                &s,
                &origin.at("source"),
                format!("{kind} `{id}`: {source} is not in the paging snapshot (deleted or renamed in the paging tool)"),
                "remove the object or its `source`, or re-import",
            )
            .with_evidence(json!({ "source": source }));
        }
    }
}
