//! One failing and one passing case per built-in rule, on the smallest model that shows it.

mod common;
use common::*;
use runready::model::Level;
use runready::rules::Status;

#[test]
fn the_base_model_passes_every_static_rule() {
    let r = run(BASE);
    let failing: Vec<_> = r.iter().filter(|r| r.status == Status::Fail).collect();
    assert!(failing.is_empty(), "{failing:#?}");
    for id in
        ["SM-001", "SM-002", "SM-003", "SEV-001", "SEV-002", "SEV-003", "SEV-004", "ESC-001", "ESC-005", "ESC-006", "VND-001", "VND-002", "VND-003", "RB-001", "RB-002", "RB-003", "ART-001", "ART-002"]
    {
        assert_passes(&r, id);
    }
}

#[test]
fn sm001_dangling_references() {
    let f = assert_fails(&run(&base_with("escalation: main", "escalation: mian")), "SM-001");
    assert_eq!(f[0].subject, "service:api");
    assert_eq!(f[0].help.as_deref(), Some("did you mean `main`?"));
    assert!(f[0].location.as_ref().unwrap().path.ends_with("escalation"));
    let f = assert_fails(&run(&base_with("notify: [rotation:primary]", "notify: [primary]")), "SM-001");
    assert_eq!(f[0].help.as_deref(), Some("did you mean `rotation:primary`?"));
    // Rules depending on the broken reference say so instead of passing.
    let r = run(&base_with("escalation: main", "escalation: mian"));
    assert_eq!(statuses(&r, "ESC-006"), vec![Status::Unknown]);
}

#[test]
fn sm002_minimum_service() {
    let f = assert_fails(&run(&base_with("owner: t, ", "")), "SM-002");
    assert!(f[0].message.contains("owner"));
    assert_passes(&run(BASE), "SM-002");
}

#[test]
fn sm003_model_review() {
    let f = assert_fails(&run(&base_with("reviewed: 2026-10-01, review_interval", "reviewed: 2025-11-01, review_interval")), "SM-003");
    assert_eq!(f[0].subject, "model");
    // Due 2026-11-01 + 365 days = 2026-11-01; --at is 2026-11-23.
    assert!(f[0].message.contains("2026-11-01"), "{}", f[0].message);
    assert_passes(&run(BASE), "SM-003");
    assert_fails(&run(&base_with("metadata: { name: base, reviewed: 2026-10-01, review_interval: P365D }", "metadata: { name: base }")), "SM-003");
}

#[test]
fn sev001_inversions() {
    let f = assert_fails(&run(&base_with("acknowledge: PT15M", "acknowledge: PT45M")), "SEV-001");
    assert_eq!(f[0].subject, "severity:sev1");
    assert!(f[0].location.as_ref().unwrap().path.ends_with("targets.acknowledge"));
    assert_fails(&run(&base_with("aws_severity: urgent", "aws_severity: normal")), "SEV-001");
    assert_fails(&run(&base_with("{ id: sev1, aws_severity: urgent,", "{ id: sev1, aws_severity: urgent, clock: biz,")), "SEV-001");
    // A missing target on the more severe one counts as infinite.
    assert_fails(&run(&base_with("acknowledge: PT15M, ", "")), "SEV-001");
}

#[test]
fn sev002_plan_offers_the_severity() {
    let f = assert_fails(&run(&base_with("plan: business", "plan: developer")), "SEV-002");
    assert!(f[0].message.contains("developer plan does not offer severity `urgent`"), "{}", f[0].message);
    let critical = base_with("aws_severity: urgent", "aws_severity: critical");
    assert_fails(&run(&critical), "SEV-002");
    assert_passes(&run(&critical.replace("plan: business", "plan: enterprise")), "SEV-002");
}

#[test]
fn sev003_vendor_response_within_restore() {
    // engage 1h + AWS high 4h = 5h > restore 4h.
    let f = assert_fails(&run(&base_with("restore: P1D", "restore: PT4H")), "SEV-003");
    assert!(f[0].message.contains("= 5h, longer than restore 4h"), "{}", f[0].message);
    assert_passes(&run(&base_with("restore: P1D", "restore: PT5H")), "SEV-003");
}

