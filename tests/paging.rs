//! paging.md's model additions through the rules: layered schedules, `active_from`/
//! `active_until`, round-robin steps, urgency, ESC-001 without a fallback; a failing and a
//! passing case each (the minute-by-minute agreement is tests/time_oracle.rs).

mod common;
use common::*;

/// The base model with person `b`, rotations `weekday` (a, Mon–Fri 09–17 London) and
/// `base` (b, always), and a schedule `s` of `layers` whose first step pages it.
fn with_schedule(layers: &str, schedule_extra: &str) -> String {
    base_with("  - { id: noc,", "  - { id: b, kind: person, channels: [{ type: sms, address: \"3\" }] }\n  - { id: noc,")
        .replace(
            "  primary: { timezone: UTC, members: [a], start: 2026-01-05T09:00, handoff: P1W }\n",
            &format!(
                "  primary: {{ timezone: UTC, members: [a], start: 2026-01-05T09:00, handoff: P1W }}\n  weekday: {{ timezone: Europe/London, members: [a], start: 2026-01-05T09:00, handoff: P1W, restrictions: [{{ days: [mon, tue, wed, thu, fri], from: \"09:00\", to: \"17:00\" }}] }}\n  base: {{ timezone: UTC, members: [b], start: 2026-01-05T00:00, handoff: P1W }}\nschedules:\n  s: {{ timezone: Europe/London, layers: [{layers}]{schedule_extra} }}\n"
            ),
        )
        .replace("- { notify: [rotation:primary], timeout: PT5M }", "- { notify: [schedule:s], timeout: PT5M }")
}

#[test]
fn a_lower_layer_shows_through_where_the_higher_has_nobody() {
    // `weekday` alone leaves nights and weekends to nobody.
    let r = run(&with_schedule("weekday", ""));
    let f = assert_fails(&r, "COV-001");
    assert!(f[0].message.contains("nobody on duty in schedule s"), "{}", f[0].message);
    let walk = r.iter().find(|x| x.rule == "ESC-002").unwrap();
    assert!(walk.message.contains("(schedule:s via layer weekday)") || walk.message.contains("(schedule:s)"), "{}", walk.message);
    // With `base` below it, someone is always on duty.
    assert_passes(&run(&with_schedule("base, weekday", "")), "COV-001");
}

#[test]
fn a_schedule_override_is_above_every_layer() {
    // c is email only: during the override the first step interrupts nobody.
    let yaml = with_schedule("base, weekday", ", overrides: [{ from: 2026-11-24T00:00, to: 2026-11-25T00:00, member: c }]")
        .replace("  - { id: noc,", "  - { id: c, kind: person, channels: [{ type: email, address: \"c@x\" }] }\n  - { id: noc,");
    let f = assert_fails(&run(&yaml), "COV-001");
    assert!(f[0].message.contains("c has no interruptive channel"), "{}", f[0].message);
    // Causes name the layer (or override) on duty.
    assert!(f[0].message.contains("step 1 (schedule:s via an override)"), "{}", f[0].message);
    assert!(f[0].message.contains("Tue 2026-11-24 00:00 UTC"), "{}", f[0].message);
}

#[test]
fn a_layer_ends_at_active_until() {
    let yaml = with_schedule("base", "").replace(
        "base: { timezone: UTC, members: [b], start: 2026-01-05T00:00, handoff: P1W }",
        "base: { timezone: UTC, members: [b], start: 2026-01-05T00:00, handoff: P1W, active_until: 2026-11-26T12:00 }",
    );
    let f = assert_fails(&run(&yaml), "COV-001");
    assert!(f[0].message.contains("at Thu 2026-11-26 12:00 UTC"), "{}", f[0].message);
    // `active_from` before the horizon changes nothing.
    let yaml = with_schedule("base", "").replace("handoff: P1W }\nschedules", "handoff: P1W, active_from: 2026-02-01T00:00 }\nschedules");
    assert_passes(&run(&yaml), "COV-001");
}

#[test]
fn a_round_robin_step_counts_its_worst_target() {
    // lead is first interrupted at +4m: paging both, a answers at once; round robin may
    // page only lead.
    let both = base_with("  - { id: noc,", "  - { id: lead, kind: person, channels: [{ type: sms, address: \"9\" }], notification_rules: [{ after: PT4M, channel: sms }] }\n  - { id: noc,")
        .replace("- { notify: [rotation:primary], timeout: PT5M }", "- { notify: [rotation:primary, contact:lead], timeout: PT5M }")
        .replace("targets: { acknowledge: PT15M,", "targets: { acknowledge: PT2M,");
    assert!(statuses(&run(&both), "ESC-002").contains(&runready::rules::Status::Pass));
    let rr = both.replace("timeout: PT5M }", "timeout: PT5M, assignment: round_robin }");
    let f = assert_fails(&run(&rr), "ESC-002");
    assert!(f[0].message.starts_with("sev1: worst time to engage is 4m, longer than acknowledge 2m"), "{}", f[0].message);
}

