//! `notes check`: build, check what the build produced, report every problem.

use std::io::Write as _;
use std::process::ExitCode;

use crate::cli::{CheckArgs, SiteArgs};
use crate::diag::render::{self, Format, RepoLink};
use crate::diag::sort_and_dedup;

use super::{build, report};

/// Removes the temporary output folder when the check ends, however it ends.
struct TempOut(Option<std::path::PathBuf>);

impl Drop for TempOut {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// `notes check`.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let site = &args.site;
    let mut opts = build::options(site, true)?;
    let _temp = if site.out.is_none() {
        let dir = std::env::temp_dir().join(format!("notes-check-{}", std::process::id()));
        opts.out = dir.clone();
        TempOut(Some(dir))
    } else {
        TempOut(None)
    };
    let prefix = build::path_prefix(&opts.site);
    let report = build_and_check(site, &opts, &prefix, |report| {
        if !args.external {
            return Vec::new();
        }
        let external = crate::check::external::ExternalOptions {
            concurrency: args.concurrency,
            timeout: std::time::Duration::from_secs(args.timeout.max(1)),
            exclude: args.exclude.clone(),
            cache: args
                .cache
                .clone()
                .or_else(crate::check::external::default_cache_path),
            cache_ttl: std::time::Duration::from_secs(args.cache_ttl * 3600),
            ..Default::default()
        };
        crate::check::external::check_external(&report.links, &external)
    })?;
    Ok(build::exit_code(&report, site.deny_warnings))
}

/// Builds into `opts.out`, checks the output (plus whatever `extra` finds), prints every
/// problem in the chosen format, and in GitHub Actions writes the step summary.
pub fn build_and_check(
    site: &SiteArgs,
    opts: &crate::render::BuildOptions,
    prefix: &str,
    extra: impl FnOnce(&crate::render::BuildReport) -> Vec<crate::diag::Diagnostic>,
) -> anyhow::Result<crate::render::BuildReport> {
    let mut report = build::run_build(site, opts)?;
    let found = crate::check::check_build(&report, &opts.out);
    report.diagnostics.extend(found);
    let more = extra(&report);
    report.diagnostics.extend(more);
    sort_and_dedup(&mut report.diagnostics);

    let format = report::default_format(site.format);
    report::print(&report.diagnostics, &report.sources, format, false, prefix);
    if format == Format::Github {
        write_step_summary(&report.diagnostics, prefix);
    }
    if format == Format::Human && !site.quiet {
        let pages = report.pages;
        eprintln!(
            "checked {pages} page{}: {}",
            if pages == 1 { "" } else { "s" },
            render::counts(&report.diagnostics)
        );
    }
    Ok(report)
}

/// Appends the markdown summary GitHub shows on the run's page, listing every problem
/// (annotations stop at ten of a kind).
fn write_step_summary(diags: &[crate::diag::Diagnostic], prefix: &str) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") else {
        return;
    };
    let link = match (
        std::env::var("GITHUB_SERVER_URL"),
        std::env::var("GITHUB_REPOSITORY"),
        std::env::var("GITHUB_SHA"),
    ) {
        (Ok(server_url), Ok(repository), Ok(sha)) => Some(RepoLink {
            server_url,
            repository,
            sha,
        }),
        _ => None,
    };
    let summary = render::github_summary(diags, prefix, link.as_ref());
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(summary.as_bytes()));
    if let Err(e) = written {
        eprintln!("warning: could not write the step summary: {e}");
    }
}