#[test]
fn sev003_business_hours_vendor() {
    // An external vendor answering urgent cases in 1h, inside UK business hours only: the
    // worst case is a case raised as the office closes on a Friday (or before Christmas).
    let yaml = base_with("vendors:\n", "vendors:\n  ext: { kind: external, coverage: biz, response: { urgent: PT1H, high: PT2H }, request_template: std }\n")
        .replace("vendor_case: aws", "vendor_case: ext")
        .replace("vendors: [aws]", "vendors: [aws, ext]")
        .replace("restore: PT4H", "restore: P7D")
        .replace("restore: P1D", "restore: P8D");
    let r = run(&yaml);
    assert_passes(&r, "SEV-003");
    let tight = yaml.replace("restore: P7D", "restore: PT12H");
    let f = assert_fails(&run(&tight), "SEV-003");
    // Christmas Eve 18:00 London: closed over the holiday (25th) and the weekend until
    // Monday 28 December 08:00, then one hour: 3 days 15 hours.
    assert!(f[0].message.contains("worst-case first response of `ext` 3d15h"), "{}", f[0].message);
    assert!(f[0].message.contains("worst for a case opened Thu 2026-12-24 18:00 UTC"), "{}", f[0].message);
}

#[test]
fn sev004_wall_clock_for_24x7() {
    let f = assert_fails(&run(&base_with("{ id: sev2, aws_severity: high,", "{ id: sev2, aws_severity: high, clock: biz,")), "SEV-004");
    assert!(f[0].location.as_ref().unwrap().path.ends_with("clock"));
    assert_passes(&run(BASE), "SEV-004");
}

#[test]
fn esc001_fallback() {
    assert_fails(&run(&base_with("    final_fallback: contact:noc\n", "")), "ESC-001");
    assert_fails(&run(&base_with("final_fallback: contact:noc", "final_fallback: contact:a")), "ESC-001");
    // A rotation staffed at every instant is a valid fallback; with a restriction it is not.
    assert_passes(&run(&base_with("final_fallback: contact:noc", "final_fallback: rotation:primary")), "ESC-001");
    let restricted =
        base_with("final_fallback: contact:noc", "final_fallback: rotation:primary").replace("handoff: P1W }", "handoff: P1W, restrictions: [{ days: [mon], from: \"09:00\", to: \"17:00\" }] }");
    let f = assert_fails(&run(&restricted), "ESC-001");
    assert!(f[0].message.contains("nobody reachable"), "{}", f[0].message);
    // A member's holiday inside the horizon opens a gap too.
    let holiday = base_with("final_fallback: contact:noc", "final_fallback: rotation:primary").replace("{ id: a, kind: person,", "{ id: a, kind: person, holidays: [uk],");
    assert_fails(&run(&holiday), "ESC-001");
}

#[test]
fn esc005_broken_steps() {
    let f = assert_fails(&run(&base_with("timeout: PT5M", "timeout: PT0M")), "ESC-005");
    assert!(f[0].location.as_ref().unwrap().path.ends_with("steps[0].timeout"));
    assert_fails(&run(&base_with("notify: [rotation:primary]", "notify: []")), "ESC-005");
    assert_fails(&run(&base_with("    final_fallback: contact:noc\n", "    repeat: -1\n    final_fallback: contact:noc\n")), "ESC-005");
    assert_passes(&run(BASE), "ESC-005");
}

#[test]
fn esc006_vendor_step() {
    assert_fails(&run(&base_with(", vendor_case: aws }", " }")), "ESC-006");
    // No severity of high or above: not required.
    let low = base_with("vendor_case: aws }", "}").replace("aws_severity: urgent", "aws_severity: normal").replace("aws_severity: high", "aws_severity: low");
    assert_passes(&run(&low), "ESC-006");
}

#[test]
fn vnd001_developer_plan_on_24x7() {
    assert_fails(&run(&base_with("plan: business", "plan: developer")), "VND-001");
    assert_passes(&run(BASE), "VND-001");
}

#[test]
fn vnd002_request_template() {
    let f = assert_fails(&run(&base_with("required_fields: [product_version, impact, observed_behavior, expected_behavior]", "required_fields: [impact]")), "VND-002");
    assert_eq!(f[0].subject, "vendor:aws");
    let f = assert_fails(&run(&base_with("product_version: \"1\", ", "")), "VND-002");
    assert_eq!(f[0].subject, "service:api");
    assert_passes(&run(BASE), "VND-002");
}

