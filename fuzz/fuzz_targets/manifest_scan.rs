//! The scan of a WASM module for its `runready-policy` manifest section.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = runready::policy::manifest::scan(data);
});
