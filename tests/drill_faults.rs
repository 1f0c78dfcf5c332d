//! Live drills under the faults that used to leave AWS Support cases open without a trace
//! (issue 13, cli.md "Write-ahead"): the real binary and SDK, moto behind a proxy that
//! injects the fault at the moment it matters, `kill -9` included.
#![cfg(feature = "aws")]

mod common;
#[path = "common/http.rs"]
mod http;
#[path = "common/moto.rs"]
mod moto;
#[path = "common/proxy.rs"]
mod proxy;

use common::drills::{journals, model, run, runready};
use moto::Moto;
use proxy::{Fault, Proxy};
use runready::drill::journal::{CaseState, Journal, Outcome, SweepOutcome};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const QUICK: &str = "  v: { kind: version, environment: production, retrieve: { command: \"echo 1.2.3\" }, max_retrieval: PT10S }\n";

fn drill_yaml(steps: &str) -> String {
    format!("  - id: pt\n    kind: process_test\n    services: [api]\n    every: P90D\n    steps:\n      - vendor_case: {{ vendor: aws }}\n{steps}")
}

/// An artifact whose command starts `sleep 600` in the background, records its pid, marks
/// that it is running, and waits.
fn slow_artifact(dir: &Path) -> String {
    let (pid, marker) = (dir.join("sleep.pid"), dir.join("started"));
    format!("  v: {{ kind: version, environment: production, retrieve: {{ command: \"sleep 600 & echo $! > {}; touch {}; wait\" }}, max_retrieval: PT20M }}\n", pid.display(), marker.display())
}

/// The live drill command, its AWS calls sent to `endpoint`.
fn live(endpoint: &str, moto: &Moto, dir: &Path, jdir: &Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("runready"));
    c.envs(moto.env()).env("AWS_ENDPOINT_URL", endpoint).env("NO_COLOR", "1").env_remove("CI");
    c.arg("drill").arg(dir).arg("--live").arg("--journal-dir").arg(jdir).stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

fn wait_for(path: &Path, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !path.exists() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("runready ended ({status}) before {} appeared", path.display());
        }
        assert!(Instant::now() < deadline, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on the child this test spawned.
    unsafe { libc::kill(child.id() as i32, sig) };
}

/// Whether a process is gone (or a zombie nobody reaped yet).
fn dead(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

fn only_journal(jdir: &Path) -> Journal {
    let js = journals(jdir);
    assert_eq!(js.len(), 1, "{js:#?}");
    js.into_iter().next().unwrap()
}

fn drl004(dir: &Path, jdir: &Path) -> (String, String) {
    let (_, out, err) = run(runready().arg("check").arg(dir).arg("--journal").arg(jdir).args(["--format", "json"]));
    let report: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let r = report["results"].as_array().unwrap().iter().find(|r| r["rule"] == "DRL-004").expect("DRL-004 result").clone();
    (r["status"].as_str().unwrap().to_string(), r["message"].as_str().unwrap().to_string())
}

#[test]
fn kill_9_during_a_retrieve_leaves_the_case_in_the_journal_and_the_next_run_resolves_it() {
    let moto = Moto::start();
    moto.freeze_cases();
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), &slow_artifact(dir.path()), "v", &drill_yaml("      - retrieve: [v]\n"));
    let jdir = tempfile::tempdir().unwrap();
    let mut child = live(&moto.url, &moto, dir.path(), jdir.path()).spawn().unwrap();
    wait_for(&dir.path().join("started"), &mut child);
    let sleeper: i32 = std::fs::read_to_string(dir.path().join("sleep.pid")).unwrap().trim().parse().unwrap();
    child.kill().unwrap(); // SIGKILL: no handler runs.
    child.wait().unwrap();

    // The journal was written ahead: no end, the case it opened.
    let j = only_journal(jdir.path());
    assert_eq!(j.finished_at, None);
    assert!(j.write_ahead);
    let case = moto.case_ids();
    assert_eq!(case.len(), 1);
    assert_eq!(j.cases.len(), 1);
    assert_eq!((j.cases[0].state, j.cases[0].case_id.as_deref()), (CaseState::Opened, Some(case[0].as_str())));
    // The retrieve command died with runready.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !dead(sleeper) {
        assert!(Instant::now() < deadline, "the drill's command (pid {sleeper}) outlived runready");
        std::thread::sleep(Duration::from_millis(50));
    }
    // DRL-004 fails, naming the case and the run.
    let (status, message) = drl004(dir.path(), jdir.path());
    assert_eq!(status, "fail");
    assert!(message.contains(&case[0]) && message.contains("did not finish"), "{message}");

    // The next live run resolves it first and records it; then DRL-004 passes.
    model(dir.path(), QUICK, "v", &drill_yaml("      - retrieve: [v]\n"));
    moto.start_recording();
    let out = live(&moto.url, &moto, dir.path(), jdir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let calls = moto.support_calls();
    assert_eq!((calls[0].0.as_str(), calls[0].1["caseId"].as_str()), ("ResolveCase", Some(case[0].as_str())), "{calls:?}");
    let second = journals(jdir.path()).into_iter().find(|j| j.finished_at.is_some()).unwrap();
    assert_eq!(second.swept.len(), 1);
    assert_eq!((second.swept[0].case_id.as_deref(), second.swept[0].outcome), (Some(case[0].as_str()), SweepOutcome::Resolved));
    assert_eq!(second.swept[0].run_started_at, j.started_at);
    assert_eq!(drl004(dir.path(), jdir.path()).0, "pass");
}

