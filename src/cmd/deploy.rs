//! `notes deploy`: build (unless told not to), then publish the output to the Pages branch.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{DeployArgs, PublishArgs};
use crate::deploy::source::{self, SourceInfo};
use crate::deploy::tree::{check_dest, preview_dest, Placement};
use crate::deploy::{self as publish, DeployOptions, DeployProgress, DeployReport, Identity};
use crate::deploy::{Outcome, Token};

use super::{build, report};

/// Reads an environment variable, treating empty as unset.
pub fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `notes deploy`.
pub fn run(args: &DeployArgs) -> anyhow::Result<ExitCode> {
    let site = &args.site;
    let placement = placement(
        &args.publish,
        args.dest.as_deref(),
        args.preview,
        args.remove_preview,
    )?;
    let dest = placement.dest().map(str::to_string);
    let dir = if matches!(placement, Placement::Remove { .. }) {
        None
    } else {
        let out = args
            .dir
            .clone()
            .or_else(|| site.out.clone())
            .unwrap_or_else(|| site.site.join("__site"));
        if !args.no_build {
            let mut opts = build::options(site, true)?;
            opts.out = out.clone();
            opts.subfolder = dest.clone();
            if !build_is_clean(args, &opts)? {
                return Ok(ExitCode::from(super::EXIT_PROBLEMS));
            }
        }
        Some(out)
    };
    let source = source::source_info(&site.site, &env_var);
    let remote = source::resolve_remote(args.publish.remote.as_deref(), &site.site, &env_var)?;
    let opts = options(&site.site, &args.publish, remote, placement, dir, &source)?;
    let report = deploy(&opts, site.quiet)?;
    let url = source::published_url(&opts.remote, args.publish.cname.as_deref(), dest.as_deref());
    if !site.quiet {
        eprintln!("{}", summary(&report, &opts, url.as_deref()));
    }
    step_outputs(&report, url.as_deref());
    Ok(ExitCode::SUCCESS)
}

/// Builds the site and prints its problems; false when it has errors (nothing is deployed).
fn build_is_clean(args: &DeployArgs, opts: &crate::render::BuildOptions) -> anyhow::Result<bool> {
    let site = &args.site;
    let built = build::run_build(site, opts)?;
    let format = report::default_format(site.format);
    report::print(
        &built.diagnostics,
        &built.sources,
        format,
        site.quiet,
        &build::path_prefix(&opts.site),
    );
    if let Some(problems) = build::blocking_problems(&built, site.deny_warnings) {
        eprintln!(
            "error: not deployed: the build has {problems} (nothing was pushed)\n  hint: fix them, then run `notes deploy` again"
        );
        return Ok(false);
    }
    Ok(true)
}

/// Where the site goes, from --dest, --preview and --remove-preview.
pub fn placement(
    publish: &PublishArgs,
    dest: Option<&str>,
    preview: Option<u64>,
    remove_preview: Option<u64>,
) -> anyhow::Result<Placement> {
    let nojekyll = !publish.no_nojekyll;
    Ok(if let Some(n) = remove_preview {
        Placement::Remove {
            dest: preview_dest(n),
        }
    } else if let Some(n) = preview {
        Placement::Subdir {
            dest: preview_dest(n),
            nojekyll,
        }
    } else if let Some(d) = dest {
        Placement::Subdir {
            dest: check_dest(d)?,
            nojekyll,
        }
    } else {
        Placement::Root {
            cname: publish.cname.as_ref().map(|c| c.trim().to_string()),
            nojekyll,
        }
    })
}

/// The deploy options: token, message and identities resolved.
pub fn options(
    site: &std::path::Path,
    publish: &PublishArgs,
    remote: String,
    placement: Placement,
    dir: Option<PathBuf>,
    source: &SourceInfo,
) -> anyhow::Result<DeployOptions> {
    let author = match &publish.author {
        Some(a) => Identity::parse(a).with_context(|| {
            format!("--author `{a}` is not of the form \"Name <email>\"\n  hint: e.g. --author \"Docs Bot <docs@example.org>\"")
        })?,
        None => default_identity("AUTHOR", site),
    };
    let committer = match (
        env_var("GIT_COMMITTER_NAME"),
        env_var("GIT_COMMITTER_EMAIL"),
    ) {
        (Some(name), Some(email)) => Identity { name, email },
        _ => author.clone(),
    };
    Ok(DeployOptions {
        dir,
        remote,
        branch: publish.branch.clone(),
        placement,
        history: publish.history,
        message: source::commit_message(&publish.message, source, &publish.branch),
        author,
        committer,
        token: env_var(&publish.token_env).and_then(Token::new),
        dry_run: publish.dry_run,
        attempts: 5,
        backoff: Duration::from_millis(500),
    })
}

