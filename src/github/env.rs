//! What GitHub Actions tells a step through its environment: the repository, the commit,
//! the triggering event (from the event JSON file) and the file commands ($GITHUB_OUTPUT).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The default REST address of github.com, used when `GITHUB_API_URL` is unset.
pub const DEFAULT_API_URL: &str = "https://api.github.com";
/// The default web address, used when `GITHUB_SERVER_URL` is unset.
pub const DEFAULT_SERVER_URL: &str = "https://github.com";

/// Errors while reading the Actions environment or the event file.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// `GITHUB_EVENT_PATH` is not set, so there is no event to read.
    #[error("GITHUB_EVENT_PATH is not set (not running inside GitHub Actions?)")]
    NoEventPath,
    /// The event file could not be read.
    #[error("cannot read the event file {path}: {source}")]
    ReadEvent {
        /// The file named by `GITHUB_EVENT_PATH`.
        path: PathBuf,
        /// Why reading failed.
        source: std::io::Error,
    },
    /// The event file is not the JSON GitHub writes.
    #[error("the event file {path} is not valid JSON: {source}")]
    ParseEvent {
        /// The file named by `GITHUB_EVENT_PATH`.
        path: PathBuf,
        /// The parser's complaint.
        source: serde_json::Error,
    },
    /// A pull-request event without the fields every such event has.
    #[error("the pull_request event has no {0}")]
    MissingField(&'static str),
    /// Appending to a file command (`$GITHUB_OUTPUT`) failed.
    #[error("cannot write to {path}: {source}")]
    WriteFile {
        /// The file named by the variable.
        path: PathBuf,
        /// Why writing failed.
        source: std::io::Error,
    },
}

/// The variables GitHub Actions sets for every step (absent ones are `None`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActionsEnv {
    /// `GITHUB_ACTIONS == "true"`: running on an Actions runner.
    pub actions: bool,
    /// `GITHUB_REPOSITORY`, `owner/name`.
    pub repository: Option<String>,
    /// `GITHUB_SERVER_URL`, e.g. `https://github.com` (no trailing slash).
    pub server_url: String,
    /// `GITHUB_API_URL`, e.g. `https://api.github.com` or `https://HOST/api/v3` (no trailing slash).
    pub api_url: String,
    /// `GITHUB_SHA`: the commit (for pull requests, the merge commit).
    pub sha: Option<String>,
    /// `GITHUB_REF`, e.g. `refs/heads/main` or `refs/pull/7/merge`.
    pub git_ref: Option<String>,
    /// `GITHUB_REF_NAME`, e.g. `main` or `7/merge`.
    pub ref_name: Option<String>,
    /// `GITHUB_EVENT_NAME`, e.g. `push` or `pull_request`.
    pub event_name: Option<String>,
    /// `GITHUB_EVENT_PATH`: the JSON file describing the event.
    pub event_path: Option<PathBuf>,
    /// `GITHUB_RUN_ID`.
    pub run_id: Option<String>,
    /// `GITHUB_ACTOR`: who triggered the run.
    pub actor: Option<String>,
    /// `GITHUB_OUTPUT`: the file step outputs are appended to.
    pub output_file: Option<PathBuf>,
}

impl ActionsEnv {
    /// Reads the variables of this process.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `get` (tests pass a map); empty values count as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| get(name).filter(|v| !v.is_empty());
        let url = |name: &str, default: &str| {
            var(name)
                .map(|v| v.trim_end_matches('/').to_string())
                .unwrap_or_else(|| default.to_string())
        };
        Self {
            actions: var("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
            repository: var("GITHUB_REPOSITORY"),
            server_url: url("GITHUB_SERVER_URL", DEFAULT_SERVER_URL),
            api_url: url("GITHUB_API_URL", DEFAULT_API_URL),
            sha: var("GITHUB_SHA"),
            git_ref: var("GITHUB_REF"),
            ref_name: var("GITHUB_REF_NAME"),
            event_name: var("GITHUB_EVENT_NAME"),
            event_path: var("GITHUB_EVENT_PATH").map(PathBuf::from),
            run_id: var("GITHUB_RUN_ID"),
            actor: var("GITHUB_ACTOR"),
            output_file: var("GITHUB_OUTPUT").map(PathBuf::from),
        }
    }

    /// The web page of this workflow run, when the repository and run id are known.
    pub fn run_url(&self) -> Option<String> {
        let repo = self.repository.as_deref()?;
        let run = self.run_id.as_deref()?;
        Some(format!("{}/{repo}/actions/runs/{run}", self.server_url))
    }

