//! Publishing a built site to a Pages branch with git2: a scratch bare repository,
//! one branch fetched, a tree made straight from the output folder, and a push guarded
//! by a lease. No working tree, no git command, and the user's checkout is never touched.

use std::path::PathBuf;
use std::time::Duration;

use git2::{Repository, Signature};

pub mod checkout;
pub mod remote;
pub mod source;
pub mod tree;

use remote::PushFailure;
use tree::{git, Placement};

/// A secret token. It is handed to libgit2 only inside the credentials callback and
/// never printed: `Debug` shows a placeholder.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Wraps a token; empty strings are no token.
    pub fn new(value: String) -> Option<Token> {
        let value = value.trim().to_string();
        (!value.is_empty()).then_some(Token(value))
    }

    /// The secret itself, for the credentials callback only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

/// A name and e-mail for commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The name.
    pub name: String,
    /// The e-mail address.
    pub email: String,
}

impl Identity {
    /// The bot GitHub shows for commits made by workflows.
    pub fn actions_bot() -> Identity {
        Identity {
            name: "github-actions[bot]".into(),
            email: "41898282+github-actions[bot]@users.noreply.github.com".into(),
        }
    }

    /// Parses `Name <email>`.
    pub fn parse(s: &str) -> Option<Identity> {
        let (name, rest) = s.split_once('<')?;
        let email = rest.strip_suffix('>')?.trim();
        let name = name.trim();
        (!name.is_empty() && email.contains('@')).then(|| Identity {
            name: name.to_string(),
            email: email.to_string(),
        })
    }
}

/// Whether the branch keeps its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum History {
    /// Each deploy is a new commit on top of the branch.
    Keep,
    /// Each deploy replaces the branch with a single commit (the branch stays small).
    Orphan,
}

/// Everything a deploy needs; the command line fills it in.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// The built site; `None` only when removing a folder.
    pub dir: Option<PathBuf>,
    /// Where to push (URL or path), without credentials.
    pub remote: String,
    /// The Pages branch.
    pub branch: String,
    /// Where in the branch the site goes.
    pub placement: Placement,
    /// Whether the branch keeps its history.
    pub history: History,
    /// The commit message.
    pub message: String,
    /// Commit author.
    pub author: Identity,
    /// Commit committer.
    pub committer: Identity,
    /// The token, offered when the server asks for credentials.
    pub token: Option<Token>,
    /// Build the commit and report, but push nothing.
    pub dry_run: bool,
    /// Attempts when another deploy wins the race.
    pub attempts: u32,
    /// The first wait before trying again; it doubles each time, with jitter.
    pub backoff: Duration,
}

/// Reports progress of the network steps.
pub trait DeployProgress {
    /// `done` of `total` objects fetched or pushed (`stage` says which).
    fn transfer(&self, stage: &str, done: usize, total: usize);
    /// The transfer finished.
    fn transfer_done(&self);
    /// A line the server sent (hook output, errors).
    fn remote_line(&self, line: &str);
    /// Another deploy won the race; trying again after `wait`.
    fn retrying(&self, attempt: u32, why: &str, wait: Duration);
}

/// Progress that goes nowhere.
pub struct Silent;

impl DeployProgress for Silent {
    fn transfer(&self, _: &str, _: usize, _: usize) {}
    fn transfer_done(&self) {}
    fn remote_line(&self, _: &str) {}
    fn retrying(&self, _: u32, _: &str, _: Duration) {}
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The branch already holds exactly this tree: nothing committed or pushed.
    Unchanged,
    /// A new commit was pushed.
    Pushed,
    /// A commit was made but, as asked, not pushed.
    DryRun,
}

/// The result of a deploy.
#[derive(Debug, Clone)]
pub struct DeployReport {
    /// What happened.
    pub outcome: Outcome,
    /// Files in the deployed site (the folder, not the whole branch).
    pub files: usize,
    /// Bytes in those files.
    pub bytes: u64,
    /// Files of the branch that changed.
    pub changed: usize,
    /// Objects and bytes sent.
    pub pushed: remote::PushStats,
    /// The new commit, or the branch's current one when unchanged.
    pub commit: Option<String>,
    /// Attempts it took (more than one after lost races).
    pub attempts: u32,
}

