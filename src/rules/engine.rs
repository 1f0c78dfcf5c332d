//! Runs every built-in rule, then waivers, overrides and the `--service` filter.

use super::registry;
use super::rule::{Check, Input, Rule};
use super::{Ctx, Out, RuleResult, Status, governance};
use crate::load::Sources;
use crate::model::Model;
use crate::time::Horizon;
use crate::time::stage::Stage;

/// What the caller decides: time, scope, and which inputs are mandatory.
#[derive(Clone, Debug)]
pub struct Options {
    pub at: jiff::Timestamp,
    pub horizon: crate::model::Duration,
    /// Only these services (empty: all).
    pub services: Vec<String>,
    pub require_facts: bool,
    pub require_journals: bool,
    /// `--require paging`: without a snapshot, the DRF rules fail instead of `unknown`.
    pub require_paging: bool,
    pub display_tz: jiff::tz::TimeZone,
    /// Policies from `--policy`, run besides the model's own.
    pub policies: Vec<crate::policy::PolicySpec>,
    /// Live AWS state from `--facts` or `--live`; `None`: the AWS rules are not evaluated.
    pub facts: Option<crate::facts::Facts>,
    /// `--max-facts-age` (AWS-005).
    pub max_facts_age: crate::model::Duration,
    /// Drill journals from `--journal`; `None`: DRL-001/003/004 are not evaluated.
    pub journals: Option<Vec<crate::drill::journal::Journal>>,
    /// The live side of `--paging DIR`.
    pub paging: Option<Model>,
    /// `--allow-outside-root`: read runbooks the model names outside the repository root.
    pub allow_outside_root: bool,
}

impl Options {
    /// `check`'s defaults at `at`: a P90D horizon, every service, UTC, no policies, no facts
    /// or journals (their rules `unknown`), facts fresh for PT24H.
    pub fn at(at: jiff::Timestamp) -> Options {
        Options {
            at,
            horizon: crate::model::Duration::from_days(90),
            services: Vec::new(),
            require_facts: false,
            require_journals: false,
            require_paging: false,
            display_tz: jiff::tz::TimeZone::UTC,
            policies: Vec::new(),
            facts: None,
            max_facts_age: crate::model::Duration::from_secs(24 * 3600),
            journals: None,
            paging: None,
            allow_outside_root: false,
        }
    }
}

/// Every result of a run, in registry order.
pub struct Evaluation {
    pub results: Vec<RuleResult>,
    /// Rules switched off by `rule_overrides`.
    pub disabled: Vec<String>,
}

/// Builds the run's time stage and evaluates every rule on it.
pub fn evaluate(model: &Model, sources: &Sources, opts: &Options) -> Evaluation {
    let stage = Stage::build(model, Horizon::new(opts.at, opts.horizon));
    evaluate_on(&stage, sources, opts)
}

