//! JUnit XML: one `<testsuite>` per service plus `model`, one `<testcase>` per rule and
//! subject named `RULE subject`. Validated against the Jenkins JUnit XSD in the tests.

use super::Report;
use crate::rules::Status;
use junit_report::{Duration, ReportBuilder, TestCase, TestSuiteBuilder};

pub fn render(report: &Report) -> String {
    let stamp = report.evaluated_at.parse::<jiff::Timestamp>().ok().and_then(|t| time::OffsetDateTime::from_unix_timestamp(t.as_second()).ok()).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let mut suites: indexmap::IndexMap<String, Vec<TestCase>> = indexmap::IndexMap::new();
    // (suite, text) of each skipped case, in result order (see `skipped_texts`).
    let mut skipped: Vec<(String, String)> = Vec::new();
    suites.insert("model".into(), Vec::new());
    for d in &report.load_errors {
        let place = d.location.as_ref().map(|l| l.to_string()).unwrap_or_else(|| report.model.files.join(", "));
        let mut tc = TestCase::error(&format!("load {place}"), Duration::ZERO, d.code.as_str(), &d.message);
        tc.set_classname("runready.load");
        suites["model"].push(tc);
    }
    for r in &report.results {
        let suite = match crate::model::Subject::parse(&r.subject).service() {
            Some(id) => id.to_string(),
            None => "model".to_string(),
        };
        let name = format!("{} {}", r.rule, r.subject);
        let mut detail = String::new();
        if let Some(l) = &r.location {
            detail.push_str(&format!("{l}"));
            if !l.path.is_empty() {
                detail.push_str(&format!(" ({})", l.path));
            }
            detail.push('\n');
        }
        if let Some(h) = &r.help {
            detail.push_str(&format!("help: {h}\n"));
        }
        let mut tc = match r.status {
            Status::Pass => TestCase::success(&name, Duration::ZERO),
            Status::Fail => TestCase::failure(&name, Duration::ZERO, r.severity.as_str(), &r.message),
            Status::Waived => {
                let w = r.waiver.as_ref();
                let expiry = w.and_then(|w| w.expires.clone()).map(|e| format!(" (expires {e})")).unwrap_or_default();
                let reason = w.map(|w| w.reason.clone()).unwrap_or_default();
                // The JUnit XSD allows no attributes on <skipped>: the reason is its text.
                detail.push_str(&format!("waived: {reason}{expiry}\n"));
                skipped.push((suite.clone(), format!("waived: {reason}{expiry}")));
                TestCase::skipped(&name)
            }
            // Not evaluated is not broken (cli.md v1.1): a ready run stays green in CI.
            Status::Unknown => {
                skipped.push((suite.clone(), r.message.clone()));
                TestCase::skipped(&name)
            }
            Status::Error => TestCase::error(&name, Duration::ZERO, "error", &r.message),
        };
        tc.set_classname(&format!("runready.{}", r.rule));
        if !detail.is_empty() && r.status != Status::Pass {
            tc.set_system_out(&format!("{}\n{detail}", r.message));
        }
        suites.entry(suite).or_default().push(tc);
    }
    // The document has suite after suite: the skipped texts in that order.
    let ordered: Vec<String> = suites.keys().flat_map(|name| skipped.iter().filter(move |(s, _)| s == name).map(|(_, t)| t.clone())).collect();
    let mut builder = ReportBuilder::new();
    for (name, cases) in suites {
        let suite = TestSuiteBuilder::new(&name).set_timestamp(stamp).add_testcases(cases).build();
        builder.add_testsuite(suite);
    }
    // One `drill:ID` suite per drill run given with --journal (cli.md, JUnit).
    builder.add_testsuites(super::drill::suites(&report.drills));
    let mut buf = Vec::new();
    builder.build().write_xml(&mut buf).expect("writing XML to memory cannot fail");
    let xml = String::from_utf8(buf).expect("junit-report writes UTF-8");
    // Drill suites come after these, so their `<skipped/>` stay as they are.
    skipped_texts(&xml, &ordered) + "\n"
}

/// junit-report writes `<skipped/>` or `<skipped type=… message=…/>` (attributes the XSD
/// forbids); the reason belongs in the element's text. Fills the first `texts.len()` empty
/// `<skipped/>` elements outside CDATA sections (system-out text cannot fool it), in order.
fn skipped_texts(xml: &str, texts: &[String]) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    let mut next = texts.iter();
    while !rest.is_empty() {
        let cdata = rest.find("<![CDATA[");
        let skip = rest.find("<skipped/>");
        match (cdata, skip) {
            (Some(c), s) if s.is_none_or(|s| c < s) => {
                let end = rest[c..].find("]]>").map_or(rest.len(), |e| c + e + 3);
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            }
            (_, Some(s)) => {
                out.push_str(&rest[..s]);
                match next.next() {
                    Some(text) => out.push_str(&format!("<skipped>{}</skipped>", escape(text))),
                    None => out.push_str("<skipped/>"),
                }
                rest = &rest[s + "<skipped/>".len()..];
            }
            _ => {
                out.push_str(rest);
                rest = "";
            }
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
