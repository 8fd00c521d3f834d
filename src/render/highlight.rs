//! Build-time syntax highlighting of the fenced code blocks in a rendered HTML body.
//!
//! Highlighting happens once, when the site is built, so readers get coloured code without any
//! JavaScript. The output carries classes (`hl-keyword`, `hl-string`, ...) rather than inline
//! colours: the colours live in one stylesheet (`templates/highlight.css`) that holds a light and
//! a dark palette, which is what lets the dark-mode toggle recolour code without a rebuild.
//!
//! The grammars come from two-face (bat's extended set), because syntect's own set lacks Julia,
//! TOML and other languages course notes use. Loading that set costs tens of milliseconds, so it
//! is done once per process and only when a page actually contains a code block.

use std::sync::OnceLock;

use syntect::highlighting::Theme as SyntectTheme;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The class style of every generated span: scope atoms prefixed with `hl-`.
pub const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Opening of a code block as pulldown-cmark and Franklin write it, up to the language name.
const OPEN: &str = "<pre><code class=\"language-";
/// Closing of a code block.
const CLOSE: &str = "</code></pre>";

/// The syntect theme used for the light palette.
const LIGHT_THEME: two_face::theme::EmbeddedThemeName =
    two_face::theme::EmbeddedThemeName::OneHalfLight;
/// The syntect theme used for the dark palette.
const DARK_THEME: two_face::theme::EmbeddedThemeName =
    two_face::theme::EmbeddedThemeName::OneHalfDark;

/// The extended syntax set, loaded on first use and shared read-only afterwards.
fn syntax_set() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Highlights every `<pre><code class="language-X">…</code></pre>` block of `html`.
///
/// Blocks whose language is unknown (or plain text) are copied unchanged, as is everything
/// outside code blocks.
pub fn highlight_html(html: &str) -> String {
    if !html.contains(OPEN) {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + html.len() / 2);
    let mut pos = 0;
    while let Some(found) = html[pos..].find(OPEN) {
        let start = pos + found;
        let lang_start = start + OPEN.len();
        let Some(block) = parse_block(html, lang_start) else {
            // Not a block we understand (extra attributes, no closing tag): copy the opener
            // and keep scanning after it.
            out.push_str(&html[pos..lang_start]);
            pos = lang_start;
            continue;
        };
        out.push_str(&html[pos..start]);
        match highlight_block(block.class, block.code) {
            Some(spans) => {
                out.push_str(OPEN);
                out.push_str(block.class);
                out.push_str("\">");
                out.push_str(&spans);
                out.push_str(CLOSE);
            }
            None => out.push_str(&html[start..block.end]),
        }
        pos = block.end;
    }
    out.push_str(&html[pos..]);
    out
}

/// One code block found in the HTML.
struct Block<'a> {
    /// Everything after `language-` in the class attribute.
    class: &'a str,
    /// The escaped code between the tags.
    code: &'a str,
    /// Byte offset just past `</code></pre>`.
    end: usize,
}

/// Reads the block whose class value starts at `lang_start` (just after `language-`).
fn parse_block(html: &str, lang_start: usize) -> Option<Block<'_>> {
    let rest = &html[lang_start..];
    let quote = rest.find('"')?;
    let class = &rest[..quote];
    if class.contains(['<', '>']) {
        return None;
    }
    let after = rest[quote + 1..].strip_prefix('>')?;
    let code_start = html.len() - after.len();
    let code_len = after.find(CLOSE)?;
    Some(Block {
        class,
        code: &after[..code_len],
        end: code_start + code_len + CLOSE.len(),
    })
}

/// Highlights the escaped `code` of a block whose class is `class`; `None` if the language is
/// unknown or the grammar fails on it.
fn highlight_block(class: &str, code: &str) -> Option<String> {
    let lang = class.split_whitespace().next()?;
    let set = syntax_set();
    let syntax = find_syntax(set, lang)?;
    let code = unescape_html(code);
    let mut gen = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(&code) {
        gen.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(gen.finalize())
}

/// Finds the grammar for a fence language, knowing the names Julia users write.
fn find_syntax<'a>(set: &'a SyntaxSet, lang: &str) -> Option<&'a SyntaxReference> {
    let lower = lang.to_ascii_lowercase();
    let token = match lower.as_str() {
        // Highlighting plain text only wraps it in spans that change nothing.
        "" | "plaintext" | "text" | "txt" | "plain" | "output" | "nohighlight" => return None,
        "jl" | "julia-repl" | "jldoctest" | "juliarepl" => "julia",
        "shell" | "console" | "sh" | "zsh" | "shell-session" => "bash",
        "yml" => "yaml",
        "docker" => "dockerfile",
        "py" | "python3" | "pycon" => "python",
        "js" | "javascript" => "js",
        "rs" => "rust",
        "md" => "markdown",
        "tex" | "latex" => "tex",
        other => other,
    };
    set.find_syntax_by_token(token)
}

