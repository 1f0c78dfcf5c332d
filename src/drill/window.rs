//! Safety before a live run: the drill's window, and one live run per model at a time.

use crate::model::{Drill, Model};
use crate::time::{Horizon, Interval, IntervalSet};
use jiff::Timestamp;
use std::path::{Path, PathBuf};

/// The default `max_duration` of a drill.
pub const DEFAULT_MAX: crate::model::Duration = crate::model::Duration::from_secs(3600);

pub fn max_duration(drill: &Drill) -> crate::model::Duration {
    drill.safety.as_ref().and_then(|s| s.max_duration).unwrap_or(DEFAULT_MAX)
}

/// Why the drill may not start at `at`: the whole `[at, at + max_duration]` must lie inside
/// `within` and outside every `not_during` calendar.
pub fn closed(model: &Model, drill: &Drill, at: Timestamp, tz: &jiff::tz::TimeZone) -> Option<String> {
    let Some(window) = &drill.window else { return None };
    let max = max_duration(drill);
    let span = Horizon::new(at, max);
    let run = IntervalSet::single(Interval { start: span.start, end: span.end });
    let show = crate::time::show::show_in(tz);
    if let Some(within) = &window.within {
        let Some(open) = crate::time::calendar::expand(model, within, span) else { return Some(format!("calendar `{within}` does not exist")) };
        let outside = run.subtract(&open);
        if let Some(first) = outside.intervals().first() {
            return Some(format!("outside its window `{within}` at {} (the run may take up to {max})", show(first.start)));
        }
    }
    for cal in &window.not_during {
        let Some(blocked) = crate::time::calendar::expand(model, cal, span) else { return Some(format!("calendar `{cal}` does not exist")) };
        if let Some(first) = run.intersect(&blocked).intervals().first() {
            return Some(format!("inside `{cal}` (not_during) at {}", show(first.start)));
        }
    }
    None
}

/// An exclusive lock on a model's live drills, held until dropped (or the process ends:
/// the operating system releases it, so a crashed run leaves no stale lock).
pub struct Lock {
    _file: std::fs::File,
    pub path: PathBuf,
}

pub fn lock(dir: &Path, model: &str) -> Result<Lock, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let safe: String = model.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    let path = dir.join(format!(".{safe}.lock"));
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Lock { _file: file, path }),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!("another live drill of model `{model}` is running (lock {})", path.display())),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
    }
}
