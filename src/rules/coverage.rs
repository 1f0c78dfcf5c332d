//! COV-001..COV-005: is anyone there, is the rotation big enough, do DST changes and
//! holidays break it, and does declared coverage match staffed coverage.

use super::dst::dst_traps;
use super::rule::{Rule, rule};
use super::walk::timed_service;
use super::{Ctx, Out, Status, WaiverNote, subject};
use crate::model::*;
use crate::time::coverage::staffed;
use crate::time::{Interval, IntervalSet};
use jiff::tz::TimeZone;
use serde_json::json;

/// The rules of this family, as `rules`, `explain` and every report list them.
pub static RULES: &[Rule] = &[
    rule!(
        "COV-001",
        Error,
        Coverage,
        Time,
        "Staffed coverage covers the tier's required coverage",
        "The core question: is anyone there?",
        "The service has no gap (an instant of required coverage at which the escalation's first step reaches nobody reachable), except where an unexpired gap_plan covers it.",
        coverage_gaps,
        examples
    ),
    rule!(
        "COV-002",
        Error,
        Coverage,
        Time,
        "Rotations are big enough and nobody is on duty too long",
        "Single points of failure and burnout",
        "Each rotation has at least the strictest `min_rotation_members` of the tiers of the services that reach it, and nobody is on duty longer than the strictest `max_consecutive_oncall`.",
        rotation_size_and_stretches,
        examples
    ),
    rule!(
        "COV-003",
        Error,
        Coverage,
        Time,
        "No handoff or window boundary falls on a skipped or repeated local time",
        "Grafana OnCall and PagerDuty users hit DST gaps every year",
        "No turn start, override boundary or calendar window boundary falls on a local time that does not exist or occurs twice.",
        dst_traps,
        examples
    ),
    rule!(
        "COV-004",
        Warning,
        Coverage,
        Time,
        "Nobody is scheduled on their own holidays",
        "Nobody is on call on Christmas morning",
        "No person is scheduled on duty on a date in their own `holidays` inside required coverage.",
        on_duty_on_holiday,
        examples
    ),
    rule!(
        "COV-005",
        Warning,
        Coverage,
        Time,
        "Declared coverage equals staffed coverage",
        "Declared and staffed coverage drift apart",
        "The service's declared `coverage` calendar equals its staffed coverage over the horizon, personal holidays aside.",
        declared_coverage,
        examples
    ),
];

/// "3 gaps, 14 h per week; first Mon 2026-11-23 18:00 UTC → …".
fn summarise(ctx: &Ctx, set: &IntervalSet) -> (String, serde_json::Value) {
    let weeks = (ctx.horizon.end.as_second() - ctx.horizon.start.as_second()) as f64 / (7.0 * 86_400.0);
    let per_week = set.total_secs() as f64 / 3600.0 / weeks.max(1.0 / 7.0);
    let first: Vec<String> = set.intervals().iter().take(3).map(|i| format!("{} → {}", ctx.show(i.start), ctx.show(i.end))).collect();
    let text = format!("{} gap(s), {per_week:.1} h per week; first {}", set.intervals().len(), first.join("; "));
    let evidence = json!({
        "gaps": set.intervals().len(),
        "gap_hours": set.total_secs() as f64 / 3600.0,
        "hours_per_week": per_week,
        "first_gaps": set.intervals().iter().take(10).map(|i| json!({ "from": i.start.to_string(), "to": i.end.to_string() })).collect::<Vec<_>>(),
    });
    (text, evidence)
}

fn coverage_gaps(ctx: &Ctx, out: &mut Out) {
    for svc in &ctx.model.services {
        let s = subject("service", &svc.id);
        let Some(timed) = timed_service(ctx, out, svc) else { continue };
        let esc = timed.escalation;
        let gaps = timed.gaps();
        if gaps.is_empty() {
            out.pass(&s, &esc.origin.at("steps/0"), "someone reachable is on duty at every instant of required coverage");
            continue;
        }
        let (waived, open) = ctx.split_by_gap_plan(svc.gap_plan.as_ref(), &gaps);
        let cause = |set: &IntervalSet| super::walk::gap_cause(ctx, &timed, set.intervals()[0].start);
        if !open.is_empty() {
            let (text, evidence) = summarise(ctx, &open);
            out.fail(
                &s,
                &esc.origin.at("steps/0/notify"),
                format!("nobody reachable is on duty for {text}; {}", cause(&open)),
                "add people or rotations to the first step, fix restrictions and hand-overs, or accept the gap with a `gap_plan`",
            )
            .with_evidence(evidence);
        }
        if let (false, Some(plan)) = (waived.is_empty(), &svc.gap_plan) {
            let (text, evidence) = summarise(ctx, &waived);
            let r = out.push(Status::Waived, &s, Some(&svc.origin.at("gap_plan")), format!("nobody reachable is on duty for {text}; accepted by the gap plan"));
            r.waiver = Some(WaiverNote { reason: plan.mitigation.clone(), approved_by: Some(plan.accepted_by.clone()), expires: Some(plan.expires.to_string()) });
            r.evidence = evidence;
        }
    }
}

