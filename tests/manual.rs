//! `runready completions SHELL` and `runready man --out DIR`, checked by the tools that read
//! them: bash parses the completion script, groff renders every man page (with preconv, as
//! `man` runs it, for the UTF-8 of the help texts).

use assert_cmd::Command;

#[test]
fn completion_scripts_are_generated_and_bash_loads_its_own() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = Command::cargo_bin("runready").unwrap().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("runready"), "{shell}: {text}");
        assert!(text.contains("check") && text.contains("codequality"), "{shell} completes subcommands and flags");
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("runready.bash");
    let out = Command::cargo_bin("runready").unwrap().args(["completions", "bash"]).output().unwrap();
    std::fs::write(&script, &out.stdout).unwrap();
    let syntax = std::process::Command::new("bash").arg("-n").arg(&script).output().unwrap();
    assert!(syntax.status.success(), "{}", String::from_utf8_lossy(&syntax.stderr));
    // Sourced, it registers the completion function for `runready`.
    let loaded = std::process::Command::new("bash").arg("-c").arg(format!("source {} && complete -p runready", script.display())).output().unwrap();
    assert!(String::from_utf8_lossy(&loaded.stdout).contains("runready"), "{}", String::from_utf8_lossy(&loaded.stderr));
}

#[test]
fn man_pages_render_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("runready").unwrap().args(["man", "--out"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut names: Vec<String> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    for want in ["runready.1", "runready-check.1", "runready-policy.1", "runready-policy-test.1", "runready-import-pagerduty.1", "runready-man.1"] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    assert!(!names.iter().any(|n| n.contains("help")), "no page for the help subcommand: {names:?}");
    for name in &names {
        let page = dir.path().join(name);
        let out = std::process::Command::new("groff").args(["-k", "-man", "-Tutf8", "-ww", "-z"]).arg(&page).output().unwrap();
        assert!(out.status.success() && out.stderr.is_empty(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let text = std::process::Command::new("groff").args(["-k", "-man", "-Tutf8"]).arg(dir.path().join("runready-check.1")).output().unwrap();
    // Undo the terminal's overstriking (`X\x08X` bold, `_\x08X` underline).
    let mut plain = String::new();
    for c in String::from_utf8_lossy(&text.stdout).chars() {
        if c == '\u{8}' {
            plain.pop();
        } else {
            plain.push(c);
        }
    }
    assert!(plain.contains("--codequality") || plain.contains("‐‐codequality") || plain.contains("−−codequality"), "{plain}");
}
