//! absences.md through the rules and the CLI: leave, COV-006 (N-1), COV-007, and
//! `coverage --without` / `--load`.

mod common;
use common::drills::{run as cli, runready};
use common::*;
use serde_json::Value;

/// Follow the sun: London weekdays (a, b), New York weekdays (c, d), and one person (w) on
/// weekends; step 1 pages the region's rotation and waits 20 minutes, step 2 the lead.
fn follow_the_sun(n_minus_one: bool) -> String {
    format!(
        r#"apiVersion: runready.dev/v1
kind: SupportModel
metadata: {{ name: fts, reviewed: 2026-10-01, review_interval: P365D }}
tiers:
  critical: {{ availability: always, required_coverage: always, n_minus_one: {n_minus_one} }}
severities:
  - {{ id: sev1, aws_severity: urgent, targets: {{ acknowledge: PT15M, engage_vendor: PT30M, restore: PT4H }} }}
contacts:
  - {{ id: a, kind: person, timezone: Europe/London, channels: [{{ type: sms, address: "1" }}] }}
  - {{ id: b, kind: person, timezone: Europe/London, channels: [{{ type: sms, address: "2" }}] }}
  - {{ id: c, kind: person, timezone: America/New_York, channels: [{{ type: sms, address: "3" }}] }}
  - {{ id: d, kind: person, timezone: America/New_York, channels: [{{ type: sms, address: "4" }}] }}
  - {{ id: w, kind: person, timezone: UTC, channels: [{{ type: sms, address: "5" }}] }}
  - {{ id: lead, kind: person, timezone: UTC, channels: [{{ type: sms, address: "6" }}] }}
  - {{ id: noc, kind: team, always_reachable: true, channels: [{{ type: voice, address: "0" }}] }}
rotations:
  london: {{ timezone: UTC, members: [a, b], start: 2026-11-02T00:00, handoff: P1W, restrictions: [{{ days: [mon, tue, wed, thu, fri], from: "00:00", to: "12:00" }}] }}
  newyork: {{ timezone: UTC, members: [c, d], start: 2026-11-02T00:00, handoff: P1W, restrictions: [{{ days: [mon, tue, wed, thu, fri], from: "12:00", to: "24:00" }}] }}
  weekend: {{ timezone: UTC, members: [w], start: 2026-11-02T00:00, handoff: P1W, restrictions: [{{ days: [sat, sun], from: "00:00", to: "24:00" }}] }}
escalations:
  main:
    steps:
      - {{ notify: [rotation:london, rotation:newyork, rotation:weekend], timeout: PT20M }}
      - {{ notify: [contact:lead], timeout: PT10M }}
    final_fallback: contact:noc
services:
  - {{ id: api, tier: critical, owner: t, escalation: main }}
"#
    )
}

#[test]
fn n_minus_one_finds_the_weekend_single_point_of_failure() {
    let r = run(&follow_the_sun(true));
    let f = assert_fails(&r, "COV-006");
    // w is alone on weekends and step 1 waits 20m > acknowledge 15m before the lead.
    assert!(f[0].message.contains("w absent: sev1: 20m at Sat 2026-11-28 00:00 UTC: step 1 (rotation:london, rotation:newyork, rotation:weekend) reaches nobody"), "{}", f[0].message);
    assert!(f[0].message.contains("w absent), waits 20m; step 2 (contact:lead) reaches lead by sms at +20m"), "{}", f[0].message);
    // a, b, c, d are each alone on duty in their week, too: every one of them breaks it.
    assert!(f[0].message.starts_with("5 single absence(s) break a target"), "{}", f[0].message);
    // With the lead in step 1 beside the rotations, no single absence breaks it.
    let fixed =
        follow_the_sun(true).replace("[rotation:london, rotation:newyork, rotation:weekend], timeout: PT20M", "[rotation:london, rotation:newyork, rotation:weekend, contact:lead], timeout: PT20M");
    assert_passes(&run(&fixed), "COV-006");
    // Opt in only.
    let r = run(&follow_the_sun(false));
    assert!(r.iter().filter(|x| x.rule == "COV-006").all(|x| x.message.starts_with("not required")));
}

