//! `notes check --external` against an HTTP server on 127.0.0.1 started by the test:
//! broken, flaky, slow and HEAD-refusing links, exclusions, and the result cache.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Hits = Arc<Mutex<HashMap<String, usize>>>;

/// A tiny HTTP/1.1 server: one thread per connection, `Connection: close`.
fn serve() -> (u16, Hits) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let hits: Hits = Arc::default();
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let counter = counter.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    return;
                }
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).map_or(true, |n| n == 0) || line == "\r\n" {
                        break;
                    }
                }
                let mut parts = request_line.split_whitespace();
                let method = parts.next().unwrap_or("").to_string();
                let path = parts.next().unwrap_or("").to_string();
                let n = {
                    let mut h = counter.lock().expect("lock");
                    let n = h.entry(path.clone()).or_insert(0);
                    *n += 1;
                    *n
                };
                let status = match path.as_str() {
                    "/ok" => "200 OK",
                    "/gone" => "404 Not Found",
                    "/flaky" if n == 1 => "503 Service Unavailable",
                    "/flaky" => "200 OK",
                    "/slow" => {
                        std::thread::sleep(Duration::from_secs(3));
                        "200 OK"
                    }
                    "/no-head" if method == "HEAD" => "405 Method Not Allowed",
                    "/no-head" => "200 OK",
                    _ => "404 Not Found",
                };
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            });
        }
    });
    (port, hits)
}

fn run(site: &std::path::Path, cache: &std::path::Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_notes"))
        .arg("check")
        .arg(site)
        .args([
            "--external",
            "--timeout",
            "1",
            "--format",
            "json",
            "--cache",
        ])
        .arg(cache)
        .args(extra)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run notes check");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

#[test]
fn external_links_are_checked_politely_and_cached() {
    let (port, hits) = serve();
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).expect("site");
    let base = format!("http://127.0.0.1:{port}");
    std::fs::write(
        site.join("index.md"),
        format!(
            "@def title = \"Links\"\n\n[ok]({base}/ok) and [gone]({base}/gone).\n\n[flaky]({base}/flaky), [slow]({base}/slow), [no head]({base}/no-head).\n\n[skipped]({base}/excluded/page)\n"
        ),
    )
    .expect("page");
    let cache = dir.path().join("cache.json");
    let exclude = format!("{base}/excluded/*");

    let diags = run(&site, &cache, &["--exclude", &exclude]);
    let by_code: Vec<(String, u64)> = diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        by_code,
        vec![
            ("broken-external-link".to_string(), 3),
            ("external-link-unreachable".to_string(), 5),
        ],
        "{diags:#?}"
    );
    let counts = hits.lock().expect("lock").clone();
    assert_eq!(
        counts.get("/flaky"),
        Some(&2),
        "the 503 is retried once: {counts:?}"
    );
    assert_eq!(
        counts.get("/no-head"),
        Some(&2),
        "HEAD refused, then GET: {counts:?}"
    );
    assert_eq!(
        counts.get("/excluded/page"),
        None,
        "excluded URL was requested"
    );

    // A second run within the time-to-live asks the server nothing.
    let before: usize = hits.lock().expect("lock").values().sum();
    let again = run(&site, &cache, &["--exclude", &exclude]);
    assert_eq!(again.len(), 2);
    let after: usize = hits.lock().expect("lock").values().sum();
    assert_eq!(before, after, "cached results were requested again");

    // With a zero time-to-live everything is checked again.
    run(&site, &cache, &["--exclude", &exclude, "--cache-ttl", "0"]);
    let last: usize = hits.lock().expect("lock").values().sum();
    assert!(last > after);
}