#[test]
fn sighup_is_handled_like_sigterm() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), &slow_artifact(dir.path()), "v", &drill_yaml("      - retrieve: [v]\n"));
    let jdir = tempfile::tempdir().unwrap();
    moto.start_recording();
    let mut child = live(&moto.url, &moto, dir.path(), jdir.path()).spawn().unwrap();
    wait_for(&dir.path().join("started"), &mut child);
    signal(&child, libc::SIGHUP);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let j = only_journal(jdir.path());
    assert!(j.interrupted && j.finished_at.is_some());
    assert_eq!(j.cases[0].state, CaseState::Resolved);
    let ops: Vec<String> = moto.support_calls().into_iter().map(|(op, _)| op).collect();
    assert_eq!(ops, vec!["CreateCase", "DescribeCases", "ResolveCase"]);
}

/// CreateCase reaches moto (the case exists) but the caller sees `fault`: the run looks the
/// case up instead of creating a second one, tracks and resolves the one that exists.
fn ambiguous_create(fault: Fault, extra: &[&str]) {
    let moto = Moto::start();
    moto.freeze_cases();
    let proxy = Proxy::start(&moto.url, move |op, nth| if op == "CreateCase" && nth == 0 { fault.clone() } else { Fault::Pass }, |_| {});
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), QUICK, "v", &drill_yaml("      - retrieve: [v]\n"));
    let jdir = tempfile::tempdir().unwrap();
    let out = live(proxy.url(), &moto, dir.path(), jdir.path()).args(["--aws-max-attempts", "5"]).args(extra).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{text}");
    let ids = moto.case_ids();
    assert_eq!(ids.len(), 1, "a second case was opened: {ids:?}");
    let ops = proxy.ops();
    assert_eq!(ops.iter().filter(|o| *o == "CreateCase").count(), 1, "{ops:?}");
    let j = only_journal(jdir.path());
    let r = &j.cases[0];
    assert_eq!((r.state, r.case_id.as_deref()), (CaseState::Resolved, Some(ids[0].as_str())), "{r:#?}");
    assert!(r.history.iter().any(|h| h.contains("the case may have been created")), "{:#?}", r.history);
    assert!(r.history.iter().any(|h| h.contains(&format!("DescribeCases found {}", ids[0]))), "{:#?}", r.history);
    assert!(ops.ends_with(&["ResolveCase".to_string()]), "{ops:?}");
    assert_eq!(j.outcome, Outcome::Pass);
}

#[test]
fn a_create_answered_with_a_5xx_after_the_case_exists_is_looked_up_not_repeated() {
    ambiguous_create(Fault::AfterWith(500), &[]);
}

#[test]
fn a_create_answered_after_the_timeout_is_looked_up_not_repeated() {
    ambiguous_create(Fault::AfterDelay(Duration::from_secs(4)), &["--aws-timeout", "PT1S"]);
}

#[test]
fn a_create_that_cannot_be_looked_up_is_recorded_as_maybe_open_and_found_by_the_next_run() {
    let moto = Moto::start();
    moto.freeze_cases();
    let broken = Proxy::start(
        &moto.url,
        |op, _| match op {
            "CreateCase" => Fault::AfterWith(503),
            "DescribeCases" => Fault::Instead(500),
            _ => Fault::Pass,
        },
        |_| {},
    );
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), QUICK, "v", &drill_yaml("      - retrieve: [v]\n"));
    let jdir = tempfile::tempdir().unwrap();
    let out = live(broken.url(), &moto, dir.path(), jdir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("the case may be open"), "{}", String::from_utf8_lossy(&out.stdout));
    let j = only_journal(jdir.path());
    assert_eq!((j.cases[0].state, j.cases[0].case_id.as_ref()), (CaseState::MayHaveOpened, None));
    let (status, message) = drl004(dir.path(), jdir.path());
    assert_eq!(status, "fail");
    assert!(message.starts_with("1 case may be open: a case drill pt started"), "{message}");

    // With AWS healthy again, the next run finds the case by its token and resolves it.
    moto.start_recording();
    let out = live(&moto.url, &moto, dir.path(), jdir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let first = moto.case_ids()[0].clone();
    let second = journals(jdir.path()).into_iter().max_by_key(|j| j.started_at).unwrap();
    assert_eq!((second.swept[0].case_id.as_deref(), second.swept[0].outcome), (Some(first.as_str()), SweepOutcome::Resolved), "{:#?}", second.swept);
    assert_eq!(drl004(dir.path(), jdir.path()).0, "pass");
}

