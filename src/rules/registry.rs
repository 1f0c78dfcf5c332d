//! Every built-in rule: id, title, default severity, family, the input it needs, and
//! the `explain` text. Ids are binding (rules.md): SARIF ruleIds, JUnit names, waiver keys.

use crate::model::Level;

/// What a rule needs besides the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// The model alone.
    Model,
    /// The simulated timeline (calendars, rotations, escalation walk).
    Time,
    /// A facts snapshot or `--live`.
    Facts,
    /// Drill journals.
    Journals,
}

#[derive(Clone, Copy, Debug)]
pub struct RuleInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub level: Level,
    pub family: &'static str,
    pub input: Input,
    pub why: &'static str,
    /// What it checks, how to fix it, a failing and a passing example.
    pub explain: &'static str,
}

macro_rules! rule {
    ($id:literal, $level:ident, $family:literal, $input:ident, $title:literal, $why:literal, $explain:literal) => {
        RuleInfo { id: $id, title: $title, level: Level::$level, family: $family, input: Input::$input, why: $why, explain: $explain }
    };
}

pub static RULES: &[RuleInfo] = &[
    rule!(
        "SM-001",
        Error,
        "model",
        Model,
        "Every reference resolves to an id of the right kind",
        "A dangling reference silently drops a page",
        "Checks every reference in the model: tiers' calendars, severities' clocks, rotation members, escalation targets (`rotation:ID`, `contact:ID`), vendor cases, services' tier/escalation/coverage/severities/vendors/runbooks/artifacts, drills' services, windows and artifacts.\n\nFix: correct the id, or define what it names. Escalation targets must say their kind.\n\nFails:\n  services: [{ id: api, escalation: paymnts }]\nPasses:\n  escalations: { payments: ... }\n  services: [{ id: api, escalation: payments }]"
    ),
    rule!(
        "SM-002",
        Error,
        "model",
        Model,
        "Every service has an owner, a tier, an escalation, a runbook and a vendor",
        "The minimum support model (AWS support-capability guidance, step 1)",
        "Each service needs `owner`, `tier`, `escalation`, at least one entry in `runbooks` and at least one in `vendors`.\n\nFix: add what the message lists.\n\nFails:\n  services: [{ id: api, tier: critical }]\nPasses:\n  services: [{ id: api, tier: critical, owner: team-a, escalation: main, runbooks: [restore], vendors: [aws-prod] }]"
    ),
    rule!(
        "SM-003",
        Warning,
        "model",
        Model,
        "The model's operational readiness review is current",
        "Operational readiness is re-reviewed periodically (Well-Architected OPS07)",
        "`metadata.reviewed` plus `review_interval` (default P365D) must not be before `--at`. A deadline date holds until the end of that day (UTC).\n\nFix: review the model and update `metadata.reviewed`.\n\nFails (at 2026-11-23):\n  metadata: { name: p, reviewed: 2025-01-10, review_interval: P365D }\nPasses:\n  metadata: { name: p, reviewed: 2026-10-01, review_interval: P365D }"
    ),
    rule!(
        "SEV-001",
        Error,
        "severity",
        Model,
        "More severe severities have targets no slower, an AWS severity no lower and a wall clock",
        "Five AWS severities map onto fewer internal ones (AMS, ECO); inversions mean the wrong clock runs",
        "For every pair of severities (the list is most severe first), the more severe one has every target no longer than the less severe one (a missing target counts as infinite), an `aws_severity` no lower, and a `wall` clock if the less severe one has one.\n\nFix: reorder the severities or correct the targets.\n\nFails:\n  severities:\n    - { id: sev1, aws_severity: urgent, targets: { acknowledge: PT30M } }\n    - { id: sev2, aws_severity: high, targets: { acknowledge: PT15M } }\nPasses:\n    - { id: sev1, aws_severity: urgent, targets: { acknowledge: PT15M } }\n    - { id: sev2, aws_severity: high, targets: { acknowledge: PT30M } }"
    ),
    rule!(
        "SEV-002",
        Error,
        "severity",
        Model,
        "Each AWS severity a service uses is available from each of its vendors",
        "`critical` needs Enterprise-class plans; Developer has no `high` or `urgent`",
        "For `aws_support` vendors, the declared plan must offer the severity (AWS Support User Guide, \"Choosing a severity\"; table in data/aws-support-response.json). For `external` vendors, the severity code must be a key of `response`.\n\nFix: upgrade the plan, map the severity to one the plan offers, or add the code to `response`.\n\nFails:\n  vendors: { aws: { kind: aws_support, plan: business } }   # with a severity aws_severity: critical\nPasses:\n  vendors: { aws: { kind: aws_support, plan: enterprise } }"
    ),
    rule!(
        "SEV-003",
        Error,
        "severity",
        Model,
        "engage_vendor plus the vendor's worst-case first response fits within restore",
        "Targets that assume a faster vendor than the contract gives are fiction",
        "For each vendor named by a `vendor_case` step of the service's escalation and each severity with both `engage_vendor` and `restore`: `engage_vendor` + the vendor's worst-case first response (business-hours clocks included, over the horizon) must be within `restore`, on the severity's clock.\n\nFix: engage the vendor earlier, buy a faster plan, or relax `restore`.\n\nFails:\n  targets: { engage_vendor: PT4H, restore: PT6H }   # vendor answers high in 4h\nPasses:\n  targets: { engage_vendor: PT1H, restore: PT6H }"
    ),
    rule!(
        "SEV-004",
        Warning,
        "severity",
        Model,
        "24x7 services use wall-clock severities",
        "A business-hours clock on a 24x7 service pauses the response overnight",
        "Every severity used by a service whose tier's `required_coverage` is `always` must have `clock: wall`.\n\nFix: set `clock: wall`, or restrict the service to severities with a wall clock.\n\nFails:\n  severities: [{ id: sev3, aws_severity: normal, clock: uk-business }]   # used by a critical service\nPasses:\n  severities: [{ id: sev3, aws_severity: normal, clock: wall }]"
    ),
    rule!(
        "ESC-001",
        Error,
        "escalation",
        Model,
        "Every escalation ends in an always-reachable fallback",
        "Pages must never fall off the end of the chain (OPS10-BP04)",
        "`final_fallback` must be an `always_reachable` team (`contact:ID`) or a rotation whose staffed coverage is the whole horizon (no restrictions, no gaps, no holidays of the people on duty).\n\nFix: add `final_fallback: contact:noc` with `always_reachable: true`.\n\nFails:\n  escalations: { main: { steps: [...] } }\nPasses:\n  escalations: { main: { steps: [...], final_fallback: contact:noc } }"
    ),
    rule!(
        "ESC-002",
        Error,
        "escalation",
        Time,
        "Worst-case time to engage is within acknowledge",
        "The SLA must hold at 03:00 on a Sunday, not only at 10:00 on a Tuesday",
        "For every severity of the service, the worst-case time to engage over required coverage is within `acknowledge`; the report gives the worst instant and its cause.\n\nFix: add people, shorten step timeouts, or relax the target."
    ),
    rule!(
        "ESC-003",
        Warning,
        "escalation",
        Time,
        "Step timeouts outlast the first interruptive contact",
        "A step that times out before its person's phone rings",
        "Each step's timeout must be longer than the delay to the first interruptive contact of every person it can page.\n\nFix: lengthen the timeout or move the person's first interruptive notification rule earlier."
    ),
    rule!(
        "ESC-004",
        Warning,
        "escalation",
        Time,
        "Consecutive steps do not page the same single person",
        "Escalating to yourself is not escalating",
        "No two consecutive steps resolve to the same single person at the same instant.\n\nFix: escalate to someone else (a lead, a secondary rotation)."
    ),
    rule!(
        "ESC-005",
        Error,
        "escalation",
        Model,
        "Every step has a positive timeout and a target; repeat is not negative",
        "A broken chain stalls incidents",
        "An escalation needs at least one step; every step needs a `timeout` longer than zero and at least one `notify` target; `repeat` must not be negative.\n\nFails:\n  steps: [{ notify: [], timeout: PT0M }]\nPasses:\n  steps: [{ notify: [rotation:primary], timeout: PT5M }]"
    ),
    rule!(
        "ESC-006",
        Error,
        "escalation",
        Model,
        "High-severity paths escalate to the AWS Support vendor",
        "Escalating to the cloud vendor must be part of the path (support-capability guidance, step 4)",
        "If any severity of a service has `aws_severity` `high` or above and the service has an `aws_support` vendor, its escalation has a step whose `vendor_case` names one of those vendors.\n\nFix: add `vendor_case: aws-prod` to the step at which the case is due.\n\nFails:\n  steps: [{ notify: [rotation:primary], timeout: PT5M }]\nPasses:\n  steps: [{ notify: [rotation:primary], timeout: PT5M, vendor_case: aws-prod }]"
    ),
    rule!(
        "VND-001",
        Warning,
        "vendor",
        Model,
        "24x7 services are not backed by Basic or Developer AWS support",
        "Developer and Basic support cannot answer production-down cases",
        "No `aws_support` vendor on plan `basic` or `developer` backs a service whose tier requires `always` coverage.\n\nFix: move the account to Business support or above.\n\nFails:\n  vendors: { aws: { kind: aws_support, plan: developer } }   # used by a 24x7 service\nPasses:\n  vendors: { aws: { kind: aws_support, plan: business } }"
    ),
    rule!(
        "VND-002",
        Error,
        "vendor",
        Model,
        "Vendor requests carry version, impact, observed and expected behaviour",
        "The support request template (60East AMPS)",
        "Each vendor has a `request_template` whose `required_fields` include `product_version`, `impact`, `observed_behavior` and `expected_behavior`, and every service using the vendor sets `product_version`.\n\nFix: add the fields to the template and `product_version` to the services.\n\nFails:\n  request_templates: { t: { required_fields: [impact], body: ... } }\nPasses:\n  request_templates: { t: { required_fields: [product_version, impact, observed_behavior, expected_behavior], body: ... } }"
    ),
    rule!(
        "VND-003",
        Error,
        "vendor",
        Model,
        "External vendors' support hours span the service's availability, or a gap plan covers the rest",
        "\"Plan for issues outside support coverage hours\" (60East AMPS)",
        "For an `external` vendor with `coverage`, the vendor's coverage must contain the service tier's `availability` over the horizon; instants outside it that fall before an unexpired `gap_plan`'s `expires` are `waived` with its mitigation.\n\nFix: buy extended support, or write a `gap_plan` saying what happens out of hours.\n\nFails:\n  a 24x7 service with a vendor whose coverage is uk-business and no gap_plan\nPasses:\n  the same with gap_plan: { mitigation: ..., accepted_by: lead, expires: 2027-06-30 }"
    ),
    rule!(
        "RB-001",
        Error,
        "runbook",
        Model,
        "Each runbook file exists and is readable",
        "28 of 41 runbook links dead is a real incident report",
        "The `path` of each runbook, relative to the YAML file that defines it, must be a readable file.\n\nFix: correct the path or add the runbook.\n\nFails:\n  runbooks: { r: { path: runbooks/missing.md } }\nPasses:\n  runbooks: { r: { path: runbooks/restore.md } }"
    ),
    rule!(
        "RB-002",
        Error,
        "runbook",
        Model,
        "Runbooks have their required sections",
        "A runbook without a restore section is not a runbook",
        "Each entry of `required_sections` must be a Markdown heading of the runbook (case-insensitive, any level), followed by non-empty content before the next heading.\n\nFix: add the section with its content, or remove it from `required_sections`.\n\nFails:\n  required_sections: [Restore]   # and the file has no '## Restore'\nPasses:\n  '## Restore' followed by the restore steps"
    ),
    rule!(
        "RB-003",
        Warning,
        "runbook",
        Model,
        "Runbooks were reviewed within their max_age",
        "Stale runbooks mislead responders",
        "Each runbook's `reviewed` + `max_age` must not be before `--at`. Without `max_age` nothing is required; with `max_age` but no `reviewed`, the runbook fails.\n\nFix: review the runbook and update `reviewed`.\n\nFails (at 2026-11-23):\n  { reviewed: 2025-01-01, max_age: P180D }\nPasses:\n  { reviewed: 2026-08-15, max_age: P180D }"
    ),
    rule!(
        "ART-001",
        Error,
        "artifact",
        Model,
        "Always-available services list version, config and logs artifacts",
        "What a vendor asks for first (60East AMPS)",
        "Every service whose tier's `availability` is `always` lists artifacts of kinds `version`, `config` and `logs`.\n\nFix: add the missing artifact kinds to the service.\n\nFails:\n  artifacts: [payments-logs]\nPasses:\n  artifacts: [payments-version, payments-config, payments-logs]"
    ),
    rule!(
        "ART-002",
        Error,
        "artifact",
        Model,
        "Each artifact has one retrieval method, an environment and a max_retrieval",
        "An artifact nobody can fetch from production is not an artifact",
        "Each artifact has exactly one of `retrieve.command`, `retrieve.http`, `retrieve.file`, an `environment` and a `max_retrieval`.\n\nFails:\n  { kind: logs, retrieve: { command: ..., file: ... } }\nPasses:\n  { kind: logs, environment: production, retrieve: { command: ... }, max_retrieval: PT5M }"
    ),
    rule!(
        "GOV-001",
        Error,
        "governance",
        Model,
        "Waivers are complete and unexpired",
        "Waivers that never expire become the policy",
        "Every waiver names an existing rule and subject and has a `reason`, an `approved_by` and an `expires` date; an expired waiver (after its `expires` date, UTC) fails and waives nothing.\n\nFails:\n  waivers: [{ rule: DRL-001, subject: service:api }]\nPasses:\n  waivers: [{ rule: DRL-001, subject: service:api, reason: booked, approved_by: lead, expires: 2027-01-31 }]"
    ),
    rule!(
        "GOV-002",
        Warning,
        "governance",
        Model,
        "Waivers are used",
        "Unused exceptions hide drift (cargo-deny does the same)",
        "An unexpired waiver whose rule and subject produced no `fail` (it passed or was not reported) is reported; not when that rule was `unknown` for the subject.\n\nFix: remove the waiver."
    ),
    rule!(
        "COV-001",
        Error,
        "coverage",
        Time,
        "Staffed coverage covers the tier's required coverage",
        "The core question: is anyone there?",
        "The service has no gap (an instant of required coverage at which the escalation's first step reaches nobody reachable), except where an unexpired gap_plan covers it."
    ),
    rule!(
        "COV-002",
        Error,
        "coverage",
        Time,
        "Rotations are big enough and nobody is on duty too long",
        "Single points of failure and burnout",
        "Each rotation has at least the strictest `min_rotation_members` of the tiers of the services that reach it, and nobody is on duty longer than the strictest `max_consecutive_oncall`."
    ),
    rule!(
        "COV-003",
        Error,
        "coverage",
        Time,
        "No handoff or window boundary falls on a skipped or repeated local time",
        "Grafana OnCall and PagerDuty users hit DST gaps every year",
        "No turn start, override boundary or calendar window boundary falls on a local time that does not exist or occurs twice."
    ),
    rule!(
        "COV-004",
        Warning,
        "coverage",
        Time,
        "Nobody is scheduled on their own holidays",
        "Nobody is on call on Christmas morning",
        "No person is scheduled on duty on a date in their own `holidays` inside required coverage."
    ),
    rule!(
        "COV-005",
        Warning,
        "coverage",
        Time,
        "Declared coverage equals staffed coverage",
        "Declared and staffed coverage drift apart",
        "The service's declared `coverage` calendar equals its staffed coverage over the horizon, personal holidays aside."
    ),
    rule!(
        "DRL-002",
        Warning,
        "drill",
        Time,
        "Each drill's window has room for it",
        "A drill that can never run",
        "Each drill's window has room for its `max_duration` (default PT1H) at least once within the next `every` from `--at`, outside its `not_during` calendars."
    ),
    rule!(
        "AWS-001",
        Error,
        "aws",
        Facts,
        "No Trusted Advisor errors in fault tolerance, operational excellence or service limits",
        "Trusted Advisor automated checks (support-capability guidance, step 3)",
        "No Trusted Advisor recommendation or check in status `error` in those pillars for the service's accounts and AWS services."
    ),
    rule!(
        "AWS-002",
        Error,
        "aws",
        Facts,
        "No open AWS Health issue for the service",
        "Do not ship into an ongoing outage",
        "No open AWS Health `issue` event for the service's accounts, regions and AWS services at `--at`."
    ),
    rule!(
        "AWS-003",
        Warning,
        "aws",
        Facts,
        "Scheduled AWS changes fall inside staffed coverage",
        "Scheduled maintenance needs a human on duty",
        "No upcoming `scheduledChange` Health event inside the horizon falls outside the service's staffed coverage."
    ),
    rule!(
        "AWS-004",
        Error,
        "aws",
        Facts,
        "The live support plan matches the declared plan",
        "The declared plan is what the targets rest on",
        "Every `aws_severity` the model uses with the vendor is among the live severity levels."
    ),
    rule!("AWS-005", Warning, "aws", Facts, "Facts are fresh", "A week-old snapshot is not live state", "Facts are younger than `--max-facts-age` (default PT24H) at `--at`."),
    rule!(
        "DRL-001",
        Error,
        "drill",
        Journals,
        "Each service has recent passing drills and vendor process tests",
        "Test support channels before you need them (60East AMPS, AMS)",
        "Each service has a passing drill that names it within its tier's `drill_interval`, and for each vendor a passing `process_test` drill with a `vendor_case` step for it within `process_test_interval`."
    ),
    rule!(
        "DRL-003",
        Error,
        "drill",
        Journals,
        "Every artifact was retrieved from production within its max_retrieval",
        "Verify artifacts can be retrieved from the actual production servers (60East AMPS)",
        "Every artifact of the service was retrieved from `production` within its `max_retrieval` by a passing drill within the tier's `drill_interval`."
    ),
    rule!("DRL-004", Error, "drill", Journals, "The latest drill run left nothing open", "A drill must clean up after itself", "The latest live run of every drill resolved every case it opened."),
];

pub fn all() -> &'static [RuleInfo] {
    RULES
}

pub fn find(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule ids");
        for r in RULES {
            let (prefix, num) = r.id.split_once('-').unwrap();
            assert!(prefix.chars().all(|c| c.is_ascii_uppercase()) && num.len() == 3, "{}", r.id);
        }
    }

    #[test]
    fn every_rule_of_rules_md_is_registered() {
        let spec = [
            "SM-001", "SM-002", "SM-003", "SEV-001", "SEV-002", "SEV-003", "SEV-004", "ESC-001", "ESC-005", "ESC-006", "VND-001", "VND-002", "VND-003", "RB-001", "RB-002", "RB-003", "ART-001",
            "ART-002", "GOV-001", "GOV-002", "COV-001", "COV-002", "COV-003", "COV-004", "COV-005", "ESC-002", "ESC-003", "ESC-004", "DRL-002", "AWS-001", "AWS-002", "AWS-003", "AWS-004", "AWS-005",
            "DRL-001", "DRL-003", "DRL-004",
        ];
        for id in spec {
            assert!(find(id).is_some(), "{id} is not registered");
        }
        assert_eq!(RULES.len(), spec.len());
    }
}
