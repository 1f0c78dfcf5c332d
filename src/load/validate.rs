//! Checks on the merged model that make it unusable when they fail (exit 2): things a
//! schema would reject but serde cannot express, each pointing at the offending value.
//! Dangling references are not here: they are rule SM-001 (exit 1).

use super::Sources;
use crate::diag::Diagnostic;
use crate::model::*;

/// Why an id is not acceptable, if it is not. `rule_overrides` keys are rule ids, which
/// may name a policy's rule as `POLICY/RULE`.
pub fn id_problem(section: &str, id: &str) -> Option<&'static str> {
    use crate::model::grammar::Spelling;
    if id.is_empty() {
        Some("is empty")
    } else if section == "rule_overrides" {
        (!Spelling::RuleId.matches(id)).then_some("must be a rule id (COV-001) or a policy's rule, POLICY/RULE")
    } else if !Spelling::Id.matches(id) {
        Some("must start with a letter or digit and contain only letters, digits, `-`, `_` and `.`")
    } else {
        None
    }
}

pub fn validate(model: &Model, sources: &Sources) -> Vec<Diagnostic> {
    let mut v = Validator { sources, out: Vec::new() };
    for (id, cal) in &model.calendars {
        v.calendar(id, cal);
    }
    for (id, rot) in &model.rotations {
        v.rotation(id, rot);
    }
    for (id, s) in &model.schedules {
        v.schedule(id, s);
    }
    for c in &model.contacts {
        for (i, l) in c.leave.iter().enumerate() {
            let o = c.origin.at(format!("leave/{i}"));
            match (l.from, l.to, &l.ics) {
                (None, None, Some(_)) => {}
                (Some(a), Some(b), None) => match (a, b) {
                    (DateOrTime::Date(_), DateOrTime::DateTime(_)) | (DateOrTime::DateTime(_), DateOrTime::Date(_)) => {
                        v.error(&o, format!("contact `{}`: leave from {a} to {b} mixes a date and a date-time", c.id), "write both as dates (inclusive) or both as local date-times (half-open)")
                    }
                    (a, b) if b < a => v.error(&o, format!("contact `{}`: leave ends ({b}) before it starts ({a})", c.id), "swap `from` and `to`"),
                    _ => {}
                },
                _ => v.error(&o, format!("contact `{}`: a leave entry is {{ from, to }} or {{ ics }}", c.id), "e.g. { from: 2026-12-21, to: 2026-12-24 } or { ics: calendars/alice-ooo.ics }"),
            }
        }
    }
    for (id, t) in &model.tiers {
        if let Some(share) = t.max_load_share
            && !(share > 0.0 && share <= 1.0)
        {
            v.error(&t.origin.at("max_load_share"), format!("tier `{id}`: max_load_share {share} is not a share (more than 0, at most 1)"), "e.g. max_load_share: 0.5");
        }
    }
    for (id, vendor) in &model.vendors {
        if vendor.kind == VendorKind::AwsSupport && vendor.plan.is_none() {
            v.error(&vendor.origin, format!("vendor `{id}` is `aws_support` but declares no `plan`"), "add `plan: business` (or the plan you pay for)");
        }
    }
    for (id, t) in &model.request_templates {
        let mut env = minijinja::Environment::new();
        if let Err(e) = env.add_template_owned(id.clone(), t.body.clone()) {
            v.error(&t.origin.at("body"), format!("request template `{id}` does not parse: {e}"), "the body is a minijinja template: {{ field }}");
        }
    }
    for (id, a) in &model.artifacts {
        for (i, pattern) in a.redact.iter().enumerate() {
            if let Err(e) = regex::Regex::new(pattern) {
                let first = e.to_string().lines().last().unwrap_or("invalid").trim().to_string();
                v.error(&a.origin.at(format!("redact/{i}")), format!("artifact `{id}`: redact pattern is not a valid regular expression: {first}"), "use Rust regex syntax, e.g. '\\b\\d{16}\\b'");
            }
        }
    }
    for p in &model.policies {
        if let Some(pin) = &p.sha256
            && (pin.len() != 64 || !pin.chars().all(|c| c.is_ascii_hexdigit()))
        {
            v.error(&p.origin.at("sha256"), "`sha256` must be 64 hexadecimal digits".to_string(), "run `sha256sum` on the .wasm file");
        }
    }
    for (id, o) in &model.rule_overrides {
        if !id.contains('/') && crate::rules::registry::find(id).is_none() {
            let ids = crate::rules::registry::all().iter().map(|r| r.id.as_str());
            let help = match crate::suggest::did_you_mean(id, ids) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "`runready rules` lists the rule ids".to_string(),
            };
            let loc = sources.locate_key(&o.origin);
            v.out.push(Diagnostic::new(crate::diag::Code::InvalidValue, format!("rule_overrides: `{id}` is not a rule"), Some(loc)).with_help(help));
        }
    }
    v.out
}

struct Validator<'a> {
    sources: &'a Sources,
    out: Vec<Diagnostic>,
}

