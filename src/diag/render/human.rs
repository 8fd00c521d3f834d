//! The terminal renderer: rustc-style reports built with annotate-snippets.

use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::{resolve, SourceLookup};
use crate::diag::{Diagnostic, Severity, Span};

/// Options for the human renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct HumanOptions {
    /// Emit ANSI colour codes (the caller decides from TTY and `NO_COLOR`).
    pub color: bool,
}

/// One place to draw: which file, its text if known, and the annotations in it.
struct FileBlock<'a> {
    file: Arc<str>,
    text: Option<Arc<str>>,
    /// (span, label, is_primary)
    marks: Vec<(&'a Span, &'a str, bool)>,
}

/// rustc-style text: `error[code]: message`, ` --> file:line:col`, the source line with a caret under the span, labels, `= help: ...`.
pub fn human(d: &Diagnostic, sources: &dyn SourceLookup, opts: &HumanOptions) -> String {
    let blocks = collect_blocks(d, sources);

    // Snippets borrow their text, so keep every text alive for the whole render.
    let mut elements: Vec<annotate_snippets::Element<'_>> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut any_snippet = false;
    for block in &blocks {
        let mut drawn = Vec::new();
        let mut undrawn = Vec::new();
        for &(span, label, primary) in &block.marks {
            match block.text.as_deref().and_then(|t| resolve(span, t)) {
                Some(r) => drawn.push((r.start..r.end, label, primary)),
                None => undrawn.push((span, label, primary)),
            }
        }
        // A primary place without a snippet still gets its `-->` line.
        for &(span, label, primary) in &undrawn {
            if primary {
                elements.push(
                    Origin::path(block.file.to_string())
                        .line(span.line as usize)
                        .char_column(span.col as usize)
                        .into(),
                );
            } else {
                notes.push(format!(
                    "{}:{}:{}: {}",
                    span.file, span.line, span.col, label
                ));
            }
        }
        if let (Some(text), false) = (block.text.as_deref(), drawn.is_empty()) {
            let mut snippet = Snippet::source(text).path(block.file.to_string());
            for (range, label, primary) in drawn {
                let kind = if primary {
                    AnnotationKind::Primary
                } else {
                    AnnotationKind::Context
                };
                let label = (!label.is_empty()).then(|| label.to_string());
                snippet = snippet.annotation(kind.span(range).label(label));
            }
            elements.push(snippet.into());
            any_snippet = true;
        }
    }
    for note in notes {
        elements.push(Level::NOTE.message(note).into());
    }
    if let Some(help) = &d.help {
        elements.push(Level::HELP.message(help.as_str()).into());
    }

    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let title = level.primary_title(d.message.as_str()).id(d.code);
    let group = if elements.is_empty() {
        Group::with_title(title)
    } else {
        title.elements(elements)
    };
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let out = renderer.render(&[group]);
    if any_snippet {
        out
    } else {
        indent_gutter(&out)
    }
}

/// Shifts every line after the title right by one column.
///
/// annotate-snippets sizes the gutter from the snippets' line numbers, so a report
/// without snippets gets a zero-width gutter (`--> f:1:2`); rustc, and our users'
/// eyes, expect ` --> f:1:2` and `  = help:` as in reports with a one-digit gutter.
/// Prepending works with colour too, since escape codes come after the indent.
fn indent_gutter(out: &str) -> String {
    let mut lines = out.split('\n');
    let mut fixed = lines.next().unwrap_or("").to_string();
    for line in lines {
        fixed.push('\n');
        if !line.is_empty() {
            fixed.push(' ');
        }
        fixed.push_str(line);
    }
    fixed
}

