//! AWS-001..AWS-005: the model against live AWS state (a facts snapshot or `--live`).
//! Facts map onto a service through its `aws` scope: accounts, regions, Health service codes.

use super::rule::{Rule, rule};
use super::walk::timed_service;
use super::{Ctx, Out, Status, subject};
use crate::facts::{Facts, HealthEvent, Recommendation, SourceKind, SourceStatus, matches_region, matches_service};
use crate::model::{AwsPlan, AwsScope, Entry, Service, VendorKind};
use crate::time::{Interval, IntervalSet};
use serde_json::json;

/// The rules of this family, as `rules`, `explain` and every report list them.
pub static RULES: &[Rule] = &[
    rule!(
        "AWS-001",
        Error,
        Aws,
        Facts,
        "No Trusted Advisor errors in fault tolerance, operational excellence or service limits",
        "Trusted Advisor automated checks (support-capability guidance, step 3)",
        "No Trusted Advisor recommendation or check in status `error` in those pillars for the service's accounts and AWS services.",
        trusted_advisor,
        examples facts
    ),
    rule!(
        "AWS-002",
        Error,
        Aws,
        Facts,
        "No open AWS Health issue for the service",
        "Do not ship into an ongoing outage",
        "No open AWS Health `issue` event for the service's accounts, regions and AWS services at `--at`.",
        open_health_issues,
        examples facts
    ),
    rule!(
        "AWS-003",
        Warning,
        Aws,
        Facts,
        "Scheduled AWS changes fall inside staffed coverage",
        "Scheduled maintenance needs a human on duty",
        "No upcoming `scheduledChange` Health event inside the horizon falls outside the service's staffed coverage.",
        scheduled_changes_staffed,
        examples facts
    ),
    rule!(
        "AWS-004",
        Error,
        Aws,
        Facts,
        "The live support plan matches the declared plan",
        "The declared plan is what the targets rest on",
        "Every `aws_severity` the model uses with the vendor is among the live severity levels.",
        live_plan,
        examples facts
    ),
    rule!("AWS-005", Warning, Aws, Facts, "Facts are fresh", "A week-old snapshot is not live state", "Facts are younger than `--max-facts-age` (default PT24H) at `--at`.", facts_fresh, examples facts),
];

/// Pillars whose `error` recommendations fail AWS-001.
const PILLARS: [&str; 3] = ["fault_tolerance", "operational_excellence", "service_limits"];

fn facts<'a>(ctx: &Ctx<'a>) -> &'a Facts {
    ctx.facts.expect("AWS rules run only with facts")
}

/// Services with an `aws` scope: the only ones live facts can be mapped onto.
fn scoped<'a>(ctx: &Ctx<'a>) -> impl Iterator<Item = (&'a Entry<Service>, &'a AwsScope)> {
    ctx.model.services.iter().filter_map(|s| s.aws.as_ref().map(|a| (s, a)))
}

/// Why `kind` cannot be read for some of `accounts`, as the status the rule reports
/// (`unknown` for missing or unavailable facts, `error` for a failed collection).
fn unavailable(ctx: &Ctx, kind: SourceKind, accounts: &[String]) -> Option<(Status, String)> {
    let mut worst: Option<(Status, Vec<String>)> = None;
    for a in accounts {
        let (status, why) = match facts(ctx).source(kind, a) {
            Some(s) if s.status == SourceStatus::Ok => continue,
            None if ctx.require_facts => (Status::Fail, format!("no {} facts for account {a}, and --require facts makes them mandatory", kind.label())),
            None => (Status::Unknown, format!("not evaluated: no {} facts for account {a}", kind.label())),
            Some(s) if s.status == SourceStatus::Error => (Status::Error, format!("{} could not be read for account {a}: {}", kind.label(), s.message.as_deref().unwrap_or("error"))),
            Some(s) => (Status::Unknown, format!("{} is not available to account {a} ({}): its plan is below Business (AWS-004)", kind.label(), status_code(s.status))),
        };
        let rank = |s: Status| match s {
            Status::Error => 3,
            Status::Fail => 2,
            _ => 1,
        };
        match &mut worst {
            Some((w, msgs)) => {
                if rank(status) > rank(*w) {
                    *w = status;
                }
                msgs.push(why);
            }
            None => worst = Some((status, vec![why])),
        }
    }
    worst.map(|(s, m)| (s, m.join("; ")))
}

