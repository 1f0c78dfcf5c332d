//! VND-001..VND-003: vendor plans, request templates and vendor support hours.

use super::rule::{Rule, rule};
use super::{Ctx, Out, Status, WaiverNote, subject};
use crate::model::*;
use crate::time::IntervalSet;

/// The rules of this family, as `rules`, `explain` and every report list them.
pub static RULES: &[Rule] = &[
    rule!(
        "VND-001",
        Warning,
        Vendor,
        Model,
        "24x7 services are not backed by Basic or Developer AWS support",
        "Developer and Basic support cannot answer production-down cases",
        "No `aws_support` vendor on plan `basic` or `developer` backs a service whose tier requires `always` coverage.\n\nFix: move the account to Business support or above.",
        plan_for_24x7,
        examples
    ),
    rule!(
        "VND-002",
        Error,
        Vendor,
        Model,
        "Vendor requests carry version, impact, observed and expected behaviour",
        "The support request template (60East AMPS)",
        "Each vendor has a `request_template` whose `required_fields` include `product_version`, `impact`, `observed_behavior` and `expected_behavior`, and every service using the vendor sets `product_version`.\n\nFix: add the fields to the template and `product_version` to the services.",
        request_template_fields,
        examples
    ),
    rule!(
        "VND-003",
        Error,
        Vendor,
        Model,
        "External vendors' support hours span the service's availability, or a gap plan covers the rest",
        "\"Plan for issues outside support coverage hours\" (60East AMPS)",
        "For an `external` vendor with `coverage`, the vendor's coverage must contain the service tier's `availability` over the horizon; instants outside it that fall before an unexpired `gap_plan`'s `expires` are `waived` with its mitigation.\n\nFix: buy extended support, or write a `gap_plan` saying what happens out of hours.",
        vendor_hours_span_availability,
        examples
    ),
];

pub const REQUIRED_FIELDS: [&str; 4] = ["product_version", "impact", "observed_behavior", "expected_behavior"];

fn plan_for_24x7(ctx: &Ctx, out: &mut Out) {
    for svc in &ctx.model.services {
        let s = subject("service", &svc.id);
        let always = svc.tier.as_ref().and_then(|t| ctx.model.tiers.get(t)).is_some_and(|t| t.required_coverage == ALWAYS);
        if !always {
            out.pass(&s, &svc.origin, "not required: the service's tier does not require coverage `always`");
            continue;
        }
        let mut bad = 0;
        for vid in &svc.vendors {
            let Some(v) = ctx.model.vendors.get(vid) else { continue };
            if let (VendorKind::AwsSupport, Some(plan @ (AwsPlan::Basic | AwsPlan::Developer))) = (v.kind, v.plan) {
                bad += 1;
                out.fail(
                    &s,
                    &v.origin.at("plan"),
                    format!("24x7 service `{}` is backed by `{vid}` on the {} plan, which cannot answer production-down cases", svc.id, plan.as_str()),
                    "move the account to Business support or above",
                );
            }
        }
        if bad == 0 {
            out.pass(&s, &svc.origin, "no Basic or Developer AWS support plan backs this 24x7 service");
        }
    }
}

fn request_template_fields(ctx: &Ctx, out: &mut Out) {
    for (vid, v) in &ctx.model.vendors {
        let s = subject("vendor", vid);
        let Some(tid) = &v.request_template else {
            out.fail(&s, &v.origin, format!("vendor `{vid}` has no `request_template`"), format!("add a request template with required_fields {}", REQUIRED_FIELDS.join(", ")));
            continue;
        };
        let Some(t) = ctx.model.request_templates.get(tid) else {
            out.unknown(&s, Some(&v.origin.at("request_template")), format!("request template `{tid}` does not exist (SM-001)"));
            continue;
        };
        let missing: Vec<_> = REQUIRED_FIELDS.iter().filter(|f| !t.required_fields.iter().any(|r| r == *f)).copied().collect();
        if missing.is_empty() {
            out.pass(&s, &t.origin, format!("template `{tid}` requires {}", REQUIRED_FIELDS.join(", ")));
        } else {
            out.fail(
                &s,
                &t.origin.at("required_fields"),
                format!("template `{tid}` of vendor `{vid}` does not require {}", missing.join(", ")),
                format!("add {} to `required_fields`", missing.join(", ")),
            )
            .with_evidence(serde_json::json!({ "missing": missing }));
        }
    }
    for svc in &ctx.model.services {
        if svc.vendors.is_empty() {
            continue;
        }
        let s = subject("service", &svc.id);
        match &svc.product_version {
            Some(v) if !v.trim().is_empty() => {
                out.pass(&s, &svc.origin.at("product_version"), format!("product_version {v} fills vendor requests"));
            }
            _ => {
                out.fail(
                    &s,
                    &svc.origin,
                    format!("service `{}` uses vendors {} but sets no `product_version`", svc.id, svc.vendors.join(", ")),
                    "add `product_version: \"x.y.z\"`: the first thing a vendor asks",
                );
            }
        }
    }
}

