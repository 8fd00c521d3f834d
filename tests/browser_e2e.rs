//! `notes serve` in a real browser: headless Chromium, driven by
//! tools/browser-test/live-reload.js, sees the sidebar filled by the shared navigation
//! script with the current page marked, a CSS edit swap the stylesheet in place, a page
//! edit reload the page through the live channel, a bad save bring up the error overlay with
//! the diagnostic's file:line:column, and both an undo and a fix take it away again.
//!
//! Skips (with a line saying why) when Chromium, Node or the script's node_modules are
//! missing, as on a fresh clone; `.ci/run` installs all three and sets
//! NOTES_REQUIRE_BROWSER=1, which turns a skip into a failure.

#[path = "common/fixtures.rs"]
mod fixtures;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The page the script opens, and its source inside the site.
const PAGE: &str = "/lectures/week1/";
const SOURCE: &str = "lectures/week1.md";

/// Upper bound for the whole browser run: the script bounds each of its waits itself, so
/// this only catches a hung Node or Chromium.
const SCRIPT_DEADLINE: Duration = Duration::from_secs(180);

struct Server {
    child: Child,
    port: u16,
    /// Kept so the thread draining the server's stderr can go on sending (a full pipe would
    /// block the server); it also holds the log shown when the test fails.
    log: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn log_so_far(&self) -> String {
        self.log.try_iter().collect::<Vec<_>>().join("\n")
    }
}

/// Starts `notes serve` on a free port and waits until it says where it listens.
fn serve(site: &Path, out: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_notes"))
        .arg("serve")
        .arg(site)
        .arg("--out")
        .arg(out)
        .args(["--port", "0"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start notes serve");
    let log = lines_of(child.stderr.take().expect("stderr"));
    // Owned by the guard from here on, so a failed start still ends the process.
    let mut server = Server {
        child,
        port: 0,
        log,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(line) = server.log.recv_timeout(Duration::from_millis(200)) {
            if let Some(rest) = line.strip_prefix("serving http://127.0.0.1:") {
                server.port = rest
                    .split('/')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .expect("port");
                return server;
            }
        }
    }
    panic!("notes serve did not start");
}

/// The lines a pipe yields, read on a thread of their own.
fn lines_of(pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The first of `names` found as an executable file on PATH.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// Node, Chromium and the script's folder, or why the test cannot run here.
fn tools() -> Result<(PathBuf, PathBuf, PathBuf), String> {
    let node = on_path(&["node", "nodejs"]).ok_or("node is not on PATH")?;
    let chromium = match std::env::var_os("NOTES_CHROMIUM") {
        Some(p) => PathBuf::from(p),
        None => on_path(&["chromium", "chromium-browser"]).ok_or("chromium is not on PATH")?,
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/browser-test");
    if !dir
        .join("node_modules/playwright-core/package.json")
        .is_file()
    {
        return Err(format!(
            "{} has no node_modules (run `npm ci --prefix tools/browser-test`)",
            dir.display()
        ));
    }
    Ok((node, chromium, dir))
}

#[test]
fn live_reload_and_error_overlay_in_chromium() {
    let (node, chromium, script_dir) = match tools() {
        Ok(found) => found,
        Err(why) if std::env::var_os("NOTES_REQUIRE_BROWSER").is_some() => {
            panic!("NOTES_REQUIRE_BROWSER is set, but {why}")
        }
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };

    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    fixtures::copy_fixture("theme_site", &site);
    // A theme override holding the built-in stylesheet, so the script has a CSS file to edit.
    std::fs::create_dir(site.join("templates")).expect("templates");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/theme.css"),
        site.join("templates/theme.css"),
    )
    .expect("theme.css");
    let original = std::fs::read_to_string(site.join(SOURCE)).expect("source");
    let server = serve(&site, &dir.path().join("out"));
    let url = format!("http://127.0.0.1:{}{PAGE}", server.port);

    let started = Instant::now();
    let mut child = Command::new(node)
        .arg(script_dir.join("live-reload.js"))
        .arg(&url)
        .arg(&site)
        .arg(SOURCE)
        .env("NOTES_CHROMIUM", &chromium)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    let stdout = lines_of(child.stdout.take().expect("stdout"));
    let stderr = lines_of(child.stderr.take().expect("stderr"));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for node") {
            break status;
        }
        if started.elapsed() > SCRIPT_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the browser run took over {SCRIPT_DEADLINE:?}\nstdout:\n{}\nserver:\n{}",
                stdout.try_iter().collect::<Vec<_>>().join("\n"),
                server.log_so_far()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // The reader threads end when the pipes close, which they have once node exited.
    let out: Vec<String> = stdout.iter().collect();
    let err: Vec<String> = stderr.iter().collect();
    let report = format!(
        "node {status}\nstdout:\n{}\nstderr:\n{}\nserver:\n{}",
        out.join("\n"),
        err.join("\n"),
        server.log_so_far()
    );
    println!("{report}");
    assert!(status.success(), "{report}");

    let steps: Vec<&str> = out
        .iter()
        .filter_map(|l| l.strip_prefix("ok "))
        .map(|l| l.rsplit_once(" (").map_or(l, |(step, _)| step))
        .collect();
    assert_eq!(
        steps,
        [
            "open the page",
            "sidebar filled by the shared script",
            "stylesheet swapped without a reload",
            "page reloaded with the new text",
            "overlay shown after a bad save",
            "overlay removed after undoing the bad save",
            "overlay removed after a fix with new text",
        ],
        "{report}"
    );
    // The script appends a blank line and its marker line, then a blank line and the typo
    // line, whose `\oopstypo` starts at column 9.
    let typo_line = original.lines().count() + 4;
    assert!(
        out.contains(&format!("overlay names {SOURCE}:{typo_line}:9")),
        "{report}"
    );
    drop(server);
}

/// The theme script's sidebar renderer on a large and a small tree (see
/// tools/browser-test/nav-render.js), under Node alone.
#[test]
fn sidebar_script_folds_large_sites_and_marks_the_current_page() {
    let Some(node) = on_path(&["node", "nodejs"]) else {
        assert!(
            std::env::var_os("NOTES_REQUIRE_BROWSER").is_none(),
            "NOTES_REQUIRE_BROWSER is set, but node is not on PATH"
        );
        eprintln!("skipped: node is not on PATH");
        return;
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let run = Command::new(node)
        .arg(root.join("tools/browser-test/nav-render.js"))
        .arg(root.join("templates/theme.js"))
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        3,
        "{stdout}"
    );
}
