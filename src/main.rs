//! The `notes` command line: parse, run, exit with 0 (ok), 1 (problems) or 2 (cannot run).

use std::process::ExitCode;

use clap::Parser;

/// A build allocates and frees millions of short strings on every core at once; glibc's
/// allocator spent about a fifth of a large build's CPU on that, jemalloc much less, for
/// about the same peak memory (mimalloc was as fast but held 20 % more). Figures in
/// bench/results.md.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = notes::cli::Cli::parse();
    notes::cmd::run(cli)
}
