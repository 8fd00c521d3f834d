//! The scanner: finds Franklin's constructs in a fragment of text, turns each into an
//! insert, and leaves the rest to the markdown layer.

use std::borrow::Cow;

use super::byteset::SPECIAL;
use super::code::{code_block_html, parse_info, strip_body, visible_code};
use super::convert::{
    push_placeholder, reinsert, strip_single_p, CodeBlock, Link, LinkKind, Origin, PageState,
    LATE_CLOSE, LATE_OPEN, MAX_DEPTH, PH_CLOSE, PH_OPEN,
};
use super::html::{escape, escape_code_into, escape_into, refstring};
use super::markdown;
use super::tokens::{div_name_len, is_div_close, skip_code, Matches};
use super::{julia, Heading};

/// What a construct turns into.
pub(super) enum Out {
    /// HTML inside the current paragraph.
    Inline(String),
    /// HTML that closes the current paragraph.
    Block(String),
    /// Nothing (comments, definitions).
    Remove,
}

/// The intermediate markdown being built for one fragment.
#[derive(Default)]
struct Intermediate {
    md: String,
    /// (offset in md, offset in the fragment) at the start of each copied run of text.
    segs: Vec<(usize, usize)>,
    inserts: Vec<String>,
    /// Fragment offset of the first raw HTML tag seen in the markdown text.
    raw_html: Option<usize>,
    /// Whether some `<` of the text stands as [`LT`] in `md`.
    lt: bool,
}

/// Stands for `<` in the intermediate markdown; written back as `&lt;`.
const LT: char = '\u{E004}';

impl Intermediate {
    fn text(&mut self, text: &str, start: usize, end: usize) {
        if start >= end {
            return;
        }
        self.segs.push((self.md.len(), start));
        let chunk = &text[start..end];
        if memchr::memchr(b'<', chunk.as_bytes()).is_none() {
            self.md.push_str(chunk);
            return;
        }
        // Julia's Markdown has no raw HTML, so `<` never starts HTML; hiding it from
        // pulldown-cmark also spares it from scanning for the end of HTML that never comes.
        // Autolinks (`<https://...>`) keep their `<`.
        let mut rest = chunk;
        while let Some(k) = rest.find('<') {
            self.md.push_str(&rest[..k]);
            let after = &rest[k + 1..];
            let autolink = ["http://", "https://", "mailto:", "ftp://"]
                .iter()
                .any(|p| after.starts_with(p));
            if autolink {
                self.md.push('<');
            } else {
                if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
                    self.raw_html
                        .get_or_insert(start + (chunk.len() - rest.len()) + k);
                }
                self.md.push(LT);
                self.lt = true;
            }
            rest = after;
        }
        self.md.push_str(rest);
    }

    /// `html` made from `md` with every hidden `<` written as `&lt;`. Whether there is one
    /// is known from the text: a page's HTML is long to search.
    fn show_lt<'h>(&self, html: &'h str) -> Cow<'h, str> {
        match self.lt {
            true => Cow::Owned(html.replace(LT, "&lt;")),
            false => Cow::Borrowed(html),
        }
    }

    fn push(&mut self, out: Out) {
        match out {
            Out::Inline(html) => {
                push_placeholder(&mut self.md, self.inserts.len());
                self.inserts.push(html);
            }
            Out::Block(html) => {
                self.md.push_str("\n\n");
                push_placeholder(&mut self.md, self.inserts.len());
                self.md.push_str("\n\n");
                self.inserts.push(html);
            }
            Out::Remove => {}
        }
    }

    /// The fragment offset behind a markdown offset.
    fn map(&self, md_off: usize) -> usize {
        let k = self.segs.partition_point(|(m, _)| *m <= md_off);
        match k.checked_sub(1).and_then(|k| self.segs.get(k)) {
            Some((m, t)) => t + (md_off - m),
            None => 0,
        }
    }
}

/// Positions from which a closing delimiter is known to be missing.
struct Unclosed {
    comment: usize,
    raw: usize,
    dollar: usize,
    bracket: usize,
    /// By backtick run length (runs of 8 or more share the last slot and are not memoised).
    code: [usize; 8],
}

