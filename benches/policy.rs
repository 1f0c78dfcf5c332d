//! `cargo bench --bench policy`: the WASM policy host, warm.
//! Needs the example policies built and packed first:
//!   cargo test --test sdk_policies   (or the commands in that test)

#[path = "generate.rs"]
mod generate;

use runready::policy::host::{CorePolicy, Limits};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn per_call(policy: &CorePolicy, request: &[u8], runs: usize) -> f64 {
    per_call_of(policy, "runready_evaluate", request, runs)
}

fn per_call_of(policy: &CorePolicy, export: &str, request: &[u8], runs: usize) -> f64 {
    let limits = Limits::default();
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(policy.call(export, request, &limits).unwrap());
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

fn request_for(path: &Path) -> (runready::load::Loaded, Vec<u8>) {
    let loaded = runready::load::load(&[path.to_path_buf()]);
    assert!(loaded.diagnostics.is_empty());
    let horizon = runready::time::Horizon::new("2026-11-23T10:00:00Z".parse().unwrap(), runready::model::Duration::from_days(90));
    let stage = runready::time::stage::Stage::build(&loaded.model, horizon);
    let shared = runready::policy::Shared::new(&stage, None);
    let settings = serde_json::json!({});
    let bytes = serde_json::to_string(&shared.request(|_| true, "2026-11-23T10:00:00Z", "ops-basics", &settings)).unwrap().into_bytes();
    (loaded, bytes)
}

/// OPS-001 written natively, for the ratio.
fn native_ops001(model: &runready::model::Model) -> usize {
    model
        .services
        .iter()
        .filter(|s| s.tier.as_ref().and_then(|t| model.tiers.get(t)).is_some_and(|t| t.availability == "always"))
        .filter(|s| !s.runbooks.iter().any(|r| model.runbooks.get(r).is_some_and(|r| r.kind == Some(runready::model::RunbookKind::Restore))))
        .count()
}

fn main() {
    let dist = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies/dist/ops-basics.wasm");
    let Ok(bytes) = std::fs::read(&dist) else {
        eprintln!("{} is missing: run `cargo test --test sdk_policies` first", dist.display());
        std::process::exit(2);
    };
    let t = Instant::now();
    let policy = CorePolicy::new(&bytes).unwrap();
    println!("load (compile or cache hit)                 {:>10.2} ms", t.elapsed().as_secs_f64() * 1e3);

    println!("instantiate + metadata() (host overhead)     {:>10.1} µs per call", per_call_of(&policy, "runready_metadata", b"", 2000));
    let (_, small) = request_for(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/payments"));
    println!("instantiate + evaluate, payments example     {:>10.1} µs per call (median of 2000; request {} bytes)", per_call(&policy, &small, 2000), small.len());

    let dir = tempfile::tempdir().unwrap();
    generate::generate(dir.path(), &generate::Size { services: 1000, rotations: 200, runbooks_per_service: 2, time_rules_only: false, layered: false, n_minus_one: false }).unwrap();
    let (big_model, big) = request_for(dir.path());
    let wasm_us = per_call(&policy, &big, 20);
    let runs = 200;
    let t = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(native_ops001(&big_model.model));
    }
    let native_us = t.elapsed().as_secs_f64() * 1e6 / runs as f64;
    let t = Instant::now();
    for _ in 0..5 {
        let stage = runready::time::stage::Stage::build(&big_model.model, runready::time::Horizon::new("2026-11-23T10:00:00Z".parse().unwrap(), runready::model::Duration::from_days(90)));
        let shared = runready::policy::Shared::new(&stage, None);
        let settings = serde_json::json!({});
        std::hint::black_box(serde_json::to_string(&shared.request(|_| true, "2026-11-23T10:00:00Z", "ops-basics", &settings)).unwrap());
    }
    let request_us = t.elapsed().as_secs_f64() * 1e6 / 5.0;
    println!("OPS-001 on 1,000 services: wasm {wasm_us:.0} µs per call (request {} KiB), native {native_us:.0} µs, ratio {:.1}x", big.len() / 1024, wasm_us / native_us);
    println!("building that request (model + derived, once per run, shared by all policies): {:.1} ms", request_us / 1e3);
}
