//! A small blocking client for the GitHub REST calls `notes ci` makes: the Pages site,
//! deployments and their statuses, and the pull-request preview comment.
//!
//! octocrab is async; the CLI is not, so the client owns a current-thread tokio runtime
//! and blocks on each call. Raw requests are used rather than typed handlers so every
//! reply's status and rate-limit headers are seen, which GitHub's errors need.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, Response};
use octocrab::service::middleware::retry::RetryConfig;
use octocrab::Octocrab;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// How long one request may take before it is given up (the CLI must never hang on GitHub).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Comment pages read when looking for the preview comment (100 comments each).
const MAX_COMMENT_PAGES: u32 = 20;

/// The permission a call needs, named as in a workflow's `permissions:` block.
fn permission_for(path: &str) -> &'static str {
    if path.contains("/pages") {
        "pages: read"
    } else if path.contains("/deployments") {
        "deployments: write"
    } else if path.contains("/issues/") {
        "pull-requests: write"
    } else {
        "contents: write"
    }
}

/// GitHub's rate-limit headers on a failed reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimit {
    /// `x-ratelimit-remaining`.
    pub remaining: Option<u64>,
    /// `x-ratelimit-reset`: when the quota refills, in seconds since the Unix epoch.
    pub reset: Option<u64>,
    /// `retry-after`: seconds to wait (secondary rate limits).
    pub retry_after: Option<u64>,
}

impl RateLimit {
    fn from_headers(headers: &HeaderMap) -> Self {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        Self {
            remaining: num("x-ratelimit-remaining"),
            reset: num("x-ratelimit-reset"),
            retry_after: num("retry-after"),
        }
    }
}

/// A failed GitHub API call.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// GitHub answered with an error status.
    #[error("GitHub API {method} {path} failed: {status} {message}")]
    Status {
        /// The HTTP method.
        method: &'static str,
        /// The route, e.g. `/repos/octo/notes/pages`.
        path: String,
        /// The HTTP status code.
        status: u16,
        /// GitHub's `message`, or the status text.
        message: String,
        /// The rate-limit headers of the reply.
        rate_limit: RateLimit,
    },
    /// The request did not get an answer (network, timeout).
    #[error("GitHub API {method} {path} failed: {message}")]
    Transport {
        /// The HTTP method.
        method: &'static str,
        /// The route.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// GitHub answered, but not with the JSON expected.
    #[error("GitHub API {method} {path}: unexpected reply: {message}")]
    Reply {
        /// The HTTP method.
        method: &'static str,
        /// The route.
        path: String,
        /// What was wrong with it.
        message: String,
    },
    /// The client could not be set up (bad API address, no async runtime).
    #[error("cannot set up the GitHub API client for {api_base}: {message}")]
    Setup {
        /// The API address given.
        api_base: String,
        /// What went wrong.
        message: String,
    },
    /// A repository name that is not `owner/name`.
    #[error("`{0}` is not a repository name of the form owner/name")]
    BadRepo(String),
}

impl ApiError {
    /// The HTTP status GitHub answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether GitHub refused the call because the API rate limit is used up.
    pub fn is_rate_limited(&self) -> bool {
        let Self::Status {
            status,
            message,
            rate_limit,
            ..
        } = self
        else {
            return false;
        };
        match status {
            429 => true,
            403 => {
                rate_limit.remaining == Some(0)
                    || rate_limit.retry_after.is_some()
                    || message.to_ascii_lowercase().contains("rate limit")
            }
            _ => false,
        }
    }

    /// What to do about it, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        let Self::Status {
            status,
            message,
            rate_limit,
            path,
            ..
        } = self
        else {
            return None;
        };
        if self.is_rate_limited() {
            return Some(rate_limit_hint(rate_limit, now_epoch()));
        }
        match status {
            401 => Some(
                "the token was refused (invalid, expired or revoked): pass a valid token, e.g. \
                 `token: ${{ github.token }}` in the workflow"
                    .to_string(),
            ),
            403 if message.contains("Resource not accessible") => Some(format!(
                "the workflow's token lacks the permission `{}`: add it to the workflow's \
                 `permissions:` block (notes needs `contents: write`, `pages: read`, \
                 `deployments: write`, `pull-requests: write`); pull requests from forks only \
                 ever get a read-only token",
                permission_for(path)
            )),
            403 => Some(format!(
                "GitHub refused the call; check the token and the workflow's `permissions:` \
                 (`{}`)",
                permission_for(path)
            )),
            404 => Some("the repository was not found, or the token cannot see it".to_string()),
            _ => None,
        }
    }
}

