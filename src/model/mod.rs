//! The support model, `runready.dev/v1`: one typed struct per section of
//! support-model.md. Doc comments become the descriptions of the JSON Schema that users
//! see in their editors.

pub mod governance;
pub mod grammar;
pub mod leave;
pub mod ops;
pub mod people;
pub mod scalars;
pub mod schedule;
mod section;
pub mod service;
pub mod subject;
pub mod vendor;

pub use governance::*;
pub use leave::DateOrTime;
pub use ops::*;
pub use people::*;
pub use scalars::*;
pub use schedule::*;
pub use section::Section;
pub use service::*;
pub use subject::{Subject, subject};
pub use vendor::*;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub const API_VERSION: &str = "runready.dev/v1";
pub const KIND: &str = "SupportModel";
/// The built-in calendar that is open at every instant.
pub const ALWAYS: &str = "always";

/// Who owns the model and when it was last reviewed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// The model's name, e.g. payments-platform.
    pub name: String,
    /// What the model covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Owning team (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Approvers (free text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    /// Date of the last operational readiness review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Date>,
    /// How often the model must be reviewed (e.g. P365D).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_interval: Option<Duration>,
}

/// One file of a support model. Sections may be spread over files and are merged,
/// except `metadata` and `severities`, which must each appear in one file only.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "runready support model (runready.dev/v1)")]
pub struct Document {
    /// Always `runready.dev/v1`.
    #[serde(rename = "apiVersion")]
    #[schemars(extend("const" = "runready.dev/v1"))]
    pub api_version: String,
    /// Always `SupportModel`.
    #[schemars(extend("const" = "SupportModel"))]
    pub kind: String,
    /// The model's name, owner and review (one file only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Named holiday sets: lists of dates, or an iCalendar file (plus dates of your own).
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": grammar::Spelling::Id.pattern(), "patternErrorMessage": grammar::Spelling::Id.message() }))]
    pub holidays: IndexMap<String, HolidaySet>,
    /// Calendars by id: when something is true (open, covered, frozen). `always` is built in.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": grammar::Spelling::Id.pattern(), "patternErrorMessage": grammar::Spelling::Id.message(), "if": { "const": "always" }, "then": { "const": "", "errorMessage": "`always` is the built-in calendar and cannot be redefined." } }))]
    pub calendars: IndexMap<String, Calendar>,
    /// Tiers by id: what a class of service requires.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": grammar::Spelling::Id.pattern(), "patternErrorMessage": grammar::Spelling::Id.message() }))]
    pub tiers: IndexMap<String, Tier>,
    /// The internal severity matrix, most severe first (one file only).
    #[serde(default)]
    pub severities: Vec<Severity>,
    /// People and teams that can be paged.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// On-call rotations by id.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": grammar::Spelling::Id.pattern(), "patternErrorMessage": grammar::Spelling::Id.message() }))]
    pub rotations: IndexMap<String, Rotation>,
    /// Layered schedules by id (PagerDuty's final schedule): rotations as layers, lowest
    /// first, and overrides above every layer.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": grammar::Spelling::Id.pattern(), "patternErrorMessage": grammar::Spelling::Id.message() }))]
    pub schedules: IndexMap<String, Schedule>,
    /// Escalation policies by id.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": grammar::Spelling::Id.pattern(), "patternErrorMessage": grammar::Spelling::Id.message() }))]
    pub escalations: IndexMap<String, Escalation>,
    /// Vendors by id.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": grammar::Spelling::Id.pattern(), "patternErrorMessage": grammar::Spelling::Id.message() }))]
    pub vendors: IndexMap<String, Vendor>,
    /// Support request templates by id.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": grammar::Spelling::Id.pattern(), "patternErrorMessage": grammar::Spelling::Id.message() }))]
    pub request_templates: IndexMap<String, RequestTemplate>,
    /// Runbooks by id.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": grammar::Spelling::Id.pattern(), "patternErrorMessage": grammar::Spelling::Id.message() }))]
    pub runbooks: IndexMap<String, Runbook>,
    /// Artifacts to retrieve from production, by id.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": grammar::Spelling::Id.pattern(), "patternErrorMessage": grammar::Spelling::Id.message() }))]
    pub artifacts: IndexMap<String, Artifact>,
    /// The services the team supports.
    #[serde(default)]
    pub services: Vec<Service>,
    /// Drills that rehearse the support process.
    #[serde(default)]
    pub drills: Vec<Drill>,
    /// Policies (WASM modules or Rego directories) run on every check of this model.
    #[serde(default)]
    pub policies: Vec<PolicyRef>,
    /// Per rule: a different severity, or off.
    #[serde(default)]
    // propertyNames: the built-in rule ids or POLICY/RULE (src/commands/schema.rs).
    pub rule_overrides: IndexMap<String, RuleOverride>,
    /// Approved, expiring exceptions.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

/// Index of a source file in [`crate::load::Sources`].
pub type FileId = usize;

/// Where an entry of the merged model was written: a file and a JSON pointer into it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: FileId,
    pub pointer: String,
}

