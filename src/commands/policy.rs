//! `runready policy test | pack | inspect`.

use crate::cli::PolicyCommand;
use crate::exit;
use crate::policy::{pack, testing};

pub fn run(command: PolicyCommand) -> i32 {
    match command {
        PolicyCommand::Test { paths, at, junit } => test(&paths, at.map(|i| i.0), junit.as_deref()),
        PolicyCommand::Pack { module, manifest, out } => {
            let packed = std::fs::read(&module).map_err(|e| format!("cannot read {}: {e}", module.display())).and_then(|bytes| pack::read_manifest(&manifest).and_then(|m| pack::pack(&bytes, &m)));
            match packed.and_then(|bytes| {
                if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                }
                std::fs::write(&out, bytes).map_err(|e| format!("cannot write {}: {e}", out.display()))
            }) {
                Ok(()) => {
                    outln!("packed {} with {} into {}", module.display(), manifest.display(), out.display());
                    exit::READY
                }
                Err(e) => fail(&e),
            }
        }
        PolicyCommand::New { name, dir, lang } => match crate::policy::scaffold::create(&dir, &name, lang) {
            Ok(root) => {
                match lang {
                    crate::cli::Lang::Rust => outln!("created {}; build, pack and test it with the steps in {}/README.md", root.display(), root.display()),
                    crate::cli::Lang::Rego => outln!("created {}; test it with `runready policy test {}` (more in its README.md)", root.display(), root.display()),
                }
                exit::READY
            }
            Err(e) => fail(&e),
        },
        PolicyCommand::Inspect { module } if crate::policy::rego::is_rego(&module) => match crate::policy::rego::load(&module) {
            Ok(policy) => {
                out!("{}", policy.inspect());
                exit::READY
            }
            Err(e) => fail(&e.to_string()),
        },
        PolicyCommand::Inspect { module } => match std::fs::read(&module).map_err(|e| format!("cannot read {}: {e}", module.display())).and_then(|b| pack::inspect(&b)) {
            Ok(text) => {
                out!("{text}");
                exit::READY
            }
            Err(e) => fail(&e),
        },
    }
}

fn fail(message: &str) -> i32 {
    eprintln!("error: {message}");
    exit::INVALID_INPUT
}

fn test(paths: &[std::path::PathBuf], at: Option<jiff::Timestamp>, junit: Option<&std::path::Path>) -> i32 {
    let outcome = match testing::discover(paths).and_then(|files| testing::run(&files, at.unwrap_or_else(jiff::Timestamp::now))) {
        Ok(o) => o,
        Err(e) => return fail(&e),
    };
    for c in &outcome.cases {
        outln!("{} {} :: {} — {}", if c.passed { "PASS" } else { "FAIL" }, c.file, c.name, c.detail);
    }
    for id in &outcome.untested {
        outln!("UNTESTED {id}: no case expects a finding of this rule");
    }
    let failed = outcome.cases.iter().filter(|c| !c.passed).count();
    outln!("policy tests: {} passed, {failed} failed", outcome.cases.len() - failed);
    if let Some(path) = junit
        && let Err(e) = crate::atomic::write_atomic(path, &testing::junit(&outcome))
    {
        return fail(&format!("cannot write {}: {e}", path.display()));
    }
    if failed > 0 { exit::NOT_READY } else { exit::READY }
}
