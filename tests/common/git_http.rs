//! A smart-HTTP git server for tests: `git http-backend` behind a small HTTP/1.1 server on
//! 127.0.0.1 with Basic auth, the way GitHub serves a private repository.
//!
//! Every repository under the root needs the token (user name ignored, as GitHub does for
//! `x-access-token`). The server can also refuse pushes with a 403, as GitHub does when a
//! workflow token lacks `contents: write`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;

/// What the server has seen, for assertions.
#[derive(Debug, Default)]
pub struct Seen {
    /// Requests answered 401 (missing or wrong credentials).
    pub unauthorized: AtomicUsize,
    /// POSTs to git-receive-pack that reached git (pushes).
    pub pushes: AtomicUsize,
    /// Every request line, in order.
    pub requests: Mutex<Vec<String>>,
}

/// A running server; it stops accepting when dropped.
pub struct GitHttpServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The folder holding the bare repositories.
    pub root: PathBuf,
    /// What the server has seen.
    pub seen: Arc<Seen>,
    /// When set, pushes get a 403 like a token without `contents: write`.
    pub forbid_push: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl GitHttpServer {
    /// Starts a server over `root` that accepts `token` as the password.
    pub fn start(root: &Path, token: &str) -> GitHttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port");
        let port = listener.local_addr().expect("local address").port();
        let seen = Arc::new(Seen::default());
        let forbid_push = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("x-access-token:{token}"))
        );
        let ctx = Arc::new(Ctx {
            root: root.to_path_buf(),
            expected,
            seen: seen.clone(),
            forbid_push: forbid_push.clone(),
        });
        let stop_flag = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop_flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let ctx = ctx.clone();
                std::thread::spawn(move || {
                    let _ = handle(stream, &ctx);
                });
            }
        });
        GitHttpServer {
            base: format!("http://127.0.0.1:{port}"),
            root: root.to_path_buf(),
            seen,
            forbid_push,
            stop,
            port,
        }
    }

    /// Creates an empty bare repository `name` (e.g. `site.git`) and returns its URL.
    pub fn create_repo(&self, name: &str) -> String {
        let path = self.root.join(name);
        let status = Command::new("git")
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(&path)
            .status()
            .expect("run git init");
        assert!(status.success(), "git init --bare failed");
        format!("{}/{name}", self.base)
    }

    /// The number of pushes that reached git.
    pub fn pushes(&self) -> usize {
        self.seen.pushes.load(Ordering::SeqCst)
    }
}

impl Drop for GitHttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

struct Ctx {
    root: PathBuf,
    expected: String,
    seen: Arc<Seen>,
    forbid_push: Arc<AtomicBool>,
}

/// Answers one request and closes the connection (libgit2 and git reconnect as needed).
fn handle(stream: TcpStream, ctx: &Ctx) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let request_line = request_line.trim_end().to_string();
    let mut headers: HashMap<String, String> = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((k, v)) = line.trim_end().split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let body = read_body(&mut reader, &headers)?;
    ctx.seen
        .requests
        .lock()
        .expect("request log")
        .push(request_line.clone());

    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("GET").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));

    if headers.get("authorization") != Some(&ctx.expected) {
        ctx.seen.unauthorized.fetch_add(1, Ordering::SeqCst);
        let msg = "authentication required\n";
        write!(
            out,
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"notes-test\"\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{msg}",
            msg.len()
        )?;
        return out.flush();
    }
    let is_push = path.ends_with("/git-receive-pack") || query.contains("service=git-receive-pack");
    if is_push && ctx.forbid_push.load(Ordering::SeqCst) {
        let msg = "Permission to owner/site.git denied to github-actions[bot].\n";
        write!(
            out,
            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{msg}",
            msg.len()
        )?;
        return out.flush();
    }
    if method == "POST" && path.ends_with("/git-receive-pack") {
        ctx.seen.pushes.fetch_add(1, Ordering::SeqCst);
    }

    let mut cmd = Command::new("git");
    cmd.arg("http-backend")
        .env("GIT_PROJECT_ROOT", &ctx.root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_USER", "x-access-token")
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(ct) = headers.get("content-type") {
        cmd.env("CONTENT_TYPE", ct);
    }
    if let Some(enc) = headers.get("content-encoding") {
        cmd.env("HTTP_CONTENT_ENCODING", enc);
    }
    if let Some(proto) = headers.get("git-protocol") {
        cmd.env("GIT_PROTOCOL", proto);
    }
    let mut child = cmd.spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        // A writer thread avoids a deadlock when the backend answers before reading all input.
        let body = body.clone();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&body);
        });
    }
    let output = child.wait_with_output()?;
    let cgi = output.stdout;
    let split = find(&cgi, b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| find(&cgi, b"\n\n").map(|i| (i, 2)));
    let (head, payload) = match split {
        Some((i, n)) => (&cgi[..i], &cgi[i + n..]),
        None => (&cgi[..0], &cgi[..]),
    };
    let mut status = "200 OK".to_string();
    let mut response_headers = String::new();
    for line in String::from_utf8_lossy(head).lines() {
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("status") {
                status = v.trim().to_string();
            } else {
                response_headers.push_str(&format!("{}: {}\r\n", k.trim(), v.trim()));
            }
        }
    }
    write!(
        out,
        "HTTP/1.1 {status}\r\n{response_headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    )?;
    out.write_all(payload)?;
    out.flush()
}

/// Reads a request body sent with Content-Length or chunked transfer encoding.
fn read_body(
    reader: &mut BufReader<TcpStream>,
    headers: &HashMap<String, String>,
) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line)?;
            let size = usize::from_str_radix(size_line.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            if size == 0 {
                let mut end = String::new();
                reader.read_line(&mut end)?;
                break;
            }
            let mut chunk = vec![0; size];
            reader.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk);
            let mut crlf = [0u8; 2];
            reader.read_exact(&mut crlf)?;
        }
    } else if let Some(len) = headers
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        body.resize(len, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(body)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
