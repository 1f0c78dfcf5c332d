//! `runready init [DIR]`: a small, valid, commented starter model and its runbooks.

use std::path::Path;

const MODEL: &str = include_str!("starter/runready.yaml");
/// The runbook templates of `runbooks/` (the same files a team copies by hand).
const RUNBOOKS: [(&str, &str); 2] = [("runbooks/restore.md", include_str!("../../runbooks/restore.md")), ("runbooks/vendor-escalation.md", include_str!("../../runbooks/vendor-escalation.md"))];

/// The starter model's text, with today's date (UTC) as its review date.
pub fn starter(dir_shown: &str, today: jiff::civil::Date) -> String {
    MODEL.replace("{{TODAY}}", &today.to_string()).replace("{{DIR}}", dir_shown)
}

pub fn run(dir: &Path, force: bool) -> i32 {
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut files = vec![(dir.join("runready.yaml"), starter(&dir.display().to_string(), today))];
    files.extend(RUNBOOKS.iter().map(|(path, text)| (dir.join(path), text.to_string())));
    if !force && let Some((p, _)) = files.iter().find(|(p, _)| p.exists()) {
        eprintln!("error: {} exists; use --force to overwrite", p.display());
        return crate::exit::INVALID_INPUT;
    }
    for (path, text) in &files {
        if let Err(e) = crate::atomic::write_atomic(path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return crate::exit::INVALID_INPUT;
        }
        outln!("wrote {}", path.display());
    }
    outln!("next: runready check {}", dir.display());
    0
}