#[test]
fn vnd003_vendor_hours_and_gap_plans() {
    let yaml =
        base_with("vendors:\n", "vendors:\n  ext: { kind: external, coverage: biz, response: { urgent: PT1H, high: PT2H }, request_template: std }\n").replace("vendors: [aws]", "vendors: [aws, ext]");
    let f = assert_fails(&run(&yaml), "VND-003");
    assert!(f[0].message.contains("gaps"), "{}", f[0].message);
    let planned = yaml.replace("artifacts: [v, c, l] }", "artifacts: [v, c, l], gap_plan: { mitigation: NOC restores, accepted_by: a, expires: 2027-06-30 } }");
    let r = run(&planned);
    assert_eq!(statuses(&r, "VND-003"), vec![Status::Waived]);
    let w = r.iter().find(|r| r.rule == "VND-003").unwrap();
    assert_eq!(w.waiver.as_ref().unwrap().reason, "NOC restores");
    // A plan expiring inside the horizon leaves the later gaps failing.
    let expiring = planned.replace("expires: 2027-06-30", "expires: 2026-12-01");
    assert_eq!(statuses(&run(&expiring), "VND-003"), vec![Status::Fail, Status::Waived]);
    assert_passes(&run(BASE), "VND-003");
}

#[test]
fn rb001_runbook_exists() {
    let f = assert_fails(&run(&base_with("path: rb.md", "path: missing.md")), "RB-001");
    assert!(f[0].message.contains("missing.md does not exist"));
    assert_passes(&run(BASE), "RB-001");
    assert_eq!(statuses(&run(&base_with("path: rb.md", "path: missing.md")), "RB-002"), vec![Status::Unknown]);
}

#[test]
fn rb002_sections() {
    let f = assert_fails(&run(&base_with("required_sections: [Restore]", "required_sections: [Restore, Rollback]")), "RB-002");
    assert_eq!(f[0].message, "rb.md has no section \"Rollback\"");
    assert_eq!(f[0].location.as_ref().unwrap().path, "runbooks.rb.required_sections[1]");
    assert_passes(&run(&base_with("required_sections: [Restore]", "required_sections: [restore]")), "RB-002");
}

/// The templates of `runbooks/` with the `required_sections` their README declares.
fn runbook_templates() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string("runbooks/README.md").unwrap();
    let rows: Vec<(String, String)> = readme
        .lines()
        .filter(|l| l.starts_with("| [`"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let file = cells[1].split('`').nth(1).unwrap().to_string();
            (file, cells[3].trim_matches('`').to_string())
        })
        .collect();
    assert_eq!(rows.len(), 3, "{readme}");
    rows
}

#[test]
fn rb002_every_runbook_template_passes_with_its_declared_sections() {
    // The templates are named by absolute path, outside the model's directory.
    let outside = runready::rules::Options { allow_outside_root: true, ..options() };
    for (file, sections) in runbook_templates() {
        let path = std::fs::canonicalize(std::path::Path::new("runbooks").join(&file)).unwrap();
        let yaml = base_with("rb: { path: rb.md,", &format!("rb: {{ path: \"{}\",", path.display())).replace("required_sections: [Restore]", &format!("required_sections: {sections}"));
        assert_passes(&run_with(&yaml, &outside), "RB-002");
        // The template's text is what passes: with one section emptied, RB-002 fails.
        let text = std::fs::read_to_string(&path).unwrap();
        let first = sections.trim_matches(['[', ']']).split(", ").next().unwrap().to_string();
        let emptied: String = {
            let start = text.find(&format!("## {first}\n")).unwrap();
            let rest = &text[start + 4 + first.len()..];
            let end = rest.find("\n## ").map_or(text.len(), |e| start + 4 + first.len() + e);
            format!("{}## {first}\n{}", &text[..start], &text[end..])
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(&file), emptied).unwrap();
        let yaml = yaml.replace(&path.display().to_string(), &dir.path().join(&file).display().to_string());
        let f = assert_fails(&run_with(&yaml, &outside), "RB-002");
        assert!(f[0].message.contains(&first), "{file}: {}", f[0].message);
    }
}

