//! `runready completions SHELL` and `runready man --out DIR`: generated from the clap
//! definition, so they never drift from `--help`.

use crate::cli::Cli;
use crate::exit;
use clap::CommandFactory;
use std::path::Path;

pub fn completions(shell: clap_complete::Shell) -> i32 {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "runready", &mut buf);
    out!("{}", String::from_utf8_lossy(&buf));
    exit::READY
}

/// Every page as (file name, roff): `runready.1`, `runready-check.1`, `runready-policy-test.1`…
pub fn pages() -> Vec<(String, String)> {
    fn collect(cmd: clap::Command, out: &mut Vec<(String, String)>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
            collect(sub, out);
        }
        let man = clap_mangen::Man::new(cmd);
        let mut buf = Vec::new();
        man.render(&mut buf).expect("rendering to memory cannot fail");
        out.push((man.get_filename(), String::from_utf8_lossy(&buf).into_owned()));
    }
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    collect(cmd, &mut out);
    out.sort();
    out
}

pub fn man(dir: &Path) -> i32 {
    let pages = pages();
    for (name, text) in &pages {
        if let Err(e) = crate::atomic::write_atomic(&dir.join(name), text) {
            eprintln!("error: cannot write {}: {e}", dir.join(name).display());
            return exit::INVALID_INPUT;
        }
    }
    outln!("wrote {} man pages into {}", pages.len(), dir.display());
    exit::READY
}
