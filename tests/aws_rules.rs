//! AWS-001..AWS-005 on facts snapshots: one failing and one passing case per rule, and the
//! mapping of facts onto services by account, region and AWS service code.

mod common;
use common::*;
use runready::facts::{Facts, FlaggedResource, HealthEvent, Recommendation, Source, SourceKind, SourceStatus, SupportPlan};
use runready::model::Instant;
use runready::rules::Status;

const ACCOUNT: &str = "111122223333";

/// The base model with an AWS account on the vendor and an `aws` scope on the service.
fn model() -> String {
    base_with("aws: { kind: aws_support, plan: business,", "aws: { kind: aws_support, accounts: [\"111122223333\"], plan: business,")
        .replace("artifacts: [v, c, l] }", "artifacts: [v, c, l], aws: { accounts: [\"111122223333\"], regions: [eu-west-1], services: [EC2, RDS] } }")
}

fn t(s: &str) -> Instant {
    s.parse().unwrap()
}

fn source(kind: SourceKind, status: SourceStatus) -> Source {
    Source { source: kind, account: ACCOUNT.into(), region: Some("us-east-1".into()), api: "test".into(), collected_at: t("2026-11-23T09:00:00Z"), status, message: None }
}

/// Facts in which everything is fine: every source answered, nothing is wrong.
fn healthy() -> Facts {
    let mut f = Facts::new(t("2026-11-23T09:00:00Z").0);
    f.sources = vec![source(SourceKind::TrustedAdvisor, SourceStatus::Ok), source(SourceKind::Health, SourceStatus::Ok), source(SourceKind::SupportPlan, SourceStatus::Ok)];
    f.support_plans = vec![SupportPlan { account: ACCOUNT.into(), severity_levels: ["low", "normal", "high", "urgent"].map(String::from).to_vec() }];
    f.recommendations = vec![rec("ok", "ec2", "fault_tolerance", Some("eu-west-1"))];
    f
}

fn rec(status: &str, service: &str, pillar: &str, region: Option<&str>) -> Recommendation {
    Recommendation {
        account: ACCOUNT.into(),
        check: "Qch7DwouX1".into(),
        recommendation_id: Some("8b602b6f-452d-4cb2-8a9e-c7650955d9cd".into()),
        name: "Amazon EBS Snapshots".into(),
        pillars: vec![pillar.into()],
        status: status.into(),
        aws_services: vec![service.into()],
        last_updated: None,
        resources: vec![FlaggedResource { id: "vol-1".into(), region: region.map(String::from), status: status.into() }],
    }
}

fn event(category: &str, service: &str, region: &str, start: &str, end: Option<&str>) -> HealthEvent {
    HealthEvent {
        arn: format!("arn:aws:health:{region}::event/{service}/AWS_{service}_X/1"),
        account: ACCOUNT.into(),
        service: service.into(),
        event_type_code: format!("AWS_{service}_OPERATIONAL_ISSUE"),
        category: category.into(),
        region: Some(region.into()),
        status: "open".into(),
        start_time: Some(t(start)),
        end_time: end.map(t),
        last_updated: None,
        description: Some("We are investigating.".into()),
        affected_entities: vec![],
    }
}

fn run_facts(yaml: &str, facts: Facts) -> Vec<runready::rules::RuleResult> {
    let mut opts = options();
    opts.facts = Some(facts);
    run_with(yaml, &opts)
}

#[test]
fn healthy_facts_pass_every_aws_rule() {
    let r = run_facts(&model(), healthy());
    for id in ["AWS-001", "AWS-002", "AWS-003", "AWS-004", "AWS-005"] {
        assert_passes(&r, id);
    }
}

#[test]
fn without_facts_the_aws_rules_are_unknown_or_required() {
    let r = run(&model());
    assert_eq!(statuses(&r, "AWS-001"), vec![Status::Unknown]);
    let mut opts = options();
    opts.require_facts = true;
    assert_eq!(statuses(&run_with(&model(), &opts), "AWS-002"), vec![Status::Fail]);
}

