//! The Rego worker: runready runs itself (`runready __rego-worker`) to evaluate a Rego
//! policy in a child process. regorus is an interpreter without a memory ceiling and with a
//! recursive evaluator; in a child, a policy that builds huge sets meets an address-space
//! limit (`memory`), one that nests too deep overflows the child's stack (`stack`), one that
//! runs too long is killed at the wall clock (`timeout`) — and runready itself never crashes
//! or hangs. Every part of the protocol is JSON: a header line, then the request.

use super::super::Reason;
use super::super::host::{CallError, Limits};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The hidden first argument that makes the binary a worker.
pub const ARG: &str = "__rego-worker";
/// The evaluating thread's stack: deep enough for any honest policy; a deeper one ends the
/// child with a stack overflow, reported as `stack`.
const STACK_BYTES: usize = 64 << 20;

#[derive(Serialize, Deserialize)]
pub struct Header {
    pub mode: Mode,
    /// (name shown in messages, source)
    pub files: Vec<(String, String)>,
    /// Evaluate: the rules to read (`data.runready.deny`, …). Test: the test rules.
    pub rules: Vec<String>,
    pub max_findings: usize,
    pub memory_bytes: usize,
    pub log_lines: usize,
    pub log_bytes: usize,
}

#[derive(Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Read each rule's value with the request as `input`.
    Evaluate,
    /// Evaluate each `test_*` rule without input; a test passes when it is `true`.
    Test,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Evaluate: (rule, its value as JSON; `null` when undefined), and the policy's prints.
    Values {
        values: Vec<(String, Value)>,
        log: Vec<String>,
    },
    /// Test: (rule, passed, detail).
    Tests {
        tests: Vec<(String, bool, String)>,
    },
    Error {
        reason: Reason,
        message: String,
    },
}

/// The executable that runs as the worker: `RUNREADY_WORKER` when set (a program embedding
/// the library, the benchmarks), otherwise this very binary.
fn executable() -> Result<PathBuf, CallError> {
    if let Some(p) = std::env::var_os("RUNREADY_WORKER") {
        return Ok(PathBuf::from(p));
    }
    std::env::current_exe().map_err(|e| CallError::new(Reason::Internal, format!("cannot find runready's own executable to run the Rego worker: {e}")))
}

/// Runs the worker on `header` + `request` within the limits' wall clock.
pub fn call(header: &Header, request: &str, limits: &Limits) -> Result<Answer, CallError> {
    let exe = executable()?;
    let mut child = Command::new(&exe)
        .arg(ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| CallError::new(Reason::Internal, format!("cannot start the Rego worker {}: {e}", exe.display())))?;
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("piped");
    let mut input = serde_json::to_vec(header).map_err(|e| CallError::new(Reason::Internal, e.to_string()))?;
    input.push(b'\n');
    input.extend_from_slice(request.as_bytes());
    // The child may die before reading everything: a broken pipe is its answer, not ours.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = match rx.recv_timeout(Duration::from_millis(limits.timeout_ms)) {
        Ok(out) => out,
        Err(_) => {
            // SAFETY: kill(2) on the pid of our own child, which `wait` has not reaped yet.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            let _ = rx.recv();
            let _ = writer.join();
            return Err(CallError::new(Reason::Timeout, format!("the evaluation ran past its wall-clock limit of {} ms and was stopped", limits.timeout_ms)));
        }
    };
    let _ = writer.join();
    let output = output.map_err(|e| CallError::new(Reason::Internal, format!("the Rego worker failed: {e}")))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(died(&output.status, &stderr, limits));
    }
    if output.stdout.len() > limits.output_bytes + 4096 {
        return Err(CallError::new(Reason::Output, format!("the result is {} bytes, more than the {} allowed", output.stdout.len(), limits.output_bytes)));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| CallError::new(Reason::Internal, format!("the Rego worker answered something that is not its protocol: {e}")))
}

/// Why the child ended without an answer.
fn died(status: &std::process::ExitStatus, stderr: &str, limits: &Limits) -> CallError {
    if stderr.contains("has overflowed its stack") {
        return CallError::new(Reason::Stack, "the evaluation nested deeper than the evaluator's stack allows (deep recursion or reference chains)");
    }
    if stderr.contains("memory allocation of") || stderr.contains("capacity overflow") {
        return CallError::new(Reason::Memory, format!("the evaluation needed more than its memory limit of {} MiB", limits.memory_bytes >> 20));
    }
    let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message");
    CallError::new(Reason::Internal, format!("the Rego evaluator ended with {status}: {last}"))
}