#[test]
fn an_ambiguous_publish_is_not_retried_and_the_journal_says_it_may_have_published() {
    let moto = Moto::start();
    let topic = moto.topic_with_queue("oncall", "us-east-1");
    let proxy = Proxy::start(&moto.url, |op, _| if op == "Publish" { Fault::AfterWith(500) } else { Fault::Pass }, |_| {});
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), QUICK, "v", &drill_yaml(&format!("      - sns_publish: {{ topic: \"{topic}\" }}\n")));
    let jdir = tempfile::tempdir().unwrap();
    let out = live(&moto.url, &moto, dir.path(), jdir.path()).env("AWS_ENDPOINT_URL_SNS", proxy.url()).args(["--aws-max-attempts", "5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(proxy.ops().iter().filter(|o| *o == "Publish").count(), 1, "{:?}", proxy.ops());
    assert_eq!(moto.received("oncall", "us-east-1").len(), 1, "moto did publish it once");
    let j = only_journal(jdir.path());
    let s = &j.steps[1];
    assert_eq!(s.outcome, Outcome::Fail);
    assert_eq!(s.evidence["may_have_published"], true);
    assert!(s.message.as_deref().unwrap().contains("it may have published"), "{:?}", s.message);
}

#[test]
fn two_runs_started_at_once_keep_both_journals() {
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), QUICK, "v", &drill_yaml("      - retrieve: [v]\n"));
    let jdir = tempfile::tempdir().unwrap();
    // Dry runs at the same --at have the same start instant: the worst case for names.
    let spawn = || Command::new(assert_cmd::cargo::cargo_bin("runready")).arg("drill").arg(dir.path()).args(["--at", "2026-11-23T10:00:00Z", "--journal-dir"]).arg(jdir.path()).output().unwrap();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(a.status.success() && b.status.success());
    let mut names: Vec<String> = std::fs::read_dir(jdir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".json")).collect();
    names.sort();
    assert_eq!(names, vec!["pt-2026-11-23T10-00-00Z-2.json", "pt-2026-11-23T10-00-00Z.json"]);
}

/// A run interrupted while ResolveCase never answers.
fn hung_cleanup(extra: &[&str], second_signal: bool) -> (Journal, Duration) {
    let moto = Moto::start();
    let proxy = Proxy::start(&moto.url, |op, _| if op == "ResolveCase" { Fault::Hang } else { Fault::Pass }, |_| {});
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), &slow_artifact(dir.path()), "v", &drill_yaml("      - retrieve: [v]\n"));
    let jdir = tempfile::tempdir().unwrap();
    let mut child = live(proxy.url(), &moto, dir.path(), jdir.path()).args(["--aws-timeout", "PT30S"]).args(extra).spawn().unwrap();
    wait_for(&dir.path().join("started"), &mut child);
    let t0 = Instant::now();
    signal(&child, libc::SIGTERM);
    if second_signal {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !proxy.ops().iter().any(|o| o == "ResolveCase") {
            assert!(Instant::now() < deadline, "ResolveCase was never sent");
            std::thread::sleep(Duration::from_millis(20));
        }
        signal(&child, libc::SIGTERM);
    }
    let out = child.wait_with_output().unwrap();
    let took = t0.elapsed();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stdout));
    let j = only_journal(jdir.path());
    assert!(j.finished_at.is_some());
    assert_eq!(j.cases[0].state, CaseState::LeftOpen, "{:#?}", j.cases);
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("✗ vendor_case aws") && human.contains("CLEANUP FAILED"), "{human}");
    (j, took)
}

#[test]
fn cleanup_has_its_own_time_limit() {
    let (j, took) = hung_cleanup(&["--cleanup-timeout", "PT3S"], false);
    assert!(took < Duration::from_secs(15), "cleanup took {took:?}");
    assert!(j.cases[0].history.last().unwrap().contains("the cleanup time limit PT3S ran out"), "{:#?}", j.cases[0].history);
    assert!(j.reason.as_deref().unwrap().contains("LEFT OPEN: case case-"), "{:?}", j.reason);
}

#[test]
fn a_second_signal_stops_the_cleanup_from_waiting() {
    let (j, took) = hung_cleanup(&["--cleanup-timeout", "PT5M"], true);
    assert!(took < Duration::from_secs(20), "cleanup took {took:?}");
    assert!(j.cases[0].history.last().unwrap().contains("a second signal stopped the cleanup"), "{:#?}", j.cases[0].history);
}

