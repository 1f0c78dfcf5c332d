use clap::Parser;

fn main() {
    let cli = runready::cli::Cli::parse();
    std::process::exit(runready::commands::run(cli));
}
