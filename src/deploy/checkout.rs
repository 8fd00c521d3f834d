//! `notes checkout`: clone a site's repository with git2 (a branch, a tag or a commit),
//! the first step of the pipeline when the site lives elsewhere.

use std::path::{Path, PathBuf};

use git2::build::{CheckoutBuilder, RepoBuilder};
use git2::Repository;
use git2::{AutotagOption, Direction, FetchOptions};

use super::remote::{callbacks, network_error, Session};
use super::tree::git;
use super::{DeployError, DeployProgress, Token};

/// What to clone.
#[derive(Debug, Clone)]
pub struct CheckoutOptions {
    /// The repository URL or path.
    pub url: String,
    /// The folder to clone into (must be absent or empty).
    pub dir: PathBuf,
    /// A branch, tag or commit; the default branch when `None`.
    pub reference: Option<String>,
    /// History depth for network remotes (`None`: everything).
    pub depth: Option<u32>,
    /// The token offered when the server asks.
    pub token: Option<Token>,
}

/// What was checked out.
#[derive(Debug, Clone)]
pub struct CheckoutReport {
    /// The commit now checked out.
    pub commit: String,
    /// What it was reached by (`branch main`, `tag v1`, `commit abc1234`).
    pub described: String,
}

/// Errors of a checkout beyond the network ones deploy shares.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    /// The target folder has files in it.
    #[error("{} is not empty\n  hint: pass a new folder, e.g. `notes checkout URL site-src`", dir.display())]
    NotEmpty {
        /// The folder.
        dir: PathBuf,
    },
    /// The ref does not exist.
    #[error("{url} has no branch or tag `{reference}`, and it is not a commit id\n  hint: `git ls-remote {url}` lists what there is")]
    NoSuchRef {
        /// The repository.
        url: String,
        /// The ref asked for.
        reference: String,
    },
    /// The network or git side failed.
    #[error(transparent)]
    Deploy(#[from] DeployError),
}

/// Clones `opts.url` into `opts.dir` and checks out `opts.reference`.
pub fn checkout(
    opts: &CheckoutOptions,
    progress: &dyn DeployProgress,
) -> Result<CheckoutReport, CheckoutError> {
    if !is_empty_dir(&opts.dir) {
        return Err(CheckoutError::NotEmpty {
            dir: opts.dir.clone(),
        });
    }
    let url = opts.url.as_str();
    let result =
        match &opts.reference {
            None => clone(opts, None, progress).map(|repo| describe(&repo, "default branch")),
            Some(r) => match advertised(url, r, opts.token.as_ref())? {
                Advertised::Branch => clone(opts, Some(r), progress)
                    .map(|repo| describe(&repo, &format!("branch {r}"))),
                Advertised::Tag => {
                    fetch_and_detach(opts, &format!("+refs/tags/{r}:refs/tags/{r}"), r, progress)
                        .map(|c| CheckoutReport {
                            commit: c,
                            described: format!("tag {r}"),
                        })
                }
                Advertised::Neither if looks_like_commit(r) => {
                    fetch_and_detach(opts, "+refs/heads/*:refs/remotes/origin/*", r, progress).map(
                        |c| CheckoutReport {
                            described: format!("commit {}", &c[..7]),
                            commit: c,
                        },
                    )
                }
                Advertised::Neither => {
                    return Err(CheckoutError::NoSuchRef {
                        url: super::source::redact_url(url),
                        reference: r.clone(),
                    })
                }
            },
        };
    if result.is_err() {
        // A half-made clone is worse than none: the next attempt would find the folder taken.
        let _ = std::fs::remove_dir_all(&opts.dir);
    }
    result.map_err(|e| match e {
        CheckoutError::Deploy(DeployError::Git { source, .. })
            if source.code() == git2::ErrorCode::NotFound =>
        {
            CheckoutError::NoSuchRef {
                url: super::source::redact_url(url),
                reference: opts.reference.clone().unwrap_or_default(),
            }
        }
        other => other,
    })
}

enum Advertised {
    Branch,
    Tag,
    Neither,
}

