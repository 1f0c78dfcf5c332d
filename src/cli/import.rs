//! `runready import`'s clap definitions.

use crate::model::{Duration, Instant};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// PagerDuty (REST API v2): services, escalation policies, schedules and users as `DIR/pagerduty.yaml`.
    #[command(
        after_help = "The token is read from the environment (PAGERDUTY_TOKEN, or --token-env NAME), never from a flag.\nExit codes: 0 imported and PagerDuty's own schedules agree; 1 a schedule disagrees (see DIR/pagerduty-check.json); 2 bad flags or output; 3 PagerDuty could not be read.\n\nExamples:\n  PAGERDUTY_TOKEN=... runready import pagerduty --out paging/\n  runready import pagerduty --out paging/ --service PSVC123 --fallback contact:noc\n  runready check model/ paging/"
    )]
    Pagerduty(ImportPagerdutyArgs),
}

#[derive(Args, Debug)]
pub struct ImportPagerdutyArgs {
    /// Directory to write pagerduty.yaml, pagerduty-services.yaml.example and pagerduty-check.json into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The API (the EU service region: https://api.eu.pagerduty.com).
    #[arg(long, value_name = "URL", default_value = "https://api.pagerduty.com")]
    pub api_url: String,
    /// The environment variable that holds the REST API token.
    #[arg(long, value_name = "NAME", default_value = "PAGERDUTY_TOKEN")]
    pub token_env: String,
    /// Only this schedule (repeatable).
    #[arg(long = "schedule", value_name = "ID")]
    pub schedules: Vec<String>,
    /// Only this escalation policy and what it pages (repeatable).
    #[arg(long = "escalation-policy", value_name = "ID")]
    pub escalation_policies: Vec<String>,
    /// Only this service and what it reaches (repeatable).
    #[arg(long = "service", value_name = "ID")]
    pub services: Vec<String>,
    /// Only the services of this team (repeatable).
    #[arg(long = "team", value_name = "ID")]
    pub teams: Vec<String>,
    /// The start of the compared horizon, RFC 3339 (default: now); also written in the header.
    #[arg(long, value_name = "INSTANT")]
    pub at: Option<Instant>,
    /// How far PagerDuty's rendered schedules are compared.
    #[arg(long, value_name = "DURATION", default_value = "P28D")]
    pub horizon: Duration,
    /// The final fallback every imported escalation gets (PagerDuty has none): contact:ID or schedule:ID of your model.
    #[arg(long, value_name = "TARGET")]
    pub fallback: Option<String>,
    /// Timeout of one request.
    #[arg(long, value_name = "DURATION", default_value = "PT30S")]
    pub timeout: Duration,
    /// Requests in flight at once (PagerDuty allows about 900 a minute per token; HTTP 429 answers are waited out).
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
}