impl Origin {
    /// The origin of a value inside this entry, e.g. `origin.at("steps/1/timeout")`.
    pub fn at(&self, sub: impl AsRef<str>) -> Origin {
        let sub = sub.as_ref().trim_start_matches('/');
        if sub.is_empty() {
            return self.clone();
        }
        Origin { file: self.file, pointer: format!("{}/{}", self.pointer, sub) }
    }
}

/// A merged entry: its value and where it came from. Serialises as the value alone.
#[derive(Clone, Debug)]
pub struct Entry<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> std::ops::Deref for Entry<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Serialize> Serialize for Entry<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

/// The merged model of all files. Every entry knows its origin, so every value can be
/// located through a JSON pointer, by built-in rules and plugins alike.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Model {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Entry<Metadata>>,
    pub holidays: IndexMap<String, Entry<Vec<Date>>>,
    pub calendars: IndexMap<String, Entry<Calendar>>,
    pub tiers: IndexMap<String, Entry<Tier>>,
    pub severities: Vec<Entry<Severity>>,
    pub contacts: Vec<Entry<Contact>>,
    pub rotations: IndexMap<String, Entry<Rotation>>,
    pub schedules: IndexMap<String, Entry<Schedule>>,
    pub escalations: IndexMap<String, Entry<Escalation>>,
    pub vendors: IndexMap<String, Entry<Vendor>>,
    pub request_templates: IndexMap<String, Entry<RequestTemplate>>,
    pub runbooks: IndexMap<String, Entry<Runbook>>,
    pub artifacts: IndexMap<String, Entry<Artifact>>,
    pub services: Vec<Entry<Service>>,
    pub drills: Vec<Entry<Drill>>,
    pub policies: Vec<Entry<PolicyRef>>,
    pub rule_overrides: IndexMap<String, Entry<RuleOverride>>,
    pub waivers: Vec<Entry<Waiver>>,
    /// Per holiday set read from an iCalendar file: each date's event, as causes name it
    /// (`"Boxing Day" (calendars/uk.ics:42)`).
    #[serde(skip)]
    pub holiday_events: std::collections::HashMap<String, std::collections::BTreeMap<Date, String>>,
    /// Positions of the list sections' ids, for lookups by id ([`Model::index_ids`]).
    #[serde(skip)]
    ids: Ids,
}

/// Where each id of a list section is (the first entry with it).
#[derive(Clone, Debug, Default)]
struct Ids {
    contacts: std::collections::HashMap<String, usize>,
    services: std::collections::HashMap<String, usize>,
}

/// Looks `id` up through `index`, checking the entry still has that id (a model edited
/// after indexing falls back to a scan, never to a wrong answer).
fn by_id<'a, T>(list: &'a [Entry<T>], index: &std::collections::HashMap<String, usize>, id: &str, id_of: impl Fn(&T) -> &str) -> Option<&'a Entry<T>> {
    match index.get(id).and_then(|&i| list.get(i)) {
        Some(e) if id_of(e) == id => Some(e),
        _ => list.iter().find(|e| id_of(e) == id),
    }
}

