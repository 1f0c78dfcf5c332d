//! A test policy for the component contract: one `info` finding per facts source in the
//! request, pointing at the source's account, and none when the request has no facts.
//! It proves that `facts` reaches a component policy (policy-abi.md, "Request").

use runready_policy::{Finding, Level, PolicyError, Request, component_policy};

component_policy!(include_str!("../policy.yaml"), evaluate);

fn evaluate(req: &Request) -> Result<Vec<Finding>, PolicyError> {
    let Some(facts) = req.facts()? else { return Ok(Vec::new()) };
    let sources = facts["sources"].as_array().cloned().unwrap_or_default();
    Ok(sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let account = s["account"].as_str().unwrap_or("?");
            Finding::new("FCT-001", Level::Info, format!("saw the {} source of account {account}", s["source"].as_str().unwrap_or("?"))).at(format!("/facts/sources/{i}/account"))
        })
        .collect())
}