impl Validator<'_> {
    fn error(&mut self, origin: &Origin, message: String, help: &str) {
        let loc = self.sources.locate(origin);
        self.out.push(Diagnostic::new(crate::diag::Code::InvalidModel, message, Some(loc)).with_help(help));
    }

    fn windows(&mut self, owner: &str, origin: &Origin, field: &str, windows: &[WeeklyWindow]) {
        for (i, w) in windows.iter().enumerate() {
            let o = origin.at(format!("{field}/{i}"));
            if w.days.is_empty() {
                self.error(&o.at("days"), format!("{owner}: a weekly window needs at least one day"), "e.g. days: [mon, tue, wed, thu, fri]");
            }
            if w.from == w.to {
                self.error(&o, format!("{owner}: window {}–{} is empty", w.from, w.to), "use from: \"00:00\", to: \"24:00\" for a whole day");
            }
            if w.from.minutes == 1440 {
                self.error(&o.at("from"), format!("{owner}: a window cannot start at 24:00"), "start at 00:00 on the next day");
            }
        }
        if let Some((i, j, day, from, to)) = first_overlap(windows) {
            self.error(
                &origin.at(format!("{field}/{j}")),
                format!("{owner}: windows {} and {} overlap on {day} {}–{}", i + 1, j + 1, hhmm(from), hhmm(to)),
                "merge the windows, or correct their days or times",
            );
        }
    }

    fn calendar(&mut self, id: &str, cal: &Entry<Calendar>) {
        let owner = format!("calendar `{id}`");
        if cal.timezone.is_none() && (!cal.weekly.is_empty() || !cal.exceptions.is_empty()) {
            self.error(&cal.origin, format!("{owner} has weekly windows or exceptions but no `timezone`"), "add e.g. `timezone: Europe/London`");
        }
        self.windows(&owner, &cal.origin, "weekly", &cal.weekly);
        for (i, e) in cal.exceptions.iter().enumerate() {
            let o = cal.origin.at(format!("exceptions/{i}"));
            match (e.closed, e.from, e.to) {
                (true, None, None) => {}
                (true, _, _) => self.error(&o, format!("{owner}: exception on {} is `closed: true` and has `from`/`to`", e.date), "keep either `closed: true` or the hours"),
                (false, Some(f), Some(t)) if f == t => self.error(&o, format!("{owner}: exception on {} is empty ({f}–{t})", e.date), "use `closed: true` to close the date"),
                (false, Some(_), Some(_)) => {}
                _ => self.error(&o, format!("{owner}: exception on {} needs both `from` and `to`, or `closed: true`", e.date), "e.g. { date: 2026-12-24, from: \"08:00\", to: \"12:00\" }"),
            }
        }
        for (i, r) in cal.ranges.iter().enumerate() {
            if r.from >= r.to {
                self.error(&cal.origin.at(format!("ranges/{i}")), format!("{owner}: range ends ({}) before it starts ({})", r.to, r.from), "swap `from` and `to`");
            }
        }
    }

    fn rotation(&mut self, id: &str, rot: &Entry<Rotation>) {
        let owner = format!("rotation `{id}`");
        if rot.members.is_empty() {
            self.error(&rot.origin.at("members"), format!("{owner} has no members"), "list the contact ids in turn order");
        }
        if rot.handoff.as_secs() <= 0 {
            self.error(&rot.origin.at("handoff"), format!("{owner}: `handoff` must be longer than zero"), "e.g. handoff: P1W");
        }
        self.windows(&owner, &rot.origin, "restrictions", &rot.restrictions);
        self.overrides(&owner, &rot.origin, &rot.overrides);
        if let (Some(from), Some(until)) = (&rot.active_from, &rot.active_until)
            && from >= until
        {
            self.error(&rot.origin.at("active_until"), format!("{owner}: `active_until` ({until}) is not after `active_from` ({from})"), "swap them, or remove `active_until`");
        }
    }

    fn overrides(&mut self, owner: &str, origin: &Origin, overrides: &[RotationOverride]) {
        for (i, o) in overrides.iter().enumerate() {
            if o.from >= o.to {
                self.error(&origin.at(format!("overrides/{i}")), format!("{owner}: override ends ({}) before it starts ({})", o.to, o.from), "swap `from` and `to`");
            }
        }
    }

    fn schedule(&mut self, id: &str, s: &Entry<Schedule>) {
        let owner = format!("schedule `{id}`");
        if s.layers.is_empty() {
            self.error(&s.origin.at("layers"), format!("{owner} has no layers"), "list rotation ids, lowest layer first: layers: [weekly, weekend]");
        }
        self.overrides(&owner, &s.origin, &s.overrides);
    }
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// The first two weekly windows that cover the same minute of the week: (window, window,
/// day, from, to). A window whose `to` is not after its `from` runs into the next day.
fn first_overlap(windows: &[WeeklyWindow]) -> Option<(usize, usize, &'static str, u16, u16)> {
    // Minutes of the week, per window, as up to two ranges (a window crossing Sunday
    // midnight wraps to Monday).
    let week = 7 * 1440u32;
    let mut ranges: Vec<(usize, u32, u32)> = Vec::new();
    for (i, w) in windows.iter().enumerate() {
        for d in &w.days {
            let day = *d as u32;
            let start = day * 1440 + w.from.minutes as u32;
            let end = if w.to.minutes <= w.from.minutes { (day + 1) * 1440 + w.to.minutes as u32 } else { day * 1440 + w.to.minutes as u32 };
            if end > week {
                ranges.push((i, start, week));
                ranges.push((i, 0, end - week));
            } else {
                ranges.push((i, start, end));
            }
        }
    }
    for (a, &(i, s1, e1)) in ranges.iter().enumerate() {
        for &(j, s2, e2) in &ranges[a + 1..] {
            let (lo, hi) = (s1.max(s2), e1.min(e2));
            if lo < hi && i != j {
                let day = (lo / 1440) as usize % 7;
                let (i, j) = (i.min(j), i.max(j));
                return Some((i, j, DAY_NAMES[day], (lo % 1440) as u16, ((hi - 1) % 1440 + 1) as u16));
            }
        }
    }
    None
}
