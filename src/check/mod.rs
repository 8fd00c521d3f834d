//! `notes check`: what a build alone does not catch — links and anchors that lead nowhere,
//! missing assets, duplicate ids, pages without a title, code blocks that do not parse.
//!
//! Checks run on what the build actually produced (its output files and their ids), so a
//! link is judged the way a reader's browser will follow it.

pub mod code;
pub mod external;
pub mod links;

use std::path::Path;
use std::sync::Arc;

use crate::diag::{Diagnostic, LineIndex, Span};
use crate::render::BuildReport;

/// Runs every check on a finished build whose output is in `out`.
pub fn check_build(report: &BuildReport, out: &Path) -> Vec<Diagnostic> {
    let mut diags = links::check_links(report, out);
    diags.extend(untitled(report));
    diags.extend(code_blocks(report));
    diags
}

/// Pages with neither `@def title` nor a first heading.
fn untitled(report: &BuildReport) -> Vec<Diagnostic> {
    report
        .untitled
        .iter()
        .map(|(_, span)| {
            Diagnostic::warning("missing-title", format!("`{}` has no title", span.file))
                .at(span.clone())
                .help("add `@def title = \"...\"` at the top, or start the page with a `# heading`")
        })
        .collect()
}

/// Fenced YAML, TOML and JSON that does not parse, at its line in the markdown file.
fn code_blocks(report: &BuildReport) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (rpath, block) in &report.code_blocks {
        let lang = block.lang.to_ascii_lowercase();
        if !code::checks_language(&lang) {
            continue;
        }
        let Some(err) = code::validate(&lang, &block.code) else {
            continue;
        };
        let span = match (block.code_offset, report.sources.get(rpath)) {
            (Some(offset), Some(source)) => line_span(rpath, source, offset, err.line, err.column),
            _ => block.span.clone(),
        };
        out.push(
            Diagnostic::error(
                "invalid-code",
                format!("this `{}` block does not parse: {}", block.lang, err.message),
            )
            .at(span)
            .help(format!(
                "fix the {} syntax, or mark the block as another language (e.g. ```text) if it is meant to be broken",
                block.lang
            )),
        );
    }
    out
}

/// The span of `line`:`column` (1-based) of code that starts at byte `offset` of `source`.
fn line_span(rpath: &str, source: &Arc<str>, offset: usize, line: usize, column: usize) -> Span {
    let file: Arc<str> = Arc::from(rpath);
    let mut at = offset.min(source.len());
    for _ in 1..line.max(1) {
        match source[at..].find('\n') {
            Some(k) => at += k + 1,
            None => break,
        }
    }
    let line_end = source[at..].find('\n').map_or(source.len(), |k| at + k);
    let mut col_at = at;
    for (n, (i, _)) in source[at..line_end].char_indices().enumerate() {
        if n + 1 == column {
            col_at = at + i;
            break;
        }
        col_at = at + i;
    }
    LineIndex::new(source).span(
        &file,
        source,
        col_at,
        (col_at + 1).min(line_end.max(col_at)),
    )
}