fn status_code(s: SourceStatus) -> &'static str {
    match s {
        SourceStatus::Ok => "ok",
        SourceStatus::SubscriptionRequired => "SubscriptionRequiredException",
        SourceStatus::AccessDenied => "AccessDeniedException",
        SourceStatus::Error => "error",
    }
}

/// A recommendation concerns the service: its account, one of its AWS services (or none
/// named), and a flagged resource in one of its regions (or no regional resource).
fn concerns(scope: &AwsScope, r: &Recommendation) -> bool {
    let regional: Vec<&str> = r.resources.iter().filter_map(|x| x.region.as_deref()).collect();
    scope.accounts.contains(&r.account) && matches_service(scope, &r.aws_services) && (regional.is_empty() || regional.iter().any(|reg| matches_region(scope, Some(reg))))
}

fn trusted_advisor(ctx: &Ctx, out: &mut Out) {
    for (svc, scope) in scoped(ctx) {
        let origin = svc.origin.at("aws");
        let s = subject("service", &svc.id);
        let failing: Vec<&Recommendation> =
            facts(ctx).recommendations.iter().filter(|r| r.status == "error" && r.pillars.iter().any(|p| PILLARS.contains(&p.as_str())) && concerns(scope, r)).collect();
        for r in &failing {
            let flagged: Vec<String> = r.resources.iter().map(|x| format!("{}{}", x.id, x.region.as_deref().map(|g| format!(" ({g})")).unwrap_or_default())).collect();
            let what = if flagged.is_empty() { String::new() } else { format!(": {} flagged ({})", flagged.len(), flagged.iter().take(5).cloned().collect::<Vec<_>>().join(", ")) };
            out.fail(
                format!("{s}/check:{}", r.check),
                &origin,
                format!("Trusted Advisor \"{}\" ({}) is in status error in account {} [{}]{what}", r.name, r.check, r.account, r.pillars.join(", ")),
                "fix the flagged resources, or waive this check for the service with a reason and an expiry",
            )
            .with_evidence(
                json!({ "account": r.account, "check": r.check, "recommendation_id": r.recommendation_id, "pillars": r.pillars, "aws_services": r.aws_services, "flagged_resources": r.resources }),
            );
        }
        if let Some((status, why)) = unavailable(ctx, SourceKind::TrustedAdvisor, &scope.accounts) {
            out.push(status, &s, Some(&origin), why);
        } else if failing.is_empty() {
            let read = facts(ctx).recommendations.iter().filter(|r| scope.accounts.contains(&r.account)).count();
            out.pass(
                &s,
                &origin,
                format!(
                    "no Trusted Advisor recommendation in error in the fault-tolerance, operational-excellence or service-limits pillars ({read} read for account(s) {})",
                    scope.accounts.join(", ")
                ),
            );
        }
    }
}

fn events<'a>(ctx: &Ctx<'a>, scope: &AwsScope, category: &str) -> Vec<&'a HealthEvent> {
    facts(ctx).events_for(scope, category)
}

fn event_evidence(e: &HealthEvent) -> serde_json::Value {
    json!({ "arn": e.arn, "account": e.account, "service": e.service, "event_type_code": e.event_type_code, "region": e.region, "start_time": e.start_time, "end_time": e.end_time, "description": e.description, "affected_entities": e.affected_entities })
}