#[test]
fn low_urgency_outside_support_hours_can_leave_a_gap() {
    // a's phone rings only at high urgency; outside biz hours the service pages at low.
    let yaml = base_with("  - { id: a, kind: person, channels: [{ type: sms, address: \"1\" }] }", "  - { id: a, kind: person, channels: [{ type: sms, address: \"1\" }, { type: email, address: \"a@x\" }], notification_rules: [{ after: PT0M, channel: sms, urgency: high }, { after: PT0M, channel: email, urgency: low }] }")
        .replace("vendors: [aws], runbooks: [rb], artifacts: [v, c, l] }", "vendors: [aws], runbooks: [rb], artifacts: [v, c, l], urgency: { support_hours: biz, outside: low } }");
    let r = run(&yaml);
    let f = assert_fails(&r, "COV-001");
    assert!(f[0].message.contains("at low urgency (service urgency outside biz)"), "{}", f[0].message);
    assert!(f[0].message.contains("a is paged at low urgency, and a's low-urgency rules use no interruptive channel"), "{}", f[0].message);
    // The same rules with a service that pages at high urgency at all hours: no gap.
    let high = yaml.replace("urgency: { support_hours: biz, outside: low }", "urgency: { support_hours: biz, outside: high }");
    assert_passes(&run(&high), "COV-001");
    // A severity of low urgency pages at low urgency without a service rule.
    let low_sev = yaml.replace(", urgency: { support_hours: biz, outside: low }", "").replace("aws_severity: urgent,", "aws_severity: urgent, urgency: low,");
    let f = assert_fails(&run(&low_sev), "COV-001");
    assert!(f[0].message.contains("(for sev1 only)") && f[0].message.contains("severity sev1 pages at low urgency"), "{}", f[0].message);
}

#[test]
fn esc001_fails_without_a_fallback_and_passes_with_an_always_staffed_schedule() {
    let none = base_with("    final_fallback: contact:noc\n", "    source: pagerduty:escalation_policy/PEP1\n");
    let f = assert_fails(&run(&none), "ESC-001");
    assert_eq!(f[0].message, "escalation `main` has no `final_fallback` (imported from pagerduty:escalation_policy/PEP1; PagerDuty has no final fallback): after the last pass nobody more is paged");
    let to_schedule = with_schedule("base, weekday", "").replace("final_fallback: contact:noc", "final_fallback: schedule:s");
    let r = run(&to_schedule);
    assert!(r.iter().any(|x| x.rule == "ESC-001" && x.status == runready::rules::Status::Pass && x.message.contains("schedule:s")), "{r:#?}");
}

#[test]
fn a_layer_that_does_not_exist_is_sm001_and_a_schedule_without_layers_does_not_load() {
    let f = assert_fails(&run(&with_schedule("base, nope", "")), "SM-001");
    assert!(f.iter().any(|x| x.message.contains("rotation `nope`")), "{f:#?}");
    let l = runready::load::load_str("m.yaml", &with_schedule("", ""));
    assert!(l.diagnostics.iter().any(|d| d.message == "schedule `s` has no layers" && d.location.as_ref().is_some_and(|l| l.line > 1)), "{:#?}", l.diagnostics);
    let bad = BASE.replace("handoff: P1W }", "handoff: P1W, active_from: 2026-12-01T00:00, active_until: 2026-11-01T00:00 }");
    let l = runready::load::load_str("m.yaml", &bad);
    assert!(l.diagnostics.iter().any(|d| d.message.contains("`active_until` (2026-11-01T00:00) is not after `active_from` (2026-12-01T00:00)")), "{:#?}", l.diagnostics);
}

#[test]
fn a_rotation_that_is_only_a_layer_is_judged_by_the_final_schedule() {
    // a is on holiday on the 25th in `weekday`, but `base`... is the higher layer here, so
    // a is never on duty in the final schedule: no COV-004 clash.
    let yaml = with_schedule("weekday, base", "").replace("  - { id: a, kind: person, channels", "  - { id: a, kind: person, holidays: [uk], channels");
    let r = run(&yaml);
    assert!(r.iter().any(|x| x.rule == "COV-004" && x.subject == "rotation:weekday" && x.message.starts_with("a layer of schedule s")), "{r:#?}");
    assert!(r.iter().any(|x| x.rule == "COV-004" && x.subject == "schedule:s" && x.status == runready::rules::Status::Pass));
    // With `weekday` on top, a is on duty on the 25th (a Friday) in the final schedule.
    let yaml = with_schedule("base, weekday", "").replace("  - { id: a, kind: person, channels", "  - { id: a, kind: person, holidays: [uk], channels");
    let r = run(&yaml);
    assert!(r.iter().any(|x| x.rule == "COV-004" && x.subject == "schedule:s" && x.status == runready::rules::Status::Fail && x.message.contains("a on Fri 2026-12-25")), "{r:#?}");
}

#[test]
fn a_schedule_target_that_does_not_exist_is_sm001_with_its_location() {
    let yaml = base_with("- { notify: [rotation:primary], timeout: PT5M }", "- { notify: [schedule:nope], timeout: PT5M }");
    let f = assert_fails(&run(&yaml), "SM-001");
    let hit = f.iter().find(|x| x.message.contains("schedule:nope")).unwrap_or_else(|| panic!("{f:#?}"));
    assert!(hit.location.as_ref().is_some_and(|l| l.path.contains("steps[0].notify[0]") || l.line > 1), "{hit:#?}");
    // The walk reaches nobody through it.
    assert_fails(&run(&yaml), "COV-001");
}
