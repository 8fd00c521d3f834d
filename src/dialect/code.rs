//! Code blocks: fence info strings, Franklin's hidden-line rules, and their HTML.

use super::html::{escape_code_into, escape_into};

/// What a fence's info string says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FenceInfo {
    /// The language, empty when none was given (the page's `lang` applies).
    pub lang: String,
    /// `julia:NAME`: a named block Franklin evaluates.
    pub eval_name: Option<String>,
    /// ```` ```! ````, ```` ```> ```` and friends: evaluated and shown.
    pub auto_eval: bool,
}

/// Reads the info string after the backticks.
pub fn parse_info(info: &str) -> FenceInfo {
    let info = info.trim();
    if let Some(first) = info.chars().next() {
        if matches!(first, '!' | '>' | '?' | ';' | ']') {
            return FenceInfo {
                lang: String::new(),
                eval_name: None,
                auto_eval: true,
            };
        }
    }
    let word = info.split_whitespace().next().unwrap_or("");
    match word.split_once(':') {
        Some((lang, name)) if !name.is_empty() => FenceInfo {
            lang: lang.to_string(),
            eval_name: Some(name.to_string()),
            auto_eval: false,
        },
        _ => FenceInfo {
            lang: word.trim_end_matches(':').to_string(),
            eval_name: None,
            auto_eval: false,
        },
    }
}

/// Languages whose `# hide` comments Franklin honours.
const HIDE_LANGS: &[&str] = &[
    "julia",
    "julia-repl",
    "python",
    "r",
    "matlab",
    "bash",
    "c",
    "cpp",
    "fortran",
    "go",
    "javascript",
    "lua",
    "toml",
    "ruby",
];

/// Applies `# hide`, `#hideall` and `#src` to a code body; None when the whole block is hidden.
pub fn visible_code(lang: &str, code: &str) -> Option<String> {
    if !HIDE_LANGS.contains(&lang) {
        return Some(code.to_string());
    }
    if !code.contains('\r') && !may_have_marker(code) {
        // No marker on any line: what the line filter below would give.
        return Some(code.strip_suffix('\n').unwrap_or(code).to_string());
    }
    filter_lines(code)
}

/// The line-by-line filter of [`visible_code`].
fn filter_lines(code: &str) -> Option<String> {
    let mut kept = Vec::new();
    for line in code.lines() {
        if !line.contains('#') {
            kept.push(line);
            continue;
        }
        let lower = line.to_ascii_lowercase();
        if lower.contains("#hideall") {
            return None;
        }
        if has_hide_marker(&lower) || lower.contains("#src") {
            continue;
        }
        kept.push(line);
    }
    Some(kept.join("\n"))
}

/// Whether some `#` in `code` may start `#src` or `#\s*hide` (any case); code comments
/// mostly do not, and then no line needs a closer look.
fn may_have_marker(code: &str) -> bool {
    let bytes = code.as_bytes();
    memchr::memchr_iter(b'#', bytes).any(|i| {
        let after = &bytes[i + 1..];
        let starts = |s: &[u8], word: &[u8]| {
            s.get(..word.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(word))
        };
        if starts(after, b"src") {
            return true;
        }
        let blank = after
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\x0B' | b'\x0C'))
            .count();
        let rest = &after[blank..];
        // Other whitespace than ASCII's may stand before `hide`: looked at line by line.
        starts(rest, b"hide") || rest.first().is_some_and(|b| *b >= 0x80)
    })
}

/// `#\s*hide` anywhere in the line.
fn has_hide_marker(lower: &str) -> bool {
    let mut rest = lower;
    while let Some(i) = rest.find('#') {
        let after = rest[i + 1..].trim_start();
        if after.starts_with("hide") {
            return true;
        }
        rest = &rest[i + 1..];
    }
    false
}

/// `<pre><code class="language-LANG">ESCAPED</code></pre>`; an empty `lang` defers to the page's `lang`.
pub fn code_block_html(lang: &str, code: &str) -> String {
    let mut out = String::with_capacity(code.len() + 48);
    out.push_str("<pre><code class=\"language-");
    if lang.is_empty() {
        // Resolved by the template pass, so the last `@def lang` of the page wins, as in Franklin.
        out.push_str("{{fill lang}}");
    } else {
        escape_into(&mut out, lang);
    }
    out.push_str("\">");
    escape_code_into(&mut out, code.trim_matches('\n').trim_end());
    out.push_str("</code></pre>");
    out
}

/// Franklin strips a code body of surrounding blank lines; keep the first line's indentation.
pub fn strip_body(body: &str) -> &str {
    let start = body
        .find(|c: char| c != '\n' && c != '\r' && c != ' ' && c != '\t')
        .map(|i| body[..i].rfind('\n').map_or(0, |n| n + 1))
        .unwrap_or(body.len());
    body[start..].trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn markers_are_found_as_the_line_filter_finds_them(
            code in crate::test_support::text_of(&[
                "#", "hide", "HiDe", "src", "SRC", "all", " ", "\t", "\x0B", "\x0C",
                "\u{a0}", "\u{3000}", "\n", "x = 1", "é",
            ], 16)
        ) {
            proptest::prop_assert_eq!(visible_code("julia", &code), filter_lines(&code));
        }
    }

    #[test]
    fn info_strings() {
        assert_eq!(parse_info("julia:ex1").eval_name.as_deref(), Some("ex1"));
        assert_eq!(parse_info("julia").lang, "julia");
        assert!(parse_info("!").auto_eval);
        assert_eq!(parse_info("").lang, "");
    }

    #[test]
    fn hidden_lines() {
        assert_eq!(
            visible_code("julia", "a = 1 # hide\nb = 2\nc #src").as_deref(),
            Some("b = 2")
        );
        assert_eq!(visible_code("julia", "x\n#hideall\ny"), None);
        assert_eq!(
            visible_code("yaml", "a: 1 # hide").as_deref(),
            Some("a: 1 # hide")
        );
    }

    #[test]
    fn code_without_markers_loses_only_its_line_endings() {
        for code in [
            "",
            "\n",
            "a",
            "a\n",
            "a\n\n",
            "a\nb",
            "a\r\nb\r\n",
            "x #y\n",
            "\n\nz",
        ] {
            let by_lines = code.lines().collect::<Vec<_>>().join("\n");
            assert_eq!(visible_code("julia", code), Some(by_lines), "{code:?}");
        }
    }

    #[test]
    fn block_html_escapes() {
        assert_eq!(
            code_block_html("html", "\n<div class=\"foo\">Blah</div>\n"),
            "<pre><code class=\"language-html\">&lt;div class=&quot;foo&quot;&gt;Blah&lt;/div&gt;</code></pre>"
        );
        assert_eq!(
            code_block_html("", "x"),
            "<pre><code class=\"language-{{fill lang}}\">x</code></pre>"
        );
    }

    #[test]
    fn strip_keeps_first_indent() {
        assert_eq!(strip_body("\n\n  a\n b\n\n"), "  a\n b");
    }
}
