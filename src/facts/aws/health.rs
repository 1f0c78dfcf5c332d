//! AWS Health: open and upcoming events of category issue, scheduledChange and
//! accountNotification, with their descriptions and affected entities. Per account, or
//! through the organizational view when the model names several accounts and the caller
//! may use it. us-east-1 is the active endpoint; on a transient failure the collection
//! is repeated against the standby, us-east-2.

use super::{CallError, Calls, Collector, Part, classify, failed_source, instant};
use crate::facts::plan::AccountScope;
use crate::facts::{Facts, HealthEvent, SourceKind, SourceStatus};
use aws_sdk_health::types::{EntityAccountFilter, EntityFilter, EventAccountFilter, EventFilter, EventStatusCode, EventTypeCategory, OrganizationEventFilter};
use std::collections::BTreeMap;

const ENDPOINTS: [&str; 2] = ["us-east-1", "us-east-2"];
/// The APIs take at most 10 event ARNs (or event/account pairs) per detail call.
const BATCH: usize = 10;

/// A Health event (account view `Event` or `OrganizationEvent`: the same accessors) for one account.
macro_rules! health_event {
    ($e:expr, $account:expr) => {
        HealthEvent {
            arn: $e.arn().unwrap_or_default().to_string(),
            account: $account,
            service: $e.service().unwrap_or_default().to_string(),
            event_type_code: $e.event_type_code().unwrap_or_default().to_string(),
            category: $e.event_type_category().map(|c| c.as_str().to_string()).unwrap_or_default(),
            region: $e.region().map(str::to_string),
            status: $e.status_code().map(|s| s.as_str().to_string()).unwrap_or_default(),
            start_time: instant($e.start_time()),
            end_time: instant($e.end_time()),
            last_updated: instant($e.last_updated_time()),
            description: None,
            affected_entities: Vec::new(),
        }
    };
}

fn client(calls: &Calls, region: &str) -> aws_sdk_health::Client {
    crate::aws::health(&calls.config, region)
}

fn categories() -> Vec<EventTypeCategory> {
    vec![EventTypeCategory::Issue, EventTypeCategory::ScheduledChange, EventTypeCategory::AccountNotification]
}

fn statuses() -> Vec<EventStatusCode> {
    vec![EventStatusCode::Open, EventStatusCode::Upcoming]
}

