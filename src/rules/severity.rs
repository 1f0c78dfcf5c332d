//! SEV-001..SEV-004: the severity matrix, what vendors offer, and response clocks.

use super::rule::{Rule, rule};
use super::{Ctx, Out, subject};
use crate::model::*;
use crate::time::response::{Response, vendor_response, worst_case};
use crate::time::{Horizon, calendar};
use serde_json::json;

/// The rules of this family, as `rules`, `explain` and every report list them.
pub static RULES: &[Rule] = &[
    rule!(
        "SEV-001",
        Error,
        Severity,
        Model,
        "More severe severities have targets no slower, an AWS severity no lower and a wall clock",
        "Five AWS severities map onto fewer internal ones (AMS, ECO); inversions mean the wrong clock runs",
        "For every pair of severities (the list is most severe first), the more severe one has every target no longer than the less severe one (a missing target counts as infinite), an `aws_severity` no lower, and a `wall` clock if the less severe one has one.\n\nFix: reorder the severities or correct the targets.",
        severity_order,
        examples
    ),
    rule!(
        "SEV-002",
        Error,
        Severity,
        Model,
        "Each AWS severity a service uses is available from each of its vendors",
        "`critical` needs Enterprise-class plans; Developer has no `high` or `urgent`",
        "For `aws_support` vendors, the declared plan must offer the severity (AWS Support User Guide, \"Choosing a severity\"; table in data/aws-support-response.json). For `external` vendors, the severity code must be a key of `response`.\n\nFix: upgrade the plan, map the severity to one the plan offers, or add the code to `response`.",
        plan_offers_severity,
        examples
    ),
    rule!(
        "SEV-003",
        Error,
        Severity,
        Model,
        "engage_vendor plus the vendor's worst-case first response fits within restore",
        "Targets that assume a faster vendor than the contract gives are fiction",
        "For each vendor named by a `vendor_case` step of the service's escalation and each severity with both `engage_vendor` and `restore`: `engage_vendor` + the vendor's worst-case first response (business-hours clocks included, over the horizon) must be within `restore`, on the severity's clock.\n\nFix: engage the vendor earlier, buy a faster plan, or relax `restore`.",
        vendor_response_within_restore,
        examples
    ),
    rule!(
        "SEV-004",
        Warning,
        Severity,
        Model,
        "24x7 services use wall-clock severities",
        "A business-hours clock on a 24x7 service pauses the response overnight",
        "Every severity used by a service whose tier's `required_coverage` is `always` must have `clock: wall`.\n\nFix: set `clock: wall`, or restrict the service to severities with a wall clock.",
        wall_clock_for_24x7,
        examples
    ),
];

fn severity_order(ctx: &Ctx, out: &mut Out) {
    let sevs = &ctx.model.severities;
    for (i, a) in sevs.iter().enumerate() {
        let mut problems = 0;
        for b in &sevs[i + 1..] {
            for ((name, ta), (_, tb)) in a.targets.named().into_iter().zip(b.targets.named()) {
                let slower = match (ta, tb) {
                    (Some(x), Some(y)) => x.as_secs() > y.as_secs(),
                    (None, Some(_)) => true,
                    _ => false,
                };
                if slower {
                    problems += 1;
                    let shown = ta.map(|d| d.to_string()).unwrap_or_else(|| "unbounded".into());
                    let other = tb.map(|d| d.to_string()).unwrap_or_default();
                    out.fail(
                        subject("severity", &a.id),
                        &a.origin.at(format!("targets/{name}")),
                        format!("{} is more severe than {} but its `{name}` target ({shown}) is slower than {}'s ({other})", a.id, b.id, b.id),
                        format!("make {}'s `{name}` at most {other}, or reorder the severities (most severe first)", a.id),
                    );
                }
            }
            if a.aws_severity < b.aws_severity {
                problems += 1;
                out.fail(
                    subject("severity", &a.id),
                    &a.origin.at("aws_severity"),
                    format!("{} is more severe than {} but maps to AWS severity `{}`, lower than `{}`", a.id, b.id, a.aws_severity.as_str(), b.aws_severity.as_str()),
                    format!("map {} to `{}` or higher", a.id, b.aws_severity.as_str()),
                );
            }
            if b.clock.is_wall() && !a.clock.is_wall() {
                problems += 1;
                out.fail(
                    subject("severity", &a.id),
                    &a.origin.at("clock"),
                    format!("{} runs on clock `{}` while the less severe {} runs on the wall clock", a.id, a.clock, b.id),
                    format!("set `clock: wall` on {}", a.id),
                );
            }
        }
        if problems == 0 {
            out.pass(subject("severity", &a.id), &a.origin, "targets, AWS severity and clock are consistent with the less severe severities");
        }
    }
}

