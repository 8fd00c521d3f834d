//! Talking to the remote: fetch one branch, push one commit with a lease, and tell
//! races (retry) from refusals (stop with a hint).

use std::cell::{Cell, RefCell};

use git2::{AutotagOption, Cred, CredentialType, ErrorCode, FetchOptions, Oid, PushOptions};
use git2::{RemoteCallbacks, Repository};

use super::{DeployError, DeployProgress, Token};

/// The ref the fetched branch is stored under in the scratch repository.
pub fn tracking_ref(branch: &str) -> String {
    format!("refs/remotes/origin/{branch}")
}

/// Whether `url` names a folder on this machine (libgit2 cannot fetch shallow from those).
pub fn is_local(url: &str) -> bool {
    url.starts_with("file://") || !url.contains("://")
}

/// Shared state of one network operation's callbacks.
#[derive(Default)]
pub(super) struct Session {
    /// How often the server asked for credentials.
    asked: Cell<u32>,
    /// The server asked again after we answered: the token was refused.
    refused: Cell<bool>,
    /// The server asked and we had nothing to give.
    missing: Cell<bool>,
    /// Lines the server sent (hook output, `remote:` messages).
    remote_lines: RefCell<Vec<String>>,
    /// A partial sideband line waiting for its end.
    pending: RefCell<String>,
    /// Show server lines as they come (push: hook output); a fetch's are only counters.
    forward: bool,
}

/// Callbacks shared by fetch and push: credentials (token only here, never in the URL),
/// server messages, and transfer progress.
pub(super) fn callbacks<'a>(
    session: &'a Session,
    token: Option<&'a Token>,
    progress: &'a dyn DeployProgress,
) -> RemoteCallbacks<'a> {
    let mut cb = RemoteCallbacks::new();
    cb.credentials(move |_url, _user, allowed| {
        let n = session.asked.get() + 1;
        session.asked.set(n);
        let Some(token) = token else {
            session.missing.set(true);
            return Err(git2::Error::from_str("the server asks for credentials"));
        };
        // libgit2 asks again after a refused answer, up to 15 times: once is enough.
        if n > 1 {
            session.refused.set(true);
            return Err(git2::Error::from_str("the server refused the token"));
        }
        if !allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            return Err(git2::Error::from_str(
                "the server wants a kind of credential other than a token",
            ));
        }
        Cred::userpass_plaintext("x-access-token", token.expose())
    });
    cb.sideband_progress(move |bytes| {
        let mut pending = session.pending.borrow_mut();
        pending.push_str(&String::from_utf8_lossy(bytes));
        while let Some(end) = pending.find('\n') {
            let line: String = pending.drain(..=end).collect();
            // Progress meters redraw with \r; the last state is the one worth keeping.
            let line = line.trim_end().rsplit('\r').next().unwrap_or("").trim();
            if !line.is_empty() {
                if session.forward {
                    progress.remote_line(line);
                }
                session.remote_lines.borrow_mut().push(line.to_string());
            }
        }
        true
    });
    cb
}

/// Fetches `branch` from `url` into the scratch repository and returns its tip, `None`
/// when the branch does not exist yet. A failed fetch is an error, never "no branch".
pub fn fetch_branch(
    repo: &Repository,
    url: &str,
    branch: &str,
    token: Option<&Token>,
    progress: &dyn DeployProgress,
) -> Result<Option<Oid>, DeployError> {
    if is_local(url) {
        return local_tip(repo, url, branch);
    }
    let session = Session::default();
    let mut cb = callbacks(&session, token, progress);
    cb.transfer_progress(|p| {
        progress.transfer("fetching", p.received_objects(), p.total_objects());
        true
    });
    let mut fo = FetchOptions::new();
    fo.remote_callbacks(cb)
        .download_tags(AutotagOption::None)
        .proxy_options(auto_proxy());
    if !is_local(url) {
        fo.depth(1);
    }
    let mut remote = repo
        .remote_anonymous(url)
        .map_err(|e| network_error("fetch from", url, e, &session))?;
    let refspec = format!("+refs/heads/{branch}:{}", tracking_ref(branch));
    remote
        .fetch(&[refspec.as_str()], Some(&mut fo), None)
        .map_err(|e| network_error("fetch from", url, e, &session))?;
    progress.transfer_done();
    match repo.refname_to_id(&tracking_ref(branch)) {
        Ok(id) => Ok(Some(id)),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(DeployError::Git {
            what: "read the fetched branch",
            source: e,
        }),
    }
}

