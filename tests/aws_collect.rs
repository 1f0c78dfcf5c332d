//! The AWS collectors with the real SDK clients against a fake endpoint that answers with
//! the real payloads of `../shared/fixtures/aws/` (Health as CBOR). Time is tokio's paused
//! clock: latencies, backoffs and timeouts are virtual, so the tests are fast and exact.
#![cfg(feature = "aws")]

#[path = "common/fake_aws.rs"]
mod fake_aws;

use fake_aws::*;
use runready::aws::Settings;
use runready::facts::aws::Collector;
use runready::facts::plan::AccountScope;
use runready::facts::{Facts, SourceKind, SourceStatus};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

const A: &str = "111122223333";
const B: &str = "444455556666";
const MGMT: &str = "999999999999";

fn scope(account: &str) -> AccountScope {
    AccountScope { account: account.into(), regions: vec!["eu-west-1".into()], services: vec!["EC2".into()], support_vendor: true }
}

/// `acct-111122223333.test` answers for that account; any other host for A.
fn account_of(host: &str) -> &str {
    host.strip_prefix("acct-").and_then(|h| h.split('.').next()).unwrap_or(if host.starts_with("mgmt") { MGMT } else { A })
}

fn first_event_arn() -> String {
    fixture("health-describe-events.json")["events"][0]["arn"].as_str().unwrap().to_string()
}

/// Every operation of a healthy Business account, answered with the real payloads.
fn healthy(call: &Call) -> Answer {
    match call.op.as_str() {
        "GetCallerIdentity" => caller_identity(account_of(&call.host)),
        "ListRecommendations" => {
            let mut page = fixture("ta-list-recommendations.json");
            if call.query.contains("nextToken=") {
                // The second (last) page: the same shapes, other ids, one in error.
                page.as_object_mut().unwrap().remove("nextToken");
                for (i, r) in page["recommendationSummaries"].as_array_mut().unwrap().iter_mut().enumerate() {
                    r["id"] = json!(format!("page2-{i}"));
                    r["checkArn"] = json!(format!("arn:aws:trustedadvisor:::check/Page2Check{i}"));
                }
                page["recommendationSummaries"][0]["status"] = json!("error");
                page["recommendationSummaries"][0]["pillars"] = json!(["fault_tolerance"]);
                page["recommendationSummaries"][0]["awsServices"] = json!(["ec2"]);
            }
            Some((200, JSON, json(&page)))
        }
        "ListRecommendationResources" => {
            let mut page = fixture("ta-list-recommendation-resources.json");
            if call.query.contains("nextToken=") {
                page.as_object_mut().unwrap().remove("nextToken");
                for r in page["recommendationResourceSummaries"].as_array_mut().unwrap() {
                    r["awsResourceId"] = json!(format!("{}-page2", r["awsResourceId"].as_str().unwrap()));
                }
            }
            Some((200, JSON, json(&page)))
        }
        "DescribeSeverityLevels" => severity_levels(&["low", "normal", "high", "urgent"]),
        "DescribeEvents" => Some((200, CBOR, cbor(&fixture("health-describe-events.json")))),
        "DescribeEventDetails" => {
            let mut d = fixture("health-describe-event-details.json");
            d["successfulSet"][0]["event"]["arn"] = json!(first_event_arn());
            Some((200, CBOR, cbor(&d)))
        }
        "DescribeAffectedEntities" => {
            let mut e = fixture("health-describe-affected-entities.json");
            e["entities"][0]["eventArn"] = json!(first_event_arn());
            Some((200, CBOR, cbor(&e)))
        }
        _ => json_error("InternalFailure", 500),
    }
}

fn settings() -> Settings {
    Settings { concurrency: 64, ..Settings::default() }
}

async fn collect(fake: &FakeAws, scopes: &[AccountScope], attempts: u32, timeout: Duration) -> Facts {
    let collector = Collector::with_configs(fake.config("aws.test", attempts, timeout), BTreeMap::new(), &settings());
    collector.collect(scopes).await
}

fn source(f: &Facts, kind: SourceKind, account: &str) -> runready::facts::Source {
    f.source(kind, account).unwrap_or_else(|| panic!("no {kind:?} source for {account}: {:#?}", f.sources)).clone()
}