fn vendor_hours_span_availability(ctx: &Ctx, out: &mut Out) {
    for svc in &ctx.model.services {
        let s = subject("service", &svc.id);
        let externals: Vec<_> = svc.vendors.iter().filter_map(|v| ctx.model.vendors.get(v).map(|e| (v, e))).filter(|(_, v)| v.kind == VendorKind::External && v.coverage.is_some()).collect();
        if externals.is_empty() {
            out.pass(&s, &svc.origin, "not required: no external vendor with contracted hours");
            continue;
        }
        let Some(tier) = svc.tier.as_ref().and_then(|t| ctx.model.tiers.get(t)) else {
            out.unknown(&s, Some(&svc.origin), "the service's tier is missing or does not exist (SM-001, SM-002)");
            continue;
        };
        let Some(needed) = ctx.calendar(&tier.availability) else {
            out.unknown(&s, Some(&tier.origin.at("availability")), format!("calendar `{}` does not exist (SM-001)", tier.availability));
            continue;
        };
        for (vid, vendor) in externals {
            let cov_id = vendor.coverage.as_deref().unwrap_or(ALWAYS);
            let Some(covered) = ctx.calendar(cov_id) else {
                out.unknown(&s, Some(&vendor.origin.at("coverage")), format!("calendar `{cov_id}` does not exist (SM-001)"));
                continue;
            };
            let gaps = needed.subtract(covered);
            if gaps.is_empty() {
                out.pass(&s, &vendor.origin.at("coverage"), format!("`{vid}`'s hours (`{cov_id}`) span availability `{}` over the horizon", tier.availability));
                continue;
            }
            report_gaps(ctx, out, svc, vid, vendor, cov_id, &tier.availability, &gaps);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn report_gaps(ctx: &Ctx, out: &mut Out, svc: &Entry<Service>, vid: &str, vendor: &Entry<Vendor>, cov_id: &str, availability: &str, gaps: &IntervalSet) {
    let s = subject("service", &svc.id);
    let (waived, open) = ctx.split_by_gap_plan(svc.gap_plan.as_ref(), gaps);
    let weeks = (ctx.horizon.end.as_second() - ctx.horizon.start.as_second()) as f64 / (7.0 * 86_400.0);
    let describe = |set: &IntervalSet| {
        let first: Vec<String> = set.intervals().iter().take(3).map(|i| format!("{} → {}", ctx.show(i.start), ctx.show(i.end))).collect();
        let per_week = set.total_secs() as f64 / 3600.0 / weeks.max(1.0 / 7.0);
        (first, per_week)
    };
    let evidence = |set: &IntervalSet| {
        serde_json::json!({
            "vendor": vid, "coverage": cov_id, "availability": availability,
            "gaps": set.intervals().len(), "gap_hours": set.total_secs() as f64 / 3600.0,
            "first_gaps": set.intervals().iter().take(5).map(|i| serde_json::json!({ "from": i.start.to_string(), "to": i.end.to_string() })).collect::<Vec<_>>(),
        })
    };
    if !open.is_empty() {
        let (first, per_week) = describe(&open);
        let why = if svc.gap_plan.is_some() { " after its gap_plan expires" } else { "" };
        out.fail(
            &s,
            &vendor.origin.at("coverage"),
            format!(
                "`{vid}` supports `{}` only in `{cov_id}`, but it must be available `{availability}`: {} gaps{why} ({per_week:.0} h per week), first {}",
                svc.id,
                open.intervals().len(),
                first.join("; ")
            ),
            "buy extended support hours, or add a `gap_plan` saying what happens out of vendor hours",
        )
        .with_evidence(evidence(&open));
    }
    if let (false, Some(plan)) = (waived.is_empty(), &svc.gap_plan) {
        let (first, per_week) = describe(&waived);
        let r = out.push(
            Status::Waived,
            &s,
            Some(&svc.origin.at("gap_plan")),
            format!("`{vid}` is out of hours `{cov_id}` for {} gaps ({per_week:.0} h per week, first {}), accepted by the gap plan", waived.intervals().len(), first.join("; ")),
        );
        r.waiver = Some(WaiverNote { reason: plan.mitigation.clone(), approved_by: Some(plan.accepted_by.clone()), expires: Some(plan.expires.to_string()) });
        r.evidence = evidence(&waived);
    }
}
