//! Getting bytes from production within a hard time limit: a shell command (its whole
//! process group is killed at the deadline or on interruption), an HTTP GET, a file.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Artifacts larger than this are refused rather than held in memory.
pub const MAX_BYTES: u64 = crate::read::ARTIFACT_CAP;

/// Why getting the bytes failed.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// The deadline passed; the command's process group was killed.
    Timeout(Duration),
    /// The run was interrupted.
    Interrupted,
    /// Anything else, with the reason.
    Failed(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            FetchError::Timeout(d) => write!(f, "did not finish within {}", crate::model::human_secs(d.as_secs() as i64)),
            FetchError::Interrupted => f.write_str("interrupted"),
            FetchError::Failed(why) => f.write_str(why),
        }
    }
}

/// The result of a command: its exit code and standard output.
pub struct CommandOutput {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr_tail: String,
}

/// Runs `sh -c COMMAND` in its own process group until it exits, the deadline passes or
/// `stop` is set; in the last two cases the whole group is killed.
pub fn command(cmd: &str, limit: Duration, stop: &AtomicBool) -> Result<CommandOutput, FetchError> {
    let mut c = std::process::Command::new("sh");
    c.arg("-c").arg(cmd).stdin(std::process::Stdio::null()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut c, 0);
    // Spawned before the command and before adopting orphans, so neither kills it.
    let watchdog = Watchdog::start();
    let orphans = Orphans::adopt();
    let mut child = c.spawn().map_err(|e| FetchError::Failed(format!("cannot start `sh -c`: {e}")))?;
    let watchdog = watchdog.map(|w| w.guard(child.id()));
    let out = drain(child.stdout.take().expect("piped"), MAX_BYTES);
    let err = drain(child.stderr.take().expect("piped"), 64 * 1024);
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) => {}
            Err(e) => return Err(FetchError::Failed(e.to_string())),
        }
        let why = if stop.load(Ordering::SeqCst) {
            Some(FetchError::Interrupted)
        } else if started.elapsed() >= limit {
            Some(FetchError::Timeout(limit))
        } else {
            None
        };
        if let Some(why) = why {
            kill_group(&mut child);
            orphans.kill();
            drop(watchdog);
            return Err(why);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // Grandchildren that outlive the shell must not hold the run: the group goes too, and
    // so do descendants that left it (setsid) and were orphaned to us.
    kill_group(&mut child);
    orphans.kill();
    drop(watchdog);
    let grace = Duration::from_secs(2);
    let stdout = out.recv_timeout(grace).map_err(|_| FetchError::Failed("the output pipe is held open by a process outside the command's group".into()))?;
    let stderr = err.recv_timeout(grace).unwrap_or_default();
    if stdout.len() as u64 > MAX_BYTES {
        return Err(FetchError::Failed(format!("output larger than {MAX_BYTES} bytes")));
    }
    let text = String::from_utf8_lossy(&stderr);
    let tail: String = text.lines().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(" | ");
    Ok(CommandOutput { code: status.code(), stdout, stderr_tail: tail })
}

fn drain(mut r: impl Read + Send + 'static, cap: u64) -> std::sync::mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = (&mut r).take(cap + 1).read_to_end(&mut buf);
        // Keep reading (and dropping) so the writer never blocks on a full pipe.
        let _ = std::io::copy(&mut r, &mut std::io::sink());
        let _ = tx.send(buf);
    });
    rx
}

fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // SAFETY: kill(2) with a negative pid signals the process group the child leads
        // (process_group(0) made its pid the group id); it touches no memory of ours.
        unsafe {
            libc::kill(-(child.id() as i32), libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Kills the command's process group if runready dies first (SIGKILL, OOM): a process that
/// waits for the end of a pipe only runready holds. When runready ends, however it ends, the
/// kernel closes the pipe and the watchdog kills the group. Normally it is stopped first.
struct Watchdog {
    child: std::process::Child,
    pipe: std::fs::File,
}

impl Watchdog {
    fn start() -> Option<Watchdog> {
        #[cfg(unix)]
        {
            use std::os::fd::FromRawFd;
            let mut fds = [0; 2];
            // SAFETY: pipe2 fills two new descriptors, both close-on-exec, which we own.
            if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
                return None;
            }
            // SAFETY: the descriptors were just created and are owned by nothing else.
            let (read, write) = unsafe { (std::os::fd::OwnedFd::from_raw_fd(fds[0]), std::fs::File::from_raw_fd(fds[1])) };
            let mut c = std::process::Command::new("sh");
            c.arg("-c").arg("read pgid; read _; [ -n \"$pgid\" ] && kill -s KILL -- \"-$pgid\" 2>/dev/null").arg("runready-watchdog");
            c.stdin(std::process::Stdio::from(read)).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
            // Its own group: a Ctrl-C to runready's group must not take the watchdog first.
            std::os::unix::process::CommandExt::process_group(&mut c, 0);
            let child = c.spawn().ok()?;
            Some(Watchdog { child, pipe: write })
        }
        #[cfg(not(unix))]
        None
    }

    /// Tells the watchdog which group to kill.
    fn guard(mut self, pgid: u32) -> Watchdog {
        let _ = std::io::Write::write_all(&mut self.pipe, format!("{pgid}\n").as_bytes());
        self
    }
}

impl Drop for Watchdog {
    /// The command is done and its group killed: stop the watchdog before closing the pipe,
    /// so it never signals a group id the system may reuse.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Descendants of a command that left its process group (`setsid`, daemons) and were
/// orphaned: on Linux this process becomes a child subreaper, so they are reparented to it
/// rather than to init, and [`Orphans::kill`] kills and reaps every child of ours that was
/// not there before the command started. Elsewhere only the process group is killed.
struct Orphans {
    #[cfg(target_os = "linux")]
    before: Vec<i32>,
}

impl Orphans {
    fn adopt() -> Orphans {
        #[cfg(target_os = "linux")]
        {
            // SAFETY: prctl(PR_SET_CHILD_SUBREAPER) only sets a flag on this process.
            unsafe {
                libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
            }
            Orphans { before: children() }
        }
        #[cfg(not(target_os = "linux"))]
        Orphans {}
    }

    fn kill(&self) {
        #[cfg(target_os = "linux")]
        // Killing an adopted process orphans its own children to us in turn: repeat until
        // none is left (bounded, in case something keeps forking).
        for _ in 0..64 {
            let adopted: Vec<i32> = children().into_iter().filter(|p| !self.before.contains(p)).collect();
            if adopted.is_empty() {
                return;
            }
            for pid in adopted {
                // SAFETY: kill(2) and waitpid(2) on a child of ours; no memory is shared.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, std::ptr::null_mut(), 0);
                }
            }
        }
    }
}

/// The pids whose parent is this process, from /proc.
#[cfg(target_os = "linux")]
fn children() -> Vec<i32> {
    let me = std::process::id() as i32;
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            // The parent pid is the second field after the command name, which ends at the last ')'.
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            stat.rsplit_once(") ").and_then(|(_, rest)| rest.split(' ').nth(1)?.parse::<i32>().ok()) == Some(me)
        })
        .collect()
}

/// An HTTP GET: status and body, the whole exchange bounded by `limit`. HTTPS is verified
/// against [`trust_roots`].
pub fn http_get(url: &str, limit: Duration) -> Result<(u16, Vec<u8>), FetchError> {
    let tls = ureq::tls::TlsConfig::builder().root_certs(trust_roots().clone()).build();
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(limit)).http_status_as_error(false).tls_config(tls).build().into();
    let started = Instant::now();
    let resp = agent.get(url).header("user-agent", concat!("runready/", env!("CARGO_PKG_VERSION"))).call().map_err(|e| classify(e, limit, started))?;
    let status = resp.status().as_u16();
    let body = resp.into_body().with_config().limit(MAX_BYTES).read_to_vec().map_err(|e| classify(e, limit, started))?;
    Ok((status, body))
}

/// The roots HTTPS endpoints are verified against: the system's trust store, which honours
/// `SSL_CERT_FILE` and `SSL_CERT_DIR` (production endpoints often sit behind an internal CA),
/// or Mozilla's roots when the system has none (a minimal container). Loaded once.
pub fn trust_roots() -> &'static ureq::tls::RootCerts {
    static ROOTS: std::sync::OnceLock<ureq::tls::RootCerts> = std::sync::OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        if found.certs.is_empty() { ureq::tls::RootCerts::WebPki } else { found.certs.iter().map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned()).collect::<Vec<_>>().into() }
    })
}

fn classify(e: ureq::Error, limit: Duration, started: Instant) -> FetchError {
    match e {
        ureq::Error::Timeout(_) => FetchError::Timeout(limit),
        _ if started.elapsed() >= limit => FetchError::Timeout(limit),
        other => FetchError::Failed(other.to_string()),
    }
}

/// A file's content, read on a thread so a hung file system cannot hold the drill past `limit`.
pub fn file(path: &str, limit: Duration) -> Result<Vec<u8>, FetchError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let p = path.to_string();
    std::thread::spawn(move || {
        // Regular files only, opened without blocking, at most MAX_BYTES.
        let r = crate::read::bytes(std::path::Path::new(&p), crate::read::Kind::Artifact);
        let _ = tx.send(r);
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(b)) => Ok(b),
        Ok(Err(crate::read::ReadError::TooLarge { .. })) => Err(FetchError::Failed(format!("larger than {MAX_BYTES} bytes"))),
        Ok(Err(e)) => Err(FetchError::Failed(format!("{path} {e}"))),
        Err(_) => Err(FetchError::Timeout(limit)),
    }
}
