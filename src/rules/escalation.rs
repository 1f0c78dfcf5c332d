//! ESC-001, ESC-005, ESC-006: the shape of escalation chains. (ESC-002..004 walk the
//! timeline and live with the time rules.)

use super::rule::{Rule, rule};
use super::walk::{people_of, timed_service};
use super::{Ctx, Out, subject};
use crate::model::*;
use crate::time::timeline::first_contact;
use serde_json::json;

/// The rules of this family, as `rules`, `explain` and every report list them.
pub static RULES: &[Rule] = &[
    rule!(
        "ESC-001",
        Error,
        Escalation,
        Model,
        "Every escalation ends in an always-reachable fallback",
        "Pages must never fall off the end of the chain (OPS10-BP04)",
        "`final_fallback` must be an `always_reachable` team (`contact:ID`) or a rotation whose staffed coverage is the whole horizon (no restrictions, no gaps, no holidays of the people on duty).\n\nFix: add `final_fallback: contact:noc` with `always_reachable: true`.",
        always_reachable_fallback,
        examples
    ),
    rule!(
        "ESC-002",
        Error,
        Escalation,
        Time,
        "Worst-case time to engage is within acknowledge",
        "The SLA must hold at 03:00 on a Sunday, not only at 10:00 on a Tuesday",
        "For every severity of the service, the worst-case time to engage over required coverage is within `acknowledge`; the report gives the worst instant and its cause.\n\nFix: add people, shorten step timeouts, or relax the target.",
        time_to_engage,
        examples
    ),
    rule!(
        "ESC-003",
        Warning,
        Escalation,
        Time,
        "Step timeouts outlast the first interruptive contact",
        "A step that times out before its person's phone rings",
        "Each step's timeout must be longer than the delay to the first interruptive contact of every person it can page.\n\nFix: lengthen the timeout or move the person's first interruptive notification rule earlier.",
        timeouts_outlast_first_contact,
        examples
    ),
    rule!(
        "ESC-004",
        Warning,
        Escalation,
        Time,
        "Consecutive steps do not page the same single person",
        "Escalating to yourself is not escalating",
        "No two consecutive steps resolve to the same single person at the same instant.\n\nFix: escalate to someone else (a lead, a secondary rotation).",
        no_single_person_twice,
        examples
    ),
    rule!(
        "ESC-005",
        Error,
        Escalation,
        Model,
        "Every step has a positive timeout and a target; repeat is not negative",
        "A broken chain stalls incidents",
        "An escalation needs at least one step; every step needs a `timeout` longer than zero and at least one `notify` target; `repeat` must not be negative.",
        steps_well_formed,
        examples
    ),
    rule!(
        "ESC-006",
        Error,
        Escalation,
        Model,
        "High-severity paths escalate to the AWS Support vendor",
        "Escalating to the cloud vendor must be part of the path (support-capability guidance, step 4)",
        "If any severity of a service has `aws_severity` `high` or above and the service has an `aws_support` vendor, its escalation has a step whose `vendor_case` names one of those vendors.\n\nFix: add `vendor_case: aws-prod` to the step at which the case is due.",
        vendor_on_severe_paths,
        examples
    ),
];

