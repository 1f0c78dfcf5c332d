//! One function per command: take parsed arguments, do the work, return the exit code.

pub mod catalogue;
pub mod check;
pub mod init;
pub mod schema;

use crate::cli::{Cli, Command};

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Check(args) => check::run(&args, cli.quiet, cli.verbose),
        Command::Rules => catalogue::list(),
        Command::Explain { rule } => catalogue::explain(&rule),
        Command::Schema { out } => schema::run(&out),
        Command::Init { dir, force } => init::run(&dir, force),
    }
}

/// Whether stdout gets colour: a terminal, and NO_COLOR unset (https://no-color.org).
pub fn color_stdout() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}