#[test]
fn rb003_runbook_freshness() {
    let f = assert_fails(&run(&base_with("rb: { path: rb.md, reviewed: 2026-10-01", "rb: { path: rb.md, reviewed: 2025-10-01")), "RB-003");
    assert!(f[0].message.contains("stale"));
    assert_passes(&run(BASE), "RB-003");
}

#[test]
fn art001_version_config_logs() {
    let f = assert_fails(&run(&base_with("artifacts: [v, c, l]", "artifacts: [v, c]")), "ART-001");
    assert!(f[0].message.contains("logs"));
    assert_passes(&run(BASE), "ART-001");
}

#[test]
fn art002_retrieval() {
    assert_fails(&run(&base_with("v: { kind: version, environment: production, ", "v: { kind: version, ")), "ART-002");
    let f = assert_fails(&run(&base_with("retrieve: { command: x }", "retrieve: { command: x, file: /y }")), "ART-002");
    assert!(f[0].message.contains("2 retrieval methods"));
    assert_fails(&run(&base_with("retrieve: { command: x }, max_retrieval: PT1M", "retrieve: { command: x }")), "ART-002");
    assert_passes(&run(BASE), "ART-002");
}

fn with_waiver(yaml: &str, waiver: &str) -> String {
    format!("{yaml}waivers:\n  - {waiver}\n")
}

#[test]
fn gov001_waivers_are_complete_and_unexpired() {
    let broken = base_with("path: rb.md", "path: missing.md");
    let good = "{ rule: RB-001, subject: runbook:rb, reason: moving, approved_by: lead, expires: 2027-01-31 }";
    let r = run(&with_waiver(&broken, good));
    assert_passes(&r, "GOV-001");
    assert_eq!(statuses(&r, "RB-001"), vec![Status::Waived]);
    let expired = run(&with_waiver(&broken, &good.replace("2027-01-31", "2026-11-22")));
    assert_fails(&expired, "GOV-001");
    assert_eq!(statuses(&expired, "RB-001"), vec![Status::Fail], "an expired waiver waives nothing");
    // The expiry date itself is still covered.
    assert_passes(&run(&with_waiver(&broken, &good.replace("2027-01-31", "2026-11-23"))), "GOV-001");
    assert_fails(&run(&with_waiver(&broken, "{ rule: RB-001, subject: runbook:rb }")), "GOV-001");
    assert_fails(&run(&with_waiver(&broken, &good.replace("RB-001", "RB-999"))), "GOV-001");
    assert_fails(&run(&with_waiver(&broken, &good.replace("runbook:rb", "runbook:nope"))), "GOV-001");
}

#[test]
fn gov002_unused_waivers() {
    let waiver = "{ rule: RB-001, subject: runbook:rb, reason: moving, approved_by: lead, expires: 2027-01-31 }";
    let f = assert_fails(&run(&with_waiver(BASE, waiver)), "GOV-002");
    assert_eq!(f[0].severity, Level::Warning);
    assert_passes(&run(&with_waiver(&base_with("path: rb.md", "path: missing.md"), waiver)), "GOV-002");
    // Not reported when the rule was not evaluated for the subject.
    let unknown = "{ rule: AWS-001, subject: model, reason: later, approved_by: lead, expires: 2027-01-31 }";
    assert_passes(&run(&with_waiver(BASE, unknown)), "GOV-002");
}

#[test]
fn rules_needing_other_inputs_are_unknown_never_pass() {
    let r = run(BASE);
    for id in ["AWS-001", "AWS-002", "AWS-003", "AWS-004", "AWS-005", "DRL-001", "DRL-003", "DRL-004"] {
        assert_eq!(statuses(&r, id), vec![Status::Unknown], "{id}");
    }
    let aws = r.iter().find(|r| r.rule == "AWS-001").unwrap();
    assert_eq!(aws.message, "not evaluated: no facts given");
    let mut opts = options();
    opts.require_facts = true;
    opts.require_journals = true;
    let r = run_with(BASE, &opts);
    assert_eq!(statuses(&r, "AWS-002"), vec![Status::Fail]);
    assert_eq!(statuses(&r, "DRL-001"), vec![Status::Fail]);
}