fn always_reachable_fallback(ctx: &Ctx, out: &mut Out) {
    for (id, esc) in &ctx.model.escalations {
        let s = subject("escalation", id);
        let help = "add `final_fallback: contact:noc` naming a team with `always_reachable: true`";
        let Some(fallback) = &esc.final_fallback else {
            let src = esc.source.as_deref().map(|s| format!(" (imported from {s}; PagerDuty has no final fallback)")).unwrap_or_default();
            out.fail(&s, &esc.origin, format!("escalation `{id}` has no `final_fallback`{src}: after the last pass nobody more is paged"), help);
            continue;
        };
        let o = esc.origin.at("final_fallback");
        match fallback.get() {
            TargetRef::Contact(c) => match ctx.model.contact(c) {
                None => {
                    out.unknown(&s, Some(&o), format!("contact `{c}` does not exist (SM-001)"));
                }
                Some(contact) if contact.always_reachable => {
                    out.pass(&s, &o, format!("falls back to `{fallback}`, which is always reachable"));
                }
                Some(_) => {
                    out.fail(&s, &o, format!("the fallback `{fallback}` is not `always_reachable`"), help);
                }
            },
            t @ (TargetRef::Rotation(_) | TargetRef::Schedule(_)) => match (t, ctx.model.rotations.contains_key(r_id(t)), ctx.model.schedules.contains_key(r_id(t))) {
                (TargetRef::Rotation(r), false, _) => {
                    out.unknown(&s, Some(&o), format!("rotation `{r}` does not exist (SM-001)"));
                }
                (TargetRef::Schedule(r), _, false) => {
                    out.unknown(&s, Some(&o), format!("schedule `{r}` does not exist (SM-001)"));
                }
                _ => {
                    let horizon = ctx.horizon.interval();
                    let gaps = crate::time::IntervalSet::single(horizon).subtract(&ctx.timeline().target_staffed(t));
                    match gaps.intervals().first() {
                        None => {
                            out.pass(&s, &o, format!("falls back to `{fallback}`, staffed at every instant of the horizon"));
                        }
                        Some(first) => {
                            out.fail(
                                &s,
                                &o,
                                format!(
                                    "the fallback `{fallback}` has nobody reachable for {} of the horizon, first from {} to {}",
                                    human_secs(gaps.total_secs()),
                                    ctx.show(first.start),
                                    ctx.show(first.end)
                                ),
                                help,
                            )
                            .with_evidence(serde_json::json!({ "gaps": gaps.intervals().len(), "gap_seconds": gaps.total_secs() }));
                        }
                    }
                }
            },
            _ => {
                out.unknown(&s, Some(&o), format!("`{fallback}` is not `contact:ID`, `rotation:ID` or `schedule:ID` (SM-001)"));
            }
        }
    }
}

/// The id a rotation or schedule target names.
fn r_id(t: TargetRef<'_>) -> &str {
    match t {
        TargetRef::Rotation(r) | TargetRef::Schedule(r) | TargetRef::Contact(r) | TargetRef::Other(r) => r,
    }
}

fn steps_well_formed(ctx: &Ctx, out: &mut Out) {
    for (id, esc) in &ctx.model.escalations {
        let s = subject("escalation", id);
        let mut problems = 0;
        if esc.steps.is_empty() {
            problems += 1;
            out.fail(&s, &esc.origin, format!("escalation `{id}` has no steps"), "add a step: { notify: [rotation:primary], timeout: PT5M }");
        }
        for (i, step) in esc.steps.iter().enumerate() {
            if step.timeout.as_secs() <= 0 {
                problems += 1;
                out.fail(
                    &s,
                    &esc.origin.at(format!("steps/{i}/timeout")),
                    format!("step {} has timeout {}: the next step starts at once", i + 1, step.timeout),
                    "give the step a positive timeout, e.g. PT5M",
                );
            }
            if step.notify.is_empty() {
                problems += 1;
                out.fail(&s, &esc.origin.at(format!("steps/{i}/notify")), format!("step {} notifies nobody", i + 1), "add a target: rotation:ID or contact:ID");
            }
        }
        if esc.repeat < 0 {
            problems += 1;
            out.fail(&s, &esc.origin.at("repeat"), format!("`repeat` is {}", esc.repeat), "use 0 for a single pass");
        }
        if problems == 0 {
            out.pass(&s, &esc.origin, format!("{} steps with targets and positive timeouts", esc.steps.len()));
        }
    }
}

