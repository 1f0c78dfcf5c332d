//! `runready init [DIR]`: a small, valid, commented starter model and its runbooks.

use std::path::Path;

const MODEL: &str = include_str!("starter/runready.yaml");
/// The runbook templates of `runbooks/` (the same files a team copies by hand).
const RUNBOOKS: [(&str, &str); 2] = [("runbooks/restore.md", include_str!("../../runbooks/restore.md")), ("runbooks/vendor-escalation.md", include_str!("../../runbooks/vendor-escalation.md"))];

/// Where the model's schema is written beside the starter model, and how its modeline
/// names it: relative, so the editor finds it offline and it matches the installed version.
pub const SCHEMA_PATH: &str = "schemas/support-model.schema.json";

/// The schema of this version on the project's repository (`--schema-url` without a value).
pub const PINNED_SCHEMA_URL: &str = concat!("https://raw.githubusercontent.com/runready/runready/v", env!("CARGO_PKG_VERSION"), "/schemas/support-model.schema.json");

/// The starter model's text, with today's date (UTC) as its review date and the modeline
/// pointing at `schema` (a path relative to the model, or a URL).
pub fn starter(dir_shown: &str, today: jiff::civil::Date, schema: &str) -> String {
    MODEL.replace("{{TODAY}}", &today.to_string()).replace("{{DIR}}", dir_shown).replace("{{SCHEMA}}", schema)
}

pub fn run(dir: &Path, force: bool, schema_url: Option<&str>) -> i32 {
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let modeline_target = schema_url.map(str::to_string).unwrap_or_else(|| format!("./{SCHEMA_PATH}"));
    let mut files = vec![(dir.join("runready.yaml"), starter(&dir.display().to_string(), today, &modeline_target))];
    if schema_url.is_none() {
        let (_, schema) = crate::commands::schema::schemas().into_iter().find(|(name, _)| SCHEMA_PATH.ends_with(name)).expect("the model schema is generated");
        files.push((dir.join(SCHEMA_PATH), schema));
    }
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