    /// The triggering event, read from `GITHUB_EVENT_PATH`.
    pub fn event(&self) -> Result<Event, EnvError> {
        let path = self.event_path.as_ref().ok_or(EnvError::NoEventPath)?;
        let text = std::fs::read_to_string(path).map_err(|source| EnvError::ReadEvent {
            path: path.clone(),
            source,
        })?;
        let json: Value = serde_json::from_str(&text).map_err(|source| EnvError::ParseEvent {
            path: path.clone(),
            source,
        })?;
        Event::from_json(self.event_name.as_deref().unwrap_or(""), &json)
    }

    /// Sets a step output (no-op outside Actions, where `GITHUB_OUTPUT` is unset).
    pub fn set_output(&self, name: &str, value: &str) -> Result<(), EnvError> {
        match &self.output_file {
            Some(path) => append_output(path, name, value),
            None => Ok(()),
        }
    }
}

/// What a pull-request event's `action` says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrAction {
    /// The pull request was opened.
    Opened,
    /// New commits were pushed to its head branch.
    Synchronize,
    /// It was reopened.
    Reopened,
    /// It was closed (merged or not).
    Closed,
    /// Anything else (`edited`, `labeled`, …), as GitHub spells it.
    Other(String),
}

impl PrAction {
    fn parse(s: &str) -> Self {
        match s {
            "opened" => Self::Opened,
            "synchronize" => Self::Synchronize,
            "reopened" => Self::Reopened,
            "closed" => Self::Closed,
            other => Self::Other(other.to_string()),
        }
    }
}

/// The event that started the workflow, as far as publishing cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A push to a branch.
    Push {
        /// The branch name, without `refs/heads/`.
        branch: String,
        /// Whether it is the repository's default branch.
        is_default_branch: bool,
    },
    /// A pull-request event (`pull_request` or `pull_request_target`).
    PullRequest {
        /// The pull request's number.
        number: u64,
        /// What happened to it.
        action: PrAction,
        /// The newest commit of its head branch (`GITHUB_SHA` is a merge commit instead).
        head_sha: String,
        /// `owner/name` of the repository the head branch lives in (empty if it was deleted).
        head_repo_full_name: String,
        /// Whether the head branch is in this repository (not a fork), so the token may write.
        same_repo: bool,
    },
    /// Any other event (or a push of a tag), by name.
    Other(String),
}

impl Event {
    /// Interprets the event JSON GitHub wrote for the event called `name`.
    pub fn from_json(name: &str, json: &Value) -> Result<Self, EnvError> {
        let text =
            |v: &Value, ptr: &str| v.pointer(ptr).and_then(Value::as_str).map(str::to_string);
        match name {
            "push" => {
                let Some(branch) = text(json, "/ref")
                    .and_then(|r| r.strip_prefix("refs/heads/").map(str::to_string))
                else {
                    return Ok(Self::Other(name.to_string()));
                };
                let default = text(json, "/repository/default_branch");
                Ok(Self::Push {
                    is_default_branch: default.as_deref() == Some(branch.as_str()),
                    branch,
                })
            }
            "pull_request" | "pull_request_target" => {
                let pr = json
                    .get("pull_request")
                    .ok_or(EnvError::MissingField("pull_request"))?;
                let number = pr
                    .get("number")
                    .or_else(|| json.get("number"))
                    .and_then(Value::as_u64)
                    .ok_or(EnvError::MissingField("number"))?;
                let head_sha = text(pr, "/head/sha").ok_or(EnvError::MissingField("head.sha"))?;
                let head_repo = text(pr, "/head/repo/full_name").unwrap_or_default();
                let base_repo = text(pr, "/base/repo/full_name")
                    .or_else(|| text(json, "/repository/full_name"))
                    .unwrap_or_default();
                Ok(Self::PullRequest {
                    number,
                    action: PrAction::parse(&text(json, "/action").unwrap_or_default()),
                    head_sha,
                    same_repo: !head_repo.is_empty() && head_repo == base_repo,
                    head_repo_full_name: head_repo,
                })
            }
            other => Ok(Self::Other(other.to_string())),
        }
    }
}

