//! `notes ci`: the pipeline as one CI step. (Checkout) → build → check → deploy, choosing
//! what to publish from GitHub Actions' event, then reporting back through the GitHub API.

use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::CiArgs;
use crate::deploy::checkout::{checkout, CheckoutOptions};
use crate::deploy::{source, DeployReport, Outcome, Token};
use crate::github::api::GithubClient;
use crate::github::env::{ActionsEnv, Event, PrAction};
use crate::github::publish::{self, PublishInfo, Warning};

use super::deploy::{env_var, step_outputs};
use super::{build, check};

/// What this run publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// The whole site at the branch root.
    Site,
    /// A pull request's preview under `previews/pr-N/`.
    Preview(u64),
    /// The preview of a closed pull request is removed; nothing is built.
    RemovePreview(u64),
    /// Build and check only; the reason is printed.
    CheckOnly(String),
}

/// Chooses what to publish for an event.
pub fn plan(event: Option<&Event>, previews: bool) -> Plan {
    match event {
        None => Plan::Site,
        Some(Event::Push {
            is_default_branch: true,
            ..
        }) => Plan::Site,
        Some(Event::Push { branch, .. }) => Plan::CheckOnly(format!(
            "a push to `{branch}`, which is not the default branch, publishes nothing"
        )),
        Some(Event::PullRequest {
            number,
            action,
            same_repo,
            ..
        }) => {
            if !previews {
                return Plan::CheckOnly("pull-request previews are turned off".into());
            }
            if !same_repo {
                return Plan::CheckOnly(format!(
                    "pull request #{number} comes from a fork, whose token cannot publish a preview"
                ));
            }
            match action {
                PrAction::Closed => Plan::RemovePreview(*number),
                PrAction::Opened | PrAction::Synchronize | PrAction::Reopened => {
                    Plan::Preview(*number)
                }
                PrAction::Other(name) => Plan::CheckOnly(format!(
                    "pull request #{number} was {name}; only new commits change its preview"
                )),
            }
        }
        Some(Event::Other(name)) if name == "workflow_dispatch" || name == "schedule" => Plan::Site,
        Some(Event::Other(name)) => Plan::CheckOnly(format!("a `{name}` event publishes nothing")),
    }
}

/// `notes ci`.
pub fn run(args: &CiArgs) -> anyhow::Result<ExitCode> {
    let env = ActionsEnv::from_env();
    let event = match &env.event_path {
        Some(_) => Some(
            env.event()
                .context("could not read the GitHub Actions event")?,
        ),
        None => None,
    };
    let plan = plan(event.as_ref(), !args.no_preview);
    let token = env_var(&args.publish.token_env).and_then(Token::new);
    let quiet = args.site.quiet;

    // Checkout: only with --repo; otherwise the site is already here.
    let scratch = tempfile::Builder::new()
        .prefix("notes-ci-")
        .tempdir()
        .context("could not make a temporary folder")?;
    let mut site = args.site.clone();
    if let Some(url) = &args.repo {
        let dest = scratch.path().join("src");
        let opts = CheckoutOptions {
            url: url.clone(),
            dir: dest.clone(),
            reference: args.reference.clone(),
            depth: Some(1),
            token: token.clone(),
        };
        let progress = super::deploy::progress(quiet);
        let result = checkout(&opts, &progress);
        progress.finish();
        let done = result?;
        if !quiet {
            eprintln!(
                "checked out {} ({})",
                source::redact_url(url),
                done.described
            );
        }
        site.site = dest.join(&args.site.site);
    }
    if site.out.is_none() {
        site.out = Some(scratch.path().join("out"));
    }
    // Annotations name files from the repository root, wherever the clone went.
    let prefix = build::path_prefix(&args.site.site);

    if let Plan::CheckOnly(why) = &plan {
        let opts = build::options(&site, true)?;
        let report = check::build_and_check(&site, &opts, &prefix, |_| Vec::new())?;
        if !quiet {
            eprintln!("not publishing: {why}");
        }
        return Ok(build::exit_code(&report, site.deny_warnings));
    }

    let (preview, remove) = match plan {
        Plan::Preview(n) => (Some(n), None),
        Plan::RemovePreview(n) => (None, Some(n)),
        _ => (None, None),
    };
    let placement = super::deploy::placement(&args.publish, None, preview, remove)?;
    let dest = placement.dest().map(str::to_string);
    let dir = if matches!(plan, Plan::RemovePreview(_)) {
        None
    } else {
        let mut opts = build::options(&site, true)?;
        opts.subfolder = dest.clone();
        let report = check::build_and_check(&site, &opts, &prefix, |_| Vec::new())?;
        if let Some(problems) = build::blocking_problems(&report, site.deny_warnings) {
            let msg = format!(
                "not published: the site has {problems} (nothing was pushed); fix them and push again"
            );
            if env.actions {
                println!("::error title=notes ci::{msg}");
            } else {
                eprintln!("error: {msg}");
            }
            return Ok(ExitCode::from(super::EXIT_PROBLEMS));
        }
        Some(opts.out)
    };

    // A cloned repository is published back to where it came from unless told otherwise.
    let remote = match (&args.publish.remote, &args.repo) {
        (None, Some(repo)) => repo.clone(),
        (given, _) => source::resolve_remote(given.as_deref(), &site.site, &env_var)?,
    };
    let source_info = source::source_info(&site.site, &env_var);
    let opts = super::deploy::options(
        &site.site,
        &args.publish,
        remote,
        placement,
        dir,
        &source_info,
    )?;
    let report = super::deploy::deploy(&opts, quiet)?;
    let mut url =
        source::published_url(&opts.remote, args.publish.cname.as_deref(), dest.as_deref());
    if !quiet {
        eprintln!("{}", super::deploy::summary(&report, &opts, url.as_deref()));
    }

    if let Some(found) = report_to_github(
        args,
        &env,
        event.as_ref(),
        &plan,
        &report,
        token.as_ref(),
        &source_info,
    ) {
        url = Some(found);
    }
    step_outputs(&report, url.as_deref());
    Ok(ExitCode::SUCCESS)
}