/// Evaluates every rule on a time stage the caller built (and hands on to renderers); its
/// horizon must be `opts.at` .. `opts.at + opts.horizon`.
pub fn evaluate_on(stage: &Stage, sources: &Sources, opts: &Options) -> Evaluation {
    let model = stage.model();
    let mut ctx = Ctx::new(stage, sources, opts.at, opts.display_tz.clone());
    ctx.facts = opts.facts.as_ref();
    ctx.max_facts_age = opts.max_facts_age;
    ctx.require_facts = opts.require_facts;
    ctx.journals = opts.journals.as_deref();
    ctx.paging = opts.paging.as_ref();
    let sourced = !super::drift::sourced(model).is_empty();
    ctx.runbooks = super::runbook::read_all(model, sources, opts.allow_outside_root);
    let disabled: Vec<String> = model.rule_overrides.iter().filter(|(_, o)| o.enabled == Some(false)).map(|(id, _)| id.clone()).collect();
    let mut results = Vec::new();
    for rule in registry::all() {
        let Check::Run(check) = rule.check else { continue };
        if disabled.iter().any(|d| d == rule.id.as_str()) {
            continue;
        }
        match rule.input {
            Input::Facts if opts.facts.is_none() && opts.require_facts => results.push(not_evaluated(rule, Status::Fail, "no facts given, and --require facts makes them mandatory")),
            Input::Facts if opts.facts.is_none() => results.push(not_evaluated(rule, Status::Unknown, "not evaluated: no facts given")),
            Input::Journals if opts.journals.is_none() && opts.require_journals => {
                results.push(not_evaluated(rule, Status::Fail, "no drill journals given, and --require journals makes them mandatory"))
            }
            Input::Journals if opts.journals.is_none() => results.push(not_evaluated(rule, Status::Unknown, "not evaluated: no journals given")),
            // Models that do not use paging keep their counts: one pass, "not required".
            Input::Paging if opts.paging.is_none() && !sourced => results.push(not_evaluated(rule, Status::Pass, "not required: no object of the model carries `source:`")),
            Input::Paging if opts.paging.is_none() && opts.require_paging => results.push(not_evaluated(rule, Status::Fail, "no paging snapshot given, and --require paging makes it mandatory")),
            Input::Paging if opts.paging.is_none() => results.push(not_evaluated(rule, Status::Unknown, "not evaluated: no paging snapshot given")),
            _ => {
                let mut out = Out::new(&ctx, rule);
                check(&ctx, &mut out);
                results.extend(out.results);
            }
        }
    }
    results.extend(run_policies(&ctx, &opts.policies));
    let gov_enabled = |id: &str| !disabled.iter().any(|d| d == id);
    let (gov1, waivers) = governance::gov001(&ctx);
    let gov2 = governance::apply(&ctx, &mut results, &waivers);
    if gov_enabled("GOV-001") {
        results.extend(gov1);
    }
    if gov_enabled("GOV-002") {
        results.extend(gov2);
    }
    for r in &mut results {
        if let Some(level) = model.rule_overrides.get(&r.rule).and_then(|o| o.severity) {
            r.severity = level;
        }
    }
    if !opts.services.is_empty() {
        results.retain(|r| in_scope(model, &opts.services, &r.subject));
    }
    Evaluation { results, disabled }
}

fn not_evaluated(rule: &Rule, status: Status, why: &str) -> RuleResult {
    RuleResult {
        rule: rule.id.to_string(),
        title: rule.title.into(),
        severity: rule.level,
        status,
        subject: "model".into(),
        message: why.into(),
        location: None,
        evidence: serde_json::Value::Null,
        help: None,
        waiver: None,
    }
}

/// Runs the model's policies and those of `--policy` on one shared request; the whole
/// run's policies stop after 60 s of wall clock (policy-abi.md), the rest report `timeout`.
fn run_policies(ctx: &Ctx, extra: &[crate::policy::PolicySpec]) -> Vec<RuleResult> {
    let specs: Vec<_> = crate::policy::from_model(ctx.model, ctx.sources).into_iter().chain(extra.iter().cloned()).collect();
    if specs.is_empty() {
        return Vec::new();
    }
    let shared = crate::policy::Shared::new(ctx.stage, ctx.facts);
    let started = std::time::Instant::now();
    let mut results = Vec::new();
    for spec in &specs {
        let left_ms = 60_000u64.saturating_sub(started.elapsed().as_millis() as u64).max(1);
        results.extend(crate::policy::run(spec, &shared, &ctx.at.to_string(), ctx.model, ctx.sources, left_ms).results);
    }
    results
}

/// Whether a result belongs to the selected services: their own results, the entities
/// they use, and model-wide results.
fn in_scope(model: &Model, selected: &[String], subject: &str) -> bool {
    match model.services_of_subject(subject) {
        None => true,
        Some(users) => users.is_empty() || users.iter().any(|u| selected.iter().any(|s| s == u)),
    }
}
