//! Converting one page: the state shared by the scanner, commands and math, and the
//! placeholder scheme that joins Franklin's constructs with the markdown layer.
//!
//! Franklin cuts its own constructs (code, math, divs, commands, headers, raw HTML) out of
//! the page, renders what is left as markdown with a placeholder where each construct was,
//! and then puts the constructs' HTML back, unwrapping a `<p>` that holds nothing else.
//! We do the same: `scan` produces the intermediate markdown and the inserts, `markdown`
//! renders it, and `reinsert` applies Franklin's `<p>` rules.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::commands::Commands;
use super::resources::Resources;
use super::vars::PageVars;
use super::Heading;
use crate::diag::{floor_char_boundary, Diagnostic, LineIndex, Span};

/// Deepest nesting of fragments (command in div in command ...) before giving up.
pub(super) const MAX_DEPTH: usize = 32;
/// Most bytes that macro expansion may produce on one page.
pub(super) const MAX_EXPANSION_BYTES: usize = 8 * 1024 * 1024;

/// Most diagnostics reported for one page; the rest are counted in one last line.
pub(super) const MAX_DIAGNOSTICS: usize = 100;

/// Start and end of an inline placeholder in the intermediate markdown.
pub(super) const PH_OPEN: char = '\u{E000}';
pub(super) const PH_CLOSE: char = '\u{E001}';
/// Markers for things resolved once the whole page is known (footnote numbers, eqrefs, cites).
pub(super) const LATE_OPEN: char = '\u{E002}';
pub(super) const LATE_CLOSE: char = '\u{E003}';

/// The site-wide definitions every page starts from (read from `config.md`).
#[derive(Debug, Clone)]
pub struct Globals {
    /// Global variables.
    pub vars: PageVars,
    /// Global `\newcommand`s and `\newenvironment`s.
    pub commands: Commands,
}

impl Default for Globals {
    fn default() -> Self {
        Globals {
            vars: PageVars::globals(),
            commands: Commands::default(),
        }
    }
}

/// What kind of reference a link is, for the checker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// `[text](dest)`.
    Link,
    /// `![alt](src)`.
    Image,
    /// `\fig`, `\figalt`, `\file` targets and other assets.
    Asset,
}

/// A link found on the page, with the source place it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The destination as written (after macro expansion).
    pub dest: String,
    /// Where it is in the page source; for links made by a macro, the macro use.
    pub span: Span,
    /// Link, image or asset.
    pub kind: LinkKind,
}

/// A fenced code block, for checks that parse code (YAML, TOML, JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// The fence's language.
    pub lang: String,
    /// The code as written.
    pub code: String,
    /// Byte offset of the first code line in the page source, when the code is written there.
    pub code_offset: Option<usize>,
    /// The fence's place.
    pub span: Span,
}

/// Everything one page's conversion produced.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The body HTML; `{{ }}` blocks are still to be resolved by the template pass.
    pub html: String,
    /// The page's variables (defaults, globals, then the page's own).
    pub vars: PageVars,
    /// Headings with their ids, in order.
    pub headings: Vec<Heading>,
    /// Every id the page defines (headings, labels, footnotes, bib labels); only kept when
    /// the context asks for check data.
    pub anchors: Vec<String>,
    /// Links and assets, in order.
    pub links: Vec<Link>,
    /// Fenced code blocks.
    pub code_blocks: Vec<CodeBlock>,
    /// Problems, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// True when the page read other files (`\input`, `\show`, figures...): its HTML then
    /// depends on more than its own source.
    pub reads_files: bool,
}

/// What a page needs to know about where it lives.
pub struct PageContext<'a> {
    /// The page's path relative to the site root, e.g. `pages/git/basics.md`.
    pub rpath: Arc<str>,
    /// Site-wide definitions.
    pub globals: &'a Globals,
    /// Files the page may read.
    pub resources: &'a dyn Resources,
    /// Record the links and code blocks `check` reads (a plain build has no use for them).
    pub check_data: bool,
}

/// How the text being scanned relates to the page source, to place diagnostics and links.
#[derive(Debug, Clone, Copy)]
pub(super) enum Origin {
    /// The text is the page source from this byte offset on.
    Source(usize),
    /// The text was produced (by a macro, a file, a cache): everything points at this source range.
    Fixed(usize, usize),
}

