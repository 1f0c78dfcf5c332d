//! The scalar parsers: durations, dates, local times and date-times, instants, zones.
#![no_main]
use libfuzzer_sys::fuzz_target;
use runready::model::{Date, Duration, Instant, LocalDateTime, LocalTime, TimeZone};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(d) = text.parse::<Duration>() {
        // What parses prints and parses back to the same value.
        assert_eq!(d.to_string().parse::<Duration>().ok(), Some(d));
        let _ = d.human();
    }
    let _ = text.parse::<Date>();
    let _ = text.parse::<LocalTime>();
    let _ = text.parse::<LocalDateTime>();
    let _ = text.parse::<Instant>();
    let _ = text.parse::<TimeZone>();
});
