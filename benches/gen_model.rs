//! `cargo run --release --example gen-model -- DIR [SERVICES ROTATIONS] [--layered] [--n-minus-one]`: writes
//! the benchmark model (default 1,000 services, 200 rotations, 2,000 runbook files) to DIR;
//! `--layered` expresses each rotation as a 3-layer schedule; `--n-minus-one` opts the
//! critical tier into COV-006 (off by default: the scale figures measure without it).

#[path = "generate.rs"]
mod generate;

fn main() {
    let layered = std::env::args().any(|a| a == "--layered");
    let n_minus_one = std::env::args().any(|a| a == "--n-minus-one");
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let Some(dir) = args.next() else {
        eprintln!("usage: gen-model DIR [SERVICES ROTATIONS]");
        std::process::exit(2);
    };
    let services = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let rotations = args.next().and_then(|s| s.parse().ok()).unwrap_or(200);
    let size = generate::Size { services, rotations, runbooks_per_service: 2, time_rules_only: false, layered, n_minus_one };
    if let Err(e) = generate::generate(std::path::Path::new(&dir), &size) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    println!("wrote {services} services, {rotations} rotations, {} runbooks to {dir}", services * 2);
}