/// Replaces the HTML character references of `s` by the characters they stand for.
///
/// Handles the five XML entities, `&nbsp;` and numeric references; anything else is kept
/// verbatim, because the bodies this module sees were escaped by pulldown-cmark or Franklin,
/// which only produce those.
pub(crate) fn unescape_html(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest
            .find(';')
            .filter(|&semi| semi <= 10)
            .and_then(|semi| decode_entity(&rest[1..semi]).map(|c| (c, semi)));
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character an entity name (between `&` and `;`) stands for.
fn decode_entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse::<u32>().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// Errors while generating the highlighting stylesheet.
#[derive(Debug, thiserror::Error)]
pub enum HighlightCssError {
    /// syntect could not turn a theme into CSS.
    #[error("cannot generate CSS for syntax theme `{theme}`: {source}")]
    Theme {
        /// The theme's name.
        theme: &'static str,
        /// What syntect reported.
        source: syntect::Error,
    },
}

/// Generates the stylesheet with both palettes, as stored in `templates/highlight.css`.
///
/// The light palette applies when `<html data-theme="light">` or when no choice was made and
/// the system prefers light; the dark one likewise. Every rule is scoped, so no property of one
/// palette leaks into the other.
pub fn highlight_css() -> Result<String, HighlightCssError> {
    let themes = two_face::theme::extra();
    let light = themes.get(LIGHT_THEME);
    let dark = themes.get(DARK_THEME);
    let light_css = theme_css(light, LIGHT_THEME.as_name())?;
    let dark_css = theme_css(dark, DARK_THEME.as_name())?;
    let mut out = format!(
        "/* Syntax colours for code blocks: \"{}\" (light) and \"{}\" (dark).\n   Generated by notes (render::highlight::highlight_css) from syntect themes; do not edit by hand. */\n",
        LIGHT_THEME.as_name(),
        DARK_THEME.as_name()
    );
    out.push_str(&scope_rules(&light_css, ":root[data-theme=\"light\"]", ""));
    out.push_str(&scope_rules(&dark_css, ":root[data-theme=\"dark\"]", ""));
    out.push_str("@media (prefers-color-scheme: light) {\n");
    out.push_str(&scope_rules(&light_css, ":root:not([data-theme])", "  "));
    out.push_str("}\n@media (prefers-color-scheme: dark) {\n");
    out.push_str(&scope_rules(&dark_css, ":root:not([data-theme])", "  "));
    out.push_str("}\n");
    Ok(out)
}

/// syntect's CSS for one theme.
fn theme_css(theme: &SyntectTheme, name: &'static str) -> Result<String, HighlightCssError> {
    css_for_theme_with_class_style(theme, CLASS_STYLE).map_err(|source| HighlightCssError::Theme {
        theme: name,
        source,
    })
}

/// Rewrites syntect's flat CSS so each selector only applies under `scope`.
///
/// syntect's `.hl-code` rule is meant for the element around the spans; here that is the
/// `<pre>`, so the page background of code blocks follows the palette too.
fn scope_rules(css: &str, scope: &str, indent: &str) -> String {
    let mut out = String::new();
    for rule in strip_comments(css).split('}') {
        let Some((selectors, body)) = rule.split_once('{') else {
            continue;
        };
        let selectors = selectors.trim();
        if selectors.is_empty() {
            continue;
        }
        let scoped: Vec<String> = selectors
            .split(',')
            .map(|sel| match sel.trim() {
                ".hl-code" => format!("{scope} pre"),
                sel => format!("{scope} {sel}"),
            })
            .collect();
        let decls: Vec<&str> = body
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        out.push_str(&format!(
            "{indent}{} {{ {} }}\n",
            scoped.join(", "),
            decls.join(" ")
        ));
    }
    out
}

/// Removes `/* … */` comments.
fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*/") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const JULIA: &str = "function f(x::Int)\n    # square it\n    return x^2 &lt; 10 ? &quot;small&quot; : &quot;big&quot;\nend\n";

    #[test]
    fn julia_block_gets_spans() {
        let html = format!(
            "<p>Before</p>\n<pre><code class=\"language-julia\">{JULIA}</code></pre>\n<p>After</p>"
        );
        let out = highlight_html(&html);
        assert!(
            out.starts_with("<p>Before</p>\n<pre><code class=\"language-julia\"><span class=\"hl-")
        );
        assert!(out.ends_with("</code></pre>\n<p>After</p>"));
        assert!(out.contains("hl-keyword"), "{out}");
        assert!(out.contains("hl-comment"), "{out}");
        // The code was unescaped for the grammar and escaped again on the way out.
        assert!(out.contains("&lt;"), "{out}");
        assert!(!out.contains("&amp;lt;"), "{out}");
        assert!(!out.contains(" < "), "{out}");
    }

    #[test]
    fn extended_languages_are_known() {
        for lang in [
            "julia",
            "toml",
            "yaml",
            "dockerfile",
            "bash",
            "python",
            "jl",
            "julia-repl",
            "shell",
        ] {
            let html = format!("<pre><code class=\"language-{lang}\">x = 1\n</code></pre>");
            assert!(
                highlight_html(&html).contains("<span class=\"hl-"),
                "{lang}"
            );
        }
    }

    #[test]
    fn unknown_language_and_plain_blocks_are_left_alone() {
        let html = "<pre><code class=\"language-klingon\">qapla &amp; x</code></pre>\
                    <pre><code class=\"language-plaintext\">a &lt; b</code></pre>\
                    <pre><code>no language</code></pre>";
        assert_eq!(highlight_html(html), html);
    }

    #[test]
    fn malformed_blocks_do_not_panic_and_are_kept() {
        for html in [
            "<pre><code class=\"language-julia\">x = 1",
            "<pre><code class=\"language-julia",
            "<pre><code class=\"language-julia\" data-x=\"1\">x</code></pre>",
            "<pre><code class=\"language-",
        ] {
            assert_eq!(highlight_html(html), html);
        }
    }

    #[test]
    fn several_blocks_and_text_between_them() {
        let html = "<pre><code class=\"language-julia\">1</code></pre>mid<pre><code class=\"language-toml\">a = 1</code></pre>end";
        let out = highlight_html(html);
        assert_eq!(out.matches("<pre><code class=\"language-").count(), 2);
        assert!(out.contains("</code></pre>mid<pre>"));
        assert!(out.ends_with("</code></pre>end"));
    }

    #[test]
    fn unescape_handles_entities() {
        assert_eq!(
            unescape_html("a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#x27;"),
            "a < b && c > \"d\" 'e'"
        );
        assert_eq!(unescape_html("&bogus; & &#xZZ; &"), "&bogus; & &#xZZ; &");
    }

    #[test]
    fn timing_of_a_30_line_julia_block() {
        let code: String = (0..30)
            .map(|i| format!("y{i} = map(x -&gt; x^2 + {i}, collect(1:10))  # line {i}\n"))
            .collect();
        let html = format!("<pre><code class=\"language-julia\">{code}</code></pre>");
        let first = std::time::Instant::now();
        let out = highlight_html(&html);
        let cold = first.elapsed();
        let warm_start = std::time::Instant::now();
        let again = highlight_html(&html);
        for _ in 0..4 {
            highlight_html(&html);
        }
        let warm = warm_start.elapsed() / 5;
        assert_eq!(out, again);
        println!("30-line julia block (debug build): first call {cold:?} (loads the syntax set), then {warm:?}");
    }

    #[test]
    fn stylesheet_is_scoped_and_current() {
        let css = match highlight_css() {
            Ok(css) => css,
            Err(e) => panic!("{e}"),
        };
        assert!(css.contains(":root[data-theme=\"dark\"] pre {"));
        assert!(css.contains("@media (prefers-color-scheme: dark)"));
        assert!(!css.contains("http"));
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/highlight.css");
        if std::env::var_os("NOTES_REGENERATE_CSS").is_some() {
            if let Err(e) = std::fs::write(path, &css) {
                panic!("cannot write {path}: {e}");
            }
        }
        let stored = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            stored == css,
            "templates/highlight.css is stale: rerun this test with NOTES_REGENERATE_CSS=1"
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_keeps_everything_outside_blocks(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "<pre><code class=\"language-julia\">", "<pre><code class=\"language-", "toml\">",
                    "\"", ">", "</code></pre>", "&lt;", "&", "&#x41;", "é", "x = 1\n", "end", " ",
                ]),
                0..16,
            )
        ) {
            let html: String = parts.concat();
            let out = highlight_html(&html);
            if !out.contains("<span") {
                proptest::prop_assert_eq!(out, html);
            }
        }
    }
}
