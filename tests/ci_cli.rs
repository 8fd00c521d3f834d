//! `notes ci` end to end, as GitHub Actions runs it: `--repo` points at a smart-HTTP git
//! server started by the test, the site is cloned, built, checked and pushed back into the
//! same server, and the GitHub API calls go to a fake API that records them.

#[path = "common/fake_github.rs"]
mod fake_github;
#[path = "common/git_http.rs"]
mod git_http;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use fake_github::{FakeGithub, Recorded, Reply};
use git_http::GitHttpServer;
use serde_json::json;

const TOKEN: &str = "ghs_ci-test-token-7f3a9";
const REPO: &str = "octo/course";

fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn bare_git(bare: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(bare)
        .args(args)
        .output()
        .expect("run git");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The author's repository: a small site on `main`, pushed into the served bare repository.
struct Setup {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    work: PathBuf,
    bare: PathBuf,
    server: GitHttpServer,
    url: String,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().to_path_buf();
    let srv = root.join("srv");
    std::fs::create_dir_all(&srv).expect("mkdir");
    let server = GitHttpServer::start(&srv, TOKEN);
    let url = server.create_repo("course.git");
    let bare = srv.join("course.git");
    let work = root.join("work");
    std::fs::create_dir_all(work.join("notes")).expect("mkdir");
    std::fs::write(
        work.join("notes/config.md"),
        "@def website_title = \"Course\"\n",
    )
    .expect("write");
    std::fs::write(
        work.join("notes/index.md"),
        "# Course\n\nRead [lecture one](/lecture/#start).\n",
    )
    .expect("write");
    std::fs::write(
        work.join("notes/lecture.md"),
        "# Lecture\n\n## Start\n\nHello.\n",
    )
    .expect("write");
    git_in(&work, &["init", "-q", "-b", "main"]);
    git_in(&work, &["add", "."]);
    git_in(&work, &["commit", "-qm", "notes"]);
    git_in(&work, &["push", "-q", bare.to_str().expect("utf8"), "main"]);
    Setup {
        _tmp: tmp,
        root,
        work,
        bare,
        server,
        url,
    }
}

/// A fake API with Pages enabled, deployments, and a PR's comments kept in memory.
fn github() -> FakeGithub {
    let comments: Arc<Mutex<Vec<(u64, String)>>> = Arc::default();
    FakeGithub::start(move |r: &Recorded| {
        let path = r.path.split('?').next().unwrap_or("");
        let repo = format!("/api/v3/repos/{REPO}");
        let rest = path.strip_prefix(&repo).unwrap_or("");
        match (r.method.as_str(), rest) {
            ("GET", "/pages") => Reply::json(
                200,
                json!({"url": format!("http://x/repos/{REPO}/pages"), "status": "built",
                       "html_url": "https://octo.github.io/course/", "build_type": "legacy",
                       "source": {"branch": "gh-pages", "path": "/"}}),
            ),
            ("POST", "/deployments") => Reply::json(201, json!({"id": 77, "sha": "x"})),
            ("GET", "/deployments") => Reply::json(200, json!([{"id": 77}])),
            ("POST", "/deployments/77/statuses") => {
                Reply::json(201, json!({"id": 1, "state": "success"}))
            }
            ("GET", p) if p.ends_with("/comments") => {
                let list: Vec<_> = comments
                    .lock()
                    .expect("lock")
                    .iter()
                    .map(|(id, body)| json!({"id": id, "body": body}))
                    .collect();
                Reply::json(200, json!(list))
            }
            ("POST", p) if p.ends_with("/comments") => {
                let body = r.json()["body"].as_str().unwrap_or("").to_string();
                comments.lock().expect("lock").push((501, body.clone()));
                Reply::json(201, json!({"id": 501, "body": body}))
            }
            ("PATCH", "/issues/comments/501") => {
                let body = r.json()["body"].as_str().unwrap_or("").to_string();
                let mut all = comments.lock().expect("lock");
                if let Some(c) = all.iter_mut().find(|c| c.0 == 501) {
                    c.1 = body.clone();
                }
                Reply::json(200, json!({"id": 501, "body": body}))
            }
            _ => Reply::error(404, "Not Found"),
        }
    })
}

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
    outputs: String,
}

