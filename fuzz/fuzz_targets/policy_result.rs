//! What a policy's `evaluate()` returns, as the host reads it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = runready::policy::parse_result(text, 10_000);
});