/// Whether `vendor` offers `sev`; the error says why not.
fn offers(vendor: &Vendor, sev: AwsSeverity) -> Result<(), String> {
    match vendor.kind {
        VendorKind::AwsSupport => match vendor.plan {
            Some(plan) if crate::time::response::aws_response(plan, sev).is_some() => Ok(()),
            Some(plan) => Err(format!("the {} plan does not offer severity `{}`", plan.as_str(), sev.as_str())),
            None => Err("no plan is declared".into()),
        },
        VendorKind::External if vendor.response.contains_key(&sev) => Ok(()),
        VendorKind::External => Err(format!("`response` has no `{}`", sev.as_str())),
    }
}

fn plan_offers_severity(ctx: &Ctx, out: &mut Out) {
    for svc in &ctx.model.services {
        let s = subject("service", &svc.id);
        let mut failed = false;
        let mut checked = 0;
        for (vi, vid) in svc.vendors.iter().enumerate() {
            let Some(vendor) = ctx.model.vendors.get(vid) else {
                out.unknown(&s, Some(&svc.origin.at(format!("vendors/{vi}"))), format!("vendor `{vid}` does not exist (SM-001)"));
                failed = true;
                continue;
            };
            for sev in ctx.model.service_severities(svc) {
                checked += 1;
                if let Err(why) = offers(vendor, sev.aws_severity) {
                    failed = true;
                    let help = match vendor.kind {
                        VendorKind::AwsSupport => format!("upgrade `{vid}`'s plan or map {} to a severity the plan offers", sev.id),
                        VendorKind::External => format!("add `{}` to `{vid}`'s `response`, or map {} to a severity the vendor answers", sev.aws_severity.as_str(), sev.id),
                    };
                    out.fail(&s, &sev.origin.at("aws_severity"), format!("{} maps to AWS severity `{}`, which vendor `{vid}` cannot take: {why}", sev.id, sev.aws_severity.as_str()), help)
                        .with_evidence(json!({ "vendor": vid, "severity": sev.id, "aws_severity": sev.aws_severity.as_str() }));
                }
            }
        }
        if !failed {
            let msg = if checked == 0 { "no vendor or severity to check".to_string() } else { "every vendor offers every AWS severity the service uses".to_string() };
            out.pass(&s, &svc.origin, msg);
        }
    }
}

/// The part of [t, t + elapsed) on the severity's clock, in seconds, worst case over the
/// horizon. Wall clock: the vendor's worst-case elapsed time.
fn worst_on_clock(ctx: &Ctx, response: &Response, clock: &Clock, horizon: Horizon, long: Horizon) -> Option<(i64, jiff::Timestamp)> {
    let Some(clock) = clock.calendar() else {
        return worst_case(response, horizon);
    };
    let sev_clock = calendar::expand(ctx.model, clock, long)?;
    let mut candidates = vec![horizon.start];
    for set in [response.clock.as_ref(), Some(&sev_clock)].into_iter().flatten() {
        candidates.extend(set.intervals().iter().map(|i| i.end).filter(|t| *t < horizon.end));
    }
    let mut worst: Option<(i64, jiff::Timestamp)> = None;
    for t in candidates {
        let done = match &response.clock {
            None => t.checked_add(jiff::SignedDuration::from_secs(response.secs)).ok()?,
            Some(c) => c.accumulate(t, response.secs)?,
        };
        let counted = sev_clock.clip(crate::time::Interval { start: t, end: done }).total_secs();
        if worst.is_none_or(|(w, _)| counted > w) {
            worst = Some((counted, t));
        }
    }
    worst
}

