//! Files a model names and the loader reads with it: holiday sets' iCalendar files and
//! contacts' iCalendar leave (absences.md), each read once, problems located at the entry.

use super::Loader;
use super::yaml::Node;
use crate::diag::{Diagnostic, Location};
use crate::model::{Entry, Origin};

impl Loader {
    /// A holiday set: its dates, from the YAML list or from an iCalendar file read now
    /// (relative to the YAML file; problems name the `.ics` file and line).
    pub(super) fn holiday_set(&mut self, origin: Origin, node: &Node, path: &str, id: &str) {
        let Some(set) = self.entry::<crate::model::HolidaySet>(&origin, node, path) else { return };
        let dates = match set {
            crate::model::HolidaySet::Dates(d) => d,
            crate::model::HolidaySet::Calendar(c) => {
                let file = &self.sources.files[origin.file];
                let ics = file.path.parent().unwrap_or(std::path::Path::new(".")).join(&c.ics);
                let at = node.get("ics").map_or(node.pos, |n| n.pos);
                let loc = Location { file: file.display.clone(), line: at.line.max(1), column: at.column.max(1), path: format!("{path}.ics") };
                let read = crate::read::text(&ics, crate::read::Kind::Calendar).map_err(|e| format!("cannot read {}", crate::read::describe(&ics, crate::read::Kind::Calendar, &e)));
                let parsed = read.and_then(|text| crate::ical::holiday_days(&text).map_err(|e| format!("{}:{}: {}", ics.display(), e.line, e.message)));
                match parsed {
                    Ok(found) => {
                        let events = found.iter().map(|(d, summary, line)| (crate::model::Date(*d), format!("\"{summary}\" ({}:{line})", c.ics))).collect();
                        self.model.holiday_events.insert(id.to_string(), events);
                        let mut all: Vec<crate::model::Date> = found.into_iter().map(|(d, _, _)| crate::model::Date(d)).chain(c.dates).collect();
                        all.sort();
                        all.dedup();
                        all
                    }
                    Err(why) => {
                        self.diagnostics.push(Diagnostic::new(crate::diag::Code::InvalidValue, format!("holiday set `{id}`: {why}"), Some(loc)));
                        return;
                    }
                }
            }
        };
        self.model.holidays.insert(id.to_string(), Entry { value: dates, origin });
    }

    /// Reads the iCalendar exports of `leave: [{ ics }]` entries: each event is leave, its
    /// floating times in the contact's zone.
    pub(super) fn ics_leave(&mut self) {
        for ci in 0..self.model.contacts.len() {
            let c = &self.model.contacts[ci];
            let tz = c.timezone.as_ref().map_or(jiff::tz::TimeZone::UTC, |z| z.tz.clone());
            let mut found = Vec::new();
            let mut problems = Vec::new();
            for (i, l) in c.leave.iter().enumerate() {
                let Some(ics) = &l.ics else { continue };
                let file = &self.sources.files[c.origin.file];
                let path = file.path.parent().unwrap_or(std::path::Path::new(".")).join(ics);
                let read = crate::read::text(&path, crate::read::Kind::Calendar).map_err(|e| format!("cannot read {}", crate::read::describe(&path, crate::read::Kind::Calendar, &e)));
                match read.and_then(|text| crate::ical::occurrences(&text).map_err(|e| format!("{}:{}: {}", path.display(), e.line, e.message))) {
                    Ok(occurrences) => found.extend(occurrences.into_iter().map(|o| {
                        let (start, end) = o.instants(&tz);
                        crate::model::IcsLeave { start, end, shown: format!("\"{}\" {} ({}:{})", o.summary, o.start.date(), ics, o.line) }
                    })),
                    Err(why) => problems.push((c.origin.at(format!("leave/{i}/ics")), format!("contact `{}`: leave[{i}]: {why}", c.id))),
                }
            }
            self.model.contacts[ci].value.ics_leave = found;
            for (origin, message) in problems {
                let loc = self.sources.locate(&origin);
                self.diagnostics.push(Diagnostic::new(crate::diag::Code::InvalidValue, message, Some(loc)));
            }
        }
    }
}