/// Why a deploy failed.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// A file of the site could not be read.
    #[error("could not read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A symlink in the output folder.
    #[error("{} is a symbolic link\n  hint: GitHub Pages refuses symlinks; copy the file into the site instead", path.display())]
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// A file name that is not UTF-8.
    #[error("{} has a name that is not valid UTF-8\n  hint: rename it; web servers and git disagree about such names", path.display())]
    BadName {
        /// The file.
        path: PathBuf,
    },
    /// A file GitHub would refuse.
    #[error("{} is {bytes} bytes; GitHub refuses files over 100 MB\n  hint: host large files elsewhere and link to them", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
    },
    /// A `--dest` that is not a plain relative folder.
    #[error("--dest `{dest}` is not usable: {why}")]
    BadDest {
        /// What was given.
        dest: String,
        /// Why not.
        why: String,
    },
    /// The output folder is missing.
    #[error("the output folder {} does not exist\n  hint: build the site first (`notes build`), or drop --no-build", path.display())]
    NoOutput {
        /// The folder.
        path: PathBuf,
    },
    /// Nothing was given to deploy.
    #[error("nothing to deploy: no output folder was given")]
    NothingToDeploy,
    /// No remote could be found.
    #[error("the repository of {} has no remote `{name}`\n  hint: pass --remote URL (e.g. https://github.com/OWNER/REPO.git) or a remote name", site.display())]
    NoRemote {
        /// The remote name.
        name: String,
        /// The site folder.
        site: PathBuf,
    },
    /// The server asked for credentials and there is no token.
    #[error("{url} asks for credentials and no token is set\n  hint: set GITHUB_TOKEN (in GitHub Actions: `env: GITHUB_TOKEN: ${{{{ secrets.GITHUB_TOKEN }}}}`), or name another variable with --token-env")]
    NeedsToken {
        /// The remote.
        url: String,
    },
    /// The server refused the token.
    #[error("{url} refused the token\n  hint: check that the token is current and has access to this repository")]
    TokenRefused {
        /// The remote.
        url: String,
    },
    /// 403: the token may read but not write.
    #[error("{url} refused the push (HTTP 403){}\n  hint: the token may not write to the repository; in GitHub Actions give the job `permissions: contents: write` (pull requests from forks only get a read-only token)", remote_text(remote))]
    Forbidden {
        /// The remote.
        url: String,
        /// What the server said.
        remote: Vec<String>,
    },
    /// 404 from the server.
    #[error("{url} was not found (HTTP 404)\n  hint: check the URL, and that the token can see the repository")]
    NoSuchRepository {
        /// The remote.
        url: String,
    },
    /// Any other network or protocol failure.
    #[error("could not {doing} {url}: {message}")]
    Network {
        /// fetch from / push to.
        doing: &'static str,
        /// The remote.
        url: String,
        /// libgit2's message.
        message: String,
    },
    /// The server refused the updated ref for good.
    #[error(
        "the server refused {refname}: {message}{}\n  hint: {hint}",
        remote_text(remote)
    )]
    Rejected {
        /// The ref.
        refname: String,
        /// The server's reason.
        message: String,
        /// Hook output.
        remote: Vec<String>,
        /// What to do.
        hint: String,
    },
    /// Every attempt lost a race with another deploy.
    #[error("another deploy moved the branch each time ({attempts} attempts); last: {last}\n  hint: give every workflow that writes the branch one `concurrency:` group")]
    RacesLost {
        /// Attempts made.
        attempts: u32,
        /// The last reason.
        last: String,
    },
    /// A libgit2 operation on the scratch repository failed.
    #[error("could not {what}: {}", source.message())]
    Git {
        /// What we were doing.
        what: &'static str,
        /// libgit2's error.
        source: git2::Error,
    },
}

fn remote_text(lines: &[String]) -> String {
    lines.iter().map(|l| format!("\n  remote: {l}")).collect()
}