/// Seconds since the Unix epoch (0 if the clock is before it).
fn now_epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The rate-limit advice, with the reset time as UTC and as a delay from `now`.
fn rate_limit_hint(rl: &RateLimit, now: u64) -> String {
    let when = match (rl.reset, rl.retry_after) {
        (Some(reset), _) => {
            let day = reset % 86_400;
            let wait = reset.saturating_sub(now).div_ceil(60);
            format!(
                "; it resets at {:02}:{:02}:{:02} UTC (in about {wait} min)",
                day / 3600,
                day % 3600 / 60,
                day % 60
            )
        }
        (None, Some(secs)) => format!("; GitHub asks to wait {secs} s"),
        (None, None) => String::new(),
    };
    format!(
        "GitHub's API rate limit for this token is used up{when}. Nothing was retried; run the \
         workflow again later"
    )
}

/// A GitHub Pages site (`GET /repos/{owner}/{repo}/pages`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PagesSite {
    /// The site's address, e.g. `https://octo.github.io/notes/`.
    pub html_url: String,
    /// `legacy` (from a branch) or `workflow` (from an Actions artifact).
    #[serde(default)]
    pub build_type: Option<String>,
    /// The branch and folder published, for branch builds.
    #[serde(default)]
    pub source: Option<PagesSource>,
    /// The custom domain, if any.
    #[serde(default)]
    pub cname: Option<String>,
    /// Whether https is enforced.
    #[serde(default)]
    pub https_enforced: Option<bool>,
}

/// Where a branch-built Pages site is published from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PagesSource {
    /// The branch, e.g. `gh-pages`.
    pub branch: String,
    /// The folder, `/` or `/docs`.
    pub path: String,
}

/// The state of a deployment status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentState {
    /// Being deployed.
    InProgress,
    /// Deployed.
    Success,
    /// The deploy failed.
    Failure,
    /// Something went wrong before deploying.
    Error,
    /// No longer live (e.g. a removed preview).
    Inactive,
}

/// What `upsert_pr_comment` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentAction {
    /// A new comment was posted.
    Created,
    /// The existing comment with the marker was edited.
    Updated,
}

/// A blocking GitHub REST client (octocrab on a private current-thread runtime).
pub struct GithubClient {
    rt: tokio::runtime::Runtime,
    octo: Octocrab,
    api_base: String,
}

impl fmt::Debug for GithubClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token stays out: only the address is shown.
        f.debug_struct("GithubClient")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// A reply read in full.
struct Reply {
    status: u16,
    headers: HeaderMap,
    body: String,
}

/// Splits `owner/name`, refusing anything that could change the route.
fn split_repo(repo: &str) -> Result<(&str, &str), ApiError> {
    let ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match repo.split_once('/') {
        Some((owner, name)) if ok(owner) && ok(name) => Ok((owner, name)),
        _ => Err(ApiError::BadRepo(repo.to_string())),
    }
}

/// The `message` of a GitHub error body, or the body itself, or the status text.
fn error_message(status: u16, body: &str) -> String {
    let from_json = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("message")?.as_str().map(str::to_string));
    match from_json {
        Some(m) => m,
        None if !body.trim().is_empty() => body.trim().chars().take(300).collect(),
        None => axum::http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("error")
            .to_string(),
    }
}

impl GithubClient {
    /// A client for the API at `api_base` (e.g. `https://api.github.com` or
    /// `https://HOST/api/v3`; the path is kept), sending `Authorization: Bearer <token>`.
    pub fn new(api_base: &str, token: &str) -> Result<Self, ApiError> {
        let setup = |message: String| ApiError::Setup {
            api_base: api_base.to_string(),
            message,
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| setup(e.to_string()))?;
        // octocrab spawns its request buffer on the runtime it is built in.
        let _guard = rt.enter();
        let octo = Octocrab::builder()
            .base_uri(api_base.trim_end_matches('/'))
            .map_err(|e| setup(e.to_string()))?
            .personal_token(token.to_string())
            // No retries: the default retries 429s at once, and waiting out a rate limit
            // would stall the workflow; the caller turns the error into a warning instead.
            .add_retry_config(RetryConfig::None)
            .set_connect_timeout(Some(REQUEST_TIMEOUT))
            .set_read_timeout(Some(REQUEST_TIMEOUT))
            .set_write_timeout(Some(REQUEST_TIMEOUT))
            .build()
            .map_err(|e| setup(e.to_string()))?;
        Ok(Self {
            rt,
            octo,
            api_base: api_base.to_string(),
        })
    }

