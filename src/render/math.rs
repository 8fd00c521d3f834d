//! Build-time math: `\(…\)` and `\[…\]` in a rendered HTML body become MathML.
//!
//! Franklin leaves TeX in the page for KaTeX to typeset in the browser. We typeset it when the
//! site is built instead: MathML is understood natively by current browsers, so pages need no
//! JavaScript, no web fonts and no network, and formulas appear with the text instead of after a
//! script has run. TeX that pulldown-latex cannot parse stays in the page as written and is
//! reported, so the author sees the problem at build time rather than as a red box online.

use std::sync::{Arc, LazyLock, Mutex};

use crate::dialect::byteset::{first_of, Needles};

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{push_mathml, Parser, RenderConfig, Storage};
use rustc_hash::FxHashMap;

use super::highlight::unescape_html;

/// Elements whose content is never math, whatever it contains.
const RAW_ELEMENTS: [&str; 4] = ["pre", "code", "script", "style"];

/// [`typeset_math`] without a cache, the page as it is when it holds no formula.
#[cfg(test)]
fn render_math(html: &str) -> (String, Vec<String>) {
    render_math_with(html, None)
}

/// Formulas already typeset in this build, by display mode and TeX: course notes repeat
/// their notation (`$x$`, `$\mathbb{R}^n$`) on page after page.
#[derive(Default)]
pub struct MathCache(Mutex<[FxHashMap<String, Typeset>; 2]>);

/// A formula's MathML, or why it has none.
type Typeset = Result<Arc<str>, String>;

/// [`typeset_math`], the page as it is when it holds no formula.
#[cfg(test)]
fn render_math_with(html: &str, cache: Option<&MathCache>) -> (String, Vec<String>) {
    typeset_math(html, cache).unwrap_or_else(|| (html.to_string(), Vec::new()))
}

/// Converts the TeX delimited by `\(…\)` and `\[…\]` in the text of `html` to MathML,
/// reusing and filling `cache`.
///
/// Returns the new HTML and one message per formula that could not be converted; such
/// formulas are left as they were. None when `html` holds no `\(` or `\[`: the page is
/// searched for them once, not once to ask and again to work.
pub fn typeset_math(html: &str, cache: Option<&MathCache>) -> Option<(String, Vec<String>)> {
    let holds = crate::dialect::html::holds;
    if !holds(html, "\\(") && !holds(html, "\\[") {
        return None;
    }
    // Only a `\` can start a formula, and pages hold few. Markup matters only where it
    // holds one: comments and raw elements are found in one search over the page, and a
    // tag around a `\` by looking back from it.
    let bytes = html.as_bytes();
    let mut formulas = Formulas::new(html, cache);
    let mut pos = 0;
    let mut region = next_region(html, 0);
    'scan: while let Some(k) = memchr::memchr(b'\\', &bytes[pos..]) {
        let at = pos + k;
        let mut text_from = pos;
        while let Some((_, end)) = region.filter(|(start, _)| *start < at) {
            if end > at {
                pos = end;
                region = next_region(html, end);
                continue 'scan;
            }
            text_from = text_from.max(end);
            region = next_region(html, end);
        }
        if let Some(lt) = memchr::memrchr(b'<', &bytes[text_from..at]).map(|k| text_from + k) {
            if first_of(&bytes[lt..at], b">").is_none() {
                // Inside a tag: step over the rest of it.
                pos = memchr::memchr(b'>', &bytes[at..]).map_or(html.len(), |k| at + k + 1);
                continue;
            }
        }
        match formulas.backslash(at) {
            Some(next) => pos = next,
            None => break,
        }
    }
    Some(formulas.finish())
}

/// The page being rewritten as its formulas are typeset.
struct Formulas<'a> {
    html: &'a str,
    cache: Option<&'a MathCache>,
    out: String,
    /// How much of `html` is in `out` already.
    copied: usize,
    problems: Vec<String>,
}