#[test]
fn the_base_model_passes_every_time_rule() {
    let r = run(BASE);
    for id in ["COV-001", "COV-002", "COV-003", "COV-004", "COV-005", "ESC-002", "ESC-003", "ESC-004"] {
        assert_passes(&r, id);
    }
}

const WEEKDAYS_ONLY: &str = "handoff: P1W, restrictions: [{ days: [mon, tue, wed, thu, fri], from: \"09:00\", to: \"17:00\" }] }";

#[test]
fn cov001_gaps_in_required_coverage() {
    let yaml = base_with("handoff: P1W }", WEEKDAYS_ONLY);
    let f = assert_fails(&run(&yaml), "COV-001");
    // --at is Monday 10:00 UTC: the first gap opens at 17:00.
    assert!(f[0].message.contains("first Mon 2026-11-23 17:00 UTC → Tue 2026-11-24 09:00 UTC"), "{}", f[0].message);
    assert!(f[0].message.contains("step 1 (rotation:primary) reaches nobody (nobody on duty in rotation primary), waits 5m; step 2 (contact:noc) reaches noc by voice at +5m"), "{}", f[0].message);
    assert!(f[0].location.as_ref().unwrap().path.ends_with("steps[0].notify"));
    // The noc fallback does not close a gap; a gap plan waives it until it expires.
    let planned = yaml.replace("artifacts: [v, c, l] }", "artifacts: [v, c, l], gap_plan: { mitigation: NOC covers nights, accepted_by: a, expires: 2027-06-30 } }");
    assert_eq!(statuses(&run(&planned), "COV-001"), vec![Status::Waived]);
    // Required coverage of office hours only: the weekday rotation covers it.
    let office = yaml
        .replace("critical: { availability: always, required_coverage: always }", "critical: { availability: always, required_coverage: biz }")
        .replace("from: \"09:00\", to: \"17:00\"", "from: \"08:00\", to: \"18:00\"");
    let r = run(&office.replace("calendars:\n  biz: { timezone: Europe/London", "calendars:\n  biz: { timezone: UTC"));
    assert_passes(&r, "COV-001");
}

#[test]
fn cov001_personal_holidays_open_gaps() {
    let yaml = base_with("{ id: a, kind: person,", "{ id: a, kind: person, holidays: [uk],");
    let f = assert_fails(&run(&yaml), "COV-001");
    assert!(f[0].message.contains("Fri 2026-12-25 00:00 UTC → Sat 2026-12-26 00:00 UTC"), "{}", f[0].message);
    assert!(f[0].message.contains("a on holiday"), "{}", f[0].message);
    // An override by someone who is working closes it.
    let covered = yaml
        .replace("handoff: P1W }", "handoff: P1W, overrides: [{ from: 2026-12-25T00:00, to: 2026-12-26T00:00, member: b }] }")
        .replace("contacts:\n", "contacts:\n  - { id: b, kind: person, channels: [{ type: sms, address: \"3\" }] }\n");
    let r = run(&covered);
    assert_passes(&r, "COV-001");
    assert_passes(&r, "COV-004");
}

#[test]
fn cov002_rotation_size_and_stretches() {
    let f = assert_fails(&run(&base_with("required_coverage: always }", "required_coverage: always, min_rotation_members: 2 }")), "COV-002");
    assert!(f[0].message.contains("has 1 member(s)"), "{}", f[0].message);
    // One member on a weekly rotation is on duty for the whole horizon.
    let f = assert_fails(&run(&base_with("required_coverage: always }", "required_coverage: always, max_consecutive_oncall: P7D }")), "COV-002");
    assert!(f[0].message.contains("a is on duty for"), "{}", f[0].message);
    // Two members taking weekly turns stay within P7D, even across a DST change.
    let two = base_with("required_coverage: always }", "required_coverage: always, min_rotation_members: 2, max_consecutive_oncall: P7D }")
        .replace("members: [a]", "members: [a, b]")
        .replace("timezone: UTC, members", "timezone: America/New_York, members")
        .replace("contacts:\n", "contacts:\n  - { id: b, kind: person, channels: [{ type: sms, address: \"3\" }] }\n");
    let mut opts = options();
    opts.at = "2026-10-20T00:00:00Z".parse().unwrap();
    assert_passes(&run_with(&two, &opts), "COV-002");
}

