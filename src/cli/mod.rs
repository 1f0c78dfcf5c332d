//! Command-line definitions (clap derive) and nothing else.

use crate::model::{Duration, Instant, TimeZone};
use crate::report::FailOn;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

mod import;
pub use import::{ImportCommand, ImportPagerdutyArgs};

#[derive(Parser, Debug)]
#[command(
    name = "runready",
    version,
    about = "Will your support process work when production breaks tonight?",
    long_about = "runready checks a platform team's support model (coverage hours, severities, escalations, rotations, vendors, runbooks, artifacts, drills) against readiness rules and writes terminal, JSON, JUnit, Markdown and SARIF reports.\n\nExit codes: 0 ready, 1 not ready, 2 the input could not be used, 3 something asked for could not be evaluated.",
    after_help = "Examples:\n  runready check examples/payments\n  runready check model/ --at 2026-11-23T10:00:00Z --junit out/junit.xml --sarif out/runready.sarif\n  runready explain RB-002"
)]
pub struct Cli {
    /// Only print the summary line (and errors).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also list passing results.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Load the model, evaluate every rule, print the verdict and write the reports asked for.
    #[command(
        after_help = "Examples:\n  runready check examples/payments\n  runready check model/ --format json > report.json\n  runready check model/ --markdown \"$GITHUB_STEP_SUMMARY\" --fail-on warning"
    )]
    Check(CheckArgs),
    /// Show, per service and severity, the time to engage across a week and every gap in the horizon.
    #[command(
        after_help = "Examples:\n  runready coverage examples/payments --tz Europe/London\n  runready coverage model/ --service payments-api --svg coverage.svg\n  runready coverage model/ --fail-on-gap"
    )]
    Coverage(CoverageArgs),
    /// Walk one incident through the escalation: who is contacted when, when the vendor case is due.
    #[command(after_help = "Example:\n  runready simulate examples/payments --service payments-api --severity sev1 --at 2026-12-25T03:00:00-05:00")]
    Simulate(SimulateArgs),
    /// Work with policies (WASM and Rego): test, new, pack, inspect.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// List the built-in rules.
    Rules,
    /// Explain a rule: what it checks, why, how to fix it, and examples.
    Explain {
        /// Rule id, e.g. RB-002.
        rule: String,
    },
    /// Run the model's drills: a dry run (the plan, nothing touched) unless --live; writes a journal per drill.
    #[command(
        after_help = "Examples:\n  runready drill examples/payments                      # the plan, nothing touched\n  runready drill examples/payments --drill payments-process-test --live --junit drill.xml\n  runready check examples/payments --journal .runready/journals"
    )]
    Drill(DrillArgs),
    /// Import a paging tool's configuration as a model fragment, checked against its own rendered schedules.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Read live AWS state (Trusted Advisor, Health, support plan) into a facts snapshot.
    Facts {
        #[command(subcommand)]
        command: FactsCommand,
    },
    /// Write the JSON Schemas (draft-07) of the model, the facts snapshot, the drill journal, the JSON report and the policy manifest, request and result.
    Schema {
        /// Directory to write into.
        #[arg(long, default_value = "schemas")]
        out: PathBuf,
    },
    /// Write a small, valid, commented starter model.
    Init {
        /// Directory to create the model in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite existing files.
        #[arg(long)]
        force: bool,
        /// Point the editor modeline at this schema URL instead of writing
        /// schemas/support-model.schema.json beside the model; `--schema-url` alone gives the
        /// URL of this version's schema (needs the network in the editor).
        #[arg(long, value_name = "URL", num_args = 0..=1, require_equals = true, default_missing_value = crate::commands::init::PINNED_SCHEMA_URL)]
        schema_url: Option<String>,
    },
    /// Print shell completions (bash, zsh, fish, powershell, elvish) generated from the CLI definition.
    #[command(after_help = "Examples:\n  runready completions bash > ~/.local/share/bash-completion/completions/runready\n  runready completions zsh > \"${fpath[1]}/_runready\"")]
    Completions { shell: clap_complete::Shell },
    /// Write roff man pages: runready.1 and runready-SUBCOMMAND.1 (runready-policy-test.1 for nested ones).
    #[command(after_help = "Example:\n  runready man --out /usr/local/share/man/man1 && man runready-check")]
    Man {
        /// Directory to write into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// `check --format`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    // GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Required {
    Facts,
    Journals,
    Paging,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Model files or directories (every *.yaml / *.yml below a directory).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Evaluate as of this RFC 3339 instant instead of now.
    #[arg(long, value_name = "INSTANT")]
    pub at: Option<Instant>,
    /// How far ahead of --at calendars and rotations are simulated (at most P3660D).
    #[arg(long, value_name = "DURATION", default_value = "P90D", value_parser = horizon)]
    pub horizon: Duration,
    /// Only these services (repeatable); model-wide rules still run.
    #[arg(long = "service", value_name = "ID")]
    pub services: Vec<String>,
    /// The zone in which times are shown in messages.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub tz: TimeZone,
    /// Missing inputs fail the rules that need them instead of leaving them unknown.
    #[arg(long, value_delimiter = ',', value_name = "facts,journals,paging")]
    pub require: Vec<Required>,
    /// The live side for drift (DRF-001..004): the output of `runready import pagerduty` (or any fragment whose objects carry `source:`).
    #[arg(long, value_name = "DIR")]
    pub paging: Option<PathBuf>,
    /// Results with status `error` do not turn the exit code into 3.
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Read runbooks and policies the model names outside the repository root (the git
    /// work tree of the first PATH, else its directory). Off by default, so that a pull
    /// request cannot make CI read files elsewhere on the runner.
    #[arg(long)]
    pub allow_outside_root: bool,
    /// Policies besides the model's own: .wasm files, Rego policies (a directory with policy.yaml, or a .rego file beside one), or directories of them (repeatable).
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// Report on stdout: human, json, or github (GitHub Actions workflow commands: an
    /// annotation per failure on its YAML line, then the summary).
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// Write the JSON report to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a Markdown report to FILE.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Write a SARIF 2.1.0 report to FILE.
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,
    /// Write a GitLab Code Quality report (the merge-request widget's JSON) to FILE.
    #[arg(long, value_name = "FILE")]
    pub codequality: Option<PathBuf>,
    /// A minijinja template replacing the built-in Markdown report.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Lowest severity of a failure that makes the verdict "not ready".
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOnArg,
    /// A previous JSON report: Markdown shows new/fixed/unchanged, SARIF sets baselineState.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// A facts snapshot (from `runready facts collect`) to evaluate the AWS rules against (repeatable).
    #[arg(long = "facts", value_name = "FILE")]
    pub facts: Vec<PathBuf>,
    /// Read facts from AWS now, with the standard credential chain.
    #[arg(long)]
    pub live: bool,
    /// Drill journals (files or directories) to count as evidence for DRL-001/003/004 (repeatable).
    #[arg(long = "journal", value_name = "PATH")]
    pub journals: Vec<PathBuf>,
    /// Facts older than this at --at fail AWS-005.
    #[arg(long, value_name = "DURATION", default_value = "PT24H")]
    pub max_facts_age: Duration,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Publish the verdict summary (headline and counts) to this SNS topic.
    #[arg(long, value_name = "TOPIC_ARN")]
    pub notify_sns: Option<String>,
}

/// How to reach AWS (`--live`, `facts collect`, `--notify-sns`, live drills).
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "AWS")]
pub struct AwsArgs {
    /// The named profile of the credential chain (default: AWS_PROFILE, then `default`).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The client region (default: AWS_REGION or the profile's; us-east-1 when none).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Credentials for another account of the model: a profile (e.g. one with role_arn) (repeatable).
    #[arg(long = "account-profile", value_name = "ACCOUNT=PROFILE", value_parser = account_profile)]
    pub account_profiles: Vec<(String, String)>,
    /// Timeout of one AWS call attempt.
    #[arg(long, value_name = "DURATION", default_value = "PT30S")]
    pub aws_timeout: Duration,
    /// Attempts per AWS call; throttled calls back off exponentially between them.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub aws_max_attempts: u32,
    /// AWS calls in flight at once.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub aws_concurrency: u32,
}

