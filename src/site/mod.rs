//! The site model: discovery, ignore rules, output paths and the output folder.
//!
//! A Franklin site is a folder whose layout decides everything: which files are pages,
//! which are copied, which configure the build and where each lands in the output.
//! `discover` turns that folder into a plain list ([`SiteFiles`]) so the rest of the
//! pipeline never has to look at the file system to know what to build, and
//! [`OutputDir`] is the only way anything gets written, so that a build can never
//! scribble outside its output folder or leave stale files behind.

use std::path::{Path, PathBuf};

mod discover;
mod output;

pub use discover::{
    check_output_location, discover, output_path, slug_output_path, tag_output_path, url_of,
    IGNORE_FILES,
};
pub use output::{CleanupReport, OutputDir, WriteOutcome};

/// What kind of source a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// A Franklin-markdown page (`.md`): parsed, rendered and wrapped in the layout.
    Markdown,
    /// A raw HTML page (`.html`/`.htm`): templated but not wrapped.
    Html,
}

/// One page to render.
#[derive(Debug, Clone)]
pub struct PageSource {
    /// Source path relative to the root, '/'-separated, e.g. "pages/git/basics.md".
    pub rpath: String,
    /// Absolute source path.
    pub path: PathBuf,
    /// Markdown or raw HTML.
    pub kind: PageKind,
    /// Output path relative to the output folder, e.g. "pages/git/basics/index.html".
    pub out_rel: String,
    /// Site-absolute URL of the output file, fd_url style: "/pages/git/basics/index.html".
    pub url: String,
}

/// A file copied as it is.
#[derive(Debug, Clone)]
pub struct CopyFile {
    /// Source path relative to the root, '/'-separated, e.g. "_assets/logo.png".
    pub rpath: String,
    /// Absolute source path.
    pub path: PathBuf,
    /// Output path relative to the output folder, e.g. "assets/logo.png".
    pub out_rel: String,
}

/// A source whose output is claimed by another source; only the winner is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shadowed {
    /// The source that is not built.
    pub rpath: String,
    /// The output path both sources map to.
    pub out_rel: String,
    /// The source that is built in its place.
    pub by: String,
}

/// Everything discovery found.
#[derive(Debug, Clone, Default)]
pub struct SiteFiles {
    /// Canonical absolute path of the site folder.
    pub root: PathBuf,
    /// `config.md` at the root, if any.
    pub config: Option<PathBuf>,
    /// `utils.jl` at the root, if any.
    pub utils: Option<PathBuf>,
    /// `_layout/` (Franklin layout: head.html, foot.html, ...), if any.
    pub layout_dir: Option<PathBuf>,
    /// Site `templates/` (tera overrides of the built-in theme; not copied), only when there is no `_layout/`.
    pub templates_dir: Option<PathBuf>,
    /// `_literate/` (Literate.jl scripts for `\literate`), if any.
    pub literate_dir: Option<PathBuf>,
    /// `_rss/` (RSS head/item templates), if any.
    pub rss_dir: Option<PathBuf>,
    /// Pages to render, sorted by `rpath`.
    pub pages: Vec<PageSource>,
    /// Files to copy, sorted by `rpath`.
    pub copies: Vec<CopyFile>,
    /// Files left out for a reason the author may want to hear about: (rpath, reason).
    pub skipped: Vec<(String, String)>,
    /// Sources that lost an output-path collision, sorted by `rpath`.
    pub shadowed: Vec<Shadowed>,
}

/// An ignore rule from the `ignore` variable: "dir/" prefix, exact relative path, or a regex (`r"..."`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgnoreRule {
    /// Ignore every path starting with this text (it ends with '/').
    Prefix(String),
    /// Ignore exactly this relative path.
    Exact(String),
    /// Ignore every path this regex finds a match in (unanchored, as Julia's `match`).
    Regex(String),
}

impl IgnoreRule {
    /// Reads one string entry of `ignore` as Franklin does: a trailing '/' makes it a prefix;
    /// "" and "/" are dropped.
    pub fn from_entry(entry: &str) -> Option<IgnoreRule> {
        if entry.is_empty() || entry == "/" {
            return None;
        }
        if entry.ends_with('/') {
            Some(IgnoreRule::Prefix(entry.to_string()))
        } else {
            Some(IgnoreRule::Exact(entry.to_string()))
        }
    }
}

/// Failures of discovery and of the output folder.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// The site folder does not exist or is not a folder.
    #[error("site folder `{}` does not exist or is not a folder", path.display())]
    RootNotFound {
        /// The folder given.
        path: PathBuf,
        /// How to fix it.
        hint: &'static str,
    },
    /// A file system operation failed.
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        /// What was being done, e.g. "read folder".
        action: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
        /// How to fix it.
        hint: &'static str,
    },
    /// An `ignore` regex does not compile.
    #[error("ignore pattern `{pattern}` is not a valid regex: {reason}")]
    BadIgnoreRegex {
        /// The pattern as written.
        pattern: String,
        /// What the regex compiler said.
        reason: String,
        /// The site's `config.md` (where `ignore` is set).
        path: PathBuf,
        /// How to fix it.
        hint: &'static str,
    },
    /// The output folder is the site folder or one of its ancestors.
    #[error("output folder `{}` contains the site folder `{}`", path.display(), site.display())]
    OutputContainsSite {
        /// The output folder.
        path: PathBuf,
        /// The site folder.
        site: PathBuf,
        /// How to fix it.
        hint: &'static str,
    },
    /// A path to write would leave the output folder (or is malformed).
    #[error("refusing to write `{rel}` in `{}`: {reason}", path.display())]
    UnsafeOutputPath {
        /// The relative path asked for.
        rel: String,
        /// The output folder.
        path: PathBuf,
        /// Why it is refused.
        reason: &'static str,
        /// How to fix it.
        hint: &'static str,
    },
}

impl SiteError {
    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            SiteError::RootNotFound { path, .. }
            | SiteError::Io { path, .. }
            | SiteError::BadIgnoreRegex { path, .. }
            | SiteError::OutputContainsSite { path, .. }
            | SiteError::UnsafeOutputPath { path, .. } => path,
        }
    }

    /// A short suggestion for the author, shown as `help:`.
    pub fn hint(&self) -> &str {
        match self {
            SiteError::RootNotFound { hint, .. }
            | SiteError::Io { hint, .. }
            | SiteError::BadIgnoreRegex { hint, .. }
            | SiteError::OutputContainsSite { hint, .. }
            | SiteError::UnsafeOutputPath { hint, .. } => hint,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_entry_kinds() {
        assert_eq!(
            IgnoreRule::from_entry("old/"),
            Some(IgnoreRule::Prefix("old/".into()))
        );
        assert_eq!(
            IgnoreRule::from_entry("notes.md"),
            Some(IgnoreRule::Exact("notes.md".into()))
        );
        assert_eq!(IgnoreRule::from_entry(""), None);
        assert_eq!(IgnoreRule::from_entry("/"), None);
    }

    #[test]
    fn error_carries_path_and_hint() {
        let e = SiteError::RootNotFound {
            path: PathBuf::from("/nowhere"),
            hint: "pass the folder that holds config.md",
        };
        assert_eq!(e.path(), Path::new("/nowhere"));
        assert!(e.hint().contains("config.md"));
        assert_eq!(
            e.to_string(),
            "site folder `/nowhere` does not exist or is not a folder"
        );
    }
}
