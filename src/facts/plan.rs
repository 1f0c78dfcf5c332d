//! What a model asks AWS about: its accounts, and per account the regions and Health
//! service codes its services name.

use crate::model::{Model, VendorKind};
use std::collections::BTreeMap;

/// One account to collect, with the scope the model gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountScope {
    pub account: String,
    /// Regions the model's services name in this account (sorted, unique).
    pub regions: Vec<String>,
    /// Health service codes (upper case, sorted, unique); empty: every service.
    pub services: Vec<String>,
    /// Whether an `aws_support` vendor covers this account (the support plan is asked).
    pub support_vendor: bool,
}

/// Every account the model names, in account order, so collections and snapshots are
/// reproducible.
pub fn accounts(model: &Model) -> Vec<AccountScope> {
    let mut by: BTreeMap<String, AccountScope> = BTreeMap::new();
    fn at<'m>(by: &'m mut BTreeMap<String, AccountScope>, a: &str) -> &'m mut AccountScope {
        by.entry(a.to_string()).or_insert_with(|| AccountScope { account: a.to_string(), ..Default::default() })
    }
    for scope in model.services.iter().filter_map(|s| s.aws.as_ref()) {
        for a in &scope.accounts {
            let acc = at(&mut by, a);
            acc.regions.extend(scope.regions.iter().cloned());
            acc.services.extend(scope.services.iter().map(|s| s.to_uppercase()));
        }
    }
    for v in model.vendors.values().filter(|v| v.kind == VendorKind::AwsSupport) {
        for a in &v.accounts {
            at(&mut by, a).support_vendor = true;
        }
    }
    by.into_values()
        .map(|mut a| {
            a.regions.sort();
            a.regions.dedup();
            a.services.sort();
            a.services.dedup();
            a
        })
        .collect()
}