impl Model {
    /// Builds the id index of contacts and services (the loader does it once, at the end).
    pub fn index_ids(&mut self) {
        let mut ids = Ids::default();
        for (i, c) in self.contacts.iter().enumerate() {
            ids.contacts.entry(c.id.clone()).or_insert(i);
        }
        for (i, s) in self.services.iter().enumerate() {
            ids.services.entry(s.id.clone()).or_insert(i);
        }
        self.ids = ids;
    }

    pub fn name(&self) -> &str {
        self.metadata.as_ref().map(|m| m.name.as_str()).unwrap_or("unnamed")
    }

    pub fn contact(&self, id: &str) -> Option<&Entry<Contact>> {
        by_id(&self.contacts, &self.ids.contacts, id, |c| &c.id)
    }

    pub fn severity(&self, id: &str) -> Option<&Entry<Severity>> {
        self.severities.iter().find(|s| s.id == id)
    }

    pub fn service(&self, id: &str) -> Option<&Entry<Service>> {
        by_id(&self.services, &self.ids.services, id, |s| &s.id)
    }

    /// The severities that apply to a service, in matrix order; unknown ids are skipped
    /// (SM-001 reports them).
    /// The rotations some escalation pages directly (not only as a layer of a schedule).
    pub fn directly_paged_rotations(&self) -> std::collections::HashSet<&str> {
        self.escalations
            .values()
            .flat_map(|e| e.targets())
            .filter_map(|t| match t.get() {
                TargetRef::Rotation(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    pub fn service_severities<'a>(&'a self, service: &Service) -> Vec<&'a Entry<Severity>> {
        match &service.severities {
            None => self.severities.iter().collect(),
            Some(ids) => self.severities.iter().filter(|s| ids.contains(&s.id)).collect(),
        }
    }

    /// The services a result subject concerns: its own service, or every service using the
    /// entity it names; `None` when the subject is not tied to services (model, rotation, …).
    pub fn services_of_subject(&self, subject: &str) -> Option<Vec<&str>> {
        let (kind, id) = Subject::parse(subject).entity()?;
        let uses = |s: &Service| match kind {
            "service" => s.id == id,
            "runbook" => s.runbooks.iter().any(|r| r == id),
            "artifact" => s.artifacts.iter().any(|a| a == id),
            "vendor" => s.vendors.iter().any(|v| v == id),
            "escalation" => s.escalation.as_deref() == Some(id),
            "tier" => s.tier.as_deref() == Some(id),
            "drill" => self.drills.iter().any(|d| d.id == id && d.services.contains(&s.id)),
            _ => false,
        };
        let bound = matches!(kind, "service" | "runbook" | "artifact" | "vendor" | "escalation" | "tier" | "drill");
        bound.then(|| self.services.iter().filter(|s| uses(s)).map(|s| s.id.as_str()).collect())
    }

    /// For every subject base a service can be tied to (`service:api`, `runbook:restore`,
    /// `escalation:e`, ...), the services it concerns, in model order: the index behind
    /// [`Model::services_of_subject`] for callers that ask about many subjects.
    pub fn users_index<'a>(&'a self) -> std::collections::HashMap<String, Vec<&'a str>> {
        let mut index: std::collections::HashMap<String, Vec<&str>> = std::collections::HashMap::new();
        fn add<'m>(index: &mut std::collections::HashMap<String, Vec<&'m str>>, key: String, svc: &'m str) {
            let users = index.entry(key).or_default();
            if users.last() != Some(&svc) {
                users.push(svc);
            }
        }
        let mut add = |key: String, svc: &'a str| add(&mut index, key, svc);
        for s in &self.services {
            add(format!("service:{}", s.id), &s.id);
            s.runbooks.iter().for_each(|r| add(format!("runbook:{r}"), &s.id));
            s.artifacts.iter().for_each(|a| add(format!("artifact:{a}"), &s.id));
            s.vendors.iter().for_each(|v| add(format!("vendor:{v}"), &s.id));
            s.escalation.iter().for_each(|e| add(format!("escalation:{e}"), &s.id));
            s.tier.iter().for_each(|t| add(format!("tier:{t}"), &s.id));
        }
        for d in &self.drills {
            let users = index.entry(format!("drill:{}", d.id)).or_default();
            for s in self.services.iter().filter(|s| d.services.contains(&s.id)) {
                users.push(&s.id);
            }
        }
        index
    }

    /// True when `id` names a calendar: a defined one or `always`.
    pub fn has_calendar(&self, id: &str) -> bool {
        id == ALWAYS || self.calendars.contains_key(id)
    }

    /// Maps a JSON pointer into the serialised model (`/services/3/escalation`) to the
    /// origin of the value it names: the entry's file and the pointer inside that file.
    pub fn origin_of_pointer(&self, pointer: &str) -> Option<Origin> {
        let mut parts = pointer.trim_start_matches('/').splitn(3, '/');
        let section = parts.next()?;
        let key = parts.next().map(|k| k.replace("~1", "/").replace("~0", "~"));
        let rest = parts.next().unwrap_or("");
        fn by_index<T>(list: &[Entry<T>], key: Option<String>, rest: &str) -> Option<Origin> {
            let i: usize = key?.parse().ok()?;
            list.get(i).map(|e| e.origin.at(rest))
        }
        fn by_id<T>(map: &IndexMap<String, Entry<T>>, key: Option<String>, rest: &str) -> Option<Origin> {
            map.get(&key?).map(|e| e.origin.at(rest))
        }
        match Section::parse(section)? {
            Section::Metadata => {
                let m = self.metadata.as_ref()?;
                let sub = [key.unwrap_or_default(), rest.to_string()].join("/");
                Some(m.origin.at(sub.trim_end_matches('/')))
            }
            Section::Holidays => by_id(&self.holidays, key, rest),
            Section::Calendars => by_id(&self.calendars, key, rest),
            Section::Tiers => by_id(&self.tiers, key, rest),
            Section::Severities => by_index(&self.severities, key, rest),
            Section::Contacts => by_index(&self.contacts, key, rest),
            Section::Rotations => by_id(&self.rotations, key, rest),
            Section::Schedules => by_id(&self.schedules, key, rest),
            Section::Escalations => by_id(&self.escalations, key, rest),
            Section::Vendors => by_id(&self.vendors, key, rest),
            Section::RequestTemplates => by_id(&self.request_templates, key, rest),
            Section::Runbooks => by_id(&self.runbooks, key, rest),
            Section::Artifacts => by_id(&self.artifacts, key, rest),
            Section::Services => by_index(&self.services, key, rest),
            Section::Drills => by_index(&self.drills, key, rest),
            Section::Policies => by_index(&self.policies, key, rest),
            Section::RuleOverrides => by_id(&self.rule_overrides, key, rest),
            Section::Waivers => by_index(&self.waivers, key, rest),
            Section::ApiVersion | Section::Kind => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::load::load_str;

    #[test]
    fn pointers_into_the_serialised_model_map_back_to_yaml_lines() {
        let yaml = "apiVersion: runready.dev/v1\nkind: SupportModel\nmetadata: { name: m }\nseverities:\n  - id: s1\n    aws_severity: urgent\nservices:\n  - id: a\n  - id: b\n    escalation: main\nrunbooks:\n  rb:\n    path: x.md\n    required_sections: [One, Two]\n";
        let l = load_str("m.yaml", yaml);
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        let json = serde_json::to_value(&l.model).unwrap();
        for (pointer, line, column) in [
            ("/services/1/escalation", 10, 17),
            ("/severities/0/aws_severity", 6, 19),
            ("/runbooks/rb/required_sections/1", 14, 30),
            ("/metadata/name", 3, 19),
            // A default the user did not write points at its entry.
            ("/severities/0/clock", 5, 5),
        ] {
            assert!(json.pointer(pointer).is_some(), "{pointer} is not in the serialised model");
            let origin = l.model.origin_of_pointer(pointer).unwrap();
            let loc = l.sources.locate(&origin);
            assert_eq!((loc.line, loc.column), (line, column), "{pointer}");
        }
        assert!(l.model.origin_of_pointer("/nope/1").is_none());
    }
}