/// GIT_AUTHOR_* (or GIT_COMMITTER_*), the Actions bot inside GitHub Actions, the user's
/// git identity, or a plain `notes` identity.
fn default_identity(kind: &str, site: &std::path::Path) -> Identity {
    if let (Some(name), Some(email)) = (
        env_var(&format!("GIT_{kind}_NAME")),
        env_var(&format!("GIT_{kind}_EMAIL")),
    ) {
        return Identity { name, email };
    }
    if env_var("GITHUB_ACTIONS").as_deref() == Some("true") {
        return Identity::actions_bot();
    }
    let config = git2::Repository::discover(site)
        .and_then(|r| r.config())
        .or_else(|_| git2::Config::open_default());
    if let Ok(config) = config {
        if let (Ok(name), Ok(email)) = (
            config.get_string("user.name"),
            config.get_string("user.email"),
        ) {
            return Identity { name, email };
        }
    }
    Identity {
        name: "notes".into(),
        email: "notes@localhost".into(),
    }
}

/// Runs the deploy with progress on a terminal and plain lines elsewhere.
pub fn deploy(opts: &DeployOptions, quiet: bool) -> anyhow::Result<DeployReport> {
    let progress = Progress::new(quiet);
    if !quiet {
        eprintln!(
            "deploying to {} of {}{}",
            opts.branch,
            source::redact_url(&opts.remote),
            if opts.dry_run { " (dry run)" } else { "" }
        );
    }
    let result = publish::deploy(opts, &progress);
    progress.finish();
    Ok(result?)
}

/// The closing summary.
pub fn summary(report: &DeployReport, opts: &DeployOptions, url: Option<&str>) -> String {
    let commit = report
        .commit
        .as_deref()
        .map(|c| &c[..7.min(c.len())])
        .unwrap_or("none");
    let target = format!("{} of {}", opts.branch, source::redact_url(&opts.remote));
    if let (Placement::Remove { dest }, Outcome::Pushed) = (&opts.placement, report.outcome) {
        return format!(
            "removed {dest}/ from {target}: {} files deleted, commit {commit}",
            report.changed
        );
    }
    let mut s = match report.outcome {
        Outcome::Unchanged => format!(
            "unchanged: {target} already holds this site ({} files, commit {commit}); nothing pushed",
            report.files
        ),
        Outcome::DryRun => format!(
            "dry run: commit {commit} would change {} of the {} files on {target}; nothing pushed",
            report.changed, report.files
        ),
        Outcome::Pushed => format!(
            "deployed {} files to {target}: {} changed, {} objects{} pushed, commit {commit}{}",
            report.files,
            report.changed,
            report.pushed.objects,
            // Local pushes copy objects without a pack, so there is no byte count.
            match report.pushed.bytes {
                0 => String::new(),
                n => format!(" ({})", human_bytes(n as u64)),
            },
            if report.attempts > 1 {
                format!(" (attempt {})", report.attempts)
            } else {
                String::new()
            }
        ),
    };
    if let (Some(url), Outcome::Pushed | Outcome::Unchanged) = (url, report.outcome) {
        s.push_str(&format!("\n  published at {url}"));
    }
    s
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / f64::from(1 << 20)),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / f64::from(1 << 10)),
        n => format!("{n} B"),
    }
}

/// Step outputs for GitHub Actions: `skipped`, `commit`, `page-url`.
pub fn step_outputs(report: &DeployReport, url: Option<&str>) {
    let env = crate::github::env::ActionsEnv::from_env();
    let skipped = (report.outcome == Outcome::Unchanged).to_string();
    let mut outputs = vec![
        ("skipped", skipped.as_str()),
        ("commit", report.commit.as_deref().unwrap_or("")),
    ];
    if let Some(url) = url {
        outputs.push(("page-url", url));
    }
    for (name, value) in outputs {
        if let Err(e) = env.set_output(name, value) {
            eprintln!("warning: could not write the step output {name}: {e}");
        }
    }
}

/// Progress for fetches and pushes, quiet or not.
pub fn progress(quiet: bool) -> Progress {
    Progress::new(quiet)
}

/// Fetch and push progress: a bar on a terminal, a line per stage elsewhere.
pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
    stage: std::cell::RefCell<Option<(String, usize)>>,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let pb = ProgressBar::new(0);
            pb.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} objects")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            pb
        });
        Progress {
            bar,
            quiet,
            stage: std::cell::RefCell::new(None),
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(pb) = &self.bar {
            pb.finish_and_clear();
        }
    }
}

impl DeployProgress for Progress {
    fn transfer(&self, stage: &str, done: usize, total: usize) {
        if let Some(pb) = &self.bar {
            pb.set_message(stage.to_string());
            pb.set_length(total as u64);
            pb.set_position(done as u64);
        }
        *self.stage.borrow_mut() = Some((stage.to_string(), total));
    }

    fn transfer_done(&self) {
        if let Some((stage, total)) = self.stage.borrow_mut().take() {
            if let Some(pb) = &self.bar {
                pb.set_position(0);
            } else if !self.quiet && total > 0 {
                eprintln!("{stage}: {total} objects");
            }
        }
    }

    fn remote_line(&self, line: &str) {
        match &self.bar {
            Some(pb) => pb.println(format!("remote: {line}")),
            None => eprintln!("remote: {line}"),
        }
    }

    fn retrying(&self, attempt: u32, why: &str, wait: Duration) {
        let msg = format!(
            "another deploy got there first ({why}); fetching again and retrying in {:.1}s (attempt {} of 5)",
            wait.as_secs_f64(),
            attempt + 1
        );
        match &self.bar {
            Some(pb) => pb.println(msg),
            None => eprintln!("{msg}"),
        }
    }
}
