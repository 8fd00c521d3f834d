//! The GitHub step against a fake GitHub API on 127.0.0.1: the exact requests sent
//! (method, path under the `/api/v3` prefix, JSON body, bearer token) and the warnings
//! produced when Pages is off, the token lacks a permission, or the rate limit is hit.

#[path = "common/fake_github.rs"]
mod fake_github;

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use fake_github::{FakeGithub, Recorded, Reply};
use notes::github::{
    after_deploy, remove_preview, ActionsEnv, ApiError, CommentAction, GithubClient, PublishInfo,
    PublishReport,
};
use serde_json::json;

const TOKEN: &str = "ghs_fakeToken0123456789SECRET";
const SITE: &str = "https://octo.github.io/notes/";

fn env() -> ActionsEnv {
    ActionsEnv::from_lookup(|k| {
        match k {
            "GITHUB_ACTIONS" => Some("true"),
            "GITHUB_REPOSITORY" => Some("octo/notes"),
            "GITHUB_SERVER_URL" => Some("https://github.com"),
            "GITHUB_RUN_ID" => Some("99"),
            _ => None,
        }
        .map(str::to_string)
    })
}

fn client(server: &FakeGithub) -> GithubClient {
    GithubClient::new(&server.api_base(), TOKEN).expect("client")
}

fn main_info() -> PublishInfo {
    PublishInfo {
        repo: "octo/notes".into(),
        sha: "0123456789abcdef0123456789abcdef01234567".into(),
        environment: "github-pages".into(),
        page_url: None,
        preview_pr: None,
        preview_path: None,
        branch: "gh-pages".into(),
    }
}

fn preview_info(pr: u64) -> PublishInfo {
    PublishInfo {
        environment: format!("preview-pr-{pr}"),
        preview_pr: Some(pr),
        ..main_info()
    }
}

fn pages_reply() -> Reply {
    Reply::json(
        200,
        json!({
            "url": "https://api.github.com/repos/octo/notes/pages",
            "status": "built",
            "cname": null,
            "custom_404": false,
            "html_url": SITE,
            "build_type": "legacy",
            "source": {"branch": "gh-pages", "path": "/"},
            "public": true,
            "https_enforced": true
        }),
    )
}

/// The comments of a pull request on the fake server: (id, body).
type Comments = Arc<Mutex<Vec<(u64, String)>>>;

/// A GitHub with Pages on, deployments allowed, and the comments of PR 7 kept in memory.
fn happy_github() -> (FakeGithub, Comments) {
    let comments: Arc<Mutex<Vec<(u64, String)>>> =
        Arc::new(Mutex::new(vec![(500, "Looks good to me".to_string())]));
    let state = Arc::clone(&comments);
    let server = FakeGithub::start(move |r: &Recorded| {
        let mut comments = state.lock().expect("lock");
        match (r.method.as_str(), r.path.as_str()) {
            ("GET", "/api/v3/repos/octo/notes/pages") => pages_reply(),
            ("POST", "/api/v3/repos/octo/notes/deployments") => Reply::json(
                201,
                json!({"id": 42, "environment": r.json()["environment"]}),
            ),
            ("POST", "/api/v3/repos/octo/notes/deployments/42/statuses") => {
                Reply::json(201, json!({"id": 1, "state": r.json()["state"]}))
            }
            (
                "GET",
                "/api/v3/repos/octo/notes/deployments?environment=preview-pr-7&per_page=100",
            ) => Reply::json(200, json!([{"id": 42, "environment": "preview-pr-7"}])),
            ("GET", "/api/v3/repos/octo/notes/issues/7/comments?per_page=100&page=1") => {
                let list: Vec<_> = comments
                    .iter()
                    .map(|(id, body)| json!({"id": id, "body": body, "user": {"login": "x"}}))
                    .collect();
                Reply::json(200, json!(list))
            }
            ("POST", "/api/v3/repos/octo/notes/issues/7/comments") => {
                let body = r.json()["body"].as_str().unwrap_or_default().to_string();
                comments.push((1001, body.clone()));
                Reply::json(201, json!({"id": 1001, "body": body}))
            }
            ("PATCH", "/api/v3/repos/octo/notes/issues/comments/1001") => {
                let body = r.json()["body"].as_str().unwrap_or_default().to_string();
                for c in comments.iter_mut().filter(|c| c.0 == 1001) {
                    c.1 = body.clone();
                }
                Reply::json(200, json!({"id": 1001, "body": body}))
            }
            _ => Reply::error(404, "Not Found"),
        }
    });
    (server, comments)
}

