//! RB-001..RB-003: runbook files, their sections and their freshness.

use super::model_rules::add_days;
use super::rule::{Rule, rule};
use super::{Ctx, Out, subject};
use serde_json::json;

/// The rules of this family, as `rules`, `explain` and every report list them.
pub static RULES: &[Rule] = &[
    rule!(
        "RB-001",
        Error,
        Runbook,
        Model,
        "Each runbook file exists and is readable",
        "28 of 41 runbook links dead is a real incident report",
        "The `path` of each runbook, relative to the YAML file that defines it, must be a readable file.\n\nFix: correct the path or add the runbook.",
        runbook_exists,
        examples
    ),
    rule!(
        "RB-002",
        Error,
        Runbook,
        Model,
        "Runbooks have their required sections",
        "A runbook without a restore section is not a runbook",
        "Each entry of `required_sections` must be a Markdown heading of the runbook (case-insensitive, any level), followed by non-empty content before the next heading.\n\nFix: add the section with its content, or remove it from `required_sections`.",
        required_sections,
        examples
    ),
    rule!(
        "RB-003",
        Warning,
        Runbook,
        Model,
        "Runbooks were reviewed within their max_age",
        "Stale runbooks mislead responders",
        "Each runbook's `reviewed` + `max_age` must not be before `--at`. Without `max_age` nothing is required; with `max_age` but no `reviewed`, the runbook fails.\n\nFix: review the runbook and update `reviewed`.\n\nFails (at 2026-11-23):\n  { reviewed: 2025-01-01, max_age: P180D }\nPasses:\n  { reviewed: 2026-08-15, max_age: P180D }",
        runbook_fresh,
        examples
    ),
];

/// A Markdown heading and whether non-empty content follows it: text before the next
/// heading of the same or a higher level, subsections included.
#[derive(Debug, PartialEq)]
pub struct Section {
    pub title: String,
    pub level: usize,
    pub has_content: bool,
}

/// The ATX and setext headings of a Markdown text, ignoring fenced code blocks.
pub fn sections(text: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut fence: Option<&str> = None;
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            if let Some(last) = out.last_mut() {
                last.has_content = true;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            if let Some(last) = out.last_mut() {
                last.has_content = true;
            }
            continue;
        }
        let indent = line.len() - trimmed.len();
        if indent < 4 && trimmed.starts_with('#') {
            let level = trimmed.chars().take_while(|c| *c == '#').count();
            let rest = &trimmed[level..];
            if level <= 6 && (rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
                let title = rest.trim().trim_end_matches('#').trim().to_string();
                out.push(Section { title, level, has_content: false });
                continue;
            }
        }
        let next = lines.get(i + 1).map(|l| l.trim()).unwrap_or("");
        let setext = !trimmed.is_empty() && !next.is_empty() && (next.chars().all(|c| c == '=') || (next.chars().all(|c| c == '-') && next.len() >= 2));
        if setext && indent < 4 {
            let level = if next.starts_with('=') { 1 } else { 2 };
            out.push(Section { title: trimmed.trim().to_string(), level, has_content: false });
            continue;
        }
        let underline = !trimmed.is_empty() && (trimmed.chars().all(|c| c == '=') || trimmed.chars().all(|c| c == '-')) && i > 0 && out.last().is_some_and(|s| s.title == lines[i - 1].trim());
        if underline {
            continue;
        }
        if !trimmed.is_empty()
            && let Some(last) = out.last_mut()
        {
            last.has_content = true;
        }
    }
    // A section whose content is in its subsections has content too.
    for i in (0..out.len()).rev() {
        let level = out[i].level;
        let nested = out[i + 1..].iter().take_while(|s| s.level > level).any(|s| s.has_content);
        out[i].has_content |= nested;
    }
    out
}

/// Every runbook's text, or why it cannot be read, read once per run on every core:
/// inside the repository root (unless `allow_outside_root`), regular files only, at most
/// 8 MiB each.
pub fn read_all(model: &crate::model::Model, sources: &crate::load::Sources, allow_outside_root: bool) -> std::collections::HashMap<String, Result<String, String>> {
    let root = if allow_outside_root { None } else { sources.root.as_deref() };
    let wanted: Vec<(&str, &str, std::path::PathBuf)> = model
        .runbooks
        .iter()
        .map(|(id, rb)| (id.as_str(), rb.path.as_str(), sources.files[rb.origin.file].path.parent().map(|p| p.join(&rb.path)).unwrap_or_else(|| rb.path.clone().into())))
        .collect();
    let texts = crate::par::map(&wanted, |(_, shown, path)| {
        crate::load::confine_to(root, path).and_then(|()| crate::read::text(path, crate::read::Kind::Runbook).map_err(|e| e.to_string())).map_err(|why| format!("{shown} {why}"))
    });
    wanted.iter().map(|(id, _, _)| id.to_string()).zip(texts).collect()
}

