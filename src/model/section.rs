//! The top-level sections of a model file, as the YAML spells them: the one list the
//! loader dispatches on, suggests from and maps JSON pointers with.

/// A top-level key of a model file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    ApiVersion,
    Kind,
    Metadata,
    Holidays,
    Calendars,
    Tiers,
    Severities,
    Contacts,
    Rotations,
    Schedules,
    Escalations,
    Vendors,
    RequestTemplates,
    Runbooks,
    Artifacts,
    Services,
    Drills,
    Policies,
    RuleOverrides,
    Waivers,
}

impl Section {
    /// Every section, in the order support-model.md lists them.
    pub const ALL: [Section; 20] = [
        Section::ApiVersion,
        Section::Kind,
        Section::Metadata,
        Section::Holidays,
        Section::Calendars,
        Section::Tiers,
        Section::Severities,
        Section::Contacts,
        Section::Rotations,
        Section::Schedules,
        Section::Escalations,
        Section::Vendors,
        Section::RequestTemplates,
        Section::Runbooks,
        Section::Artifacts,
        Section::Services,
        Section::Drills,
        Section::Policies,
        Section::RuleOverrides,
        Section::Waivers,
    ];

    /// The YAML key.
    pub fn key(self) -> &'static str {
        match self {
            Section::ApiVersion => "apiVersion",
            Section::Kind => "kind",
            Section::Metadata => "metadata",
            Section::Holidays => "holidays",
            Section::Calendars => "calendars",
            Section::Tiers => "tiers",
            Section::Severities => "severities",
            Section::Contacts => "contacts",
            Section::Rotations => "rotations",
            Section::Schedules => "schedules",
            Section::Escalations => "escalations",
            Section::Vendors => "vendors",
            Section::RequestTemplates => "request_templates",
            Section::Runbooks => "runbooks",
            Section::Artifacts => "artifacts",
            Section::Services => "services",
            Section::Drills => "drills",
            Section::Policies => "policies",
            Section::RuleOverrides => "rule_overrides",
            Section::Waivers => "waivers",
        }
    }

    /// What one entry of the section is called in messages ("a mapping of id to calendar").
    pub fn entry(self) -> &'static str {
        match self {
            Section::ApiVersion | Section::Kind | Section::Metadata => "value",
            Section::Holidays => "holiday set",
            Section::Calendars => "calendar",
            Section::Tiers => "tier",
            Section::Severities => "severity",
            Section::Contacts => "contact",
            Section::Rotations => "rotation",
            Section::Schedules => "schedule",
            Section::Escalations => "escalation",
            Section::Vendors => "vendor",
            Section::RequestTemplates => "request template",
            Section::Runbooks => "runbook",
            Section::Artifacts => "artifact",
            Section::Services => "service",
            Section::Drills => "drill",
            Section::Policies => "policy",
            Section::RuleOverrides => "rule override",
            Section::Waivers => "waiver",
        }
    }

    pub fn parse(key: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.key() == key)
    }
}
