//! Bytes → the whole-model loader → every rule, over a seven-day horizon.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let loaded = runready::load::load_str("fuzz.yaml", text);
    if !loaded.is_usable() {
        return;
    }
    let horizon = runready::model::Duration::from_days(7);
    let at = "2026-11-23T10:00:00Z".parse().expect("a valid instant");
    if !runready::time::bounds::check(&loaded.model, runready::time::Horizon::new(at, horizon)).is_empty() {
        return;
    }
    let opts = runready::rules::Options { horizon, ..runready::rules::Options::at(at) };
    let _ = runready::rules::evaluate(&loaded.model, &loaded.sources, &opts);
});
