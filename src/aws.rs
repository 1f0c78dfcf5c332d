//! The one place runready talks to AWS from: how to reach it ([`Settings`],
//! [`sdk_config`]), what a failed call means ([`CallError`], [`classify`]), and the clients
//! of every API it calls, for facts (Support, Trusted Advisor, Health, STS), notifications
//! (SNS) and drills (Support cases, SNS). Built only with the `aws` feature.

use crate::facts::SourceStatus;
use aws_config::{BehaviorVersion, SdkConfig};
use std::collections::BTreeMap;

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
/// error in the Rust crates, so the code string decides. The message is short (see
/// [`describe`]), never a debug dump of the SDK's error.
pub fn classify<E>(err: aws_sdk_health::error::SdkError<E>) -> CallError
where
    E: aws_sdk_health::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = aws_sdk_health::error::ProvideErrorMetadata::code(&err).map(str::to_string);
    // Worth the standby endpoint: no answer, a server-side failure, or throttling.
    let transient = matches!(sent(&err), Sent::Maybe | Sent::Throttled);
    let status = match code.as_deref() {
        Some("SubscriptionRequiredException") => SourceStatus::SubscriptionRequired,
        Some("AccessDeniedException" | "AccessDenied") => SourceStatus::AccessDenied,
        _ => SourceStatus::Error,
    };
    CallError { status, message: describe(&err), transient }
}

/// Whether a failed call may have done its work at AWS (what a create call must know
/// before it is sent again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// Refused, never built or never connected: nothing was done.
    No,
    /// Throttled: refused, worth trying again later.
    Throttled,
    /// Timed out, cut off, a 5xx or an unreadable answer: it may have been done.
    Maybe,
}

pub fn sent<E>(err: &aws_sdk_health::error::SdkError<E>) -> Sent
where
    E: aws_sdk_health::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    use aws_sdk_health::error::SdkError;
    let code = aws_sdk_health::error::ProvideErrorMetadata::code(err).unwrap_or_default();
    match err {
        SdkError::ConstructionFailure(_) => Sent::No,
        SdkError::DispatchFailure(_) if refused(err) => Sent::No,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => Sent::Maybe,
        _ if code.contains("Throttl") || code == "TooManyRequestsException" => Sent::Throttled,
        SdkError::ServiceError(s) if s.raw().status().as_u16() >= 500 => Sent::Maybe,
        _ => Sent::No,
    }
}

/// The connection was refused: the request never reached anything.
fn refused(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        cur = e.source();
    }
    false
}

/// A failed call in one line: `HTTP 500 InternalServerError: message`, `timed out`, `no
/// connection: Connection refused (os error 111)`; AWS's message is cut at 300 characters.
pub fn describe<E>(err: &aws_sdk_health::error::SdkError<E>) -> String
where
    E: aws_sdk_health::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    use aws_sdk_health::error::{ProvideErrorMetadata, SdkError};
    let status = match err {
        SdkError::ServiceError(s) => Some(s.raw().status().as_u16()),
        SdkError::ResponseError(r) => Some(r.raw().status().as_u16()),
        _ => None,
    };
    match err {
        SdkError::TimeoutError(_) => "timed out".into(),
        SdkError::ConstructionFailure(_) => format!("the request could not be built: {}", innermost(err)),
        SdkError::DispatchFailure(_) => format!("no answer from the endpoint: {}", innermost(err)),
        SdkError::ResponseError(_) => format!("HTTP {} with an answer that could not be read", status.unwrap_or(0)),
        _ => {
            let code = err.code().unwrap_or("an unnamed error");
            let message = err.message().map(|m| format!(": {}", cut(m, 300))).unwrap_or_default();
            match status {
                Some(s) => format!("HTTP {s} {code}{message}"),
                None => format!("{code}{message}"),
            }
        }
    }
}

/// The deepest cause of an error, which names what actually happened (`Connection refused`).
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cut(&cur.to_string(), 300)
}

