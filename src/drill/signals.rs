//! SIGINT, SIGTERM and SIGHUP during a live run: the first stops the run (which then cleans
//! up), a second stops the cleanup from waiting on AWS (what is still open is recorded).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The signals a live run has received.
#[derive(Clone, Debug, Default)]
pub struct Signals {
    /// Set by the first signal: steps stop and cleanup begins.
    pub stop: Arc<AtomicBool>,
    count: Arc<AtomicUsize>,
}

impl Signals {
    /// Catches SIGINT, SIGTERM and SIGHUP (a closed terminal or ssh session) for the rest of
    /// the process. Without the handlers a signal would kill the run before its cleanup.
    pub fn install() -> Signals {
        let s = Signals::default();
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
            let (stop, count) = (s.stop.clone(), s.count.clone());
            // SAFETY: the handler only stores to atomics, which is async-signal-safe.
            let _ = unsafe {
                signal_hook::low_level::register(sig, move || {
                    stop.store(true, Ordering::SeqCst);
                    count.fetch_add(1, Ordering::SeqCst);
                })
            };
        }
        s
    }

    /// How many signals arrived.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// A second signal: stop waiting for cleanup.
    pub fn hurry(&self) -> bool {
        self.count() >= 2
    }

    /// For tests: as if a signal had arrived.
    pub fn raise(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.count.fetch_add(1, Ordering::SeqCst);
    }
}
