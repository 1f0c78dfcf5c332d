use clap::Parser;

fn main() {
    // runready runs itself as the sandbox of a Rego policy (policy/rego/worker.rs).
    if std::env::args_os().nth(1).is_some_and(|a| a == runready::policy::rego::worker::ARG) {
        std::process::exit(runready::policy::rego::worker::main());
    }
    let cli = runready::cli::Cli::parse();
    std::process::exit(runready::commands::run(cli));
}
