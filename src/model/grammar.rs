//! The spelling of each scalar and id as one regular expression. The JSON Schema publishes
//! it (`pattern`, with a `patternErrorMessage` that editors show instead of the expression).
//! The loader checks dates, times, instants, ids, targets, pins and account ids against the
//! same expression before it parses them; durations it parses by hand (for messages that
//! say which unit is out of order), and property tests hold that parser to the expression.
//! So an editor running yaml-language-server and `runready check` accept the same values
//! (tests/schema.rs, with the real yaml-language-server too).
//!
//! The expressions use only what ECMA-262 (editors), the `regex` crate (the loader) and
//! jsonschema (tests) read alike: no look-around, no `\d` (Unicode digits in some engines).

use regex::Regex;
use std::sync::OnceLock;

const NUMBER: &str = "[0-9]+";

/// A non-empty sequence of `NUMBER UNIT` parts in the order given, each unit at most once,
/// parts separated by `sep`.
fn ordered(units: &[&str], sep: &str) -> String {
    let alternatives: Vec<String> = (0..units.len())
        .map(|first| {
            let mut a = format!("{NUMBER}{}", units[first]);
            for unit in &units[first + 1..] {
                a.push_str(&format!("(?:{sep}{NUMBER}{unit})?"));
            }
            a
        })
        .collect();
    format!("(?:{})", alternatives.join("|"))
}

/// `YYYY-MM-DD` of a date that exists (month lengths, Gregorian leap years).
const DATE: &str = concat!(
    "(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))",
    "|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)"
);
/// `HH:MM` from 00:00 to 23:59.
const HHMM: &str = "(?:[01][0-9]|2[0-3]):[0-5][0-9]";
const SECONDS: &str = ":[0-5][0-9]";

/// What a kind of value looks like: its expression and the sentence editors show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    Duration,
    Date,
    LocalTime,
    LocalDateTime,
    DateOrTime,
    Instant,
    Id,
    RuleId,
    PolicyRule,
    Target,
    Sha256,
    Account,
}

impl Spelling {
    pub const ALL: [Spelling; 12] = [
        Spelling::Duration,
        Spelling::Date,
        Spelling::LocalTime,
        Spelling::LocalDateTime,
        Spelling::DateOrTime,
        Spelling::Instant,
        Spelling::Id,
        Spelling::RuleId,
        Spelling::PolicyRule,
        Spelling::Target,
        Spelling::Sha256,
        Spelling::Account,
    ];

    /// The anchored expression (JSON Schema `pattern`).
    pub fn pattern(self) -> &'static str {
        static PATTERNS: OnceLock<Vec<String>> = OnceLock::new();
        let all = PATTERNS.get_or_init(|| Spelling::ALL.iter().map(|s| s.build()).collect());
        &all[self as usize]
    }

    fn build(self) -> String {
        const ID: &str = "[A-Za-z0-9][A-Za-z0-9._-]*";
        match self {
            Spelling::Duration => {
                let date = ordered(&["[Ww]", "[Dd]"], "");
                let time = ordered(&["[Hh]", "[Mm]", "[Ss]"], "");
                let short = ordered(&["w", "d", "h", "m", "s"], " *");
                format!("^(?:[Pp](?:{date}(?:[Tt]{time})?|[Tt]{time})|{short})$")
            }
            Spelling::Date => format!("^{DATE}$"),
            Spelling::LocalTime => format!("^(?:{HHMM}|24:00)$"),
            Spelling::LocalDateTime => format!("^{DATE}T{HHMM}(?:{SECONDS})?$"),
            Spelling::DateOrTime => format!("^{DATE}(?:T{HHMM}(?:{SECONDS})?)?$"),
            Spelling::Instant => format!("^{DATE}[Tt]{HHMM}{SECONDS}(?:\\.[0-9]{{1,9}})?(?:[Zz]|[+-]{HHMM})$"),
            Spelling::Id => format!("^{ID}$"),
            Spelling::RuleId => format!("^{ID}(?:/{ID})?$"),
            Spelling::PolicyRule => format!("^{ID}/{ID}$"),
            Spelling::Target => format!("^(?:rotation|schedule|contact):{ID}$"),
            Spelling::Sha256 => "^[0-9a-fA-F]{64}$".into(),
            Spelling::Account => "^[0-9]{12}$".into(),
        }
    }

    /// The sentence an editor shows when a value does not match (`patternErrorMessage`).
    pub fn message(self) -> &'static str {
        match self {
            Spelling::Duration => "A duration: ISO 8601 (PT15M, P1DT12H, P1W) or the short form (15m, 1h30m, 2d 4h), units in that order and each once; no years or months.",
            Spelling::Date => "A calendar date that exists, YYYY-MM-DD (e.g. 2026-12-24).",
            Spelling::LocalTime => "A local time HH:MM from 00:00 to 23:59, or 24:00 as an end (e.g. \"08:00\").",
            Spelling::LocalDateTime => "A local date-time YYYY-MM-DDTHH:MM without an offset (e.g. 2026-12-24T09:00).",
            Spelling::DateOrTime => "A date YYYY-MM-DD or a local date-time YYYY-MM-DDTHH:MM (e.g. 2026-12-21 or 2026-12-21T13:00).",
            Spelling::Instant => "An RFC 3339 instant with an offset (e.g. 2026-11-23T10:00:00Z or 2026-11-23T11:00:00+01:00).",
            Spelling::Id => "An id: a letter or digit, then letters, digits, `-`, `_` or `.` (e.g. payments-api).",
            Spelling::RuleId => "A rule id (COV-001) or a policy's rule, POLICY/RULE (e.g. acme-org-rules/ORG-001).",
            Spelling::PolicyRule => "A policy's rule, POLICY/RULE (e.g. acme-org-rules/ORG-001); `runready rules` lists the built-in ones.",
            Spelling::Target => "rotation:ID, schedule:ID or contact:ID (e.g. rotation:payments-primary).",
            Spelling::Sha256 => "64 hexadecimal digits: `sha256sum` of the .wasm file, or the pin `runready policy inspect DIR` prints.",
            Spelling::Account => "A 12-digit AWS account id, in quotes (e.g. \"111122223333\").",
        }
    }

    /// Whether `text` is spelt this way (the loader's check).
    pub fn matches(self, text: &str) -> bool {
        static REGEXES: OnceLock<Vec<Regex>> = OnceLock::new();
        let all = REGEXES.get_or_init(|| Spelling::ALL.iter().map(|s| Regex::new(s.pattern()).expect("the grammar's expressions compile")).collect());
        all[self as usize].is_match(text)
    }

    /// The schema fragment: `type: string`, the pattern and its message.
    pub fn schema(self) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        m.insert("type".into(), "string".into());
        m.insert("pattern".into(), self.pattern().into());
        m.insert("patternErrorMessage".into(), self.message().into());
        m
    }
}

#[cfg(test)]
mod tests {
    use super::Spelling;

    #[test]
    fn the_enumeration_is_in_index_order() {
        for (i, s) in Spelling::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i);
        }
    }

    #[test]
    fn dates_know_month_lengths_and_leap_years() {
        for ok in ["2026-12-24", "2024-02-29", "2000-02-29", "2026-04-30", "2026-01-31", "0000-02-29"] {
            assert!(Spelling::Date.matches(ok), "{ok}");
        }
        for bad in ["2026-02-29", "1900-02-29", "2026-02-30", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "26-01-01", "2026-1-01"] {
            assert!(!Spelling::Date.matches(bad), "{bad}");
        }
    }
}
