//! DRL-001, DRL-003, DRL-004: drill journals as evidence. A passing drill is a journal of
//! this model with `dry_run: false` and `outcome: pass`, started no later than `--at`.

use super::rule::{Rule, rule};
use super::{Ctx, Out, subject};
use crate::drill::journal::{Journal, Outcome};
use crate::model::{ALWAYS, Duration, human_secs};
use crate::time::{Horizon, calendar};
use serde_json::json;

/// The rules of this family, as `rules`, `explain` and every report list them.
pub static RULES: &[Rule] = &[
    rule!(
        "DRL-002",
        Warning,
        Drill,
        Time,
        "Each drill's window has room for it",
        "A drill that can never run",
        "Each drill's window has room for its `max_duration` (default PT1H) at least once within the next `every` from `--at`, outside its `not_during` calendars.",
        window_has_room,
        examples
    ),
    rule!(
        "DRL-001",
        Error,
        Drill,
        Journals,
        "Each service has recent passing drills and vendor process tests",
        "Test support channels before you need them (60East AMPS, AMS)",
        "Each service has a passing drill that names it within its tier's `drill_interval`, and for each vendor a passing `process_test` drill with a `vendor_case` step for it within `process_test_interval`.",
        recent_drills,
        examples journal
    ),
    rule!(
        "DRL-003",
        Error,
        Drill,
        Journals,
        "Every artifact was retrieved from production within its max_retrieval",
        "Verify artifacts can be retrieved from the actual production servers (60East AMPS)",
        "Every artifact of the service was retrieved from `production` within its `max_retrieval` by a passing drill within the tier's `drill_interval`.",
        artifacts_retrieved,
        examples journal
    ),
    rule!(
        "DRL-004",
        Error,
        Drill,
        Journals,
        "No live run left a case open",
        "A drill must clean up after itself",
        "Nothing any live run opened is still open: every case a journal records as opened, or as possibly opened (a run whose journal has no end, an ambiguous CreateCase), is recorded as resolved by that run or a later one (a later run's sweep).",
        nothing_left_open,
        examples journal
    ),
];

fn journals<'a>(ctx: &Ctx<'a>) -> impl Iterator<Item = &'a Journal> + use<'a> {
    let (at, name) = (ctx.at, ctx.model.name().to_string());
    ctx.journals.unwrap_or_default().iter().filter(move |j| !j.dry_run && j.started_at.0 <= at && j.model == name)
}

fn passing<'a>(ctx: &Ctx<'a>) -> impl Iterator<Item = &'a Journal> + use<'a> {
    journals(ctx).filter(|j| j.outcome == Outcome::Pass)
}

/// The start of the window a drill must fall in: `--at` minus the interval.
fn since(ctx: &Ctx, interval: Duration) -> jiff::Timestamp {
    ctx.at.checked_sub(jiff::SignedDuration::from_secs(interval.as_secs())).unwrap_or(jiff::Timestamp::MIN)
}

fn latest<'a>(it: impl Iterator<Item = &'a Journal>) -> Option<&'a Journal> {
    it.max_by_key(|j| j.started_at)
}

fn when(ctx: &Ctx, j: Option<&Journal>) -> String {
    j.map(|j| format!("{} on {}", j.drill, ctx.show(j.started_at.0))).unwrap_or_else(|| "none".into())
}

fn recent_drills(ctx: &Ctx, out: &mut Out) {
    for svc in &ctx.model.services {
        let s = subject("service", &svc.id);
        let tier = svc.tier.as_deref().and_then(|t| ctx.model.tiers.get(t));
        let Some(tier) = tier else {
            out.unknown(&s, Some(&svc.origin), "the service has no valid tier (SM-001/SM-002): no drill interval to measure against");
            continue;
        };
        match tier.drill_interval {
            None => {
                out.pass(&s, &svc.origin, "not required: the tier sets no drill_interval");
            }
            Some(interval) => {
                let last = latest(passing(ctx).filter(|j| j.services.contains(&svc.id)));
                if last.is_some_and(|j| j.started_at.0 >= since(ctx, interval)) {
                    out.pass(&s, &svc.origin, format!("passing drill {} within drill_interval {interval}", when(ctx, last)));
                } else {
                    out.fail(
                        &s,
                        &svc.origin,
                        format!("no passing drill names it within drill_interval {interval} (latest passing: {})", when(ctx, last)),
                        "run `runready drill --live` for a drill that names the service, and keep its journal",
                    )
                    .with_evidence(json!({ "interval": interval.to_string(), "latest": last.map(|j| j.started_at) }));
                }
            }
        }
        let Some(interval) = tier.process_test_interval else { continue };
        for vendor in &svc.vendors {
            let tested = |j: &&Journal| j.kind == crate::model::DrillKind::ProcessTest && j.steps.iter().any(|st| st.kind == "vendor_case" && &st.target == vendor && st.outcome == Outcome::Pass);
            let last = latest(passing(ctx).filter(tested));
            let origin = svc.origin.at("vendors");
            if last.is_some_and(|j| j.started_at.0 >= since(ctx, interval)) {
                out.pass(&s, &origin, format!("vendor {vendor}: passing process test {} within process_test_interval {interval}", when(ctx, last)));
            } else {
                out.fail(
                    &s,
                    &origin,
                    format!("vendor {vendor}: no passing process_test drill with a vendor_case step for it within process_test_interval {interval} (latest: {})", when(ctx, last)),
                    "run a process_test drill with a vendor_case step for this vendor",
                )
                .with_evidence(json!({ "vendor": vendor, "interval": interval.to_string(), "latest": last.map(|j| j.started_at) }));
            }
        }
    }
}

