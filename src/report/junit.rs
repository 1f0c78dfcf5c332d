//! JUnit XML: one `<testsuite>` per service plus `model`, one `<testcase>` per rule and
//! subject named `RULE subject`. Validated against the Jenkins JUnit XSD in the tests.

use super::Report;
use crate::rules::Status;
use junit_report::{Duration, ReportBuilder, TestCase, TestSuiteBuilder};

pub fn render(report: &Report) -> String {
    let stamp = report.evaluated_at.parse::<jiff::Timestamp>().ok().and_then(|t| time::OffsetDateTime::from_unix_timestamp(t.as_second()).ok()).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let mut suites: indexmap::IndexMap<String, Vec<TestCase>> = indexmap::IndexMap::new();
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
                // The JUnit XSD allows no attributes on <skipped>: the reason goes to system-out.
                detail.push_str(&format!("waived: {reason}{expiry}\n"));
                TestCase::skipped(&name)
            }
            Status::Unknown => TestCase::error(&name, Duration::ZERO, "unknown", &r.message),
            Status::Error => TestCase::error(&name, Duration::ZERO, "error", &r.message),
        };
        tc.set_classname(&format!("runready.{}", r.rule));
        if !detail.is_empty() && r.status != Status::Pass {
            tc.set_system_out(&format!("{}\n{detail}", r.message));
        }
        suites.entry(suite).or_default().push(tc);
    }
    let mut builder = ReportBuilder::new();
    for (name, cases) in suites {
        let suite = TestSuiteBuilder::new(&name).set_timestamp(stamp).add_testcases(cases).build();
        builder.add_testsuite(suite);
    }
    // One `drill:ID` suite per drill run given with --journal (cli.md, JUnit).
    builder.add_testsuites(super::drill::suites(&report.drills));
    let mut buf = Vec::new();
    builder.build().write_xml(&mut buf).expect("writing XML to memory cannot fail");
    String::from_utf8(buf).expect("junit-report writes UTF-8") + "\n"
}
