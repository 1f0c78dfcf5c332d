//! Reads live AWS state for a model's accounts: the only part of `facts` that touches the
//! network. Independent calls run concurrently (bounded by a semaphore, so chains of
//! dependent calls interleave); the SDK's standard retry mode backs off on throttling;
//! every call attempt has a timeout.

mod health;
mod support;
mod trusted_advisor;

use super::plan::AccountScope;
use super::{Facts, Source, SourceKind, SourceStatus};
use crate::aws::sdk_config;
use crate::aws::{CallError, Settings, classify};
use aws_config::SdkConfig;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Everything a collection needs: the configurations and the bound on calls in flight.
pub struct Collector {
    base: SdkConfig,
    per_account: BTreeMap<String, SdkConfig>,
    limit: Arc<Semaphore>,
    progress: bool,
}

impl Collector {
    /// Credentials from the standard chain, and from `--account-profile` per account.
    pub async fn from_env(settings: &Settings) -> Collector {
        let base = sdk_config(settings, None).await;
        let mut per_account = BTreeMap::new();
        for (account, profile) in &settings.account_profiles {
            per_account.insert(account.clone(), sdk_config(settings, Some(profile)).await);
        }
        Collector::with_configs(base, per_account, settings)
    }

    /// Explicit configurations (tests point them at replayed or local endpoints).
    pub fn with_configs(base: SdkConfig, per_account: BTreeMap<String, SdkConfig>, settings: &Settings) -> Collector {
        Collector { base, per_account, limit: Arc::new(Semaphore::new(settings.concurrency.max(1))), progress: settings.progress }
    }

    /// Collects every source for every account. Never fails as a whole: each source
    /// records its own status.
    pub async fn collect(&self, scopes: &[AccountScope]) -> Facts {
        self.collect_only(scopes, &[SourceKind::TrustedAdvisor, SourceKind::SupportPlan, SourceKind::Health]).await
    }

    /// Collects only the sources of `kinds` (a drill's safety check reads Health alone).
    pub async fn collect_only(&self, scopes: &[AccountScope], kinds: &[SourceKind]) -> Facts {
        let mut facts = Facts::new(jiff::Timestamp::now());
        let bar = Progress::new(self.progress, scopes.len() * kinds.len());
        let identities = self.identities(scopes).await;
        let org = if kinds.contains(&SourceKind::Health) { health::org_view_usable(self, scopes, &identities).await } else { None };
        let mut tasks = tokio::task::JoinSet::new();
        for scope in scopes {
            let target = match &identities[&scope.account] {
                Ok(config) => Ok(config.clone()),
                Err(e) => Err(e.clone()),
            };
            for &kind in kinds {
                if kind == SourceKind::Health && org.is_some() {
                    continue;
                }
                let (scope, target, limit) = (scope.clone(), target.clone(), self.limit.clone());
                tasks.spawn(async move {
                    let config = match target {
                        Ok(c) => c,
                        Err(e) => return Part::failed(kind, &scope.account, "sts", &e),
                    };
                    let calls = Calls { config, limit };
                    match kind {
                        SourceKind::TrustedAdvisor => trusted_advisor::collect(&calls, &scope).await,
                        SourceKind::SupportPlan => support::plan(&calls, &scope).await,
                        SourceKind::Health => health::collect_account(&calls, &scope).await,
                    }
                });
            }
        }
        if let Some(config) = org {
            let (scopes, limit) = (scopes.to_vec(), self.limit.clone());
            tasks.spawn(async move { health::collect_organization(&Calls { config, limit }, &scopes).await });
        }
        while let Some(done) = tasks.join_next().await {
            let part = done.unwrap_or_else(|e| Part { sources: vec![], facts: Facts::default(), panic: Some(e.to_string()) });
            bar.advance(part.sources.len().max(1));
            if let Some(p) = part.panic {
                facts.sources.push(Source {
                    source: SourceKind::Health,
                    account: "*".into(),
                    region: None,
                    api: "runready".into(),
                    collected_at: now(),
                    status: SourceStatus::Error,
                    message: Some(format!("collector task failed: {p}")),
                });
            }
            facts.sources.extend(part.sources);
            facts.recommendations.extend(part.facts.recommendations);
            facts.health_events.extend(part.facts.health_events);
            facts.support_plans.extend(part.facts.support_plans);
        }
        bar.finish();
        facts.sort();
        facts
    }

