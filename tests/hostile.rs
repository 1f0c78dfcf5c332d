//! Hostile and huge inputs (issue 12): files that are not regular files, files larger than
//! their cap, directory loops, bytes that are not UTF-8. Each gives a located, readable
//! result at once: no hang, no blow-up, no panic.

use assert_cmd::Command;
use std::path::Path;

const AT: &str = "2027-03-01T00:00:00Z";

/// RB-001's failing example with the runbook at `path`, written into `dir`.
fn model_with_runbook(dir: &Path, path: &str) {
    let text = std::fs::read_to_string("src/rules/examples/RB-001.fails.yaml").unwrap().replace("runbooks/missing.md", path);
    std::fs::write(dir.join("model.yaml"), text).unwrap();
}

fn rb001(dir: &Path) -> serde_json::Value {
    rb001_with(dir, &[])
}

fn rb001_with(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let out = Command::cargo_bin("runready").unwrap().arg("check").arg(dir).args(["--at", AT, "--format", "json"]).args(extra).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    report["results"].as_array().unwrap().iter().find(|r| r["rule"] == "RB-001").cloned().unwrap()
}

#[test]
fn a_runbook_that_is_a_fifo_fails_rb001_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.md");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    model_with_runbook(dir.path(), "fifo.md");
    let r = rb001(dir.path());
    assert_eq!(r["status"], "fail");
    assert!(r["message"].as_str().unwrap().contains("fifo.md is not a regular file (it is a FIFO)"), "{r:#}");
    assert_eq!(r["location"]["line"], 29, "{r:#}");
}

#[test]
fn a_runbook_linked_to_dev_zero_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.md")).unwrap();
    model_with_runbook(dir.path(), "zero.md");
    // The link leads out of the model's directory: refused before anything is opened.
    let r = rb001(dir.path());
    assert_eq!(r["status"], "fail");
    assert!(r["message"].as_str().unwrap().contains("zero.md is outside the repository root"), "{r:#}");
    // Allowed out, it is still not a regular file.
    let r = rb001_with(dir.path(), &["--allow-outside-root"]);
    assert_eq!(r["status"], "fail");
    assert!(r["message"].as_str().unwrap().contains("is not a regular file (it is a character device)"), "{r:#}");
}

#[test]
fn a_runbook_over_the_cap_is_a_located_failure() {
    let dir = tempfile::tempdir().unwrap();
    // Sparse: 300 MB on paper, nothing on disk, and never read.
    std::fs::File::create(dir.path().join("huge.md")).unwrap().set_len(300 * 1024 * 1024).unwrap();
    model_with_runbook(dir.path(), "huge.md");
    let r = rb001(dir.path());
    assert_eq!(r["status"], "fail");
    assert!(r["message"].as_str().unwrap().contains("huge.md is larger than the limit of 8 MiB"), "{r:#}");
}

#[test]
fn a_directory_loop_is_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::copy("src/rules/examples/RB-001.passes.yaml", dir.path().join("sub/model.yaml")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("sub/parent")).unwrap();
    let l = runready::load::load(&[dir.path().to_path_buf()]);
    assert_eq!(l.sources.files.len(), 1, "{:?}", l.sources.displays());
    assert!(l.diagnostics.iter().all(|d| !d.message.contains("duplicate")), "{:#?}", l.diagnostics);
}

#[test]
fn a_model_file_that_is_not_utf8_is_located() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.yaml"), b"apiVersion: runready.dev/v1\nkind: SupportModel\nmetadata: { name: caf\xe9 }\n").unwrap();
    let out = Command::cargo_bin("runready").unwrap().arg("check").arg(dir.path()).args(["--at", AT]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("model.yaml:3:22"), "{text}");
    assert!(text.contains("is not UTF-8 text"), "{text}");
    // The summary names the file.
    assert!(text.lines().last().unwrap().contains("model.yaml"), "{text}");
}

