//! The `notes` command line: parse, run, exit with 0 (ok), 1 (problems) or 2 (cannot run).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = notes::cli::Cli::parse();
    notes::cmd::run(cli)
}