fn account_profile(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((a, p)) if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty() => Ok((a.to_string(), p.to_string())),
        _ => Err("expected ACCOUNT=PROFILE with a 12-digit account id, e.g. 111122223333=prod-readonly".into()),
    }
}

#[derive(Args, Debug)]
pub struct DrillArgs {
    /// Model files or directories.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Only these drills (repeatable; default: all).
    #[arg(long = "drill", value_name = "ID")]
    pub drills: Vec<String>,
    /// Only drills that name these services (repeatable).
    #[arg(long = "service", value_name = "ID")]
    pub services: Vec<String>,
    /// The zone in which times are shown in messages.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub tz: TimeZone,
    /// Run for real: open and resolve cases, publish, retrieve, probe.
    #[arg(long)]
    pub live: bool,
    /// Run outside the drill's window (within / not_during).
    #[arg(long, requires = "live")]
    pub force: bool,
    /// Plan as of this RFC 3339 instant (dry runs; a live run starts now).
    #[arg(long, value_name = "INSTANT", conflicts_with = "live")]
    pub at: Option<Instant>,
    /// Where journals go (one JSON file per drill run).
    #[arg(long, value_name = "DIR", default_value = ".runready/journals")]
    pub journal_dir: PathBuf,
    /// Keep the retrieved artifacts (redacted) beside the journal.
    #[arg(long)]
    pub keep_artifacts: bool,
    /// How long the cleanup of a live run may wait on AWS to resolve its cases (a second
    /// SIGINT/SIGTERM/SIGHUP stops it sooner); what is still open is recorded.
    #[arg(long, value_name = "DURATION", default_value = "PT20S", requires = "live")]
    pub cleanup_timeout: Duration,
    /// A facts snapshot a dry run checks the Health safety against (repeatable).
    #[arg(long = "facts", value_name = "FILE")]
    pub facts: Vec<PathBuf>,
    /// Report on stdout: human or json (the journals).
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Write a JUnit XML report (a `drill:ID` suite per run, a test case per step) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a Markdown summary to FILE.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Subcommand, Debug)]
pub enum FactsCommand {
    /// Read live AWS state for the accounts, regions and services in the model and save it as a snapshot.
    #[command(
        after_help = "Examples:\n  runready facts collect examples/payments --out facts.json\n  runready facts collect model/ --out facts.json --profile audit --account-profile 444455556666=prod-audit\n  runready check model/ --facts facts.json"
    )]
    Collect(CollectArgs),
}

