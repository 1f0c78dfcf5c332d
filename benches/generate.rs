//! Writes a large, valid support model for benchmarks: `services` services, `rotations`
//! rotations across six time zones, two runbook files per service, split over files the
//! way a big organisation would keep them. Shared by the `gen-model` example and the
//! `check` bench.

use std::fmt::Write as _;
use std::path::Path;

pub struct Size {
    pub services: usize,
    pub rotations: usize,
    pub runbooks_per_service: usize,
    /// Switch the static rules off (rule_overrides), to time the timeline rules alone.
    pub time_rules_only: bool,
    /// Express each rotation as a 3-layer schedule (paging.md): the daytime rotation, a
    /// nights layer and a weekend layer above it, paged as `schedule:sched-N`.
    pub layered: bool,
    /// Opt the critical tier into COV-006 (N-1); off by default, so that the scale figures
    /// keep measuring what they measured.
    pub n_minus_one: bool,
}

const STATIC_RULES: [&str; 20] = [
    "SM-001", "SM-002", "SM-003", "SEV-001", "SEV-002", "SEV-003", "SEV-004", "ESC-001", "ESC-005", "ESC-006", "VND-001", "VND-002", "VND-003", "RB-001", "RB-002", "RB-003", "ART-001", "ART-002",
    "GOV-001", "GOV-002",
];

