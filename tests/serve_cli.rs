//! `notes serve` as a process on a free port: pages served with the live-reload script,
//! a reload event after a change, the error overlay after a bad save and its removal after
//! the fix, a deleted page answering 404, traversal refused, and a busy port reported.

#[path = "common/fixtures.rs"]
mod fixtures;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
    /// Kept alive so the thread draining the server's stderr keeps reading (a full pipe
    /// would block the server).
    _log: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(site: &Path, out: &Path, port: u16) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_notes"))
        .arg("serve")
        .arg(site)
        .arg("--out")
        .arg(out)
        .args(["--port", &port.to_string()])
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start notes serve");
    let stderr: ChildStderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

fn serve(site: &Path, out: &Path) -> Server {
    let (child, log) = start(site, out, 0);
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(line) = log.recv_timeout(Duration::from_millis(200)) {
            if let Some(rest) = line.strip_prefix("serving http://127.0.0.1:") {
                let port = rest
                    .split('/')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .expect("port");
                return Server {
                    child,
                    port,
                    _log: log,
                };
            }
        }
    }
    panic!("notes serve did not start");
}

/// A GET over a raw connection: (status, body).
fn get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = resp
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

/// Listens on the live-reload channel and reports each event as "name: data".
fn listen(port: u16) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(s, "GET /__notes/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").expect("send");
    std::thread::spawn(move || {
        let mut name = String::new();
        for line in BufReader::new(s).lines().map_while(Result::ok) {
            if let Some(n) = line.strip_prefix("event: ") {
                name = n.to_string();
            } else if let Some(data) = line.strip_prefix("data: ") {
                let _ = tx.send(format!("{name}: {data}"));
            }
        }
    });
    rx
}

#[test]
fn live_loop_serves_reloads_overlays_and_refuses_traversal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    fixtures::copy_fixture("theme_site", &site);
    std::fs::write(dir.path().join("secret.txt"), "TOP SECRET").expect("secret");
    let out = dir.path().join("out");
    let server = serve(&site, &out);
    let port = server.port;

    let (status, body) = get(port, "/lectures/week1/");
    assert_eq!(status, 200);
    assert!(
        body.contains("Week 1") && body.contains("/__notes/events"),
        "{body}"
    );
    let on_disk = std::fs::read_to_string(out.join("lectures/week1/index.html")).expect("built");
    assert!(
        !on_disk.contains("__notes/events"),
        "the script leaked into the built file"
    );

    // A change: a reload event, then the new content.
    let events = listen(port);
    std::thread::sleep(Duration::from_millis(300));
    let source = site.join("lectures/week1.md");
    let original = std::fs::read_to_string(&source).expect("source");
    std::fs::write(&source, format!("{original}\nFresh MARKER.\n")).expect("edit");
    let event = events
        .recv_timeout(Duration::from_secs(20))
        .expect("reload event");
    // Only the page that changed is named, so other open pages stay as they are.
    assert_eq!(event, "reload: /lectures/week1/ /lectures/week1/index.html");
    wait_for("the new content", || {
        get(port, "/lectures/week1/").1.contains("MARKER")
    });

    // A bad save: the overlay names the problem; the last good page stays underneath.
    std::fs::write(
        &source,
        format!("{original}\nFresh MARKER and \\oops here.\n"),
    )
    .expect("bad");
    // Every page gets the overlay; the data is `*` because a browser drops an event whose
    // data is empty.
    let event = events
        .recv_timeout(Duration::from_secs(20))
        .expect("overlay event");
    assert_eq!(event, "reload: *");
    wait_for("the overlay", || {
        get(port, "/lectures/week1/")
            .1
            .contains("notes-error-overlay")
    });
    let (_, body) = get(port, "/lectures/week1/");
    assert!(body.contains("unknown command `\\oops`"), "{body}");
    assert!(body.contains("lectures/week1.md:"), "{body}");
    // The fix clears it by itself.
    std::fs::write(&source, format!("{original}\nFixed MARKER2.\n")).expect("fix");
    // Every page loses it, changed or not.
    let event = events
        .recv_timeout(Duration::from_secs(20))
        .expect("fix event");
    assert_eq!(event, "reload: *");
    wait_for("the overlay to go", || {
        let b = get(port, "/lectures/week1/").1;
        b.contains("MARKER2") && !b.contains("notes-error-overlay")
    });

    // A deleted page answers 404.
    std::fs::remove_file(site.join("lectures/index.md")).expect("delete");
    wait_for("the 404", || get(port, "/lectures/").0 == 404);

    // Nothing outside the output folder is served.
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/lectures/%2E%2E/%2e%2e/secret.txt",
        "//secret.txt",
        "/..%2fsecret.txt",
        "/lectures\\..\\..\\secret.txt",
    ] {
        let (status, body) = get(port, path);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("TOP SECRET"), "{path}");
    }
    #[cfg(unix)]
    {
        // A symlink out of the served folder.
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), out.join("link.txt"))
            .expect("symlink");
        let (status, body) = get(port, "/link.txt");
        assert_eq!(status, 404);
        assert!(!body.contains("TOP SECRET"));
    }
    drop(server);
}

#[test]
fn a_busy_port_is_named() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    fixtures::copy_fixture("theme_site", &site);
    let (mut child, log) = start(&site, &dir.path().join("out"), port);
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(2));
    // The reader thread ends when the process's stderr closes.
    let mut lines = Vec::new();
    while let Ok(line) = log.recv_timeout(Duration::from_secs(5)) {
        lines.push(line);
    }
    let text = lines.join("\n");
    assert!(
        text.contains(&format!("port {port}")) && text.contains("in use"),
        "{text}"
    );
}