fn open_health_issues(ctx: &Ctx, out: &mut Out) {
    for (svc, scope) in scoped(ctx) {
        let origin = svc.origin.at("aws");
        let s = subject("service", &svc.id);
        let open: Vec<&HealthEvent> = events(ctx, scope, "issue").into_iter().filter(|e| e.open_at(ctx.at)).collect();
        for e in &open {
            let since = e.start_time.map(|t| format!(" since {}", ctx.show(t.0))).unwrap_or_default();
            let region = e.region.as_deref().unwrap_or("global");
            out.fail(
                format!("{s}/event:{}", e.arn),
                &origin,
                format!("open AWS Health issue {} ({} in {region}, account {}){since}", e.event_type_code, e.service, e.account),
                "wait for AWS to resolve the issue before shipping, or waive this event with a reason",
            )
            .with_evidence(event_evidence(e));
        }
        if let Some((status, why)) = unavailable(ctx, SourceKind::Health, &scope.accounts) {
            out.push(status, &s, Some(&origin), why);
        } else if open.is_empty() {
            out.pass(&s, &origin, format!("no open AWS Health issue for {} at {}", describe_scope(scope), ctx.show(ctx.at)));
        }
    }
}

fn describe_scope(scope: &AwsScope) -> String {
    let or_all = |v: &[String], all: &str| if v.is_empty() { all.to_string() } else { v.join(", ") };
    format!("account(s) {}, region(s) {}, service(s) {}", scope.accounts.join(", "), or_all(&scope.regions, "any"), or_all(&scope.services, "any"))
}

fn scheduled_changes_staffed(ctx: &Ctx, out: &mut Out) {
    let horizon = Interval { start: ctx.horizon.start, end: ctx.horizon.end };
    for (svc, scope) in scoped(ctx) {
        let origin = svc.origin.at("aws");
        let s = subject("service", &svc.id);
        if let Some((status, why)) = unavailable(ctx, SourceKind::Health, &scope.accounts) {
            out.push(status, &s, Some(&origin), why);
            continue;
        }
        let upcoming: Vec<(&HealthEvent, Interval)> = events(ctx, scope, "scheduledChange")
            .into_iter()
            .filter_map(|e| {
                let (start, end) = e.window()?;
                let w = IntervalSet::single(Interval { start, end }).clip(horizon);
                let first = *w.intervals().first()?;
                Some((e, first))
            })
            .collect();
        if upcoming.is_empty() {
            out.pass(&s, &origin, format!("no scheduled change for {} in the horizon", describe_scope(scope)));
            continue;
        }
        let Some(timed) = timed_service(ctx, out, svc) else { continue };
        let staffed = timed.staffed();
        for (e, window) in upcoming {
            let unstaffed = IntervalSet::single(window).subtract(&staffed);
            let span = format!("{} to {}", ctx.show(window.start), ctx.show(window.end));
            let mut evidence = event_evidence(e);
            evidence["inside_coverage"] = json!(unstaffed.is_empty());
            let es = format!("{s}/event:{}", e.arn);
            if unstaffed.is_empty() {
                out.pass(es, &origin, format!("scheduled change {} ({}) from {span} falls inside staffed coverage", e.event_type_code, e.service)).with_evidence(evidence);
            } else {
                let gaps: Vec<String> = unstaffed.intervals().iter().map(|i| format!("{} to {}", ctx.show(i.start), ctx.show(i.end))).collect();
                evidence["unstaffed"] = json!(gaps);
                out.fail(
                    es,
                    &origin,
                    format!("scheduled change {} ({}) from {span} is unstaffed from {}", e.event_type_code, e.service, gaps.join(", ")),
                    "put someone on duty for the maintenance window (an override), or ask AWS to reschedule it",
                )
                .with_evidence(evidence);
            }
        }
    }
}

/// Plans with which the Support API (and so `DescribeSeverityLevels`) answers.
fn api_plan(plan: AwsPlan) -> bool {
    !matches!(plan, AwsPlan::Basic | AwsPlan::Developer)
}