/// Method and path of every request, after checking each carried the token as a bearer.
fn routes(server: &FakeGithub) -> Vec<(String, String)> {
    server
        .requests()
        .iter()
        .map(|r| {
            assert_eq!(
                r.header("authorization"),
                Some(format!("Bearer {TOKEN}").as_str()),
                "{} {}",
                r.method,
                r.path
            );
            assert_eq!(r.header("x-github-api-version"), Some("2022-11-28"));
            (r.method.clone(), r.path.clone())
        })
        .collect()
}

fn route(method: &str, path: &str) -> (String, String) {
    (method.to_string(), format!("/api/v3{path}"))
}

/// The requests that record a deployment: the Pages site, the deployment, its status.
fn deployment_routes() -> Vec<(String, String)> {
    vec![
        route("GET", "/repos/octo/notes/pages"),
        route("POST", "/repos/octo/notes/deployments"),
        route("POST", "/repos/octo/notes/deployments/42/statuses"),
    ]
}

/// Everything a user could see of a report: Debug and Display of every warning.
fn all_text(report: &PublishReport) -> String {
    let mut s = format!("{report:?}");
    for w in &report.warnings {
        s.push_str(&format!("{w}\n{w:?}\n{}\n", w.annotation()));
    }
    s
}

#[test]
fn pages_present_records_a_deployment_with_the_site_url() {
    let (server, _) = happy_github();
    let report = after_deploy(&client(&server), &env(), &main_info());
    assert_eq!(report.warnings, vec![]);
    assert_eq!(report.site_url.as_deref(), Some(SITE));
    assert_eq!(report.url.as_deref(), Some(SITE));
    assert_eq!(report.deployment_id, Some(42));
    assert_eq!(report.comment, None);
    assert_eq!(routes(&server), deployment_routes());
    let reqs = server.requests();
    assert_eq!(reqs[0].body, "");
    assert_eq!(
        reqs[1].json(),
        json!({
            "ref": "0123456789abcdef0123456789abcdef01234567",
            "environment": "github-pages",
            "description": "notes site",
            "auto_merge": false,
            "required_contexts": [],
            "transient_environment": false,
            "production_environment": true
        })
    );
    assert_eq!(reqs[1].header("content-type"), Some("application/json"));
    assert_eq!(
        reqs[2].json(),
        json!({
            "state": "success",
            "environment_url": SITE,
            "log_url": "https://github.com/octo/notes/actions/runs/99"
        })
    );
}

#[test]
fn pages_site_is_read_and_a_missing_one_is_none() {
    let (server, _) = happy_github();
    let c = client(&server);
    let site = c.pages_site("octo/notes").expect("pages").expect("site");
    assert_eq!(site.html_url, SITE);
    assert_eq!(site.source.map(|s| s.branch).as_deref(), Some("gh-pages"));
    assert_eq!(c.pages_site("octo/other").ok(), Some(None));
    assert!(matches!(
        c.pages_site("not-a-repo"),
        Err(ApiError::BadRepo(_))
    ));
}

#[test]
fn pages_absent_warns_how_to_enable_it_and_still_records_the_deployment() {
    let server = FakeGithub::start(|r| match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/api/v3/repos/octo/notes/deployments") => Reply::json(201, json!({"id": 7})),
        ("POST", "/api/v3/repos/octo/notes/deployments/7/statuses") => {
            Reply::json(201, json!({"id": 1}))
        }
        _ => Reply::error(404, "Not Found"),
    });
    let report = after_deploy(&client(&server), &env(), &main_info());
    assert_eq!(report.url, None);
    assert_eq!(report.deployment_id, Some(7));
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    let w = &report.warnings[0];
    assert_eq!(w.title, "GitHub Pages is not enabled");
    assert!(
        w.message.contains("octo/notes has no GitHub Pages site"),
        "{w}"
    );
    assert!(
        w.message
            .contains("Settings → Pages → Build and deployment → Source: Deploy from a branch → Branch: gh-pages"),
        "{w}"
    );
    assert!(w
        .annotation()
        .starts_with("::warning title=GitHub Pages is not enabled::"));
    // Without an address the status says only that it succeeded.
    let reqs = server.requests();
    assert_eq!(
        reqs[2].json(),
        json!({"state": "success", "log_url": "https://github.com/octo/notes/actions/runs/99"})
    );
}