fn vendor_response_within_restore(ctx: &Ctx, out: &mut Out) {
    let long = ctx.horizon.extended(60 * 86_400);
    for svc in &ctx.model.services {
        let s = subject("service", &svc.id);
        let Some(esc_id) = &svc.escalation else {
            out.pass(&s, &svc.origin, "not required: the service has no escalation");
            continue;
        };
        let Some(esc) = ctx.model.escalations.get(esc_id) else {
            out.unknown(&s, Some(&svc.origin.at("escalation")), format!("escalation `{esc_id}` does not exist (SM-001)"));
            continue;
        };
        let vendor_steps: Vec<_> = esc.steps.iter().enumerate().filter_map(|(i, st)| st.vendor_case.as_ref().map(|v| (i, v))).collect();
        let mut failed = false;
        let mut compared = 0;
        for sev in ctx.model.service_severities(svc) {
            let (Some(engage), Some(restore)) = (sev.targets.engage_vendor, sev.targets.restore) else { continue };
            for (step, vc) in &vendor_steps {
                let Some(vendor) = ctx.model.vendors.get(&vc.vendor) else { continue };
                let Some(resp) = vendor_response(ctx.model, vendor, sev.aws_severity, long) else { continue };
                let Some((worst, at)) = worst_on_clock(ctx, &resp, &sev.clock, ctx.horizon, long) else {
                    out.unknown(&s, Some(&esc.origin.at(format!("steps/{step}/vendor_case"))), format!("vendor `{}` never answers a {} case within the simulated time", vc.vendor, sev.id));
                    failed = true;
                    continue;
                };
                compared += 1;
                let when = if resp.clock.is_some() || !sev.clock.is_wall() { format!(", worst for a case opened {}", ctx.show(at)) } else { String::new() };
                let total = engage.as_secs() + worst;
                if total > restore.as_secs() {
                    failed = true;
                    out.fail(
                        &s,
                        &sev.origin.at("targets/restore"),
                        format!(
                            "{}: engage_vendor {} + worst-case first response of `{}` {} ({}{when}) = {}, longer than restore {}",
                            sev.id,
                            engage.human(),
                            vc.vendor,
                            human_secs(worst),
                            resp.description,
                            human_secs(total),
                            restore.human()
                        ),
                        format!("engage `{}` earlier, buy a faster plan, or relax {}'s `restore`", vc.vendor, sev.id),
                    )
                    .with_evidence(
                        json!({ "severity": sev.id, "vendor": vc.vendor, "engage_vendor_s": engage.as_secs(), "worst_response_s": worst, "worst_at": at.to_string(), "restore_s": restore.as_secs() }),
                    );
                }
            }
        }
        if !failed {
            let msg = if compared == 0 {
                "not required: no severity with engage_vendor and restore meets a vendor_case step".to_string()
            } else {
                format!("{compared} vendor/severity combinations fit within restore")
            };
            out.pass(&s, &svc.origin, msg);
        }
    }
}

fn wall_clock_for_24x7(ctx: &Ctx, out: &mut Out) {
    for svc in &ctx.model.services {
        let s = subject("service", &svc.id);
        let Some(tier) = svc.tier.as_ref().and_then(|t| ctx.model.tiers.get(t)) else {
            if let Some(t) = &svc.tier {
                out.unknown(&s, Some(&svc.origin.at("tier")), format!("tier `{t}` does not exist (SM-001)"));
            } else {
                out.pass(&s, &svc.origin, "not required: the service has no tier");
            }
            continue;
        };
        if tier.required_coverage != ALWAYS {
            out.pass(&s, &svc.origin, format!("not required: tier `{}` does not require coverage `always`", svc.tier.as_deref().unwrap_or_default()));
            continue;
        }
        let bad: Vec<_> = ctx.model.service_severities(svc).into_iter().filter(|sev| !sev.clock.is_wall()).collect();
        if bad.is_empty() {
            out.pass(&s, &svc.origin, "every severity of this 24x7 service runs on the wall clock");
        }
        for sev in bad {
            out.fail(&s, &sev.origin.at("clock"), format!("{} runs on clock `{}`, but `{}` requires coverage `always`", sev.id, sev.clock, svc.id), format!("set `clock: wall` on {}", sev.id));
        }
    }
}
