//! `check --format github` (cli.md v1.1): GitHub Actions workflow commands. One
//! `::error`/`::warning`/`::notice` per result with status `fail` or `error` (and per load
//! error), with `file`, `line`, `col` and `title=RULE subject`; then one `::notice` naming
//! the rules not evaluated; then the summary line. Values are escaped as the workflow-command
//! syntax requires, so a message cannot end the command or start another.

use super::Report;
use crate::diag::Location;
use crate::model::Level;
use crate::rules::Status;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The message part: `%`, CR and LF are escaped.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value: as data, and also `:` and `,`, which end a property.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Where files are shown from: `$GITHUB_WORKSPACE` when set, else the working directory.
pub fn root() -> PathBuf {
    std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from).or_else(|| std::env::current_dir().ok()).unwrap_or_default()
}

/// A report location's file relative to `root` (it is relative to the working directory, or
/// absolute when outside it); left as it is when it is not below `root`.
fn relative(file: &str, root: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = cwd.join(file);
    let absolute = absolute.canonicalize().unwrap_or(absolute);
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    match absolute.strip_prefix(&root) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => file.to_string(),
    }
}

fn command(out: &mut String, kind: &str, location: Option<&Location>, title: &str, message: &str, root: &Path) {
    let mut props = Vec::new();
    if let Some(l) = location {
        props.push(format!("file={}", escape_property(&relative(&l.file, root))));
        if l.line > 0 {
            props.push(format!("line={}", l.line));
        }
        if l.column > 0 {
            props.push(format!("col={}", l.column));
        }
    }
    props.push(format!("title={}", escape_property(title)));
    let _ = writeln!(out, "::{kind} {}::{}", props.join(","), escape_data(message));
}

pub fn render(report: &Report, root: &Path) -> String {
    let mut out = String::new();
    for d in &report.load_errors {
        let message = match &d.help {
            Some(h) => format!("{}\nhelp: {h}", d.message),
            None => d.message.clone(),
        };
        command(&mut out, "error", d.location.as_ref(), &format!("runready {}", d.code.as_str()), &message, root);
    }
    for r in report.results.iter().filter(|r| matches!(r.status, Status::Fail | Status::Error)) {
        let kind = match (r.status, r.severity) {
            (Status::Error, _) | (_, Level::Error) => "error",
            (_, Level::Warning) => "warning",
            (_, Level::Info) => "notice",
        };
        let message = match &r.help {
            Some(h) => format!("{}\nhelp: {h}", r.message),
            None => r.message.clone(),
        };
        command(&mut out, kind, r.location.as_ref(), &format!("{} {}", r.rule, r.subject), &message, root);
    }
    let not_evaluated = report.not_evaluated();
    if !not_evaluated.is_empty() {
        let mut reasons: Vec<&str> = not_evaluated.iter().map(|(_, why)| *why).collect();
        reasons.sort();
        reasons.dedup();
        let lines: Vec<String> = reasons.iter().map(|why| format!("{}: {why}", not_evaluated.iter().filter(|(_, w)| w == why).map(|(id, _)| *id).collect::<Vec<_>>().join(", "))).collect();
        command(&mut out, "notice", None, &format!("runready: {} rule(s) not evaluated", not_evaluated.len()), &lines.join("\n"), root);
    }
    out.push_str(&super::human::summary_line(report));
    out.push('\n');
    out
}