/// For each rotation, the services whose escalation pages it anywhere (steps or fallback).
fn services_reaching(m: &Model) -> std::collections::HashMap<&str, Vec<&Entry<Service>>> {
    let mut map: std::collections::HashMap<&str, Vec<&Entry<Service>>> = std::collections::HashMap::new();
    for svc in &m.services {
        let Some(esc) = svc.escalation.as_ref().and_then(|e| m.escalations.get(e)) else { continue };
        let mut rotations: Vec<&str> = esc
            .targets()
            .flat_map(|t| match t.get() {
                TargetRef::Rotation(r) => vec![r],
                // A schedule pages through its layers.
                TargetRef::Schedule(s) => m.schedules.get(s).map(|s| s.layers.iter().map(String::as_str).collect()).unwrap_or_default(),
                _ => Vec::new(),
            })
            .collect();
        rotations.sort();
        rotations.dedup();
        for r in rotations {
            map.entry(r).or_default().push(svc);
        }
    }
    map
}

fn tiers_of<'m>(m: &'m Model, services: &[&Entry<Service>]) -> Vec<&'m Entry<Tier>> {
    services.iter().filter_map(|s| s.tier.as_ref().and_then(|t| m.tiers.get(t))).collect()
}

/// Civil length of an interval in a zone, in seconds (a P7D turn across DST is 7 days).
fn civil_secs(i: &Interval, tz: &TimeZone) -> i64 {
    let a = i.start.to_zoned(tz.clone()).datetime();
    let b = i.end.to_zoned(tz.clone()).datetime();
    a.duration_until(b).as_secs()
}

fn rotation_size_and_stretches(ctx: &Ctx, out: &mut Out) {
    let tl = ctx.timeline();
    let reaching = services_reaching(ctx.model);
    for (id, rot) in &ctx.model.rotations {
        let s = subject("rotation", id);
        let services = reaching.get(id.as_str()).cloned().unwrap_or_default();
        let tiers = tiers_of(ctx.model, &services);
        let min_members = tiers.iter().filter_map(|t| t.min_rotation_members).max();
        let max_oncall = tiers.iter().filter_map(|t| t.max_consecutive_oncall).min_by_key(|d| d.as_secs());
        let mut problems = 0;
        let mut members = rot.members.clone();
        members.sort();
        members.dedup();
        if let Some(min) = min_members
            && (members.len() as u32) < min
        {
            problems += 1;
            out.fail(
                &s,
                &rot.origin.at("members"),
                format!("rotation `{id}` has {} member(s); its services' tiers require at least {min}", members.len()),
                format!("add people until the rotation has {min}"),
            );
        }
        if let Some(limit) = max_oncall {
            for person in &members {
                // Everything this person is on duty for, across all rotations and schedules
                // (a schedule's duty counted once, by its final schedule).
                let stretches = tl.duty_of(person).clip(ctx.horizon.interval());
                let longest = stretches.intervals().iter().max_by_key(|i| civil_secs(i, &rot.timezone.tz));
                if let Some(i) = longest.filter(|i| civil_secs(i, &rot.timezone.tz) > limit.days * 86_400 + limit.seconds) {
                    problems += 1;
                    out.fail(
                        &s,
                        &rot.origin.at("handoff"),
                        format!("{person} is on duty for {} without a break from {} (limit max_consecutive_oncall {})", human_secs(civil_secs(i, &rot.timezone.tz)), ctx.show(i.start), limit),
                        "shorten the handoff, add members, or add overrides that relieve them",
                    );
                    break;
                }
            }
        }
        if problems == 0 {
            let msg = if min_members.is_none() && max_oncall.is_none() {
                "not required: no tier of its services limits it".to_string()
            } else {
                format!("{} members; nobody on duty longer than allowed", members.len())
            };
            out.pass(&s, &rot.origin, msg);
        }
    }
}

fn on_duty_on_holiday(ctx: &Ctx, out: &mut Out) {
    let tl = ctx.timeline();
    let reaching = services_reaching(ctx.model);
    let required_of = |services: &[&Entry<Service>]| {
        services.iter().filter_map(|svc| svc.tier.as_ref().and_then(|t| ctx.model.tiers.get(t)).and_then(|t| ctx.calendar(&t.required_coverage))).fold(IntervalSet::default(), |acc, c| acc.union(c))
    };
    let layered = layered_only(ctx.model);
    for (id, rot) in &ctx.model.rotations {
        let s = subject("rotation", id);
        // Duty counted once (paging.md): a rotation that is only a layer is judged by the
        // final schedules it is part of.
        if let Some(schedules) = layered.get(id.as_str()) {
            out.pass(&s, &rot.origin, format!("a layer of schedule {}: judged by its final schedule", schedules.join(", ")));
            continue;
        }
        let required = required_of(reaching.get(id.as_str()).map(Vec::as_slice).unwrap_or_default());
        holiday_clashes(ctx, out, s, (&rot.origin, &rot.origin.at("members")), tl.duties(id), &required);
    }
    for (id, sch) in &ctx.model.schedules {
        let target = Target::schedule(id);
        let services: Vec<&Entry<Service>> =
            ctx.model.services.iter().filter(|svc| svc.escalation.as_ref().and_then(|e| ctx.model.escalations.get(e)).is_some_and(|e| e.targets().any(|t| *t == target))).collect();
        holiday_clashes(ctx, out, subject("schedule", id), (&sch.origin, &sch.origin.at("layers")), tl.schedule_duties(id), &required_of(&services));
    }
}

