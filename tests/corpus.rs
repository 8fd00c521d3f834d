//! Real Franklin sites from `../shared/corpus`, built and scored against Franklin's own
//! output with `../shared/tools/site-compare`. Skipped (with a note) when `../shared` is
//! absent, as on a user's fresh clone.

use std::path::PathBuf;
use std::process::Command;

fn shared() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let ok = dir.join("corpus").is_dir() && dir.join("tools/site-compare").is_file();
    if !ok {
        eprintln!("skipped: ../shared is not present");
    }
    ok.then_some(dir)
}

/// Builds a corpus site and returns (exit code, stderr, site-compare summary line).
fn build_and_compare(name: &str, eval_cache: bool) -> Option<(i32, String, String)> {
    let shared = shared()?;
    let site = shared.join("corpus").join(name);
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_notes"));
    cmd.arg("build")
        .arg(site.join("src"))
        .arg("--out")
        .arg(&out)
        .args(["--format", "human"])
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS");
    if eval_cache {
        cmd.arg("--eval-cache").arg(site.join("ref"));
    }
    let built = cmd.output().expect("run notes");
    let compare = Command::new("python3")
        .arg(shared.join("tools/site-compare"))
        .arg(site.join("ref"))
        .arg(&out)
        .output()
        .expect("run site-compare");
    let report = String::from_utf8_lossy(&compare.stdout).to_string();
    let summary = report
        .lines()
        .find(|l| l.starts_with("pages "))
        .unwrap_or("")
        .to_string();
    Some((
        built.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&built.stderr).to_string(),
        summary,
    ))
}

/// `pages N, missing M, content mean X ...` → (missing, content mean).
fn scores(summary: &str) -> (usize, f64) {
    let field = |name: &str| -> Option<&str> {
        let i = summary.find(name)? + name.len();
        summary[i..].split([',', ' ']).find(|s| !s.is_empty())
    };
    let missing = field("missing")
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    let mean = field("content mean")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    (missing, mean)
}

#[test]
fn trainingcamp_matches_franklin() {
    let Some((code, stderr, summary)) = build_and_compare("trainingcamp", false) else {
        return;
    };
    assert_eq!(code, 0, "{stderr}");
    let (missing, mean) = scores(&summary);
    assert_eq!(missing, 0, "{summary}");
    assert!(mean >= 0.97, "{summary}");
}

#[test]
fn franklin_docs_matches_franklin_with_its_eval_cache() {
    let Some((_, stderr, summary)) = build_and_compare("franklin-docs", true) else {
        return;
    };
    let (missing, mean) = scores(&summary);
    assert_eq!(missing, 0, "{summary}");
    assert!(mean >= 0.95, "{summary}");
    // The one page that calls a utils.jl function is reported, with its place.
    assert!(
        stderr.contains("syntax/utils.md") && stderr.contains("lx_escape"),
        "{stderr}"
    );
}

#[test]
fn julia_workshop_builds_without_errors() {
    let Some((code, stderr, summary)) = build_and_compare("julia-workshop", false) else {
        return;
    };
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("error["), "{stderr}");
    let (missing, _) = scores(&summary);
    assert_eq!(missing, 0, "{summary}");
}