#[test]
fn aws001_error_recommendations_of_the_service() {
    let mut f = healthy();
    f.recommendations.push(rec("error", "ec2", "fault_tolerance", Some("eu-west-1")));
    let r = run_facts(&model(), f.clone());
    let fails = assert_fails(&r, "AWS-001");
    assert_eq!(fails[0].subject, "service:api/check:Qch7DwouX1");
    assert!(fails[0].message.contains("vol-1 (eu-west-1)"), "{}", fails[0].message);
    assert!(fails[0].location.as_ref().unwrap().path.ends_with("aws"));
    // Another region, another AWS service, another pillar or a warning: not this service's.
    for other in [
        rec("error", "ec2", "fault_tolerance", Some("us-west-2")),
        rec("error", "lambda", "fault_tolerance", None),
        rec("error", "ec2", "security", None),
        rec("warning", "ec2", "service_limits", None),
    ] {
        let mut g = healthy();
        g.recommendations.push(other.clone());
        assert_passes(&run_facts(&model(), g), "AWS-001");
    }
    // Waivable per check, or per recommendation id.
    for subject in ["service:api/check:Qch7DwouX1", "service:api/check:8b602b6f-452d-4cb2-8a9e-c7650955d9cd"] {
        let waived = model() + &format!("waivers:\n  - {{ rule: AWS-001, subject: \"{subject}\", reason: known, approved_by: a, expires: 2027-01-31 }}\n");
        let r = run_facts(&waived, f.clone());
        assert_eq!(r.iter().filter(|x| x.rule == "AWS-001" && x.status == Status::Waived).count(), 1, "{subject}");
        assert_passes(&r, "GOV-002");
    }
}

#[test]
fn aws001_unavailable_trusted_advisor_is_not_a_pass() {
    let mut f = healthy();
    f.sources[0].status = SourceStatus::SubscriptionRequired;
    let r = run_facts(&model(), f.clone());
    assert_eq!(statuses(&r, "AWS-001"), vec![Status::Unknown]);
    f.sources[0].status = SourceStatus::Error;
    f.sources[0].message = Some("timed out".into());
    let r = run_facts(&model(), f);
    let e: Vec<_> = r.iter().filter(|x| x.rule == "AWS-001").collect();
    assert_eq!(e[0].status, Status::Error);
    assert!(e[0].message.contains("timed out"));
}

#[test]
fn aws002_open_issue_at_the_instant() {
    let mut f = healthy();
    f.health_events.push(event("issue", "EC2", "eu-west-1", "2026-11-23T08:00:00Z", None));
    let fails = assert_fails(&run_facts(&model(), f), "AWS-002");
    assert!(fails[0].subject.starts_with("service:api/event:arn:aws:health:eu-west-1"));
    assert!(fails[0].message.contains("AWS_EC2_OPERATIONAL_ISSUE"), "{}", fails[0].message);
    // Ended before --at, starting after it, in another region or service: not open for the service.
    for e in [
        event("issue", "EC2", "eu-west-1", "2026-11-23T07:00:00Z", Some("2026-11-23T09:30:00Z")),
        event("issue", "EC2", "eu-west-1", "2026-11-23T11:00:00Z", None),
        event("issue", "EC2", "us-east-1", "2026-11-23T08:00:00Z", None),
        event("issue", "LAMBDA", "eu-west-1", "2026-11-23T08:00:00Z", None),
    ] {
        let mut g = healthy();
        g.health_events.push(e);
        assert_passes(&run_facts(&model(), g), "AWS-002");
    }
}