impl Origin {
    /// Source range of `start..end` of the scanned text.
    pub(super) fn range(self, start: usize, end: usize) -> (usize, usize) {
        match self {
            Origin::Source(base) => (base + start, base + end),
            Origin::Fixed(s, e) => (s, e),
        }
    }

    /// The origin of a sub-slice starting at `offset`.
    pub(super) fn shifted(self, offset: usize) -> Origin {
        match self {
            Origin::Source(base) => Origin::Source(base + offset),
            fixed => fixed,
        }
    }
}

/// Mutable state of one page's conversion.
pub(super) struct PageState<'a> {
    pub(super) file: Arc<str>,
    pub(super) source: &'a str,
    /// Made on the first diagnostic: most pages have none.
    pub(super) lines: OnceCell<LineIndex>,
    /// The last place a heading asked the line of, and that line: headings come in source
    /// order, so counting goes on from there.
    pub(super) line_cursor: (usize, u32),
    /// Diagnostics beyond [`MAX_DIAGNOSTICS`], counted but not kept.
    pub(super) dropped_diags: usize,
    pub(super) ctx: &'a PageContext<'a>,
    pub(super) commands: Commands,
    pub(super) vars: PageVars,
    pub(super) diags: Vec<Diagnostic>,
    pub(super) headings: Vec<Heading>,
    /// Every heading asks: a fast hash (ids come from the author's own headings).
    pub(super) heading_ids: FxHashMap<String, usize>,
    pub(super) anchors: Vec<String>,
    pub(super) links: Vec<Link>,
    pub(super) code_blocks: Vec<CodeBlock>,
    pub(super) footnotes: HashMap<String, usize>,
    pub(super) footnote_count: usize,
    pub(super) footnote_defs: HashMap<String, String>,
    pub(super) eq_count: usize,
    pub(super) eq_labels: HashMap<String, usize>,
    pub(super) bib_names: HashMap<String, String>,
    /// `\eqref` and `\cite` keys with the place they were used, checked at the end.
    pub(super) late_refs: Vec<(&'static str, String, Span)>,
    pub(super) has_math: bool,
    pub(super) has_code: bool,
    pub(super) depth: usize,
    pub(super) expanded_bytes: usize,
    pub(super) auto_eval_count: usize,
    /// Set once the expansion budget is spent, so the error is reported once.
    pub(super) budget_exhausted: bool,
    /// Set when a command read a file or asked whether one exists.
    pub(super) reads_files: bool,
}

