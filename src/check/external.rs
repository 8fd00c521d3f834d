//! `notes check --external`: links to other sites, checked politely.
//!
//! Requests go out from a few worker threads, at most one at a time per host and with a
//! pause between requests to the same host; each has a timeout, and transient failures
//! (timeouts, 429, 5xx) are retried with a growing delay. Results are cached in a file
//! with a time-to-live, so a course with hundreds of links does not hammer the same
//! sites on every push.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::diag::Diagnostic;
use crate::dialect::Link;

/// How external links are checked.
#[derive(Debug, Clone)]
pub struct ExternalOptions {
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Time allowed for one request.
    pub timeout: Duration,
    /// Attempts after the first, for transient failures.
    pub retries: u32,
    /// Pause between two requests to the same host.
    pub host_delay: Duration,
    /// Glob patterns of URLs not to check.
    pub exclude: Vec<String>,
    /// Where results are kept between runs; None for no cache.
    pub cache: Option<PathBuf>,
    /// How long a cached result is trusted.
    pub cache_ttl: Duration,
}

impl Default for ExternalOptions {
    fn default() -> Self {
        ExternalOptions {
            concurrency: 8,
            timeout: Duration::from_secs(10),
            retries: 2,
            host_delay: Duration::from_millis(250),
            exclude: Vec::new(),
            cache: None,
            cache_ttl: Duration::from_secs(24 * 3600),
        }
    }
}

/// What became of one URL.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Outcome {
    /// 2xx (after redirects).
    Ok,
    /// The server said the page is not there (404, 410).
    Gone(u16),
    /// Another error status, kept after retries (403, 429, 5xx...).
    Status(u16),
    /// No answer: DNS, connection or timeout.
    Unreachable(String),
}

