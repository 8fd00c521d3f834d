//! Rendering of diagnostics: terminal, JSON and GitHub workflow commands.
//!
//! Every output format reads the same `Diagnostic` model; this file holds the shared
//! pieces (source lookup, format choice, counts, path joining) and re-exports the
//! renderers that live in the submodules.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diag::{floor_char_boundary, Diagnostic, Span};

pub mod ci;
pub mod human;
pub mod machine;

pub use ci::{github_command, github_summary, gitlab_report, RepoLink};
pub use human::{human, HumanOptions};
pub use machine::json_line;

/// Source texts by file name, so renderers can show snippets.
pub trait SourceLookup {
    /// The full text of `file`, or `None` when it is not known.
    fn source(&self, file: &str) -> Option<Arc<str>>;
}

/// A lookup that knows no files (every renderer then degrades to locations only).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSources;

impl SourceLookup for NoSources {
    fn source(&self, _file: &str) -> Option<Arc<str>> {
        None
    }
}

impl SourceLookup for HashMap<String, Arc<str>> {
    fn source(&self, file: &str) -> Option<Arc<str>> {
        self.get(file).cloned()
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style text with source snippets, for terminals.
    Human,
    /// One JSON object per line, for tools.
    Json,
    /// GitHub Actions workflow commands (annotations on pull requests).
    Github,
    /// A GitLab code-quality report for merge requests.
    Gitlab,
}

/// A one-line count like "2 errors, 1 warning".
pub fn counts(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    match (errors, warnings) {
        (0, 0) => "no problems".to_string(),
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// Joins the site folder (relative to the repository root) and a site-relative file.
///
/// An empty or `.` prefix means the site is the repository root.
pub(crate) fn join_path(prefix: &str, file: &str) -> String {
    let file = file.trim_start_matches("./");
    let prefix = prefix.trim_start_matches("./").trim_end_matches('/');
    if prefix.is_empty() || prefix == "." {
        file.to_string()
    } else {
        format!("{prefix}/{file}")
    }
}

/// A span resolved against its source text, clamped so slicing can never panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// Byte offset of the start, on a char boundary.
    pub start: usize,
    /// Byte offset of the end, on a char boundary and `>= start`.
    pub end: usize,
    /// 1-based line of the end.
    pub end_line: u32,
    /// 1-based column (in characters) just past the end.
    pub end_col: u32,
    /// Characters the span covers on its first line, at least 1.
    pub first_line_chars: u32,
}

/// Resolves `span` against `text`; `None` when the span starts past the end of the text,
/// which means the source changed since the span was made and a snippet would lie.
pub(crate) fn resolve(span: &Span, text: &str) -> Option<Resolved> {
    if span.start > text.len() {
        return None;
    }
    let start = floor_char_boundary(text, span.start);
    let end = floor_char_boundary(text, span.end.min(text.len())).max(start);
    let end_pos = Span::in_text(&span.file, text, end, end);
    Some(Resolved {
        start,
        end,
        end_line: end_pos.line,
        end_col: end_pos.col,
        first_line_chars: span.char_len(text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pluralises_and_omits_zero_kinds() {
        let e = Diagnostic::error("x", "m");
        let w = Diagnostic::warning("x", "m");
        assert_eq!(counts(&[]), "no problems");
        assert_eq!(counts(std::slice::from_ref(&e)), "1 error");
        assert_eq!(counts(&[w.clone(), w.clone()]), "2 warnings");
        assert_eq!(counts(&[e.clone(), e, w]), "2 errors, 1 warning");
    }

    #[test]
    fn join_path_handles_empty_dot_and_trailing_slash() {
        assert_eq!(join_path("", "a.md"), "a.md");
        assert_eq!(join_path(".", "./a.md"), "a.md");
        assert_eq!(join_path("site/", "a.md"), "site/a.md");
        assert_eq!(join_path("./docs", "x/a.md"), "docs/x/a.md");
    }

    #[test]
    fn resolve_rejects_spans_past_the_end_and_clamps_inside() {
        let f: Arc<str> = Arc::from("a.md");
        let text = "hé\nx";
        let past = Span {
            file: f.clone(),
            start: 10,
            end: 12,
            line: 9,
            col: 1,
        };
        assert_eq!(resolve(&past, text), None);
        // Start inside `é` snaps back; end past the text clamps to it.
        let odd = Span {
            file: f,
            start: 2,
            end: 99,
            line: 1,
            col: 2,
        };
        let r = resolve(&odd, text).unwrap();
        assert_eq!((r.start, r.end, r.end_line, r.end_col), (1, 5, 2, 2));
    }
}
