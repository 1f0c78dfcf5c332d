//! Files written atomically: reports, journals, caches and snapshots are either whole or
//! absent, never half written.

use std::path::Path;

/// Writes a file atomically: a temporary file in the same directory, renamed
/// over the target, so a reader never sees half a report.
pub fn write_atomic(path: &Path, contents: &str) -> std::io::Result<()> {
    write_atomic_bytes(path, contents.as_bytes())
}

/// [`write_atomic`] for bytes.
pub fn write_atomic_bytes(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    remove_stale(&dir, &name);
    // `.report.json.runready-PID-XXXXXX.tmp`: the writer's pid, so that a later run can
    // tell the leftovers of a killed run from a write in progress.
    let prefix = format!(".{name}.runready-{}-", std::process::id());
    let mut tmp = tempfile::Builder::new().prefix(&prefix).suffix(".tmp").tempfile_in(&dir)?;
    std::io::Write::write_all(&mut tmp, contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // The rename is durable once the directory is synced (journals must survive a crash).
    sync_dir(&dir)
}

/// Syncs a directory, making the creation and renaming of its entries durable.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Removes temporary files of earlier writes of `name` in `dir` whose writer is gone (a run
/// killed while writing): the next run leaves no debris.
fn remove_stale(dir: &Path, name: &str) {
    let prefix = format!(".{name}.runready-");
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix).filter(|_| file.ends_with(".tmp")) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<i32>().ok()) else { continue };
        // kill(pid, 0): ESRCH means no such process.
        let gone = unsafe { libc::kill(pid, 0) } != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn leftovers_of_a_dead_writer_are_removed_and_a_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // pid 2^22 + 1 is above Linux's pid_max limit: never a live process.
        let dead = dir.path().join(".r.json.runready-4194305-abc.tmp");
        let live = dir.path().join(format!(".r.json.runready-{}-abc.tmp", std::process::id()));
        std::fs::write(&dead, "half").unwrap();
        std::fs::write(&live, "half").unwrap();
        super::write_atomic(&dir.path().join("r.json"), "{}").unwrap();
        assert!(!dead.exists());
        assert!(live.exists());
        assert_eq!(std::fs::read_to_string(dir.path().join("r.json")).unwrap(), "{}");
    }
}
