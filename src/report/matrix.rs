//! The services-by-family table of the Markdown report, built from the report and the
//! model (which results concern which service) before rendering, so that the renderer
//! reads nothing but what it is given. One pass over the results: a 1,000-service report
//! builds its table in milliseconds.

use super::Report;
use crate::model::{Level, Model};
use crate::rules::rule::Family;
use crate::rules::{RuleResult, Status};
use serde::Serialize;
use std::collections::HashMap;

/// One row: a service and one cell per reported family (`Family::REPORTED`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceRow {
    pub id: String,
    pub cells: Vec<String>,
}

/// A row for every service that some result concerns, in model order. Rules not evaluated
/// for the whole model show as ❔ in every row.
pub fn service_rows(report: &Report, model: &Model) -> Vec<ServiceRow> {
    let users = model.users_index();
    let family: HashMap<&str, Family> = report.rules.iter().filter_map(|d| d.family.map(|f| (d.id.as_str(), f))).collect();
    let position: HashMap<&str, usize> = model.services.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let mut mine: Vec<Vec<&RuleResult>> = vec![Vec::new(); model.services.len()];
    let mut everywhere: Vec<&RuleResult> = Vec::new();
    for r in &report.results {
        let base = crate::model::Subject::parse(&r.subject).base();
        for svc in users.get(base).into_iter().flatten() {
            if let Some(&i) = position.get(svc) {
                mine[i].push(r);
            }
        }
        if r.subject == "model" && r.status == Status::Unknown {
            everywhere.push(r);
        }
    }
    model
        .services
        .iter()
        .zip(&mine)
        .filter(|(_, results)| !results.is_empty())
        .map(|(s, results)| {
            let cells = Family::REPORTED
                .iter()
                .map(|fam| {
                    let in_family: Vec<&RuleResult> = results.iter().chain(&everywhere).copied().filter(|r| family.get(r.rule.as_str()) == Some(fam)).collect();
                    cell(&in_family)
                })
                .collect();
            ServiceRow { id: s.id.clone(), cells }
        })
        .collect()
}

/// ❌ n (errors failing), ⚠️ n (warnings failing), 🔕 (waived), ❔ (unknown or error), ✅, or –.
fn cell(results: &[&RuleResult]) -> String {
    let fails = results.iter().filter(|r| r.status == Status::Fail).count();
    let errors = results.iter().filter(|r| r.status == Status::Fail && r.severity == Level::Error).count();
    if results.is_empty() {
        "–".to_string()
    } else if errors > 0 {
        format!("❌ {fails}")
    } else if fails > 0 {
        format!("⚠️ {fails}")
    } else if results.iter().any(|r| r.status == Status::Waived) {
        "🔕".to_string()
    } else if results.iter().any(|r| r.status == Status::Unknown || r.status == Status::Error) {
        "❔".to_string()
    } else {
        "✅".to_string()
    }
}
