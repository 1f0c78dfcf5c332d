//! The scalar of a leave entry's boundaries (absences.md): a date or a local date-time.

use super::grammar::Spelling;
use super::scalars::{Date, LocalDateTime, string_scalar};
use jiff::civil;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// A leave boundary: a date (`YYYY-MM-DD`, inclusive) or a local date-time
/// (`YYYY-MM-DDTHH:MM`, half-open), in the contact's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DateOrTime {
    Date(civil::Date),
    DateTime(civil::DateTime),
}

impl fmt::Display for DateOrTime {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            DateOrTime::Date(d) => write!(f, "{d}"),
            DateOrTime::DateTime(t) => f.write_str(&super::scalars::local_date_time(*t)),
        }
    }
}

impl FromStr for DateOrTime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.len() == 10 {
            return s.parse::<Date>().map(|d| DateOrTime::Date(d.0));
        }
        s.parse::<LocalDateTime>().map(|t| DateOrTime::DateTime(t.0)).map_err(|why| {
            if why.contains("no day") || why.contains("no month") || why.contains("offset") { why } else { "dates are written YYYY-MM-DD and local date-times YYYY-MM-DDTHH:MM".to_string() }
        })
    }
}

string_scalar!(
    DateOrTime,
    "DateOrTime",
    "a date YYYY-MM-DD or a local date-time YYYY-MM-DDTHH:MM",
    super::scalars::spelled(Spelling::DateOrTime, "A date YYYY-MM-DD (inclusive) or a local date-time YYYY-MM-DDTHH:MM (half-open), in the contact's zone.")
);
