//! `runready init [DIR]`: a small, valid, commented starter model and its runbook.

use std::path::Path;

const MODEL: &str = include_str!("starter/runready.yaml");
const RUNBOOK: &str = include_str!("starter/restore.md");

/// The starter model's text, with today's date (UTC) as its review date.
pub fn starter(dir_shown: &str, today: jiff::civil::Date) -> String {
    MODEL.replace("{{TODAY}}", &today.to_string()).replace("{{DIR}}", dir_shown)
}

pub fn run(dir: &Path, force: bool) -> i32 {
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let files = [(dir.join("runready.yaml"), starter(&dir.display().to_string(), today)), (dir.join("runbooks/restore.md"), RUNBOOK.to_string())];
    if !force && let Some((p, _)) = files.iter().find(|(p, _)| p.exists()) {
        eprintln!("error: {} exists; use --force to overwrite", p.display());
        return crate::report::exit::INVALID_INPUT;
    }
    for (path, text) in &files {
        if let Err(e) = crate::report::write_atomic(path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return crate::report::exit::INVALID_INPUT;
        }
        println!("wrote {}", path.display());
    }
    println!("next: runready check {}", dir.display());
    0
}