#[tokio::test(start_paused = true)]
async fn collects_every_source_with_the_real_payloads() {
    let fake = FakeAws::new(Duration::from_millis(10), healthy);
    let f = collect(&fake, &[scope(A)], 3, Duration::from_secs(5)).await;
    for kind in [SourceKind::TrustedAdvisor, SourceKind::Health, SourceKind::SupportPlan] {
        assert_eq!(source(&f, kind, A).status, SourceStatus::Ok, "{kind:?}: {:#?}", f.sources);
    }
    // Both pages of recommendations; resources for the non-ok ones in the rules' pillars.
    assert_eq!(fake.ops().iter().filter(|o| *o == "ListRecommendations").count(), 2);
    assert_eq!(f.recommendations.len(), 4);
    let rds = f.recommendations.iter().find(|r| r.check == "gjqMBn6pjz").unwrap();
    assert_eq!((rds.status.as_str(), rds.pillars.clone(), rds.aws_services.clone()), ("warning", vec!["service_limits".to_string()], vec!["rds".to_string()]));
    let flagged = fixture("ta-list-recommendation-resources.json")["recommendationResourceSummaries"].as_array().unwrap().iter().filter(|r| r["status"] != "ok").count();
    // Both pages of resources.
    assert_eq!(rds.resources.len(), 2 * flagged);
    assert!(rds.resources.iter().any(|r| r.id == "webcms-dev-01-page2"));
    assert_eq!(rds.resources[0].region.as_deref(), Some("us-east-1"));
    let security = f.recommendations.iter().find(|r| r.check == "7DAFEmoDos").unwrap();
    assert!(security.resources.is_empty(), "security pillar: resources not fetched");
    assert_eq!(f.recommendations.iter().filter(|r| r.status == "error").count(), 2);
    // Health: every event of the page, with its description and entities, decoded from CBOR.
    let events = fixture("health-describe-events.json")["events"].as_array().unwrap().len();
    assert_eq!(f.health_events.len(), events);
    let first = f.health_events.iter().find(|e| e.arn == first_event_arn()).unwrap();
    assert_eq!(first.service, "ECS");
    assert_eq!(first.start_time.unwrap().0.as_second(), 1589077890);
    assert!(first.description.as_deref().unwrap().contains("Increased API Error Rates"));
    assert_eq!(first.affected_entities, vec!["AWS_ACCOUNT".to_string()]);
    assert_eq!(f.support_plans[0].severity_levels, vec!["low", "normal", "high", "urgent"]);
    // The Health filter asked for what the model names.
    let ev = fake.calls().into_iter().find(|c| c.op == "DescribeEvents").unwrap();
    assert_eq!(ev.region, "us-east-1");
    // A snapshot written and read back is the same.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f.json"), f.to_json()).unwrap();
    assert_eq!(runready::facts::read(&[dir.path().join("f.json")]).unwrap(), f);
}

#[tokio::test(start_paused = true)]
async fn throttling_backs_off_and_then_succeeds() {
    let fake = FakeAws::new(Duration::from_millis(10), |c| match c.op.as_str() {
        "DescribeSeverityLevels" if c.nth < 2 => json_error("ThrottlingException", 400),
        _ => healthy(c),
    });
    let started = tokio::time::Instant::now();
    let f = collect(&fake, &[scope(A)], 5, Duration::from_secs(5)).await;
    assert_eq!(source(&f, SourceKind::SupportPlan, A).status, SourceStatus::Ok);
    assert_eq!(fake.ops().iter().filter(|o| *o == "DescribeSeverityLevels").count(), 3);
    // It waited between attempts (exponential backoff), on the virtual clock.
    assert!(started.elapsed() >= Duration::from_millis(30), "{:?}", started.elapsed());
}

