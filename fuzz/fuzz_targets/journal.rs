//! A drill journal, as `check --journal` reads it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(j) = serde_json::from_slice::<runready::drill::journal::Journal>(data) {
        let _ = j.left_open();
    }
});
