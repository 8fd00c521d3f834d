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

fn run_watch_session(poll: bool) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    fixtures::copy_fixture("theme_site", &site);
    let out = dir.path().join("out");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_notes"));
    cmd.arg("build")
        .arg(&site)
        .arg("--out")
        .arg(&out)
        .arg("--watch")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if poll {
        cmd.arg("--poll");
    }
    let mut watcher = Watcher(cmd.spawn().expect("start notes"));
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

    let _ = watcher.0.kill();
    let mut stderr = String::new();
    if let Some(mut err) = watcher.0.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    stderr
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
