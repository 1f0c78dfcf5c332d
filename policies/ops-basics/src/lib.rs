//! OPS-001: every service whose tier's availability is `always` lists a runbook of kind
//! `restore`.

use runready_policy::{Finding, Level, PolicyError, Request, Value, escape, export_policy};

export_policy!(include_str!("../policy.yaml"), evaluate);

fn evaluate(req: &Request) -> Result<Vec<Finding>, PolicyError> {
    let model = &req.model;
    let services = model["services"].as_array().ok_or_else(|| PolicyError::InvalidInput("model.services is not a list".into()))?;
    let mut findings = Vec::new();
    for (i, svc) in services.iter().enumerate() {
        let always = svc["tier"].as_str().and_then(|t| model["tiers"][t]["availability"].as_str()) == Some("always");
        if !always {
            continue;
        }
        let runbooks: Vec<&str> = svc["runbooks"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        let has_restore = runbooks.iter().any(|r| model["runbooks"][*r]["kind"].as_str() == Some("restore"));
        if !has_restore {
            let id = svc["id"].as_str().unwrap_or("?");
            let pointer = if runbooks.is_empty() { format!("/model/services/{i}") } else { format!("/model/services/{i}/runbooks") };
            findings.push(
                Finding::new("OPS-001", Level::Error, format!("always-available service `{id}` has no runbook of kind restore"))
                    .at(pointer)
                    .subject(format!("service:{}", escape(id)))
                    .fix("add a runbook with `kind: restore` and list it in the service"),
            );
        }
    }
    Ok(findings)
}
