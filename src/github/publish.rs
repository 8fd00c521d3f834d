//! The GitHub side of a deploy: find the Pages address, record a deployment with its URL,
//! and keep one preview comment on the pull request. Nothing here can fail the run:
//! every failed call becomes a warning with advice.

use std::fmt;

use super::api::{ApiError, CommentAction, DeploymentState, GithubClient};
use super::env::{ActionsEnv, Event};

/// The hidden marker that identifies the preview comment among a pull request's comments.
pub const PREVIEW_MARKER: &str = "<!-- notes-preview -->";

/// A problem to show as a `::warning::` annotation; the run goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// A short title, e.g. "GitHub Pages is not enabled".
    pub title: String,
    /// What happened and what to do.
    pub message: String,
}

impl Warning {
    /// A warning for a failed API call, with its hint.
    pub fn from_api(title: &str, e: &ApiError) -> Self {
        let message = match e.hint() {
            Some(hint) => format!("{e}\nhint: {hint}"),
            None => e.to_string(),
        };
        Self {
            title: title.to_string(),
            message,
        }
    }

    /// The warning as a GitHub workflow command (`::warning title=…::…`), escaped.
    pub fn annotation(&self) -> String {
        crate::diag::render::ci::warning_command(&self.title, &self.message)
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.title, self.message)
    }
}

/// What was deployed, for the GitHub records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishInfo {
    /// `owner/name`.
    pub repo: String,
    /// The source commit the site was built from (for pull requests, the head commit).
    pub sha: String,
    /// The deployment environment: `github-pages`, or `preview-pr-N` for a preview.
    pub environment: String,
    /// The site's address when known without asking GitHub (e.g. a custom domain).
    pub page_url: Option<String>,
    /// The pull request whose preview was deployed.
    pub preview_pr: Option<u64>,
    /// Where the preview lives inside the site [default: `previews/pr-N/`].
    pub preview_path: Option<String>,
    /// The branch that was pushed, named when Pages must be told to publish it.
    pub branch: String,
}

/// The outcome of [`after_deploy`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PublishReport {
    /// The Pages site's address (`html_url`, or `PublishInfo::page_url`).
    pub site_url: Option<String>,
    /// The address of what was deployed: the site, or the preview inside it.
    pub url: Option<String>,
    /// The deployment created, if any.
    pub deployment_id: Option<u64>,
    /// What happened to the preview comment, if one was written.
    pub comment: Option<CommentAction>,
    /// Everything that did not work, for `::warning::` annotations.
    pub warnings: Vec<Warning>,
}

/// The folder of a pull request's preview inside the site.
pub fn preview_dir(pr: u64) -> String {
    format!("{}/", crate::deploy::tree::preview_dest(pr))
}

/// Joins a site address and a path inside the site, with exactly one slash between.
fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// Whether the event says the pull request comes from a fork (its token cannot comment).
fn from_fork(env: &ActionsEnv) -> bool {
    matches!(
        env.event(),
        Ok(Event::PullRequest {
            same_repo: false,
            ..
        })
    )
}

/// The warning for a repository without a Pages site.
fn pages_disabled(repo: &str, branch_hint: &str) -> Warning {
    Warning {
        title: "GitHub Pages is not enabled".to_string(),
        message: format!(
            "{repo} has no GitHub Pages site yet, so the pushed branch is not published. \
             Enable it once by hand (a workflow's token is not allowed to): Settings → Pages → \
             Build and deployment → Source: Deploy from a branch → Branch: {branch_hint}, / (root) → Save."
        ),
    }
}

