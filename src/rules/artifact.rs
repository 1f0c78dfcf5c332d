//! ART-001, ART-002: what can be fetched from production, and how.

use super::rule::{Rule, rule};
use super::{Ctx, Out, subject};
use crate::model::*;

/// The rules of this family, as `rules`, `explain` and every report list them.
pub static RULES: &[Rule] = &[
    rule!(
        "ART-001",
        Error,
        Artifact,
        Model,
        "Always-available services list version, config and logs artifacts",
        "What a vendor asks for first (60East AMPS)",
        "Every service whose tier's `availability` is `always` lists artifacts of kinds `version`, `config` and `logs`.\n\nFix: add the missing artifact kinds to the service.",
        version_config_logs,
        examples
    ),
    rule!(
        "ART-002",
        Error,
        Artifact,
        Model,
        "Each artifact has one retrieval method, an environment and a max_retrieval",
        "An artifact nobody can fetch from production is not an artifact",
        "Each artifact has exactly one of `retrieve.command`, `retrieve.http`, `retrieve.file`, an `environment` and a `max_retrieval`.",
        retrieval_defined,
        examples
    ),
];

fn version_config_logs(ctx: &Ctx, out: &mut Out) {
    for svc in &ctx.model.services {
        let s = subject("service", &svc.id);
        let Some(tier) = svc.tier.as_ref().and_then(|t| ctx.model.tiers.get(t)) else {
            out.unknown(&s, Some(&svc.origin), "the service's tier is missing or does not exist (SM-001, SM-002)");
            continue;
        };
        if tier.availability != ALWAYS {
            out.pass(&s, &svc.origin, "not required: the tier's availability is not `always`");
            continue;
        }
        let kinds: Vec<ArtifactKind> = svc.artifacts.iter().filter_map(|a| ctx.model.artifacts.get(a)).map(|a| a.kind).collect();
        let missing: Vec<&str> =
            [(ArtifactKind::Version, "version"), (ArtifactKind::Config, "config"), (ArtifactKind::Logs, "logs")].into_iter().filter(|(k, _)| !kinds.contains(k)).map(|(_, n)| n).collect();
        if missing.is_empty() {
            out.pass(&s, &svc.origin, "lists version, config and logs artifacts");
        } else {
            let o = if svc.artifacts.is_empty() { svc.origin.clone() } else { svc.origin.at("artifacts") };
            out.fail(
                &s,
                &o,
                format!("always-available service `{}` has no {} artifact", svc.id, missing.join(", ")),
                format!("add artifacts of kind {} and list them in the service", missing.join(", ")),
            )
            .with_evidence(serde_json::json!({ "missing_kinds": missing }));
        }
    }
}

fn retrieval_defined(ctx: &Ctx, out: &mut Out) {
    for (id, a) in &ctx.model.artifacts {
        let s = subject("artifact", id);
        let mut problems = 0;
        let methods = a.retrieve.as_ref().map(|r| r.methods()).unwrap_or_default();
        if methods.len() != 1 {
            problems += 1;
            let (o, msg) = match methods.len() {
                0 => (a.origin.clone(), format!("artifact `{id}` has no retrieval method")),
                _ => (a.origin.at("retrieve"), format!("artifact `{id}` has {} retrieval methods ({}); exactly one is run", methods.len(), methods.join(", "))),
            };
            out.fail(&s, &o, msg, "keep exactly one of retrieve.command, retrieve.http, retrieve.file");
        }
        if a.environment.as_deref().is_none_or(|e| e.trim().is_empty()) {
            problems += 1;
            out.fail(&s, &a.origin, format!("artifact `{id}` does not say which `environment` it comes from"), "add `environment: production`");
        }
        if a.max_retrieval.is_none_or(|d| d.is_zero()) {
            problems += 1;
            out.fail(&s, &a.origin, format!("artifact `{id}` has no `max_retrieval`"), "add how long retrieval may take, e.g. `max_retrieval: PT1M`");
        }
        if problems == 0 {
            out.pass(&s, &a.origin, format!("retrieved by {} from {} within {}", methods[0], a.environment.as_deref().unwrap_or_default(), a.max_retrieval.map(|d| d.human()).unwrap_or_default()));
        }
    }
}
