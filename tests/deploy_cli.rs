//! `notes deploy` and `notes checkout` against real git servers started by the tests:
//! bare repositories on disk and `git http-backend` behind Basic auth on 127.0.0.1.
//! Every result is read back with the git command line, and every output is searched
//! for the token.

#[path = "common/git_http.rs"]
mod git_http;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use git_http::GitHttpServer;

const TOKEN: &str = "tok-5ecret-for-tests-91c2";

/// The result of one `notes` run, checked for the token.
struct Run {
    code: i32,
    stderr: String,
}

fn notes_cmd(args: &[&str], token: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_notes"));
    cmd.args(args)
        .env("GITHUB_TOKEN", token)
        .env("NO_COLOR", "1")
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.org");
    for var in [
        "GITHUB_ACTIONS",
        "GITHUB_REPOSITORY",
        "GITHUB_SERVER_URL",
        "GITHUB_OUTPUT",
        "GITHUB_SHA",
        "CI",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn finish(out: Output, token: &str) -> Run {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        assert!(
            !text.contains(token),
            "the token leaked into {name}:\n{text}"
        );
        assert!(!text.contains("panicked"), "panic:\n{text}");
    }
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr: format!("{stdout}{stderr}"),
    }
}

fn notes(args: &[&str]) -> Run {
    notes_with_token(args, TOKEN)
}

/// `deploy --no-build --dir DIR --remote REMOTE`: publish a ready folder.
fn deploy_dir_args<'a>(dir: &'a str, remote: &'a str) -> [&'a str; 6] {
    ["deploy", "--no-build", "--dir", dir, "--remote", remote]
}

/// `notes deploy --no-build --dir DIR --remote URL EXTRA...`.
fn deploy_dir(dir: &str, remote: &str, extra: &[&str]) -> Run {
    let mut args = deploy_dir_args(dir, remote).to_vec();
    args.extend_from_slice(extra);
    notes(&args)
}

fn notes_with_token(args: &[&str], token: &str) -> Run {
    let out = notes_cmd(args, token).output().expect("run notes");
    let run = finish(out, TOKEN);
    // Also never the token that was actually offered.
    assert!(!run.stderr.contains(token), "token leaked:\n{}", run.stderr);
    run
}

