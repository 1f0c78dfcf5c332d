//! Reads live AWS state for a model's accounts: the only part of `facts` that touches the
//! network. Independent calls run concurrently (bounded by a semaphore, so chains of
//! dependent calls interleave); the SDK's standard retry mode backs off on throttling;
//! every call attempt has a timeout.

mod health;
mod support;
mod trusted_advisor;

pub use support::client as support_client;

use super::plan::AccountScope;
use super::{Facts, Source, SourceKind, SourceStatus};
use aws_config::{BehaviorVersion, SdkConfig};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// How to reach AWS.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `--profile`: the named profile of the default credentials.
    pub profile: Option<String>,
    /// `--region`: the client region (Support, Trusted Advisor and Health are global APIs
    /// answered in us-east-1; this only matters for the credential chain and STS).
    pub region: Option<String>,
    /// `--account-profile ACCOUNT=PROFILE`: credentials for accounts other than the caller's.
    pub account_profiles: BTreeMap<String, String>,
    /// Timeout of one call attempt.
    pub call_timeout: std::time::Duration,
    /// Attempts per call, retries included (throttling backs off exponentially).
    pub max_attempts: u32,
    /// Calls in flight at once.
    pub concurrency: usize,
    /// Draw a progress bar on stderr (only shown on a terminal).
    pub progress: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { profile: None, region: None, account_profiles: BTreeMap::new(), call_timeout: std::time::Duration::from_secs(30), max_attempts: 5, concurrency: 16, progress: false }
    }
}

/// The failure of one source: what it means for the facts, and the message.
#[derive(Clone, Debug, PartialEq)]
pub struct CallError {
    pub status: SourceStatus,
    pub message: String,
    /// Worth trying the standby endpoint (dispatch failure, timeout, 5xx).
    pub transient: bool,
}

/// Classifies an SDK error by its code: `SubscriptionRequiredException` is not a modelled
/// error in the Rust crates, so the code string decides.
pub fn classify<E>(err: aws_sdk_health::error::SdkError<E>) -> CallError
where
    E: aws_sdk_health::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    use aws_sdk_health::error::SdkError;
    let code = aws_sdk_health::error::ProvideErrorMetadata::code(&err).map(str::to_string);
    let http = match &err {
        SdkError::ServiceError(s) => Some(s.raw().status().as_u16()),
        SdkError::ResponseError(r) => Some(r.raw().status().as_u16()),
        _ => None,
    };
    // Worth the standby endpoint: no answer, a server-side failure, or throttling.
    let transient = matches!(err, SdkError::TimeoutError(_) | SdkError::DispatchFailure(_)) || http.is_some_and(|s| s >= 500) || code.as_deref().is_some_and(|c| c.contains("Throttl"));
    let message = match &err {
        SdkError::TimeoutError(_) => "timed out".to_string(),
        _ => aws_sdk_health::error::DisplayErrorContext(&err).to_string(),
    };
    let status = match code.as_deref() {
        Some("SubscriptionRequiredException") => SourceStatus::SubscriptionRequired,
        Some("AccessDeniedException" | "AccessDenied") => SourceStatus::AccessDenied,
        _ => SourceStatus::Error,
    };
    CallError { status, message, transient }
}

/// Builds the default SDK configuration (credential chain, profile, region, retries,
/// timeouts) for one profile.
pub async fn sdk_config(settings: &Settings, profile: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(settings.max_attempts.max(1)))
        .timeout_config(aws_config::timeout::TimeoutConfig::builder().operation_attempt_timeout(settings.call_timeout).build());
    if let Some(p) = profile.or(settings.profile.as_deref()) {
        loader = loader.profile_name(p);
    }
    // An explicit region wins; otherwise the chain's region, and us-east-1 when none.
    loader = match &settings.region {
        Some(r) => loader.region(aws_config::Region::new(r.clone())),
        None => loader.region(aws_config::meta::region::RegionProviderChain::default_provider().or_else("us-east-1")),
    };
    loader.load().await
}

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
    let sts = aws_sdk_sts::Client::new(&calls.config);
    match calls.call(sts.get_caller_identity().send()).await {
        Ok(out) => out.account().map(str::to_string).ok_or_else(|| CallError { status: SourceStatus::Error, message: "STS GetCallerIdentity answered without an account".into(), transient: false }),
        Err(e) => {
            let mut e = classify(e);
            e.message = format!("cannot tell which account the credentials belong to (STS GetCallerIdentity): {}", e.message);
            Err(e)
        }
    }
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

/// Publishes to an SNS topic in its own region (from the ARN); returns the message id.
pub async fn publish(settings: &Settings, topic: &str, subject: &str, message: &str) -> Result<String, String> {
    let config = sdk_config(settings, None).await;
    let mut conf = aws_sdk_sns::config::Builder::from(&config);
    if let Some(region) = topic.split(':').nth(3).filter(|r| !r.is_empty()) {
        conf = conf.region(aws_sdk_sns::config::Region::new(region.to_string()));
    }
    let sns = aws_sdk_sns::Client::from_conf(conf.build());
    let out = sns.publish().topic_arn(topic).subject(subject).message(message).send().await.map_err(|e| classify(e).message)?;
    Ok(out.message_id().unwrap_or_default().to_string())
}