    /// Sends one request and reads the whole reply; error statuses are returned, not raised.
    fn send(
        &self,
        method: &'static str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, ApiError> {
        let transport = |e: octocrab::Error| ApiError::Transport {
            method,
            path: path.to_string(),
            message: transport_message(&e),
        };
        self.rt.block_on(async {
            let call = async {
                let resp = match method {
                    "POST" => self.octo._post(path, body).await,
                    "PATCH" => self.octo._patch(path, body).await,
                    _ => self.octo._get(path).await,
                }?;
                let (status, headers) = head(&resp);
                let body = self.octo.body_to_string(resp).await?;
                Ok::<_, octocrab::Error>(Reply {
                    status,
                    headers,
                    body,
                })
            };
            match tokio::time::timeout(REQUEST_TIMEOUT, call).await {
                Ok(r) => r.map_err(transport),
                Err(_) => Err(ApiError::Transport {
                    method,
                    path: path.to_string(),
                    message: format!("no reply within {} s", REQUEST_TIMEOUT.as_secs()),
                }),
            }
        })
    }

    /// Sends a request and insists on a 2xx reply.
    fn call(
        &self,
        method: &'static str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, ApiError> {
        let reply = self.send(method, path, body)?;
        if (200..300).contains(&reply.status) {
            Ok(reply)
        } else {
            Err(ApiError::Status {
                method,
                path: path.to_string(),
                status: reply.status,
                message: error_message(reply.status, &reply.body),
                rate_limit: RateLimit::from_headers(&reply.headers),
            })
        }
    }

    /// Parses a successful reply's JSON.
    fn json<T: serde::de::DeserializeOwned>(
        method: &'static str,
        path: &str,
        reply: &Reply,
    ) -> Result<T, ApiError> {
        serde_json::from_str(&reply.body).map_err(|e| ApiError::Reply {
            method,
            path: path.to_string(),
            message: e.to_string(),
        })
    }

    /// The repository's Pages site, or `None` when Pages is not enabled (404).
    pub fn pages_site(&self, repo: &str) -> Result<Option<PagesSite>, ApiError> {
        let (owner, name) = split_repo(repo)?;
        let path = format!("/repos/{owner}/{name}/pages");
        match self.call("GET", &path, None) {
            Ok(reply) => Self::json("GET", &path, &reply).map(Some),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates a deployment of `git_ref` to `environment` and returns its id.
    pub fn create_deployment(
        &self,
        repo: &str,
        git_ref: &str,
        environment: &str,
        description: &str,
        transient: bool,
    ) -> Result<u64, ApiError> {
        let (owner, name) = split_repo(repo)?;
        let path = format!("/repos/{owner}/{name}/deployments");
        let body = json!({
            "ref": git_ref,
            "environment": environment,
            "description": description,
            // Deploying gh-pages must not try to merge the default branch or wait for checks.
            "auto_merge": false,
            "required_contexts": [],
            "transient_environment": transient,
            "production_environment": !transient,
        });
        let reply = self.call("POST", &path, Some(&body))?;
        let v: Value = Self::json("POST", &path, &reply)?;
        v.get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| ApiError::Reply {
                method: "POST",
                path,
                message: v
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("no deployment id in the reply")
                    .to_string(),
            })
    }

    /// Adds a status to deployment `id`, with the live address and the run's log address.
    pub fn create_deployment_status(
        &self,
        repo: &str,
        id: u64,
        state: DeploymentState,
        environment_url: Option<&str>,
        log_url: Option<&str>,
    ) -> Result<(), ApiError> {
        let (owner, name) = split_repo(repo)?;
        let path = format!("/repos/{owner}/{name}/deployments/{id}/statuses");
        let mut body = json!({ "state": state });
        if let Some(url) = environment_url {
            body["environment_url"] = json!(url);
        }
        if let Some(url) = log_url {
            body["log_url"] = json!(url);
        }
        self.call("POST", &path, Some(&body)).map(|_| ())
    }

    /// The ids of the latest deployments (up to 100) recorded for `environment`.
    pub fn deployments_of(&self, repo: &str, environment: &str) -> Result<Vec<u64>, ApiError> {
        let (owner, name) = split_repo(repo)?;
        let env: String = environment
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                b => format!("%{b:02X}"),
            })
            .collect();
        let path = format!("/repos/{owner}/{name}/deployments?environment={env}&per_page=100");
        let reply = self.call("GET", &path, None)?;
        let list: Vec<Value> = Self::json("GET", &path, &reply)?;
        Ok(list
            .iter()
            .filter_map(|d| d.get("id").and_then(Value::as_u64))
            .collect())
    }

    /// The id of the first comment on issue or pull request `number` containing `marker`.
    pub fn find_comment(
        &self,
        repo: &str,
        number: u64,
        marker: &str,
    ) -> Result<Option<u64>, ApiError> {
        let (owner, name) = split_repo(repo)?;
        for page in 1..=MAX_COMMENT_PAGES {
            let path =
                format!("/repos/{owner}/{name}/issues/{number}/comments?per_page=100&page={page}");
            let reply = self.call("GET", &path, None)?;
            let comments: Vec<Value> = Self::json("GET", &path, &reply)?;
            let found = comments.iter().find(|c| {
                c.get("body")
                    .and_then(Value::as_str)
                    .is_some_and(|b| b.contains(marker))
            });
            if let Some(id) = found.and_then(|c| c.get("id")).and_then(Value::as_u64) {
                return Ok(Some(id));
            }
            if comments.len() < 100 {
                break;
            }
        }
        Ok(None)
    }

    /// Replaces the text of comment `id`.
    pub fn update_comment(&self, repo: &str, id: u64, body: &str) -> Result<(), ApiError> {
        let (owner, name) = split_repo(repo)?;
        let path = format!("/repos/{owner}/{name}/issues/comments/{id}");
        self.call("PATCH", &path, Some(&json!({ "body": body })))
            .map(|_| ())
    }

    /// Posts a new comment on issue or pull request `number`.
    pub fn create_comment(&self, repo: &str, number: u64, body: &str) -> Result<(), ApiError> {
        let (owner, name) = split_repo(repo)?;
        let path = format!("/repos/{owner}/{name}/issues/{number}/comments");
        self.call("POST", &path, Some(&json!({ "body": body })))
            .map(|_| ())
    }

    /// Keeps exactly one comment carrying `marker` on pull request `pr`: edits it when it
    /// exists, posts it otherwise. `marker` is put first in `body` when `body` lacks it.
    pub fn upsert_pr_comment(
        &self,
        repo: &str,
        pr: u64,
        marker: &str,
        body: &str,
    ) -> Result<CommentAction, ApiError> {
        let body = if body.contains(marker) {
            body.to_string()
        } else {
            format!("{marker}\n{body}")
        };
        match self.find_comment(repo, pr, marker)? {
            Some(id) => self
                .update_comment(repo, id, &body)
                .map(|_| CommentAction::Updated),
            None => self
                .create_comment(repo, pr, &body)
                .map(|_| CommentAction::Created),
        }
    }
}

