//! `notes build`: build the site, print its problems, choose the exit code.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{BuildArgs, SiteArgs};
use crate::render::{self, BuildOptions, BuildReport, Progress};

use super::report;

/// A progress bar on stderr.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn set_total(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self) {
        self.0.inc(1);
    }
}

/// The build options for a site argument set.
pub fn options(args: &SiteArgs, final_pass: bool) -> anyhow::Result<BuildOptions> {
    let site = args.site.clone();
    if !site.is_dir() {
        anyhow::bail!(
            "site folder `{}` does not exist or is not a folder\n  hint: pass the folder that holds config.md, e.g. `notes build site`",
            site.display()
        );
    }
    let out = args.out.clone().unwrap_or_else(|| site.join("__site"));
    Ok(BuildOptions {
        site,
        out,
        prepath: args.prepath.clone(),
        eval_cache: args.eval_cache.clone(),
        final_pass,
        fail_fast: args.fail_fast,
        subfolder: None,
        check_data: true,
        one_shot: false,
    })
}

/// Whether to show progress and the summary: on a terminal, not quiet, not in CI.
pub fn interactive(args: &SiteArgs) -> bool {
    !args.quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

/// Runs a build with the thread count and progress the arguments ask for.
pub fn run_build(args: &SiteArgs, opts: &BuildOptions) -> anyhow::Result<BuildReport> {
    run_build_cached(args, opts, None)
}

/// [`run_build`], reusing the conversions of earlier builds of a watch or serve session.
pub fn run_build_cached(
    args: &SiteArgs,
    opts: &BuildOptions,
    cache: Option<&render::BuildSession>,
) -> anyhow::Result<BuildReport> {
    let bar = if interactive(args) {
        let pb = ProgressBar::new(0);
        pb.set_style(
            ProgressStyle::with_template("{spinner} building [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        Some(pb)
    } else {
        None
    };
    let progress: &dyn Progress = match &bar {
        Some(pb) => &Bar(pb.clone()) as &dyn Progress,
        None => &render::NoProgress,
    };
    // A boxed progress keeps the borrow simple across the thread pool.
    let result = match args.jobs {
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build()
                .context("could not start the worker threads")?;
            pool.install(|| render::build_cached(opts, progress, cache))
        }
        None => render::build_cached(opts, progress, cache),
    };
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    Ok(result?)
}

/// `notes build`.
pub fn run(args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let site = &args.site;
    let mut opts = options(site, true)?;
    // `build` prints its own diagnostics only; links and anchors are `check`'s business.
    opts.check_data = false;
    if args.watch {
        return watch(args, &opts);
    }
    opts.one_shot = true;
    let report = run_build(site, &opts)?;
    let format = report::default_format(site.format);
    // On a terminal: everything and a summary; piped, in CI logs or with --quiet: errors only.
    let errors_only = format == crate::diag::render::Format::Human && !interactive(site);
    report::print(
        &report.diagnostics,
        &report.sources,
        format,
        errors_only,
        &path_prefix(&opts.site),
    );
    if interactive(site) && format == crate::diag::render::Format::Human {
        eprintln!("{}", summary(&report, &opts.out));
    }
    let code = exit_code(&report, site.deny_warnings);
    // The report holds every page's links and anchors: freeing them one by one takes tens
    // of milliseconds on a large site, and the process ends right after anyway.
    std::mem::forget(report);
    Ok(code)
}

/// The site folder relative to the repository root, for annotations (`site/`).
pub fn path_prefix(site: &std::path::Path) -> String {
    let p = site.to_string_lossy().trim_start_matches("./").to_string();
    if p == "." || p.is_empty() {
        String::new()
    } else {
        format!("{}/", p.trim_end_matches('/'))
    }
}

/// Why a build may not be published: its errors, or its warnings under --deny-warnings.
pub fn blocking_problems(report: &BuildReport, deny_warnings: bool) -> Option<String> {
    match report.diagnostics.iter().filter(|d| d.is_error()).count() {
        0 if deny_warnings && !report.diagnostics.is_empty() => {
            Some("warnings and --deny-warnings is set".to_string())
        }
        0 => None,
        1 => Some("1 error".to_string()),
        n => Some(format!("{n} errors")),
    }
}

/// Exit 1 on errors (or warnings when they are denied), else 0.
pub fn exit_code(report: &BuildReport, deny_warnings: bool) -> ExitCode {
    let failed = report.has_errors() || (deny_warnings && !report.diagnostics.is_empty());
    if failed {
        ExitCode::from(super::EXIT_PROBLEMS)
    } else {
        ExitCode::SUCCESS
    }
}

/// One line: what was built, where, the problems and the time.
pub fn summary(report: &BuildReport, out: &std::path::Path) -> String {
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = report.diagnostics.len() - errors;
    let out: PathBuf = out.to_path_buf();
    format!(
        "{} {} page{}, {} file{} ({} written, {} unchanged, {} removed) into {} in {:.2}s; {} error{}, {} warning{}",
        if errors > 0 { "built with errors:" } else { "built" },
        report.pages,
        if report.pages == 1 { "" } else { "s" },
        report.files,
        if report.files == 1 { "" } else { "s" },
        report.written,
        report.unchanged,
        report.removed,
        out.display(),
        report.elapsed.as_secs_f64(),
        errors,
        if errors == 1 { "" } else { "s" },
        warnings,
        if warnings == 1 { "" } else { "s" },
    )
}

/// Whether a change can alter every page's layout (site configuration, layouts, theme
/// templates), so nothing of the previous build can be reused.
pub fn changes_everything(changed: &[String]) -> bool {
    changed.iter().any(|p| {
        p == "config.md"
            || p == "utils.jl"
            || p.starts_with("_layout")
            || p.starts_with("templates")
            || p.starts_with("_rss")
    })
}

/// `notes build --watch`: build, then rebuild on every change, one line per rebuild.
fn watch(args: &BuildArgs, opts: &BuildOptions) -> anyhow::Result<ExitCode> {
    let site = &args.site;
    let format = report::default_format(site.format);
    let prefix = path_prefix(&opts.site);
    let watcher =
        crate::serve::watch::SiteWatcher::start(&opts.site, &[opts.out.as_path()], args.poll)?;
    let cache = render::BuildSession::default();
    let first = run_build_cached(site, opts, Some(&cache))?;
    report::print(&first.diagnostics, &first.sources, format, false, &prefix);
    eprintln!("{}", summary(&first, &opts.out));
    eprintln!(
        "watching {} for changes (Ctrl-C to stop)",
        opts.site.display()
    );
    while let Some(changed) = watcher.next_change() {
        if changes_everything(&changed) {
            cache.clear();
        }
        let shown: Vec<&str> = changed.iter().take(3).map(String::as_str).collect();
        let more = changed.len().saturating_sub(shown.len());
        let what = if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        };
        let quick = cache.rebuild_changed(opts, &changed);
        match quick.map_or_else(
            || run_build_cached(site, opts, Some(&cache)),
            |r| r.map_err(anyhow::Error::from),
        ) {
            Ok(report) => {
                report::print(&report.diagnostics, &report.sources, format, false, &prefix);
                let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
                eprintln!(
                    "changed {what}: rebuilt {} of {} pages ({} files written) in {} ms{}",
                    report.laid_out,
                    report.pages,
                    report.written,
                    report.elapsed.as_millis(),
                    match errors {
                        0 => String::new(),
                        1 => "; 1 error".to_string(),
                        n => format!("; {n} errors"),
                    }
                );
            }
            Err(e) => eprintln!("changed {what}: the build could not run: {e:#}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