/// Runs `notes ci` with the variables GitHub Actions sets for `event_name` and `event`.
fn ci(s: &Setup, api: &FakeGithub, event_name: &str, event: serde_json::Value) -> Outcome {
    let event_path = s.root.join(format!("event-{event_name}.json"));
    std::fs::write(&event_path, event.to_string()).expect("write event");
    let output_file = s.root.join("github-output");
    let summary_file = s.root.join("step-summary");
    let _ = std::fs::remove_file(&output_file);
    let sha = git_in(&s.work, &["rev-parse", "HEAD"]);
    let out = Command::new(env!("CARGO_BIN_EXE_notes"))
        .args(["ci", "notes", "--repo", &s.url, "--ref", "main"])
        .env("GITHUB_ACTIONS", "true")
        .env("CI", "true")
        .env("GITHUB_REPOSITORY", REPO)
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_API_URL", api.api_base())
        .env("GITHUB_EVENT_NAME", event_name)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_SHA", &sha)
        .env("GITHUB_REF", "refs/heads/main")
        .env("GITHUB_RUN_ID", "4242")
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .env("GITHUB_TOKEN", TOKEN)
        .env("RUNNER_TEMP", &s.root)
        .env("NO_COLOR", "1")
        .output()
        .expect("run notes ci");
    let result = Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        outputs: std::fs::read_to_string(&output_file).unwrap_or_default(),
    };
    for text in [&result.stdout, &result.stderr, &result.outputs] {
        assert!(!text.contains(TOKEN), "the token leaked:\n{text}");
        assert!(!text.contains("panicked"), "panic:\n{text}");
    }
    result
}

fn push_event() -> serde_json::Value {
    json!({"ref": "refs/heads/main",
           "repository": {"full_name": REPO, "default_branch": "main"}})
}

fn pr_event(action: &str) -> serde_json::Value {
    json!({"action": action, "number": 5,
           "pull_request": {"number": 5,
               "head": {"sha": "abc123", "repo": {"full_name": REPO}},
               "base": {"repo": {"full_name": REPO}}},
           "repository": {"full_name": REPO, "default_branch": "main"}})
}

fn request<'a>(all: &'a [Recorded], method: &str, suffix: &str) -> &'a Recorded {
    all.iter()
        .find(|r| r.method == method && r.path.ends_with(suffix))
        .unwrap_or_else(|| panic!("no {method} …{suffix} in {all:#?}"))
}

#[test]
fn a_push_builds_checks_and_deploys_back_into_the_server() {
    let s = setup();
    let api = github();
    let run = ci(&s, &api, "push", push_event());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    let files = bare_git(&s.bare, &["ls-tree", "-r", "--name-only", "gh-pages"]).expect("gh-pages");
    assert!(files.lines().any(|f| f == "index.html"), "{files}");
    assert!(files.lines().any(|f| f == "lecture/index.html"), "{files}");
    assert!(files.lines().any(|f| f == ".nojekyll"), "{files}");
    let sha = git_in(&s.work, &["rev-parse", "HEAD"]);
    let message = bare_git(&s.bare, &["log", "-1", "--format=%B", "gh-pages"]).expect("log");
    assert!(
        message.contains(&format!("Source-Commit: {REPO}@{sha}")),
        "{message}"
    );
    assert!(
        run.outputs.contains("https://octo.github.io/course/"),
        "{}",
        run.outputs
    );
    assert!(run.outputs.contains("skipped"), "{}", run.outputs);

    let calls = api.requests();
    let auth = format!("Bearer {TOKEN}");
    let pages = request(&calls, "GET", "/repos/octo/course/pages");
    assert_eq!(pages.header("authorization"), Some(auth.as_str()));
    let deployment = request(&calls, "POST", "/repos/octo/course/deployments");
    assert_eq!(deployment.json()["ref"], json!(sha));
    assert_eq!(deployment.json()["environment"], json!("github-pages"));
    let status = request(&calls, "POST", "/repos/octo/course/deployments/77/statuses");
    assert_eq!(status.json()["state"], json!("success"));
    assert_eq!(
        status.json()["environment_url"],
        json!("https://octo.github.io/course/")
    );
    assert!(
        !calls.iter().any(|r| r.path.contains("/comments")),
        "a push comments on nothing"
    );

    // The same commit again: nothing new to publish.
    let again = ci(&s, &api, "push", push_event());
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(again.stderr.contains("unchanged"), "{}", again.stderr);
    assert!(again.outputs.contains("true"), "{}", again.outputs);
}