#[tokio::test(start_paused = true)]
async fn a_plan_below_business_is_a_fact_not_a_crash() {
    let fake = FakeAws::new(Duration::from_millis(10), |c| match c.op.as_str() {
        "ListRecommendations" => rest_error("AccessDeniedException", 403),
        "DescribeTrustedAdvisorChecks" | "DescribeSeverityLevels" => json_error("SubscriptionRequiredException", 400),
        "DescribeEvents" => cbor_error("SubscriptionRequiredException", 400),
        _ => healthy(c),
    });
    let f = collect(&fake, &[scope(A)], 3, Duration::from_secs(5)).await;
    assert_eq!(source(&f, SourceKind::SupportPlan, A).status, SourceStatus::SubscriptionRequired);
    assert_eq!(source(&f, SourceKind::Health, A).status, SourceStatus::SubscriptionRequired);
    let ta = source(&f, SourceKind::TrustedAdvisor, A);
    assert_eq!(ta.status, SourceStatus::SubscriptionRequired, "{ta:#?}");
    assert!(ta.message.unwrap().contains("AccessDeniedException"));
    // Not retried: these are answers, not failures.
    assert_eq!(fake.ops().iter().filter(|o| *o == "DescribeSeverityLevels").count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_denied_trustedadvisor_api_falls_back_to_the_classic_checks() {
    let fake = FakeAws::new(Duration::from_millis(10), |c| match c.op.as_str() {
        "ListRecommendations" => rest_error("AccessDeniedException", 403),
        "DescribeTrustedAdvisorChecks" => Some((
            200,
            AMZ_JSON,
            json(&json!({ "checks": [
            { "id": "Pfx0RwqBli", "name": "Amazon S3 Bucket Permissions", "description": "", "category": "security", "metadata": [] },
            { "id": "zXCkfM1nI3", "name": "IAM Use", "description": "", "category": "security", "metadata": [] }
        ] })),
        )),
        "DescribeTrustedAdvisorCheckSummaries" => Some((200, AMZ_JSON, json(&fixture("support-ta-describe-check-summaries.json")))),
        _ => healthy(c),
    });
    let f = collect(&fake, &[scope(A)], 3, Duration::from_secs(5)).await;
    let ta = source(&f, SourceKind::TrustedAdvisor, A);
    assert_eq!((ta.status, ta.api.as_str()), (SourceStatus::Ok, "support"));
    let checks: Vec<_> = f.recommendations.iter().map(|r| (r.check.as_str(), r.status.as_str())).collect();
    assert_eq!(checks, vec![("Pfx0RwqBli", "ok"), ("zXCkfM1nI3", "ok")]);
    assert_eq!(f.recommendations[0].last_updated.unwrap().to_string(), "2020-05-13T21:38:12Z");
}

#[tokio::test(start_paused = true)]
async fn health_fails_over_to_the_standby_endpoint() {
    // us-east-1 never answers; us-east-2 does.
    let fake = FakeAws::new(Duration::from_millis(10), |c| match c.op.as_str() {
        "DescribeEvents" | "DescribeEventDetails" | "DescribeAffectedEntities" if c.region == "us-east-1" => None,
        _ => healthy(c),
    });
    let f = collect(&fake, &[scope(A)], 2, Duration::from_secs(3)).await;
    let h = source(&f, SourceKind::Health, A);
    assert_eq!((h.status, h.region.as_deref()), (SourceStatus::Ok, Some("us-east-2")), "{h:#?}");
    assert!(h.message.unwrap().contains("standby endpoint us-east-2"));
    assert!(!f.health_events.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_hung_endpoint_times_out_and_the_rest_is_kept() {
    let fake = FakeAws::new(Duration::from_millis(10), |c| match c.op.as_str() {
        "DescribeEvents" => None,
        _ => healthy(c),
    });
    let started = tokio::time::Instant::now();
    let f = collect(&fake, &[scope(A)], 2, Duration::from_secs(3)).await;
    let h = source(&f, SourceKind::Health, A);
    assert_eq!(h.status, SourceStatus::Error);
    assert!(h.message.unwrap().contains("timed out"));
    assert_eq!(source(&f, SourceKind::TrustedAdvisor, A).status, SourceStatus::Ok);
    // Two endpoints, two attempts each, 3 s per attempt, plus backoff: bounded.
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
}

#[tokio::test(start_paused = true)]
async fn credentials_of_another_account_are_not_taken_for_its_facts() {
    let fake = FakeAws::new(Duration::from_millis(10), healthy);
    let f = collect(&fake, &[scope(B)], 3, Duration::from_secs(5)).await;
    let ta = source(&f, SourceKind::TrustedAdvisor, B);
    assert_eq!(ta.status, SourceStatus::Error);
    assert!(ta.message.unwrap().contains("belong to account 111122223333, not 444455556666: give --account-profile 444455556666=PROFILE"));
    assert!(!fake.ops().contains(&"ListRecommendations".to_string()));
}

#[tokio::test(start_paused = true)]
async fn the_organizational_view_answers_for_several_accounts() {
    let fake = FakeAws::new(Duration::from_millis(10), |c| match c.op.as_str() {
        "DescribeHealthServiceStatusForOrganization" => Some((200, CBOR, cbor(&json!({ "healthServiceAccessStatusForOrganization": "ENABLED" })))),
        "DescribeEventsForOrganization" => Some((200, CBOR, cbor(&fixture("health-describe-events.json")))),
        "DescribeAffectedAccountsForOrganization" => {
            let arn = String::from_utf8_lossy(&c.body).to_string();
            // Only the first event affects one of the model's accounts (A); others affect a stranger.
            let accounts = if arn.contains("KWQPY") { vec![A, "123456789012"] } else { vec!["123456789012"] };
            Some((200, CBOR, cbor(&json!({ "affectedAccounts": accounts, "eventScopeCode": "ACCOUNT_SPECIFIC" }))))
        }
        "DescribeEventDetailsForOrganization" => {
            let mut d = fixture("health-describe-event-details.json");
            d["successfulSet"][0]["event"]["arn"] = json!(first_event_arn());
            d["successfulSet"][0]["awsAccountId"] = json!(A);
            Some((200, CBOR, cbor(&d)))
        }
        "DescribeAffectedEntitiesForOrganization" => {
            let mut e = fixture("health-describe-affected-entities.json");
            e["entities"][0]["eventArn"] = json!(first_event_arn());
            e["entities"][0]["awsAccountId"] = json!(A);
            Some((200, CBOR, cbor(&e)))
        }
        _ => healthy(c),
    });
    let collector = Collector::with_configs(fake.config("mgmt.test", 3, Duration::from_secs(5)), BTreeMap::new(), &settings());
    let f = collector.collect(&[scope(A), scope(B)]).await;
    for a in [A, B] {
        let h = source(&f, SourceKind::Health, a);
        assert_eq!((h.status, h.api.as_str()), (SourceStatus::Ok, "health-organization"));
        // Trusted Advisor and the plan need the account's own credentials.
        assert_eq!(source(&f, SourceKind::TrustedAdvisor, a).status, SourceStatus::Error);
    }
    assert_eq!(f.health_events.len(), 1, "{:#?}", f.health_events);
    let e = &f.health_events[0];
    assert_eq!((e.account.as_str(), e.arn.clone()), (A, first_event_arn()));
    assert!(e.description.is_some());
    assert_eq!(e.affected_entities, vec!["AWS_ACCOUNT".to_string()]);
}

/// 20 accounts x 4 regions, 100 ms per call: independent calls run concurrently, so the
/// whole collection takes about the longest chain of dependent calls, not their sum.
#[tokio::test(start_paused = true)]
async fn twenty_accounts_take_the_longest_chain_not_the_sum() {
    let latency = Duration::from_millis(100);
    let fake = FakeAws::new(latency, healthy);
    let accounts: Vec<String> = (0..20).map(|i| format!("{:012}", 100_000_000_000u64 + i)).collect();
    let scopes: Vec<AccountScope> = accounts
        .iter()
        .map(|a| AccountScope {
            account: a.clone(),
            regions: ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2"].map(String::from).to_vec(),
            services: vec!["EC2".into(), "RDS".into()],
            support_vendor: true,
        })
        .collect();
    let per_account: BTreeMap<String, aws_config::SdkConfig> = accounts.iter().map(|a| (a.clone(), fake.config(&format!("acct-{a}.test"), 3, Duration::from_secs(5)))).collect();
    let collector = Collector::with_configs(fake.config("aws.test", 3, Duration::from_secs(5)), per_account, &Settings { concurrency: 256, ..Settings::default() });
    let started = tokio::time::Instant::now();
    let f = collector.collect(&scopes).await;
    let elapsed = started.elapsed();
    assert!(f.sources.iter().all(|s| s.status == SourceStatus::Ok), "{:#?}", f.sources.iter().filter(|s| s.status != SourceStatus::Ok).collect::<Vec<_>>());
    assert_eq!(f.sources.len(), 60);
    let calls = fake.calls().len() as u32;
    // The longest chain: STS, then DescribeEvents, then details, then entities (4 calls).
    assert!(elapsed <= latency * 5, "took {elapsed:?} for {calls} calls");
    assert!(latency * calls >= Duration::from_secs(15), "{calls} calls");
    eprintln!("{calls} calls of {latency:?}: {elapsed:?} in all (sequential: {:?})", latency * calls);
}