#[test]
fn leave_makes_a_person_unreachable_and_is_named_in_causes() {
    let yaml = BASE.replace(
        "  - { id: a, kind: person, channels: [{ type: sms, address: \"1\" }] }",
        "  - { id: a, kind: person, timezone: Europe/London, channels: [{ type: sms, address: \"1\" }], leave: [{ from: 2026-11-24, to: 2026-11-25 }, { from: 2026-12-01T13:00, to: 2026-12-01T17:00 }] }",
    );
    let f = assert_fails(&run(&yaml), "COV-001");
    assert!(f[0].message.contains("a on leave 2026-11-24..2026-11-25 (contact:a leave[0])"), "{}", f[0].message);
    assert!(f[0].message.contains("Mon 2026-11-23 23:59") || f[0].message.contains("Tue 2026-11-24 00:00"), "{}", f[0].message);
    // Mixed kinds and reversed stretches do not load.
    for bad in ["{ from: 2026-11-24, to: 2026-11-25T10:00 }", "{ from: 2026-11-25, to: 2026-11-24 }"] {
        let l = runready::load::load_str("m.yaml", &BASE.replace("channels: [{ type: sms, address: \"1\" }] }", &format!("channels: [{{ type: sms, address: \"1\" }}], leave: [{bad}] }}")));
        assert!(l.diagnostics.iter().any(|d| d.message.contains("leave") && d.location.is_some()), "{bad}: {:#?}", l.diagnostics);
    }
}

#[test]
fn load_share_fails_when_one_person_carries_too_much() {
    let yaml = follow_the_sun(false).replace("n_minus_one: false", "max_load_share: 0.6");
    let r = run(&yaml);
    let f = assert_fails(&r, "COV-007");
    assert!(f.iter().any(|x| x.subject == "rotation:weekend" && x.message.starts_with("w 100% of its")), "{f:#?}");
    assert!(r.iter().any(|x| x.rule == "COV-007" && x.subject == "rotation:london" && x.status == runready::rules::Status::Pass));
}

