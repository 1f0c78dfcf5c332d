//! SM-001..SM-003: references, the minimum model, and the model's review.

use super::rule::{Rule, rule};
use super::{Ctx, Out, subject};
use crate::model::*;
use crate::suggest::did_you_mean;

/// The rules of this family, as `rules`, `explain` and every report list them.
pub static RULES: &[Rule] = &[
    rule!(
        "SM-001",
        Error,
        Model,
        Model,
        "Every reference resolves to an id of the right kind",
        "A dangling reference silently drops a page",
        "Checks every reference in the model: tiers' calendars, severities' clocks, rotation members, escalation targets (`rotation:ID`, `contact:ID`), vendor cases, services' tier/escalation/coverage/severities/vendors/runbooks/artifacts, drills' services, windows and artifacts.\n\nFix: correct the id, or define what it names. Escalation targets must say their kind.",
        references_resolve,
        examples
    ),
    rule!(
        "SM-002",
        Error,
        Model,
        Model,
        "Every service has an owner, a tier, an escalation, a runbook and a vendor",
        "The minimum support model (AWS support-capability guidance, step 1)",
        "Each service needs `owner`, `tier`, `escalation`, at least one entry in `runbooks` and at least one in `vendors`.\n\nFix: add what the message lists.",
        minimum_service,
        examples
    ),
    rule!(
        "SM-003",
        Warning,
        Model,
        Model,
        "The model's operational readiness review is current",
        "Operational readiness is re-reviewed periodically (Well-Architected OPS07)",
        "`metadata.reviewed` plus `review_interval` (default P365D) must not be before `--at`. A deadline date holds until the end of that day (UTC).\n\nFix: review the model and update `metadata.reviewed`.\n\nFails (at 2026-11-23):\n  metadata: { name: p, reviewed: 2025-01-10, review_interval: P365D }\nPasses:\n  metadata: { name: p, reviewed: 2026-10-01, review_interval: P365D }",
        model_reviewed,
        examples
    ),
];

/// What a reference must name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    Calendar,
    /// `wall` or a calendar.
    Clock,
    HolidaySet,
    Contact,
    /// `rotation:ID`, `schedule:ID` or `contact:ID`.
    Target,
    /// A rotation id (a schedule's layer).
    Rotation,
    Vendor,
    Template,
    Tier,
    Escalation,
    Severity,
    Runbook,
    Artifact,
    Service,
}

impl RefKind {
    fn noun(self) -> &'static str {
        match self {
            RefKind::Calendar | RefKind::Clock => "calendar",
            RefKind::HolidaySet => "holiday set",
            RefKind::Contact => "contact",
            RefKind::Target => "escalation target",
            RefKind::Rotation => "rotation",
            RefKind::Vendor => "vendor",
            RefKind::Template => "request template",
            RefKind::Tier => "tier",
            RefKind::Escalation => "escalation",
            RefKind::Severity => "severity",
            RefKind::Runbook => "runbook",
            RefKind::Artifact => "artifact",
            RefKind::Service => "service",
        }
    }
}

/// One reference written in the model.
pub struct Reference {
    pub subject: String,
    pub origin: Origin,
    pub kind: RefKind,
    pub id: String,
}

/// Every reference of the model, in model order.
pub fn references(m: &Model) -> Vec<Reference> {
    let mut refs = Refs(Vec::new());
    schedule_references(m, &mut refs);
    service_references(m, &mut refs);
    drill_references(m, &mut refs);
    refs.0
}

/// References, collected in model order.
struct Refs(Vec<Reference>);

impl Refs {
    fn add(&mut self, subject: &str, origin: Origin, kind: RefKind, id: &str) {
        self.0.push(Reference { subject: subject.to_string(), origin, kind, id: id.to_string() });
    }
}