/// Runbook `id`'s text from the run's reads.
fn read<'c>(ctx: &'c Ctx, id: &str, rb: &crate::model::Entry<crate::model::Runbook>) -> Result<&'c str, String> {
    match ctx.runbooks.get(id) {
        Some(Ok(text)) => Ok(text),
        Some(Err(why)) => Err(why.clone()),
        None => Err(format!("{} was not read", rb.path)),
    }
}

fn runbook_exists(ctx: &Ctx, out: &mut Out) {
    for (id, rb) in &ctx.model.runbooks {
        let o = rb.origin.at("path");
        match read(ctx, id, rb) {
            Ok(_) => {
                out.pass(subject("runbook", id), &o, format!("{} is readable", rb.path));
            }
            Err(why) => {
                out.fail(subject("runbook", id), &o, format!("runbook `{id}`: {why}"), "correct the path (relative to this YAML file) or add the runbook");
            }
        }
    }
}

fn required_sections(ctx: &Ctx, out: &mut Out) {
    for (id, rb) in &ctx.model.runbooks {
        let s = subject("runbook", id);
        let Ok(text) = read(ctx, id, rb) else {
            out.unknown(&s, Some(&rb.origin.at("path")), format!("{} cannot be read (RB-001)", rb.path));
            continue;
        };
        let found = sections(text);
        let titles: Vec<&str> = found.iter().map(|s| s.title.as_str()).collect();
        let mut problems = 0;
        for (i, want) in rb.required_sections.iter().enumerate() {
            let o = rb.origin.at(format!("required_sections/{i}"));
            let matching: Vec<&Section> = found.iter().filter(|s| s.title.eq_ignore_ascii_case(want.trim())).collect();
            match matching.iter().find(|s| s.has_content).or(matching.first()) {
                None => {
                    problems += 1;
                    out.fail(&s, &o, format!("{} has no section \"{want}\"", rb.path), format!("add a '## {want}' section, or remove it from required_sections"))
                        .with_evidence(json!({ "sections_found": titles }));
                }
                Some(sec) if !sec.has_content => {
                    problems += 1;
                    out.fail(&s, &o, format!("{}: section \"{want}\" is empty", rb.path), format!("write the {want} content under its heading")).with_evidence(json!({ "sections_found": titles }));
                }
                Some(_) => {}
            }
        }
        if problems == 0 {
            let msg = if rb.required_sections.is_empty() { "not required: no required_sections".to_string() } else { format!("has {}", rb.required_sections.join(", ")) };
            out.pass(&s, &rb.origin.at("path"), msg);
        }
    }
}

fn runbook_fresh(ctx: &Ctx, out: &mut Out) {
    for (id, rb) in &ctx.model.runbooks {
        let s = subject("runbook", id);
        match (rb.max_age, rb.reviewed) {
            (None, _) => {
                out.pass(&s, &rb.origin, "not required: no max_age");
            }
            (Some(_), None) => {
                out.fail(&s, &rb.origin.at("max_age"), format!("runbook `{id}` has a max_age but no `reviewed` date"), "review the runbook and add `reviewed: YYYY-MM-DD`");
            }
            (Some(age), Some(reviewed)) => {
                let due = add_days(reviewed.0, age);
                let o = rb.origin.at("reviewed");
                if ctx.past(due) {
                    out.fail(
                        &s,
                        &o,
                        format!("runbook `{id}` was reviewed on {reviewed}; with max_age {age} it went stale after {due}"),
                        "review the runbook against the current system and update `reviewed`",
                    )
                    .with_evidence(json!({ "reviewed": reviewed.to_string(), "stale_after": due.to_string() }));
                } else {
                    out.pass(&s, &o, format!("reviewed on {reviewed}, fresh until {due}"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_and_content() {
        let md = "# Title\n\nintro\n\n## Restore\n\n```\n# not a heading\n```\n\n## Empty\n\nSetext\n------\ntext\n# Parent\n### Child\nsteps\n";
        let s = sections(md);
        let titles: Vec<_> = s.iter().map(|s| (s.title.as_str(), s.has_content)).collect();
        assert_eq!(titles, vec![("Title", true), ("Restore", true), ("Empty", false), ("Setext", true), ("Parent", true), ("Child", true)]);
    }
}
