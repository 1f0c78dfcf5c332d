//! One function per command: take parsed arguments, do the work, return the exit code.

/// `print!` for command output: a closed pipe (`runready rules | head`) ends the output
/// quietly, as Unix tools do; any other failure to write is said once on stderr and makes
/// the exit code 2.
macro_rules! out {
    ($($arg:tt)*) => { $crate::commands::emit(format_args!($($arg)*)) };
}

/// `println!` for command output (see `out!`).
macro_rules! outln {
    () => { $crate::commands::emit(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::commands::emit(format_args!("{}\n", format_args!($($arg)*))) };
}

pub mod catalogue;
pub mod check;
pub mod coverage;
pub mod drill;
pub mod facts;
pub mod import;
pub mod init;
pub mod manual;
pub mod policy;
pub mod schema;
pub mod simulate;

use crate::cli::{Cli, Command};

static STDOUT_FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes command output to stdout (the `out!`/`outln!` macros).
pub fn emit(args: std::fmt::Arguments) {
    use std::io::Write;
    match std::io::stdout().lock().write_fmt(args) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            if !STDOUT_FAILED.swap(true, std::sync::atomic::Ordering::SeqCst) {
                eprintln!("error: cannot write to standard output: {e}");
            }
        }
    }
}

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let code = dispatch(cli);
    if STDOUT_FAILED.load(std::sync::atomic::Ordering::SeqCst) { crate::exit::worst(code, crate::exit::INVALID_INPUT) } else { code }
}

fn dispatch(cli: Cli) -> i32 {
    match cli.command {
        Command::Check(args) => check::run(&args, cli.quiet, cli.verbose),
        Command::Coverage(args) => coverage::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Policy { command } => policy::run(command),
        Command::Rules => catalogue::list(),
        Command::Explain { rule } => catalogue::explain(&rule),
        Command::Drill(args) => drill::run(&args, cli.quiet),
        Command::Facts { command: crate::cli::FactsCommand::Collect(args) } => facts::collect(&args),
        Command::Import { command: crate::cli::ImportCommand::Pagerduty(args) } => import::pagerduty(&args, cli.quiet),
        Command::Schema { out } => schema::run(&out),
        Command::Init { dir, force, schema_url } => init::run(&dir, force, schema_url.as_deref()),
        Command::Completions { shell } => manual::completions(shell),
        Command::Man { out } => manual::man(&out),
    }
}

/// Whether stdout gets colour: a terminal, and NO_COLOR unset (https://no-color.org).
pub fn color_stdout() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// Loads a model for commands that need a usable one; on load errors prints them and
/// returns exit code 2.
/// The bounds on simulated work (`time::bounds`) the model exceeds over `horizon`, as
/// located load errors (exit 2).
pub fn bound_errors(loaded: &crate::load::Loaded, horizon: crate::time::Horizon) -> Vec<crate::diag::Diagnostic> {
    crate::time::bounds::check(&loaded.model, horizon).into_iter().map(|e| crate::diag::Diagnostic::new(crate::diag::Code::InvalidValue, e.message, Some(loaded.sources.locate(&e.origin)))).collect()
}

/// Prints load errors as `load_usable` does; returns exit 2 when there are any.
pub fn refuse(loaded: &crate::load::Loaded, diagnostics: &[crate::diag::Diagnostic]) -> Result<(), i32> {
    if diagnostics.is_empty() {
        return Ok(());
    }
    eprint!("{}", crate::report::human::diagnostics(diagnostics, &loaded.sources, color_stdout()));
    eprintln!("invalid input: {} load error(s)", diagnostics.len());
    Err(crate::exit::INVALID_INPUT)
}

pub fn load_usable(paths: &[std::path::PathBuf]) -> Result<crate::load::Loaded, i32> {
    let loaded = crate::load::load(paths);
    if loaded.is_usable() {
        return Ok(loaded);
    }
    eprint!("{}", crate::report::human::diagnostics(&loaded.diagnostics, &loaded.sources, color_stdout()));
    eprintln!("invalid input: {} load error(s)", loaded.diagnostics.len());
    Err(crate::exit::INVALID_INPUT)
}