/// The default cache file: `$XDG_CACHE_HOME/notes/external-links.json` (or `~/.cache/...`).
pub fn default_cache_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("notes").join("external-links.json"))
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
struct CacheFile {
    /// URL → (seconds since the epoch when checked, outcome).
    entries: HashMap<String, (u64, Outcome)>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn load_cache(path: &Path) -> CacheFile {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn save_cache(path: &Path, cache: &CacheFile) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(text) = serde_json::to_string(cache) {
        let tmp = path.with_extension("json.tmp");
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }
}

/// Whether a link leaves the site over HTTP(S).
pub fn is_http(dest: &str) -> bool {
    dest.starts_with("http://") || dest.starts_with("https://")
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Checks every external link and reports the broken ones at their source places.
pub fn check_external(links: &[(String, Link)], opts: &ExternalOptions) -> Vec<Diagnostic> {
    let patterns: Vec<glob::Pattern> = opts
        .exclude
        .iter()
        .filter_map(|p| glob::Pattern::new(p).ok())
        .collect();
    let mut urls: Vec<String> = links
        .iter()
        .map(|(_, l)| l.dest.split('#').next().unwrap_or("").to_string())
        .filter(|u| is_http(u) && !patterns.iter().any(|p| p.matches(u)))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    urls.sort();

    let mut cache = opts.cache.as_deref().map(load_cache).unwrap_or_default();
    let now = now_secs();
    let ttl = opts.cache_ttl.as_secs();
    let mut results: HashMap<String, Outcome> = HashMap::new();
    let mut todo = Vec::new();
    for url in urls {
        match cache.entries.get(&url) {
            Some((at, outcome)) if now.saturating_sub(*at) < ttl => {
                results.insert(url, outcome.clone());
            }
            _ => todo.push(url),
        }
    }
    for (url, outcome) in run_requests(todo, opts) {
        cache.entries.insert(url.clone(), (now, outcome.clone()));
        results.insert(url, outcome);
    }
    if let Some(path) = &opts.cache {
        cache
            .entries
            .retain(|_, (at, _)| now.saturating_sub(*at) < ttl);
        save_cache(path, &cache);
    }

    let mut diags = Vec::new();
    for (_, link) in links {
        let url = link.dest.split('#').next().unwrap_or("");
        let Some(outcome) = results.get(url) else {
            continue;
        };
        let d = match outcome {
            Outcome::Ok => continue,
            Outcome::Gone(code) => Diagnostic::error(
                "broken-external-link",
                format!("`{}` answers {code}: the page is gone", link.dest),
            )
            .help("update or remove the link; an archived copy may exist on web.archive.org"),
            Outcome::Status(code) => Diagnostic::warning(
                "external-link-status",
                format!("`{}` answers {code}", link.dest),
            )
            .help("the site may block automated checks; open the link to verify, or add it to --exclude"),
            Outcome::Unreachable(why) => Diagnostic::warning(
                "external-link-unreachable",
                format!("`{}` could not be reached: {why}", link.dest),
            )
            .help("check the address; if the site is only slow, raise --timeout or add it to --exclude"),
        };
        diags.push(d.at(link.span.clone()));
    }
    diags
}

/// Per-host turn-taking: one request at a time per host, with a pause in between.
#[derive(Default)]
struct Hosts {
    state: Mutex<HashMap<String, (bool, Option<Instant>)>>,
    changed: Condvar,
}

impl Hosts {
    fn acquire(&self, host: &str, delay: Duration) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        loop {
            let entry = state.entry(host.to_string()).or_insert((false, None));
            let ready_at = entry.1.map(|t| t + delay);
            let busy = entry.0;
            if !busy {
                match ready_at {
                    Some(t) if t > Instant::now() => {
                        let wait = t - Instant::now();
                        drop(state);
                        std::thread::sleep(wait);
                        match self.state.lock() {
                            Ok(s) => state = s,
                            Err(_) => return,
                        }
                        continue;
                    }
                    _ => {
                        entry.0 = true;
                        return;
                    }
                }
            }
            match self.changed.wait(state) {
                Ok(s) => state = s,
                Err(_) => return,
            }
        }
    }

    fn release(&self, host: &str) {
        if let Ok(mut state) = self.state.lock() {
            state.insert(host.to_string(), (false, Some(Instant::now())));
        }
        self.changed.notify_all();
    }
}

fn run_requests(urls: Vec<String>, opts: &ExternalOptions) -> Vec<(String, Outcome)> {
    if urls.is_empty() {
        return Vec::new();
    }
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .http_status_as_error(false)
        .user_agent(concat!("notes-link-check/", env!("CARGO_PKG_VERSION")))
        .build();
    let agent = ureq::Agent::new_with_config(config);
    let queue = Arc::new(Mutex::new(urls));
    let hosts = Arc::new(Hosts::default());
    let results = Arc::new(Mutex::new(Vec::new()));
    let workers = opts.concurrency.clamp(1, 32);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let queue = queue.clone();
            let hosts = hosts.clone();
            let results = results.clone();
            let agent = agent.clone();
            scope.spawn(move || loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop());
                let Some(url) = next else {
                    break;
                };
                let outcome = check_one(&agent, &url, opts, &hosts);
                if let Ok(mut r) = results.lock() {
                    r.push((url, outcome));
                }
            });
        }
    });
    let mut out = results.lock().map(|r| r.clone()).unwrap_or_default();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn check_one(agent: &ureq::Agent, url: &str, opts: &ExternalOptions, hosts: &Hosts) -> Outcome {
    let host = host_of(url);
    let mut attempt = 0;
    loop {
        hosts.acquire(&host, opts.host_delay);
        let outcome = request(agent, url);
        hosts.release(&host);
        let transient = match &outcome {
            Outcome::Status(code) => *code == 429 || *code >= 500,
            Outcome::Unreachable(_) => true,
            _ => false,
        };
        if !transient || attempt >= opts.retries {
            return outcome;
        }
        attempt += 1;
        // A growing pause, with a little spread so retries of many links do not line up.
        let spread = u64::from(url.len() as u32 % 97);
        std::thread::sleep(Duration::from_millis(300 * u64::from(attempt) + spread));
    }
}

fn request(agent: &ureq::Agent, url: &str) -> Outcome {
    let status = match agent.head(url).call() {
        // Some servers refuse HEAD; ask again with GET before judging.
        Ok(r) if matches!(r.status().as_u16(), 405 | 501 | 403) => match agent.get(url).call() {
            Ok(r) => r.status().as_u16(),
            Err(e) => return Outcome::Unreachable(short_error(&e)),
        },
        Ok(r) => r.status().as_u16(),
        Err(e) => return Outcome::Unreachable(short_error(&e)),
    };
    match status {
        200..=399 => Outcome::Ok,
        404 | 410 => Outcome::Gone(status),
        s => Outcome::Status(s),
    }
}

fn short_error(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "timed out".to_string(),
        ureq::Error::HostNotFound => "host not found".to_string(),
        ureq::Error::ConnectionFailed => "connection failed".to_string(),
        other => other
            .to_string()
            .lines()
            .next()
            .unwrap_or("error")
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_lower_cased_without_paths() {
        assert_eq!(
            host_of("https://Example.org:8080/a?b#c"),
            "example.org:8080"
        );
        assert!(is_http("http://x") && !is_http("mailto:x"));
    }
}