#[derive(Args, Debug)]
pub struct CollectArgs {
    /// Model files or directories.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Where to write the snapshot (atomically).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Exit 0 even when some source could not be read (its status says why).
    #[arg(long)]
    pub allow_incomplete: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    Error,
    Warning,
    Never,
}

impl From<FailOnArg> for FailOn {
    fn from(a: FailOnArg) -> Self {
        match a {
            FailOnArg::Error => FailOn::Error,
            FailOnArg::Warning => FailOn::Warning,
            FailOnArg::Never => FailOn::Never,
        }
    }
}

#[derive(Args, Debug)]
pub struct TimeArgs {
    /// Evaluate as of this RFC 3339 instant instead of now.
    #[arg(long, value_name = "INSTANT")]
    pub at: Option<Instant>,
    /// How far ahead of --at calendars and rotations are simulated (at most P3660D).
    #[arg(long, value_name = "DURATION", default_value = "P90D", value_parser = horizon)]
    pub horizon: Duration,
    /// The zone in which times are shown.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub tz: TimeZone,
    /// Output: human or json.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct CoverageArgs {
    /// Model files or directories.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Only these services (repeatable).
    #[arg(long = "service", value_name = "ID")]
    pub services: Vec<String>,
    /// Write the heatmaps as SVG to FILE.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Exit 1 when any service has a gap in its required coverage.
    #[arg(long)]
    pub fail_on_gap: bool,
    /// What if these people were absent for the whole horizon (comma-separated contact ids)?
    #[arg(long, value_delimiter = ',', value_name = "ID[,ID...]")]
    pub without: Vec<String>,
    /// Print who carries the on-call load instead: per rotation and schedule, each person's hours (at night, on weekends, on their own holidays or leave) and the balance.
    #[arg(long)]
    pub load: bool,
    #[command(flatten)]
    pub time: TimeArgs,
}

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Model files or directories.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The service the incident hits.
    #[arg(long, value_name = "ID")]
    pub service: String,
    /// The incident's severity id.
    #[arg(long, value_name = "ID")]
    pub severity: String,
    /// The instant the incident starts (RFC 3339).
    #[arg(long, value_name = "INSTANT")]
    pub at: Instant,
    /// The zone in which times are shown.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub tz: TimeZone,
    /// Output: human or json.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

/// A horizon: longer than zero, at most ten years, so that every run ends in bounded time.
fn horizon(text: &str) -> Result<Duration, String> {
    let d: Duration = text.parse()?;
    if d.as_secs() <= 0 {
        return Err("the horizon must be longer than zero".into());
    }
    if d.as_secs() > 3660 * 86_400 {
        return Err("the horizon is at most P3660D (ten years)".into());
    }
    Ok(d)
}

/// The language of a scaffolded policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Rust,
    Rego,
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Run policies against their test cases (*.tests.yaml) and report pass/fail per case.
    #[command(after_help = "Example:\n  runready policy test policies/")]
    Test {
        /// Tests files, or directories searched for *.tests.yaml.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The instant for cases without `at` (default: now).
        #[arg(long, value_name = "INSTANT")]
        at: Option<Instant>,
        /// Also write the results as JUnit XML to FILE.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
    },
    /// Embed a policy's manifest in its module (custom section `runready.policy.v1`).
    #[command(after_help = "Example:\n  runready policy pack target/wasm32-unknown-unknown/release/acme.wasm --manifest policy.yaml -o dist/acme.wasm")]
    Pack {
        /// The module built from the policy's source.
        #[arg(value_name = "FILE.wasm")]
        module: PathBuf,
        /// The policy's manifest.
        #[arg(long, value_name = "policy.yaml")]
        manifest: PathBuf,
        /// Where to write the packed module.
        #[arg(short = 'o', long = "out", value_name = "OUT.wasm")]
        out: PathBuf,
    },
    /// Scaffold a new policy (Rust with the SDK, or Rego): source, manifest, test cases, build steps.
    #[command(after_help = "Examples:\n  runready policy new acme-rules && cd acme-rules && cat README.md\n  runready policy new acme-rules --lang rego && runready policy test acme-rules")]
    New {
        /// The policy's name: [a-z0-9-].
        name: String,
        /// Directory to create it in.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// The policy's language: a Rust crate built to WASM, or Rego files run as they are.
        #[arg(long, value_enum, default_value_t = Lang::Rust)]
        lang: Lang,
    },
    /// Print a policy's metadata and the rules it declares, without running it (a packed
    /// .wasm module, or a Rego policy: its directory or .rego file; with its sha256 pin).
    Inspect {
        #[arg(value_name = "POLICY")]
        module: PathBuf,
    },
}
