//! `cargo bench --bench check`: wall time of load + every rule + the JSON report, on the
//! generated 1,000-service model and on the bundled example. Prints min and median of
//! repeated runs (a bench binary, not a timed test: nothing here asserts).

#[path = "generate.rs"]
mod generate;

use runready::rules::{Options, evaluate};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn run_check(path: &PathBuf) -> usize {
    run_check_for(path, 90)
}

/// Every rule as `check` runs it, at a fixed `--at`.
fn options(horizon_days: i64) -> Options {
    Options { horizon: runready::model::Duration::from_days(horizon_days), ..Options::at("2026-11-23T10:00:00Z".parse().unwrap()) }
}

fn run_check_for(path: &PathBuf, horizon_days: i64) -> usize {
    let loaded = runready::load::load(std::slice::from_ref(path));
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics.first());
    let opts = options(horizon_days);
    let eval = evaluate(&loaded.model, &loaded.sources, &opts);
    let mut report =
        runready::report::Report::new(runready::report::ModelInfo { name: loaded.model.name().into(), files: loaded.sources.displays() }, opts.at, opts.horizon, runready::report::FailOn::Error);
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

/// Only the rules evaluated on the timeline: the model switches the static ones off.
fn measure_time_rules(services: usize, rotations: usize, horizon_days: i64, runs: usize) {
    let dir = tempfile::tempdir().unwrap();
    generate::generate(dir.path(), &generate::Size { services, rotations, runbooks_per_service: 1, time_rules_only: true, layered: false, n_minus_one: false }).unwrap();
    let loaded = runready::load::load(&[dir.path().to_path_buf()]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics.first());
    let opts = options(horizon_days);
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(evaluate(&loaded.model, &loaded.sources, &opts).results.len());
            t.elapsed()
        })
        .collect();
    times.sort();
    let name = format!("time rules: {services} services, {rotations} rotations, {horizon_days} d");
    println!("{name:<52} min {:>8.2} ms   median {:>8.2} ms   ({runs} runs)", times[0].as_secs_f64() * 1e3, times[runs / 2].as_secs_f64() * 1e3);
}

fn main() {
    if std::env::args().any(|a| a == "--time-only") {
        return time_curves();
    }
    if std::env::args().any(|a| a == "--layered") {
        return layered();
    }
    time_curves();
    let dir = tempfile::tempdir().unwrap();
    let size = generate::Size { services: 1000, rotations: 200, runbooks_per_service: 2, time_rules_only: false, layered: false, n_minus_one: false };
    generate::generate(dir.path(), &size).unwrap();
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/payments");
    measure("check examples/payments", &examples, 50);
    measure("check generated (1,000 services)", &dir.path().to_path_buf(), 10);
}

fn time_curves() {
    measure_time_rules(200, 50, 90, 10);
    for days in [30, 90, 365] {
        measure_time_rules(200, 50, days, 5);
    }
    for services in [50, 200, 1000] {
        measure_time_rules(services, 50, 90, 5);
    }
}

/// The 1,000-service model with plain rotations, and with each as a 3-layer schedule.
fn layered() {
    for layered in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        generate::generate(dir.path(), &generate::Size { services: 1000, rotations: 200, runbooks_per_service: 2, time_rules_only: false, layered, n_minus_one: false }).unwrap();
        measure(if layered { "check generated, 3-layer schedules" } else { "check generated, plain rotations" }, &dir.path().to_path_buf(), 10);
    }
}
