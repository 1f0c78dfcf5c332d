//! ESC-001, ESC-005, ESC-006: the shape of escalation chains. (ESC-002..004 walk the
//! timeline and live with the time rules.)

use super::{Ctx, Out, RuleResult, subject};
use crate::model::*;

pub fn esc001(ctx: &Ctx) -> Vec<RuleResult> {
    let mut out = Out::new(ctx, "ESC-001");
    for (id, esc) in &ctx.model.escalations {
        let s = subject("escalation", id);
        let help = "add `final_fallback: contact:noc` naming a team with `always_reachable: true`";
        let Some(fallback) = &esc.final_fallback else {
            out.fail(&s, &esc.origin, format!("escalation `{id}` has no `final_fallback`: pages fall off the end of the chain"), help);
            continue;
        };
        let o = esc.origin.at("final_fallback");
        match fallback.split_once(':') {
            Some(("contact", c)) => match ctx.model.contact(c) {
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
            Some(("rotation", r)) => match ctx.model.rotations.get(r) {
                None => {
                    out.unknown(&s, Some(&o), format!("rotation `{r}` does not exist (SM-001)"));
                }
                Some(_) => {
                    let horizon = ctx.horizon.interval();
                    let gaps = crate::time::IntervalSet::single(horizon).subtract(&ctx.timeline().rotation_staffed(r));
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
                out.unknown(&s, Some(&o), format!("`{fallback}` is not `contact:ID` or `rotation:ID` (SM-001)"));
            }
        }
    }
    out.results
}

pub fn esc005(ctx: &Ctx) -> Vec<RuleResult> {
    let mut out = Out::new(ctx, "ESC-005");
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
    out.results
}

pub fn esc006(ctx: &Ctx) -> Vec<RuleResult> {
    let mut out = Out::new(ctx, "ESC-006");
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
    out.results
}