impl Default for Unclosed {
    fn default() -> Self {
        Unclosed {
            comment: usize::MAX,
            raw: usize::MAX,
            dollar: usize::MAX,
            bracket: usize::MAX,
            code: [usize::MAX; 8],
        }
    }
}

/// Text that renders as itself: no dialect construct and nothing markdown would read.
/// Macro expansions are often like this, and skipping the whole pipeline for them keeps
/// pages that use a command thousands of times fast.
fn is_plain(text: &str) -> bool {
    /// The bytes that may start a construct or mean something to markdown.
    static MARKUP: [bool; 256] = super::html::byte_table(b"\\$@#{}[]<>*_`~!&+-|\n\r=\"\t");
    let starts_with_digit = text.trim_start().starts_with(|c: char| c.is_ascii_digit());
    // Eight bytes at a time through the table: titles and command bodies are short, and
    // this runs for each of them.
    let bytes = text.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    let marked = chunks.by_ref().any(|chunk| {
        chunk
            .iter()
            .fold(false, |hit, b| hit | MARKUP[usize::from(*b)])
    });
    !starts_with_digit && !marked && !chunks.remainder().iter().any(|b| MARKUP[usize::from(*b)])
}

/// The insert number when `md` is a single placeholder between new lines (no spaces,
/// which could make it indented code).
fn lone_placeholder(md: &str) -> Option<usize> {
    let inner = md
        .trim_matches('\n')
        .strip_prefix(PH_OPEN)?
        .strip_suffix(PH_CLOSE)?;
    if inner.bytes().all(|b| b.is_ascii_digit()) {
        inner.parse().ok()
    } else {
        None
    }
}

/// The pairs matched in `text`, matched on first use.
fn pairs<'m>(m: &'m mut Option<Matches>, text: &str) -> &'m Matches {
    m.get_or_insert_with(|| Matches::new(text))
}

