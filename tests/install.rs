//! `cargo install` gives a runready that needs nothing from the source tree, and the package
//! holds every file the build embeds and nothing outside the crate. (The real `cargo
//! install` and `cargo package` with its verifying build are in scripts/slow-checks.sh: a
//! second full build does not belong in every CI run.)

use std::process::Command;

#[test]
fn the_binary_alone_runs_init_check_and_explain_in_an_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("runready");
    std::fs::copy(env!("CARGO_BIN_EXE_runready"), &exe).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(&exe).args(args).current_dir(dir.path()).env("HOME", dir.path()).env("NO_COLOR", "1").output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
    };
    let (code, text) = run(&["init", "model"]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = run(&["check", "model", "--at", "2026-11-23T10:00:00Z"]);
    assert_eq!(code, Some(0), "the starter model is ready: {text}");
    assert!(text.contains("ready:"), "{text}");
    let (code, text) = run(&["explain", "COV-001"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("COV-001"), "{text}");
    // The Rego scaffold is embedded too, and passes its tests there.
    let (code, text) = run(&["policy", "new", "acme", "--lang", "rego"]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = run(&["policy", "test", "acme"]);
    assert_eq!(code, Some(0), "{text}");
}

#[test]
fn the_package_lists_what_the_build_embeds_and_nothing_outside_the_crate() {
    let out = Command::new(env!("CARGO")).args(["package", "--list", "--locked", "--allow-dirty"]).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let list: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
    // Every file an include_str! of src/ names.
    let mut wanted = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for part in text.split("include_str!(\"").skip(1) {
                    let rel = part.split('"').next().unwrap();
                    let target = p.parent().unwrap().join(rel);
                    // The scaffold's generated sources contain include_str! as text.
                    if let Ok(target) = target.canonicalize() {
                        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).canonicalize().unwrap();
                        wanted.push(target.strip_prefix(&root).unwrap().to_string_lossy().into_owned());
                    }
                }
            }
        }
    }
    assert!(wanted.len() >= 7, "{wanted:?}");
    for w in &wanted {
        assert!(list.contains(w), "{w} is embedded but not packaged: {list:?}");
    }
    for l in &list {
        assert!(!l.starts_with("..") && !l.starts_with('/'), "{l} is outside the crate");
        for not in ["target/", "tests/", "policies/assemblyscript", "policies/dist", "examples/", "fuzz/"] {
            assert!(!l.starts_with(not), "{l} is not needed to build runready");
        }
    }
    assert!(list.contains(&"Cargo.lock".to_string()) && list.iter().any(|l| l == "src/main.rs"), "{list:?}");
}

#[test]
fn the_scaffold_gets_the_sdk_as_the_example_policies_build_it() {
    let real = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/sdk/Cargo.toml")).unwrap();
    // The real manifest is the scaffold's plus the `[lib]` section pointing at src/policy/sdk.
    let without_lib: String = {
        let start = real.find("# The sources live in runready's own tree").unwrap();
        let end = real.find("[dependencies]").unwrap();
        format!("{}{}", &real[..start], &real[end..])
    };
    assert_eq!(without_lib, runready::policy::scaffold::SDK_CARGO);
}
