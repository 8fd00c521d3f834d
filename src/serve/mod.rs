//! The author's live loop: watching the site and rebuilding on change.
//!
//! Only `notes build --watch` lives here so far; the HTTP server with live reload
//! (`notes serve`) will sit on the same watcher.

pub mod http;
pub mod watch;
