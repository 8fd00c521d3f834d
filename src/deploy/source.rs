//! Where a deploy comes from and goes to: the site's repository and commit, the remote
//! URL (a name, a URL, or GitHub Actions' repository), and the published address.

use std::path::Path;

use super::DeployError;

/// The repository and commit the site was built from, for the commit message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// e.g. `owner/notes`, or the folder name when there is no remote.
    pub repo: String,
    /// The full commit id, when the site is in a git repository with commits.
    pub commit: Option<String>,
}

/// Reads the repository holding `site` with git2: the commit checked out and a name for it.
/// In GitHub Actions the name is `$GITHUB_REPOSITORY` and, outside a repository, the commit
/// is `$GITHUB_SHA`.
pub fn source_info(site: &Path, env: &dyn Fn(&str) -> Option<String>) -> SourceInfo {
    let repo = git2::Repository::discover(site).ok();
    let commit = repo
        .as_ref()
        .and_then(|r| r.head().ok())
        .and_then(|h| h.target())
        .map(|id| id.to_string())
        .or_else(|| env("GITHUB_SHA"));
    let from_remote = repo.as_ref().and_then(|r| {
        let remote = r.find_remote("origin").ok()?;
        let url = remote.url().ok()?;
        Some(repo_name(url))
    });
    let name = env("GITHUB_REPOSITORY").or(from_remote).unwrap_or_else(|| {
        let abs = std::fs::canonicalize(site).unwrap_or_else(|_| site.to_path_buf());
        abs.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".to_string())
    });
    SourceInfo { repo: name, commit }
}

/// `owner/name` from a remote URL (`https://host/owner/name.git`, `git@host:owner/name`).
pub fn repo_name(url: &str) -> String {
    let url = redact_url(url);
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map(|(_, p)| p).unwrap_or(rest),
        None => url.split_once(':').map(|(_, p)| p).unwrap_or(&url),
    };
    let path = path.trim_end_matches('/').trim_end_matches(".git");
    let parts: Vec<&str> = path.rsplitn(3, '/').collect();
    match parts.as_slice() {
        [name, owner, ..] => format!("{owner}/{name}"),
        [name] => name.to_string(),
        [] => path.to_string(),
    }
}

/// The commit message: the template with `{repo}`, `{sha}`, `{short}` and `{branch}`
/// filled in, and a `Source-Commit:` trailer naming the exact commit.
pub fn commit_message(template: &str, source: &SourceInfo, branch: &str) -> String {
    let sha = source.commit.as_deref().unwrap_or("(no commit)");
    // The commit may come from $GITHUB_SHA: cut by characters, never inside one.
    let short: String = source
        .commit
        .as_deref()
        .map(|s| s.chars().take(7).collect())
        .unwrap_or_else(|| "(no commit)".to_string());
    let mut message = template
        .replace("{repo}", &source.repo)
        .replace("{sha}", sha)
        .replace("{short}", &short)
        .replace("{branch}", branch);
    if let Some(commit) = &source.commit {
        message = format!(
            "{}\n\nSource-Commit: {}@{commit}\n",
            message.trim_end(),
            source.repo
        );
    }
    message
}

/// The remote to deploy to: `--remote` as a URL or a remote name of the site's repository;
/// without it, GitHub Actions' repository, else the site repository's `origin`.
pub fn resolve_remote(
    given: Option<&str>,
    site: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, DeployError> {
    if let Some(given) = given {
        if looks_like_url(given) {
            return Ok(https_for_scp(given));
        }
        return remote_url(site, given);
    }
    if let (Some(server), Some(repository)) = (env("GITHUB_SERVER_URL"), env("GITHUB_REPOSITORY")) {
        return Ok(format!(
            "{}/{}.git",
            server.trim_end_matches('/'),
            repository.trim_matches('/')
        ));
    }
    remote_url(site, "origin")
}

/// The URL of remote `name` in the repository holding `site`.
fn remote_url(site: &Path, name: &str) -> Result<String, DeployError> {
    let missing = || DeployError::NoRemote {
        name: name.to_string(),
        site: site.to_path_buf(),
    };
    let repo = git2::Repository::discover(site).map_err(|_| missing())?;
    let remote = repo.find_remote(name).map_err(|_| missing())?;
    let url = remote.url().map_err(|_| missing())?;
    Ok(https_for_scp(url))
}

/// Whether `s` is a URL or a path rather than a remote name.
fn looks_like_url(s: &str) -> bool {
    s.contains("://")
        || s.starts_with('/')
        || s.starts_with('.')
        || s.contains('@')
        || Path::new(s).exists()
}

/// `git@github.com:o/r.git` → `https://github.com/o/r.git`: we push over HTTPS with a token.
fn https_for_scp(url: &str) -> String {
    if url.contains("://") {
        return url.to_string();
    }
    if let Some((user_host, path)) = url.split_once(':') {
        if let Some((_, host)) = user_host.split_once('@') {
            if !path.starts_with('/') && !host.is_empty() {
                return format!("https://{host}/{path}");
            }
        }
    }
    url.to_string()
}

/// The URL with any `user:password@` removed, safe to print.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if let Some((_, host)) = authority.rsplit_once('@') {
            return format!("{scheme}://{host}{path}");
        }
    }
    url.to_string()
}

