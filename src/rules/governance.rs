//! GOV-001, GOV-002 and the application of waivers to every other rule's results.

use super::rule::{Rule, rule};
use super::{Ctx, Out, RuleResult, Status, WaiverNote, registry};
use crate::model::*;

/// The rules of this family, as `rules`, `explain` and every report list them.
pub static RULES: &[Rule] = &[
    rule!(
        "GOV-001",
        Error,
        Governance,
        Model,
        "Waivers are complete and unexpired",
        "Waivers that never expire become the policy",
        "Every waiver names an existing rule and subject and has a `reason`, an `approved_by` and an `expires` date; an expired waiver (after its `expires` date, UTC) fails and waives nothing.",
        waivers,
        examples
    ),
    rule!(
        "GOV-002",
        Warning,
        Governance,
        Model,
        "Waivers are used",
        "Unused exceptions hide drift (cargo-deny does the same)",
        "An unexpired waiver whose rule and subject produced no `fail` (it passed or was not reported) is reported; not when that rule was `unknown` for the subject.\n\nFix: remove the waiver.",
        waivers,
        examples
    ),
];

/// Why a waiver's subject does not name anything in the model, if it does not.
fn subject_problem(m: &Model, subject: &str) -> Option<String> {
    if subject == "model" {
        return None;
    }
    // Live-fact subjects: service:ID/check:CHECK, service:ID/event:ARN.
    let Some((kind, id)) = Subject::parse(subject).entity() else {
        return Some(format!("subject `{subject}` is not written KIND:ID"));
    };
    let exists = match kind {
        "service" => m.service(id).is_some(),
        "rotation" => m.rotations.contains_key(id),
        "schedule" => m.schedules.contains_key(id),
        "escalation" => m.escalations.contains_key(id),
        "severity" => m.severity(id).is_some(),
        "vendor" => m.vendors.contains_key(id),
        "runbook" => m.runbooks.contains_key(id),
        "artifact" => m.artifacts.contains_key(id),
        "drill" => m.drills.iter().any(|d| d.id == id),
        "tier" => m.tiers.contains_key(id),
        "calendar" => m.calendars.contains_key(id),
        "contact" => m.contact(id).is_some(),
        "waiver" => id.parse::<usize>().is_ok_and(|i| i < m.waivers.len()),
        "policy" => true,
        _ => return Some(format!("`{kind}` is not a subject kind")),
    };
    (!exists).then(|| format!("{kind} `{id}` does not exist"))
}

/// A waiver that may waive: complete, naming a real rule and subject, unexpired.
pub struct ActiveWaiver {
    pub index: usize,
    pub rule: String,
    pub subject: String,
    pub note: WaiverNote,
}

/// GOV-001 results, and the waivers that are valid and may be applied.
pub fn gov001(ctx: &Ctx) -> (Vec<RuleResult>, Vec<ActiveWaiver>) {
    let mut out = Out::new(ctx, &RULES[0]);
    let mut active = Vec::new();
    for (i, w) in ctx.model.waivers.iter().enumerate() {
        let s = format!("waiver:{i}");
        let mut problems = Vec::new();
        let mut at = w.origin.clone();
        match &w.rule {
            None => problems.push("names no `rule`".to_string()),
            Some(r) if !r.contains('/') && registry::find(r).is_none() => {
                at = w.origin.at("rule");
                problems.push(format!("rule `{r}` does not exist"));
            }
            Some(_) => {}
        }
        match &w.subject {
            None => problems.push("names no `subject`".to_string()),
            Some(sub) => {
                if let Some(p) = subject_problem(ctx.model, sub) {
                    at = w.origin.at("subject");
                    problems.push(p);
                }
            }
        }
        for (field, missing) in [("reason", w.reason.as_deref().is_none_or(|r| r.trim().is_empty())), ("approved_by", w.approved_by.is_none())] {
            if missing {
                problems.push(format!("has no `{field}`"));
            }
        }
        match w.expires {
            None => problems.push("has no `expires` date".to_string()),
            Some(d) if ctx.past(d.0) => {
                at = w.origin.at("expires");
                problems.push(format!("expired on {d}"));
            }
            Some(_) => {}
        }
        if problems.is_empty() {
            out.pass(
                &s,
                &w.origin,
                format!("{} on {} until {}", w.rule.as_deref().unwrap_or_default(), w.subject.as_deref().unwrap_or_default(), w.expires.map(|d| d.to_string()).unwrap_or_default()),
            );
            active.push(ActiveWaiver {
                index: i,
                rule: w.rule.clone().unwrap_or_default(),
                subject: w.subject.clone().unwrap_or_default(),
                note: WaiverNote { reason: w.reason.clone().unwrap_or_default(), approved_by: w.approved_by.clone(), expires: w.expires.map(|d| d.to_string()) },
            });
        } else {
            out.fail(&s, &at, format!("waiver {i} {}; it waives nothing", problems.join(", ")), "complete the waiver (rule, subject, reason, approved_by, expires) or remove it");
        }
    }
    (out.results, active)
}

/// A waiver names a result's subject exactly, or, for Trusted Advisor results
/// (`service:ID/check:CHECK`), the recommendation id in place of the check id.
fn waives_subject(waiver: &str, r: &RuleResult) -> bool {
    if waiver == r.subject {
        return true;
    }
    let (w, result) = (Subject::parse(waiver), Subject::parse(&r.subject));
    let (Some(w_check), Some(_)) = (w.part("check"), result.part("check")) else { return false };
    w.before("check") == result.before("check") && r.evidence.get("recommendation_id").and_then(|v| v.as_str()) == Some(w_check)
}

/// Turns matching failures into `waived`, then reports unused waivers (GOV-002).
pub fn apply(ctx: &Ctx, results: &mut [RuleResult], waivers: &[ActiveWaiver]) -> Vec<RuleResult> {
    let mut out = Out::new(ctx, &RULES[1]);
    for w in waivers {
        let mut used = false;
        let mut unknown = false;
        for r in results.iter_mut().filter(|r| r.rule == w.rule && waives_subject(&w.subject, r)) {
            match r.status {
                Status::Fail => {
                    r.status = Status::Waived;
                    r.waiver = Some(w.note.clone());
                    used = true;
                }
                Status::Waived => used = true,
                Status::Unknown => unknown = true,
                _ => {}
            }
        }
        let origin = &ctx.model.waivers[w.index].origin;
        let s = format!("waiver:{}", w.index);
        if used || unknown {
            let msg = if used { format!("waives {} on {}", w.rule, w.subject) } else { format!("{} was not evaluated for {}", w.rule, w.subject) };
            out.pass(&s, origin, msg);
        } else {
            out.fail(&s, origin, format!("waiver {} for {} on {} waives nothing: the rule did not fail for that subject", w.index, w.rule, w.subject), "remove the waiver; it hides drift");
        }
    }
    out.results
}