/// Tells GitHub about the deploy (Pages address, deployment, preview comment) when running
/// in Actions with a token; every failure is a warning. Returns the published address.
fn report_to_github(
    args: &CiArgs,
    env: &ActionsEnv,
    event: Option<&Event>,
    plan: &Plan,
    report: &DeployReport,
    token: Option<&Token>,
    source_info: &source::SourceInfo,
) -> Option<String> {
    let (Some(repo), Some(token)) = (env.repository.clone(), token) else {
        return None;
    };
    if !env.actions || report.outcome == Outcome::DryRun {
        return None;
    }
    let base = args
        .github_api
        .clone()
        .unwrap_or_else(|| env.api_url.clone());
    let client = match GithubClient::new(&base, token.expose()) {
        Ok(c) => c,
        Err(e) => {
            warn(&Warning::from_api("Could not reach the GitHub API", &e));
            return None;
        }
    };
    match plan {
        Plan::RemovePreview(pr) => {
            for w in publish::remove_preview(&client, env, &repo, *pr) {
                warn(&w);
            }
            None
        }
        Plan::Site | Plan::Preview(_) => {
            // For a pull request GITHUB_SHA is the merge commit; the deployment belongs to
            // the head commit the author pushed.
            let head = match event {
                Some(Event::PullRequest { head_sha, .. }) => Some(head_sha.clone()),
                _ => None,
            };
            let sha = head
                .or_else(|| env.sha.clone())
                .or_else(|| source_info.commit.clone())
                .unwrap_or_default();
            let preview_pr = match plan {
                Plan::Preview(n) => Some(*n),
                _ => None,
            };
            let info = PublishInfo {
                repo,
                sha,
                environment: match preview_pr {
                    Some(n) => format!("preview-pr-{n}"),
                    None => "github-pages".to_string(),
                },
                page_url: args
                    .publish
                    .cname
                    .as_deref()
                    .map(|c| format!("https://{}/", c.trim().trim_end_matches('/'))),
                preview_pr,
                preview_path: preview_pr.map(publish::preview_dir),
                branch: args.publish.branch.clone(),
            };
            let done = publish::after_deploy(&client, env, &info);
            for w in &done.warnings {
                warn(w);
            }
            done.url
        }
        Plan::CheckOnly(_) => None,
    }
}

/// A warning annotation (GitHub shows it on the run), never failing the run.
fn warn(w: &Warning) {
    println!("{}", w.annotation());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pr(number: u64, action: PrAction, same_repo: bool) -> Event {
        Event::PullRequest {
            number,
            action,
            head_sha: "abc".into(),
            head_repo_full_name: "o/r".into(),
            same_repo,
        }
    }

    #[test]
    fn plans_follow_the_event() {
        assert_eq!(plan(None, true), Plan::Site);
        let main = Event::Push {
            branch: "main".into(),
            is_default_branch: true,
        };
        assert_eq!(plan(Some(&main), true), Plan::Site);
        let topic = Event::Push {
            branch: "topic".into(),
            is_default_branch: false,
        };
        assert!(matches!(plan(Some(&topic), true), Plan::CheckOnly(_)));
        assert_eq!(
            plan(Some(&pr(4, PrAction::Opened, true)), true),
            Plan::Preview(4)
        );
        assert_eq!(
            plan(Some(&pr(4, PrAction::Synchronize, true)), true),
            Plan::Preview(4)
        );
        assert_eq!(
            plan(Some(&pr(4, PrAction::Closed, true)), true),
            Plan::RemovePreview(4)
        );
        assert!(matches!(
            plan(Some(&pr(4, PrAction::Opened, false)), true),
            Plan::CheckOnly(_)
        ));
        assert!(matches!(
            plan(Some(&pr(4, PrAction::Opened, true)), false),
            Plan::CheckOnly(_)
        ));
        assert_eq!(
            plan(Some(&Event::Other("workflow_dispatch".into())), true),
            Plan::Site
        );
        assert!(matches!(
            plan(Some(&Event::Other("issues".into())), true),
            Plan::CheckOnly(_)
        ));
    }
}