fn cut(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

/// Builds the default SDK configuration (credential chain, profile, region, retries,
/// timeouts) for one profile.
pub async fn sdk_config(settings: &Settings, profile: Option<&str>) -> SdkConfig {
    // rustls on ring (Cargo.toml: one TLS stack); every client of this config uses it.
    let https = aws_smithy_http_client::Builder::new().tls_provider(aws_smithy_http_client::tls::Provider::Rustls(aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring)).build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https)
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(settings.max_attempts.max(1)))
        .timeout_config(aws_config::timeout::TimeoutConfig::builder().operation_attempt_timeout(settings.call_timeout).build());
    if let Some(p) = profile.or(settings.profile.as_deref()) {
        loader = loader.profile_name(p);
    }
    // An explicit region wins; otherwise the loader's chain (environment, the profile, IMDS,
    // all through the client above), and us-east-1 when it finds none.
    if let Some(r) = &settings.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    let config = loader.load().await;
    if config.region().is_some() { config } else { config.into_builder().region(aws_config::Region::new("us-east-1")).build() }
}

/// The AWS Support API (global, answered in us-east-1).
pub fn support(config: &SdkConfig) -> aws_sdk_support::Client {
    let conf = aws_sdk_support::config::Builder::from(config).region(aws_sdk_support::config::Region::new("us-east-1")).build();
    aws_sdk_support::Client::from_conf(conf)
}

/// The AWS Support API with the SDK's retries off: create calls are never sent twice
/// blindly, and cleanup paces its own attempts.
pub fn support_once(config: &SdkConfig) -> aws_sdk_support::Client {
    let conf = aws_sdk_support::config::Builder::from(config).region(aws_sdk_support::config::Region::new("us-east-1")).retry_config(aws_config::retry::RetryConfig::disabled()).build();
    aws_sdk_support::Client::from_conf(conf)
}

/// The Trusted Advisor API (global, answered in us-east-1).
pub fn trusted_advisor(config: &SdkConfig) -> aws_sdk_trustedadvisor::Client {
    let conf = aws_sdk_trustedadvisor::config::Builder::from(config).region(aws_sdk_trustedadvisor::config::Region::new("us-east-1")).build();
    aws_sdk_trustedadvisor::Client::from_conf(conf)
}

/// The AWS Health API at one of its regional endpoints (active and standby).
pub fn health(config: &SdkConfig, region: &str) -> aws_sdk_health::Client {
    let conf = aws_sdk_health::config::Builder::from(config).region(aws_sdk_health::config::Region::new(region.to_string())).build();
    aws_sdk_health::Client::from_conf(conf)
}

/// SNS in the topic's own region (from its ARN; the configuration's region otherwise).
pub fn sns_for_topic(config: &SdkConfig, topic: &str) -> aws_sdk_sns::Client {
    let mut conf = aws_sdk_sns::config::Builder::from(config);
    if let Some(region) = topic.split(':').nth(3).filter(|r| !r.is_empty()) {
        conf = conf.region(aws_sdk_sns::config::Region::new(region.to_string()));
    }
    aws_sdk_sns::Client::from_conf(conf.build())
}

/// The account the configuration's credentials belong to (STS GetCallerIdentity).
pub async fn caller_account(config: &SdkConfig) -> Result<String, CallError> {
    let sts = aws_sdk_sts::Client::new(config);
    match sts.get_caller_identity().send().await {
        Ok(out) => out.account().map(str::to_string).ok_or_else(|| CallError { status: SourceStatus::Error, message: "STS GetCallerIdentity answered without an account".into(), transient: false }),
        Err(e) => {
            let mut e = classify(e);
            e.message = format!("cannot tell which account the credentials belong to (STS GetCallerIdentity): {}", e.message);
            Err(e)
        }
    }
}

/// Publishes to an SNS topic in its own region, with one attempt: a publish cannot be looked
/// up, so it is never sent twice. Returns the message id, or the error and whether the
/// message may have been published anyway.
pub async fn publish(settings: &Settings, topic: &str, subject: &str, message: &str) -> Result<String, (String, Sent)> {
    let config = sdk_config(settings, None).await;
    let conf = sns_for_topic(&config, topic).config().to_builder().retry_config(aws_config::retry::RetryConfig::disabled());
    let client = aws_sdk_sns::Client::from_conf(conf.build());
    match client.publish().topic_arn(topic).subject(subject).message(message).send().await {
        Ok(out) => Ok(out.message_id().unwrap_or_default().to_string()),
        Err(e) => Err((format!("SNS Publish: {}", describe(&e)), sent(&e))),
    }
}