#[test]
fn a_broken_page_publishes_nothing_and_annotates_the_error() {
    let s = setup();
    let api = github();
    std::fs::write(
        s.work.join("notes/broken.md"),
        "# Broken\n\nThis uses \\undefinedmacro{x}.\n",
    )
    .expect("write");
    git_in(&s.work, &["add", "."]);
    git_in(&s.work, &["commit", "-qm", "broken"]);
    git_in(
        &s.work,
        &["push", "-q", s.bare.to_str().expect("utf8"), "main"],
    );

    let run = ci(&s, &api, "push", push_event());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("::error file=notes/broken.md,line=3"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("not published"), "{}", run.stdout);
    assert_eq!(s.server.pushes(), 0);
    assert_eq!(
        bare_git(&s.bare, &["rev-parse", "--verify", "gh-pages"]),
        None
    );
    assert!(api.requests().is_empty(), "no API call for a failed run");
}

#[test]
fn a_pull_request_gets_a_preview_and_a_comment_removed_when_closed() {
    let s = setup();
    let api = github();
    let main = ci(&s, &api, "push", push_event());
    assert_eq!(main.code, 0, "{}{}", main.stdout, main.stderr);

    let opened = ci(&s, &api, "pull_request", pr_event("opened"));
    assert_eq!(opened.code, 0, "{}{}", opened.stdout, opened.stderr);
    let files = bare_git(&s.bare, &["ls-tree", "-r", "--name-only", "gh-pages"]).expect("tree");
    assert!(
        files.lines().any(|f| f == "previews/pr-5/index.html"),
        "{files}"
    );
    assert!(files.lines().any(|f| f == "index.html"), "{files}");
    let preview_home =
        bare_git(&s.bare, &["show", "gh-pages:previews/pr-5/index.html"]).expect("page");
    assert!(
        preview_home.contains("/previews/pr-5/lecture/#start"),
        "links point into the preview: {preview_home}"
    );
    assert!(
        opened
            .outputs
            .contains("https://octo.github.io/course/previews/pr-5/"),
        "{}",
        opened.outputs
    );
    let calls = api.requests();
    let comment = request(&calls, "POST", "/repos/octo/course/issues/5/comments");
    let body = comment.json()["body"].as_str().unwrap_or("").to_string();
    assert!(body.contains("<!-- notes-preview -->"), "{body}");
    assert!(
        body.contains("https://octo.github.io/course/previews/pr-5/"),
        "{body}"
    );
    let deployment = calls
        .iter()
        .rfind(|r| r.method == "POST" && r.path.ends_with("/deployments"))
        .expect("deployment");
    assert_eq!(deployment.json()["environment"], json!("preview-pr-5"));

    let closed = ci(&s, &api, "pull_request", pr_event("closed"));
    assert_eq!(closed.code, 0, "{}{}", closed.stdout, closed.stderr);
    let files = bare_git(&s.bare, &["ls-tree", "-r", "--name-only", "gh-pages"]).expect("tree");
    assert!(!files.contains("previews/"), "{files}");
    assert!(files.lines().any(|f| f == "index.html"), "{files}");
    let calls = api.requests();
    let retired = calls
        .iter()
        .rfind(|r| r.method == "POST" && r.path.ends_with("/deployments/77/statuses"))
        .expect("a status");
    assert_eq!(retired.json()["state"], json!("inactive"));
    assert!(
        calls.iter().any(|r| r.method == "GET"
            && r.path
                .ends_with("/deployments?environment=preview-pr-5&per_page=100")),
        "{calls:#?}"
    );
    let patch = request(&calls, "PATCH", "/repos/octo/course/issues/comments/501");
    assert!(
        patch.json()["body"]
            .as_str()
            .unwrap_or("")
            .contains("removed"),
        "{:?}",
        patch.json()
    );
}
