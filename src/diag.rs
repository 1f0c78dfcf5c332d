//! Locations and load diagnostics: what the user sees when their files cannot be used.

use serde::{Deserialize, Serialize};

/// Where a value is in the user's files. `path` is the dotted path inside the file
/// (`runbooks.payments-failover.required_sections[3]`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A second place a diagnostic refers to, e.g. where a duplicate id was first defined.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// A problem that makes the input unusable (exit 2): unreadable file, YAML error,
/// unknown key, wrong type, bad duration/date/zone, duplicate id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Diagnostic {
    /// A stable kind of problem.
    pub code: Code,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
}

/// The stable kinds of load diagnostics, as JSON, SARIF and JUnit spell them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// A file or directory cannot be read.
    Io,
    /// The YAML does not parse.
    Yaml,
    /// `apiVersion`/`kind` are missing or not this tool's.
    Header,
    /// A key the format does not have.
    UnknownKey,
    /// A value of the wrong type or form (duration, date, zone, ...), or a bad flag value.
    InvalidValue,
    /// Two entries with the same id.
    DuplicateId,
    /// The model cannot be used as a whole (a missing or changed policy module, ...).
    InvalidModel,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "io",
            Code::Yaml => "yaml",
            Code::Header => "header",
            Code::UnknownKey => "unknown-key",
            Code::InvalidValue => "invalid-value",
            Code::DuplicateId => "duplicate-id",
            Code::InvalidModel => "invalid-model",
        }
    }
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>, location: Option<Location>) -> Self {
        Diagnostic { code, message: message.into(), location, help: None, related: Vec::new() }
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn with_related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push(Related { location, message: message.into() });
        self
    }
}