/// Deploys as `opts` says: fetch, compose, commit, push; on a lost race fetch again and
/// rebuild the commit (never rebase), up to `opts.attempts` times.
pub fn deploy(
    opts: &DeployOptions,
    progress: &dyn DeployProgress,
) -> Result<DeployReport, DeployError> {
    let scratch = tempfile::Builder::new()
        .prefix("notes-deploy-")
        .tempdir()
        .map_err(|source| DeployError::Io {
            path: std::env::temp_dir(),
            source,
        })?;
    let repo = Repository::init_bare(scratch.path()).map_err(git("create a scratch repository"))?;
    let odb = repo.odb().map_err(git("open the object store"))?;
    // New objects stay in memory: tens of thousands of loose files cost seconds.
    let _mempack = odb
        .add_new_mempack_backend(999)
        .map_err(git("add an in-memory object store"))?;

    if remote::is_local(&opts.remote) {
        remote::borrow_local_objects(&repo, &opts.remote)?;
    }
    let site = match &opts.dir {
        Some(dir) => {
            if !dir.is_dir() {
                return Err(DeployError::NoOutput { path: dir.clone() });
            }
            Some(tree::write_folder(&repo, dir)?)
        }
        None => None,
    };
    let author = signature(&opts.author)?;
    let committer = signature(&opts.committer)?;
    let token = opts.token.as_ref();
    let attempts = opts.attempts.max(1);
    let mut last_race = String::new();
    for attempt in 1..=attempts {
        let tip = remote::fetch_branch(&repo, &opts.remote, &opts.branch, token, progress)?;
        let parent = match tip {
            Some(id) => Some(repo.find_commit(id).map_err(git("read the branch tip"))?),
            None => None,
        };
        let parent_tree = match &parent {
            Some(c) => Some(c.tree().map_err(git("read the branch tree"))?),
            None => None,
        };
        let new_tree_id = tree::compose(
            &repo,
            parent_tree.as_ref(),
            site.map(|s| s.id),
            &opts.placement,
        )?;
        let new_tree = repo
            .find_tree(new_tree_id)
            .map_err(git("read the new tree"))?;
        let (files, bytes) = match site {
            Some(s) => (s.files, s.bytes),
            None => (tree::count_files(&new_tree), 0),
        };
        let squash_wanted = opts.history == History::Orphan
            && parent.as_ref().is_some_and(|p| p.parent_count() > 0);
        let same_tree = parent_tree.as_ref().map(|t| t.id()) == Some(new_tree_id);
        if same_tree && !squash_wanted {
            return Ok(DeployReport {
                outcome: Outcome::Unchanged,
                files,
                bytes,
                changed: 0,
                pushed: Default::default(),
                commit: tip.map(|t| t.to_string()),
                attempts: attempt,
            });
        }
        if parent.is_none() && opts.placement_is_removal() {
            // Removing from a branch that does not exist: nothing to do.
            return Ok(DeployReport {
                outcome: Outcome::Unchanged,
                files: 0,
                bytes: 0,
                changed: 0,
                pushed: Default::default(),
                commit: None,
                attempts: attempt,
            });
        }
        let changed = tree::changed_files(&repo, parent_tree.as_ref(), &new_tree)?;
        let parents: Vec<&git2::Commit<'_>> = match (&parent, opts.history) {
            (Some(p), History::Keep) => vec![p],
            _ => Vec::new(),
        };
        let commit = repo
            .commit(
                None,
                &author,
                &committer,
                &opts.message,
                &new_tree,
                &parents,
            )
            .map_err(git("make the deploy commit"))?;
        let mut report = DeployReport {
            outcome: Outcome::DryRun,
            files,
            bytes,
            changed,
            pushed: Default::default(),
            commit: Some(commit.to_string()),
            attempts: attempt,
        };
        if opts.dry_run {
            return Ok(report);
        }
        match remote::push_commit(
            &repo,
            &opts.remote,
            commit,
            &opts.branch,
            tip,
            token,
            progress,
        ) {
            Ok(stats) => {
                report.outcome = Outcome::Pushed;
                report.pushed = stats;
                return Ok(report);
            }
            Err(PushFailure::Fatal(e)) => return Err(e),
            Err(PushFailure::Race(why)) => {
                last_race = why;
                if attempt < attempts {
                    let wait = backoff(opts.backoff, attempt);
                    progress.retrying(attempt, &last_race, wait);
                    std::thread::sleep(wait);
                }
            }
        }
    }
    Err(DeployError::RacesLost {
        attempts,
        last: last_race,
    })
}

impl DeployOptions {
    fn placement_is_removal(&self) -> bool {
        matches!(self.placement, Placement::Remove { .. })
    }
}

/// The wait before attempt `attempt + 1`: doubling, with up to half again of jitter so
/// racing deploys spread out.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let doubled = base.saturating_mul(1 << (attempt - 1).min(6));
    let jitter = rand::random::<f64>() * 0.5;
    doubled.mul_f64(1.0 + jitter)
}

fn signature(who: &Identity) -> Result<Signature<'static>, DeployError> {
    Signature::now(&who.name, &who.email).map_err(git("make the commit signature"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_never_shows() {
        let t = Token::new("s3cret-value".into()).expect("token");
        assert_eq!(format!("{t:?}"), "Token(***)");
        assert!(Token::new("  ".into()).is_none());
    }

    #[test]
    fn identities() {
        assert_eq!(
            Identity::parse("Ada Lovelace <ada@example.org>"),
            Some(Identity {
                name: "Ada Lovelace".into(),
                email: "ada@example.org".into()
            })
        );
        assert_eq!(Identity::parse("nobody"), None);
    }

    #[test]
    fn backoff_doubles_with_jitter() {
        let base = Duration::from_millis(100);
        for attempt in 1..=4 {
            let w = backoff(base, attempt);
            let floor = base * (1 << (attempt - 1));
            assert!(w >= floor && w <= floor.mul_f64(1.5), "{attempt}: {w:?}");
        }
    }
}
