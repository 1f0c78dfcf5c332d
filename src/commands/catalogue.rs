//! `runready rules` and `runready explain RULE`.

use crate::rules::registry::{self, Input};

pub fn list() -> i32 {
    println!("{:<8} {:<8} {:<11} {:<9} TITLE", "ID", "SEVERITY", "FAMILY", "NEEDS");
    for r in registry::all() {
        let needs = match r.input {
            Input::Model => "model",
            Input::Time => "timeline",
            Input::Facts => "facts",
            Input::Journals => "journals",
        };
        println!("{:<8} {:<8} {:<11} {:<9} {}", r.id, r.level.as_str(), r.family, needs, r.title);
    }
    0
}

pub fn explain(id: &str) -> i32 {
    let wanted = id.trim().to_ascii_uppercase();
    match registry::find(&wanted) {
        Some(r) => {
            println!("{} ({}, {}): {}\n", r.id, r.level.as_str(), r.family, r.title);
            println!("Why: {}\n", r.why);
            println!("{}", r.explain);
            0
        }
        None => {
            let hint = crate::load::de::did_you_mean(&wanted, registry::all().iter().map(|r| r.id)).map(|s| format!(" (did you mean {s}?)")).unwrap_or_default();
            eprintln!("error: no rule `{id}`{hint}; `runready rules` lists them");
            crate::exit::INVALID_INPUT
        }
    }
}
