//! The Markdown report as a reviewer sees it: rendered to HTML by a GitHub-flavoured
//! Markdown renderer (cmark-gfm, the C library GitHub's renderer is a fork of; Debian's
//! `cmark-gfm` package), every table intact (no raw pipes, no broken rows), the
//! heatmap grids and their legend there, gaps marked, and the whole report under 60,000
//! bytes for the 1,000-service model. (scripts/slow-checks.sh also screenshots it in
//! headless Chromium.)

mod common;
#[path = "../benches/generate.rs"]
mod generate;

use assert_cmd::Command;
use std::path::Path;

const AT: &str = "2026-11-23T10:00:00Z";

fn markdown(model: &Path, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("report.md");
    let out = Command::cargo_bin("runready").unwrap().arg("check").arg(model).args(["--at", AT, "-q", "--markdown"]).arg(&md).args(extra).output().unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(&md).unwrap()
}

fn html(markdown: &str) -> String {
    // --unsafe: <details>, <sub>, <br> as GitHub allows them.
    let out = Command::new("cmark-gfm").args(["--unsafe", "-e", "table", "-e", "strikethrough", "-e", "autolink"]).write_stdin(markdown).output();
    let out = out.expect("cmark-gfm renders the report as GitHub does; install it (Debian: cmark-gfm; .ci/run does)");
    assert!(out.status.success(), "cmark-gfm failed: {:?}", out.status);
    String::from_utf8(out.stdout).unwrap()
}

/// Text outside tags, `<pre>` and `<code>`: where a raw `|` would show a broken table.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tag_end = rest[i..].find('>').map_or(rest.len(), |e| i + e + 1);
        let tag = &rest[i..tag_end];
        let skip_to = ["pre", "code"].iter().find(|t| tag.starts_with(&format!("<{t}"))).and_then(|t| rest[tag_end..].find(&format!("</{t}>")).map(|e| tag_end + e));
        rest = &rest[skip_to.unwrap_or(tag_end)..];
    }
    out + rest
}

/// Every table: each row has as many cells as the header.
fn assert_tables_intact(html: &str) {
    for table in html.split("<table>").skip(1) {
        let table = table.split("</table>").next().unwrap();
        let head = table.split("</thead>").next().unwrap();
        let columns = head.matches("<th>").count() + head.matches("<th ").count();
        assert!(columns > 0, "{table}");
        for row in table.split("<tr>").skip(2) {
            assert_eq!(row.matches("<td>").count() + row.matches("<td ").count(), columns, "a broken row: {row}");
        }
    }
    let text = visible_text(html);
    assert!(!text.contains("|---") && !text.contains("| `"), "raw table syntax shows: {text}");
}

#[test]
fn the_examples_render_with_tables_and_heatmaps() {
    for example in ["internal-vendor", "ams"] {
        let md = markdown(&Path::new("examples").join(example), &[]);
        let html = html(&md);
        assert!(html.contains("<table>"), "{example}");
        assert_tables_intact(&html);
        assert!(html.contains("<pre><code class=\"language-text\">"), "{example}: the heatmap grids are there: {md}");
        assert!(md.contains("`▲` gap: the first step reaches nobody"), "{example}: the legend names gaps");
        assert!(md.len() < 60_000, "{example}: {} bytes", md.len());
    }
}

#[test]
fn the_heatmap_shows_gaps_even_when_a_later_step_engages_fast() {
    // The first step (a rotation staffed on weekdays 09-17 UTC) reaches nobody outside those
    // hours; the NOC at step 2 engages 5 minutes later. Before, the picture was all green.
    let yaml = common::BASE.replace("handoff: P1W }", "handoff: P1W, restrictions: [{ days: [mon, tue, wed, thu, fri], from: \"09:00\", to: \"17:00\" }] }");
    assert_ne!(yaml, common::BASE);
    let dir = common::model_dir(&yaml);
    let md = markdown(dir.path(), &["--tz", "UTC"]);
    let grid = md.split("```text\n").nth(1).expect("a grid").split("```").next().unwrap();
    let mon = grid.lines().find(|l| l.starts_with("Mon")).unwrap();
    let cells: Vec<&str> = mon.split_whitespace().skip(1).collect();
    assert_eq!(cells.len(), 24, "{grid}");
    assert_eq!(cells[3], "▲", "03:00 is a gap: {grid}");
    assert_ne!(cells[12], "▲", "noon is staffed: {grid}");
    assert!(md.contains("hour(s) of the week with a gap"), "{md}");
    // The terminal heatmap marks it too.
    let out = Command::cargo_bin("runready").unwrap().env("NO_COLOR", "1").arg("coverage").arg(dir.path()).args(["--at", AT, "--tz", "UTC"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("^^"), "{text}");
}

#[test]
fn the_report_of_1000_services_stays_under_the_comment_limit() {
    let dir = tempfile::tempdir().unwrap();
    generate::generate(dir.path(), &generate::Size { services: 1000, rotations: 200, runbooks_per_service: 2, time_rules_only: false, layered: false, n_minus_one: false }).unwrap();
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("report.json");
    let md = markdown(dir.path(), &["--json", json.to_str().unwrap()]);
    assert!(md.len() < 60_000, "{} bytes", md.len());
    assert!(md.matches("```text\n").count() <= 10, "at most ten grids");
    assert!(md.contains("This report is summarised") && md.contains(json.to_str().unwrap()), "it says so, and where the full results are");
    assert_tables_intact(&html(&md));
}