fn live_plan(ctx: &Ctx, out: &mut Out) {
    for (id, vendor) in ctx.model.vendors.iter().filter(|(_, v)| v.kind == VendorKind::AwsSupport) {
        let s = subject("vendor", id);
        let origin = vendor.origin.at("plan");
        let Some(plan) = vendor.plan else { continue };
        let used: std::collections::BTreeSet<&str> =
            ctx.model.services.iter().filter(|svc| svc.vendors.iter().any(|v| v == id)).flat_map(|svc| ctx.model.service_severities(svc)).map(|sev| sev.aws_severity.as_str()).collect();
        if vendor.accounts.is_empty() {
            out.unknown(&s, Some(&vendor.origin), "not evaluated: the vendor names no accounts");
            continue;
        }
        for account in &vendor.accounts {
            let src = facts(ctx).source(SourceKind::SupportPlan, account);
            match src.map(|x| x.status) {
                None if ctx.require_facts => {
                    out.push(Status::Fail, &s, Some(&origin), format!("no support plan facts for account {account}, and --require facts makes them mandatory"));
                }
                None => {
                    out.unknown(&s, Some(&origin), format!("not evaluated: no support plan facts for account {account}"));
                }
                Some(SourceStatus::Error) => {
                    out.push(Status::Error, &s, Some(&origin), format!("the support plan of account {account} could not be read: {}", src.and_then(|x| x.message.as_deref()).unwrap_or("error")));
                }
                Some(st @ (SourceStatus::SubscriptionRequired | SourceStatus::AccessDenied)) if api_plan(plan) => {
                    out.fail(
                        &s,
                        &origin,
                        format!("account {account} answers {}: its plan is below Business, not {} as declared", status_code(st), plan.as_str()),
                        "upgrade the account's support plan, or declare the plan it has (the response targets follow from it)",
                    )
                    .with_evidence(json!({ "account": account, "declared": plan.as_str(), "api": status_code(st) }));
                }
                Some(SourceStatus::SubscriptionRequired | SourceStatus::AccessDenied) => {
                    out.pass(&s, &origin, format!("account {account} is below Business, consistent with the declared {} plan", plan.as_str()));
                }
                Some(SourceStatus::Ok) => {
                    let levels = facts(ctx).support_plans.iter().find(|p| &p.account == account).map(|p| p.severity_levels.clone()).unwrap_or_default();
                    let missing: Vec<&str> = used.iter().copied().filter(|u| !levels.iter().any(|l| l == u)).collect();
                    let evidence = json!({ "account": account, "declared": plan.as_str(), "live_severity_levels": levels, "used": used });
                    if !api_plan(plan) {
                        out.fail(
                            &s,
                            &origin,
                            format!("account {account} has the Support API, which needs Business or above, but the declared plan is {}", plan.as_str()),
                            "declare the plan the account has",
                        )
                        .with_evidence(evidence);
                    } else if !missing.is_empty() {
                        out.fail(
                            &s,
                            &origin,
                            format!("account {account} does not offer severity {} (live levels: {}), which the model uses with {id}", missing.join(", "), levels.join(", ")),
                            "use only severities the plan offers (critical needs Enterprise), or upgrade the plan",
                        )
                        .with_evidence(evidence);
                    } else {
                        out.pass(&s, &origin, format!("account {account} offers every severity the model uses with {id} ({})", used.iter().copied().collect::<Vec<_>>().join(", ")))
                            .with_evidence(evidence);
                    }
                }
            }
        }
    }
}

fn facts_fresh(ctx: &Ctx, out: &mut Out) {
    let max = ctx.max_facts_age;
    let mut stale = Vec::new();
    let mut ages = Vec::new();
    for src in &facts(ctx).sources {
        let age = ctx.at.as_second() - src.collected_at.0.as_second();
        ages.push(json!({ "source": src.source, "account": src.account, "collected_at": src.collected_at, "age_seconds": age }));
        if age > max.as_secs() {
            stale.push(format!("{} of account {} collected {} ({} old)", src.source.label(), src.account, ctx.show(src.collected_at.0), crate::model::scalars::human_secs(age)));
        }
    }
    let r = if facts(ctx).sources.is_empty() {
        out.push(Status::Unknown, "model", None, "not evaluated: the facts name no sources")
    } else if stale.is_empty() {
        out.push(Status::Pass, "model", None, format!("every fact is younger than {max} at {}", ctx.show(ctx.at)))
    } else {
        let r = out.push(Status::Fail, "model", None, format!("facts older than {max}: {}", stale.join("; ")));
        r.help = Some("collect fresh facts (runready facts collect, or --live)".into());
        r
    };
    r.with_evidence(json!({ "max_age": max.to_string(), "sources": ages }));
}