/// After a successful push: reads the Pages address, records a deployment with a success
/// status pointing at the site or preview, and (for same-repository pull requests)
/// writes or refreshes the one preview comment.
pub fn after_deploy(client: &GithubClient, env: &ActionsEnv, info: &PublishInfo) -> PublishReport {
    let mut report = PublishReport::default();

    let site_url = match client.pages_site(&info.repo) {
        Ok(Some(site)) => Some(site.html_url),
        Ok(None) => {
            report
                .warnings
                .push(pages_disabled(&info.repo, &info.branch));
            None
        }
        Err(e) => {
            report.warnings.push(Warning::from_api(
                "Could not read the GitHub Pages site",
                &e,
            ));
            None
        }
    };
    report.site_url = info.page_url.clone().or(site_url);
    report.url = match info.preview_pr {
        Some(pr) => {
            let dir = info.preview_path.clone().unwrap_or_else(|| preview_dir(pr));
            report.site_url.as_deref().map(|base| join_url(base, &dir))
        }
        None => report.site_url.clone(),
    };
    if let Some(url) = &mut report.url {
        if !url.ends_with('/') {
            url.push('/');
        }
    }

    let description = match info.preview_pr {
        Some(pr) => format!("notes preview of pull request #{pr}"),
        None => "notes site".to_string(),
    };
    let log_url = env.run_url();
    match client.create_deployment(
        &info.repo,
        &info.sha,
        &info.environment,
        &description,
        info.preview_pr.is_some(),
    ) {
        Ok(id) => {
            report.deployment_id = Some(id);
            if let Err(e) = client.create_deployment_status(
                &info.repo,
                id,
                DeploymentState::Success,
                report.url.as_deref(),
                log_url.as_deref(),
            ) {
                report.warnings.push(Warning::from_api(
                    "Could not mark the deployment as done",
                    &e,
                ));
            }
        }
        Err(e) => report
            .warnings
            .push(Warning::from_api("Could not record the deployment", &e)),
    }

    if let Some(pr) = info.preview_pr {
        if from_fork(env) {
            report.warnings.push(Warning {
                title: "No preview comment".to_string(),
                message: format!(
                    "pull request #{pr} comes from a fork, whose workflow token is read-only"
                ),
            });
        } else {
            let body = preview_comment(report.url.as_deref(), &info.sha, log_url.as_deref());
            match client.upsert_pr_comment(&info.repo, pr, PREVIEW_MARKER, &body) {
                Ok(action) => report.comment = Some(action),
                Err(e) => report
                    .warnings
                    .push(Warning::from_api("Could not write the preview comment", &e)),
            }
        }
    }
    report
}

/// The text of the preview comment.
pub fn preview_comment(url: Option<&str>, sha: &str, log_url: Option<&str>) -> String {
    let short: String = sha.chars().take(7).collect();
    let mut body = format!("{PREVIEW_MARKER}\n");
    match url {
        Some(url) => body.push_str(&format!(
            "**Preview of this pull request:** {url}\n\nBuilt from {short}"
        )),
        None => body.push_str(&format!(
            "**A preview of this pull request was deployed** (built from {short}), but its \
             address is unknown because GitHub Pages is not enabled"
        )),
    }
    if let Some(log) = log_url {
        body.push_str(&format!(" · [workflow run]({log})"));
    }
    body.push_str(".\n");
    body
}

/// After a closed pull request's preview was deleted from the site: marks the preview's
/// deployments inactive (GitHub then stops linking to it) and edits the preview comment
/// (if there is one) to say so. Returns the warnings.
pub fn remove_preview(
    client: &GithubClient,
    env: &ActionsEnv,
    repo: &str,
    pr: u64,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if from_fork(env) {
        return warnings;
    }
    match client.deployments_of(repo, &format!("preview-pr-{pr}")) {
        Ok(ids) => {
            for id in ids {
                if let Err(e) =
                    client.create_deployment_status(repo, id, DeploymentState::Inactive, None, None)
                {
                    warnings.push(Warning::from_api(
                        "Could not retire the preview's deployment",
                        &e,
                    ));
                    break;
                }
            }
        }
        Err(e) => warnings.push(Warning::from_api(
            "Could not list the preview's deployments",
            &e,
        )),
    }
    let body = format!(
        "{PREVIEW_MARKER}\nThe preview of this pull request was removed when it was closed.\n"
    );
    match client.find_comment(repo, pr, PREVIEW_MARKER) {
        Ok(Some(id)) => {
            if let Err(e) = client.update_comment(repo, id, &body) {
                warnings.push(Warning::from_api(
                    "Could not update the preview comment",
                    &e,
                ));
            }
        }
        Ok(None) => {}
        Err(e) => warnings.push(Warning::from_api(
            "Could not read the pull request's comments",
            &e,
        )),
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_joined_with_one_slash() {
        assert_eq!(
            join_url("https://o.github.io/n/", "/previews/pr-3/"),
            "https://o.github.io/n/previews/pr-3/"
        );
        assert_eq!(
            join_url("https://o.github.io/n", "x/"),
            "https://o.github.io/n/x/"
        );
    }

    #[test]
    fn the_comment_carries_the_marker_url_commit_and_run() {
        let body = preview_comment(
            Some("https://o.github.io/n/previews/pr-3/"),
            "0123456789abcdef",
            Some("https://github.com/o/n/actions/runs/9"),
        );
        assert_eq!(
            body,
            "<!-- notes-preview -->\n**Preview of this pull request:** \
             https://o.github.io/n/previews/pr-3/\n\nBuilt from 0123456 · \
             [workflow run](https://github.com/o/n/actions/runs/9).\n"
        );
    }

    #[test]
    fn annotations_are_escaped() {
        let w = Warning {
            title: "a: b, c".into(),
            message: "50%\nnext".into(),
        };
        assert_eq!(w.annotation(), "::warning title=a%3A b%2C c::50%25%0Anext");
    }
}