/// Lets the scratch repository read the objects of a repository on this machine in place
/// (libgit2's local transport cannot fetch shallow and would copy the whole history).
pub fn borrow_local_objects(repo: &Repository, url: &str) -> Result<(), DeployError> {
    let remote = open_local(url)?;
    let objects = remote.path().join("objects");
    let objects = objects.to_str().ok_or_else(|| DeployError::Network {
        doing: "open",
        url: url.to_string(),
        message: "the path is not valid UTF-8".to_string(),
    })?;
    let odb = repo.odb().map_err(|source| DeployError::Git {
        what: "open the object store",
        source,
    })?;
    odb.add_disk_alternate(objects)
        .map_err(|source| DeployError::Git {
            what: "read the local repository's objects",
            source,
        })
}

fn open_local(url: &str) -> Result<Repository, DeployError> {
    let path = url.strip_prefix("file://").unwrap_or(url);
    Repository::open(path).map_err(|e| DeployError::Network {
        doing: "open",
        url: url.to_string(),
        message: e.message().to_string(),
    })
}

/// The branch tip of a repository on this machine, read straight from it.
fn local_tip(repo: &Repository, url: &str, branch: &str) -> Result<Option<Oid>, DeployError> {
    let remote = open_local(url)?;
    let tip = match remote.refname_to_id(&format!("refs/heads/{branch}")) {
        Ok(id) => id,
        Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
        Err(source) => {
            return Err(DeployError::Git {
                what: "read the branch of the local repository",
                source,
            })
        }
    };
    repo.reference(&tracking_ref(branch), tip, true, "deploy: local branch")
        .map_err(|source| DeployError::Git {
            what: "record the branch tip",
            source,
        })?;
    Ok(Some(tip))
}

/// What a push sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct PushStats {
    /// Objects in the pack.
    pub objects: usize,
    /// Bytes of the pack.
    pub bytes: usize,
}

/// Why a push did not land.
#[derive(Debug)]
pub enum PushFailure {
    /// Someone else moved the branch first: fetch again and rebuild the commit.
    Race(String),
    /// The server refused for good (permissions, protection, hooks) or the network failed.
    Fatal(DeployError),
}

/// Pushes `commit` to `refs/heads/<branch>` if, and only if, the branch is still at
/// `expected` (absent when `None`): a forced push guarded by a lease, so keep and orphan
/// histories both work and a concurrent deploy is never overwritten.
pub fn push_commit(
    repo: &Repository,
    url: &str,
    commit: Oid,
    branch: &str,
    expected: Option<Oid>,
    token: Option<&Token>,
    progress: &dyn DeployProgress,
) -> Result<PushStats, PushFailure> {
    let target = format!("refs/heads/{branch}");
    let local = "refs/heads/notes-deploy";
    repo.reference(local, commit, true, "deploy commit")
        .map_err(|e| {
            PushFailure::Fatal(DeployError::Git {
                what: "name the deploy commit",
                source: e,
            })
        })?;

    let session = Session {
        forward: true,
        ..Session::default()
    };
    let lease_broken: RefCell<Option<String>> = RefCell::new(None);
    let rejected: RefCell<Vec<(String, String)>> = RefCell::new(Vec::new());
    let stats = Cell::new(PushStats::default());
    let mut cb = callbacks(&session, token, progress);
    cb.push_negotiation(|updates| {
        for u in updates {
            if u.dst_refname().ok() != Some(target.as_str()) {
                continue;
            }
            let now = u.src();
            let want = expected.unwrap_or(Oid::ZERO_SHA1);
            if now != want {
                *lease_broken.borrow_mut() = Some(format!(
                    "the branch moved to {} after we fetched {}",
                    short(now),
                    if want == Oid::ZERO_SHA1 {
                        "nothing".to_string()
                    } else {
                        short(want)
                    }
                ));
                return Err(git2::Error::from_str("lease broken"));
            }
        }
        Ok(())
    });
    cb.push_transfer_progress(|current, total, bytes| {
        stats.set(PushStats {
            objects: total,
            bytes,
        });
        progress.transfer("pushing", current, total);
    });
    cb.push_update_reference(|refname, status| {
        if let Some(msg) = status {
            rejected
                .borrow_mut()
                .push((refname.to_string(), msg.to_string()));
        }
        Ok(())
    });
    let mut po = PushOptions::new();
    // Finding deltas dominates a first push; 0 lets libgit2 use every core.
    po.remote_callbacks(cb)
        .proxy_options(auto_proxy())
        .packbuilder_parallelism(0);
    let mut remote = repo
        .remote_anonymous(url)
        .map_err(|e| PushFailure::Fatal(network_error("push to", url, e, &session)))?;
    let refspec = format!("+{local}:{target}");
    let result = remote.push(&[refspec.as_str()], Some(&mut po));
    drop(remote);
    drop(po);
    progress.transfer_done();

    if let Some(why) = lease_broken.into_inner() {
        return Err(PushFailure::Race(why));
    }
    if let Err(e) = result {
        if e.code() == ErrorCode::NotFastForward {
            return Err(PushFailure::Race(e.message().to_string()));
        }
        return Err(PushFailure::Fatal(network_error(
            "push to", url, e, &session,
        )));
    }
    // A push can "succeed" while the server refused the ref: only this list tells.
    if let Some((refname, message)) = rejected.into_inner().into_iter().next() {
        let lines = session.remote_lines.into_inner();
        if is_race(&message) || lines.iter().any(|l| is_race(l)) {
            return Err(PushFailure::Race(message));
        }
        let hint = refusal_hint(&message, &lines);
        return Err(PushFailure::Fatal(DeployError::Rejected {
            refname,
            message,
            remote: lines,
            hint,
        }));
    }
    Ok(stats.get())
}

