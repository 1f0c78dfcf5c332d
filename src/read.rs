//! Bounded reads of files whose paths come from input (model files, runbooks, facts,
//! journals, policies, templates, baselines): regular files only (symlinks followed to a
//! regular file), opened without blocking so that a FIFO or a device never stalls a run,
//! and never more than a per-kind cap read into memory. docs/decisions.md lists the caps.

use std::io::Read;
use std::path::Path;

/// What is being read, which decides its cap and how errors name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Model,
    Runbook,
    Facts,
    Journal,
    Policy,
    Template,
    Baseline,
    PolicyTests,
    /// A drill's `file:` artifact (read from production, `drill --live` only).
    Artifact,
    /// An iCalendar file a holiday set names.
    Calendar,
}

const MIB: u64 = 1024 * 1024;

/// The most bytes a drill keeps of one artifact (a file, a command's output, a response).
pub const ARTIFACT_CAP: u64 = 256 * MIB;

impl Kind {
    /// The most bytes read of a file of this kind.
    pub fn cap(self) -> u64 {
        match self {
            Kind::Model => 64 * MIB,
            Kind::Runbook => 8 * MIB,
            Kind::Facts => 256 * MIB,
            Kind::Journal => 64 * MIB,
            Kind::Policy => 64 * MIB,
            Kind::Template => 4 * MIB,
            Kind::Baseline => 256 * MIB,
            Kind::PolicyTests => 8 * MIB,
            Kind::Artifact => ARTIFACT_CAP,
            Kind::Calendar => 16 * MIB,
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            Kind::Model => "model file",
            Kind::Runbook => "runbook",
            Kind::Calendar => "iCalendar file",
            Kind::Facts => "facts snapshot",
            Kind::Journal => "drill journal",
            Kind::Policy => "policy module",
            Kind::Template => "template",
            Kind::Baseline => "baseline report",
            Kind::PolicyTests => "policy test file",
            Kind::Artifact => "artifact file",
        }
    }
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// The path names something else than a regular file (after symlinks).
    NotRegular(&'static str),
    /// Larger than the kind's cap.
    TooLarge {
        cap: u64,
    },
    /// Not UTF-8 (text reads only): the line and column of the first bad byte.
    NotUtf8 {
        line: u32,
        column: u32,
    },
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotRegular(what) => write!(f, "is not a regular file (it is {what})"),
            ReadError::TooLarge { cap } => write!(f, "is larger than the limit of {} MiB for this kind of file", cap / MIB),
            ReadError::NotUtf8 { line, column } => write!(f, "is not UTF-8 text (first bad byte at line {line}, column {column})"),
            ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound => f.write_str("does not exist"),
            ReadError::Io(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

/// What a non-regular file is, for messages.
fn what(ft: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "a directory"
    } else if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

/// The bytes of `path`, at most `kind`'s cap.
pub fn bytes(path: &Path, kind: Kind) -> Result<Vec<u8>, ReadError> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO without a writer must not wait for one. The file type is
    // then checked on the open descriptor, so nothing is read from a non-regular file.
    let file = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.file_type().is_file() {
        return Err(ReadError::NotRegular(what(meta.file_type())));
    }
    let cap = kind.cap();
    if meta.len() > cap {
        return Err(ReadError::TooLarge { cap });
    }
    // The file may grow while it is read: never more than the cap.
    let mut out = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1).read_to_end(&mut out).map_err(ReadError::Io)?;
    if out.len() as u64 > cap {
        return Err(ReadError::TooLarge { cap });
    }
    Ok(out)
}

/// The text of `path`, at most `kind`'s cap, UTF-8 checked with the place of a bad byte.
pub fn text(path: &Path, kind: Kind) -> Result<String, ReadError> {
    String::from_utf8(bytes(path, kind)?).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|b| **b == b'\n').count() as u32 + 1;
        let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&good[line_start..]).chars().count() as u32 + 1;
        ReadError::NotUtf8 { line, column }
    })
}

/// "cannot read runbook docs/x.md: is not a regular file (it is a FIFO)".
pub fn describe(path: &Path, kind: Kind, e: &ReadError) -> String {
    format!("{} {} {e}", kind.noun(), path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifos_devices_and_directories_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(bytes(&fifo, Kind::Runbook), Err(ReadError::NotRegular("a FIFO"))));
        let zero = dir.path().join("zero.md");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(matches!(bytes(&zero, Kind::Runbook), Err(ReadError::NotRegular("a character device"))));
        assert!(matches!(bytes(dir.path(), Kind::Runbook), Err(ReadError::NotRegular("a directory"))));
    }

    #[test]
    fn a_file_over_the_cap_is_refused_without_reading_it() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.md");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(Kind::Runbook.cap() + 1).unwrap();
        let e = bytes(&big, Kind::Runbook).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { cap } if cap == 8 * MIB));
        assert_eq!(e.to_string(), "is larger than the limit of 8 MiB for this kind of file");
    }

    #[test]
    fn bad_utf8_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.yaml");
        std::fs::write(&p, b"a: 1\nb: \xc3\xa9\xff\n").unwrap();
        match text(&p, Kind::Model) {
            Err(ReadError::NotUtf8 { line, column }) => assert_eq!((line, column), (2, 5)),
            other => panic!("{other:?}"),
        }
    }
}