impl<'a> Formulas<'a> {
    fn new(html: &'a str, cache: Option<&'a MathCache>) -> Formulas<'a> {
        Formulas {
            html,
            cache,
            out: String::with_capacity(html.len() * 2),
            copied: 0,
            problems: Vec::new(),
        }
    }

    /// Reads the backslash at `at`, which is in text: a formula opened there is typeset.
    /// Returns where the scan goes on, or None at the end of the page.
    fn backslash(&mut self, at: usize) -> Option<usize> {
        let (html, bytes) = (self.html, self.html.as_bytes());
        let (close, mode) = match bytes.get(at + 1)? {
            b'(' => ("\\)", DisplayMode::Inline),
            b'[' => ("\\]", DisplayMode::Block),
            // A tag right after a backslash is still markup.
            b'<' => return Some(at + 1),
            // `\\` and other escapes are skipped as a pair, so `\\(` is not an opener.
            _ => return Some(at + 2),
        };
        // A formula lies within one run of text: its closer comes before the next tag.
        let tex_start = at + 2;
        let text_end = first_of(&bytes[tex_start..], b"<").map_or(html.len(), |k| tex_start + k);
        let Some(tex_len) = find_closer(&html[tex_start..text_end], close) else {
            return Some(tex_start);
        };
        let tex_end = tex_start + tex_len;
        match cached_mathml(&html[tex_start..tex_end], mode, self.cache).as_deref() {
            Ok(mathml) => {
                self.out.push_str(&html[self.copied..at]);
                self.out.push_str(mathml);
                self.copied = tex_end + 2;
            }
            Err(message) => self.problems.push(format!(
                "cannot render math `{}`: {message}",
                unescape_html(&html[at..tex_end + 2])
            )),
        }
        Some(tex_end + 2)
    }

    fn finish(mut self) -> (String, Vec<String>) {
        self.out.push_str(&self.html[self.copied..]);
        (self.out, self.problems)
    }
}

/// The next comment or raw element at or after `from`, as its start and end.
fn next_region(html: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = html.as_bytes();
    let mut at = from;
    while let Some(start) = next_opener(bytes, at) {
        at = start + 1;
        let Some(len) = region_len(&html[start..]) else {
            continue;
        };
        // Inside a tag (`<a title="<pre>">`) it is an attribute's text, as a tag ends at
        // its first `>`.
        let tag_from = memchr::memrchr(b'>', &bytes[from..start]).map_or(from, |k| from + k + 1);
        if first_of(&bytes[tag_from..start], b"<").is_none() {
            return Some((start, start + len));
        }
    }
    None
}

/// The next `<` at or after `from` that may open a comment or a raw element: most tags
/// (`<p>`, `<a>`, closing tags) cannot, and a page has hundreds of them.
fn next_opener(bytes: &[u8], from: usize) -> Option<usize> {
    // `<!-` and the first two letters of each raw element, in any case.
    static OPENERS: LazyLock<Needles> = LazyLock::new(|| {
        let mut patterns = vec![*b"<!-"];
        for name in RAW_ELEMENTS {
            let [a, b] = [name.as_bytes()[0], name.as_bytes()[1]];
            for x in [a, a.to_ascii_uppercase()] {
                for y in [b, b.to_ascii_uppercase()] {
                    patterns.push([b'<', x, y]);
                }
            }
        }
        Needles::new(&patterns)
    });
    OPENERS.find(bytes, from)
}

/// Length of the comment or whole raw element (`<pre>…</pre>` and friends) at the start
/// of `s` (which starts with `<`), or None when `s` starts some other tag.
fn region_len(s: &str) -> Option<usize> {
    if s.starts_with("<!--") {
        return Some(s.find("-->").map_or(s.len(), |end| end + 3));
    }
    let bytes = s.as_bytes();
    let name_len = bytes[1..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let name = &bytes[1..1 + name_len];
    if !RAW_ELEMENTS
        .iter()
        .any(|raw| raw.as_bytes().eq_ignore_ascii_case(name))
    {
        return None;
    }
    let tag_end = first_of(bytes, b">").map_or(s.len(), |end| end + 1);
    // Raw elements of one name do not nest in practice, so the first closing tag ends them.
    Some(match find_close_tag(s, tag_end, name) {
        Some(close_start) => {
            first_of(&bytes[close_start..], b">").map_or(s.len(), |end| close_start + end + 1)
        }
        None => s.len(),
    })
}

/// Length of the markup starting at `s` (which starts with `<`) that must be copied verbatim:
/// a comment, a whole raw element or a single tag.
#[cfg(test)]
fn markup_len(s: &str) -> usize {
    region_len(s).unwrap_or_else(|| first_of(s.as_bytes(), b">").map_or(s.len(), |end| end + 1))
}

/// Offset of the first `</name` (any case) in `s` at or after `from`.
fn find_close_tag(s: &str, from: usize, name: &[u8]) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut at = from;
    while let Some(k) = first_of(bytes.get(at..)?, b"<") {
        let start = at + k;
        if bytes.get(start + 1) != Some(&b'/') {
            at = start + 1;
            continue;
        }
        let candidate = bytes.get(start + 2..start + 2 + name.len());
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name)) {
            return Some(start);
        }
        at = start + 2;
    }
    None
}

/// Offset in `s` of the closing delimiter `close`, skipping escaped pairs like `\\`.
fn find_closer(s: &str, close: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let want = close.as_bytes()[1];
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1] == want {
                return Some(i);
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    None
}