/// Asks the server which refs it has, to know whether `name` is a branch or a tag.
fn advertised(url: &str, name: &str, token: Option<&Token>) -> Result<Advertised, CheckoutError> {
    let scratch = tempfile::tempdir().map_err(|source| DeployError::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let repo = Repository::init_bare(scratch.path()).map_err(git("create a scratch repository"))?;
    let mut remote = repo.remote_anonymous(url).map_err(git("open the remote"))?;
    let session = Session::default();
    let conn = remote
        .connect_auth(
            Direction::Fetch,
            Some(callbacks(&session, token, &super::Silent)),
            None,
        )
        .map_err(|e| network_error("clone", url, e, &session))?;
    let heads = conn.list().map_err(git("list the remote's refs"))?;
    let branch = format!("refs/heads/{name}");
    let tag = format!("refs/tags/{name}");
    if heads.iter().any(|h| h.name() == branch) {
        Ok(Advertised::Branch)
    } else if heads.iter().any(|h| h.name() == tag) {
        Ok(Advertised::Tag)
    } else {
        Ok(Advertised::Neither)
    }
}

fn fetch_options<'a>(
    opts: &'a CheckoutOptions,
    session: &'a Session,
    progress: &'a dyn DeployProgress,
    shallow: bool,
) -> FetchOptions<'a> {
    let mut cb = callbacks(session, opts.token.as_ref(), progress);
    cb.transfer_progress(move |p| {
        progress.transfer("receiving", p.received_objects(), p.total_objects());
        true
    });
    let mut fo = FetchOptions::new();
    fo.remote_callbacks(cb);
    if shallow && !super::remote::is_local(&opts.url) {
        if let Some(depth) = opts.depth.filter(|d| *d > 0) {
            fo.depth(i32::try_from(depth).unwrap_or(i32::MAX));
        }
    }
    fo
}

fn clone(
    opts: &CheckoutOptions,
    branch: Option<&str>,
    progress: &dyn DeployProgress,
) -> Result<Repository, CheckoutError> {
    let session = Session::default();
    let mut builder = RepoBuilder::new();
    builder.fetch_options(fetch_options(opts, &session, progress, true));
    if let Some(b) = branch {
        builder.branch(b);
    }
    let repo = builder
        .clone(&opts.url, &opts.dir)
        .map_err(|e| network_error("clone", &opts.url, e, &session))?;
    progress.transfer_done();
    Ok(repo)
}

/// Fetches `refspec` into a new repository and checks out `rev` detached.
fn fetch_and_detach(
    opts: &CheckoutOptions,
    refspec: &str,
    rev: &str,
    progress: &dyn DeployProgress,
) -> Result<String, CheckoutError> {
    let repo = Repository::init(&opts.dir).map_err(git("create the repository"))?;
    let mut remote = repo
        .remote("origin", &opts.url)
        .map_err(git("add the remote"))?;
    let session = Session::default();
    // A commit id may be anywhere in history: only a full fetch is sure to have it.
    let shallow = !looks_like_commit(rev) || refspec.contains("refs/tags");
    let mut fo = fetch_options(opts, &session, progress, shallow);
    fo.download_tags(AutotagOption::None);
    remote
        .fetch(&[refspec], Some(&mut fo), None)
        .map_err(|e| network_error("clone", &opts.url, e, &session))?;
    progress.transfer_done();
    let object = repo.revparse_single(rev).map_err(git("find the commit"))?;
    let commit = object.peel_to_commit().map_err(git("find the commit"))?;
    repo.checkout_tree(commit.as_object(), Some(CheckoutBuilder::new().force()))
        .map_err(git("check out the files"))?;
    repo.set_head_detached(commit.id())
        .map_err(git("point HEAD at the commit"))?;
    Ok(commit.id().to_string())
}

fn describe(repo: &Repository, what: &str) -> CheckoutReport {
    let commit = repo
        .head()
        .ok()
        .and_then(|h| h.target())
        .map(|id| id.to_string())
        .unwrap_or_default();
    CheckoutReport {
        commit,
        described: what.to_string(),
    }
}

fn looks_like_commit(s: &str) -> bool {
    (7..=40).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_empty_dir(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(_) => !dir.exists(),
    }
}
