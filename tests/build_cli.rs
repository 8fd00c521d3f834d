//! `notes build` driven as a process on fixture sites, compared with reviewed golden output
//! (`tests/golden/build/<site>/`; run with `UPDATE_GOLDEN=1` to rewrite, then review).

#[path = "common/fixtures.rs"]
mod fixtures;

use std::path::{Path, PathBuf};
use std::process::Command;

fn notes() -> Command {
    Command::new(env!("CARGO_BIN_EXE_notes"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Dates that depend on when the fixture was checked out are masked.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("<lastmod>") {
        out.push_str(&rest[..i + 9]);
        rest = &rest[i + 9..];
        if let Some(e) = rest.find("</lastmod>") {
            out.push_str("DATE");
            rest = &rest[e..];
        }
    }
    out.push_str(rest);
    out
}

fn build(site: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    notes()
        .arg("build")
        .arg(root().join("tests/fixtures").join(site))
        .arg("--out")
        .arg(out)
        .args(extra)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run notes")
}

fn check_golden(site: &str) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let result = build(site, &out, &[]);
    assert!(
        result.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let golden = root().join("tests/golden/build").join(site);
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let produced = fixtures::list_files(&out);
    let manifest = produced.join("\n") + "\n";
    let mut failures = Vec::new();
    if update {
        let _ = std::fs::remove_dir_all(&golden);
        std::fs::create_dir_all(&golden).expect("golden dir");
        std::fs::write(golden.join("MANIFEST"), &manifest).expect("write manifest");
    } else {
        let expected = std::fs::read_to_string(golden.join("MANIFEST")).unwrap_or_default();
        if expected != manifest {
            failures.push(format!(
                "file list differs:\n--- expected\n{expected}--- got\n{manifest}"
            ));
        }
    }
    for rel in produced.iter().filter(|r| {
        r.ends_with(".html")
            || r.ends_with(".xml")
            || r.ends_with(".txt")
            || r.ends_with("notes-nav.js")
    }) {
        let got = normalise(&std::fs::read_to_string(out.join(rel)).expect("read output"));
        let gpath = golden.join(rel);
        if update {
            if let Some(parent) = gpath.parent() {
                std::fs::create_dir_all(parent).expect("golden subdir");
            }
            std::fs::write(&gpath, &got).expect("write golden");
        } else if std::fs::read_to_string(&gpath).ok().as_deref() != Some(got.as_str()) {
            failures.push(format!("{rel} differs from {}", gpath.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn franklin_layout_site_matches_golden() {
    check_golden("franklin_site");
}

#[test]
fn theme_site_matches_golden() {
    check_golden("theme_site");
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for site in ["franklin_site", "theme_site"] {
        let one = tmp.path().join(format!("{site}-1"));
        let four = tmp.path().join(format!("{site}-4"));
        assert!(build(site, &one, &["--jobs", "1"]).status.success());
        assert!(build(site, &four, &["--jobs", "4"]).status.success());
        let list = fixtures::list_files(&one);
        assert_eq!(list, fixtures::list_files(&four));
        for rel in list {
            let a = std::fs::read(one.join(&rel)).expect("read");
            let b = std::fs::read(four.join(&rel)).expect("read");
            assert!(a == b, "{rel} differs between --jobs 1 and --jobs 4");
        }
    }
}

#[test]
fn unchanged_files_are_not_rewritten_and_stale_files_are_removed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    assert!(build("theme_site", &out, &[]).status.success());
    let page = out.join("lectures/week1/index.html");
    let before = std::fs::metadata(&page)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::fs::write(out.join("stale.html"), "old").expect("write stale");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(build("theme_site", &out, &[]).status.success());
    let after = std::fs::metadata(&page)
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(before, after, "an unchanged page was rewritten");
    assert!(!out.join("stale.html").exists(), "a stale file survived");
}

#[test]
fn prepath_prefixes_root_relative_links() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    assert!(build("franklin_site", &out, &["--prepath", "course"])
        .status
        .success());
    let index = std::fs::read_to_string(out.join("index.html")).expect("index");
    assert!(index.contains(r#"href="/course/css/main.css""#), "{index}");
    assert!(
        index.contains(r#"href="/course/blog/first/#details""#),
        "{index}"
    );
    assert!(!index.contains(r#"href="/css/main.css""#));
    // Generated pages get the prefix too.
    let tag = std::fs::read_to_string(out.join("tag/news/index.html")).expect("tag page");
    assert!(tag.contains(r#"href="/course/blog/first/""#), "{tag}");
    assert!(!tag.contains(r#"href="/blog/first/""#), "{tag}");
}

#[test]
fn a_page_with_errors_exits_1_and_names_the_place() {
    let (_tmp, site) = fixtures::write_site(&[("index.md", "# Home\n\nA \\nosuch command.\n")]);
    let out = notes()
        .args(["build", "--format", "human"])
        .arg(&site)
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error[unknown-command]: unknown command `\\nosuch`"),
        "{stderr}"
    );
    assert!(stderr.contains("index.md:3:3"), "{stderr}");
}

#[test]
fn other_pages_read_the_file_variables_of_pages_laid_out_early() {
    // `notes/a.md` has no `{{ }}` block, so the theme lays it out while pages are still
    // being converted, before its `fd_` variables are needed; the index reads them.
    let (tmp, site) = fixtures::write_site(&[
        (
            "config.md",
            "@def website_url = \"https://example.org/course\"\n",
        ),
        ("notes/a.md", "# A\n\nPlain page.\n"),
        (
            "index.md",
            "# Home\n\n[{{fill fd_rpath notes/a}}]({{fill fd_url notes/a}}) at \
             {{fill fd_full_url notes/a}}, changed {{fill fd_mtime notes/a}}; \
             this is {{fd_url}}.\n",
        ),
    ]);
    let out_dir = tmp.path().join("out");
    let out = notes()
        .arg("build")
        .arg(&site)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let index = std::fs::read_to_string(out_dir.join("index.html")).expect("index written");
    assert!(
        index.contains("<a href=\"/notes/a/index.html\">notes/a.md</a>"),
        "{index}"
    );
    assert!(
        index.contains(" at https://example.org/course/notes/a/index.html, changed "),
        "{index}"
    );
    assert!(!index.contains("changed ;"), "fd_mtime is set: {index}");
    assert!(index.contains("this is /index.html."), "{index}");
}

#[test]
fn problems_found_while_laying_out_point_into_the_page_source() {
    // A plain build keeps no source for pages whose conversion was clean: layout problems
    // must still name their line and column.
    let (tmp, site) = fixtures::write_site(&[(
        "index.md",
        "# Home\n\nText.\n\nValue: {{fill nosuch}} and $\\frac{1}$.\n",
    )]);
    let out = notes()
        .args(["build", "--format", "github"])
        .arg(&site)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all = format!("{stdout}{stderr}");
    assert!(
        all.contains("line=5,col=8,endColumn=22,title=undefined-variable"),
        "{all}"
    );
    assert!(all.contains("line=5,col=30,"), "{all}");
    assert!(all.contains("title=math-render"), "{all}");
}

#[test]
fn a_missing_site_folder_exits_2() {
    let out = notes()
        .args(["build", "/nonexistent/notes-site"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(stderr.contains("hint:"), "{stderr}");
}

#[test]
fn bad_arguments_exit_2() {
    let out = notes()
        .args(["build", "--jobs", "many"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn piped_output_is_quiet_on_success() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = build("theme_site", &tmp.path().join("out"), &[]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_project_site_builds_without_errors_or_warnings() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = notes()
        .arg("build")
        .arg(root().join("site"))
        .arg("--out")
        .arg(tmp.path().join("out"))
        .args(["--deny-warnings", "--format", "json"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn fail_fast_stops_early_and_still_fails() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = tmp.path().join("site");
    std::fs::create_dir_all(&site).expect("site");
    for k in 0..40 {
        std::fs::write(
            site.join(format!("p{k:02}.md")),
            format!("# P{k}\n\n\\broken{k}\n"),
        )
        .expect("page");
    }
    let run = |extra: &[&str]| {
        notes()
            .args(["build", "--format", "json", "--jobs", "1"])
            .arg(&site)
            .args(extra)
            .output()
            .expect("run")
    };
    let all = run(&[]);
    let fast = run(&["--fail-fast"]);
    assert_eq!(all.status.code(), Some(1));
    assert_eq!(fast.status.code(), Some(1));
    let count = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).lines().count();
    assert_eq!(count(&all), 40);
    assert!(
        count(&fast) < 40,
        "--fail-fast reported {} problems",
        count(&fast)
    );
    assert!(count(&fast) >= 1);
}

#[test]
fn help_names_the_exit_codes() {
    for cmd in [
        vec!["--help"],
        vec!["build", "--help"],
        vec!["check", "--help"],
    ] {
        let out = notes().args(&cmd).output().expect("run");
        assert!(out.status.success());
        // Help is wrapped to the terminal width: compare with whitespace folded.
        let text = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains("2 notes could not run"), "{cmd:?}: {text}");
    }
}

#[test]
fn cached_conversions_follow_the_files_a_page_reads() {
    use notes::render::{build_cached, BuildOptions, BuildSession, NoProgress};
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = tmp.path().join("site");
    std::fs::create_dir_all(site.join("_assets")).expect("site");
    std::fs::write(site.join("index.md"), "# Home\n\nPlain page ONE.\n").expect("index");
    std::fs::write(
        site.join("inc.md"),
        "# Inc\n\n\\textinput{/_assets/part.md}\n",
    )
    .expect("inc");
    std::fs::write(site.join("_assets/part.md"), "Included FIRST.\n").expect("part");
    std::fs::write(site.join("code.md"), "# Code\n\n```\nx = 1\n```\n").expect("code");
    let opts = BuildOptions {
        site: site.clone(),
        out: tmp.path().join("out"),
        prepath: None,
        eval_cache: None,
        final_pass: true,
        fail_fast: false,
        subfolder: None,
        check_data: true,
        one_shot: false,
    };
    let cache = BuildSession::default();
    let read = |rel: &str| std::fs::read_to_string(tmp.path().join("out").join(rel)).expect("out");
    build_cached(&opts, &NoProgress, Some(&cache)).expect("build");
    assert!(read("inc/index.html").contains("FIRST"));
    // A page's own edit, and an edit of a file another page reads, both show up.
    std::fs::write(site.join("index.md"), "# Home\n\nPlain page TWO.\n").expect("edit");
    std::fs::write(site.join("_assets/part.md"), "Included SECOND.\n").expect("edit part");
    build_cached(&opts, &NoProgress, Some(&cache)).expect("rebuild");
    assert!(read("index.html").contains("TWO"));
    assert!(read("inc/index.html").contains("SECOND"));
    // A config change reaches pages whose source did not change.
    assert!(read("code/index.html").contains("language-julia"));
    std::fs::write(site.join("config.md"), "@def lang = \"python\"\n").expect("config");
    build_cached(&opts, &NoProgress, Some(&cache)).expect("rebuild");
    assert!(read("code/index.html").contains("language-python"));
}

/// A copy of the fixture `name` and the options of a live session building it (the
/// folder goes when the first value is dropped).
fn live_session_site(name: &str) -> (tempfile::TempDir, PathBuf, notes::render::BuildOptions) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = tmp.path().join("site");
    fixtures::copy_fixture(name, &site);
    let opts = notes::render::BuildOptions {
        site: site.clone(),
        out: tmp.path().join("out"),
        prepath: None,
        eval_cache: None,
        final_pass: false,
        fail_fast: false,
        subfolder: None,
        check_data: true,
        one_shot: false,
    };
    (tmp, site, opts)
}

#[test]
fn a_session_rerenders_other_pages_when_what_they_show_changes() {
    use notes::render::{build_cached, BuildSession, NoProgress};
    let (_tmp, site, opts) = live_session_site("theme_site");
    let out = opts.out.clone();
    let session = BuildSession::keeping_last_good();
    let read = |rel: &str| std::fs::read_to_string(out.join(rel)).expect("out");
    let first = build_cached(&opts, &NoProgress, Some(&session)).expect("build");
    // What tells `serve` to reload every page: the hash of the sidebar every page loads.
    let nav_hash = |r: &notes::render::BuildReport| r.page_hashes.get("js/notes-nav.js").copied();
    assert!(nav_hash(&first).is_some(), "no hash for the sidebar script");
    // A body edit: the page changes, the others are kept.
    let week1 = site.join("lectures/week1.md");
    let text = std::fs::read_to_string(&week1).expect("week1");
    std::fs::write(&week1, format!("{text}\nNew line BODYEDIT.\n")).expect("edit");
    let report = build_cached(&opts, &NoProgress, Some(&session)).expect("rebuild");
    assert!(read("lectures/week1/index.html").contains("BODYEDIT"));
    assert_eq!(report.written, 1, "only the edited page is written");
    assert_eq!(
        nav_hash(&report),
        nav_hash(&first),
        "the sidebar did not change"
    );
    // A title edit: the sidebar, shared by every page, shows the new title.
    let renamed = std::fs::read_to_string(&week1)
        .expect("week1")
        .replace("@def title = \"Week 1\"", "@def title = \"Week One\"");
    std::fs::write(&week1, renamed).expect("rename");
    let report = build_cached(&opts, &NoProgress, Some(&session)).expect("rebuild");
    assert_ne!(nav_hash(&report), nav_hash(&first), "the sidebar changed");
    assert!(
        read("js/notes-nav.js").contains("Week One"),
        "the sidebar kept the old title"
    );
    // An error: nothing is written, the last good build stays.
    std::fs::write(&week1, "@def title = \"Week One\"\n\n\\nosuch\n").expect("break");
    let report = build_cached(&opts, &NoProgress, Some(&session)).expect("rebuild");
    assert!(report.has_errors());
    assert!(read("lectures/week1/index.html").contains("BODYEDIT"));
}

#[test]
fn a_save_left_to_a_whole_build_is_laid_out_again() {
    // The quick path of a live session converts the saved page, then leaves the save to a
    // whole build when the page's sitemap entry changes: here its date, because the file
    // was last changed on an earlier day. The whole build must lay the page out again
    // rather than take the new conversion for one already written.
    use notes::render::{build_cached, BuildSession, NoProgress};
    use std::time::{Duration, SystemTime};
    let (_tmp, site, opts) = live_session_site("theme_site");
    let out = opts.out.clone();
    let week1 = site.join("lectures/week1.md");
    let days_ago = SystemTime::now() - Duration::from_secs(3 * 24 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&week1)
        .and_then(|f| f.set_modified(days_ago))
        .expect("date the page");
    let session = BuildSession::keeping_last_good();
    build_cached(&opts, &NoProgress, Some(&session)).expect("build");
    let text = std::fs::read_to_string(&week1).expect("week1");
    std::fs::write(&week1, format!("{text}\nSaved today: SAVEDTODAY.\n")).expect("edit");
    let changed = ["lectures/week1.md".to_string()];
    if session.rebuild_changed(&opts, &changed).is_none() {
        build_cached(&opts, &NoProgress, Some(&session)).expect("rebuild");
    }
    let page = std::fs::read_to_string(out.join("lectures/week1/index.html")).expect("page");
    assert!(
        page.contains("SAVEDTODAY"),
        "the saved page was not laid out again"
    );
}

#[test]
fn pages_saved_with_a_broken_one_are_laid_out_once_it_is_fixed() {
    // A live session that keeps its last good build writes nothing while a page has an
    // error. A page saved beside it must still be laid out by the build that follows the fix,
    // though its conversion was made (and kept) by the build that wrote nothing.
    use notes::render::{build_cached, BuildSession, NoProgress};
    let (_tmp, site, opts) = live_session_site("theme_site");
    let out = opts.out.clone();
    let session = BuildSession::keeping_last_good();
    build_cached(&opts, &NoProgress, Some(&session)).expect("build");
    let week1 = site.join("lectures/week1.md");
    let text = std::fs::read_to_string(&week1).expect("week1");
    std::fs::write(
        &week1,
        format!("{text}\nSaved beside a broken page: BESIDE.\n"),
    )
    .expect("edit");
    let index = site.join("index.md");
    let good = std::fs::read_to_string(&index).expect("index");
    std::fs::write(&index, format!("{good}\n\\nosuch\n")).expect("break");
    let report = build_cached(&opts, &NoProgress, Some(&session)).expect("rebuild");
    assert!(report.has_errors());
    std::fs::write(&index, format!("{good}\nFixed.\n")).expect("fix");
    build_cached(&opts, &NoProgress, Some(&session)).expect("rebuild");
    let page = std::fs::read_to_string(out.join("lectures/week1/index.html")).expect("page");
    assert!(
        page.contains("BESIDE"),
        "the page saved beside the broken one was not laid out"
    );
}