/// Typesets escaped TeX as MathML, or says why it cannot.
/// [`to_mathml`] through the build's cache.
fn cached_mathml(escaped_tex: &str, mode: DisplayMode, cache: Option<&MathCache>) -> Typeset {
    let Some(cache) = cache else {
        return to_mathml(escaped_tex, mode).map(Arc::from);
    };
    let slot = usize::from(matches!(mode, DisplayMode::Block));
    if let Some(hit) = cache
        .0
        .lock()
        .ok()
        .and_then(|c| c[slot].get(escaped_tex).cloned())
    {
        return hit;
    }
    let result = to_mathml(escaped_tex, mode).map(Arc::from);
    if let Ok(mut c) = cache.0.lock() {
        c[slot].insert(escaped_tex.to_string(), result.clone());
    }
    result
}

fn to_mathml(escaped_tex: &str, mode: DisplayMode) -> Result<String, String> {
    let tex = unescape_html(escaped_tex);
    if tex.trim().is_empty() {
        return Err("the formula is empty".to_string());
    }
    // pulldown-latex is young; a panic on odd input must cost one formula, not the build.
    let typeset = std::panic::catch_unwind(|| {
        let storage = Storage::new();
        let events: Result<Vec<_>, _> = Parser::new(&tex, &storage).collect();
        let events = events.map_err(|e| first_line(&e.to_string()))?;
        let config = RenderConfig {
            display_mode: mode,
            ..RenderConfig::default()
        };
        let mut mathml = String::new();
        push_mathml(
            &mut mathml,
            events.into_iter().map(Ok::<_, pulldown_latex::ParserError>),
            config,
        )
        .map_err(|e| e.to_string())?;
        Ok(escape_text(&mathml))
    });
    typeset.unwrap_or_else(|_| Err("the TeX parser crashed on this formula".to_string()))
}

/// Escapes the `<`, `>` and `&` that pulldown-latex writes raw in element content (operators
/// like `<mo><</mo>`), which browsers only accept through error recovery.
fn escape_text(mathml: &str) -> String {
    let mut out = String::with_capacity(mathml.len() + 16);
    let mut in_tag = false;
    let mut chars = mathml.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if in_tag {
            in_tag = c != '>';
            out.push(c);
            continue;
        }
        match c {
            '<' if chars
                .peek()
                .is_some_and(|&(_, n)| n.is_ascii_alphabetic() || n == '/') =>
            {
                in_tag = true;
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' if starts_reference(&mathml[at..]) => out.push(c),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `s` (starting with `&`) starts a character reference like `&lt;` or `&#x3C;`.
fn starts_reference(s: &str) -> bool {
    let Some(semi) = s.find(';').filter(|&semi| semi > 1 && semi <= 10) else {
        return false;
    };
    let name = &s[1..semi];
    match name.strip_prefix('#') {
        Some(num) => match num.strip_prefix(['x', 'X']) {
            Some(hex) => !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()),
            None => !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()),
        },
        None => name.chars().all(|c| c.is_ascii_alphanumeric()),
    }
}

/// The headline of pulldown-latex's multi-line error message.
fn first_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(message)
        .trim_start_matches("parsing error: ")
        .to_string()
}