/// The worker's `main`: reads the header and the request from stdin, answers on stdout.
pub fn main() -> i32 {
    let mut input = Vec::new();
    if std::io::stdin().read_to_end(&mut input).is_err() {
        return 3;
    }
    let split = input.iter().position(|b| *b == b'\n').unwrap_or(input.len());
    let answer = match serde_json::from_slice::<Header>(&input[..split]) {
        Err(e) => Answer::Error { reason: Reason::Internal, message: format!("bad worker header: {e}") },
        Ok(header) => {
            let request = String::from_utf8_lossy(input.get(split + 1..).unwrap_or_default()).into_owned();
            drop(input);
            match std::thread::Builder::new().stack_size(STACK_BYTES).spawn(move || answer(&header, &request)) {
                Ok(handle) => handle.join().unwrap_or_else(|_| Answer::Error { reason: Reason::Internal, message: "the Rego evaluator panicked".into() }),
                Err(e) => Answer::Error { reason: Reason::Internal, message: format!("cannot start the evaluator thread: {e}") },
            }
        }
    };
    let text = serde_json::to_string(&answer).unwrap_or_else(|e| format!("{{\"error\":{{\"reason\":\"internal\",\"message\":\"{e}\"}}}}"));
    let mut out = std::io::stdout().lock();
    if out.write_all(text.as_bytes()).and_then(|_| out.flush()).is_err() {
        return 3;
    }
    0
}

fn answer(header: &Header, request: &str) -> Answer {
    let mut engine = regorus::Engine::new();
    for (name, text) in &header.files {
        if let Err(e) = engine.add_policy(name.clone(), text.clone()) {
            return Answer::Error { reason: Reason::Internal, message: format!("{e}") };
        }
    }
    engine.set_gather_prints(true);
    if header.mode == Mode::Evaluate
        && let Err(e) = engine.set_input_json(request)
    {
        return Answer::Error { reason: Reason::InvalidInput, message: format!("the request is not valid JSON: {e}") };
    }
    // From here on, what the evaluation allocates is bounded; the input is already held.
    limit_memory(header.memory_bytes);
    let answer = match header.mode {
        Mode::Evaluate => evaluate(&mut engine, header),
        Mode::Test => {
            let tests = header
                .rules
                .iter()
                .map(|rule| match engine.eval_rule(rule.clone()) {
                    Ok(regorus::Value::Bool(true)) => (rule.clone(), true, "true".to_string()),
                    Ok(regorus::Value::Undefined) => (rule.clone(), false, "undefined (a condition of its body does not hold)".to_string()),
                    Ok(v) => (rule.clone(), false, format!("{} (a test passes only when true)", v.to_json_str().unwrap_or_else(|_| "a value".into()))),
                    Err(e) => (rule.clone(), false, one_line(&e.to_string())),
                })
                .collect();
            Answer::Tests { tests }
        }
    };
    // The process ends right after answering: freeing the input's millions of values one
    // by one would only delay the answer.
    std::mem::forget(engine);
    answer
}

fn evaluate(engine: &mut regorus::Engine, header: &Header) -> Answer {
    let mut values = Vec::new();
    let mut count = 0usize;
    for rule in &header.rules {
        let value = match engine.eval_rule(rule.clone()) {
            Ok(v) => v,
            Err(e) => return Answer::Error { reason: Reason::Internal, message: format!("evaluating {rule}: {}", one_line(&e.to_string())) },
        };
        if value == regorus::Value::Undefined {
            values.push((rule.clone(), Value::Null));
            continue;
        }
        count += match &value {
            regorus::Value::Set(s) => s.len(),
            regorus::Value::Array(a) => a.len(),
            _ => 1,
        };
        if count > header.max_findings {
            return Answer::Error { reason: Reason::Output, message: format!("more than the {} findings allowed (at {rule})", header.max_findings) };
        }
        match value.to_json_str().map_err(|e| e.to_string()).and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string())) {
            Ok(json) => values.push((rule.clone(), json)),
            Err(e) => return Answer::Error { reason: Reason::Internal, message: format!("{rule} has a value that is not JSON: {e}") },
        }
    }
    let mut log = Vec::new();
    let mut bytes = 0usize;
    for line in engine.take_prints().unwrap_or_default() {
        if log.len() >= header.log_lines || bytes + line.len() > header.log_bytes {
            log.push(format!("(log truncated at {} lines / {} bytes)", header.log_lines, header.log_bytes));
            break;
        }
        bytes += line.len();
        log.push(line);
    }
    Answer::Values { values, log }
}

/// regorus's messages carry a source excerpt over several lines: keep `file:line:col: msg`.
pub fn one_line(message: &str) -> String {
    let at = message.lines().find_map(|l| l.trim().strip_prefix("--> ")).map(str::trim);
    let what = message.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or(message).trim();
    match at {
        Some(at) => format!("{at}: {}", what.strip_prefix("error: ").unwrap_or(what)),
        None => what.to_string(),
    }
}

/// Caps the data segment (heap and anonymous mappings) at what is used now plus `extra`
/// bytes: an allocation beyond it fails, and the child ends with "memory allocation … failed".
#[cfg(target_os = "linux")]
fn limit_memory(extra: usize) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let used_kib: u64 = status.lines().find_map(|l| l.strip_prefix("VmData:")).and_then(|v| v.split_whitespace().next()?.parse().ok()).unwrap_or(0);
    let cap = (used_kib << 10).saturating_add(extra as u64);
    let lim = libc::rlimit { rlim_cur: cap as libc::rlim_t, rlim_max: cap as libc::rlim_t };
    // SAFETY: setrlimit with a valid, initialised struct; it only lowers this process's limit.
    unsafe { libc::setrlimit(libc::RLIMIT_DATA, &lim) };
}

#[cfg(not(target_os = "linux"))]
fn limit_memory(_extra: usize) {}
