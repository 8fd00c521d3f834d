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

/// jemalloc's start-up options, read before `main`. A large build touches tens of MB;
/// on 4 KiB pages the first touches cost a tenth of its CPU in page faults, and
/// transparent huge pages (where the system allows them) cut that by most of it.
/// jemalloc's own metadata stays on small pages (its default): a huge page for it cost
/// 1-2 ms at every start, a tenth or more of a one-page build, and saved nothing on a
/// large one.
#[cfg(all(not(target_env = "msvc"), target_os = "linux"))]
#[export_name = "_rjem_malloc_conf"]
pub static MALLOC_CONF: Option<&'static u8> = Some(&b"thp:always\0"[0]);

fn main() -> ExitCode {
    let cli = notes::cli::Cli::parse();
    notes::cmd::run(cli)
}
