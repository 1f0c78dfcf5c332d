//! Contacts and escalation policies: who can be paged, and in what order.

use super::grammar::Spelling;
use super::scalars::{Date, Duration, TimeZone};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// Whether a contact is one person or a staffed team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContactKind {
    Person,
    Team,
}

/// How a contact is reached. `voice`, `sms` and `push` interrupt; `email` and `chat` do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChannelType {
    Voice,
    Sms,
    Push,
    Email,
    Chat,
}

impl ChannelType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelType::Voice => "voice",
            ChannelType::Sms => "sms",
            ChannelType::Push => "push",
            ChannelType::Email => "email",
            ChannelType::Chat => "chat",
        }
    }

    pub fn interruptive(self) -> bool {
        matches!(self, ChannelType::Voice | ChannelType::Sms | ChannelType::Push)
    }
}

/// One way to reach a contact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    #[serde(rename = "type")]
    /// `voice`, `sms`, `push`, `email` or `chat`.
    pub kind: ChannelType,
    /// Phone number, address or handle.
    pub address: String,
    /// Date the channel was last verified to work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<Date>,
}

/// A step of a person's own notification chain after a page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationRule {
    /// Elapsed delay after the page.
    pub after: Duration,
    /// Channel type used at that point.
    pub channel: ChannelType,
    /// The incident urgency the rule applies to: `high`, `low` or `any` (default).
    #[serde(default)]
    pub urgency: RuleUrgency,
}

/// The urgency a notification rule applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuleUrgency {
    High,
    Low,
    #[default]
    Any,
}

impl RuleUrgency {
    pub fn applies(self, u: super::Urgency) -> bool {
        match self {
            RuleUrgency::Any => true,
            RuleUrgency::High => u == super::Urgency::High,
            RuleUrgency::Low => u == super::Urgency::Low,
        }
    }
}

/// A person or team that can be paged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Unique contact id, referenced as `contact:ID`.
    #[schemars(extend("pattern" = Spelling::Id.pattern(), "patternErrorMessage" = Spelling::Id.message()))]
    pub id: String,
    /// `person` or `team`.
    pub kind: ContactKind,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// IANA zone in which the person's holidays are counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<TimeZone>,
    /// Holiday sets on whose dates this person is unreachable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<String>,
    /// The ways to reach the contact.
    #[serde(default)]
    pub channels: Vec<Channel>,
    /// The personal chain after a page; without rules, the first interruptive channel at once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notification_rules: Vec<NotificationRule>,
    /// A team staffed 24x7 by definition: contacted at once, always reachable.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub always_reachable: bool,
    /// Personal absences (absences.md), in the contact's zone: unreachable like on a holiday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leave: Vec<Leave>,
    /// The stretches of the `ics` leave entries, read at load.
    #[serde(skip)]
    #[schemars(skip)]
    pub ics_leave: Vec<IcsLeave>,
    /// Where the contact comes from, e.g. `pagerduty:user/PUSR123`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Contact {
    pub fn has_channel(&self, kind: ChannelType) -> bool {
        self.channels.iter().any(|c| c.kind == kind)
    }

    /// The notification rules that count: a rule for a channel type the contact does not
    /// have reaches nothing (SM-001 reports it) and is left out, as if it were not written.
    pub fn effective_rules(&self) -> impl Iterator<Item = &NotificationRule> {
        self.notification_rules.iter().filter(|r| self.has_channel(r.channel))
    }

    /// The effective rules that apply to a page at urgency `u` (paging.md, "Urgency").
    pub fn rules_at(&self, u: super::Urgency) -> impl Iterator<Item = &NotificationRule> {
        self.effective_rules().filter(move |r| r.urgency.applies(u))
    }

    pub fn has_interruptive_channel(&self) -> bool {
        self.channels.iter().any(|c| c.kind.interruptive())
    }
}

/// One stretch of leave — dates (inclusive) or local date-times (half-open), both the same
/// kind — or an iCalendar export (`{ ics: FILE }`, relative to the YAML file) whose events
/// are leave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
// A key written as `~` is absent to the loader: "set" below means present and not null.
#[schemars(extend("oneOf" = [
    { "required": ["from", "to"], "properties": { "from": { "type": "string" }, "to": { "type": "string" } },
      "not": { "required": ["ics"], "properties": { "ics": { "type": "string" } } } },
    { "required": ["ics"], "properties": { "ics": { "type": "string" } },
      "not": { "anyOf": [ { "required": ["from"], "properties": { "from": { "type": "string" } } }, { "required": ["to"], "properties": { "to": { "type": "string" } } } ] } }
]))]
pub struct Leave {
    /// First day (inclusive) or local date-time the contact is away; with `to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<super::DateOrTime>,
    /// Last day (inclusive) or the local date-time they are back (exclusive); the same kind as `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<super::DateOrTime>,
    /// An iCalendar export (.ics, relative to this file) whose events are leave; instead of `from`/`to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ics: Option<String>,
}

