//! Vendors' first-response times: the AWS Support table (kept as data in
//! `data/aws-support-response.json`, with its source) and external contracts, with the
//! worst case over a horizon when the clock only runs in business hours.

use super::calendar::{expand_calendar, expand_weekly};
use super::{Horizon, IntervalSet};
use crate::model::{AwsPlan, AwsSeverity, Model, Vendor, VendorKind, WeeklyWindow};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Deserialize)]
struct Table {
    source: String,
    business_hours: WeeklyWindow,
    aliases: HashMap<String, String>,
    plans: HashMap<String, HashMap<String, Option<Entry>>>,
}

#[derive(Deserialize, Clone, Copy)]
struct Entry {
    #[serde(default)]
    hours: i64,
    #[serde(default)]
    minutes: i64,
    #[serde(default)]
    business_hours: bool,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| serde_json::from_str(include_str!("../../data/aws-support-response.json")).expect("the bundled AWS response table is valid JSON"))
}

/// Where the AWS figures come from.
pub fn aws_source() -> &'static str {
    &table().source
}

/// A first-response commitment: how long, and whether the clock runs only in the given hours.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub secs: i64,
    /// `None`: around the clock. `Some`: only inside these instants.
    pub clock: Option<IntervalSet>,
    pub description: String,
}

/// The plan the table is read for (aliases resolved).
pub fn effective_plan(plan: AwsPlan) -> &'static str {
    let name = plan.as_str();
    table().aliases.get(name).map(String::as_str).unwrap_or(name)
}

/// The AWS response for a severity under a plan; `None` when the plan does not offer it.
pub fn aws_response(plan: AwsPlan, severity: AwsSeverity) -> Option<(i64, bool)> {
    let entry = (*table().plans.get(effective_plan(plan))?.get(severity.as_str())?)?;
    Some((entry.hours * 3600 + entry.minutes * 60, entry.business_hours))
}

/// The vendor's first response for a severity code, with its clock over the horizon;
/// `None` when the vendor does not offer that severity.
pub fn vendor_response(model: &Model, vendor: &Vendor, severity: AwsSeverity, horizon: Horizon) -> Option<Response> {
    match vendor.kind {
        VendorKind::AwsSupport => {
            let plan = vendor.plan?;
            let (secs, business) = aws_response(plan, severity)?;
            let clock = business.then(|| {
                let tz = vendor.timezone.as_ref().map(|z| z.tz.clone()).unwrap_or(jiff::tz::TimeZone::UTC);
                expand_weekly(std::slice::from_ref(&table().business_hours), &tz, horizon)
            });
            let what = if business { " (business hours)" } else { "" };
            Some(Response { secs, clock, description: format!("{} on the {} plan{what}", crate::model::human_secs(secs), plan.as_str()) })
        }
        VendorKind::External => {
            let d = vendor.response.get(&severity)?;
            let clock = match vendor.coverage.as_deref() {
                None | Some(crate::model::ALWAYS) => None,
                Some(id) => Some(expand_calendar(model, model.calendars.get(id)?, horizon)),
            };
            let what = vendor.coverage.as_deref().map(|c| format!(" inside `{c}`")).unwrap_or_default();
            Some(Response { secs: d.as_secs(), clock, description: format!("{}{what}", d.human()) })
        }
    }
}

/// The longest elapsed time from a request to the response over `candidates_in`, and the
/// request instant that attains it. With a business-hours clock the worst request comes
/// right as the clock stops (then nothing counts until it reopens), so only those
/// instants and the start are candidates: exact, without sampling.
pub fn worst_case(response: &Response, candidates_in: Horizon) -> Option<(i64, jiff::Timestamp)> {
    let Some(clock) = &response.clock else { return Some((response.secs, candidates_in.start)) };
    let mut candidates = vec![candidates_in.start];
    candidates.extend(clock.intervals().iter().map(|i| i.end).filter(|t| *t < candidates_in.end));
    let mut worst: Option<(i64, jiff::Timestamp)> = None;
    for t in candidates {
        let done = clock.accumulate(t, response.secs)?;
        let elapsed = done.as_second() - t.as_second();
        if worst.is_none_or(|(w, _)| elapsed > w) {
            worst = Some((elapsed, t));
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_spec() {
        assert_eq!(aws_response(AwsPlan::Business, AwsSeverity::Urgent), Some((3600, false)));
        assert_eq!(aws_response(AwsPlan::BusinessPlus, AwsSeverity::High), Some((4 * 3600, false)));
        assert_eq!(aws_response(AwsPlan::Business, AwsSeverity::Critical), None);
        assert_eq!(aws_response(AwsPlan::Enterprise, AwsSeverity::Critical), Some((900, false)));
        assert_eq!(aws_response(AwsPlan::UnifiedOperations, AwsSeverity::Critical), Some((900, false)));
        assert_eq!(aws_response(AwsPlan::EnterpriseOnRamp, AwsSeverity::Critical), Some((1800, false)));
        assert_eq!(aws_response(AwsPlan::Developer, AwsSeverity::Normal), Some((12 * 3600, true)));
        assert_eq!(aws_response(AwsPlan::Developer, AwsSeverity::High), None);
        assert_eq!(aws_response(AwsPlan::Basic, AwsSeverity::Low), None);
    }

    #[test]
    fn developer_low_worst_case_spans_a_weekend() {
        let start: jiff::Timestamp = "2026-11-23T00:00:00Z".parse().unwrap();
        let h = Horizon::new(start, crate::model::Duration::from_days(7));
        let clock = expand_weekly(std::slice::from_ref(&table().business_hours), &jiff::tz::TimeZone::UTC, h.extended(30 * 86_400));
        let r = Response { secs: 24 * 3600, clock: Some(clock), description: String::new() };
        let (secs, at) = worst_case(&r, h).unwrap();
        // From Wednesday 18:00: Thu 10h, Fri 10h, Mon 08:00-12:00 → 114 hours of wall
        // time; Thursday and Friday evenings tie, and the earliest instant is reported.
        assert_eq!(at.to_string(), "2026-11-25T18:00:00Z");
        assert_eq!(secs, 114 * 3600);
    }
}