/// Tiers, calendars, severities, contacts, rotations, escalations and vendors.
fn schedule_references(m: &Model, refs: &mut Refs) {
    let mut add = |subject: &str, origin: Origin, kind: RefKind, id: &str| refs.add(subject, origin, kind, id);
    for (id, t) in &m.tiers {
        let s = subject("tier", id);
        add(&s, t.origin.at("availability"), RefKind::Calendar, &t.availability);
        add(&s, t.origin.at("required_coverage"), RefKind::Calendar, &t.required_coverage);
    }
    for (id, c) in &m.calendars {
        for (i, h) in c.exclude_holidays.iter().enumerate() {
            add(&subject("calendar", id), c.origin.at(format!("exclude_holidays/{i}")), RefKind::HolidaySet, h);
        }
    }
    for s in &m.severities {
        add(&subject("severity", &s.id), s.origin.at("clock"), RefKind::Clock, &s.clock.0);
    }
    for c in &m.contacts {
        for (i, h) in c.holidays.iter().enumerate() {
            add(&subject("contact", &c.id), c.origin.at(format!("holidays/{i}")), RefKind::HolidaySet, h);
        }
    }
    for (id, r) in &m.rotations {
        let s = subject("rotation", id);
        for (i, member) in r.members.iter().enumerate() {
            add(&s, r.origin.at(format!("members/{i}")), RefKind::Contact, member);
        }
        for (i, o) in r.overrides.iter().enumerate() {
            add(&s, r.origin.at(format!("overrides/{i}/member")), RefKind::Contact, &o.member);
        }
    }
    for (id, sch) in &m.schedules {
        let s = subject("schedule", id);
        for (i, layer) in sch.layers.iter().enumerate() {
            add(&s, sch.origin.at(format!("layers/{i}")), RefKind::Rotation, layer);
        }
        for (i, o) in sch.overrides.iter().enumerate() {
            add(&s, sch.origin.at(format!("overrides/{i}/member")), RefKind::Contact, &o.member);
        }
    }
    for svc in &m.services {
        if let Some(h) = svc.urgency.as_ref().and_then(|u| u.support_hours.as_ref()) {
            add(&subject("service", &svc.id), svc.origin.at("urgency/support_hours"), RefKind::Calendar, h);
        }
    }
    for (id, e) in &m.escalations {
        let s = subject("escalation", id);
        for (i, step) in e.steps.iter().enumerate() {
            for (j, target) in step.notify.iter().enumerate() {
                add(&s, e.origin.at(format!("steps/{i}/notify/{j}")), RefKind::Target, target.as_str());
            }
            if let Some(vc) = &step.vendor_case {
                add(&s, e.origin.at(format!("steps/{i}/vendor_case")), RefKind::Vendor, &vc.vendor);
            }
        }
        if let Some(f) = &e.final_fallback {
            add(&s, e.origin.at("final_fallback"), RefKind::Target, f.as_str());
        }
    }
    for (id, v) in &m.vendors {
        let s = subject("vendor", id);
        if let Some(t) = &v.request_template {
            add(&s, v.origin.at("request_template"), RefKind::Template, t);
        }
        if let Some(c) = &v.coverage {
            add(&s, v.origin.at("coverage"), RefKind::Calendar, c);
        }
    }
}

/// What each service names.
fn service_references(m: &Model, refs: &mut Refs) {
    let mut add = |subject: &str, origin: Origin, kind: RefKind, id: &str| refs.add(subject, origin, kind, id);
    for svc in &m.services {
        let s = subject("service", &svc.id);
        let o = &svc.origin;
        if let Some(t) = &svc.tier {
            add(&s, o.at("tier"), RefKind::Tier, t);
        }
        if let Some(e) = &svc.escalation {
            add(&s, o.at("escalation"), RefKind::Escalation, e);
        }
        if let Some(c) = &svc.coverage {
            add(&s, o.at("coverage"), RefKind::Calendar, c);
        }
        for (i, sev) in svc.severities.iter().flatten().enumerate() {
            add(&s, o.at(format!("severities/{i}")), RefKind::Severity, sev);
        }
        for (field, kind, ids) in [("vendors", RefKind::Vendor, &svc.vendors), ("runbooks", RefKind::Runbook, &svc.runbooks), ("artifacts", RefKind::Artifact, &svc.artifacts)] {
            for (i, id) in ids.iter().enumerate() {
                add(&s, o.at(format!("{field}/{i}")), kind, id);
            }
        }
    }
}