/// A stretch of leave read from an iCalendar export, as instants.
#[derive(Clone, Debug, PartialEq)]
pub struct IcsLeave {
    pub start: jiff::Timestamp,
    pub end: jiff::Timestamp,
    /// How causes name it: `"Annual leave" 2026-12-29 (alice-ooo.ics:14)`.
    pub shown: String,
}

/// A vendor case raised when an escalation step starts: a vendor id, or a vendor with
/// the fields that fill its request template.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VendorCaseRef {
    /// Vendor id.
    pub vendor: String,
    /// Values for the vendor's request template.
    #[serde(default, skip_serializing_if = "indexmap::IndexMap::is_empty")]
    pub fields: indexmap::IndexMap<String, String>,
}

impl<'de> Deserialize<'de> for VendorCaseRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            vendor: String,
            #[serde(default)]
            fields: indexmap::IndexMap<String, String>,
        }
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = VendorCaseRef;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a vendor id or { vendor: ID, fields: {...} }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<VendorCaseRef, E> {
                Ok(VendorCaseRef { vendor: v.to_string(), fields: Default::default() })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<VendorCaseRef, A::Error> {
                let full = Full::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(VendorCaseRef { vendor: full.vendor, fields: full.fields })
            }
        }
        d.deserialize_any(V)
    }
}

/// One level of an escalation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationStep {
    /// Targets: `rotation:ID`, `schedule:ID` or `contact:ID`.
    pub notify: Vec<Target>,
    /// `all` (default): every target is paged; `round_robin`: one of them per incident, in
    /// turn (coverage and time to engage then take the worst of them).
    #[serde(default, skip_serializing_if = "Assignment::is_all")]
    pub assignment: Assignment,
    /// Elapsed wait for an acknowledgement before the next step.
    pub timeout: Duration,
    /// A case with this vendor is due when this step starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_case: Option<VendorCaseRef>,
}

/// How a step pages its targets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Assignment {
    #[default]
    All,
    RoundRobin,
}

impl Assignment {
    pub fn is_all(&self) -> bool {
        *self == Assignment::All
    }
}

/// An escalation policy: steps, repeated passes, and a final fallback.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// Steps in order.
    pub steps: Vec<EscalationStep>,
    /// Extra passes over all steps before the fallback (0, the default, or more; ESC-005).
    #[serde(default)]
    #[schemars(range(min = 0))]
    pub repeat: i64,
    /// Paged when every step and pass is exhausted: `contact:ID`, `rotation:ID` or
    /// `schedule:ID`. Optional (PagerDuty has none), but ESC-001 fails without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_fallback: Option<Target>,
    /// Where the escalation comes from, e.g. `pagerduty:escalation_policy/PEP123`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Escalation {
    /// Everything the escalation can page: every step's targets, then the fallback.
    pub fn targets(&self) -> impl Iterator<Item = &Target> {
        self.steps.iter().flat_map(|s| s.notify.iter()).chain(self.final_fallback.iter())
    }
}

/// An escalation target as the YAML spells it: `rotation:ID` or `contact:ID`. Anything else
/// is kept as written (SM-001 reports it; the walk reaches nobody through it).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Target(pub String);

/// What a target names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetRef<'a> {
    Rotation(&'a str),
    Schedule(&'a str),
    Contact(&'a str),
    /// Neither kind (a missing or unknown prefix): the whole text.
    Other(&'a str),
}

impl<'a> TargetRef<'a> {
    /// Reads `rotation:ID` / `contact:ID`; the one place target text is parsed.
    pub fn parse(text: &'a str) -> TargetRef<'a> {
        match text.split_once(':') {
            Some(("rotation", r)) => TargetRef::Rotation(r),
            Some(("schedule", s)) => TargetRef::Schedule(s),
            Some(("contact", c)) => TargetRef::Contact(c),
            _ => TargetRef::Other(text),
        }
    }
}

impl Target {
    pub fn rotation(id: &str) -> Target {
        Target(format!("rotation:{id}"))
    }

    pub fn schedule(id: &str) -> Target {
        Target(format!("schedule:{id}"))
    }

    pub fn contact(id: &str) -> Target {
        Target(format!("contact:{id}"))
    }

    /// What the target names.
    pub fn get(&self) -> TargetRef<'_> {
        TargetRef::parse(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl JsonSchema for Target {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Target".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::Schema::from(Spelling::Target.schema())
    }
}

impl JsonSchema for VendorCaseRef {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "VendorCaseRef".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A vendor id, or { vendor: ID, fields: {...} } with values for its request template.",
            "anyOf": [
                { "type": "string" },
                { "type": "object", "additionalProperties": false, "required": ["vendor"],
                  "properties": {
                    "vendor": { "type": "string", "description": "Vendor id." },
                    "fields": { "type": "object", "additionalProperties": { "type": "string" },
                                "description": "Values for the vendor's request template." } } }
            ]
        })
    }
}