/// Status and headers of a reply, before its body is consumed.
fn head<B>(resp: &Response<B>) -> (u16, HeaderMap) {
    (resp.status().as_u16(), resp.headers().clone())
}

/// A short description of a transport failure (octocrab's Debug output carries a backtrace).
fn transport_message(e: &octocrab::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, message: &str, rate_limit: RateLimit, path: &str) -> ApiError {
        ApiError::Status {
            method: "GET",
            path: path.into(),
            status,
            message: message.into(),
            rate_limit,
        }
    }

    #[test]
    fn repository_names_are_checked() {
        assert!(split_repo("octo/notes").is_ok());
        assert!(split_repo("octo/notes.github.io").is_ok());
        for bad in [
            "octo", "octo/", "/notes", "a/b/c", "../x", "octo/..", "o?x/y", "o/n#x",
        ] {
            assert!(split_repo(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hints_name_the_missing_permission() {
        let e = status(
            403,
            "Resource not accessible by integration",
            RateLimit::default(),
            "/repos/o/r/deployments",
        );
        let hint = e.hint().unwrap_or_default();
        assert!(hint.contains("`deployments: write`"), "{hint}");
        assert!(hint.contains("permissions:"), "{hint}");
        let e = status(
            401,
            "Bad credentials",
            RateLimit::default(),
            "/repos/o/r/pages",
        );
        assert!(e.hint().unwrap_or_default().contains("token was refused"));
    }

    #[test]
    fn rate_limits_are_recognised_and_the_reset_time_shown() {
        let rl = RateLimit {
            remaining: Some(0),
            reset: Some(1_700_000_000),
            retry_after: None,
        };
        assert!(status(403, "API rate limit exceeded", rl, "/x").is_rate_limited());
        assert!(status(429, "Too Many Requests", RateLimit::default(), "/x").is_rate_limited());
        assert!(!status(403, "Forbidden", RateLimit::default(), "/x").is_rate_limited());
        // 1_700_000_000 is 2023-11-14 22:13:20 UTC.
        let hint = rate_limit_hint(&rl, 1_700_000_000 - 600);
        assert!(
            hint.contains("resets at 22:13:20 UTC (in about 10 min)"),
            "{hint}"
        );
    }

    #[test]
    fn error_messages_come_from_the_json_body() {
        assert_eq!(
            error_message(404, r#"{"message":"Not Found"}"#),
            "Not Found"
        );
        assert_eq!(error_message(502, ""), "Bad Gateway");
        assert_eq!(error_message(500, "oops"), "oops");
    }
}
