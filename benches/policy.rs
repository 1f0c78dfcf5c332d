//! `cargo bench --bench policy`: the WASM policy host, warm, and the Rego port of the same
//! rule (policies/rego/ops-basics) beside it and the native rule.
//! Needs the example policies built and packed, and the release binary (the Rego worker):
//!   cargo test --test sdk_policies   (or the commands in that test)
//!   cargo build --release

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
    rego(&big_model, dir.path(), native_us, wasm_us);
}

/// The Rego port of OPS-001: parse + analysis once, evaluation per call (the worker process,
/// the request read into regorus, the rules evaluated), and whole `check` runs of the binary
/// with no policy, the WASM policy and the Rego policy, measured in this one run.
fn rego(big_model: &runready::load::Loaded, model_dir: &Path, native_us: f64, wasm_us: f64) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let exe = root.join("target/release/runready");
    if !exe.exists() {
        eprintln!("{} is missing: run `cargo build --release` first (it is the Rego worker)", exe.display());
        std::process::exit(2);
    }
    // SAFETY: set before any thread of this benchmark reads the environment.
    unsafe { std::env::set_var("RUNREADY_WORKER", &exe) };
    let t = Instant::now();
    let policy = runready::policy::rego::load(&root.join("policies/rego/ops-basics")).unwrap();
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let limits = Limits::default();
    // The request as check builds it for this policy: only the parts its manifest asks for.
    let stage = runready::time::stage::Stage::build(&big_model.model, runready::time::Horizon::new("2026-11-23T10:00:00Z".parse().unwrap(), runready::model::Duration::from_days(90)));
    let shared = runready::policy::Shared::new(&stage, None);
    let settings = serde_json::json!({});
    let request = serde_json::to_string(&shared.request(|i| policy.manifest.wants(i), "2026-11-23T10:00:00Z", "ops-basics", &settings)).unwrap();
    let request = request.as_str();
    let mut times: Vec<f64> = (0..10)
        .map(|_| {
            let t = Instant::now();
            let (values, _) = policy.evaluate(request, &limits).unwrap();
            let findings = runready::policy::rego::elements::findings(&policy.manifest, values).unwrap();
            std::hint::black_box(findings.len());
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let rego_us = times[5];
    let (values, _) = policy.evaluate(request, &limits).unwrap();
    let found = runready::policy::rego::elements::findings(&policy.manifest, values).unwrap().len();
    assert_eq!(found, native_ops001(&big_model.model), "the Rego port finds what the native rule finds");
    println!("rego parse + analysis (once per run)          {load_ms:>10.2} ms");
    println!(
        "OPS-001 on 1,000 services: rego {rego_us:.0} µs per evaluation (worker start, request of {} KiB read, rules; {found} findings), wasm {wasm_us:.0} µs, native {native_us:.0} µs",
        request.len() / 1024
    );
    let check = |extra: &[&str]| -> f64 {
        let mut t: Vec<f64> = (0..5)
            .map(|_| {
                let started = Instant::now();
                let out = std::process::Command::new(&exe).args(["check"]).arg(model_dir).args(["--at", "2026-11-23T10:00:00Z", "-q"]).args(extra).output().unwrap();
                assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
                started.elapsed().as_secs_f64()
            })
            .collect();
        t.sort_by(f64::total_cmp);
        t[2]
    };
    let wasm = root.join("policies/dist/ops-basics.wasm");
    let rego_dir = root.join("policies/rego/ops-basics");
    let none = check(&[]);
    let with_wasm = check(&["--policy", wasm.to_str().unwrap()]);
    let with_rego = check(&["--policy", rego_dir.to_str().unwrap()]);
    println!("whole check, 1,000 services (median of 5): no policy {none:.3} s, wasm {with_wasm:.3} s, rego {with_rego:.3} s: rego/wasm {:.2}x", with_rego / with_wasm);
}