/// Server messages that mean another push got there first.
fn is_race(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "failed to update ref",
        "cannot lock ref",
        "failed to lock",
        "fetch first",
        "non-fast-forward",
        "stale info",
    ]
    .iter()
    .any(|k| m.contains(k))
}

/// What to do about a refused ref, from what the server said.
fn refusal_hint(message: &str, lines: &[String]) -> String {
    let all = format!("{message}\n{}", lines.join("\n")).to_ascii_lowercase();
    if all.contains("gh006") || all.contains("protected branch") {
        "the branch is protected: allow this workflow (or its token) to push to it in the \
         repository's branch protection rules, or deploy to another branch with --branch"
            .to_string()
    } else if all.contains("gh013") || all.contains("rule") {
        "a repository rule refused the push: see the server's message above".to_string()
    } else {
        "a hook on the server refused the push: its message is above".to_string()
    }
}

/// Turns a fetch or push error into a message that says what to do.
pub(super) fn network_error(
    doing: &'static str,
    url: &str,
    e: git2::Error,
    session: &Session,
) -> DeployError {
    let url = super::source::redact_url(url);
    if session.refused.get() {
        return DeployError::TokenRefused { url };
    }
    if session.missing.get() {
        return DeployError::NeedsToken { url };
    }
    let message = e.message().to_string();
    if message.contains("status code: 403") {
        return DeployError::Forbidden {
            url,
            remote: session.remote_lines.borrow().clone(),
        };
    }
    if message.contains("status code: 404") {
        return DeployError::NoSuchRepository { url };
    }
    DeployError::Network {
        doing,
        url,
        message,
    }
}

/// Proxy settings from the environment and git config, as git itself uses them.
fn auto_proxy<'a>() -> git2::ProxyOptions<'a> {
    let mut p = git2::ProxyOptions::new();
    p.auto();
    p
}

/// The first seven hex digits of an id.
pub fn short(id: Oid) -> String {
    let s = id.to_string();
    s[..7.min(s.len())].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_urls() {
        assert!(is_local("/srv/site.git"));
        assert!(is_local("../site.git"));
        assert!(is_local("file:///srv/site.git"));
        assert!(!is_local("https://github.com/o/r.git"));
        assert!(!is_local("http://127.0.0.1:9/r.git"));
    }

    #[test]
    fn races_and_refusals() {
        assert!(is_race("failed to update ref"));
        assert!(is_race(
            "error: cannot lock ref 'refs/heads/gh-pages': is at 1 but expected 2"
        ));
        assert!(!is_race("pre-receive hook declined"));
        let hint = refusal_hint(
            "pre-receive hook declined",
            &["GH006: Protected branch update failed for refs/heads/gh-pages.".into()],
        );
        assert!(hint.contains("protected"), "{hint}");
        let hint = refusal_hint("pre-receive hook declined", &[]);
        assert!(hint.contains("hook"), "{hint}");
    }
}
