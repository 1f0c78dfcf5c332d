//! What a built-in rule is: its id, family, input, default severity, explanation and check,
//! declared once beside the check in its family's file (`RULES`). The registry, `rules`,
//! `explain`, the engine and every report derive from those declarations.

use super::{Ctx, Out};
use crate::model::Level;

/// A rule id as rules.md spells it (`SM-001`, `COV-003`): upper-case letters, a dash and
/// three digits, checked when the declaration is compiled. Ids are binding: SARIF ruleIds,
/// JUnit names, waiver and override keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(&'static str);

/// `PREFIX-NNN`: upper-case letters, a dash, three digits.
pub const fn is_rule_id(id: &str) -> bool {
    let b = id.as_bytes();
    let mut dash = 0;
    while dash < b.len() && b[dash] != b'-' {
        if !b[dash].is_ascii_uppercase() {
            return false;
        }
        dash += 1;
    }
    if dash == 0 || b.len() != dash + 4 {
        return false;
    }
    let mut i = dash + 1;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            return false;
        }
        i += 1;
    }
    true
}

impl RuleId {
    pub const fn new(id: &'static str) -> RuleId {
        assert!(is_rule_id(id), "a rule id is PREFIX-NNN (rules.md)");
        RuleId(id)
    }

    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// A family of rules: one file under `src/rules/` each, and one column of the Markdown
/// report (governance aside). The order of the variants is the order in which rules run
/// and are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Model,
    Severity,
    Escalation,
    Vendor,
    Runbook,
    Artifact,
    Governance,
    Coverage,
    Aws,
    Drill,
    Drift,
}

impl Family {
    /// The families with a column in the Markdown report, in its order.
    pub const REPORTED: [Family; 9] = [Family::Model, Family::Severity, Family::Escalation, Family::Vendor, Family::Runbook, Family::Artifact, Family::Coverage, Family::Aws, Family::Drill];

    pub fn as_str(self) -> &'static str {
        match self {
            Family::Model => "model",
            Family::Severity => "severity",
            Family::Escalation => "escalation",
            Family::Vendor => "vendor",
            Family::Runbook => "runbook",
            Family::Artifact => "artifact",
            Family::Governance => "governance",
            Family::Coverage => "coverage",
            Family::Aws => "aws",
            Family::Drill => "drill",
            Family::Drift => "drift",
        }
    }
}

/// What a rule needs besides the model; also the stage at which the engine runs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    /// The model alone.
    Model,
    /// The simulated timeline (calendars, rotations, escalation walk).
    Time,
    /// A facts snapshot or `--live`.
    Facts,
    /// Drill journals.
    Journals,
    /// The live side of `check --paging DIR`.
    Paging,
}

impl Input {
    /// When the engine runs a rule: the model and its timeline first, then facts, then
    /// journals.
    pub fn stage(self) -> u8 {
        match self {
            Input::Model | Input::Time => 0,
            Input::Facts | Input::Paging => 1,
            Input::Journals => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Input::Model => "model",
            Input::Time => "timeline",
            Input::Facts => "facts",
            Input::Journals => "journals",
            Input::Paging => "paging",
        }
    }
}

/// How the engine evaluates a rule.
#[derive(Clone, Copy)]
pub enum Check {
    /// A check of the model (and its input), reporting into the rule's `Out`.
    Run(fn(&Ctx, &mut Out)),
    /// A governance rule: evaluated with the waivers, after every other rule.
    Waivers,
}

/// One built-in rule.
#[derive(Clone, Copy)]
pub struct Rule {
    pub id: RuleId,
    pub level: Level,
    pub family: Family,
    pub input: Input,
    pub title: &'static str,
    pub why: &'static str,
    /// What it checks and how to fix it.
    pub explain: &'static str,
    pub check: Check,
    /// A model on which the rule fails and one on which it passes, evaluated at
    /// [`EXAMPLES_AT`]; `explain` prints them and a test runs them through the engine.
    pub examples: Option<Examples>,
}

/// The `--at` at which every rule example is evaluated.
pub const EXAMPLES_AT: &str = "2027-03-01T00:00:00Z";

/// A rule's example models (complete `runready.dev/v1` files) and, for rules on facts or
/// journals, the facts snapshot or drill journal (JSON) each is evaluated with.
#[derive(Clone, Copy, Debug)]
pub struct Examples {
    pub fails: &'static str,
    pub passes: &'static str,
    pub fails_input: Option<&'static str>,
    pub passes_input: Option<&'static str>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("id", &self.id).field("family", &self.family).field("input", &self.input).finish_non_exhaustive()
    }
}

/// `rule!("SM-001", Error, Model, Model, "title", "why", "explain", check_fn)`: a
/// declaration in a family's `RULES`; `check_fn, examples` also takes the rule's failing and
/// passing example models from `src/rules/examples/ID.fails.yaml` and `ID.passes.yaml`;
/// `check_fn, examples facts` (or `journal`) also `ID.fails.facts.json` and so on.
macro_rules! rule {
    (@examples) => { None };
    (@examples examples, $id:literal) => {
        Some($crate::rules::rule::Examples {
            fails: include_str!(concat!("examples/", $id, ".fails.yaml")),
            passes: include_str!(concat!("examples/", $id, ".passes.yaml")),
            fails_input: None,
            passes_input: None,
        })
    };
    (@examples examples paging, $id:literal) => {
        Some($crate::rules::rule::Examples {
            fails: include_str!(concat!("examples/", $id, ".fails.yaml")),
            passes: include_str!(concat!("examples/", $id, ".passes.yaml")),
            fails_input: Some(include_str!(concat!("examples/", $id, ".fails.paging.yaml"))),
            passes_input: Some(include_str!(concat!("examples/", $id, ".passes.paging.yaml"))),
        })
    };
    (@examples examples $input:ident, $id:literal) => {
        Some($crate::rules::rule::Examples {
            fails: include_str!(concat!("examples/", $id, ".fails.yaml")),
            passes: include_str!(concat!("examples/", $id, ".passes.yaml")),
            fails_input: Some(include_str!(concat!("examples/", $id, ".fails.", stringify!($input), ".json"))),
            passes_input: Some(include_str!(concat!("examples/", $id, ".passes.", stringify!($input), ".json"))),
        })
    };
    (@check waivers) => { $crate::rules::rule::Check::Waivers };
    (@check $check:path) => { $crate::rules::rule::Check::Run($check) };
    ($id:literal, $level:ident, $family:ident, $input:ident, $title:literal, $why:literal, $explain:literal, $check:ident $(, $examples:ident $($with:ident)?)?) => {
        $crate::rules::rule::Rule {
            id: $crate::rules::rule::RuleId::new($id),
            level: $crate::model::Level::$level,
            family: $crate::rules::rule::Family::$family,
            input: $crate::rules::rule::Input::$input,
            title: $title,
            why: $why,
            explain: $explain,
            check: rule!(@check $check),
            examples: rule!(@examples $($examples $($with)?, $id)?),
        }
    };
}
pub(crate) use rule;
