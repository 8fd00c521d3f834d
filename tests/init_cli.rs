//! `notes init` driven as a process: the new site builds and checks with no problems for
//! each CI flavour, and an existing site is never overwritten.

#[path = "common/fixtures.rs"]
mod fixtures;

use std::path::Path;

use assert_cmd::Command;

fn notes() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_notes"));
    cmd.env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITLAB_CI");
    cmd
}

/// `notes init DIR --ci CI`, asserting it succeeds and lists what it created.
fn init(dir: &Path, ci: &str, expected: &[&str]) {
    let out = notes()
        .arg("init")
        .arg(dir)
        .args(["--ci", ci])
        .output()
        .expect("run notes init");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let created: Vec<String> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("created  "))
        .map(|p| {
            Path::new(p)
                .strip_prefix(dir)
                .map(|r| r.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(created, expected, "{stdout}");
    assert!(stdout.contains("Next:"), "{stdout}");
    assert!(stdout.contains("notes serve"), "{stdout}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds and checks the site, asserting neither reports any error or warning.
fn builds_and_checks_cleanly(dir: &Path) {
    let build = notes()
        .arg("build")
        .arg(dir)
        .args(["--deny-warnings", "--format", "human"])
        .output()
        .expect("run notes build");
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert_eq!(build.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("warning") && !stderr.contains("error"),
        "{stderr}"
    );
    assert!(dir.join("__site/index.html").is_file());
    assert!(dir.join("__site/lecture-1/index.html").is_file());
    // Repository files are not published.
    assert!(!dir.join("__site/.github").exists());
    assert!(!dir.join("__site/.gitlab-ci.yml").exists());

    let check = notes()
        .arg("check")
        .arg(dir)
        .args(["--deny-warnings", "--format", "json"])
        .output()
        .expect("run notes check");
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&check.stdout), "", "no diagnostics");
}

#[test]
fn github_flavour_builds_and_checks_with_no_problems() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("course");
    init(
        &dir,
        "github",
        &[
            "config.md",
            "index.md",
            "lecture-1.md",
            ".github/workflows/pages.yml",
            ".gitignore",
        ],
    );
    let workflow =
        std::fs::read_to_string(dir.join(".github/workflows/pages.yml")).expect("workflow");
    for needle in [
        "uses: OWNER/notes@main",
        "contents: write",
        "pages: read",
        "deployments: write",
        "pull-requests: write",
        "cancel-in-progress: false",
        "types: [opened, synchronize, reopened, closed]",
    ] {
        assert!(workflow.contains(needle), "{needle} missing:\n{workflow}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.join(".gitignore")).expect("gitignore"),
        "# The built site (notes build writes it here).\n__site/\n"
    );
    builds_and_checks_cleanly(&dir);
}

#[test]
fn gitlab_flavour_builds_and_checks_with_no_problems() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("course");
    init(
        &dir,
        "gitlab",
        &[
            "config.md",
            "index.md",
            "lecture-1.md",
            ".gitlab-ci.yml",
            ".gitignore",
        ],
    );
    let ci = std::fs::read_to_string(dir.join(".gitlab-ci.yml")).expect("gitlab-ci");
    assert!(ci.contains("notes check . --format gitlab > gl-code-quality-report.json"));
    assert!(ci.contains("codequality: gl-code-quality-report.json"));
    assert!(ci.contains("notes build . --out public"));
    builds_and_checks_cleanly(&dir);

    // What the merge-request job runs: an empty Code Quality report.
    let out = notes()
        .current_dir(&dir)
        .args(["check", ".", "--format", "gitlab"])
        .output()
        .expect("run notes check");
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report, serde_json::json!([]));
}

#[test]
fn no_ci_writes_no_workflow() {
    let tmp = tempfile::tempdir().expect("tempdir");
    init(
        tmp.path(),
        "none",
        &["config.md", "index.md", "lecture-1.md", ".gitignore"],
    );
    assert_eq!(
        fixtures::list_files(tmp.path()),
        [".gitignore", "config.md", "index.md", "lecture-1.md"]
    );
}

#[test]
fn an_existing_site_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("config.md"), "@def title = \"mine\"\n").expect("write");
    std::fs::write(tmp.path().join("notes.md"), "# Mine\n").expect("write");
    let out = notes()
        .arg("init")
        .arg(tmp.path())
        .output()
        .expect("run notes init");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let config = tmp.path().join("config.md");
    assert_eq!(
        stderr,
        format!(
            "error: a file already exists: {}\n  hint: notes init never replaces files; choose an \
             empty or new folder, e.g. `notes init my-notes`, or move those files away first\n",
            config.display()
        )
    );
    assert!(out.stdout.is_empty());
    assert_eq!(fixtures::list_files(tmp.path()), ["config.md", "notes.md"]);
    assert_eq!(
        std::fs::read_to_string(config).expect("read"),
        "@def title = \"mine\"\n"
    );
}

#[test]
fn an_existing_repository_keeps_its_files_and_gitignore() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("README.md"), "# Course\n").expect("write");
    std::fs::write(tmp.path().join(".gitignore"), "*.log\n").expect("write");
    let out = notes()
        .arg("init")
        .arg(tmp.path())
        .args(["--ci", "none"])
        .output()
        .expect("run notes init");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("updated  "));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join(".gitignore")).expect("read"),
        "*.log\n__site/\n"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("README.md")).expect("read"),
        "# Course\n"
    );
    builds_and_checks_cleanly(tmp.path());
}

#[test]
fn the_action_and_every_workflow_file_is_valid_yaml() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![
        root.join("action.yml"),
        root.join("src/scaffold/github-pages.yml"),
        root.join("src/scaffold/gitlab-ci.yml"),
    ];
    for entry in std::fs::read_dir(root.join(".github/workflows")).expect("workflows") {
        files.push(entry.expect("entry").path());
    }
    assert!(files.len() >= 5, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        assert_eq!(
            notes::check::code::validate("yaml", &text),
            None,
            "{}",
            file.display()
        );
        // Inputs reach shell scripts only through `env:`, never as `${{ }}` inside `run:`.
        let doc: serde_json::Value = serde_saphyr::from_str(&text).expect("YAML");
        let mut runs = Vec::new();
        collect_runs(&doc, &mut runs);
        for run in runs {
            assert!(!run.contains("${{"), "{}: {run}", file.display());
        }
    }
}

/// Every `run:` script in a parsed workflow or action.
fn collect_runs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("run", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => collect_runs(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_runs(v, out)),
        _ => {}
    }
}