/// Groups the primary span and the labels by file, primary file first, then in label order.
fn collect_blocks<'a>(d: &'a Diagnostic, sources: &dyn SourceLookup) -> Vec<FileBlock<'a>> {
    let mut blocks: Vec<FileBlock<'a>> = Vec::new();
    let marks = d.span.iter().map(|s| (s, "", true)).chain(
        d.labels
            .iter()
            .map(|l| (&l.span, l.message.as_str(), false)),
    );
    for (span, label, primary) in marks {
        match blocks.iter_mut().find(|b| b.file == span.file) {
            Some(block) => block.marks.push((span, label, primary)),
            None => blocks.push(FileBlock {
                file: span.file.clone(),
                text: sources.source(&span.file),
                marks: vec![(span, label, primary)],
            }),
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::super::NoSources;
    use super::*;
    use std::collections::HashMap;

    fn sources(files: &[(&str, &str)]) -> HashMap<String, Arc<str>> {
        files
            .iter()
            .map(|(f, t)| (f.to_string(), Arc::from(*t)))
            .collect()
    }

    fn at(file: &str, text: &str, start: usize, end: usize) -> Span {
        Span::in_text(&Arc::from(file), text, start, end)
    }

    fn plain(d: &Diagnostic, s: &dyn SourceLookup) -> String {
        human(d, s, &HumanOptions { color: false })
    }

    #[test]
    fn error_with_help() {
        let text = "# Title\n\nSome \\foo{x} here.\n";
        let d = Diagnostic::error("unknown-command", "unknown command `\\foo`")
            .at(at("index.md", text, 14, 18))
            .help("define it with `\\newcommand` in config.md");
        let want = "\
error[unknown-command]: unknown command `\\foo`
 --> index.md:3:6
  |
3 | Some \\foo{x} here.
  |      ^^^^
  |
  = help: define it with `\\newcommand` in config.md";
        assert_eq!(plain(&d, &sources(&[("index.md", text)])), want);
    }

    #[test]
    fn warning_with_label_on_another_line() {
        let text = "@@row\nabc\ndef\n";
        let d = Diagnostic::warning("unclosed-div", "div block `@@row` is never closed")
            .at(at("a.md", text, 10, 13))
            .label(at("a.md", text, 0, 5), "opened here");
        let want = "\
warning[unclosed-div]: div block `@@row` is never closed
 --> a.md:3:1
  |
1 | @@row
  | ----- opened here
2 | abc
3 | def
  | ^^^";
        assert_eq!(plain(&d, &sources(&[("a.md", text)])), want);
    }

    #[test]
    fn label_in_another_file_gets_its_own_snippet() {
        let text = "x {{fill y}}\n";
        let cfg = "+++\ny = 1\n";
        let d = Diagnostic::error("bad-fill", "`y` is not a string")
            .at(at("p.md", text, 2, 12))
            .label(at("config.md", cfg, 4, 9), "defined here");
        let want = "\
error[bad-fill]: `y` is not a string
 --> p.md:1:3
  |
1 | x {{fill y}}
  |   ^^^^^^^^^^
  |
 ::: config.md:2:1
  |
2 | y = 1
  | ----- defined here";
        let src = sources(&[("p.md", text), ("config.md", cfg)]);
        assert_eq!(plain(&d, &src), want);
    }

    #[test]
    fn multibyte_line_counts_columns_in_chars() {
        let text = "héllo wörld \\bad\n";
        let start = text.find('\\').unwrap();
        let d = Diagnostic::error("unknown-command", "unknown command `\\bad`").at(at(
            "u.md",
            text,
            start,
            start + 4,
        ));
        let want = "\
error[unknown-command]: unknown command `\\bad`
 --> u.md:1:13
  |
1 | héllo wörld \\bad
  |             ^^^^";
        assert_eq!(plain(&d, &sources(&[("u.md", text)])), want);
    }

    #[test]
    fn span_at_end_of_file() {
        let text = "text {";
        let d =
            Diagnostic::error("unclosed-brace", "`{` is never closed").at(at("e.md", text, 6, 6));
        let want = "\
error[unclosed-brace]: `{` is never closed
 --> e.md:1:7
  |
1 | text {
  |       ^";
        assert_eq!(plain(&d, &sources(&[("e.md", text)])), want);
    }

    #[test]
    fn missing_source_degrades_to_location_and_notes() {
        let text = "ab\ncd\n";
        let d = Diagnostic::error("x-y", "broken")
            .at(at("gone.md", text, 4, 5))
            .label(at("gone.md", text, 0, 1), "started here")
            .help("fix it");
        let want = "\
error[x-y]: broken
 --> gone.md:2:2
  = note: gone.md:1:1: started here
  = help: fix it";
        assert_eq!(plain(&d, &NoSources), want);
    }

    #[test]
    fn span_past_end_of_source_degrades_without_snippet() {
        let span = Span {
            file: Arc::from("short.md"),
            start: 50,
            end: 55,
            line: 7,
            col: 3,
        };
        let d = Diagnostic::warning("stale", "stale span").at(span);
        let want = "warning[stale]: stale span\n --> short.md:7:3";
        assert_eq!(plain(&d, &sources(&[("short.md", "tiny\n")])), want);
    }

    #[test]
    fn no_span_renders_header_and_help_only() {
        let d = Diagnostic::error("no-config", "no `config.md` found").help("create one");
        let want = "error[no-config]: no `config.md` found\n  |\n  = help: create one";
        assert_eq!(plain(&d, &NoSources), want);
        let bare = Diagnostic::warning("w", "just this");
        assert_eq!(plain(&bare, &NoSources), "warning[w]: just this");
    }

    #[test]
    fn colour_only_when_asked() {
        let d = Diagnostic::error("x", "m").help("h");
        let coloured = human(&d, &NoSources, &HumanOptions { color: true });
        assert!(coloured.contains('\u{1b}'));
        assert!(!plain(&d, &NoSources).contains('\u{1b}'));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "[a-zé\\t\\r\\n{}]{0,20}", start in 0usize..30, len in 0usize..10, lstart in 0usize..30) {
            let f: Arc<str> = Arc::from("p.md");
            let raw = |s: usize, e: usize| Span { file: f.clone(), start: s, end: e, line: 1, col: 1 };
            let d = Diagnostic::error("p", "m")
                .at(raw(start, start + len))
                .label(raw(lstart, lstart.saturating_sub(len)), "l")
                .help("h");
            let src = sources(&[("p.md", &text)]);
            let _ = human(&d, &src, &HumanOptions { color: false });
            let _ = super::super::json_line(&d, &src);
            let _ = super::super::github_command(&d, &src, "site");
        }
    }
}
