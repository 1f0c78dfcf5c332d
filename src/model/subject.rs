//! Result subjects: `KIND:ID` for an entity of the model (`service:api`, `rotation:core`),
//! `model` for the model as a whole, and `KIND:ID/PART:ID...` for a part of one
//! (`service:api/severity:sev1`, `service:api/check:ID`, `service:api/event:ARN`). Subjects
//! are binding: waivers, baselines and SARIF fingerprints name them. They are built by
//! [`subject`] and read by [`Subject::parse`], nowhere else.

/// `KIND:ID`.
pub fn subject(kind: &str, id: &str) -> String {
    format!("{kind}:{id}")
}

/// A subject, read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subject<'a> {
    text: &'a str,
}

impl<'a> Subject<'a> {
    pub fn parse(text: &'a str) -> Subject<'a> {
        Subject { text }
    }

    /// The entity part: `service:api` of `service:api/check:x`.
    pub fn base(&self) -> &'a str {
        self.text.split_once('/').map_or(self.text, |(b, _)| b)
    }

    /// The entity's kind and id, when the base is written `KIND:ID`.
    pub fn entity(&self) -> Option<(&'a str, &'a str)> {
        self.base().split_once(':')
    }

    /// The service the subject belongs to, when its entity is a service.
    pub fn service(&self) -> Option<&'a str> {
        self.entity().filter(|(kind, _)| *kind == "service").map(|(_, id)| id)
    }

    /// The id of the part `kind` (`check`, `event`, `severity`), when the subject has one.
    /// The part runs to the end of the subject (an event ARN may contain `/`).
    pub fn part(&self, kind: &str) -> Option<&'a str> {
        let marker = format!("/{kind}:");
        self.text.find(&marker).map(|i| &self.text[i + marker.len()..])
    }

    /// The subject without the part `kind` and what follows it.
    pub fn before(&self, kind: &str) -> &'a str {
        let marker = format!("/{kind}:");
        self.text.find(&marker).map_or(self.text, |i| &self.text[..i])
    }
}

#[cfg(test)]
mod tests {
    use super::Subject;

    #[test]
    fn parts_of_a_subject() {
        let s = Subject::parse("service:api/event:arn:aws:health:us-east-1::event/EC2/x");
        assert_eq!(s.base(), "service:api");
        assert_eq!(s.service(), Some("api"));
        assert_eq!(s.part("event"), Some("arn:aws:health:us-east-1::event/EC2/x"));
        assert_eq!(s.part("check"), None);
        assert_eq!(s.before("event"), "service:api");
        assert_eq!(Subject::parse("model").entity(), None);
        assert_eq!(Subject::parse("rotation:r").service(), None);
    }
}
