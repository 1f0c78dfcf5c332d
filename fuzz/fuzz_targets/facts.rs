//! A facts snapshot, as `check --facts` reads it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<runready::facts::Facts>(data);
});