#[test]
fn a_token_without_permission_gets_the_permissions_hint() {
    let server = FakeGithub::start(|_| Reply::error(403, "Resource not accessible by integration"));
    let report = after_deploy(&client(&server), &env(), &preview_info(7));
    assert_eq!(
        routes(&server),
        vec![
            route("GET", "/repos/octo/notes/pages"),
            route("POST", "/repos/octo/notes/deployments"),
            route(
                "GET",
                "/repos/octo/notes/issues/7/comments?per_page=100&page=1"
            ),
        ]
    );
    let titles: Vec<&str> = report.warnings.iter().map(|w| w.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Could not read the GitHub Pages site",
            "Could not record the deployment",
            "Could not write the preview comment"
        ]
    );
    for (w, permission) in
        report
            .warnings
            .iter()
            .zip(["pages: read", "deployments: write", "pull-requests: write"])
    {
        assert!(
            w.message
                .contains("403 Resource not accessible by integration"),
            "{w}"
        );
        assert!(w.message.contains("`permissions:`"), "{w}");
        assert!(
            w.message
                .contains(&format!("lacks the permission `{permission}`")),
            "{w}"
        );
    }
    assert!(!all_text(&report).contains(TOKEN));
}

fn in_ten_minutes() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        + 600
}

fn assert_rate_limited(server: &FakeGithub, report: &PublishReport) {
    // One request per call: nothing was retried or waited for.
    assert_eq!(
        routes(server),
        vec![
            route("GET", "/repos/octo/notes/pages"),
            route("POST", "/repos/octo/notes/deployments"),
        ]
    );
    assert_eq!(report.warnings.len(), 2, "{:?}", report.warnings);
    for w in &report.warnings {
        assert!(
            w.message.contains("rate limit for this token is used up"),
            "{w}"
        );
        assert!(w.message.contains("run the workflow again later"), "{w}");
    }
    assert!(!all_text(report).contains(TOKEN));
}

/// A GitHub that answers every request with `status`, `message`, one more header and an
/// exhausted rate limit that resets at `reset`.
fn rate_limited_github(
    status: u16,
    message: &'static str,
    extra: (&'static str, &'static str),
    reset: u64,
) -> FakeGithub {
    FakeGithub::start(move |_| {
        Reply::error(status, message)
            .with_header(extra.0, extra.1)
            .with_header("x-ratelimit-remaining", "0")
            .with_header("x-ratelimit-reset", &reset.to_string())
    })
}

#[test]
fn rate_limit_403_warns_with_the_reset_time_without_waiting() {
    let reset = in_ten_minutes();
    let server = rate_limited_github(
        403,
        "API rate limit exceeded for installation ID 1.",
        ("x-ratelimit-limit", "1000"),
        reset,
    );
    let report = after_deploy(&client(&server), &env(), &main_info());
    assert_rate_limited(&server, &report);
    let day = reset % 86_400;
    let at = format!(
        "resets at {:02}:{:02}:{:02} UTC",
        day / 3600,
        day % 3600 / 60,
        day % 60
    );
    assert!(
        report.warnings[0].message.contains(&at),
        "{}",
        report.warnings[0]
    );
}

#[test]
fn rate_limit_429_warns_without_retrying() {
    let server = rate_limited_github(
        429,
        "You have exceeded a secondary rate limit.",
        ("retry-after", "60"),
        in_ten_minutes(),
    );
    let report = after_deploy(&client(&server), &env(), &main_info());
    assert_rate_limited(&server, &report);
}

