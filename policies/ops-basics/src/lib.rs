//! OPS-001: every service whose tier's availability is `always` lists a runbook of kind
//! `restore`. Reads the model into its own small types: only these fields are built.

use runready_policy::{Finding, Level, PolicyError, Request, escape, export_policy};
use serde::Deserialize;
use std::collections::HashMap;

export_policy!(include_str!("../policy.yaml"), evaluate);

#[derive(Deserialize)]
struct Model {
    #[serde(default)]
    services: Vec<Service>,
    #[serde(default)]
    tiers: HashMap<String, Tier>,
    #[serde(default)]
    runbooks: HashMap<String, Runbook>,
}

#[derive(Deserialize)]
struct Service {
    id: String,
    tier: Option<String>,
    #[serde(default)]
    runbooks: Vec<String>,
}

#[derive(Deserialize)]
struct Tier {
    availability: String,
}

#[derive(Deserialize)]
struct Runbook {
    kind: Option<String>,
}

fn evaluate(req: &Request) -> Result<Vec<Finding>, PolicyError> {
    let model: Model = req.model_as()?;
    let mut findings = Vec::new();
    for (i, svc) in model.services.iter().enumerate() {
        let always = svc.tier.as_ref().and_then(|t| model.tiers.get(t)).is_some_and(|t| t.availability == "always");
        if !always {
            continue;
        }
        let has_restore = svc.runbooks.iter().any(|r| model.runbooks.get(r).and_then(|r| r.kind.as_deref()) == Some("restore"));
        if !has_restore {
            let pointer = if svc.runbooks.is_empty() { format!("/model/services/{i}") } else { format!("/model/services/{i}/runbooks") };
            findings.push(
                Finding::new("OPS-001", Level::Error, format!("always-available service `{}` has no runbook of kind restore", svc.id))
                    .at(pointer)
                    .subject(format!("service:{}", escape(&svc.id)))
                    .fix("add a runbook with `kind: restore` and list it in the service"),
            );
        }
    }
    Ok(findings)
}