#[test]
fn a_large_plain_document_loads_and_an_alias_bomb_does_not() {
    // 300,000 values in one file: past the parser's default budget of 250,000 nodes.
    let mut big = String::from("apiVersion: runready.dev/v1\nkind: SupportModel\nmetadata: { name: big }\nservices:\n");
    for i in 0..60_000 {
        big.push_str(&format!("  - {{ id: s{i}, owner: o }}\n"));
    }
    let l = runready::load::load_str("big.yaml", &big);
    assert!(l.diagnostics.iter().all(|d| !d.message.contains("budget") && d.code.as_str() != "yaml"), "{:?}", l.diagnostics.first());
    assert_eq!(l.model.services.len(), 60_000);
    // Billion laughs: nine levels of ten aliases each.
    let mut bomb = String::from("apiVersion: runready.dev/v1\nkind: SupportModel\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    let l = runready::load::load_str("bomb.yaml", &bomb);
    let d = &l.diagnostics[0];
    assert_eq!(d.code.as_str(), "yaml", "{d:?}");
    assert!(d.message.contains("alias bomb"), "{}", d.message);
    assert!(!d.message.contains('{') && !d.message.contains("Events"), "no Debug formatting: {}", d.message);
}

#[test]
fn paths_outside_the_repository_root_are_refused_and_quoted_nowhere() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("outside.md"), "# SECRET_TOKEN=abc123\n\n## Summary\n\nx\n\n## Restore\n\ny\n").unwrap();
    let repo = outer.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let models = repo.join("models");
    std::fs::create_dir(&models).unwrap();
    std::fs::create_dir(repo.join("docs")).unwrap();
    std::fs::write(repo.join("docs/inside.md"), "# R\n\n## Summary\n\nx\n\n## Restore\n\ny\n").unwrap();
    // Inside the git work tree (above the model directory) is fine.
    model_with_runbook(&models, "../docs/inside.md");
    assert_eq!(rb001(&models)["status"], "pass");
    // `..` out of the work tree, and an absolute path, are refused; nothing of the file is
    // in any report.
    for path in ["../../outside.md".to_string(), outer.path().join("outside.md").display().to_string()] {
        model_with_runbook(&models, &path);
        let out = Command::cargo_bin("runready").unwrap().arg("check").arg(&models).args(["--at", AT, "--format", "json"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("SECRET_TOKEN"), "{text}");
        let r = rb001(&models);
        assert_eq!(r["status"], "fail", "{r:#}");
        assert!(r["message"].as_str().unwrap().contains("is outside the repository root"), "{r:#}");
        assert_eq!(r["location"]["line"], 29, "{r:#}");
    }
    // A policy the model names outside the root is a load error (exit 2), never run.
    std::fs::write(outer.path().join("evil.wasm"), b"\0asm\x01\0\0\0").unwrap();
    model_with_runbook(&models, "../docs/inside.md");
    std::fs::write(models.join("policies.yaml"), "apiVersion: runready.dev/v1\nkind: SupportModel\npolicies:\n  - { path: ../../evil.wasm }\n").unwrap();
    let out = Command::cargo_bin("runready").unwrap().arg("check").arg(&models).args(["--at", AT]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("policy ../../evil.wasm is outside the repository root"), "{text}");
    assert!(text.contains("policies.yaml:4:"), "{text}");
    // Without a git work tree, the root is the directory given.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("up.md"), "# x\n").unwrap();
    let sub = plain.path().join("m");
    std::fs::create_dir(&sub).unwrap();
    model_with_runbook(&sub, "../up.md");
    assert!(rb001(&sub)["message"].as_str().unwrap().contains("outside the repository root"));
}

#[test]
fn work_over_the_bound_is_refused_at_once_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("src/rules/examples/RB-001.passes.yaml").unwrap();
    assert!(text.contains("handoff: P1W"));
    std::fs::write(dir.path().join("model.yaml"), text.replace("handoff: P1W", "handoff: PT1M")).unwrap();
    std::fs::create_dir_all(dir.path().join("runbooks")).unwrap();
    for args in [
        vec!["check", "--horizon", "P3660D", "--at", AT],
        vec!["coverage", "--horizon", "P3660D", "--at", AT],
        vec!["simulate", "--service", "api", "--severity", "sev1", "--at", "2030-01-01T00:00:00Z"],
    ] {
        let out = Command::cargo_bin("runready").unwrap().arg(args[0]).arg(dir.path()).args(&args[1..]).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if args[0] == "simulate" {
            // One day from --at: within the bound.
            assert_eq!(out.status.code(), Some(0), "{args:?}: {text}");
            continue;
        }
        assert_eq!(out.status.code(), Some(2), "{args:?}: {text}");
        assert!(text.contains("rotation `primary` hands off every PT1M"), "{args:?}: {text}");
        assert!(text.contains("more than the bound of 100000 turns per rotation; use a shorter --horizon or a longer handoff"), "{args:?}: {text}");
        assert!(text.contains("model.yaml:13:"), "{args:?}: {text}");
    }
}