#[test]
fn a_failed_resolve_is_reported_in_a_line_and_marked_in_the_report() {
    let moto = Moto::start();
    let proxy = Proxy::start(&moto.url, |op, _| if op == "ResolveCase" { Fault::Instead(500) } else { Fault::Pass }, |_| {});
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), QUICK, "v", &drill_yaml("      - retrieve: [v]\n"));
    let jdir = tempfile::tempdir().unwrap();
    let out = live(proxy.url(), &moto, dir.path(), jdir.path()).args(["--cleanup-timeout", "PT2S"]).output().unwrap();
    let human = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{human}");
    let j = only_journal(jdir.path());
    let cleanup = j.steps[0].cleanup.as_ref().unwrap();
    assert_eq!(cleanup.outcome, Outcome::Fail);
    let m = cleanup.message.as_deref().unwrap();
    assert!(m.contains("AWS Support ResolveCase: HTTP 500 InternalServerError: injected by the test proxy"), "{m}");
    assert!(m.len() < 400 && !m.contains("ErrorMetadata") && !m.contains("Response {") && !m.contains("SdkBody"), "{m}");
    assert!(human.lines().any(|l| l.starts_with("  ✗ vendor_case aws") && l.contains("CLEANUP FAILED")), "{human}");
    assert_eq!(drl004(dir.path(), jdir.path()).0, "fail");
}

/// Sets the file-size limit of a running process (prlimit(2)): from then on every write
/// beyond `bytes` fails, as on a full disk.
fn limit_file_size(pid: u32, bytes: u64) {
    let lim = libc::rlimit { rlim_cur: bytes, rlim_max: libc::RLIM_INFINITY };
    // SAFETY: prlimit on a child of this test, with a valid struct and no old-value pointer.
    let rc = unsafe { libc::prlimit(pid as i32, libc::RLIMIT_FSIZE, &lim, std::ptr::null_mut()) };
    assert_eq!(rc, 0, "prlimit: {}", std::io::Error::last_os_error());
}

fn fill_disk_at(op: &'static str) -> (std::process::Output, Moto, tempfile::TempDir, tempfile::TempDir) {
    let moto = Moto::start();
    let pid = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let p = pid.clone();
    let proxy = Proxy::start(
        &moto.url,
        |_, _| Fault::Pass,
        move |o| {
            if o == op {
                limit_file_size(p.load(std::sync::atomic::Ordering::SeqCst), 0);
            }
        },
    );
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), QUICK, "v", &drill_yaml("      - retrieve: [v]\n"));
    let jdir = tempfile::tempdir().unwrap();
    moto.start_recording();
    let mut cmd = live(proxy.url(), &moto, dir.path(), jdir.path());
    // SAFETY: in the child before exec: ignore SIGXFSZ so a write past the limit fails with
    // EFBIG instead of killing the process (the disposition survives exec).
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let child = cmd.spawn().unwrap();
    pid.store(child.id(), std::sync::atomic::Ordering::SeqCst);
    (child.wait_with_output().unwrap(), moto, dir, jdir)
}

#[test]
fn a_disk_that_fills_during_a_live_run_stops_it_resolves_the_case_and_exits_3() {
    // The disk fills when CreateCase has answered: nothing more can be written.
    let (out, moto, _dir, jdir) = fill_disk_at("CreateCase");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stderr.contains("could not be written") && stderr.contains("File too large"), "{stderr}");
    assert!(stdout.starts_with("drill pt (live): error — the journal could not be written"), "{stdout}");
    assert!(stdout.contains("cleaned up: resolved case case-"), "{stdout}");
    let ops: Vec<String> = moto.support_calls().into_iter().map(|(op, _)| op).collect();
    assert_eq!(ops.last().map(String::as_str), Some("ResolveCase"), "{ops:?}");
    // What reached the disk is the journal as it was before CreateCase: no end, the request.
    let j = only_journal(jdir.path());
    assert_eq!((j.finished_at, j.cases[0].state), (None, CaseState::Requested));
}

#[test]
fn a_journal_that_cannot_be_created_means_the_run_does_not_start() {
    // The journal directory cannot hold files: the journal cannot be created.
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    model(dir.path(), QUICK, "v", &drill_yaml("      - retrieve: [v]\n"));
    let not_a_dir = dir.path().join("journals");
    std::fs::write(&not_a_dir, "").unwrap();
    let out = live(&moto.url, &moto, dir.path(), &not_a_dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("not started: the journal could not be created before the first side effect"), "{stdout}");
    assert!(moto.case_ids().is_empty(), "a case was opened without a journal");
}
