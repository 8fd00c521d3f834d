//! The development server: the output folder over HTTP, with live reload and an error
//! overlay injected into the pages it serves (never into the built files).
//!
//! Paths are decoded and checked before they touch the file system: `..`, encoded dots,
//! doubled slashes, backslashes, NUL and symlinks that lead out of the output folder are
//! all answered with 404, so nothing outside the folder can be read through the server.

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, RwLock};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt as _;

/// The path of the live-reload event stream.
pub const EVENTS_PATH: &str = "/__notes/events";

/// What the browser is told after a rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    /// Reload pages (all of them when the list is empty, else those whose path is listed).
    Pages(Vec<String>),
    /// Only stylesheets changed: swap them without reloading.
    Css,
}

/// Shared state of the server.
pub struct ServerState {
    root: RwLock<PathBuf>,
    overlay: RwLock<Option<String>>,
    events: broadcast::Sender<Reload>,
}

impl ServerState {
    /// A server for the output folder `root`.
    pub fn new(root: &Path) -> Arc<ServerState> {
        let (events, _) = broadcast::channel(64);
        Arc::new(ServerState {
            root: RwLock::new(root.to_path_buf()),
            overlay: RwLock::new(None),
            events,
        })
    }

    /// Shows (Some) or clears (None) the error overlay on every page.
    pub fn set_overlay(&self, html: Option<String>) {
        if let Ok(mut o) = self.overlay.write() {
            *o = html;
        }
    }

    /// Tells connected browsers to reload.
    pub fn notify(&self, reload: Reload) {
        let _ = self.events.send(reload);
    }

    fn root(&self) -> PathBuf {
        self.root.read().map(|r| r.clone()).unwrap_or_default()
    }

    fn overlay(&self) -> Option<String> {
        self.overlay.read().ok().and_then(|o| o.clone())
    }
}

/// The routes of the server.
pub fn router(state: Arc<ServerState>) -> Router {
    Router::new()
        .route(EVENTS_PATH, get(events))
        .fallback(static_file)
        .with_state(state)
}

async fn events(
    State(state): State<Arc<ServerState>>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, std::convert::Infallible>>> {
    let stream = BroadcastStream::new(state.events.subscribe()).filter_map(|msg| {
        let event = match msg.ok()? {
            Reload::Css => Event::default().event("css").data("css"),
            Reload::Pages(pages) => Event::default().event("reload").data(page_list(&pages)),
        };
        Some(Ok(event))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// The data of a `reload` event: the listed pages, or `*` for all of them.
///
/// Never empty: a browser drops an event whose data is empty without dispatching it, so an
/// empty list would reach no page.
fn page_list(pages: &[String]) -> String {
    if pages.is_empty() {
        "*".to_string()
    } else {
        pages.join(" ")
    }
}

/// The script that listens for rebuilds.
const LIVE_RELOAD: &str = r#"<script>(function(){var es=new EventSource("/__notes/events");es.addEventListener("reload",function(e){var p=e.data.split(" ");if(p.indexOf("*")>=0||p.indexOf(location.pathname)>=0){location.reload();}});es.addEventListener("css",function(){document.querySelectorAll('link[rel="stylesheet"]').forEach(function(l){var u=new URL(l.href);u.searchParams.set("notes",Date.now());l.href=u.toString();});});})();</script>"#;

async fn static_file(State(state): State<Arc<ServerState>>, req: Request<Body>) -> Response {
    let root = state.root();
    let path = req.uri().path().to_string();
    match resolve(&root, &path) {
        Some(file) => match tokio::fs::read(&file).await {
            Ok(bytes) => respond(&state, &file, bytes, StatusCode::OK),
            Err(_) => not_found(&state, &root).await,
        },
        None => not_found(&state, &root).await,
    }
}

async fn not_found(state: &ServerState, root: &Path) -> Response {
    let page = root.join("404.html");
    match tokio::fs::read(&page).await {
        Ok(bytes) => respond(state, &page, bytes, StatusCode::NOT_FOUND),
        Err(_) => (StatusCode::NOT_FOUND, "404: not found\n").into_response(),
    }
}

fn respond(state: &ServerState, file: &Path, bytes: Vec<u8>, status: StatusCode) -> Response {
    let mime = mime_guess::from_path(file).first_or_octet_stream();
    let is_html = mime.essence_str() == "text/html";
    let body = if is_html {
        let html = String::from_utf8_lossy(&bytes);
        inject(&html, state.overlay().as_deref()).into_bytes()
    } else {
        bytes
    };
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    let content_type = if is_html {
        "text/html; charset=utf-8".to_string()
    } else {
        mime.to_string()
    };
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Adds the live-reload script (and the overlay, after a failed rebuild) before `</body>`.
pub fn inject(html: &str, overlay: Option<&str>) -> String {
    let mut extra = String::from(LIVE_RELOAD);
    if let Some(o) = overlay {
        extra.push_str(o);
    }
    match html.rfind("</body>") {
        Some(at) => format!("{}{extra}{}", &html[..at], &html[at..]),
        None => format!("{html}{extra}"),
    }
}

/// The file a URL path names inside `root`, or None when it is not a safe path to a file there.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    if decoded.contains('\\') || decoded.contains('\0') || decoded.contains("//") {
        return None;
    }
    let rel = decoded.trim_start_matches('/');
    let mut path = root.to_path_buf();
    for comp in Path::new(rel).components() {
        match comp {
            Component::Normal(c) => path.push(c),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if path.is_dir() {
        path.push("index.html");
    }
    let canon = path.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    (canon.starts_with(&root) && canon.is_file()).then_some(canon)
}

/// Decodes `%XX` escapes; None for malformed escapes or non-UTF-8 results.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("out");
        std::fs::create_dir_all(root.join("a")).expect("mkdir");
        std::fs::write(root.join("a/index.html"), "A").expect("write");
        std::fs::write(dir.path().join("secret"), "S").expect("write");
        for bad in [
            "/../secret",
            "/%2e%2e/secret",
            "/a/%2E%2E/%2e%2e/secret",
            "//secret",
            "/a\\..\\..\\secret",
            "/..%2fsecret",
            "/%00",
            "/%zz",
        ] {
            assert_eq!(resolve(&root, bad), None, "{bad}");
        }
        assert!(resolve(&root, "/a/").is_some());
        assert!(resolve(&root, "/a").is_some());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret"), root.join("link")).expect("link");
            assert_eq!(resolve(&root, "/link"), None);
        }
    }

    #[test]
    fn reload_data_is_never_empty() {
        assert_eq!(page_list(&[]), "*");
        assert_eq!(
            page_list(&["/a/".to_string(), "/a/index.html".to_string()]),
            "/a/ /a/index.html"
        );
    }

    #[test]
    fn script_goes_before_the_body_end() {
        let html = inject("<html><body>x</body></html>", Some("<div id=o></div>"));
        assert!(html.contains("x<script>"));
        assert!(html.ends_with("<div id=o></div></body></html>"));
    }
}
