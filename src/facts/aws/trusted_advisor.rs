//! Trusted Advisor: recommendations from the TrustedAdvisor API (global, paginated), with
//! the flagged resources of those the rules read; where that API is denied, the classic
//! checks of the Support API (us-east-1 only).

use super::{CallError, Calls, Part, classify, instant};
use crate::facts::plan::AccountScope;
use crate::facts::{Facts, FlaggedResource, Recommendation, SourceKind, SourceStatus};

/// Pillars AWS-001 reads; resources are fetched only for recommendations in them.
pub const PILLARS: [&str; 3] = ["fault_tolerance", "operational_excellence", "service_limits"];

pub async fn collect(calls: &Calls, scope: &AccountScope) -> Part {
    match recommendations(calls, scope).await {
        Ok(recs) => Part::ok(SourceKind::TrustedAdvisor, &scope.account, Some("us-east-1"), "trustedadvisor", Facts { recommendations: recs, ..Default::default() }, None),
        Err(e) if matches!(e.status, SourceStatus::AccessDenied | SourceStatus::SubscriptionRequired) => match classic(calls, scope).await {
            Ok(recs) => Part::ok(
                SourceKind::TrustedAdvisor,
                &scope.account,
                Some("us-east-1"),
                "support",
                Facts { recommendations: recs, ..Default::default() },
                Some(format!("TrustedAdvisor API denied ({}); classic checks of the Support API used", e.message)),
            ),
            Err(classic_err) => {
                let mut worst = classic_err.clone();
                worst.message = format!("TrustedAdvisor API: {}; classic checks: {}", e.message, classic_err.message);
                Part::failed(SourceKind::TrustedAdvisor, &scope.account, "support", &worst)
            }
        },
        Err(e) => Part::failed(SourceKind::TrustedAdvisor, &scope.account, "trustedadvisor", &e),
    }
}

fn client(calls: &Calls) -> aws_sdk_trustedadvisor::Client {
    crate::aws::trusted_advisor(&calls.config)
}

async fn recommendations(calls: &Calls, scope: &AccountScope) -> Result<Vec<Recommendation>, CallError> {
    let ta = client(calls);
    let mut pages = ta.list_recommendations().into_paginator().send();
    let mut recs = Vec::new();
    while let Some(page) = calls.call(pages.next()).await {
        for r in page.map_err(classify)?.recommendation_summaries() {
            recs.push(Recommendation {
                account: scope.account.clone(),
                check: r.check_arn().and_then(|a| a.rsplit('/').next()).unwrap_or(r.id()).to_string(),
                recommendation_id: Some(r.id().to_string()),
                name: r.name().to_string(),
                pillars: r.pillars().iter().map(|p| p.as_str().to_string()).collect(),
                status: r.status().as_str().to_string(),
                aws_services: r.aws_services().iter().map(|s| s.to_lowercase()).collect(),
                last_updated: instant(r.last_updated_at()),
                resources: Vec::new(),
            });
        }
    }
    // Flagged resources of the recommendations the rules read, fetched concurrently.
    let mut tasks = tokio::task::JoinSet::new();
    for (i, r) in recs.iter().enumerate().filter(|(_, r)| r.status != "ok" && r.pillars.iter().any(|p| PILLARS.contains(&p.as_str()))) {
        let (ta, limit, id) = (ta.clone(), calls.limit.clone(), r.recommendation_id.clone().unwrap_or_default());
        let calls = Calls { config: calls.config.clone(), limit };
        tasks.spawn(async move { (i, resources(&calls, &ta, &id).await) });
    }
    while let Some(done) = tasks.join_next().await {
        let (i, res) = done.map_err(|e| CallError { status: SourceStatus::Error, message: e.to_string(), transient: false })?;
        recs[i].resources = res?;
    }
    Ok(recs)
}

async fn resources(calls: &Calls, ta: &aws_sdk_trustedadvisor::Client, id: &str) -> Result<Vec<FlaggedResource>, CallError> {
    let mut pages = ta.list_recommendation_resources().recommendation_identifier(id).into_paginator().send();
    let mut out = Vec::new();
    while let Some(page) = calls.call(pages.next()).await {
        for r in page.map_err(classify)?.recommendation_resource_summaries() {
            if r.status().as_str() == "ok" {
                continue;
            }
            let region = Some(r.region_code().to_string()).filter(|s| !s.is_empty() && s != "-");
            out.push(FlaggedResource { id: r.aws_resource_id().to_string(), region, status: r.status().as_str().to_string() });
        }
    }
    Ok(out)
}

/// The classic checks and their summaries (status per check; no service codes).
async fn classic(calls: &Calls, scope: &AccountScope) -> Result<Vec<Recommendation>, CallError> {
    let support = crate::aws::support(&calls.config);
    let checks = calls.call(support.describe_trusted_advisor_checks().language("en").send()).await.map_err(classify)?;
    let ids: Vec<String> = checks.checks().iter().map(|c| c.id().to_string()).collect();
    let mut summaries = Vec::new();
    // The API takes the check ids in one list; large lists are split to keep requests small.
    for chunk in ids.chunks(100) {
        let out = calls.call(support.describe_trusted_advisor_check_summaries().set_check_ids(Some(chunk.iter().cloned().map(Some).collect())).send()).await.map_err(classify)?;
        summaries.extend(out.summaries().iter().cloned());
    }
    Ok(checks
        .checks()
        .iter()
        .filter_map(|c| {
            let s = summaries.iter().find(|s| s.check_id() == c.id())?;
            Some(Recommendation {
                account: scope.account.clone(),
                check: c.id().to_string(),
                recommendation_id: None,
                name: c.name().to_string(),
                pillars: vec![c.category().to_string()],
                status: s.status().to_string(),
                aws_services: Vec::new(),
                last_updated: s.timestamp().parse::<jiff::Timestamp>().ok().map(crate::model::Instant),
                resources: Vec::new(),
            })
        })
        .collect())
}