#[test]
fn the_preview_comment_is_created_once_then_updated_then_marked_removed() {
    let (server, comments) = happy_github();
    let c = client(&server);

    let first = after_deploy(&c, &env(), &preview_info(7));
    assert_eq!(first.warnings, vec![]);
    assert_eq!(first.comment, Some(CommentAction::Created));
    let preview = "https://octo.github.io/notes/previews/pr-7/";
    assert_eq!(first.url.as_deref(), Some(preview));
    assert_eq!(
        routes(&server),
        [
            deployment_routes(),
            vec![
                route(
                    "GET",
                    "/repos/octo/notes/issues/7/comments?per_page=100&page=1"
                ),
                route("POST", "/repos/octo/notes/issues/7/comments"),
            ]
        ]
        .concat()
    );
    let reqs = server.requests();
    assert_eq!(reqs[1].json()["environment"], "preview-pr-7");
    assert_eq!(reqs[1].json()["transient_environment"], true);
    assert_eq!(reqs[1].json()["production_environment"], false);
    assert_eq!(reqs[2].json()["environment_url"], preview);
    let body = "<!-- notes-preview -->\n**Preview of this pull request:** \
                https://octo.github.io/notes/previews/pr-7/\n\nBuilt from 0123456 · \
                [workflow run](https://github.com/octo/notes/actions/runs/99).\n";
    assert_eq!(reqs[4].json(), json!({ "body": body }));

    let second = after_deploy(&c, &env(), &preview_info(7));
    assert_eq!(second.warnings, vec![]);
    assert_eq!(second.comment, Some(CommentAction::Updated));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 10);
    assert_eq!(
        (reqs[9].method.as_str(), reqs[9].path.as_str()),
        ("PATCH", "/api/v3/repos/octo/notes/issues/comments/1001")
    );
    assert_eq!(reqs[9].json(), json!({ "body": body }));
    assert_eq!(
        comments.lock().expect("lock").len(),
        2,
        "one preview comment only"
    );

    let warnings = remove_preview(&c, &env(), "octo/notes", 7);
    assert_eq!(warnings, vec![]);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 14);
    assert_eq!(
        (reqs[10].method.as_str(), reqs[10].path.as_str()),
        (
            "GET",
            "/api/v3/repos/octo/notes/deployments?environment=preview-pr-7&per_page=100"
        )
    );
    assert_eq!(
        (reqs[11].method.as_str(), reqs[11].path.as_str()),
        ("POST", "/api/v3/repos/octo/notes/deployments/42/statuses")
    );
    assert_eq!(reqs[11].json(), json!({"state": "inactive"}));
    assert_eq!(reqs[13].method, "PATCH");
    assert_eq!(
        reqs[13].json(),
        json!({"body": "<!-- notes-preview -->\nThe preview of this pull request was removed when it was closed.\n"})
    );
    routes(&server);
}

#[test]
fn a_pull_request_from_a_fork_gets_no_comment() {
    let (server, _) = happy_github();
    let dir = tempfile::tempdir().expect("tempdir");
    let event = dir.path().join("event.json");
    std::fs::write(
        &event,
        json!({"action": "opened", "number": 7, "pull_request": {"number": 7,
            "head": {"sha": "abc", "repo": {"full_name": "fork/notes"}},
            "base": {"repo": {"full_name": "octo/notes"}}}})
        .to_string(),
    )
    .expect("write event");
    let event = event.to_string_lossy().to_string();
    let env = ActionsEnv::from_lookup(|k| match k {
        "GITHUB_EVENT_NAME" => Some("pull_request".to_string()),
        "GITHUB_EVENT_PATH" => Some(event.clone()),
        _ => None,
    });
    let report = after_deploy(&client(&server), &env, &preview_info(7));
    assert_eq!(report.comment, None);
    assert_eq!(report.warnings.len(), 1);
    assert!(report.warnings[0].message.contains("comes from a fork"));
    assert!(server
        .requests()
        .iter()
        .all(|r| !r.path.contains("/issues/")));
}

#[test]
fn errors_explain_a_refused_token_and_never_show_it() {
    let server = FakeGithub::start(|_| Reply::error(401, "Bad credentials"));
    let c = client(&server);
    let err = c.pages_site("octo/notes").expect_err("401");
    assert_eq!(err.status(), Some(401));
    assert_eq!(
        err.to_string(),
        "GitHub API GET /repos/octo/notes/pages failed: 401 Bad credentials"
    );
    let hint = err.hint().unwrap_or_default();
    assert!(hint.contains("token was refused"), "{hint}");
    let report = after_deploy(&c, &env(), &preview_info(3));
    let errors = [
        c.create_deployment("octo/notes", "main", "github-pages", "d", false)
            .expect_err("401"),
        c.upsert_pr_comment("octo/notes", 3, "<!-- m -->", "hi")
            .expect_err("401"),
        err,
    ];
    let mut text = format!("{c:?}\n{}", all_text(&report));
    for e in &errors {
        text.push_str(&format!("{e}\n{e:?}\n{:?}\n", e.hint()));
    }
    assert!(text.contains("Bad credentials"));
    assert!(!text.contains(TOKEN), "the token leaked:\n{text}");
    assert!(
        !text.contains("fakeToken"),
        "part of the token leaked:\n{text}"
    );
}

#[test]
fn an_unreachable_api_is_a_transport_warning() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let c = GithubClient::new(&format!("http://127.0.0.1:{port}/api/v3"), TOKEN).expect("client");
    let err = c.pages_site("octo/notes").expect_err("unreachable");
    assert!(matches!(err, ApiError::Transport { .. }), "{err:?}");
    assert!(!format!("{err}{err:?}").contains(TOKEN));
}
