//! `runready rules` and `runready explain RULE`.

use crate::rules::registry;

pub fn list() -> i32 {
    outln!("{:<8} {:<8} {:<11} {:<9} TITLE", "ID", "SEVERITY", "FAMILY", "NEEDS");
    for r in registry::all() {
        outln!("{:<8} {:<8} {:<11} {:<9} {}", r.id, r.level.as_str(), r.family.as_str(), r.input.as_str(), r.title);
    }
    0
}

pub fn explain(id: &str) -> i32 {
    let wanted = id.trim().to_ascii_uppercase();
    match registry::find(&wanted) {
        Some(r) => {
            outln!("{} ({}, {}): {}\n", r.id, r.level.as_str(), r.family.as_str(), r.title);
            outln!("Why: {}\n", r.why);
            outln!("{}", r.explain);
            if let Some(e) = &r.examples {
                let indent = |text: &str| text.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n");
                let with = match r.input {
                    crate::rules::rule::Input::Facts => "with --facts",
                    crate::rules::rule::Input::Paging => "with --paging DIR holding",
                    _ => "with --journal",
                };
                outln!("\nFails (at --at {}):\n{}", crate::rules::rule::EXAMPLES_AT, indent(e.fails));
                if let Some(input) = e.fails_input {
                    outln!("\n  {with}:\n{}", indent(input));
                }
                outln!("\nPasses:\n{}", indent(e.passes));
                if let Some(input) = e.passes_input {
                    outln!("\n  {with}:\n{}", indent(input));
                }
            }
            0
        }
        None => {
            let hint = crate::suggest::did_you_mean(&wanted, registry::all().iter().map(|r| r.id.as_str())).map(|s| format!(" (did you mean {s}?)")).unwrap_or_default();
            eprintln!("error: no rule `{id}`{hint}; `runready rules` lists them");
            crate::exit::INVALID_INPUT
        }
    }
}
