//! `runready facts collect`, and the live collection behind `check --live`.

use crate::cli::{AwsArgs, CollectArgs};
use crate::exit;
use crate::facts::{Facts, SourceStatus, plan};
use crate::model::Model;

pub fn collect(args: &CollectArgs) -> i32 {
    let loaded = match super::load_usable(&args.paths) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let facts = match live(&loaded.model, &args.aws) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID_INPUT;
        }
    };
    if let Err(e) = crate::atomic::write_atomic(&args.out, &facts.to_json()) {
        eprintln!("error: cannot write {}: {e}", args.out.display());
        return exit::INVALID_INPUT;
    }
    let failed = report_sources(&facts);
    eprintln!("wrote {} ({} sources, {} recommendations, {} Health events)", args.out.display(), facts.sources.len(), facts.recommendations.len(), facts.health_events.len());
    if failed > 0 && !args.allow_incomplete { exit::INCOMPLETE } else { exit::READY }
}

/// Prints one line per source that is not `ok` on stderr; returns how many failed.
pub fn report_sources(facts: &Facts) -> usize {
    let mut failed = 0;
    for s in &facts.sources {
        let what = format!("{} of account {} ({})", s.source.label(), s.account, s.api);
        match s.status {
            SourceStatus::Ok => {}
            SourceStatus::Error => {
                failed += 1;
                eprintln!("error: {what} could not be read: {}", s.message.as_deref().unwrap_or("error"));
            }
            other => eprintln!(
                "note: {what}: {}",
                match other {
                    SourceStatus::SubscriptionRequired => "SubscriptionRequiredException (plan below Business)",
                    _ => "AccessDeniedException (plan below Business, or IAM)",
                }
            ),
        }
    }
    failed
}

/// Reads live AWS state for every account the model names.
#[cfg(feature = "aws")]
pub fn live(model: &Model, args: &AwsArgs) -> Result<Facts, String> {
    let scopes = plan::accounts(model);
    if scopes.is_empty() {
        return Err("the model names no AWS accounts (services' `aws.accounts` or aws_support vendors' `accounts`)".into());
    }
    let settings = settings(args);
    runtime()?.block_on(async {
        let collector = crate::facts::aws::Collector::from_env(&settings).await;
        Ok(collector.collect(&scopes).await)
    })
}

#[cfg(not(feature = "aws"))]
pub fn live(_model: &Model, _args: &AwsArgs) -> Result<Facts, String> {
    let _ = plan::accounts;
    Err(NO_AWS.into())
}

#[cfg(not(feature = "aws"))]
pub const NO_AWS: &str = "this runready was built without the `aws` feature: live AWS access is not available (use --facts with a snapshot)";

#[cfg(feature = "aws")]
pub fn settings(args: &AwsArgs) -> crate::aws::Settings {
    crate::aws::Settings {
        profile: args.profile.clone(),
        region: args.region.clone(),
        account_profiles: args.account_profiles.iter().cloned().collect(),
        call_timeout: std::time::Duration::from_secs(args.aws_timeout.as_secs().max(1) as u64),
        max_attempts: args.aws_max_attempts,
        concurrency: args.aws_concurrency as usize,
        progress: true,
    }
}

#[cfg(feature = "aws")]
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// `check --notify-sns`: the verdict summary (headline and counts) to an SNS topic.
#[cfg(feature = "aws")]
pub fn notify_sns(topic: &str, report: &crate::report::Report, args: &AwsArgs) -> Result<String, String> {
    let settings = settings(args);
    let (subject, message) = crate::report::human::notification(report);
    runtime()?.block_on(crate::aws::publish(&settings, topic, &subject, &message)).map_err(|(e, _)| format!("SNS publish to {topic} failed: {e}"))
}

#[cfg(not(feature = "aws"))]
pub fn notify_sns(_topic: &str, _report: &crate::report::Report, _args: &AwsArgs) -> Result<String, String> {
    Err(NO_AWS.into())
}