#[test]
fn coverage_without_and_load() {
    let dir = model_dir(&follow_the_sun(false));
    let (code, out, err) = cli(runready().arg("coverage").arg(dir.path()).args(["--at", AT, "--horizon", "P7D", "--without", "w", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let cov: Value = serde_json::from_str(&out).unwrap();
    let worst = cov["services"][0]["severities"][0]["worst_seconds"].as_i64().unwrap();
    assert_eq!(worst, 20 * 60, "{out}");
    assert!(cov["services"][0]["severities"][0]["worst_cause"].as_str().unwrap().contains("w absent"), "{out}");
    let (code, _, err) = cli(runready().arg("coverage").arg(dir.path()).args(["--without", "nobody"]));
    assert_eq!(code, 2);
    assert!(err.contains("--without nobody: no such contact"), "{err}");
    let (code, _, err) = cli(runready().arg("coverage").arg(dir.path()).args(["--without", "noc"]));
    assert_eq!(code, 2, "{err}");

    let (code, out, err) = cli(runready().arg("coverage").arg(dir.path()).args(["--at", "2026-11-23T00:00:00Z", "--horizon", "P7D", "--load", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let load: Value = serde_json::from_str(&out).unwrap();
    let weekend = load["load"].as_array().unwrap().iter().find(|r| r["subject"] == "rotation:weekend").unwrap();
    assert_eq!(weekend["people"][0], serde_json::json!({ "contact": "w", "hours": 48.0, "night_hours": 18.0, "weekend_hours": 48.0, "holiday_hours": 0.0 }));
    let london = load["load"].as_array().unwrap().iter().find(|r| r["subject"] == "rotation:london").unwrap();
    // b has the week of 2026-11-23 (5 x 12 h), a none: balance 0.
    assert_eq!((london["people"][0]["contact"].as_str(), london["people"][0]["hours"].as_f64()), (Some("a"), Some(0.0)));
    assert_eq!((london["people"][1]["contact"].as_str(), london["people"][1]["hours"].as_f64()), (Some("b"), Some(60.0)));
    assert_eq!(london["balance"], 0.0);
}

/// A model whose contact `a` (alone on the first step) takes the holidays of `set`.
fn with_holidays(set: &str) -> String {
    BASE.replace("holidays: { uk: [2026-12-25] }", &format!("holidays:\n  uk: [2026-12-25]\n  public: {set}")).replace(
        "  - { id: a, kind: person, channels: [{ type: sms, address: \"1\" }] }",
        "  - { id: a, kind: person, timezone: Europe/London, holidays: [public], channels: [{ type: sms, address: \"1\" }] }",
    )
}

fn loaded_dates(dir: &std::path::Path) -> Vec<String> {
    let l = runready::load::load(&[dir.to_path_buf()]);
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
    l.model.holidays["public"].iter().map(|d| d.to_string()).collect()
}

#[test]
fn holiday_sets_from_the_python_holidays_exporter() {
    let dir = model_dir(&with_holidays("{ ics: calendars/public.ics, dates: [2026-12-24] }"));
    std::fs::create_dir_all(dir.path().join("calendars")).unwrap();
    for (country, file) in [("GB", "public.ics"), ("US", "us.ics")] {
        let script = format!("import holidays\nfrom holidays.ical import ICalExporter\nprint(ICalExporter(holidays.country_holidays({country:?}, years=[2026, 2027])).generate(), end='')");
        let out = std::process::Command::new("python3").arg("-c").arg(&script).output().expect("python3");
        assert!(out.status.success(), "the Python `holidays` package is required (.ci/run installs it): {}", String::from_utf8_lossy(&out.stderr));
        std::fs::write(dir.path().join("calendars").join(file), out.stdout).unwrap();
    }
    let uk = loaded_dates(dir.path());
    for d in ["2026-01-01", "2026-04-03", "2026-12-24", "2026-12-25", "2026-12-28", "2027-01-01", "2027-12-27"] {
        assert!(uk.contains(&d.to_string()), "{d} missing from {uk:?}");
    }
    assert!(!uk.contains(&"2026-11-26".to_string()));
    // The holidays take `a` off the first step: a gap whose cause names the set.
    let f = assert_fails(&run_dir(dir.path()), "COV-001");
    // The first gap is the set's own date; on a date of the file the cause names the event.
    assert!(f[0].message.contains("(a on holiday public)"), "{}", f[0].message);
    let l = runready::load::load(&[dir.path().to_path_buf()]);
    let tl = runready::time::timeline::Timeline::new(&l.model, runready::time::Horizon::new("2026-12-20T00:00:00Z".parse().unwrap(), runready::model::Duration::from_days(10)));
    let walk = tl.walk(&l.model.escalations["main"], "2026-12-25T10:00:00Z".parse().unwrap(), runready::model::Urgency::High).narration().to_string();
    assert!(walk.contains("a on holiday public: \"Christmas Day\" (calendars/public.ics:") && walk.contains(") 2026-12-25"), "{walk}");
    let us = dir.path().join("us-model");
    std::fs::create_dir_all(&us).unwrap();
    std::fs::write(us.join("model.yaml"), with_holidays("{ ics: ../calendars/us.ics }")).unwrap();
    std::fs::write(us.join("rb.md"), RUNBOOK).unwrap();
    let dates = loaded_dates(&us);
    assert!(dates.contains(&"2026-11-26".to_string()) && dates.contains(&"2027-07-05".to_string()), "{dates:?}");
}

fn run_dir(dir: &std::path::Path) -> Vec<runready::rules::RuleResult> {
    let l = runready::load::load(&[dir.to_path_buf()]);
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
    runready::rules::evaluate(&l.model, &l.sources, &options()).results
}

#[test]
fn holiday_sets_from_google_and_outlook_shaped_exports() {
    // Google Calendar: all-day out-of-office events, a weekly event with an exception.
    let google = "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\nX-WR-TIMEZONE:Europe/London\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261221\r\nDTEND;VALUE=DATE:20261224\r\nSUMMARY:Out of office\r\nUID:ooo1@google.com\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Europe/London:20261102T090000\r\nDTEND;TZID=Europe/London:20261102T100000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261124T000000Z\r\nEXDATE;TZID=Europe/London:20261109T090000\r\nSUMMARY:Team day\r\nUID:team@google.com\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261201\r\nSUMMARY:Free all day\r\nTRANSP:TRANSPARENT\r\nUID:free@google.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let dir = model_dir(&with_holidays("{ ics: google.ics }"));
    std::fs::write(dir.path().join("google.ics"), google).unwrap();
    assert_eq!(loaded_dates(dir.path()), vec!["2026-11-02", "2026-11-16", "2026-11-23", "2026-12-21", "2026-12-22", "2026-12-23"]);
    // Outlook: Windows zone names (with their VTIMEZONE), a cancelled occurrence.
    let outlook = "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\nBEGIN:VTIMEZONE\r\nTZID:GMT Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16011028T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:-0000\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010325T010000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nTZOFFSETFROM:-0000\r\nTZOFFSETTO:+0100\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nCLASS:PUBLIC\r\nDTSTART;TZID=\"GMT Standard Time\":20261229T090000\r\nDTEND;TZID=\"GMT Standard Time\":20261231T170000\r\nSUMMARY:Annual leave\r\nUID:040000008200E00074C5B7101A82E008\r\nX-MICROSOFT-CDO-BUSYSTATUS:OOF\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;TZID=\"GMT Standard Time\":20261104T090000\r\nDTEND;TZID=\"GMT Standard Time\":20261104T170000\r\nSTATUS:CANCELLED\r\nSUMMARY:Cancelled day off\r\nUID:040000008200E00074C5B7101A82E009\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    std::fs::write(dir.path().join("google.ics"), outlook).unwrap();
    assert_eq!(loaded_dates(dir.path()), vec!["2026-12-29", "2026-12-30", "2026-12-31"]);
}

#[test]
fn a_bad_calendar_is_a_load_error_naming_both_files() {
    let dir = model_dir(&with_holidays("{ ics: bad.ics }"));
    std::fs::write(
        dir.path().join("bad.ics"),
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261225\r\nRRULE:FREQ=MONTHLY;BYSETPOS=-1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let l = runready::load::load(&[dir.path().to_path_buf()]);
    let d = l.diagnostics.iter().find(|d| d.message.contains("bad.ics:6: RRULE part BYSETPOS is not supported")).unwrap_or_else(|| panic!("{:#?}", l.diagnostics));
    assert!(d.location.as_ref().is_some_and(|loc| loc.file.ends_with("model.yaml") && loc.line == 6), "{d:#?}");
    std::fs::remove_file(dir.path().join("bad.ics")).unwrap();
    let l = runready::load::load(&[dir.path().to_path_buf()]);
    assert!(l.diagnostics.iter().any(|d| d.message.contains("holiday set `public`: cannot read")), "{:#?}", l.diagnostics);
}

#[test]
fn leave_from_an_icalendar_export() {
    let ooo = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261124\r\nDTEND;VALUE=DATE:20261126\r\nSUMMARY:Out of office\r\nUID:ooo@google.com\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;TZID=America/New_York:20261201T090000\r\nDTEND;TZID=America/New_York:20261201T120000\r\nSUMMARY:Dentist\r\nUID:dentist@google.com\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261203\r\nSUMMARY:Maybe\r\nTRANSP:TRANSPARENT\r\nUID:free@google.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let yaml = BASE.replace(
        "  - { id: a, kind: person, channels: [{ type: sms, address: \"1\" }] }",
        "  - { id: a, kind: person, timezone: Europe/London, channels: [{ type: sms, address: \"1\" }], leave: [{ ics: ooo.ics }] }",
    );
    let dir = model_dir(&yaml);
    std::fs::write(dir.path().join("ooo.ics"), ooo).unwrap();
    let f = assert_fails(&run_dir(dir.path()), "COV-001");
    // The all-day event in a's zone (London midnight), named by its summary, date and line.
    assert!(f[0].message.contains("at Tue 2026-11-24 00:00 UTC") && f[0].message.contains("a on leave \"Out of office\" 2026-11-24 (ooo.ics:4)"), "{}", f[0].message);
    // The dentist, 09:00–12:00 New York time, is a gap from 14:00 UTC; the free day is none.
    let e = &f[0].evidence["first_gaps"];
    assert_eq!(e[1], serde_json::json!({ "from": "2026-12-01T14:00:00Z", "to": "2026-12-01T17:00:00Z" }), "{e}");
    assert_eq!(e.as_array().unwrap().len(), 2, "{e}");
    // A file that is not there is a load error at the entry.
    std::fs::remove_file(dir.path().join("ooo.ics")).unwrap();
    let l = runready::load::load(&[dir.path().to_path_buf()]);
    assert!(l.diagnostics.iter().any(|d| d.message.starts_with("contact `a`: leave[0]: cannot read") && d.location.as_ref().is_some_and(|x| x.line > 1)), "{:#?}", l.diagnostics);
}
