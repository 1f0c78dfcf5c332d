//! The error of the node deserializer: a message with the position and path of the value
//! that caused it.

use super::de::Path;
use super::yaml::Pos;
use crate::suggest::did_you_mean;
use serde::de;
use std::fmt;

/// A problem found while turning a node into a typed value.
#[derive(Debug, Clone, PartialEq)]
pub struct DeError {
    pub pos: Option<Pos>,
    /// Dotted path of the value inside the entry being read (`steps[1].timeout`).
    pub path: String,
    pub message: String,
    /// A suggestion, e.g. the key the user probably meant.
    pub help: Option<String>,
}

impl DeError {
    pub(super) fn at(mut self, pos: Pos, path: &Path) -> Self {
        if self.pos.is_none() {
            self.pos = Some(pos);
            self.path = path.to_string();
        }
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError { pos: None, path: String::new(), message: msg.to_string(), help: None }
    }
    fn invalid_type(unexp: de::Unexpected, exp: &dyn de::Expected) -> Self {
        Self::custom(format_args!("expected {exp}, found {}", describe(unexp)))
    }
    fn invalid_value(unexp: de::Unexpected, exp: &dyn de::Expected) -> Self {
        Self::custom(format_args!("expected {exp}, found {}", describe(unexp)))
    }
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let mut e = Self::custom(format_args!("unknown value `{variant}`, expected one of {}", expected.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")));
        e.help = did_you_mean(variant, expected.iter().copied()).map(|s| format!("did you mean `{s}`?"));
        e
    }
    fn missing_field(field: &'static str) -> Self {
        Self::custom(format_args!("missing required key `{field}`"))
    }
}

fn describe(unexp: de::Unexpected) -> String {
    match unexp {
        de::Unexpected::Str("") => "an empty string".to_string(),
        de::Unexpected::Str(s) => format!("\"{s}\""),
        de::Unexpected::Unit => "nothing (null)".to_string(),
        de::Unexpected::Seq => "a list".to_string(),
        de::Unexpected::Map => "a mapping".to_string(),
        other => other.to_string(),
    }
}