#[test]
fn a_check_killed_while_writing_reports_leaves_the_previous_ones_whole_and_no_debris() {
    let out_dir = tempfile::tempdir().unwrap();
    let files = ["report.json", "report.sarif", "report.md"];
    let report_args = |cmd: &mut std::process::Command| {
        cmd.arg("--json").arg(out_dir.path().join(files[0])).arg("--sarif").arg(out_dir.path().join(files[1])).arg("--markdown").arg(out_dir.path().join(files[2]));
    };
    // The previous reports.
    let mut first = std::process::Command::new(env!("CARGO_BIN_EXE_runready"));
    first.args(["check", "examples/payments", "--at", "2026-11-23T10:00:00Z", "-q"]);
    report_args(&mut first);
    assert!(first.output().unwrap().status.code().is_some_and(|c| c <= 1));
    let before: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(out_dir.path().join(f)).unwrap()).collect();
    // A model large enough that writing its reports takes a while: 1,500 services.
    let big = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string("src/rules/examples/RB-001.passes.yaml").unwrap();
    let service = base.lines().find(|l| l.trim_start().starts_with("- { id: api")).unwrap().to_string();
    let many: String = (0..1500).map(|i| service.replace("id: api", &format!("id: api{i}")) + "\n").collect();
    std::fs::write(big.path().join("model.yaml"), base.replace(&format!("{service}\n"), &many)).unwrap();
    std::fs::create_dir_all(big.path().join("runbooks")).unwrap();
    std::fs::copy("runbooks/restore.md", big.path().join("runbooks/restore.md")).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_runready"));
    cmd.arg("check").arg(big.path()).args(["--at", AT, "-q"]).stdout(std::process::Stdio::null());
    report_args(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    // Kill it the moment a report is being written (its temporary file exists).
    let writing = |dir: &Path| std::fs::read_dir(dir).unwrap().flatten().any(|e| e.file_name().to_string_lossy().contains(".runready-"));
    let mut killed = false;
    while child.try_wait().unwrap().is_none() {
        if writing(out_dir.path()) {
            unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
            killed = true;
            break;
        }
    }
    let status = child.wait().unwrap();
    assert!(killed, "the run ended before it was caught writing ({status:?}); make the model larger");
    // Every report is whole: the previous one, or (renamed before the kill) a complete new one.
    for (f, old) in files.iter().zip(&before) {
        let now = std::fs::read(out_dir.path().join(f)).unwrap();
        if &now != old {
            assert!(f.ends_with(".md") || serde_json::from_slice::<serde_json::Value>(&now).is_ok(), "{f} is not whole");
        }
    }
    assert!(writing(out_dir.path()), "the killed run left its temporary file");
    // The next run removes the leftovers.
    let mut again = std::process::Command::new(env!("CARGO_BIN_EXE_runready"));
    again.args(["check", "examples/payments", "--at", "2026-11-23T10:00:00Z", "-q"]);
    report_args(&mut again);
    again.output().unwrap();
    assert!(!writing(out_dir.path()), "temporary files are left: {:?}", std::fs::read_dir(out_dir.path()).unwrap().flatten().map(|e| e.file_name()).collect::<Vec<_>>());
    for (f, old) in files.iter().zip(&before) {
        assert_eq!(&std::fs::read(out_dir.path().join(f)).unwrap(), old, "{f}");
    }
}

/// What a message for people must not contain: Debug renderings of internal types, and
/// empty lists.
fn assert_for_people(msg: &str, context: &str) {
    let debug_struct = regex_lite_struct(msg);
    for bad in ["Some(", "None", "Ok(", "Err(", "[]", "\"\"", " in ;", "in .", "()"] {
        assert!(!msg.contains(bad), "{context}: message contains {bad:?}: {msg}");
    }
    assert!(!debug_struct, "{context}: message looks like a Debug struct: {msg}");
}

/// `Word { word:` — the shape of `#[derive(Debug)]` output.
fn regex_lite_struct(msg: &str) -> bool {
    msg.split(" { ").skip(1).any(|rest| rest.split_once(':').is_some_and(|(field, _)| !field.is_empty() && field.chars().all(|c| c.is_ascii_lowercase() || c == '_')))
        && msg.split(" { ").next().is_some_and(|head| {
            head.chars().last().is_some_and(|c| c.is_ascii_alphabetic()) && head.split_whitespace().last().is_some_and(|w| w.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        })
}

#[test]
fn load_errors_are_written_for_people() {
    let mut corpus: Vec<(String, String)> = Vec::new();
    for f in ["examples/payments/model.yaml", "examples/ams/model.yaml", "tests/fixtures/invalid/model.yaml"] {
        let text = std::fs::read_to_string(f).unwrap();
        corpus.push((f.to_string(), text.clone()));
        let lines: Vec<&str> = text.lines().collect();
        for i in 0..lines.len() {
            let with = |line: String| lines[..i].iter().map(|l| l.to_string()).chain(std::iter::once(line)).chain(lines[i + 1..].iter().map(|l| l.to_string())).collect::<Vec<_>>().join("\n");
            corpus.push((format!("{f}: line {} deleted", i + 1), with(String::new())));
            if let Some((key, _)) = lines[i].split_once(": ") {
                for wrong in ["[1, {a: b}]", "-5", "P-1D", "\"\"", "*nowhere", "{ x: 1 }", "2026-13-45T25:61", "\u{0}"] {
                    corpus.push((format!("{f}: line {} set to {wrong}", i + 1), with(format!("{key}: {wrong}"))));
                }
            }
        }
    }
    let mut checked = 0;
    for (context, text) in &corpus {
        for d in runready::load::load_str("m.yaml", text).diagnostics {
            assert_for_people(&d.message, context);
            if let Some(h) = &d.help {
                assert_for_people(h, context);
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} diagnostics");
}
