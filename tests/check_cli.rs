//! `notes check` driven as a process on a fixture site with one problem of each kind;
//! terminal text, workflow commands and the step summary are golden files
//! (`tests/golden/check/`, rewritten with `UPDATE_GOLDEN=1`, then reviewed).

#[path = "common/fixtures.rs"]
mod fixtures;

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn check(site: &str, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_notes"));
    cmd.arg("check")
        .arg(format!("tests/fixtures/{site}"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run notes check")
}

fn golden(name: &str, got: &str) {
    let path = root().join("tests/golden/check").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("golden dir");
        std::fs::write(&path, got).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(expected, got, "{} differs", path.display());
}

#[test]
fn every_problem_is_reported_with_its_place_in_the_terminal() {
    let out = check("check_site", &["--format", "human"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    golden("human.txt", &stderr);
}

#[test]
fn ten_errors_in_five_files_in_one_run_in_a_stable_order() {
    let first = check("check_site", &["--format", "json"], &[]);
    let second = check("check_site", &["--format", "json"], &[]);
    assert_eq!(
        first.stdout, second.stdout,
        "the order changed between runs"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&first.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let errors: Vec<&serde_json::Value> =
        lines.iter().filter(|d| d["severity"] == "error").collect();
    assert_eq!(errors.len(), 10, "{lines:#?}");
    let mut files: Vec<&str> = errors.iter().filter_map(|d| d["file"].as_str()).collect();
    files.dedup();
    assert_eq!(
        files,
        vec![
            "extra.md",
            "guide.md",
            "index.md",
            "notes/a.md",
            "notes/c.md"
        ]
    );
    for d in &lines {
        for key in [
            "severity", "code", "message", "file", "line", "column", "help",
        ] {
            assert!(d.get(key).is_some(), "missing `{key}` in {d}");
        }
    }
}

#[test]
fn github_actions_gets_annotations_and_a_step_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("summary.md");
    let out = check(
        "check_site",
        &[],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().expect("utf-8 path")),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "lecturer/course"),
            ("GITHUB_SHA", "0123abc"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    golden("github.txt", &String::from_utf8_lossy(&out.stdout));
    golden(
        "summary.md",
        &std::fs::read_to_string(&summary).expect("step summary written"),
    );
}

#[test]
fn a_clean_site_passes() {
    let out = check("theme_site", &["--format", "human"], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no problems"));
}

#[test]
fn the_project_site_passes_its_own_check() {
    let out = check("../../site", &["--deny-warnings"], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_link_made_by_a_macro_is_reported_at_the_macro_use() {
    let (_dir, site) = fixtures::write_site(&[
        (
            "config.md",
            "\\newcommand{\\see}[1]{see [this page](/!#1/)}\n",
        ),
        (
            "index.md",
            "@def title = \"Home\"\n\nFirst line.\n\nPlease \\see{nowhere} now.\n",
        ),
    ]);
    let out = Command::new(env!("CARGO_BIN_EXE_notes"))
        .arg("check")
        .arg(&site)
        .args(["--format", "human"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error[broken-link]: `/nowhere/` does not lead"),
        "{stderr}"
    );
    assert!(stderr.contains("--> index.md:5:8"), "{stderr}");
}

#[test]
fn a_new_user_breaks_a_link_in_the_docs_and_is_told_where() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    fixtures::copy_dir(&root().join("site"), &site);
    let index = std::fs::read_to_string(site.join("index.md")).expect("index");
    assert!(
        index.contains("(/dialect/)"),
        "the docs changed; adjust this test"
    );
    std::fs::write(
        site.join("index.md"),
        index.replacen("(/dialect/)", "(/dialekt/)", 1),
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_notes"))
        .arg("check")
        .arg(&site)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let line = index
        .lines()
        .position(|l| l.contains("(/dialect/)"))
        .expect("line")
        + 1;
    assert!(
        stderr.contains("`/dialekt/` does not lead to a page or file of the site"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("--> index.md:{line}:")),
        "{stderr}"
    );
    assert!(stderr.contains("help:"), "{stderr}");
}