    /// The configuration that reaches each account, checked with STS (concurrently):
    /// credentials for another account must not be taken for this one's facts.
    async fn identities(&self, scopes: &[AccountScope]) -> BTreeMap<String, Result<SdkConfig, CallError>> {
        let mut tasks = tokio::task::JoinSet::new();
        let base = self.base.clone();
        let limit = self.limit.clone();
        tasks.spawn(async move { (None, caller_account(&Calls { config: base, limit }).await) });
        for (account, config) in self.per_account.iter().filter(|(a, _)| scopes.iter().any(|s| &s.account == *a)) {
            let (account, config, limit) = (account.clone(), config.clone(), self.limit.clone());
            tasks.spawn(async move { (Some(account), caller_account(&Calls { config, limit }).await) });
        }
        let mut caller = Err(CallError { status: SourceStatus::Error, message: "no identity".into(), transient: false });
        let mut mapped = BTreeMap::new();
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok((None, id)) => caller = id,
                Ok((Some(account), id)) => {
                    mapped.insert(account, id);
                }
                Err(e) => caller = Err(CallError { status: SourceStatus::Error, message: format!("identity task failed: {e}"), transient: false }),
            }
        }
        let mut out = BTreeMap::new();
        for scope in scopes {
            let a = &scope.account;
            let r = match (mapped.get(a), &caller) {
                (Some(Ok(id)), _) if id == a => Ok(self.per_account[a].clone()),
                (Some(Ok(id)), _) => Err(CallError { status: SourceStatus::Error, message: format!("the profile given for account {a} has credentials of account {id}"), transient: false }),
                (Some(Err(e)), _) => Err(e.clone()),
                (None, Ok(id)) if id == a => Ok(self.base.clone()),
                (None, Ok(id)) => {
                    Err(CallError { status: SourceStatus::Error, message: format!("the credentials belong to account {id}, not {a}: give --account-profile {a}=PROFILE"), transient: false })
                }
                (None, Err(e)) => Err(e.clone()),
            };
            out.insert(a.clone(), r);
        }
        out
    }

    pub(super) fn base(&self) -> &SdkConfig {
        &self.base
    }

    pub(super) fn limit(&self) -> Arc<Semaphore> {
        self.limit.clone()
    }
}

async fn caller_account(calls: &Calls) -> Result<String, CallError> {
    calls.call(crate::aws::caller_account(&calls.config)).await
}

/// A configuration and the shared bound on calls in flight.
pub struct Calls {
    pub config: SdkConfig,
    pub limit: Arc<Semaphore>,
}

impl Calls {
    /// Runs one call while holding a slot.
    pub async fn call<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        let _slot = self.limit.acquire().await.expect("the semaphore is never closed");
        f.await
    }
}

/// What one task collected: its sources and their facts.
pub struct Part {
    pub sources: Vec<Source>,
    pub facts: Facts,
    pub panic: Option<String>,
}

impl Part {
    pub fn ok(kind: SourceKind, account: &str, region: Option<&str>, api: &str, facts: Facts, message: Option<String>) -> Part {
        let source = Source { source: kind, account: account.into(), region: region.map(str::to_string), api: api.into(), collected_at: now(), status: SourceStatus::Ok, message };
        Part { sources: vec![source], facts, panic: None }
    }

    pub fn failed(kind: SourceKind, account: &str, api: &str, e: &CallError) -> Part {
        Part { sources: vec![failed_source(kind, account, None, api, e)], facts: Facts::default(), panic: None }
    }
}

pub fn failed_source(kind: SourceKind, account: &str, region: Option<&str>, api: &str, e: &CallError) -> Source {
    Source { source: kind, account: account.into(), region: region.map(str::to_string), api: api.into(), collected_at: now(), status: e.status, message: Some(e.message.clone()) }
}

fn now() -> crate::model::Instant {
    crate::model::Instant(jiff::Timestamp::now())
}

/// An SDK timestamp as an instant.
pub fn instant(t: Option<&aws_sdk_health::primitives::DateTime>) -> Option<crate::model::Instant> {
    let t = t?;
    jiff::Timestamp::new(t.secs(), t.subsec_nanos() as i32).ok().map(crate::model::Instant)
}

impl Facts {
    /// Puts everything in a stable order: a snapshot of the same state is the same file.
    fn sort(&mut self) {
        self.sources.sort_by(|a, b| (&a.account, a.source, &a.api).cmp(&(&b.account, b.source, &b.api)));
        self.recommendations.sort_by(|a, b| (&a.account, &a.check, &a.recommendation_id).cmp(&(&b.account, &b.check, &b.recommendation_id)));
        self.health_events.sort_by(|a, b| (&a.account, &a.arn).cmp(&(&b.account, &b.arn)));
        self.support_plans.sort_by(|a, b| a.account.cmp(&b.account));
    }
}

/// The progress bar: sources done out of sources planned, on stderr, only on a terminal.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(enabled: bool, total: usize) -> Progress {
        if !enabled || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(indicatif::ProgressStyle::with_template("{spinner} collecting AWS facts [{bar:30}] {pos}/{len} sources ({elapsed})").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()));
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(Some(bar))
    }

    fn advance(&self, n: usize) {
        if let Some(b) = &self.0 {
            b.inc(n as u64);
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
