//! `notes build --watch` as a process: edits, atomic saves (write + rename) and deletes
//! are seen and rebuilt, with one line per rebuild.

#[path = "common/fixtures.rs"]
mod fixtures;

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

/// Kills the watcher when the test ends, even when it fails.
struct Watcher(Child);

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `notes build SITE --out OUT --watch` (plus `extra` arguments) with stderr going
/// to `stderr`.
fn start_watch(site: &Path, out: &Path, stderr: impl Into<Stdio>, extra: &[&str]) -> Watcher {
    Watcher(
        Command::new(env!("CARGO_BIN_EXE_notes"))
            .arg("build")
            .arg(site)
            .arg("--out")
            .arg(out)
            .arg("--watch")
            .args(extra)
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("start notes"),
    )
}

fn run_watch_session(poll: bool) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    fixtures::copy_fixture("theme_site", &site);
    let out = dir.path().join("out");
    // The log goes to a file read while the watcher runs: the output changes before the
    // line about it is printed, so the test waits for the line rather than stopping the
    // watcher at once.
    let log = dir.path().join("stderr.log");
    let extra: &[&str] = if poll { &["--poll"] } else { &[] };
    let mut watcher = start_watch(
        &site,
        &out,
        std::fs::File::create(&log).expect("log"),
        extra,
    );
    let page = out.join("lectures/week1/index.html");
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    wait_for("the first build", || read(&page).contains("Week 1"));
    // Give the watcher a moment to be in place after the first build.
    std::thread::sleep(Duration::from_millis(400));

    let source = site.join("lectures/week1.md");
    let original = std::fs::read_to_string(&source).expect("source");
    std::fs::write(&source, format!("{original}\nAn edit MARKERONE.\n")).expect("edit");
    wait_for("the edit", || read(&page).contains("MARKERONE"));

    // An atomic save, as many editors do it: a new file renamed over the old one.
    let tmp = site.join("lectures/.week1.md.tmp");
    std::fs::write(&tmp, format!("{original}\nA save MARKERTWO.\n")).expect("temp");
    std::fs::rename(&tmp, &source).expect("rename");
    wait_for("the atomic save", || read(&page).contains("MARKERTWO"));

    std::fs::remove_file(site.join("lectures/index.md")).expect("delete");
    wait_for("the deleted page to go", || {
        !out.join("lectures/index.html").exists()
    });
    wait_for("the line about the deleted page", || {
        read(&log).contains("lectures/index.md")
    });

    let _ = watcher.0.kill();
    let _ = watcher.0.wait();
    read(&log)
}

#[test]
fn edits_saves_and_deletes_are_rebuilt() {
    let log = run_watch_session(false);
    assert!(log.contains("watching"), "{log}");
    let rebuilds: Vec<&str> = log.lines().filter(|l| l.starts_with("changed ")).collect();
    assert!(
        rebuilds
            .iter()
            .any(|l| l.contains("lectures/week1.md") && l.contains("rebuilt")),
        "{log}"
    );
    assert!(
        rebuilds
            .iter()
            .any(|l| l.contains("lectures/index.md") && l.contains("rebuilt")),
        "{log}"
    );
    // The build's own reads and writes must not trigger rebuilds: three changes, at most
    // a few batches (an atomic save may arrive as two).
    assert!(rebuilds.len() <= 5, "too many rebuilds:\n{log}");
}

#[test]
fn polling_sees_the_same_changes() {
    let log = run_watch_session(true);
    assert!(
        log.lines()
            .any(|l| l.starts_with("changed ") && l.contains("lectures/week1.md")),
        "{log}"
    );
}

/// Every file below `root` with its bytes, for an exact comparison.
fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    fixtures::list_files(root)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(root.join(&rel)).expect("read");
            (rel, bytes)
        })
        .collect()
}

#[test]
fn a_save_rebuilds_only_its_page_and_matches_a_whole_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    fixtures::copy_fixture("theme_site", &site);
    let out = dir.path().join("out");
    let mut watcher = start_watch(&site, &out, Stdio::piped(), &[]);
    let page = out.join("lectures/week1/index.html");
    let nav = out.join("js/notes-nav.js");
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    wait_for("the first build", || read(&page).contains("Week 1"));
    std::thread::sleep(Duration::from_millis(400));

    // A body edit: only this page is laid out again.
    let source = site.join("lectures/week1.md");
    let original = std::fs::read_to_string(&source).expect("source");
    std::fs::write(&source, format!("{original}\nA body edit BODYMARK.\n")).expect("edit");
    wait_for("the body edit", || read(&page).contains("BODYMARK"));

    // A title edit shows in the navigation every page loads: the whole build runs again.
    let retitled = original.replacen("Week 1", "Week One Retitled", 1);
    assert_ne!(retitled, original, "the fixture names its title");
    std::fs::write(&source, format!("{retitled}\nA body edit BODYMARK.\n")).expect("edit");
    wait_for("the new title in the navigation", || {
        read(&nav).contains("Week One Retitled")
    });
    std::thread::sleep(Duration::from_millis(300));

    let _ = watcher.0.kill();
    let _ = watcher.0.wait();
    let mut stderr = String::new();
    if let Some(mut err) = watcher.0.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("changed lectures/week1.md"))
        .collect();
    assert!(lines.len() >= 2, "{stderr}");
    assert!(lines[0].contains("rebuilt 1 of"), "{stderr}");
    assert!(!lines[lines.len() - 1].contains("rebuilt 1 of"), "{stderr}");

    // The live output equals a fresh whole build of the same sources, byte for byte.
    let fresh = dir.path().join("fresh");
    let status = Command::new(env!("CARGO_BIN_EXE_notes"))
        .arg("build")
        .arg(&site)
        .arg("--out")
        .arg(&fresh)
        .arg("--quiet")
        .status()
        .expect("build");
    assert!(status.success());
    let live = tree(&out);
    let whole = tree(&fresh);
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&live), names(&whole));
    for ((name, a), (_, b)) in live.iter().zip(&whole) {
        assert!(a == b, "{name} differs from a whole build");
    }
}

#[test]
fn an_error_stays_reported_while_other_pages_are_saved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    fixtures::copy_fixture("theme_site", &site);
    let out = dir.path().join("out");
    let log = dir.path().join("stderr.log");
    let mut watcher = start_watch(&site, &out, std::fs::File::create(&log).expect("log"), &[]);
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    wait_for("the first build", || read(&log).contains("watching"));
    std::thread::sleep(Duration::from_millis(400));
    let changed = |name: &str| {
        read(&log)
            .lines()
            .filter(|l| l.starts_with(&format!("changed {name}")))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };

    let broken = site.join("lectures/week1.md");
    let text = std::fs::read_to_string(&broken).expect("source");
    std::fs::write(&broken, format!("{text}\n\\nosuchcommand{{x}}\n")).expect("break");
    wait_for("the error", || !changed("lectures/week1.md").is_empty());
    assert!(
        changed("lectures/week1.md")[0].contains("1 error"),
        "{}",
        read(&log)
    );

    let other = site.join("index.md");
    let text = std::fs::read_to_string(&other).expect("source");
    std::fs::write(&other, format!("{text}\nMore text.\n")).expect("edit");
    wait_for("the other save", || !changed("index.md").is_empty());
    assert!(
        changed("index.md")[0].contains("1 error"),
        "the broken page is still broken:\n{}",
        read(&log)
    );
    let _ = watcher.0.kill();
}