#[test]
fn cov003_dst_boundaries() {
    // A daily hand-over at 02:30 in New York does not exist on 2027-03-14.
    let yaml =
        base_with("primary: { timezone: UTC, members: [a], start: 2026-01-05T09:00, handoff: P1W }", "primary: { timezone: America/New_York, members: [a], start: 2026-01-05T02:30, handoff: P1D }");
    let mut opts = options();
    opts.at = "2027-03-01T00:00:00Z".parse().unwrap();
    let f = assert_fails(&run_with(&yaml, &opts), "COV-003");
    assert_eq!(f[0].subject, "rotation:primary");
    assert!(f[0].message.contains("turn start 2027-03-14 02:30 does not exist"), "{}", f[0].message);
    // 01:30 occurs twice on 2026-11-01.
    let fold = yaml.replace("T02:30", "T01:30");
    opts.at = "2026-10-25T00:00:00Z".parse().unwrap();
    let f = assert_fails(&run_with(&fold, &opts), "COV-003");
    assert!(f[0].message.contains("turn start 2026-11-01 01:30 occurs twice"), "{}", f[0].message);
    // Calendar windows too, with their zone: Lord Howe moves by 30 minutes.
    let lh = base_with("calendars:\n", "calendars:\n  night: { timezone: Australia/Lord_Howe, weekly: [{ days: [sun], from: \"02:15\", to: \"06:00\" }] }\n");
    opts.at = "2026-09-28T00:00:00Z".parse().unwrap();
    let f = assert_fails(&run_with(&lh, &opts), "COV-003");
    assert_eq!(f[0].subject, "calendar:night");
    assert!(f[0].message.contains("2026-10-04 02:15 does not exist"), "{}", f[0].message);
    assert_passes(&run_with(&yaml.replace("T02:30", "T09:00"), &opts), "COV-003");
}

#[test]
fn cov004_on_duty_on_own_holiday() {
    let f = assert_fails(&run(&base_with("{ id: a, kind: person,", "{ id: a, kind: person, holidays: [uk],")), "COV-004");
    assert_eq!(f[0].severity, Level::Warning);
    assert!(f[0].message.contains("a on Fri 2026-12-25 00:00 UTC"), "{}", f[0].message);
}

#[test]
fn cov005_declared_versus_staffed() {
    let f = assert_fails(&run(&base_with("artifacts: [v, c, l] }", "artifacts: [v, c, l], coverage: biz }")), "COV-005");
    assert!(f[0].message.contains("staffed but not declared"), "{}", f[0].message);
    assert_passes(&run(&base_with("artifacts: [v, c, l] }", "artifacts: [v, c, l], coverage: always }")), "COV-005");
    // Holidays aside: a weekday rotation declared as office hours (holidays excluded).
    let office = base_with("handoff: P1W }", "handoff: P1W, restrictions: [{ days: [mon, tue, wed, thu, fri], from: \"08:00\", to: \"18:00\" }] }")
        .replace("{ id: a, kind: person,", "{ id: a, kind: person, holidays: [uk],")
        .replace("biz: { timezone: Europe/London", "biz: { timezone: UTC")
        .replace("artifacts: [v, c, l] }", "artifacts: [v, c, l], coverage: biz }");
    assert_passes(&run(&office), "COV-005");
}

#[test]
fn esc002_time_to_engage() {
    // The on-call person's phone only rings after 20 minutes: sev1 wants 15.
    let slow = base_with(
        "{ id: a, kind: person, channels: [{ type: sms, address: \"1\" }] }",
        "{ id: a, kind: person, channels: [{ type: sms, address: \"1\" }], notification_rules: [{ after: PT20M, channel: sms }] }",
    )
    .replace("timeout: PT5M", "timeout: PT30M");
    let f = assert_fails(&run(&slow), "ESC-002");
    assert!(f[0].message.starts_with("sev1: worst time to engage is 20m, longer than acknowledge 15m"), "{}", f[0].message);
    assert_eq!(f[0].evidence["worst_seconds"], 1200);
    // sev2 (30m) holds.
    assert!(run(&slow).iter().any(|r| r.rule == "ESC-002" && r.status == Status::Pass && r.message.starts_with("sev2")));
    assert_passes(&run(BASE), "ESC-002");
}

