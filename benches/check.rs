//! `cargo bench --bench check`: wall time of load + every rule + the JSON report, on the
//! generated 1,000-service model and on the bundled example. Prints min and median of
//! repeated runs (a bench binary, not a timed test: nothing here asserts).

#[path = "generate.rs"]
mod generate;

use runready::rules::{Options, evaluate};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn run_check(path: &PathBuf) -> usize {
    let loaded = runready::load::load(std::slice::from_ref(path));
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics.first());
    let opts = Options {
        at: "2026-11-23T10:00:00Z".parse().unwrap(),
        horizon: runready::model::Duration::from_days(90),
        services: vec![],
        require_facts: false,
        require_journals: false,
        display_tz: jiff::tz::TimeZone::UTC,
    };
    let eval = evaluate(&loaded.model, &loaded.sources, &opts);
    let mut report = runready::report::Report::new(
        runready::report::ModelInfo { name: loaded.model.name().into(), files: loaded.sources.displays() },
        opts.at,
        opts.horizon,
        runready::report::FailOn::Error,
    );
    report.results = eval.results;
    report.conclude(false);
    report.to_json().len()
}

fn measure(name: &str, path: &PathBuf, runs: usize) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(run_check(path));
            t.elapsed()
        })
        .collect();
    times.sort();
    println!("{name:<40} min {:>8.2} ms   median {:>8.2} ms   ({runs} runs)", times[0].as_secs_f64() * 1e3, times[runs / 2].as_secs_f64() * 1e3);
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let size = generate::Size { services: 1000, rotations: 200, runbooks_per_service: 2 };
    generate::generate(dir.path(), &size).unwrap();
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/payments");
    measure("check examples/payments", &examples, 50);
    measure("check generated (1,000 services)", &dir.path().to_path_buf(), 10);
}
