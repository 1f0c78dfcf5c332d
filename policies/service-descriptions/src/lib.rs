//! SVC-001: every service has a description. Built as a component (wasm32-wasip2) through
//! the SDK's `component` feature: the same function as a core-ABI policy, no WIT glue here.

use runready_policy::{Finding, Level, PolicyError, Request, component_policy};

component_policy!(include_str!("../policy.yaml"), evaluate);

fn evaluate(req: &Request) -> Result<Vec<Finding>, PolicyError> {
    let model = req.model()?;
    let services = model["services"].as_array().ok_or_else(|| PolicyError::InvalidInput("model.services is not a list".into()))?;
    Ok(services
        .iter()
        .enumerate()
        .filter(|(_, s)| s["description"].as_str().is_none_or(|d| d.trim().is_empty()))
        .map(|(i, s)| {
            let id = s["id"].as_str().unwrap_or("?");
            Finding::new("SVC-001", Level::Warning, format!("service `{id}` has no description")).at(format!("/model/services/{i}")).subject(format!("service:{id}"))
        })
        .collect())
}
