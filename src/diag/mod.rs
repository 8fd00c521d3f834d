//! One diagnostics model for every stage: what went wrong, where, and how to fix it.
//!
//! Stages collect `Diagnostic`s instead of returning early, so an author sees every
//! problem of a run at once; rendering (terminal, JSON, GitHub) happens in one place.

use std::fmt;
use std::sync::Arc;

pub mod render;
pub mod suggest;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The page or site cannot be built as written.
    Error,
    /// Built, but probably not what the author meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A place in a source file: byte range plus the 1-based line and column of its start.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Span {
    /// Path of the file relative to the site root (or as the user gave it).
    pub file: Arc<str>,
    /// Byte offset of the start.
    pub start: usize,
    /// Byte offset one past the end (equal to `start` for a point).
    pub end: usize,
    /// 1-based line of `start`.
    pub line: u32,
    /// 1-based column of `start`, counted in characters.
    pub col: u32,
}

impl Span {
    /// Builds a span for `start..end` in `text`, computing line and column.
    pub fn in_text(file: &Arc<str>, text: &str, start: usize, end: usize) -> Span {
        let start = floor_char_boundary(text, start.min(text.len()));
        let end = floor_char_boundary(text, end.clamp(start, text.len()));
        let before = &text[..start];
        let line = before.bytes().filter(|b| *b == b'\n').count() as u32 + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = text[line_start..start].chars().count() as u32 + 1;
        Span {
            file: file.clone(),
            start,
            end,
            line,
            col,
        }
    }

    /// Length of the span in characters, at least 1 (for carets and `endColumn`).
    pub fn char_len(&self, text: &str) -> u32 {
        let s = floor_char_boundary(text, self.start.min(text.len()));
        let e = floor_char_boundary(text, self.end.min(text.len())).max(s);
        let n = text[s..e].lines().next().unwrap_or("").chars().count() as u32;
        n.max(1)
    }
}

/// Line starts of a text, so that many spans of one file cost a binary search each.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the lines of `text`.
    pub fn new(text: &str) -> LineIndex {
        // Every page is indexed at least once per build: vectorised searches pay off, and
        // counting first saves growing the list line by line.
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(memchr::memchr_iter(b'\n', bytes).count() + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        LineIndex { starts }
    }

    /// The same span as [`Span::in_text`], found through the index.
    pub fn span(&self, file: &Arc<str>, text: &str, start: usize, end: usize) -> Span {
        let start = floor_char_boundary(text, start.min(text.len()));
        let end = floor_char_boundary(text, end.clamp(start, text.len()));
        let line_idx = self
            .starts
            .partition_point(|s| *s <= start)
            .saturating_sub(1);
        let line_start = self.starts.get(line_idx).copied().unwrap_or(0).min(start);
        let col = text[line_start..start].chars().count() as u32 + 1;
        Span {
            file: file.clone(),
            start,
            end,
            line: line_idx as u32 + 1,
            col,
        }
    }
}

/// Largest index `<= i` that is a char boundary of `s`.
pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A secondary place that explains the primary one (e.g. "the block opened here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it.
    pub message: String,
}

/// One problem found by any stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable, kebab-case identifier such as `unknown-command`.
    pub code: &'static str,
    /// One line, lower-case, naming the culprit in backticks.
    pub message: String,
    /// The primary place, when there is one.
    pub span: Option<Span>,
    /// Extra places.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error with a code and message.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            labels: Vec::new(),
            help: None,
        }
    }

    /// A new warning with a code and message.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Sets the primary span.
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary label.
    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: file, line, column, then severity and message for a stable order.
    pub fn sort_key(&self) -> (String, u32, u32, Severity, String) {
        match &self.span {
            Some(s) => (
                s.file.to_string(),
                s.line,
                s.col,
                self.severity,
                self.message.clone(),
            ),
            None => (String::new(), 0, 0, self.severity, self.message.clone()),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.span {
            Some(s) => write!(
                f,
                "{}:{}:{}: {}[{}]: {}",
                s.file, s.line, s.col, self.severity, self.code, self.message
            )?,
            None => write!(f, "{}[{}]: {}", self.severity, self.code, self.message)?,
        }
        if let Some(h) = &self.help {
            write!(f, " (help: {h})")?;
        }
        Ok(())
    }
}

/// Sorts diagnostics by file, line and column and removes exact duplicates.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by_key(|d| d.sort_key());
    diags.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_agrees_with_in_text() {
        let f: Arc<str> = Arc::from("a.md");
        let text = "ab\ncé d\n\nx";
        let idx = LineIndex::new(text);
        for i in 0..=text.len() {
            if text.is_char_boundary(i) {
                assert_eq!(idx.span(&f, text, i, i), Span::in_text(&f, text, i, i));
            }
        }
    }

    #[test]
    fn span_line_and_column_count_characters() {
        let f: Arc<str> = Arc::from("a.md");
        let text = "ab\ncé d\n";
        let s = Span::in_text(&f, text, 7, 8);
        assert_eq!((s.line, s.col), (2, 4));
    }
}