impl<'a> PageState<'a> {
    pub(super) fn new(source: &'a str, ctx: &'a PageContext<'a>) -> PageState<'a> {
        PageState {
            file: ctx.rpath.clone(),
            source,
            lines: OnceCell::new(),
            line_cursor: (0, 1),
            dropped_diags: 0,
            ctx,
            commands: ctx.globals.commands.clone(),
            vars: PageVars::for_page(&ctx.globals.vars),
            diags: Vec::new(),
            headings: Vec::new(),
            heading_ids: FxHashMap::default(),
            anchors: Vec::new(),
            links: Vec::new(),
            code_blocks: Vec::new(),
            footnotes: HashMap::new(),
            footnote_count: 0,
            footnote_defs: HashMap::new(),
            eq_count: 0,
            eq_labels: HashMap::new(),
            bib_names: HashMap::new(),
            late_refs: Vec::new(),
            has_math: false,
            has_code: false,
            depth: 0,
            expanded_bytes: 0,
            auto_eval_count: 0,
            budget_exhausted: false,
            reads_files: false,
        }
    }

    /// A span of the page source for `start..end` of a fragment with this origin.
    pub(super) fn span(&self, origin: Origin, start: usize, end: usize) -> Span {
        let (s, e) = origin.range(start, end);
        self.lines
            .get_or_init(|| LineIndex::new(self.source))
            .span(&self.file, self.source, s, e)
    }

    /// The 1-based source line of fragment offset `at` (what [`Self::span`] would say).
    pub(super) fn line_at(&mut self, origin: Origin, at: usize) -> u32 {
        let pos = floor_char_boundary(self.source, origin.range(at, at).0.min(self.source.len()));
        let (from, line) = match self.line_cursor {
            (from, line) if from <= pos => (from, line),
            _ => (0, 1),
        };
        let newlines = memchr::memchr_iter(b'\n', &self.source.as_bytes()[from..pos]).count();
        let line = line + u32::try_from(newlines).unwrap_or(u32::MAX);
        self.line_cursor = (pos, line);
        line
    }

    /// Records an error at a fragment range.
    pub(super) fn error(
        &mut self,
        origin: Origin,
        start: usize,
        end: usize,
        code: &'static str,
        message: String,
        help: &str,
    ) {
        self.record(Diagnostic::error(code, message), origin, (start, end), help);
    }

    /// Records a warning at a fragment range.
    pub(super) fn warning(
        &mut self,
        origin: Origin,
        start: usize,
        end: usize,
        code: &'static str,
        message: String,
        help: &str,
    ) {
        self.record(
            Diagnostic::warning(code, message),
            origin,
            (start, end),
            help,
        );
    }

    /// Places a diagnostic and keeps it, unless the page already has too many.
    fn record(
        &mut self,
        mut d: Diagnostic,
        origin: Origin,
        (start, end): (usize, usize),
        help: &str,
    ) {
        if self.diags.len() >= MAX_DIAGNOSTICS {
            self.dropped_diags += 1;
            return;
        }
        d.span = Some(self.span(origin, start, end));
        if !help.is_empty() {
            d.help = Some(help.to_string());
        }
        self.diags.push(d);
    }

    /// Charges `n` bytes of macro output to the page's budget; false once it is spent.
    pub(super) fn charge(&mut self, origin: Origin, start: usize, end: usize, n: usize) -> bool {
        self.expanded_bytes = self.expanded_bytes.saturating_add(n);
        if self.expanded_bytes <= MAX_EXPANSION_BYTES {
            return true;
        }
        if !self.budget_exhausted {
            self.budget_exhausted = true;
            self.error(
                origin,
                start,
                end,
                "expansion-too-large",
                format!(
                    "macro expansion on this page produced more than {} MB",
                    MAX_EXPANSION_BYTES / (1024 * 1024)
                ),
                "a command probably uses itself, directly or through others, more than once per expansion",
            );
        }
        false
    }

    /// Reports `\eqref`s and citations whose target is not on the page.
    pub(super) fn check_late_refs(&mut self) {
        let refs = std::mem::take(&mut self.late_refs);
        for (kind, key, span) in refs {
            let (known, what, help) = if kind == "eq" {
                (
                    self.eq_labels.contains_key(&key),
                    "equation label",
                    "label the equation with `\\label{...}` inside its display math",
                )
            } else {
                (
                    self.bib_names.contains_key(&key),
                    "bibliography entry",
                    "add the entry with `\\biblabel{key}{Name (year)}` on this page",
                )
            };
            if !known && self.diags.len() < MAX_DIAGNOSTICS {
                self.diags.push(
                    Diagnostic::warning(
                        "unknown-reference",
                        format!("no {what} `{key}` on this page"),
                    )
                    .at(span)
                    .help(help),
                );
            }
        }
    }

    /// Notes an id the page defines, for `check` (a plain build has no use for them).
    pub(super) fn record_anchor(&mut self, id: &str) {
        if self.ctx.check_data {
            self.anchors.push(id.to_string());
        }
    }

    /// Registers a heading id, de-duplicated as Franklin does (`id`, `id__2`, ...).
    pub(super) fn unique_id(&mut self, id: String) -> String {
        let n = self.heading_ids.entry(id.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            id
        } else {
            format!("{id}__{n}")
        }
    }
}

/// Builds the placeholder for insert number `i`.
#[cfg(test)]
fn placeholder(i: usize) -> String {
    let mut s = String::with_capacity(8);
    push_placeholder(&mut s, i);
    s
}

/// Appends the placeholder for insert number `i` to `out`.
pub(super) fn push_placeholder(out: &mut String, i: usize) {
    out.push(PH_OPEN);
    super::html::push_decimal(out, i as u64, 0);
    out.push(PH_CLOSE);
}

/// Puts every insert back in place of its placeholder, with Franklin's `<p>` rules: an insert
/// alone in its paragraph loses the `<p>...</p>` (except right after `<li>`), and the
/// whitespace before an insert becomes one space.
pub(super) fn reinsert(html: &str, inserts: &[String]) -> String {
    let mut out =
        String::with_capacity(html.len() + inserts.iter().map(String::len).sum::<usize>());
    let mut rest = html;
    while let Some(i) = find_char(rest, PH_OPEN) {
        out.push_str(&rest[..i]);
        let after_open = &rest[i + PH_OPEN.len_utf8()..];
        // The closer nearly always follows the insert's number right away.
        let digits = after_open.bytes().take_while(u8::is_ascii_digit).count();
        let close = match after_open[digits..].starts_with(PH_CLOSE) {
            true => Some(digits),
            false => find_char(after_open, PH_CLOSE),
        };
        let Some(close) = close else {
            out.push_str(&rest[i..]);
            return out;
        };
        let index: Option<usize> = after_open[..close].parse().ok();
        let mut after = &after_open[close + PH_CLOSE.len_utf8()..];
        let Some(insert) = index.and_then(|k| inserts.get(k)) else {
            rest = after;
            continue;
        };
        let trimmed_len = out
            .bytes()
            .rposition(|b| !matches!(b, b' ' | b'\n' | b'\t'))
            .map_or(0, |k| k + 1);
        let ws_len = out.len() - trimmed_len;
        let opens_p =
            out[..trimmed_len].ends_with("<p>") && !out[..trimmed_len - 3].ends_with("<li>");
        let closes_p = after.starts_with("</p>");
        if opens_p && closes_p {
            out.truncate(trimmed_len - 3);
            after = &after["</p>".len()..];
        } else {
            out.truncate(trimmed_len);
            if ws_len > 0 && !out.is_empty() && !out.ends_with("<p>") {
                out.push(' ');
            }
        }
        out.push_str(insert);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Offset of `c` in `s`: a search for the lead byte of its encoding, which is rare in
/// text (a substring search would set up a searcher on every call).
fn find_char(s: &str, c: char) -> Option<usize> {
    let mut buf = [0u8; 4];
    super::html::find(s, c.encode_utf8(&mut buf))
}

/// Removes a single `<p>...</p>` wrapping the whole fragment, as Franklin does for
/// command bodies, header titles and div contents.
pub(super) fn strip_single_p(html: &str) -> &str {
    let t = html.trim_end_matches('\n');
    if let Some(inner) = t.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")) {
        if !super::html::holds(inner, "<p>") && !super::html::holds(inner, "</p>") {
            return inner;
        }
    }
    html
}

/// Converts one page. Never fails: problems are in `diagnostics`, and the HTML shows what
/// could be made of the page.
pub fn convert_page(source: &str, ctx: &PageContext<'_>) -> Converted {
    let mut st = PageState::new(source, ctx);
    let body = st.fragment(source, Origin::Source(0), false);
    let html = st.resolve_late(body);
    st.check_late_refs();
    finish(st, html)
}

/// Reads `config.md`: its variables become the site's globals and its commands global commands.
pub fn read_config(source: &str, ctx: &PageContext<'_>) -> (Globals, Vec<Diagnostic>) {
    let mut st = PageState::new(source, ctx);
    st.vars = ctx.globals.vars.clone();
    st.fragment(source, Origin::Source(0), false);
    let globals = Globals {
        vars: st.vars,
        commands: st.commands,
    };
    (globals, st.diags)
}

fn finish(mut st: PageState<'_>, html: String) -> Converted {
    use super::Value;
    if st.dropped_diags > 0 {
        let n = st.dropped_diags;
        st.diags.push(
            Diagnostic::error(
                "too-many-problems",
                format!("{n} more problems on this page were not reported"),
            )
            .at(Span::in_text(&st.file, st.source, 0, 0))
            .help("fix the problems above first; later ones are often caused by them"),
        );
    }
    if st.has_math && !matches!(st.vars.get("automath"), Some(Value::Bool(false))) {
        st.vars.set_raw("hasmath", Value::Bool(true));
    }
    if st.has_code && !matches!(st.vars.get("autocode"), Some(Value::Bool(false))) {
        st.vars.set_raw("hascode", Value::Bool(true));
    }
    let untitled = matches!(st.vars.get("title"), None | Some(Value::Nothing));
    if untitled {
        if let Some(h) = st.headings.first() {
            st.vars.set_raw("title", Value::Str(h.html.clone()));
        }
    }
    Converted {
        html,
        vars: st.vars,
        headings: st.headings,
        // Only `check` reads them: a plain build records none.
        anchors: st.anchors,
        links: st.links,
        code_blocks: st.code_blocks,
        diagnostics: st.diags,
        reads_files: st.reads_files,
    }
}

/// Decodes a page's bytes, or explains where it is not UTF-8.
pub fn decode_source(bytes: Vec<u8>, file: &Arc<str>) -> Result<String, Box<Diagnostic>> {
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..3);
            }
            Ok(s)
        }
        Err(e) => {
            let bytes = e.as_bytes();
            let bad = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&bytes[..bad]);
            let span = Span::in_text(file, &valid, valid.len(), valid.len());
            Err(Box::new(
                Diagnostic::error(
                    "not-utf8",
                    format!(
                        "`{file}` is not UTF-8 text (byte 0x{:02x} at line {}, column {})",
                        bytes.get(bad).copied().unwrap_or(0),
                        span.line,
                        span.col
                    ),
                )
                .at(span)
                .help("save the file as UTF-8 in your editor"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_insert_loses_its_paragraph() {
        let html = format!("<p>{}</p>\n<p>a {} b</p>\n", placeholder(0), placeholder(1));
        let ins = vec!["<div>x</div>".to_string(), "<b>y</b>".to_string()];
        assert_eq!(reinsert(&html, &ins), "<div>x</div>\n<p>a <b>y</b> b</p>\n");
    }

    #[test]
    fn insert_in_list_item_keeps_paragraph() {
        let html = format!("<li><p>{}</p>\n</li>", placeholder(0));
        assert_eq!(reinsert(&html, &["X".into()]), "<li><p>X</p>\n</li>");
    }

    #[test]
    fn glued_inserts_stay_glued() {
        let html = format!("<p>abc{}{}def.</p>", placeholder(0), placeholder(1));
        assert_eq!(
            reinsert(&html, &["A".into(), "B".into()]),
            "<p>abcABdef.</p>"
        );
    }

    #[test]
    fn placeholders_are_numbered_in_decimal() {
        for i in [0, 7, 10, 99, 12345, usize::MAX] {
            assert_eq!(placeholder(i), format!("{PH_OPEN}{i}{PH_CLOSE}"));
        }
    }

    #[test]
    fn plain_builds_skip_what_only_check_reads_and_write_the_same_html() {
        let globals = Globals::default();
        let source = "# T\n\nSee [a](/a/#x) and ![i](/i.png).\n\n```julia\nx = 1\n```\n\n@@d\n[b](/b/)\n@@\n";
        let convert = |check_data| {
            let ctx = PageContext {
                rpath: Arc::from("p.md"),
                globals: &globals,
                resources: &crate::dialect::resources::NoResources,
                check_data,
            };
            convert_page(source, &ctx)
        };
        let (full, plain) = (convert(true), convert(false));
        assert_eq!(full.links.len(), 3);
        assert_eq!(full.code_blocks.len(), 1);
        assert!(plain.links.is_empty() && plain.code_blocks.is_empty());
        assert_eq!(plain.html, full.html);
        assert!(!full.anchors.is_empty() && plain.anchors.is_empty());
    }

    #[test]
    fn heading_lines_match_the_lines_of_spans() {
        let globals = Globals::default();
        let ctx = PageContext {
            rpath: Arc::from("p.md"),
            globals: &globals,
            resources: &crate::dialect::resources::NoResources,
            check_data: false,
        };
        let source = "a\n\nbé\nc\n\n\nd";
        let mut st = PageState::new(source, &ctx);
        for at in [0, 1, 2, 3, 5, 4, 9, 7, 0, 12, source.len(), 99] {
            let origin = Origin::Source(0);
            assert_eq!(st.line_at(origin, at), st.span(origin, at, at).line, "{at}");
        }
        assert_eq!(
            st.line_at(Origin::Fixed(9, 10), 3),
            st.span(Origin::Source(9), 0, 0).line
        );
    }

    #[test]
    fn single_paragraph_is_stripped() {
        assert_eq!(strip_single_p("<p>a</p>\n"), "a");
        assert_eq!(
            strip_single_p("<p>a</p>\n<p>b</p>\n"),
            "<p>a</p>\n<p>b</p>\n"
        );
    }
}