/// The scan this module used before (stepping over every tag), kept to check the
/// current one against.
#[cfg(test)]
fn render_math_by_tags(html: &str, cache: Option<&MathCache>) -> (String, Vec<String>) {
    let bytes = html.as_bytes();
    let mut formulas = Formulas::new(html, cache);
    let mut pos = 0;
    while let Some(k) = memchr::memchr2(b'<', b'\\', &bytes[pos..]) {
        let at = pos + k;
        let next = if bytes[at] == b'<' {
            Some(at + markup_len(&html[at..]))
        } else {
            formulas.backslash(at)
        };
        match next {
            Some(next) => pos = next,
            None => break,
        }
    }
    formulas.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn finds_the_formulas_the_tag_by_tag_scan_found(
            html in crate::test_support::text_of(&[
                "\\(", "\\)", "\\[", "\\]", "\\\\", "\\", "x^2", "a", " ", "<", ">", "<p>",
                "</p>", "<pre>", "</pre>", "<PRE class=\"x\">", "</Pre>", "<code>", "</code>",
                "<!--", "-->", "<script>", "</script>", "<style>", "</style>", "<prefix>",
                "<a href=\"", "\">", "<em>", "</em>", "\n", "&lt;", "é", "<Code>", "<sTyle>",
                "</STYLE>", "<!DOCTYPE html>", "<strong>", "<!-", "<sc",
            ], 24)
        ) {
            let cache = MathCache::default();
            proptest::prop_assert_eq!(
                render_math_with(&html, Some(&cache)),
                render_math_by_tags(&html, Some(&cache))
            );
        }
    }

    #[test]
    fn inline_math_becomes_mathml() {
        let (out, problems) = render_math("<p>Let \\(x^2 + 1\\) be given.</p>");
        assert!(problems.is_empty(), "{problems:?}");
        assert!(out.starts_with("<p>Let <math"), "{out}");
        assert!(out.ends_with("</math> be given.</p>"), "{out}");
        assert!(out.contains("<msup>"), "{out}");
        assert!(!out.contains("display=\"block\""), "{out}");
    }

    #[test]
    fn display_math_becomes_block_mathml() {
        let (out, problems) = render_math("<p>\\[ \\int_0^1 x^2 \\,dx = \\frac{1}{3} \\]</p>");
        assert!(problems.is_empty(), "{problems:?}");
        assert!(out.contains("<math display=\"block\""), "{out}");
        assert!(out.contains("<mfrac>"), "{out}");
        assert!(!out.contains("\\["), "{out}");
    }

    #[test]
    fn entities_are_unescaped_before_parsing() {
        let (out, problems) = render_math("\\(a &lt; b \\&amp; c &gt; d\\)");
        assert!(problems.is_empty(), "{problems:?}");
        assert!(out.contains("<mo>&lt;</mo>"), "{out}");
        assert!(out.contains("<mo>&gt;</mo>"), "{out}");
        assert!(out.contains("<mi>&amp;</mi>"), "{out}");
        assert!(!out.contains("&amp;lt;"), "{out}");
    }

    #[test]
    fn code_pre_script_style_and_comments_are_untouched() {
        let html = "<pre><code class=\"language-julia\">s = \"\\(x\\)\"</code></pre>\
                    <p><code>\\(y\\)</code> <CODE>\\[z\\]</CODE></p>\
                    <script>let a = '\\(w\\)';</script><style>/* \\[v\\] */</style>\
                    <!-- \\(u\\) -->";
        let (out, problems) = render_math(html);
        assert_eq!(out, html);
        assert!(problems.is_empty());
    }

    #[test]
    fn math_next_to_code_is_still_converted() {
        let (out, _) = render_math("<p><code>\\(no\\)</code> and \\(yes\\)</p>");
        assert!(
            out.starts_with("<p><code>\\(no\\)</code> and <math"),
            "{out}"
        );
    }

    #[test]
    fn parse_errors_keep_the_source_and_are_reported() {
        let html = "<p>Bad \\(\\frac{1}\\) and good \\(y\\).</p>";
        let (out, problems) = render_math(html);
        assert!(
            out.starts_with("<p>Bad \\(\\frac{1}\\) and good <math"),
            "{out}"
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0],
            "cannot render math `\\(\\frac{1}\\)`: expected a token"
        );
    }

    #[test]
    fn escaped_backslashes_and_unclosed_delimiters_are_text() {
        let html = "<p>a \\\\(b) and \\(never closed</p>";
        let (out, problems) = render_math(html);
        assert_eq!(out, html);
        assert!(problems.is_empty());
    }

    #[test]
    fn escapes_of_wide_characters_are_skipped_whole() {
        let html = "<p>\\é \\\\(x\\) then \\(y\\)</p>";
        let (out, problems) = render_math(html);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(out.starts_with("<p>\\é \\\\(x\\) then <math"), "{out}");
    }

    #[test]
    fn formulas_end_within_their_text_and_a_backslash_before_a_tag_is_text() {
        let html = "<p>\\(x<b>\\)</b> a \\<em>\\(y\\)</em> b\\</p>";
        let (out, problems) = render_math(html);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(out.starts_with("<p>\\(x<b>\\)</b> a \\<em><math"), "{out}");
        assert!(out.ends_with("</math></em> b\\</p>"), "{out}");
    }

    #[test]
    fn line_breaks_inside_display_math_do_not_close_it() {
        let (out, problems) =
            render_math("\\[\\begin{aligned} a &amp;= b \\\\ c &amp;= d \\end{aligned}\\]");
        assert!(problems.is_empty(), "{problems:?}");
        assert!(out.starts_with("<math display=\"block\""), "{out}");
    }

    #[test]
    fn text_without_math_is_returned_as_is() {
        let html = "<p>No math here, only <a href=\"x\">links</a> &amp; text.</p>";
        assert_eq!(render_math(html), (html.to_string(), vec![]));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_keeps_text_without_math(
            html in crate::test_support::text_of(&[
                "\\(", "\\)", "\\[", "\\]", "\\\\", "\\", "<pre>", "</pre>", "<code", ">",
                "<!--", "-->", "<", "&lt;", "&", "x^2", "\\frac{", "}", "é", "\\begin{aligned}", " ",
            ], 24)
        ) {
            let (out, _) = render_math(&html);
            if !html.contains("\\(") && !html.contains("\\[") {
                proptest::prop_assert_eq!(out, html);
            }
        }
    }
}