fn artifacts_retrieved(ctx: &Ctx, out: &mut Out) {
    for svc in &ctx.model.services {
        let Some(interval) = svc.tier.as_deref().and_then(|t| ctx.model.tiers.get(t)).and_then(|t| t.drill_interval) else { continue };
        for id in &svc.artifacts {
            let Some(artifact) = ctx.model.artifacts.get(id) else { continue };
            let s = subject("artifact", id);
            let limit_ms = crate::drill::steps::retrieval_limit(artifact).as_millis() as u64;
            let ok = |j: &&Journal| {
                j.steps.iter().any(|st| {
                    st.kind == "retrieve"
                        && &st.target == id
                        && st.outcome == Outcome::Pass
                        && st.duration_ms <= limit_ms
                        && st.evidence.get("environment").and_then(|e| e.as_str()) == Some("production")
                })
            };
            let last = latest(passing(ctx).filter(ok));
            if last.is_some_and(|j| j.started_at.0 >= since(ctx, interval)) {
                let took = last.and_then(|j| j.steps.iter().find(|st| st.kind == "retrieve" && &st.target == id)).map(|st| st.duration_ms).unwrap_or(0);
                out.pass(&s, &artifact.origin, format!("retrieved from production in {took} ms (max_retrieval {} ms) by {} for {}", limit_ms, when(ctx, last), svc.id));
            } else {
                out.fail(
                    &s,
                    &artifact.origin,
                    format!("not retrieved from production within max_retrieval by a passing drill within {interval} (for {}; latest: {})", svc.id, when(ctx, last)),
                    "add a retrieve step for this artifact to a drill and run it live",
                )
                .with_evidence(json!({ "service": svc.id, "interval": interval.to_string(), "max_retrieval_ms": limit_ms }));
            }
        }
    }
}

fn nothing_left_open(ctx: &Ctx, out: &mut Out) {
    let all: Vec<&Journal> = journals(ctx).collect();
    let open = crate::drill::ledger::unresolved(&all, |id| opens_cases(ctx.model, id));
    for d in &ctx.model.drills {
        let s = subject("drill", &d.id);
        let runs: Vec<&&Journal> = all.iter().filter(|j| j.drill == d.id).collect();
        let Some(latest) = runs.iter().map(|j| j.started_at).max() else {
            out.unknown(&s, Some(&d.origin), format!("not evaluated: no live run of drill {} in the journals", d.id));
            continue;
        };
        let mine: Vec<&crate::drill::ledger::Unresolved> = open.iter().filter(|u| u.journal.drill == d.id).collect();
        if mine.is_empty() {
            out.pass(&s, &d.origin, format!("no live run left a case open ({} live run{} in the journals, the latest {})", runs.len(), if runs.len() == 1 { "" } else { "s" }, ctx.show(latest.0)));
            continue;
        }
        let ids: Vec<String> = mine.iter().filter_map(|u| u.case_id.clone()).collect();
        let maybe = mine.iter().filter(|u| u.case_id.is_none()).count();
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let what = match (ids.len(), maybe) {
            (n, 0) => format!("{n} case{} left open", plural(n)),
            (0, m) => format!("{m} case{} may be open", plural(m)),
            (n, m) => format!("{n} case{} left open and {m} more may be", plural(n)),
        };
        let details: Vec<String> = mine.iter().map(|u| u.describe()).collect();
        let mut how = Vec::new();
        if !ids.is_empty() {
            how.push(format!("resolve it in the AWS Support console or with `aws support resolve-case --case-id {}` if you cannot wait", ids[0]));
        }
        if maybe > 0 {
            let since = mine.iter().filter(|u| u.case_id.is_none()).map(|u| u.since).min().map(|t| ctx.show(t.0)).unwrap_or_default();
            how.push(format!("look in the AWS Support console for \"{}\" cases created from {since} on", crate::drill::vendor::TEST_SUBJECT));
        }
        how.push(format!(
            "then run `runready drill --live --drill {}`: a live run first resolves what earlier runs left open (a case already resolved by hand too) and records it, which clears this",
            d.id
        ));
        let evidence: Vec<serde_json::Value> =
            mine.iter().map(|u| json!({ "case_id": u.case_id, "account": u.account, "run_started_at": u.journal.started_at, "run_finished": u.journal.finished_at.is_some(), "why": u.why })).collect();
        out.fail(&s, &d.origin, format!("{what}: {}", details.join("; ")), how.join("; ")).with_evidence(json!({ "left_open": evidence }));
    }
}

/// Whether a drill has a step that opens AWS Support cases.
fn opens_cases(model: &crate::model::Model, drill: &str) -> bool {
    model.drills.iter().filter(|d| d.id == drill).flat_map(|d| d.steps.iter()).any(|s| match s {
        crate::model::DrillStep::VendorCase(v) => model.vendors.get(&v.vendor).is_some_and(|v| v.kind == crate::model::VendorKind::AwsSupport),
        _ => false,
    })
}

fn window_has_room(ctx: &Ctx, out: &mut Out) {
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
}