#[test]
fn esc002_business_hours_clock() {
    // sev2 runs on office hours (UTC): an incident at Friday 18:00 is engaged at once,
    // so the clock never runs; a slow engagement counts only office time.
    let yaml = base_with("{ id: sev2, aws_severity: high,", "{ id: sev2, aws_severity: high, clock: biz,")
        .replace("biz: { timezone: Europe/London", "biz: { timezone: UTC")
        .replace("required_coverage: always }", "required_coverage: biz }");
    assert!(run(&yaml).iter().any(|r| r.rule == "ESC-002" && r.status == Status::Pass && r.message.starts_with("sev2: worst time to engage 0m")));
}

#[test]
fn esc003_timeout_before_the_phone_rings() {
    let yaml = base_with(
        "{ id: a, kind: person, channels: [{ type: sms, address: \"1\" }] }",
        "{ id: a, kind: person, channels: [{ type: sms, address: \"1\" }], notification_rules: [{ after: PT10M, channel: sms }] }",
    );
    let f = assert_fails(&run(&yaml), "ESC-003");
    assert!(f[0].message.contains("step 1 times out after 5m, but a is first interrupted at +10m"), "{}", f[0].message);
    let email_only = base_with("{ id: a, kind: person, channels: [{ type: sms, address: \"1\" }] }", "{ id: a, kind: person, channels: [{ type: email, address: \"a@x\" }] }");
    assert_fails(&run(&email_only), "ESC-003");
    assert_passes(&run(BASE), "ESC-003");
}

#[test]
fn esc004_escalating_to_yourself() {
    let f = assert_fails(&run(&base_with("notify: [contact:noc]", "notify: [contact:a]")), "ESC-004");
    assert!(f[0].message.contains("steps 1 and 2 both page only a"), "{}", f[0].message);
    assert_passes(&run(BASE), "ESC-004");
}

#[test]
fn drl002_drill_windows() {
    let drill = |window: &str| {
        format!("{BASE}drills:\n  - {{ id: d, kind: process_test, services: [api], every: P30D, window: {window}, steps: [{{ vendor_case: aws }}], safety: {{ max_duration: PT2H }} }}\n")
    };
    assert_passes(&run(&drill("{ within: biz }")), "DRL-002");
    let frozen = drill("{ within: biz, not_during: [freeze] }").replace("calendars:\n", "calendars:\n  freeze: { ranges: [{ from: 2026-11-01T00:00:00Z, to: 2027-01-01T00:00:00Z }] }\n");
    let f = assert_fails(&run(&frozen), "DRL-002");
    assert!(f[0].message.contains("no window of 2h fits"), "{}", f[0].message);
    let short = drill("{ within: slot }").replace("calendars:\n", "calendars:\n  slot: { timezone: UTC, weekly: [{ days: [tue], from: \"09:00\", to: \"10:00\" }] }\n");
    assert_fails(&run(&short), "DRL-002");
}

#[test]
fn rule_overrides_change_severity_or_switch_off() {
    let yaml = format!(
        "{}rule_overrides:\n  SM-003: {{ enabled: false }}\n  RB-001: {{ severity: warning }}\n",
        base_with("path: rb.md", "path: missing.md").replace("reviewed: 2026-10-01, review_interval", "reviewed: 2020-01-01, review_interval")
    );
    let r = run(&yaml);
    assert!(statuses(&r, "SM-003").is_empty());
    assert_eq!(fails(&r, "RB-001")[0].severity, Level::Warning);
}

#[test]
fn service_filter_keeps_the_services_and_what_they_use() {
    let two = base_with("services:\n", "services:\n  - { id: other, tier: critical, escalation: main, vendors: [aws], runbooks: [rb2], artifacts: [v, c, l] }\n")
        .replace("runbooks:\n", "runbooks:\n  rb2: { path: missing.md }\n");
    let mut opts = options();
    opts.services = vec!["api".into()];
    let r = run_with(&two, &opts);
    assert!(r.iter().all(|r| r.subject != "service:other" && r.subject != "runbook:rb2"));
    assert!(r.iter().any(|r| r.subject == "service:api"));
    assert!(r.iter().any(|r| r.subject == "runbook:rb"));
}
