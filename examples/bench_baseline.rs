//! Benchmark baseline: plain pulldown-cmark rendering of a site's markdown, in parallel.
//!
//! `bench_baseline SRC OUT` renders every `.md` file under SRC with
//! `pulldown_cmark::html::push_html` (tables on; no templates, no macros, no dialect)
//! and writes `OUT/<path without .md>/index.html`. It is the floor `notes build` is
//! measured against by `bench/build.sh`, so it does the same file work as a build:
//! walk, read, render, create the page folder, write. The root `config.md` is skipped
//! because it is not a page.
//!
//! It also accepts `bench_baseline build SRC --out OUT [--quiet]`, the command line of
//! `notes build`, so the benchmark script can be tried end to end with
//! `NOTES_BIN=.../bench_baseline` before `notes build` exists.
//!
//! Prints nothing but errors; exits 1 if any page failed, 2 on a usage error.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pulldown_cmark::{html, Options, Parser};
use rayon::prelude::*;
use walkdir::WalkDir;

/// A failure on one file, with the path it happened on.
#[derive(Debug)]
struct PageError {
    path: PathBuf,
    what: &'static str,
    source: io::Error,
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.path.display(), self.what, self.source)
    }
}

/// Where a page's HTML goes: `a/b.md` → `a/b/index.html`, `a/index.md` → `a/index.html`.
fn output_path(out: &Path, rel: &Path) -> PathBuf {
    let stem = rel.with_extension("");
    if stem.file_name().is_some_and(|n| n == "index") {
        out.join(rel.with_file_name("index.html"))
    } else {
        out.join(stem).join("index.html")
    }
}

/// Reads, renders and writes one page.
fn render_one(src: &Path, out: &Path, rel: &Path) -> Result<(), PageError> {
    let path = src.join(rel);
    let err = |what, source| PageError {
        path: path.clone(),
        what,
        source,
    };
    let text = fs::read_to_string(&path).map_err(|e| err("read", e))?;
    let mut body = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut body, Parser::new_ext(&text, Options::ENABLE_TABLES));
    let dest = output_path(out, rel);
    if let Some(dir) = dest.parent() {
        fs::create_dir_all(dir).map_err(|e| err("create folder", e))?;
    }
    fs::write(&dest, body).map_err(|e| err("write", e))
}

/// The markdown pages under `src`, relative to it, skipping the root `config.md`.
fn find_pages(src: &Path) -> Result<Vec<PathBuf>, walkdir::Error> {
    let mut pages = Vec::new();
    for entry in WalkDir::new(src) {
        let entry = entry?;
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        if let Ok(rel) = entry.path().strip_prefix(src) {
            if rel != Path::new("config.md") {
                pages.push(rel.to_path_buf());
            }
        }
    }
    Ok(pages)
}

/// SRC and OUT from either `SRC OUT` or `build SRC --out OUT [--quiet]`.
fn parse_args(args: &[String]) -> Option<(PathBuf, PathBuf)> {
    match args {
        [src, out] if src != "build" => Some((src.into(), out.into())),
        [cmd, rest @ ..] if cmd == "build" => {
            let mut src = None;
            let mut out = None;
            let mut it = rest.iter();
            while let Some(arg) = it.next() {
                match arg.as_str() {
                    "--quiet" => {}
                    "--out" => out = Some(PathBuf::from(it.next()?)),
                    a if a.starts_with('-') => return None,
                    a if src.is_none() => src = Some(PathBuf::from(a)),
                    _ => return None,
                }
            }
            Some((src?, out?))
        }
        _ => None,
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((src, out)) = parse_args(&args) else {
        eprintln!("usage: bench_baseline SRC OUT | bench_baseline build SRC --out OUT [--quiet]");
        return ExitCode::from(2);
    };
    let pages = match find_pages(&src) {
        Ok(pages) => pages,
        Err(e) => {
            eprintln!("bench_baseline: {e}");
            return ExitCode::from(1);
        }
    };
    let errors: Vec<PageError> = pages
        .par_iter()
        .filter_map(|rel| render_one(&src, &out, rel).err())
        .collect();
    for e in &errors {
        eprintln!("bench_baseline: {e}");
    }
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn output_path_is_pretty_except_for_index() {
        let out = Path::new("o");
        assert_eq!(
            output_path(out, Path::new("a/b.md")),
            Path::new("o/a/b/index.html")
        );
        assert_eq!(
            output_path(out, Path::new("a/index.md")),
            Path::new("o/a/index.html")
        );
    }

    #[test]
    fn both_command_lines_are_accepted() {
        let want = Some((PathBuf::from("s"), PathBuf::from("o")));
        assert_eq!(parse_args(&strings(&["s", "o"])), want);
        assert_eq!(
            parse_args(&strings(&["build", "s", "--out", "o", "--quiet"])),
            want
        );
        assert_eq!(parse_args(&strings(&["build", "s"])), None);
        assert_eq!(
            parse_args(&strings(&["build", "s", "--fast", "--out", "o"])),
            None
        );
        assert_eq!(parse_args(&strings(&["s"])), None);
    }
}
