//! Every built-in rule, gathered from the families' `RULES` declarations. A rule is declared
//! once, beside its check; this module only puts the families together, in the order the
//! engine runs them and reports list them: the rules of the model and its timeline, then
//! those of facts, then those of journals; by family within each, in declaration order.

use super::rule::Rule;
use super::{absence, artifact, aws, coverage, drift, drill, escalation, governance, model_rules, runbook, severity, vendor};
use std::sync::OnceLock;

/// Each family's declarations.
const FAMILIES: [&[Rule]; 12] = [
    model_rules::RULES,
    severity::RULES,
    escalation::RULES,
    vendor::RULES,
    runbook::RULES,
    artifact::RULES,
    governance::RULES,
    coverage::RULES,
    absence::RULES,
    aws::RULES,
    drill::RULES,
    drift::RULES,
];

/// Every rule, by input stage and family (in declaration order within a family).
pub fn all() -> &'static [&'static Rule] {
    static ALL: OnceLock<Vec<&'static Rule>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut v: Vec<&'static Rule> = FAMILIES.iter().flat_map(|f| f.iter()).collect();
        v.sort_by_key(|r| (r.input.stage(), r.family));
        v
    })
}

/// The rule with this id, as a user writes it (waivers, overrides, `explain`).
pub fn find(id: &str) -> Option<&'static Rule> {
    all().iter().copied().find(|r| r.id.as_str() == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<_> = all().iter().map(|r| r.id).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule ids");
    }

    #[test]
    fn every_rule_of_rules_md_is_registered_in_its_family() {
        let spec = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/spec/rules.md")).expect("../shared/spec/rules.md beside the checkout");
        let mut listed: Vec<&str> = spec.lines().filter_map(|l| l.strip_prefix("| ")).filter_map(|l| l.split(' ').next()).filter(|id| super::super::rule::is_rule_id(id)).collect();
        listed.sort();
        listed.dedup();
        let mut ours: Vec<&str> = all().iter().map(|r| r.id.as_str()).collect();
        ours.sort();
        assert_eq!(ours, listed, "the rules of rules.md and the registered rules differ");
        for r in all() {
            let prefix = r.id.as_str().split('-').next().unwrap();
            let family = match prefix {
                "SM" => "model",
                "SEV" => "severity",
                "ESC" => "escalation",
                "VND" => "vendor",
                "RB" => "runbook",
                "ART" => "artifact",
                "GOV" => "governance",
                "COV" => "coverage",
                "AWS" => "aws",
                "DRF" => "drift",
                _ => "drill",
            };
            assert_eq!(r.family.as_str(), family, "{} is declared in the wrong family", r.id);
        }
    }
}
