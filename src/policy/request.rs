//! The policy request as it is sent (policy-abi.md, "Data contract"), the result as the host
//! reads it, and the parts of the request a run shares between its policies.

use super::Finding;
use super::manifest::Input;
use serde_json::Value;

/// What `evaluate` receives (policy-abi.md, "Data contract"), as it is sent; its JSON
/// Schema is `schemas/policy-request.schema.json`. The shared parts are borrowed from
/// [`Shared`], so each is built once per run whatever the number of policies.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[schemars(title = "runready policy request (runready.dev/v1)")]
pub struct Request<'a> {
    /// Always `runready.dev/v1`.
    #[schemars(with = "String")]
    pub api_version: &'a str,
    pub context: Context,
    /// The merged support model, normalised: sections as in the model files, merged.
    /// Absent when the policy's `inputs` leave it out.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub model: Option<&'a Value>,
    /// Per service: gaps (`from`, `to`, `seconds`); per severity: worst time to engage,
    /// its instant, `never_engaged`, the acknowledge target. Absent when the policy's
    /// `inputs` leave it out.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub derived: Option<&'a Value>,
    /// The facts snapshot (`schemas/facts.schema.json`), when one was given and the
    /// policy's `inputs` ask for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<crate::facts::Facts>")]
    pub facts: Option<&'a Value>,
    /// The policy's settings, validated against its `settings_schema`.
    #[schemars(with = "Value")]
    pub settings: &'a Value,
}

/// The request's context.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Context {
    /// The `--at` instant: the only clock a policy has.
    pub now: String,
    pub tool_version: String,
    /// The policy's name.
    pub policy: String,
}

impl Request<'_> {
    /// Whether an RFC 6901 pointer resolves to a value of this request.
    pub fn resolves(&self, pointer: &str) -> bool {
        if pointer.is_empty() {
            return true;
        }
        let Some(rest) = pointer.strip_prefix('/') else { return false };
        let (head, tail) = rest.split_once('/').map_or((rest, ""), |(h, t)| (h, t));
        let tail = if tail.is_empty() { String::new() } else { format!("/{tail}") };
        let part = match head {
            "model" => self.model,
            "derived" => self.derived,
            "facts" => self.facts,
            "settings" => Some(self.settings),
            "api_version" => return tail.is_empty(),
            "context" => return serde_json::to_value(&self.context).is_ok_and(|c| c.pointer(&tail).is_some()),
            _ => None,
        };
        part.is_some_and(|v| v.pointer(&tail).is_some())
    }
}

/// What `evaluate` returns (policy-abi.md, "Data contract"), as the host reads it.
#[derive(serde::Deserialize, schemars::JsonSchema)]
#[schemars(title = "runready policy result (runready.dev/v1)")]
pub struct PolicyResult {
    pub findings: Vec<Finding>,
}

/// The shared parts of a run's policy requests: each is built at most once per run, and
/// only when a policy's `inputs` ask for it (policy-abi.md, v1.1).
pub struct Shared<'a> {
    stage: &'a crate::time::stage::Stage<'a>,
    facts: Option<&'a crate::facts::Facts>,
    model_json: std::cell::OnceCell<Value>,
    derived: std::cell::OnceCell<Value>,
    facts_json: std::cell::OnceCell<Option<Value>>,
}

impl<'a> Shared<'a> {
    /// The parts of a run on `stage` (whose timeline `derived` reads), with `facts` if given.
    pub fn new(stage: &'a crate::time::stage::Stage<'a>, facts: Option<&'a crate::facts::Facts>) -> Self {
        Shared { stage, facts, model_json: Default::default(), derived: Default::default(), facts_json: Default::default() }
    }

    /// The part `input` of the request, built on first use.
    pub fn part(&self, input: Input) -> Option<&Value> {
        match input {
            Input::Model => Some(self.model_json.get_or_init(|| serde_json::to_value(self.stage.model()).unwrap_or_default())),
            Input::Derived => Some(self.derived.get_or_init(|| serde_json::to_value(crate::time::analysis::derived(self.stage)).expect("derived serialises"))),
            Input::Facts => self.facts_json.get_or_init(|| self.facts.and_then(|f| serde_json::to_value(f).ok())).as_ref(),
        }
    }

    /// The request for one policy: its context and settings, and the shared parts it
    /// reads (`wants`).
    pub fn request<'s>(&'s self, wants: impl Fn(Input) -> bool, at: &str, policy: &str, settings: &'s Value) -> Request<'s> {
        let part = |input: Input| if wants(input) { self.part(input) } else { None };
        Request {
            api_version: crate::model::API_VERSION,
            context: Context { now: at.to_string(), tool_version: env!("CARGO_PKG_VERSION").to_string(), policy: policy.to_string() },
            model: part(Input::Model),
            derived: part(Input::Derived),
            facts: part(Input::Facts),
            settings,
        }
    }

    /// Which parts have been built so far (for tests of "at most once, only when asked").
    pub fn built(&self) -> Vec<Input> {
        let mut out = Vec::new();
        if self.model_json.get().is_some() {
            out.push(Input::Model);
        }
        if self.derived.get().is_some() {
            out.push(Input::Derived);
        }
        if self.facts_json.get().is_some() {
            out.push(Input::Facts);
        }
        out
    }
}