const ZONES: [&str; 6] = ["Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "America/Los_Angeles", "Asia/Kolkata"];

pub fn generate(dir: &Path, size: &Size) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("runbooks"))?;
    std::fs::create_dir_all(dir.join("services"))?;
    let mut core = String::from("apiVersion: runready.dev/v1\nkind: SupportModel\nmetadata: { name: generated, reviewed: 2026-10-01, review_interval: P365D }\n");
    core.push_str("holidays:\n  uk: [2026-12-25, 2026-12-28, 2027-01-01]\n  us: [2026-11-26, 2026-12-25, 2027-01-01]\ncalendars:\n");
    for (i, z) in ZONES.iter().enumerate() {
        let _ = writeln!(core, "  biz-{i}: {{ timezone: {z}, weekly: [{{ days: [mon, tue, wed, thu, fri], from: \"08:00\", to: \"18:00\" }}], exclude_holidays: [uk] }}");
    }
    let n1 = if size.n_minus_one { ", n_minus_one: true" } else { "" };
    core.push_str(&format!("tiers:\n  critical: {{ availability: always, required_coverage: always, min_rotation_members: 3{n1} }}\n"));
    core.push_str("  internal: { availability: always, required_coverage: biz-0 }\n");
    core.push_str("severities:\n  - { id: sev1, aws_severity: urgent, targets: { acknowledge: PT15M, engage_vendor: PT30M, restore: PT4H } }\n  - { id: sev2, aws_severity: high, targets: { acknowledge: PT30M, engage_vendor: PT1H, restore: P1D } }\n  - { id: sev3, aws_severity: normal, targets: { acknowledge: PT4H, restore: P3D } }\n");
    core.push_str("vendors:\n  aws: { kind: aws_support, plan: business, request_template: std }\n");
    for v in 0..10 {
        let _ = writeln!(core, "  ext-{v}: {{ kind: external, coverage: biz-{}, response: {{ urgent: PT1H, high: PT2H, normal: P1D }}, request_template: std }}", v % ZONES.len());
    }
    core.push_str("request_templates:\n  std: { required_fields: [product_version, impact, observed_behavior, expected_behavior], body: \"{{ impact }}\" }\n");
    if size.time_rules_only {
        core.push_str("rule_overrides:\n");
        for r in STATIC_RULES {
            let _ = writeln!(core, "  {r}: {{ enabled: false }}");
        }
    }
    std::fs::write(dir.join("core.yaml"), core)?;

    let mut team = String::from("apiVersion: runready.dev/v1\nkind: SupportModel\ncontacts:\n  - { id: noc, kind: team, always_reachable: true, channels: [{ type: voice, address: \"0\" }] }\n");
    let mut rotations = String::from("rotations:\n");
    let mut escalations = String::from("escalations:\n");
    let mut schedules = String::from("schedules:\n");
    for r in 0..size.rotations {
        let zone = ZONES[r % ZONES.len()];
        let members: Vec<String> = (0..4).map(|m| format!("p{r}-{m}")).collect();
        let holidays = if r % 2 == 0 { "uk" } else { "us" };
        for m in &members {
            let _ = writeln!(team, "  - {{ id: {m}, kind: person, timezone: {zone}, holidays: [{holidays}], channels: [{{ type: sms, address: \"+1-555-{r:04}\" }}] }}");
        }
        // Daytime restrictions and a second rotation in step 2 give the walk real structure.
        let _ = writeln!(
            rotations,
            "  rot-{r}: {{ timezone: {zone}, members: [{}], start: 2026-01-05T09:00, handoff: P1W, restrictions: [{{ days: [mon, tue, wed, thu, fri, sat, sun], from: \"07:00\", to: \"21:00\" }}] }}",
            members.join(", ")
        );
        let next = (r + 1) % size.rotations;
        let kind = if size.layered { "schedule:sched" } else { "rotation:rot" };
        if size.layered {
            let reversed: Vec<String> = members.iter().rev().cloned().collect();
            let _ = writeln!(
                rotations,
                "  rot-{r}-nights: {{ timezone: {zone}, members: [{}], start: 2026-01-05T21:00, handoff: P1D, restrictions: [{{ days: [mon, tue, wed, thu, fri, sat, sun], from: \"21:00\", to: \"07:00\" }}] }}",
                reversed.join(", ")
            );
            let _ = writeln!(
                rotations,
                "  rot-{r}-weekend: {{ timezone: {zone}, members: [{}, {}], start: 2026-01-03T09:00, handoff: P1W, restrictions: [{{ days: [sat, sun], from: \"09:00\", to: \"17:00\" }}] }}",
                members[0], members[2]
            );
            let _ = writeln!(schedules, "  sched-{r}: {{ timezone: {zone}, layers: [rot-{r}, rot-{r}-nights, rot-{r}-weekend] }}");
        }
        let _ = writeln!(
            escalations,
            "  esc-{r}:\n    steps:\n      - {{ notify: [{kind}-{r}], timeout: PT5M }}\n      - {{ notify: [{kind}-{next}], timeout: PT5M }}\n      - {{ notify: [contact:noc], timeout: PT10M, vendor_case: aws }}\n    final_fallback: contact:noc"
        );
    }
    let schedules = if size.layered { schedules } else { String::new() };
    std::fs::write(dir.join("team.yaml"), team + &rotations + &schedules + &escalations)?;

    let chunk = 100;
    for start in (0..size.services).step_by(chunk) {
        let mut text = String::from("apiVersion: runready.dev/v1\nkind: SupportModel\nrunbooks:\n");
        let end = (start + chunk).min(size.services);
        for s in start..end {
            for k in 0..size.runbooks_per_service {
                let _ = writeln!(text, "  rb-{s}-{k}: {{ path: ../runbooks/rb-{s}-{k}.md, reviewed: 2026-10-01, max_age: P180D, required_sections: [Summary, Restore, Escalation] }}");
                std::fs::write(
                    dir.join(format!("runbooks/rb-{s}-{k}.md")),
                    format!("# Service {s} runbook {k}\n\n## Summary\n\nWhat breaks.\n\n## Restore\n\n1. Restart.\n2. Verify.\n\n## Escalation\n\nPage the rotation.\n"),
                )?;
            }
        }
        text.push_str("artifacts:\n");
        for s in start..end {
            for (kind, how) in [("version", "{ http: { url: \"https://svc.example/version\" } }"), ("config", "{ file: /etc/svc.yaml }"), ("logs", "{ command: \"tail -n 100 /var/log/svc.log\" }")] {
                let _ = writeln!(text, "  {kind}-{s}: {{ kind: {kind}, environment: production, retrieve: {how}, max_retrieval: PT1M }}");
            }
        }
        text.push_str("services:\n");
        for s in start..end {
            let runbooks: Vec<String> = (0..size.runbooks_per_service).map(|k| format!("rb-{s}-{k}")).collect();
            let tier = if s % 5 == 0 { "internal" } else { "critical" };
            let _ = writeln!(
                text,
                "  - {{ id: svc-{s}, tier: {tier}, owner: team-{}, product_version: \"1.{s}\", escalation: esc-{}, coverage: always, vendors: [aws, ext-{}], runbooks: [{}], artifacts: [version-{s}, config-{s}, logs-{s}], gap_plan: {{ mitigation: NOC restores, accepted_by: noc, expires: 2027-06-30 }} }}",
                s % 50,
                s % size.rotations.max(1),
                s % 10,
                runbooks.join(", ")
            );
        }
        std::fs::write(dir.join(format!("services/services-{start:04}.yaml")), text)?;
    }
    Ok(())
}
