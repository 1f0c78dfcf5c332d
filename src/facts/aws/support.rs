//! The live support plan: the severity levels the Support API offers the account.
//! `SubscriptionRequiredException` here is the plan being below Business (AWS-004).

use super::{Calls, Part, classify};
use crate::facts::plan::AccountScope;
use crate::facts::{Facts, SourceKind, SupportPlan};

pub async fn plan(calls: &Calls, scope: &AccountScope) -> Part {
    let support = crate::aws::support(&calls.config);
    match calls.call(support.describe_severity_levels().language("en").send()).await {
        Ok(out) => {
            let levels = out.severity_levels().iter().filter_map(|l| l.code().map(str::to_string)).collect();
            let plan = SupportPlan { account: scope.account.clone(), severity_levels: levels };
            Part::ok(SourceKind::SupportPlan, &scope.account, Some("us-east-1"), "support", Facts { support_plans: vec![plan], ..Default::default() }, None)
        }
        Err(e) => Part::failed(SourceKind::SupportPlan, &scope.account, "support", &classify(e)),
    }
}
