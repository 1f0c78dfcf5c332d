//! One result model, many renderers: the JSON report is the model; the terminal, JUnit,
//! SARIF and Markdown reports are rendered from it.

pub mod baseline;
pub mod codequality;
pub mod drill;
pub mod github;
pub mod heatmap;
pub mod human;
pub mod junit;
pub mod markdown;
pub mod matrix;
pub mod sarif;

use crate::diag::Diagnostic;
use crate::exit;
use crate::model::Level;
use crate::rules::{RuleResult, Status};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Nothing at or above `--fail-on`.
    Ready,
    /// At least one finding at or above `--fail-on`.
    NotReady,
    /// A result has status `error` (without `--allow-incomplete`).
    Incomplete,
    /// The model could not be loaded.
    Invalid,
}

impl Verdict {
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Ready => exit::READY,
            Verdict::NotReady => exit::NOT_READY,
            Verdict::Incomplete => exit::INCOMPLETE,
            Verdict::Invalid => exit::INVALID_INPUT,
        }
    }
}

/// `--fail-on`: the lowest severity of a failure that makes the verdict "not ready".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Never,
}

impl FailOn {
    pub fn trips(self, level: Level) -> bool {
        match self {
            FailOn::Error => level >= Level::Error,
            FailOn::Warning => level >= Level::Warning,
            FailOn::Never => false,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub waived: usize,
    pub unknown: usize,
    pub error: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelInfo {
    pub name: String,
    pub files: Vec<String>,
}

/// A rule from the catalogue, as reports describe it (SARIF `tool.driver.rules`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RuleDescriptor {
    pub id: String,
    pub title: String,
    pub severity: Level,
    pub why: String,
    /// The built-in rule's family (absent for policy rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<crate::rules::rule::Family>,
    /// The built-in rule's explanation, as `runready explain` prints it (without examples).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub explain: String,
}

/// The JSON report: everything a run concluded. Every other format renders this.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub model: ModelInfo,
    pub evaluated_at: String,
    pub horizon: String,
    pub fail_on: FailOn,
    pub verdict: Verdict,
    pub summary: Summary,
    /// Every result, passes included.
    pub results: Vec<RuleResult>,
    /// Problems that made the model unusable (verdict `invalid`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_errors: Vec<Diagnostic>,
    /// Rules switched off by `rule_overrides`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disabled_rules: Vec<String>,
    /// The rules of this run, for renderers that list them.
    #[serde(default)]
    pub rules: Vec<RuleDescriptor>,
    /// The latest live run of each drill, from `--journal` (measured against targets).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drills: Vec<crate::drill::journal::Journal>,
}

impl Report {
    pub fn new(model: ModelInfo, evaluated_at: jiff::Timestamp, horizon: crate::model::Duration, fail_on: FailOn) -> Self {
        Report {
            schema_version: 1,
            tool: Tool { name: "runready".into(), version: env!("CARGO_PKG_VERSION").into() },
            model,
            evaluated_at: evaluated_at.to_string(),
            horizon: horizon.to_string(),
            fail_on,
            verdict: Verdict::Ready,
            summary: Summary::default(),
            results: Vec::new(),
            load_errors: Vec::new(),
            disabled_rules: Vec::new(),
            rules: crate::rules::registry::all()
                .iter()
                .map(|r| RuleDescriptor { id: r.id.to_string(), title: r.title.into(), severity: r.level, why: r.why.into(), family: Some(r.family), explain: r.explain.into() })
                .collect(),
            drills: Vec::new(),
        }
    }

    /// Fills the summary and the verdict from the results and load errors.
    pub fn conclude(&mut self, allow_incomplete: bool) {
        let mut s = Summary::default();
        for r in &self.results {
            match r.status {
                Status::Pass => s.pass += 1,
                Status::Fail => s.fail += 1,
                Status::Waived => s.waived += 1,
                Status::Unknown => s.unknown += 1,
                Status::Error => s.error += 1,
            }
        }
        // Policy rules are not in the catalogue: describe them from their results.
        for r in &self.results {
            if !self.rules.iter().any(|d| d.id == r.rule) {
                self.rules.push(RuleDescriptor { id: r.rule.clone(), title: r.title.clone(), severity: r.severity, why: String::new(), family: None, explain: String::new() });
            }
        }
        self.summary = s;
        self.verdict = if !self.load_errors.is_empty() {
            Verdict::Invalid
        } else if self.summary.error > 0 && !allow_incomplete {
            Verdict::Incomplete
        } else if self.failing().next().is_some() {
            Verdict::NotReady
        } else {
            Verdict::Ready
        };
    }

    /// Failures at or above `--fail-on`.
    pub fn failing(&self) -> impl Iterator<Item = &RuleResult> {
        self.results.iter().filter(|r| r.status == Status::Fail && self.fail_on.trips(r.severity))
    }

    /// Rules reported `unknown`, with their reason: "every report says plainly which
    /// rules were not evaluated".
    pub fn not_evaluated(&self) -> Vec<(&str, &str)> {
        let mut v: Vec<(&str, &str)> = self.results.iter().filter(|r| r.status == Status::Unknown && r.subject == "model").map(|r| (r.rule.as_str(), r.message.as_str())).collect();
        v.dedup();
        v
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("reports serialise") + "\n"
    }
}
