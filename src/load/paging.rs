//! The live side of `check --paging DIR`: a paging snapshot loaded apart from the model.

use super::{load, load_str};
use crate::diag::Diagnostic;
use crate::model::Model;

/// The live side of `check --paging DIR` (paging.md, "Drift"): the model fragments in DIR
/// (an import's output, which has no `metadata`) and, when present, the services of its
/// `pagerduty-services.yaml.example`. `Err` names every problem with its location.
pub fn paging_snapshot(dir: &std::path::Path) -> Result<Model, String> {
    if !dir.is_dir() {
        return Err(format!("--paging {}: not a directory (expected the output of `runready import pagerduty`)", dir.display()));
    }
    let located = |d: &Diagnostic| match &d.location {
        Some(l) => format!("{l}: {}", d.message),
        None => d.message.clone(),
    };
    let mut loaded = load(&[dir.to_path_buf()]);
    // The team's files carry `metadata`; a snapshot does not need it.
    loaded.diagnostics.retain(|d| !d.message.starts_with("no file has `metadata`"));
    if !loaded.diagnostics.is_empty() {
        return Err(format!("--paging {}: {}", dir.display(), loaded.diagnostics.iter().map(located).collect::<Vec<_>>().join("; ")));
    }
    let example = dir.join("pagerduty-services.yaml.example");
    if example.is_file() {
        let text = crate::read::text(&example, crate::read::Kind::Model).map_err(|e| format!("cannot read {}", crate::read::describe(&example, crate::read::Kind::Model, &e)))?;
        // The header goes after the file's own lines, so that locations keep their lines.
        let services = load_str(&example.display().to_string(), &format!("{text}\napiVersion: runready.dev/v1\nkind: SupportModel\nmetadata: {{ name: live }}\n"));
        if let Some(d) = services.diagnostics.first() {
            return Err(format!("--paging: {}", located(d)));
        }
        loaded.model.services.extend(services.model.services);
    }
    loaded.model.index_ids();
    Ok(loaded.model)
}
