//! Policies, rule overrides and waivers: how a team adapts the rules to itself.

use super::grammar::Spelling;
use super::scalars::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Limits a model grants a policy beyond its defaults.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyLimits {
    /// Fuel per call (deterministic CPU budget).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
    /// Wall-clock limit per call, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Memory per instance, in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mib: Option<u64>,
}

/// A policy run on every check of this model: a WASM module or a Rego policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyRef {
    /// Path to the `.wasm` file, or to a Rego policy (a directory with a `policy.yaml` of
    /// `abi: rego`, or a `.rego` file beside one), relative to this YAML file.
    pub path: String,
    /// Optional sha256 pin of the module (of a Rego policy: over its sorted files, as
    /// `runready policy inspect` prints it); a mismatch is a load error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("pattern" = Spelling::Sha256.pattern(), "patternErrorMessage" = Spelling::Sha256.message()))]
    pub sha256: Option<String>,
    /// Settings passed to the policy, validated against its settings schema.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub settings: serde_json::Value,
    /// Limits beyond the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<PolicyLimits>,
}

/// Severity a rule's findings are reported with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// A different severity for a rule, or the rule switched off.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    /// The severity to report the rule's findings with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Level>,
    /// `false` switches the rule off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// An approved, expiring exception for one rule and subject.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// Rule id, e.g. DRL-001 or acme/ORG-001.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Subject, e.g. service:payments-api.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Why the exception is acceptable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who approved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// The last date on which the waiver applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
}