/// The address Pages will serve the deploy at, for GitHub remotes (or a custom domain).
pub fn published_url(remote: &str, cname: Option<&str>, dest: Option<&str>) -> Option<String> {
    let base = match cname {
        Some(domain) => format!("https://{}/", domain.trim().trim_end_matches('/')),
        None => {
            let url = redact_url(remote);
            let rest = url.strip_prefix("https://github.com/")?;
            let name = repo_name(&format!("https://github.com/{rest}"));
            let (owner, repo) = name.split_once('/')?;
            let owner = owner.to_ascii_lowercase();
            if repo.eq_ignore_ascii_case(&format!("{owner}.github.io")) {
                format!("https://{owner}.github.io/")
            } else {
                format!("https://{owner}.github.io/{repo}/")
            }
        }
    };
    Some(match dest {
        Some(d) => format!("{base}{}/", d.trim_matches('/')),
        None => base,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_urls() {
        assert_eq!(repo_name("https://github.com/octo/notes.git"), "octo/notes");
        assert_eq!(repo_name("git@github.com:octo/notes.git"), "octo/notes");
        assert_eq!(repo_name("https://tok@host/a/b/c/"), "b/c");
        assert_eq!(repo_name("/srv/site.git"), "srv/site");
    }

    #[test]
    fn credentials_never_survive_redaction() {
        assert_eq!(
            redact_url("https://x-access-token:s3cret@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(redact_url("/srv/r.git"), "/srv/r.git");
    }

    #[test]
    fn message_names_repo_and_commit() {
        let src = SourceInfo {
            repo: "octo/notes".into(),
            commit: Some("0123456789abcdef".into()),
        };
        let m = commit_message("Deploy {repo}@{short} to {branch}", &src, "gh-pages");
        assert_eq!(
            m,
            "Deploy octo/notes@0123456 to gh-pages\n\nSource-Commit: octo/notes@0123456789abcdef\n"
        );
    }

    #[test]
    fn odd_commit_text_never_panics() {
        let src = SourceInfo {
            repo: "r".into(),
            commit: Some("ééééé".into()),
        };
        assert!(commit_message("{short}", &src, "b").starts_with("ééééé"));
    }

    #[test]
    fn remote_from_actions_and_scp() {
        let env = |k: &str| match k {
            "GITHUB_SERVER_URL" => Some("https://github.com".to_string()),
            "GITHUB_REPOSITORY" => Some("octo/notes".to_string()),
            _ => None,
        };
        let site = Path::new("/nonexistent-site");
        assert_eq!(
            resolve_remote(None, site, &env).expect("url"),
            "https://github.com/octo/notes.git"
        );
        assert_eq!(
            resolve_remote(Some("git@github.com:o/r.git"), site, &env).expect("url"),
            "https://github.com/o/r.git"
        );
        let none = |_: &str| None;
        assert!(matches!(
            resolve_remote(None, site, &none),
            Err(DeployError::NoRemote { .. })
        ));
    }

    #[test]
    fn pages_addresses() {
        assert_eq!(
            published_url("https://github.com/Octo/notes.git", None, None).as_deref(),
            Some("https://octo.github.io/notes/")
        );
        assert_eq!(
            published_url(
                "https://github.com/octo/octo.github.io",
                None,
                Some("previews/pr-2")
            )
            .as_deref(),
            Some("https://octo.github.io/previews/pr-2/")
        );
        assert_eq!(
            published_url("/srv/x.git", Some("docs.example.org"), None).as_deref(),
            Some("https://docs.example.org/")
        );
        assert_eq!(published_url("http://127.0.0.1:1/x.git", None, None), None);
    }
}