impl PageState<'_> {
    /// Converts a fragment of dialect text to HTML. `recursive` fragments (command bodies,
    /// div contents, titles) lose a single wrapping `<p>` and may not hold `@def`s.
    pub(super) fn fragment(&mut self, text: &str, origin: Origin, recursive: bool) -> String {
        if self.depth >= MAX_DEPTH {
            self.error(
                origin,
                0,
                text.len().min(1),
                "nesting-too-deep",
                format!("constructs are nested more than {MAX_DEPTH} levels deep"),
                "a command probably expands to itself; check its definition",
            );
            return escape(text);
        }
        if recursive && is_plain(text) {
            return escape(text.trim());
        }
        self.depth += 1;
        // Only commands, divs and `{{ }}` blocks need the pairs matched, and command and
        // div bodies often hold none of them.
        let mut m: Option<Matches> = None;
        // A page's own text has a few dozen constructs: room for them up front (a command
        // or div body has few, and gets none).
        let room = if recursive { 0 } else { 32 };
        let mut inter = Intermediate {
            md: String::with_capacity(text.len() + 64),
            segs: Vec::with_capacity(room),
            inserts: Vec::with_capacity(room),
            ..Intermediate::default()
        };
        let bytes = text.as_bytes();
        // Where a search for a closing delimiter already failed: any later opener of the same
        // kind fails too, so it is not searched again (keeps floods of openers linear).
        let mut unclosed = Unclosed::default();
        let stops = SPECIAL.stops(bytes);
        let mut i = 0;
        let mut run = 0;
        while i < bytes.len() {
            match stops.next(i) {
                Some(k) => i = k,
                None => break,
            }
            let b = bytes[i];
            let line_start = i == 0 || bytes[i - 1] == b'\n';
            let step = match b {
                b'<' if i < unclosed.comment => {
                    let s = self.comment(text, i, origin);
                    if s.is_none() && text[i..].starts_with("<!--") {
                        unclosed.comment = i;
                    }
                    s
                }
                b'+' if line_start && !recursive => self.def_block(text, i, origin),
                b'~' if i < unclosed.raw => {
                    let s = self.raw_html(text, i, origin);
                    if s.is_none() && text[i..].starts_with("~~~") {
                        unclosed.raw = i;
                    }
                    s
                }
                b'[' => self.footnote(text, i),
                b'\\' if text[i..].starts_with("\\[") && i >= unclosed.bracket => None,
                b'\\' => {
                    let s = self.backslash(text, i, pairs(&mut m, text), origin);
                    if s.is_none() && text[i..].starts_with("\\[") {
                        unclosed.bracket = i;
                    }
                    s
                }
                b'@' => self.at_sign(text, i, pairs(&mut m, text), origin, recursive),
                b'#' if line_start => self.header(text, i, origin),
                b'$' if i < unclosed.dollar => {
                    let s = self.dollar(text, i, origin);
                    if s.is_none() {
                        unclosed.dollar = i;
                    }
                    s
                }
                b'`' => {
                    let n = text[i..].bytes().take_while(|b| *b == b'`').count();
                    let slot = n.min(unclosed.code.len() - 1);
                    if i >= unclosed.code[slot] && slot == n {
                        Some((i + n, Out::Inline("`".repeat(n))))
                    } else {
                        let s = self.backticks(text, i, origin);
                        let closed =
                            matches!(&s, Some((_, Out::Block(_)))) || skip_code(text, i).is_some();
                        if !closed && slot == n {
                            unclosed.code[slot] = i;
                        }
                        s
                    }
                }
                b'{' => self.template_block(text, i, pairs(&mut m, text), origin),
                _ => None,
            };
            match step {
                Some((end, out)) => {
                    inter.text(text, run, i);
                    inter.push(out);
                    i = end.max(i + 1);
                    run = i;
                }
                None => {
                    i += 1;
                    while i < bytes.len() && !text.is_char_boundary(i) {
                        i += 1;
                    }
                }
            }
        }
        inter.text(text, run, text.len());
        if recursive {
            if let Some(k) = lone_placeholder(&inter.md) {
                // A command or div whose whole body is one construct: markdown would wrap
                // it in a paragraph that is then taken off again.
                if k < inter.inserts.len() {
                    self.depth -= 1;
                    return inter.inserts.swap_remove(k);
                }
            }
        }
        if recursive && is_plain(&inter.md) {
            // Nothing for markdown to do: skip the parser (macro-heavy pages call this a lot).
            let text = escape(inter.md.trim());
            let out = reinsert(&inter.show_lt(&text), &inter.inserts);
            self.depth -= 1;
            return out;
        }
        let md = markdown::render(&inter.md, self.ctx.check_data);
        for link in md.links.iter().filter(|_| self.ctx.check_data) {
            let off = inter.map(link.offset);
            let end = inter.map(link.end.saturating_sub(1)) + 1;
            let span = self.span(origin, off, end.max(off + 1));
            self.links.push(Link {
                dest: link.dest.clone(),
                span,
                kind: if link.is_image {
                    LinkKind::Image
                } else {
                    LinkKind::Link
                },
            });
        }
        if md.saw_indented_code {
            self.has_code = true;
        }
        if let Some(off) = inter.raw_html {
            self.warning(
                origin,
                off,
                off + 1,
                "raw-html",
                "raw HTML in markdown is shown as text, as Franklin does".to_string(),
                "wrap HTML in `~~~ ... ~~~` to insert it as HTML",
            );
        }
        let shown = inter.show_lt(&md.html);
        let html = if recursive {
            strip_single_p(&shown)
        } else {
            &shown
        };
        let out = reinsert(html, &inter.inserts);
        self.depth -= 1;
        out
    }

    fn comment(&mut self, text: &str, i: usize, origin: Origin) -> Option<(usize, Out)> {
        if !text[i..].starts_with("<!--") {
            return None;
        }
        match text[i + 4..].find("-->") {
            Some(e) => Some((i + 4 + e + 3, Out::Remove)),
            None => {
                self.error(
                    origin,
                    i,
                    i + 4,
                    "unclosed-comment",
                    "comment `<!--` is never closed".to_string(),
                    "end the comment with `-->`",
                );
                None
            }
        }
    }

    fn def_block(&mut self, text: &str, i: usize, origin: Origin) -> Option<(usize, Out)> {
        let rest = &text[i..];
        if !(rest.starts_with("+++\n") || rest.starts_with("+++\r")) {
            return None;
        }
        let body_start = i + 4;
        let mut search = body_start;
        let close = loop {
            let Some(rel) = text[search..].find("\n+++") else {
                break None;
            };
            let at = search + rel + 1;
            let after = &text[at + 3..];
            if after.is_empty() || after.starts_with('\n') || after.starts_with('\r') {
                break Some(at);
            }
            search = at + 3;
        };
        let Some(close) = close else {
            self.error(
                origin,
                i,
                i + 3,
                "unclosed-block",
                "`+++` block is never closed".to_string(),
                "end the block of definitions with a line holding only `+++`",
            );
            return None;
        };
        let body = &text[body_start..close];
        let resources = self.ctx.resources;
        let env = |name: &str| resources.env(name);
        let (assignments, errors) = julia::eval_block(body, &env);
        for e in errors {
            self.value_error(origin, body_start, e);
        }
        for a in assignments {
            let s = body_start + a.offset;
            if let Err(msg) = self.vars.set(&a.name, a.value) {
                self.error(
                    origin,
                    s,
                    s + a.len.max(1),
                    "bad-variable",
                    msg,
                    "change the value to the expected type",
                );
            }
        }
        Some((close + 3, Out::Remove))
    }

    /// Reports a value that could not be read; `base` is where the evaluated text starts.
    fn value_error(&mut self, origin: Origin, base: usize, e: julia::EvalError) {
        let s = base + e.offset;
        self.error(
            origin,
            s,
            s + e.len.max(1),
            "bad-variable",
            e.message,
            e.help.as_deref().unwrap_or(""),
        );
    }

    fn def_line(&mut self, text: &str, i: usize, origin: Origin) -> Option<(usize, Out)> {
        let content_start = i + "@def ".len();
        // Most definitions are one string, list or number: read without the general parser.
        if let Some(def) = julia::simple_def(&text[content_start..]) {
            let at = (
                content_start + def.range.start,
                content_start + def.range.end,
            );
            self.set_var(origin, at, def.name, def.value);
            return Some((content_start + def.extent, Out::Remove));
        }
        let extent = julia::def_extent(&text[content_start..]);
        let end = content_start + extent;
        let mut content = &text[content_start..end];
        // Franklin drops anything after `<!--` on a definition line.
        if let Some(c) = content.find("<!--") {
            content = &content[..c];
        }
        match julia::split_def(content) {
            Ok((name, range)) => {
                let value_src = &content[range.clone()];
                let resources = self.ctx.resources;
                let env = |n: &str| resources.env(n);
                match julia::eval_expr(value_src, &env) {
                    Ok(v) => {
                        let at = (content_start + range.start, content_start + range.end);
                        self.set_var(origin, at, &name, v);
                    }
                    Err(e) => self.value_error(origin, content_start + range.start, e),
                }
            }
            Err(e) => {
                self.error(
                    origin,
                    i,
                    end.max(i + 4),
                    "bad-variable",
                    e.message,
                    e.help
                        .as_deref()
                        .unwrap_or("write a definition as `@def name = value`"),
                );
            }
        }
        Some((end, Out::Remove))
    }

    /// Sets a page variable defined by the value written at `at`, reporting a type mismatch there.
    fn set_var(&mut self, origin: Origin, at: (usize, usize), name: &str, value: super::Value) {
        if let Err(msg) = self.vars.set(name, value) {
            self.error(
                origin,
                at.0,
                at.1,
                "bad-variable",
                msg,
                "change the value to the expected type",
            );
        }
    }

    fn raw_html(&mut self, text: &str, i: usize, origin: Origin) -> Option<(usize, Out)> {
        if !text[i..].starts_with("~~~") {
            return None;
        }
        match text[i + 3..].find("~~~") {
            Some(e) => Some((
                i + 3 + e + 3,
                Out::Inline(text[i + 3..i + 3 + e].to_string()),
            )),
            None => {
                self.error(
                    origin,
                    i,
                    i + 3,
                    "unclosed-raw-html",
                    "raw HTML block `~~~` is never closed".to_string(),
                    "end the raw HTML with another `~~~`",
                );
                None
            }
        }
    }

    fn footnote(&mut self, text: &str, i: usize) -> Option<(usize, Out)> {
        let rest = text[i..].strip_prefix("[^")?;
        let id_len = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map_or(rest.len(), |(k, _)| k);
        if id_len == 0 {
            return None;
        }
        let id = &rest[..id_len];
        let after = &rest[id_len..];
        if let Some(def) = after.strip_prefix("]:") {
            let line_end = def.find('\n').unwrap_or(def.len());
            let content = def[..line_end].trim();
            let start = i + 2 + id_len + 2;
            let html = self.fragment(content, Origin::Fixed(start, start + line_end), true);
            let html = html.trim_end().to_string();
            self.footnote_defs.insert(id.to_string(), html);
            self.record_anchor(&format!("fndef:{id}"));
            return Some((
                start + line_end,
                Out::Block(format!("{LATE_OPEN}fndef:{id}{LATE_CLOSE}")),
            ));
        }
        if after.starts_with(']') {
            if !self.footnotes.contains_key(id) {
                self.footnote_count += 1;
                self.footnotes.insert(id.to_string(), self.footnote_count);
                self.record_anchor(&format!("fnref:{id}"));
            }
            return Some((
                i + 2 + id_len + 1,
                Out::Inline(format!(
                    "<sup id=\"fnref:{id}\"><a href=\"#fndef:{id}\" class=\"fnref\">[{LATE_OPEN}fn:{id}{LATE_CLOSE}]</a></sup>"
                )),
            ));
        }
        None
    }

    fn at_sign(
        &mut self,
        text: &str,
        i: usize,
        m: &Matches,
        origin: Origin,
        recursive: bool,
    ) -> Option<(usize, Out)> {
        let rest = &text[i..];
        if rest.starts_with("@def ") || rest.starts_with("@def\t") {
            return if recursive {
                None
            } else {
                self.def_line(text, i, origin)
            };
        }
        if !rest.starts_with("@@") {
            return None;
        }
        let name_len = div_name_len(&rest[2..]);
        if name_len == 0 {
            if is_div_close(text, i) {
                self.error(
                    origin,
                    i,
                    i + 2,
                    "unmatched-div-close",
                    "`@@` closes a div that was never opened".to_string(),
                    "remove it, or open the div with `@@classname`",
                );
                return Some((i + 2, Out::Remove));
            }
            return None;
        }
        let classes = rest[2..2 + name_len].replace(',', " ");
        let Some(close) = m.div(i) else {
            self.error(
                origin,
                i,
                i + 2 + name_len,
                "unclosed-div",
                format!("div `@@{}` is never closed", &rest[2..2 + name_len]),
                "close the div with `@@` followed by a space or a new line",
            );
            return None;
        };
        let inner_start = i + 2 + name_len;
        let inner = &text[inner_start..close];
        let lead = inner.len() - inner.trim_start().len();
        let content = inner.trim();
        let html = self.fragment(content, origin.shifted(inner_start + lead), true);
        let html = html.trim_end_matches('\n');
        Some((
            close + 2,
            Out::Block(["<div class=\"", &escape(&classes), "\">", html, "</div>"].concat()),
        ))
    }

    fn header(&mut self, text: &str, i: usize, origin: Origin) -> Option<(usize, Out)> {
        let level = text[i..].bytes().take_while(|b| *b == b'#').count();
        if !(1..=6).contains(&level) || text.as_bytes().get(i + level) != Some(&b' ') {
            return None;
        }
        let title_start = i + level + 1;
        let line_end = text[title_start..]
            .find('\n')
            .map_or(text.len(), |e| title_start + e);
        let raw = &text[title_start..line_end];
        let lead = raw.len() - raw.trim_start().len();
        let title = raw.trim_start();
        let mut html = self.fragment(title, origin.shifted(title_start + lead), true);
        html.truncate(html.trim_end_matches('\n').len());
        let id = self.unique_id(refstring(&html));
        let line = self.line_at(origin, i);
        self.record_anchor(&id);
        let tag = ["h1", "h2", "h3", "h4", "h5", "h6"][level - 1];
        let mut out = String::with_capacity(2 * html.len() + 2 * id.len() + 64);
        for part in ["<", tag, " id=\"", &id, "\">"] {
            out.push_str(part);
        }
        if self.vars.bool("title_links") || self.vars.get("title_links").is_none() {
            let class = match self.vars.str("header_anchor_class") {
                "" => "header-anchor",
                c => c,
            };
            for part in ["<a href=\"#", &id, "\" class=\""] {
                out.push_str(part);
            }
            escape_into(&mut out, class);
            for part in ["\">", &html, "</a>"] {
                out.push_str(part);
            }
        } else {
            out.push_str(&html);
        }
        for part in ["</", tag, ">"] {
            out.push_str(part);
        }
        self.headings.push(Heading {
            level: level as u8,
            id,
            html,
            line,
        });
        Some((line_end, Out::Block(out)))
    }

    fn dollar(&mut self, text: &str, i: usize, origin: Origin) -> Option<(usize, Out)> {
        let display = text[i..].starts_with("$$");
        let open_len = if display { 2 } else { 1 };
        let body_start = i + open_len;
        let close = find_unescaped(text, body_start, if display { "$$" } else { "$" });
        let Some(close) = close else {
            let what = if display { "$$" } else { "$" };
            self.error(
                origin,
                i,
                i + open_len,
                "unclosed-math",
                format!("math opened with `{what}` is never closed"),
                &format!(
                    "close the math with a matching `{what}`, or write `\\$` for a dollar sign"
                ),
            );
            return None;
        };
        let body = &text[body_start..close];
        let html = self.math(body, origin.shifted(body_start), display);
        let end = close + open_len;
        Some((
            end,
            if display {
                Out::Block(html)
            } else {
                Out::Inline(html)
            },
        ))
    }

    fn backticks(&mut self, text: &str, i: usize, origin: Origin) -> Option<(usize, Out)> {
        let n = text[i..].bytes().take_while(|b| *b == b'`').count();
        // A fence's info string runs to the end of the line and holds no backtick; look only
        // as far as the first newline or backtick, so long lines stay cheap.
        let stop = text[i + n..]
            .find(['\n', '`'])
            .map_or(text.len(), |e| i + n + e);
        if n >= 3 && text.as_bytes().get(stop) != Some(&b'`') {
            return self.fence(text, i, n, stop, origin);
        }
        let end = match skip_code(text, i) {
            Some(e) => e,
            None => return Some((i + n, Out::Inline("`".repeat(n)))),
        };
        let inner = text[i + n..end - n].trim();
        let mut html = String::with_capacity(inner.len() + 16);
        html.push_str("<code>");
        escape_code_into(&mut html, inner);
        html.push_str("</code>");
        Some((end, Out::Inline(html)))
    }

    fn fence(
        &mut self,
        text: &str,
        i: usize,
        n: usize,
        line_end: usize,
        origin: Origin,
    ) -> Option<(usize, Out)> {
        let info = parse_info(&text[i + n..line_end]);
        let Some(end) = skip_code(text, i) else {
            self.error(
                origin,
                i,
                line_end,
                "unclosed-code-fence",
                format!("code block opened with {n} backticks is never closed"),
                "close the code block with a line of the same number of backticks",
            );
            return Some((i + n, Out::Inline("`".repeat(n))));
        };
        let body_start = (line_end + 1).min(end - n);
        let body = strip_body(&text[body_start..end - n]);
        self.has_code = true;
        if self.ctx.check_data {
            let span = self.span(origin, i, line_end);
            let code_offset = match origin {
                Origin::Source(base) => Some(
                    base + body_start
                        + (text[body_start..].len()
                            - text[body_start..].trim_start_matches(['\n', '\r']).len()),
                ),
                Origin::Fixed(..) => None,
            };
            self.code_blocks.push(CodeBlock {
                lang: info.lang.clone(),
                code: body.to_string(),
                code_offset,
                span,
            });
        }
        let lang = if info.lang.is_empty() && info.auto_eval {
            String::new()
        } else {
            info.lang.clone()
        };
        let visible = visible_code(&lang, body);
        let mut html = match &visible {
            Some(code) if !code.trim().is_empty() || info.eval_name.is_none() => {
                code_block_html(&lang, code)
            }
            _ => String::new(),
        };
        if info.auto_eval {
            self.auto_eval_count += 1;
            let name = format!("_ceval_{}", self.auto_eval_count);
            html.push_str(&self.show_output(&name, origin, i, line_end, true));
        } else if let Some(name) = &info.eval_name {
            if lang != "julia" {
                self.warning(
                    origin,
                    i,
                    line_end,
                    "not-evaluated",
                    format!("`{lang}:{name}` is shown but not evaluated: only Julia blocks are"),
                    "drop the `:name` to make it a plain code block",
                );
            }
        }
        Some((end, Out::Block(html)))
    }

    fn template_block(
        &mut self,
        text: &str,
        i: usize,
        m: &Matches,
        origin: Origin,
    ) -> Option<(usize, Out)> {
        if !text[i..].starts_with("{{") {
            return None;
        }
        if let Some(end) = m.template(i) {
            return Some((end, Out::Inline(text[i..end].to_string())));
        }
        self.error(
            origin,
            i,
            i + 2,
            "unclosed-template-block",
            "`{{` is never closed by `}}`".to_string(),
            "close the block with `}}`, or write `{ {` if you meant two braces",
        );
        // Reported here once; written as entities so the template pass does not report it again.
        Some((i + 2, Out::Inline("&#123;&#123;".to_string())))
    }

    /// Resolves the markers left for things known only at the end of the page.
    pub(super) fn resolve_late(&mut self, html: String) -> String {
        if !super::html::holds_char(&html, LATE_OPEN) {
            return html;
        }
        let mut out = String::with_capacity(html.len());
        let mut rest = html.as_str();
        while let Some(i) = rest.find(LATE_OPEN) {
            out.push_str(&rest[..i]);
            let after = &rest[i + LATE_OPEN.len_utf8()..];
            let Some(close) = after.find(LATE_CLOSE) else {
                break;
            };
            let key = &after[..close];
            rest = &after[close + LATE_CLOSE.len_utf8()..];
            if let Some(id) = key.strip_prefix("fn:") {
                let n = self.footnotes.get(id).copied().unwrap_or(0);
                out.push_str(&n.to_string());
            } else if let Some(id) = key.strip_prefix("fndef:") {
                if let (Some(n), Some(body)) = (self.footnotes.get(id), self.footnote_defs.get(id))
                {
                    out.push_str(&format!(
                        "<table class=\"fndef\" id=\"fndef:{id}\">\n    <tr>\n        <td class=\"fndef-backref\"><a href=\"#fnref:{id}\">[{n}]</a></td>\n        <td class=\"fndef-content\">{body}</td>\n    </tr>\n</table>"
                    ));
                }
            } else if let Some(id) = key.strip_prefix("eq:") {
                match self.eq_labels.get(id) {
                    Some(n) => out.push_str(&format!("<a href=\"#{id}\">{n}</a>")),
                    None => out.push_str("<b>??</b>"),
                }
            } else if let Some(id) = key.strip_prefix("bib:") {
                match self.bib_names.get(id) {
                    Some(name) => out.push_str(&format!("<a href=\"#{id}\">{name}</a>")),
                    None => out.push_str("<b>??</b>"),
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// Finds `pat` from `from` on, skipping occurrences escaped with a backslash.
pub(super) fn find_unescaped(text: &str, from: usize, pat: &str) -> Option<usize> {
    let mut k = from;
    while let Some(rel) = super::html::find(text.get(k..)?, pat) {
        let at = k + rel;
        let backslashes = text[..at].bytes().rev().take_while(|b| *b == b'\\').count();
        if backslashes % 2 == 0 {
            return Some(at);
        }
        k = at + pat.len();
    }
    None
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn plain_text_has_none_of_the_markup_bytes(
            text in crate::test_support::text_of(&["a", " ", "1", "é", "$", "-", "\t", "=", "\"", "x y z w"], 24)
        ) {
            let markup = b"\\$@#{}[]<>*_`~!&+-|\n\r=\"\t";
            let expected = !text.trim_start().starts_with(|c: char| c.is_ascii_digit())
                && !text.bytes().any(|b| markup.contains(&b));
            proptest::prop_assert_eq!(super::is_plain(&text), expected);
        }
    }
}