/// Rotations that are layers of schedules and never paged on their own, with those schedules.
fn layered_only(m: &Model) -> std::collections::HashMap<&str, Vec<&str>> {
    let direct = m.directly_paged_rotations();
    let mut out: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
    for (id, s) in &m.schedules {
        for l in s.layers.iter().filter(|l| !direct.contains(l.as_str())) {
            out.entry(l.as_str()).or_default().push(id.as_str());
        }
    }
    out
}

/// COV-004 for one roster; `origins`: where a pass and a failure point.
fn holiday_clashes(ctx: &Ctx, out: &mut Out, s: String, origins: (&Origin, &Origin), duties: &[crate::time::rotation::Duty], required: &IntervalSet) {
    let tl = ctx.timeline();
    let mut clashes = Vec::new();
    for d in duties {
        let Some(away) = tl.away(&d.member) else { continue };
        let hit = IntervalSet::single(d.interval).intersect(away).intersect(required).clip(ctx.horizon.interval());
        if let Some(first) = hit.intervals().first() {
            clashes.push(format!("{} on {}", d.member, ctx.show(first.start)));
        }
    }
    clashes.dedup();
    if clashes.is_empty() {
        out.pass(&s, origins.0, "nobody is scheduled on their own holidays inside required coverage");
    } else {
        out.fail(
            &s,
            origins.1,
            format!("scheduled on their own holidays: {}", clashes.iter().take(5).cloned().collect::<Vec<_>>().join("; ")),
            "add an override that hands those days to someone who is working",
        )
        .with_evidence(json!({ "clashes": clashes }));
    }
}

fn declared_coverage(ctx: &Ctx, out: &mut Out) {
    for svc in &ctx.model.services {
        let s = subject("service", &svc.id);
        let Some(declared_id) = &svc.coverage else {
            out.pass(&s, &svc.origin, "not required: the service declares no coverage");
            continue;
        };
        let (Some(declared), Some(esc_id)) = (ctx.calendar(declared_id), svc.escalation.as_deref().filter(|e| ctx.model.escalations.contains_key(*e))) else {
            out.unknown(&s, Some(&svc.origin), "the declared coverage calendar or the escalation does not exist (SM-001, SM-002)");
            continue;
        };
        // Personal holidays aside: declared coverage may leave out what holidays leave out,
        // and may include what only holidays leave unstaffed.
        // Staffed for every severity of the service (urgency may differ by severity).
        let for_all = |without: bool, base: &[crate::time::timeline::Segment]| {
            let mut sets = ctx.model.service_severities(svc).into_iter().map(|sev| staffed(&ctx.stage.severity_timed(svc, sev, esc_id, without).segments));
            let first = sets.next().unwrap_or_else(|| staffed(base));
            sets.fold(first, |all, s| all.intersect(&s))
        };
        let ignoring_holidays = for_all(true, ctx.segments_without_holidays(esc_id).unwrap_or_default());
        let with_holidays = for_all(false, ctx.segments(esc_id).unwrap_or_default());
        let unstaffed = declared.subtract(&ignoring_holidays);
        let undeclared = with_holidays.subtract(declared);
        if unstaffed.is_empty() && undeclared.is_empty() {
            out.pass(&s, &svc.origin.at("coverage"), format!("declared coverage `{declared_id}` equals staffed coverage"));
            continue;
        }
        let mut parts = Vec::new();
        if let Some(i) = unstaffed.intervals().first() {
            parts.push(format!("declared but not staffed for {} (first {} → {})", human_secs(unstaffed.total_secs()), ctx.show(i.start), ctx.show(i.end)));
        }
        if let Some(i) = undeclared.intervals().first() {
            parts.push(format!("staffed but not declared for {} (first {} → {})", human_secs(undeclared.total_secs()), ctx.show(i.start), ctx.show(i.end)));
        }
        out.fail(
            &s,
            &svc.origin.at("coverage"),
            format!("`coverage: {declared_id}` differs from staffed coverage: {}", parts.join("; ")),
            "make `coverage` say what the rotations really staff, or change the rotations",
        )
        .with_evidence(json!({ "unstaffed_seconds": unstaffed.total_secs(), "undeclared_seconds": undeclared.total_secs() }));
    }
}
