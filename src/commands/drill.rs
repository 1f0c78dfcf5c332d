//! `runready drill`: run (or plan) the model's drills, write their journals and reports.

use crate::cli::{DrillArgs, Format};
use crate::drill::journal::{Journal, Outcome};
use crate::exit;

pub fn run(args: &DrillArgs, quiet: bool) -> i32 {
    let facts = match (!args.facts.is_empty()).then(|| crate::facts::read(&args.facts)).transpose() {
        Ok(f) => f,
        Err(e) => return usage(&e),
    };
    let loaded = match super::load_usable(&args.paths) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let model = &loaded.model;
    if let Some(bad) = args.drills.iter().find(|id| !model.drills.iter().any(|d| &d.id == *id)) {
        let known: Vec<&str> = model.drills.iter().map(|d| d.id.as_str()).collect();
        return usage(&format!("--drill {bad}: no such drill (the model has: {})", if known.is_empty() { "none".into() } else { known.join(", ") }));
    }
    if let Some(bad) = args.services.iter().find(|id| model.service(id).is_none()) {
        return usage(&format!("--service {bad}: no such service in the model"));
    }
    let selected: Vec<_> =
        model.drills.iter().filter(|d| args.drills.is_empty() || args.drills.contains(&d.id)).filter(|d| args.services.is_empty() || d.services.iter().any(|s| args.services.contains(s))).collect();
    if selected.is_empty() {
        return usage(if model.drills.is_empty() { "the model has no drills" } else { "no drill matches --drill/--service" });
    }
    let signals = if args.live { crate::drill::signals::Signals::install() } else { Default::default() };
    let opts = crate::drill::Options {
        live: args.live,
        force: args.force,
        at: args.at.map(|i| i.0).unwrap_or_else(jiff::Timestamp::now),
        journal_dir: args.journal_dir.clone(),
        keep_artifacts: args.keep_artifacts,
        facts,
        signals,
        cleanup_limit: std::time::Duration::from_secs(args.cleanup_timeout.as_secs().max(1) as u64),
        display_tz: args.tz.tz.clone(),
        #[cfg(feature = "aws")]
        aws: super::facts::settings(&args.aws),
    };
    let mut journals: Vec<Journal> = Vec::new();
    let mut code = exit::READY;
    for drill in selected {
        let (j, written, worst) = one(model, drill, &opts, args);
        code = exit::worst(code, worst);
        if let Some(path) = written.filter(|_| !quiet && args.format == Format::Human) {
            eprintln!("journal: {}", path.display());
        }
        code = exit::worst(
            code,
            match j.outcome {
                Outcome::Pass | Outcome::Planned => exit::READY,
                Outcome::Fail => exit::NOT_READY,
                Outcome::Aborted | Outcome::Error => exit::INCOMPLETE,
            },
        );
        journals.push(j);
        if opts.signals.stop.load(std::sync::atomic::Ordering::SeqCst) {
            break;
        }
    }
    if let Some(p) = &args.junit
        && let Err(e) = crate::atomic::write_atomic(p, &crate::report::drill::junit(&journals))
    {
        eprintln!("error: cannot write {}: {e}", p.display());
        code = exit::worst(code, exit::INVALID_INPUT);
    }
    if let Some(p) = &args.markdown
        && let Err(e) = crate::atomic::write_atomic(p, &crate::report::drill::markdown(&journals))
    {
        eprintln!("error: cannot write {}: {e}", p.display());
        code = exit::worst(code, exit::INVALID_INPUT);
    }
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&journals).expect("journals serialise")),
        Format::Human => out!("{}", crate::report::drill::human(&journals, quiet)),
    }
    code
}

/// Runs or plans one drill; its journal, where it was written, and the exit code that the
/// writing alone decides (3: a live run's journal could not be written; 2: a dry run's).
fn one(model: &crate::model::Model, drill: &crate::model::Drill, opts: &crate::drill::Options, args: &DrillArgs) -> (Journal, Option<std::path::PathBuf>, i32) {
    if args.live {
        let f = crate::drill::live(model, drill, opts);
        return match f.write_error {
            // The run stopped and cleaned up; its evidence is what stdout shows.
            Some(e) => {
                eprintln!("error: the journal of drill {} could not be written: {e}", drill.id);
                eprintln!("error: the run stopped and resolved what it opened; its outcome is `error` (left open: {})", list(&f.journal.left_open()));
                (f.journal, None, exit::INCOMPLETE)
            }
            None => (f.journal, f.path, exit::READY),
        };
    }
    let j = crate::drill::dry_run(model, drill, opts);
    match j.write(&args.journal_dir) {
        Ok(path) => (j, Some(path), exit::READY),
        Err(e) => {
            eprintln!("error: {e}");
            (j, None, exit::INVALID_INPUT)
        }
    }
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() { "nothing".into() } else { ids.join(", ") }
}

fn usage(message: &str) -> i32 {
    eprintln!("error: {message}");
    exit::INVALID_INPUT
}