/// What each drill names: services, window calendars, vendors and artifacts.
fn drill_references(m: &Model, refs: &mut Refs) {
    let mut add = |subject: &str, origin: Origin, kind: RefKind, id: &str| refs.add(subject, origin, kind, id);
    for d in &m.drills {
        let s = subject("drill", &d.id);
        for (i, id) in d.services.iter().enumerate() {
            add(&s, d.origin.at(format!("services/{i}")), RefKind::Service, id);
        }
        if let Some(w) = &d.window {
            if let Some(c) = &w.within {
                add(&s, d.origin.at("window/within"), RefKind::Calendar, c);
            }
            for (i, c) in w.not_during.iter().enumerate() {
                add(&s, d.origin.at(format!("window/not_during/{i}")), RefKind::Calendar, c);
            }
        }
        for (i, step) in d.steps.iter().enumerate() {
            match step {
                DrillStep::VendorCase(vc) => add(&s, d.origin.at(format!("steps/{i}/vendor_case")), RefKind::Vendor, &vc.vendor),
                DrillStep::Retrieve(ids) => {
                    for (j, id) in ids.iter().enumerate() {
                        add(&s, d.origin.at(format!("steps/{i}/retrieve/{j}")), RefKind::Artifact, id);
                    }
                }
                DrillStep::SnsPublish(_) | DrillStep::Probe(_) => {}
            }
        }
    }
}

/// The ids a reference of this kind may name, for existence checks and suggestions.
fn candidates(m: &Model, kind: RefKind) -> Vec<String> {
    match kind {
        RefKind::Calendar => std::iter::once(ALWAYS.to_string()).chain(m.calendars.keys().cloned()).collect(),
        RefKind::Clock => ["wall".to_string(), ALWAYS.to_string()].into_iter().chain(m.calendars.keys().cloned()).collect(),
        RefKind::HolidaySet => m.holidays.keys().cloned().collect(),
        RefKind::Contact => m.contacts.iter().map(|c| c.id.clone()).collect(),
        RefKind::Target => {
            m.rotations.keys().map(|r| Target::rotation(r).0).chain(m.schedules.keys().map(|s| Target::schedule(s).0)).chain(m.contacts.iter().map(|c| Target::contact(&c.id).0)).collect()
        }
        RefKind::Rotation => m.rotations.keys().cloned().collect(),
        RefKind::Vendor => m.vendors.keys().cloned().collect(),
        RefKind::Template => m.request_templates.keys().cloned().collect(),
        RefKind::Tier => m.tiers.keys().cloned().collect(),
        RefKind::Escalation => m.escalations.keys().cloned().collect(),
        RefKind::Severity => m.severities.iter().map(|s| s.id.clone()).collect(),
        RefKind::Runbook => m.runbooks.keys().cloned().collect(),
        RefKind::Artifact => m.artifacts.keys().cloned().collect(),
        RefKind::Service => m.services.iter().map(|s| s.id.clone()).collect(),
    }
}

/// Whether a reference resolves in the model.
pub fn resolves(m: &Model, kind: RefKind, id: &str) -> bool {
    match kind {
        RefKind::Calendar => m.has_calendar(id),
        RefKind::Clock => id == "wall" || m.has_calendar(id),
        RefKind::Target => match TargetRef::parse(id) {
            TargetRef::Rotation(r) => m.rotations.contains_key(r),
            TargetRef::Schedule(s) => m.schedules.contains_key(s),
            TargetRef::Contact(c) => m.contact(c).is_some(),
            TargetRef::Other(_) => false,
        },
        RefKind::Rotation => m.rotations.contains_key(id),
        RefKind::HolidaySet => m.holidays.contains_key(id),
        RefKind::Contact => m.contact(id).is_some(),
        RefKind::Vendor => m.vendors.contains_key(id),
        RefKind::Template => m.request_templates.contains_key(id),
        RefKind::Tier => m.tiers.contains_key(id),
        RefKind::Escalation => m.escalations.contains_key(id),
        RefKind::Severity => m.severity(id).is_some(),
        RefKind::Runbook => m.runbooks.contains_key(id),
        RefKind::Artifact => m.artifacts.contains_key(id),
        RefKind::Service => m.service(id).is_some(),
    }
}