#[test]
fn aws003_scheduled_change_outside_staffed_coverage() {
    // Weekday office hours only: a Saturday maintenance window is unstaffed.
    let office = model().replace("handoff: P1W }", "handoff: P1W, restrictions: [{ days: [mon, tue, wed, thu, fri], from: \"09:00\", to: \"17:00\" }] }");
    let mut f = healthy();
    f.health_events.push(event("scheduledChange", "RDS", "eu-west-1", "2026-11-28T02:00:00Z", Some("2026-11-28T04:00:00Z")));
    let fails = assert_fails(&run_facts(&office, f.clone()), "AWS-003");
    assert!(fails[0].message.contains("unstaffed from Sat 2026-11-28 02:00 UTC to Sat 2026-11-28 04:00 UTC"), "{}", fails[0].message);
    assert_eq!(fails[0].evidence["inside_coverage"], false);
    // On a Tuesday at 10:00 it is inside coverage, and listed as such.
    let mut g = healthy();
    g.health_events.push(event("scheduledChange", "RDS", "eu-west-1", "2026-11-24T10:00:00Z", Some("2026-11-24T11:00:00Z")));
    let r = run_facts(&office, g);
    assert_passes(&r, "AWS-003");
    assert!(r.iter().any(|x| x.rule == "AWS-003" && x.subject.contains("/event:") && x.evidence["inside_coverage"] == true));
    // Beyond the horizon: not considered.
    let mut h = healthy();
    h.health_events.push(event("scheduledChange", "RDS", "eu-west-1", "2027-06-05T02:00:00Z", Some("2027-06-05T04:00:00Z")));
    assert_passes(&run_facts(&office, h), "AWS-003");
}

#[test]
fn aws004_live_plan_against_the_declared_one() {
    // The model uses urgent and high with the vendor; a plan without urgent fails.
    let mut f = healthy();
    f.support_plans[0].severity_levels = vec!["low".into(), "normal".into(), "high".into()];
    let fails = assert_fails(&run_facts(&model(), f), "AWS-004");
    assert!(fails[0].message.contains("does not offer severity urgent"), "{}", fails[0].message);
    assert_eq!(fails[0].subject, "vendor:aws");
    // SubscriptionRequiredException: below Business, not the declared business plan.
    let mut g = healthy();
    g.sources[2].status = SourceStatus::SubscriptionRequired;
    g.support_plans.clear();
    let fails = assert_fails(&run_facts(&model(), g.clone()), "AWS-004");
    assert!(fails[0].message.contains("SubscriptionRequiredException: its plan is below Business, not business as declared"), "{}", fails[0].message);
    // ... which is what a declared developer plan expects.
    let dev = model().replace("plan: business", "plan: developer");
    let r = run_facts(&dev, g);
    assert_passes(&r, "AWS-004");
}

#[test]
fn aws005_stale_facts() {
    let mut f = healthy();
    f.sources[1].collected_at = t("2026-11-21T09:00:00Z");
    let fails = assert_fails(&run_facts(&model(), f.clone()), "AWS-005");
    assert!(fails[0].message.contains("AWS Health of account 111122223333"), "{}", fails[0].message);
    let mut opts = options();
    opts.facts = Some(f);
    opts.max_facts_age = runready::model::Duration::from_days(3);
    assert_passes(&run_with(&model(), &opts), "AWS-005");
}

#[test]
fn snapshots_merge_by_source_and_time() {
    let mut older = healthy();
    older.health_events.push(event("issue", "EC2", "eu-west-1", "2026-11-23T08:00:00Z", None));
    let mut newer = Facts::new(t("2026-11-23T09:30:00Z").0);
    let mut health = source(SourceKind::Health, SourceStatus::Ok);
    health.collected_at = t("2026-11-23T09:30:00Z");
    newer.sources.push(health);
    older.merge(newer);
    // The newer Health source (no events) replaces the older one and its event.
    assert!(older.health_events.is_empty());
    assert_eq!(older.sources.len(), 3);
}

#[test]
fn a_bad_snapshot_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("facts.json");
    std::fs::write(&p, "{\n  \"schema_version\": 1,\n  \"sources\": [ { \"source\": \"trusted_advisor\", \"acount\": \"1\" } ]\n}\n").unwrap();
    let e = runready::facts::read(&[&p]).unwrap_err();
    assert!(e.contains("facts.json:3:"), "{e}");
    assert!(e.contains("acount"), "{e}");
}