fn vendor_on_severe_paths(ctx: &Ctx, out: &mut Out) {
    for svc in &ctx.model.services {
        let s = subject("service", &svc.id);
        let high: Vec<_> = ctx.model.service_severities(svc).into_iter().filter(|sev| sev.aws_severity >= AwsSeverity::High).collect();
        let aws: Vec<&String> = svc.vendors.iter().filter(|v| ctx.model.vendors.get(*v).is_some_and(|v| v.kind == VendorKind::AwsSupport)).collect();
        if high.is_empty() || aws.is_empty() {
            out.pass(&s, &svc.origin, "not required: no AWS severity of high or above with an aws_support vendor");
            continue;
        }
        let Some(esc_id) = &svc.escalation else {
            out.fail(&s, &svc.origin, format!("`{}` uses {} with AWS Support but has no escalation", svc.id, high[0].id), "add an escalation with a vendor_case step");
            continue;
        };
        let Some(esc) = ctx.model.escalations.get(esc_id) else {
            out.unknown(&s, Some(&svc.origin.at("escalation")), format!("escalation `{esc_id}` does not exist (SM-001)"));
            continue;
        };
        let has = esc.steps.iter().any(|st| st.vendor_case.as_ref().is_some_and(|vc| aws.contains(&&vc.vendor)));
        if has {
            out.pass(&s, &esc.origin, format!("escalation `{esc_id}` opens a case with {}", aws.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(" or ")));
        } else {
            let names = aws.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ");
            out.fail(
                &s,
                &esc.origin.at("steps"),
                format!("severity {} maps to AWS `{}`, but escalation `{esc_id}` never opens a case with {names}", high[0].id, high[0].aws_severity.as_str()),
                format!("add `vendor_case: {}` to the step at which the case is due", aws[0]),
            )
            .with_evidence(serde_json::json!({ "severities": high.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), "aws_vendors": aws }));
        }
    }
}

fn time_to_engage(ctx: &Ctx, out: &mut Out) {
    for svc in &ctx.model.services {
        let s = subject("service", &svc.id);
        let Some(timed) = timed_service(ctx, out, svc) else { continue };
        let esc = timed.escalation;
        for sev in ctx.model.service_severities(svc) {
            let Some(ack) = sev.targets.acknowledge else {
                out.pass(&s, &sev.origin, format!("not required: {} has no acknowledge target", sev.id));
                continue;
            };
            let clock = match ctx.stage.clock(sev) {
                Ok(clock) => clock,
                Err(_) => {
                    out.unknown(&s, Some(&sev.origin.at("clock")), format!("clock `{}` does not exist (SM-001)", sev.clock));
                    continue;
                }
            };
            let Some(w) = timed.worst(&sev.id, clock) else {
                out.pass(&s, &sev.origin, format!("not required: no required coverage in the horizon for {}", sev.id));
                continue;
            };
            let shown = w.secs.map(human_secs).unwrap_or_else(|| "never".into());
            let st = timed.severity(&sev.id);
            let urgency = st.map_or(Urgency::High, |s| s.urgency_at(w.at));
            let walk = format!("{}{}", st.map(|s| s.urgency_note(w.at)).unwrap_or_default(), ctx.stage.walk(esc, w.at, urgency).narration());
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
}

fn timeouts_outlast_first_contact(ctx: &Ctx, out: &mut Out) {
    for (id, esc) in &ctx.model.escalations {
        let s = subject("escalation", id);
        let mut problems = 0;
        for (i, step) in esc.steps.iter().enumerate() {
            let timeout = step.timeout.as_secs();
            for person in step.notify.iter().flat_map(|t| people_of(ctx.model, t)) {
                // At the urgency at which the person is interrupted latest (a page that
                // never interrupts at one urgency is a choice, not a late phone).
                let first = [Urgency::High, Urgency::Low].into_iter().filter_map(|u| first_contact(ctx.model, &person, u)).max_by_key(|f| f.delay);
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
}

fn no_single_person_twice(ctx: &Ctx, out: &mut Out) {
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
}