/// `git --git-dir REPO args...`, its stdout trimmed; panics on failure.
fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(repo)
        .args(args)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn git_ok(repo: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .arg("--git-dir")
        .arg(repo)
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn files_on(repo: &Path, rev: &str) -> Vec<String> {
    git(repo, &["ls-tree", "-r", "--name-only", rev])
        .lines()
        .map(str::to_string)
        .collect()
}

fn commits_on(repo: &Path, branch: &str) -> usize {
    git(repo, &["rev-list", "--count", branch])
        .parse()
        .expect("count")
}

/// A folder of static files.
fn folder(root: &Path, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = root.join(name);
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// A small notes site in its own git repository with one commit.
fn site_repo(root: &Path) -> PathBuf {
    let site = folder(
        root,
        "site",
        &[
            ("config.md", "@def website_title = \"Deploy test\"\n"),
            ("index.md", "# Home\n\nSee [the notes](/notes/).\n"),
            ("notes.md", "# Notes\n\nSome notes.\n"),
        ],
    );
    for args in [
        vec!["init", "-q", "-b", "main"],
        vec!["add", "."],
        vec![
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-qm",
            "first",
        ],
    ] {
        let ok = Command::new("git")
            .arg("-C")
            .arg(&site)
            .args(&args)
            .status()
            .expect("git")
            .success();
        assert!(ok, "git {args:?}");
    }
    site
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn server(root: &Path) -> (GitHttpServer, String, PathBuf) {
    let srv_root = root.join("srv");
    std::fs::create_dir_all(&srv_root).expect("mkdir");
    let server = GitHttpServer::start(&srv_root, TOKEN);
    let url = server.create_repo("site.git");
    (server, url, srv_root.join("site.git"))
}

/// The objects count from "N objects (...) pushed".
fn objects_pushed(out: &str) -> usize {
    let line = out
        .lines()
        .find(|l| l.starts_with("deployed "))
        .expect("a summary line");
    let i = line.find(" objects").expect("summary with objects");
    line[..i]
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a number")
}

#[test]
fn first_deploy_unchanged_redeploy_and_one_file_change() {
    let t = tmp();
    let (server, url, bare) = server(t.path());
    let site = site_repo(t.path());
    let site_s = site.to_str().expect("utf8");

    let run = notes(&["deploy", site_s, "--remote", &url]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("deployed"), "{}", run.stderr);
    let files = files_on(&bare, "gh-pages");
    for f in [".nojekyll", "index.html", "notes/index.html"] {
        assert!(files.contains(&f.to_string()), "{f} missing: {files:?}");
    }
    assert_eq!(commits_on(&bare, "gh-pages"), 1);
    let head = git(&site.join(".git"), &["rev-parse", "HEAD"]);
    let message = git(&bare, &["log", "-1", "--format=%B", "gh-pages"]);
    assert_eq!(
        message,
        format!(
            "Deploy site@{} to gh-pages\n\nSource-Commit: site@{head}",
            &head[..7]
        )
    );
    let author = git(&bare, &["log", "-1", "--format=%an <%ae>", "gh-pages"]);
    assert_eq!(author, "Test Author <author@example.org>");
    let pushes = server.pushes();
    assert_eq!(pushes, 1);

    // The same site again: no commit, no push.
    let run = notes(&["deploy", site_s, "--remote", &url]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("unchanged"), "{}", run.stderr);
    assert_eq!(commits_on(&bare, "gh-pages"), 1);
    assert_eq!(server.pushes(), pushes);

    // One file of a prebuilt folder changes: the blob, the root tree and the commit travel.
    let out = folder(
        t.path(),
        "out",
        &[("a.html", "a"), ("b.html", "b"), ("sub/c.html", "c")],
    );
    let out_s = out.to_str().expect("utf8");
    let run = deploy_dir(out_s, &url, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::write(out.join("b.html"), "b, edited").expect("edit");
    let run = deploy_dir(out_s, &url, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(objects_pushed(&run.stderr), 3, "{}", run.stderr);
    assert!(run.stderr.contains("1 changed"), "{}", run.stderr);
    assert_eq!(git(&bare, &["show", "gh-pages:b.html"]), "b, edited");
    assert_eq!(commits_on(&bare, "gh-pages"), 3);
}

#[test]
fn cname_is_carried_over_and_can_be_replaced() {
    let t = tmp();
    let (_server, url, bare) = server(t.path());
    let out = folder(t.path(), "out", &[("index.html", "v1")]);
    let out_s = out.to_str().expect("utf8");
    let run = deploy_dir(out_s, &url, &["--cname", "notes.example.org"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("published at https://notes.example.org/"),
        "{}",
        run.stderr
    );
    std::fs::write(out.join("index.html"), "v2").expect("edit");
    let run = deploy_dir(out_s, &url, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(git(&bare, &["show", "gh-pages:CNAME"]), "notes.example.org");
    assert_eq!(git(&bare, &["show", "gh-pages:index.html"]), "v2");
    let run = deploy_dir(out_s, &url, &["--cname", "docs.example.com"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(git(&bare, &["show", "gh-pages:CNAME"]), "docs.example.com");
}

#[test]
fn orphan_history_keeps_one_commit_on_a_path_remote() {
    let t = tmp();
    let bare = t.path().join("pages.git");
    assert!(Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&bare)
        .status()
        .expect("git")
        .success());
    let remote = bare.to_str().expect("utf8");
    let out = folder(t.path(), "out", &[("index.html", "one")]);
    let out_s = out.to_str().expect("utf8");
    for (i, text) in ["one", "two", "three"].iter().enumerate() {
        std::fs::write(out.join("index.html"), text).expect("write");
        let history = if i == 0 { "keep" } else { "orphan" };
        let run = deploy_dir(out_s, remote, &["--history", history]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    assert_eq!(commits_on(&bare, "gh-pages"), 1);
    assert_eq!(git(&bare, &["show", "gh-pages:index.html"]), "three");
    // Squashing an unchanged site that has one commit already changes nothing.
    let run = deploy_dir(out_s, remote, &["--history", "orphan"]);
    assert!(run.stderr.contains("unchanged"), "{}", run.stderr);
}

#[test]
fn preview_deploy_survives_main_deploys_and_is_removed() {
    let t = tmp();
    let (_server, url, bare) = server(t.path());
    let main = folder(t.path(), "main", &[("index.html", "main v1")]);
    let preview = folder(
        t.path(),
        "preview",
        &[("index.html", "preview"), ("css/x.css", "x")],
    );
    let main_s = main.to_str().expect("utf8");
    let preview_s = preview.to_str().expect("utf8");

    let run = deploy_dir(main_s, &url, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = deploy_dir(preview_s, &url, &["--preview", "7"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        files_on(&bare, "gh-pages"),
        [
            ".nojekyll",
            "index.html",
            "previews/pr-7/css/x.css",
            "previews/pr-7/index.html"
        ]
    );
    assert_eq!(git(&bare, &["show", "gh-pages:index.html"]), "main v1");

    // A main deploy keeps previews/.
    std::fs::write(main.join("index.html"), "main v2").expect("edit");
    let run = deploy_dir(main_s, &url, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        git(&bare, &["show", "gh-pages:previews/pr-7/index.html"]),
        "preview"
    );
    assert_eq!(git(&bare, &["show", "gh-pages:index.html"]), "main v2");

    let run = notes(&["deploy", "--remote", &url, "--remove-preview", "7"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(files_on(&bare, "gh-pages"), [".nojekyll", "index.html"]);
    // Removing it again is a no-op.
    let run = notes(&["deploy", "--remote", &url, "--remove-preview", "7"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("unchanged"), "{}", run.stderr);
}

#[test]
fn preview_build_links_point_into_the_preview_folder() {
    let t = tmp();
    let (_server, url, bare) = server(t.path());
    let site = site_repo(t.path());
    let run = notes(&[
        "deploy",
        site.to_str().expect("utf8"),
        "--remote",
        &url,
        "--preview",
        "3",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let home = git(&bare, &["show", "gh-pages:previews/pr-3/index.html"]);
    assert!(home.contains("href=\"/previews/pr-3/notes/\""), "{home}");
}

#[test]
fn wrong_token_fails_once_with_a_clear_error() {
    let t = tmp();
    let (server, url, bare) = server(t.path());
    let out = folder(t.path(), "out", &[("index.html", "x")]);
    let out = out.to_str().expect("utf8");
    let run = notes_with_token(&deploy_dir_args(out, &url), "not-the-token");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("refused the token"), "{}", run.stderr);
    // One challenge and one refused answer: no replay loop.
    let unauthorized = server
        .seen
        .unauthorized
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!(unauthorized <= 2, "{unauthorized} requests answered 401");
    assert!(!git_ok(&bare, &["rev-parse", "--verify", "gh-pages"]));

    // No token at all: say how to give one.
    let mut cmd = notes_cmd(&deploy_dir_args(out, &url), "");
    cmd.env_remove("GITHUB_TOKEN");
    let run = finish(cmd.output().expect("run"), TOKEN);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("set GITHUB_TOKEN"), "{}", run.stderr);
}

#[test]
fn forbidden_push_gets_the_permissions_hint() {
    let t = tmp();
    let (server, url, bare) = server(t.path());
    server
        .forbid_push
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let out = folder(t.path(), "out", &[("index.html", "x")]);
    let run = deploy_dir(out.to_str().expect("utf8"), &url, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("HTTP 403"), "{}", run.stderr);
    assert!(
        run.stderr.contains("permissions: contents: write"),
        "{}",
        run.stderr
    );
    assert!(!git_ok(&bare, &["rev-parse", "--verify", "gh-pages"]));
}

#[cfg(unix)]
fn hook(bare: &Path, name: &str, script: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    let path = bare.join("hooks").join(name);
    std::fs::write(&path, script).expect("write hook");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[cfg(unix)]
#[test]
fn a_refusing_hook_fails_the_deploy_although_the_push_call_succeeds() {
    let t = tmp();
    let (_server, url, bare) = server(t.path());
    hook(
        &bare,
        "pre-receive",
        "#!/bin/sh\necho 'GH006: Protected branch update failed for refs/heads/gh-pages.' >&2\nexit 1\n",
    );
    let out = folder(t.path(), "out", &[("index.html", "x")]);
    let run = deploy_dir(out.to_str().expect("utf8"), &url, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("remote: GH006"), "{}", run.stderr);
    assert!(
        run.stderr.contains("the branch is protected"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("retrying"),
        "a refusal is not a race:\n{}",
        run.stderr
    );
    assert!(!git_ok(&bare, &["rev-parse", "--verify", "gh-pages"]));
}

#[cfg(unix)]
#[test]
fn two_concurrent_deploys_both_land() {
    let t = tmp();
    let (_server, url, bare) = server(t.path());
    let base = folder(t.path(), "base", &[("index.html", "base")]);
    let run = deploy_dir(base.to_str().expect("utf8"), &url, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Hold every push in the hook long enough for the other deploy to fetch the same tip.
    hook(
        &bare,
        "pre-receive",
        "#!/bin/sh\ncat >/dev/null\nsleep 2\nexit 0\n",
    );
    let a = folder(t.path(), "a", &[("index.html", "from A"), ("a.html", "a")]);
    let b = folder(t.path(), "b", &[("index.html", "from B"), ("b.html", "b")]);
    let spawn = |dir: &Path| {
        notes_cmd(&deploy_dir_args(dir.to_str().expect("utf8"), &url), TOKEN)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let first = spawn(&a);
    std::thread::sleep(Duration::from_millis(500));
    let second = spawn(&b);
    let ra = finish(first.wait_with_output().expect("wait"), TOKEN);
    let rb = finish(second.wait_with_output().expect("wait"), TOKEN);
    assert_eq!(ra.code, 0, "A: {}", ra.stderr);
    assert_eq!(rb.code, 0, "B: {}", rb.stderr);
    let retried = [&ra, &rb]
        .iter()
        .filter(|r| r.stderr.contains("got there first"))
        .count();
    assert!(
        retried >= 1,
        "no retry happened:\nA: {}\nB: {}",
        ra.stderr,
        rb.stderr
    );

    // History: base, then both deploys; the tip is whichever landed last.
    assert_eq!(commits_on(&bare, "gh-pages"), 3);
    let tip = git(&bare, &["show", "gh-pages:index.html"]);
    let before = git(&bare, &["show", "gh-pages~1:index.html"]);
    let mut both = [tip.clone(), before];
    both.sort();
    assert_eq!(both, ["from A", "from B"]);
    assert_eq!(git(&bare, &["show", "gh-pages~2:index.html"]), "base");
    let last = if tip == "from A" { "a.html" } else { "b.html" };
    let mut expected = vec![".nojekyll", "index.html", last];
    expected.sort();
    assert_eq!(files_on(&bare, "gh-pages"), expected);
    eprintln!("A: {}\nB: {}", ra.stderr, rb.stderr);
}

#[test]
fn a_build_error_deploys_nothing() {
    let t = tmp();
    let (server, url, bare) = server(t.path());
    let site = site_repo(t.path());
    std::fs::write(
        site.join("broken.md"),
        "# Broken\n\nAn unknown \\nosuchcommand{x} here.\n",
    )
    .expect("write");
    let run = notes(&["deploy", site.to_str().expect("utf8"), "--remote", &url]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("broken.md:3"), "{}", run.stderr);
    assert!(run.stderr.contains("not deployed"), "{}", run.stderr);
    assert_eq!(server.pushes(), 0);
    assert!(!git_ok(&bare, &["rev-parse", "--verify", "gh-pages"]));
}

#[test]
fn dry_run_pushes_nothing() {
    let t = tmp();
    let (server, url, bare) = server(t.path());
    let out = folder(t.path(), "out", &[("index.html", "x"), ("y.html", "y")]);
    let run = deploy_dir(out.to_str().expect("utf8"), &url, &["--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("dry run"), "{}", run.stderr);
    assert!(
        run.stderr.contains("would change 3 of the 2 files") || run.stderr.contains("would change"),
        "{}",
        run.stderr
    );
    assert_eq!(server.pushes(), 0);
    assert!(!git_ok(&bare, &["rev-parse", "--verify", "gh-pages"]));
}

#[test]
fn checkout_clones_branches_tags_and_commits() {
    let t = tmp();
    let (_server, url, bare) = server(t.path());
    // Fill the served repository with the git command line.
    let work = site_repo(t.path());
    let run_git = |args: &[&str]| {
        let ok = Command::new("git")
            .arg("-C")
            .arg(&work)
            .args(args)
            .status()
            .expect("git")
            .success();
        assert!(ok, "git {args:?}");
    };
    run_git(&["tag", "v1"]);
    std::fs::write(work.join("index.md"), "# Home, second\n").expect("edit");
    run_git(&[
        "-c",
        "user.name=T",
        "-c",
        "user.email=t@example.org",
        "commit",
        "-qam",
        "second",
    ]);
    run_git(&["push", "-q", bare.to_str().expect("utf8"), "main", "v1"]);
    let first = git(&bare, &["rev-parse", "v1^{commit}"]);
    let clone = |name: &str, extra: &[&str]| {
        let dest = t.path().join(name);
        let mut args = vec!["checkout", url.as_str(), dest.to_str().expect("utf8")];
        args.extend_from_slice(extra);
        (notes(&args), dest)
    };

    let (run, dest) = clone("clone-main", &["--depth", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(dest.join("index.md")).expect("read"),
        "# Home, second\n"
    );

    let (run, dest) = clone("clone-tag", &["--ref", "v1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("tag v1"), "{}", run.stderr);
    assert_eq!(git(&dest.join(".git"), &["rev-parse", "HEAD"]), first);

    let (run, dest) = clone("clone-commit", &["--ref", &first[..10]]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(git(&dest.join(".git"), &["rev-parse", "HEAD"]), first);

    let (run, dest) = clone("clone-missing", &["--ref", "no-such-branch"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("no branch or tag `no-such-branch`"),
        "{}",
        run.stderr
    );
    assert!(!dest.exists());

    let run = notes_with_token(
        &["checkout", &url, t.path().join("x").to_str().expect("utf8")],
        "wrong",
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("refused the token"), "{}", run.stderr);
}
