//! One file per command: glue between the command line and the library.
//!
//! Commands parse nothing themselves and do no work of their own: they call the library,
//! print what it reports, and choose the exit code.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub mod build;
pub mod check;
pub mod checkout;
pub mod ci;
pub mod deploy;
pub mod init;
pub mod report;
pub mod serve;

/// Exit code of a run that found problems in the site.
pub const EXIT_PROBLEMS: u8 = 1;
/// Exit code of a run that could not do its work.
pub const EXIT_CANNOT_RUN: u8 = 2;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Build(args) => build::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Deploy(args) => deploy::run(&args),
        Command::Checkout(args) => checkout::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Ci(args) => ci::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            if color {
                eprintln!("\x1b[1;31merror\x1b[0m: {e:#}");
            } else {
                eprintln!("error: {e:#}");
            }
            ExitCode::from(EXIT_CANNOT_RUN)
        }
    }
}