/// Appends `name` = `value` to a `$GITHUB_OUTPUT`-style file in the multi-line form, with a
/// random delimiter that occurs in neither, so any value is safe.
pub fn append_output(path: &Path, name: &str, value: &str) -> Result<(), EnvError> {
    let delimiter = loop {
        let d = format!("ghadelimiter_{:032x}", rand::random::<u128>());
        if !value.contains(&d) && !name.contains(&d) {
            break d;
        }
    };
    let record = format!("{name}<<{delimiter}\n{value}\n{delimiter}\n");
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)?;
        f.write_all(record.as_bytes())
    };
    write().map_err(|source| EnvError::WriteFile {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> ActionsEnv {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ActionsEnv::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_outside_actions() {
        let e = env(&[]);
        assert!(!e.actions);
        assert_eq!(e.api_url, "https://api.github.com");
        assert_eq!(e.server_url, "https://github.com");
        assert_eq!(e.run_url(), None);
    }

    #[test]
    fn reads_every_variable_and_builds_the_run_url() {
        let e = env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "octo/notes"),
            ("GITHUB_SERVER_URL", "https://ghe.example.com/"),
            ("GITHUB_API_URL", "https://ghe.example.com/api/v3"),
            ("GITHUB_SHA", "abc"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_REF_NAME", "main"),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_RUN_ID", "42"),
            ("GITHUB_ACTOR", "mona"),
        ]);
        assert!(e.actions);
        assert_eq!(e.api_url, "https://ghe.example.com/api/v3");
        assert_eq!(e.sha.as_deref(), Some("abc"));
        assert_eq!(e.git_ref.as_deref(), Some("refs/heads/main"));
        assert_eq!(e.ref_name.as_deref(), Some("main"));
        assert_eq!(e.actor.as_deref(), Some("mona"));
        assert_eq!(
            e.run_url().as_deref(),
            Some("https://ghe.example.com/octo/notes/actions/runs/42")
        );
    }

    #[test]
    fn push_to_the_default_branch() {
        let json =
            serde_json::json!({"ref": "refs/heads/main", "repository": {"default_branch": "main"}});
        assert_eq!(
            Event::from_json("push", &json).ok(),
            Some(Event::Push {
                branch: "main".into(),
                is_default_branch: true
            })
        );
        let json =
            serde_json::json!({"ref": "refs/heads/dev", "repository": {"default_branch": "main"}});
        assert_eq!(
            Event::from_json("push", &json).ok(),
            Some(Event::Push {
                branch: "dev".into(),
                is_default_branch: false
            })
        );
        let tag = serde_json::json!({"ref": "refs/tags/v1"});
        assert_eq!(
            Event::from_json("push", &tag).ok(),
            Some(Event::Other("push".into()))
        );
    }

    #[test]
    fn pull_requests_from_this_repository_and_from_forks() {
        let json = serde_json::json!({
            "action": "synchronize", "number": 7,
            "pull_request": {"number": 7,
                "head": {"sha": "h1", "repo": {"full_name": "octo/notes"}},
                "base": {"repo": {"full_name": "octo/notes"}}},
            "repository": {"full_name": "octo/notes"}});
        assert_eq!(
            Event::from_json("pull_request", &json).ok(),
            Some(Event::PullRequest {
                number: 7,
                action: PrAction::Synchronize,
                head_sha: "h1".into(),
                head_repo_full_name: "octo/notes".into(),
                same_repo: true
            })
        );
        let fork = serde_json::json!({
            "action": "closed",
            "pull_request": {"number": 8, "head": {"sha": "h2", "repo": {"full_name": "fork/notes"}},
                "base": {"repo": {"full_name": "octo/notes"}}}});
        let Ok(Event::PullRequest {
            same_repo, action, ..
        }) = Event::from_json("pull_request", &fork)
        else {
            panic!("not a pull request");
        };
        assert!(!same_repo);
        assert_eq!(action, PrAction::Closed);
        let broken = serde_json::json!({"action": "opened"});
        assert!(Event::from_json("pull_request", &broken).is_err());
    }

    #[test]
    fn event_file_is_read_from_the_event_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("event.json");
        std::fs::write(
            &path,
            r#"{"ref":"refs/heads/main","repository":{"default_branch":"main"}}"#,
        )
        .expect("write");
        let p = path.to_string_lossy().to_string();
        let e = env(&[("GITHUB_EVENT_NAME", "push"), ("GITHUB_EVENT_PATH", &p)]);
        assert!(matches!(
            e.event(),
            Ok(Event::Push {
                is_default_branch: true,
                ..
            })
        ));
        assert!(matches!(env(&[]).event(), Err(EnvError::NoEventPath)));
    }

    #[test]
    fn outputs_use_a_random_delimiter_and_are_skipped_without_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out");
        let p = path.to_string_lossy().to_string();
        let e = env(&[("GITHUB_OUTPUT", &p)]);
        e.set_output("page-url", "https://o.github.io/n/")
            .expect("write");
        e.set_output("text", "two\nlines").expect("write");
        let got = std::fs::read_to_string(&path).expect("read");
        let lines: Vec<&str> = got.lines().collect();
        assert_eq!(lines.len(), 7, "{got}");
        let d1 = lines[0].strip_prefix("page-url<<").expect("first name");
        assert!(d1.starts_with("ghadelimiter_") && d1.len() == 45, "{d1}");
        assert_eq!(lines[1], "https://o.github.io/n/");
        assert_eq!(lines[2], d1);
        let d2 = lines[3].strip_prefix("text<<").expect("second name");
        assert_ne!(d1, d2);
        assert_eq!(&lines[4..], ["two", "lines", d2]);
        assert!(env(&[]).set_output("x", "y").is_ok());
    }
}