/// Runs `attempt` against the active endpoint, then the standby on a transient failure.
async fn with_failover<T, F, Fut>(attempt: F) -> (Result<T, CallError>, &'static str, Option<String>)
where
    F: Fn(&'static str) -> Fut,
    Fut: std::future::Future<Output = Result<T, CallError>>,
{
    match attempt(ENDPOINTS[0]).await {
        Err(e) if e.transient => {
            let note = format!("{} failed ({}); answered by the standby endpoint {}", ENDPOINTS[0], e.message, ENDPOINTS[1]);
            match attempt(ENDPOINTS[1]).await {
                Ok(v) => (Ok(v), ENDPOINTS[1], Some(note)),
                Err(e2) => (Err(CallError { message: format!("{}: {}; {}: {}", ENDPOINTS[0], e.message, ENDPOINTS[1], e2.message), ..e2 }), ENDPOINTS[1], None),
            }
        }
        other => (other, ENDPOINTS[0], None),
    }
}

pub async fn collect_account(calls: &Calls, scope: &AccountScope) -> Part {
    let (result, region, note) = with_failover(|region| account_events(calls, scope, region)).await;
    match result {
        Ok(events) => Part::ok(SourceKind::Health, &scope.account, Some(region), "health", Facts { health_events: events, ..Default::default() }, note),
        Err(e) => Part { sources: vec![failed_source(SourceKind::Health, &scope.account, Some(region), "health", &e)], facts: Facts::default(), panic: None },
    }
}

async fn account_events(calls: &Calls, scope: &AccountScope, region: &str) -> Result<Vec<HealthEvent>, CallError> {
    let health = client(calls, region);
    let filter = EventFilter::builder()
        .set_event_status_codes(Some(statuses()))
        .set_event_type_categories(Some(categories()))
        .set_services((!scope.services.is_empty()).then(|| scope.services.clone()))
        .build();
    let mut pages = health.describe_events().filter(filter).max_results(100).into_paginator().send();
    let mut events = Vec::new();
    while let Some(page) = calls.call(pages.next()).await {
        for e in page.map_err(classify)?.events() {
            events.push(health_event!(e, scope.account.clone()));
        }
    }
    let arns: Vec<String> = events.iter().map(|e| e.arn.clone()).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for batch in arns.chunks(BATCH) {
        let (health, batch) = (health.clone(), batch.to_vec());
        let calls = Calls { config: calls.config.clone(), limit: calls.limit.clone() };
        tasks.spawn(async move { account_details(&calls, &health, batch).await });
    }
    let mut details = BTreeMap::new();
    let mut entities: BTreeMap<String, Vec<String>> = BTreeMap::new();
    while let Some(done) = tasks.join_next().await {
        let (d, ents) = done.map_err(join_error)??;
        details.extend(d);
        for (arn, v) in ents {
            entities.entry(arn).or_default().push(v);
        }
    }
    for e in &mut events {
        e.description = details.remove(&e.arn);
        e.affected_entities = entities.remove(&e.arn).unwrap_or_default();
    }
    Ok(events)
}

type Details = (BTreeMap<String, String>, Vec<(String, String)>);

async fn account_details(calls: &Calls, health: &aws_sdk_health::Client, arns: Vec<String>) -> Result<Details, CallError> {
    let out = calls.call(health.describe_event_details().set_event_arns(Some(arns.clone())).send()).await.map_err(classify)?;
    let details = out.successful_set().iter().filter_map(|d| Some((d.event()?.arn()?.to_string(), d.event_description()?.latest_description()?.to_string()))).collect();
    let filter = EntityFilter::builder().set_event_arns(Some(arns)).build().map_err(|e| CallError { status: SourceStatus::Error, message: e.to_string(), transient: false })?;
    let mut pages = health.describe_affected_entities().filter(filter).into_paginator().send();
    let mut entities = Vec::new();
    while let Some(page) = calls.call(pages.next()).await {
        entities.extend(page.map_err(classify)?.entities().iter().filter_map(|e| Some((e.event_arn()?.to_string(), e.entity_value()?.to_string()))));
    }
    Ok((details, entities))
}

fn join_error(e: tokio::task::JoinError) -> CallError {
    CallError { status: SourceStatus::Error, message: format!("collector task failed: {e}"), transient: false }
}

/// The base configuration when the organizational view can answer for the model's
/// accounts: several accounts, and Health's organization access enabled for the caller.
pub async fn org_view_usable(collector: &Collector, scopes: &[AccountScope], identities: &BTreeMap<String, Result<aws_config::SdkConfig, CallError>>) -> Option<aws_config::SdkConfig> {
    // With one account, or credentials for every account, the account view is enough.
    if scopes.len() < 2 || identities.values().all(|r| r.is_ok()) {
        return None;
    }
    let calls = Calls { config: collector.base().clone(), limit: collector.limit() };
    let health = client(&calls, ENDPOINTS[0]);
    let out = calls.call(health.describe_health_service_status_for_organization().send()).await.ok()?;
    (out.health_service_access_status_for_organization() == Some("ENABLED")).then(|| collector.base().clone())
}

pub async fn collect_organization(calls: &Calls, scopes: &[AccountScope]) -> Part {
    let (result, region, note) = with_failover(|region| organization_events(calls, scopes, region)).await;
    let mut part = Part { sources: Vec::new(), facts: Facts::default(), panic: None };
    match result {
        Ok(events) => {
            for s in scopes {
                part.sources.extend(Part::ok(SourceKind::Health, &s.account, Some(region), "health-organization", Facts::default(), note.clone()).sources);
            }
            part.facts.health_events = events;
        }
        Err(e) => part.sources = scopes.iter().map(|s| failed_source(SourceKind::Health, &s.account, Some(region), "health-organization", &e)).collect(),
    }
    part
}

async fn organization_events(calls: &Calls, scopes: &[AccountScope], region: &str) -> Result<Vec<HealthEvent>, CallError> {
    let health = client(calls, region);
    let accounts: Vec<String> = scopes.iter().map(|s| s.account.clone()).collect();
    let services: Vec<String> =
        if scopes.iter().any(|s| s.services.is_empty()) { Vec::new() } else { scopes.iter().flat_map(|s| s.services.iter().cloned()).collect::<std::collections::BTreeSet<_>>().into_iter().collect() };
    let mut found = Vec::new();
    // The filter takes at most 50 account ids.
    for chunk in accounts.chunks(50) {
        let filter = OrganizationEventFilter::builder()
            .set_aws_account_ids(Some(chunk.to_vec()))
            .set_event_status_codes(Some(statuses()))
            .set_event_type_categories(Some(categories()))
            .set_services((!services.is_empty()).then(|| services.clone()))
            .build();
        let mut pages = health.describe_events_for_organization().filter(filter).max_results(100).into_paginator().send();
        while let Some(page) = calls.call(pages.next()).await {
            found.extend(page.map_err(classify)?.events().iter().cloned());
        }
    }
    // Which of the model's accounts each event affects.
    let mut events = Vec::new();
    for e in &found {
        let arn = e.arn().unwrap_or_default();
        let mut pages = health.describe_affected_accounts_for_organization().event_arn(arn).into_paginator().send();
        while let Some(page) = calls.call(pages.next()).await {
            for account in page.map_err(classify)?.affected_accounts().iter().filter(|a| accounts.contains(a)) {
                events.push(health_event!(e, account.clone()));
            }
        }
    }
    for batch in events.clone().chunks(BATCH) {
        let build = |e: &HealthEvent| EventAccountFilter::builder().event_arn(&e.arn).aws_account_id(&e.account).build();
        let filters: Vec<EventAccountFilter> = batch.iter().filter_map(|e| build(e).ok()).collect();
        let out = calls.call(health.describe_event_details_for_organization().set_organization_event_detail_filters(Some(filters)).send()).await.map_err(classify)?;
        for d in out.successful_set() {
            let (Some(arn), Some(account)) = (d.event().and_then(|e| e.arn()), d.aws_account_id()) else { continue };
            if let Some(ev) = events.iter_mut().find(|e| e.arn == arn && e.account == account) {
                ev.description = d.event_description().and_then(|x| x.latest_description()).map(str::to_string);
            }
        }
        let filters: Vec<EntityAccountFilter> = batch.iter().filter_map(|e| EntityAccountFilter::builder().event_arn(&e.arn).aws_account_id(&e.account).build().ok()).collect();
        let mut pages = health.describe_affected_entities_for_organization().set_organization_entity_account_filters(Some(filters)).into_paginator().send();
        while let Some(page) = calls.call(pages.next()).await {
            for ent in page.map_err(classify)?.entities() {
                let (Some(arn), Some(account), Some(value)) = (ent.event_arn(), ent.aws_account_id(), ent.entity_value()) else { continue };
                if let Some(ev) = events.iter_mut().find(|e| e.arn == arn && e.account == account) {
                    ev.affected_entities.push(value.to_string());
                }
            }
        }
    }
    Ok(events)
}