fn references_resolve(ctx: &Ctx, out: &mut Out) {
    let refs = references(ctx.model);
    let mut subjects: indexmap::IndexMap<String, (&Origin, usize)> = indexmap::IndexMap::new();
    for r in &refs {
        let entry = subjects.entry(r.subject.clone()).or_insert((&r.origin, 0));
        if resolves(ctx.model, r.kind, &r.id) {
            continue;
        }
        entry.1 += 1;
        let cands = candidates(ctx.model, r.kind);
        let suggestion = if r.kind == RefKind::Target && !r.id.contains(':') {
            cands.iter().find(|c| c.split_once(':').is_some_and(|(_, id)| id == r.id)).cloned()
        } else {
            did_you_mean(&r.id, cands.iter().map(String::as_str)).map(str::to_string)
        };
        let help = match (suggestion, r.kind) {
            (Some(s), _) => format!("did you mean `{s}`?"),
            (None, RefKind::Target) => "escalation targets are written `rotation:ID` or `contact:ID`".to_string(),
            (None, _) if cands.is_empty() => format!("define the {} or remove the reference", r.kind.noun()),
            (None, _) => format!("known ids: {}", cands.join(", ")),
        };
        let message = match r.kind {
            RefKind::Target if !r.id.contains(':') => format!("escalation target `{}` does not say its kind", r.id),
            RefKind::Clock => format!("clock `{}` is neither `wall` nor a calendar", r.id),
            kind => format!("{} `{}` does not exist", kind.noun(), r.id),
        };
        out.fail(&r.subject, &r.origin, message, help);
    }
    // A notification rule names a channel type of its own contact.
    for c in &ctx.model.contacts {
        let s = subject("contact", &c.id);
        for (i, r) in c.notification_rules.iter().enumerate() {
            let entry = subjects.entry(s.clone()).or_insert((&c.origin, 0));
            if c.has_channel(r.channel) {
                continue;
            }
            entry.1 += 1;
            let have: Vec<&str> = c.channels.iter().map(|ch| ch.kind.as_str()).collect();
            let help = if have.is_empty() {
                format!("add a {} channel to {}", r.channel.as_str(), c.id)
            } else {
                format!("add a {} channel to {}, or use one it has: {}", r.channel.as_str(), c.id, have.join(", "))
            };
            out.fail(
                &s,
                &c.origin.at(format!("notification_rules/{i}/channel")),
                format!("notification rule {} of {} uses channel `{}`, but {} has no {} channel: the rule reaches nothing and is ignored", i + 1, c.id, r.channel.as_str(), c.id, r.channel.as_str()),
                help,
            );
        }
    }
    for (s, (origin, broken)) in subjects {
        if broken == 0 {
            out.pass(s, origin, "every reference resolves");
        }
    }
}

fn minimum_service(ctx: &Ctx, out: &mut Out) {
    for svc in &ctx.model.services {
        let mut missing = Vec::new();
        for (what, absent) in
            [("owner", svc.owner.is_none()), ("tier", svc.tier.is_none()), ("escalation", svc.escalation.is_none()), ("a runbook", svc.runbooks.is_empty()), ("a vendor", svc.vendors.is_empty())]
        {
            if absent {
                missing.push(what);
            }
        }
        let s = subject("service", &svc.id);
        if missing.is_empty() {
            out.pass(s, &svc.origin, "owner, tier, escalation, runbooks and vendors are set");
        } else {
            let list = missing.join(", ");
            out.fail(s, &svc.origin, format!("service `{}` has no {list}", svc.id), format!("add {list} to the service")).with_evidence(serde_json::json!({ "missing": missing }));
        }
    }
}

/// The default review interval when a model sets `reviewed` without one.
pub const DEFAULT_REVIEW_INTERVAL_DAYS: i64 = 365;

fn model_reviewed(ctx: &Ctx, out: &mut Out) {
    let Some(meta) = &ctx.model.metadata else { return };
    let interval = meta.review_interval.unwrap_or(Duration::from_days(DEFAULT_REVIEW_INTERVAL_DAYS));
    match meta.reviewed {
        None => {
            out.fail("model", &meta.origin, "the model has no `metadata.reviewed` date", "review the model and add `reviewed: YYYY-MM-DD` (and `review_interval`)");
        }
        Some(reviewed) => {
            let due = add_days(reviewed.0, interval);
            let o = meta.origin.at("reviewed");
            if ctx.past(due) {
                out.fail("model", &o, format!("the model was last reviewed on {reviewed}; the review was due by {due}"), "hold the operational readiness review and update `metadata.reviewed`")
                    .with_evidence(serde_json::json!({ "reviewed": reviewed.to_string(), "due": due.to_string() }));
            } else {
                out.pass("model", &o, format!("reviewed on {reviewed}, next review due by {due}"));
            }
        }
    }
}

/// `date + duration` as a date (partial days round up: the deadline is the day it falls on).
pub fn add_days(date: jiff::civil::Date, d: Duration) -> jiff::civil::Date {
    let days = d.days + (d.seconds + 86_399) / 86_400;
    date.checked_add(jiff::Span::new().days(days)).unwrap_or(jiff::civil::Date::MAX)
}
