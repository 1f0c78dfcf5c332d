//! Runbooks, artifacts and drills: what responders read, fetch and rehearse.

use super::grammar::Spelling;
use super::people::VendorCaseRef;
use super::scalars::{Date, Duration};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a runbook is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunbookKind {
    Restore,
    Troubleshoot,
}

/// A runbook file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Runbook {
    /// Path to the Markdown file, relative to the YAML file that names it.
    pub path: String,
    /// Owning team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `restore` or `troubleshoot`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RunbookKind>,
    /// Date of the last review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Date>,
    /// A review older than this is stale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<Duration>,
    /// Headings the runbook must have, each followed by content.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_sections: Vec<String>,
}

/// What kind of evidence an artifact is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ArtifactKind {
    Version,
    Config,
    Logs,
    Stats,
    Other,
}

/// An HTTP request that retrieves or probes something.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpGet {
    /// URL to fetch.
    pub url: String,
    /// Expected HTTP status (probes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_status: Option<u16>,
}

/// How an artifact is retrieved: exactly one of `command`, `http`, `file`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
// Exactly one method set (present and not null: `~` is absent to the loader).
#[schemars(extend("oneOf" = [
    { "required": ["command"], "properties": { "command": { "type": "string" } } },
    { "required": ["http"], "properties": { "http": { "type": "object" } } },
    { "required": ["file"], "properties": { "file": { "type": "string" } } }
]))]
pub struct Retrieve {
    /// A shell command whose standard output is the artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// An HTTP GET whose body is the artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpGet>,
    /// A file whose content is the artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Retrieve {
    /// The names of the methods set, in spelling order.
    pub fn methods(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.command.is_some() {
            m.push("command");
        }
        if self.http.is_some() {
            m.push("http");
        }
        if self.file.is_some() {
            m.push("file");
        }
        m
    }
}

/// Evidence a vendor asks for, retrievable from an environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    /// `version`, `config`, `logs`, `stats` or `other`.
    pub kind: ArtifactKind,
    /// Environment it is retrieved from, e.g. `production`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// How to retrieve it: one of `command`, `http`, `file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retrieve: Option<Retrieve>,
    /// Longest acceptable retrieval time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retrieval: Option<Duration>,
    /// Regular expressions masked before anything is stored or sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redact: Vec<String>,
}

/// What kind of drill this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DrillKind {
    ProcessTest,
    CommsCheck,
    Probe,
}

/// When a drill may run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DrillWindow {
    /// Calendar id inside which the drill runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// Calendar ids during which it never runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_during: Vec<String>,
}

/// An SNS publish step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnsPublish {
    /// Topic ARN.
    pub topic: String,
}

/// A probe step: an HTTP status or a command's exit code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// HTTP GET with its expected status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpGet>,
    /// A command to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Expected exit code of `command` (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_exit: Option<i32>,
}

/// One step of a drill.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DrillStep {
    /// Open a test case with a vendor, then resolve it.
    VendorCase(VendorCaseRef),
    /// Publish a test notification.
    SnsPublish(SnsPublish),
    /// Retrieve these artifacts from production.
    Retrieve(Vec<String>),
    /// Probe an endpoint or command.
    Probe(Probe),
}

/// Safety limits of a drill.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DrillSafety {
    /// The drill is aborted (and cleaned up) after this long; default PT1H.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<Duration>,
    /// Do not run while AWS Health reports an open issue for the services.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stop_if_open_health_issue: bool,
}

/// A rehearsal of the support process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Drill {
    /// Unique drill id.
    #[schemars(extend("pattern" = Spelling::Id.pattern(), "patternErrorMessage" = Spelling::Id.message()))]
    pub id: String,
    /// `process_test`, `comms_check` or `probe`.
    pub kind: DrillKind,
    /// Service ids the drill exercises.
    #[serde(default)]
    pub services: Vec<String>,
    /// How often the drill must pass.
    pub every: Duration,
    /// When it may run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<DrillWindow>,
    /// The steps, in order.
    #[serde(default)]
    pub steps: Vec<DrillStep>,
    /// Safety limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety: Option<DrillSafety>,
}
