//! Finding `{{ }}` blocks in a text and telling which kind each one is.
//!
//! Franklin tokenises `{{`, `}}` (notes never escapes braces in text, and escapes them in
//! code on purpose so that code is not templated, so the entity forms are plain text),
//! `<!-- -->` and `<script>…</script>`; comments and scripts hide their content from
//! templating, and `{{ }}` blocks nest. Only the outermost blocks are qualified here: an
//! inner block is part of its parent's text, as in Franklin.

use std::sync::LazyLock;

use crate::dialect::byteset::Needles;

/// One outermost `{{ … }}` block: byte offsets in the scanned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RawBlock {
    /// Offset of the opening token.
    pub start: usize,
    /// Offset one past the closing token.
    pub end: usize,
    /// Offset just after the opening token.
    pub inner_start: usize,
    /// Offset of the closing token.
    pub inner_end: usize,
}

/// A region that the scanner could not close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unclosed {
    /// A `{{` with no matching `}}`: offset and token length.
    Block(usize, usize),
    /// A `<!--` with no `-->`.
    Comment(usize),
    /// A `<script` with no `</script>`.
    Script(usize),
}

/// What the scanner found in a text.
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// Outermost blocks, in text order.
    pub blocks: Vec<RawBlock>,
    /// Opening tokens and regions left unclosed, in text order.
    pub unclosed: Vec<Unclosed>,
}

#[derive(Debug, Clone, Copy)]
enum Tok {
    Open(usize, usize),
    Close(usize, usize),
}

const OPEN: &str = "{{";
const CLOSE: &str = "}}";

/// Whether `bytes` holds `{{`, `}}`, `<!--` or `<script`: most page bodies hold none, and
/// one vectorised search then beats stopping at every tag's `<` and every brace below.
fn may_hold_blocks(bytes: &[u8]) -> bool {
    static MARKS: LazyLock<Needles> =
        LazyLock::new(|| Needles::new(&[OPEN, CLOSE, "<!--", "<script"]));
    MARKS.find(bytes, 0).is_some()
}

/// Finds the outermost `{{ }}` blocks of `text`, skipping comments and scripts.
pub(super) fn scan(text: &str) -> Scan {
    let bytes = text.as_bytes();
    if !may_hold_blocks(bytes) {
        return Scan {
            blocks: Vec::new(),
            unclosed: Vec::new(),
        };
    }
    let mut toks = Vec::new();
    let mut unclosed = Vec::new();
    let mut i = 0;
    // Only `<`, `{` and `}` can start anything: jump between them.
    while let Some(off) = memchr::memchr3(b'<', b'{', b'}', &bytes[i.min(bytes.len())..]) {
        i += off;
        let rest = &bytes[i..];
        match bytes[i] {
            b'<' if rest.starts_with(b"<!--") => match find_from(text, i + 4, "-->") {
                Some(p) => i = p + 3,
                None => {
                    unclosed.push(Unclosed::Comment(i));
                    break;
                }
            },
            b'<' if rest.starts_with(b"<script>") || rest.starts_with(b"<script ") => {
                match find_from(text, i + 7, "</script>") {
                    Some(p) => i = p + 9,
                    None => {
                        unclosed.push(Unclosed::Script(i));
                        break;
                    }
                }
            }
            b'{' if rest.starts_with(OPEN.as_bytes()) => {
                toks.push(Tok::Open(i, OPEN.len()));
                i += OPEN.len();
            }
            b'}' if rest.starts_with(CLOSE.as_bytes()) => {
                toks.push(Tok::Close(i, CLOSE.len()));
                i += CLOSE.len();
            }
            _ => i += 1,
        }
    }

    // Stack matching: a close without an open is plain text; an open left on the stack is
    // unclosed, but the balanced blocks after it still count.
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let mut pairs: Vec<RawBlock> = Vec::new();
    for t in toks {
        match t {
            Tok::Open(p, l) => stack.push((p, l)),
            Tok::Close(p, l) => {
                if let Some((op, ol)) = stack.pop() {
                    pairs.push(RawBlock {
                        start: op,
                        end: p + l,
                        inner_start: op + ol,
                        inner_end: p,
                    });
                }
            }
        }
    }
    for (p, l) in stack {
        unclosed.push(Unclosed::Block(p, l));
    }
    unclosed.sort_by_key(|u| match u {
        Unclosed::Block(p, _) | Unclosed::Comment(p) | Unclosed::Script(p) => *p,
    });

    // Properly nested pairs: keep those not inside an earlier kept one.
    pairs.sort_by_key(|b| b.start);
    let mut blocks: Vec<RawBlock> = Vec::new();
    for b in pairs {
        if blocks.last().is_none_or(|last| b.start >= last.end) {
            blocks.push(b);
        }
    }
    Scan { blocks, unclosed }
}

fn find_from(text: &str, from: usize, pat: &str) -> Option<usize> {
    text.get(from..)?.find(pat).map(|p| p + from)
}

/// What a `{{ }}` block means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    /// `{{if v}}`.
    If(String),
    /// `{{elseif v}}` / `{{else if v}}`.
    ElseIf(String),
    /// `{{else}}`.
    Else,
    /// `{{end}}`.
    End,
    /// `{{isdef v}}` and aliases.
    IsDef(String),
    /// `{{isnotdef v}}` and aliases.
    IsNotDef(String),
    /// `{{isempty v}}` and aliases.
    IsEmpty(String),
    /// `{{isnotempty v}}` and aliases.
    IsNotEmpty(String),
    /// `{{ispage a b …}}`.
    IsPage(Vec<String>),
    /// `{{isnotpage a b …}}`.
    IsNotPage(Vec<String>),
    /// `{{for x in v}}` or `{{for (a, b) in v}}`.
    For {
        /// Loop variable names (one, or several when unpacking).
        vars: Vec<String>,
        /// Name of the iterable variable.
        iter: String,
        /// True when written with parentheses (unpacking).
        tuple: bool,
    },
    /// `{{name p1 "p 2" …}}`.
    Fun { name: String, params: Vec<String> },
    /// Matches no form; `why` says why. `opens` is true for a malformed opener
    /// (`{{if}}`, `{{for …}}`, …), which still pairs with an `{{end}}`.
    Invalid { why: String, opens: bool },
}

impl Kind {
    /// +1 for blocks that need an `{{end}}`, −1 for `{{end}}`.
    pub(super) fn balance(&self) -> i32 {
        match self {
            Kind::If(_)
            | Kind::IsDef(_)
            | Kind::IsNotDef(_)
            | Kind::IsEmpty(_)
            | Kind::IsNotEmpty(_)
            | Kind::IsPage(_)
            | Kind::IsNotPage(_)
            | Kind::For { .. }
            | Kind::Invalid { opens: true, .. } => 1,
            Kind::End => -1,
            _ => 0,
        }
    }
}

/// Franklin's `VAR`: a letter or `_`, then anything but whitespace.
pub(super) fn is_var_name(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => chars.all(|c| !c.is_whitespace()),
        _ => false,
    }
}

/// Splits off the first whitespace-delimited word; the rest is left-trimmed.
fn first_word(s: &str) -> (&str, &str) {
    match s.find(char::is_whitespace) {
        Some(p) => (&s[..p], s[p..].trim_start()),
        None => (s, ""),
    }
}

/// Qualifies the text between `{{` and `}}`.
pub(super) fn qualify(inner: &str) -> Kind {
    let body = inner.trim();
    let (word, rest) = first_word(body);
    let one_var = |kw: &str, make: fn(String) -> Kind| {
        if is_var_name(rest) {
            make(rest.to_string())
        } else {
            Kind::Invalid {
                why: format!("`{{{{{kw} …}}}}` needs exactly one variable name"),
                opens: kw != "elseif",
            }
        }
    };
    match word {
        "if" => one_var("if", Kind::If),
        "elseif" => one_var("elseif", Kind::ElseIf),
        "else" if rest.is_empty() => Kind::Else,
        "else" => {
            let (w2, r2) = first_word(rest);
            if w2 == "if" && is_var_name(r2) {
                Kind::ElseIf(r2.to_string())
            } else {
                invalid("`{{else}}` takes no argument (or write `{{else if v}}`)")
            }
        }
        "end" if rest.is_empty() => Kind::End,
        "end" => invalid("`{{end}}` takes no argument"),
        "isdef" | "ifdef" => one_var(word, Kind::IsDef),
        "isnotdef" | "ifnotdef" | "isndef" | "ifndef" => one_var(word, Kind::IsNotDef),
        "isempty" | "ifempty" => one_var(word, Kind::IsEmpty),
        "isnotempty" | "ifnotempty" | "isnempty" | "ifnempty" => one_var(word, Kind::IsNotEmpty),
        "ispage" | "isnotpage" => {
            let pages: Vec<String> = rest.split_whitespace().map(str::to_string).collect();
            if pages.is_empty() {
                Kind::Invalid {
                    why: format!("`{{{{{word} …}}}}` needs at least one page"),
                    opens: true,
                }
            } else if word == "ispage" {
                Kind::IsPage(pages)
            } else {
                Kind::IsNotPage(pages)
            }
        }
        "for" => qualify_for(rest),
        _ if is_var_name(word) => Kind::Fun {
            name: word.to_string(),
            params: split_params(rest),
        },
        _ => invalid("this block matches no template form"),
    }
}

fn invalid(why: &str) -> Kind {
    Kind::Invalid {
        why: why.to_string(),
        opens: false,
    }
}

/// `x in v` or `(a, b) in v`, with Franklin's checks on parentheses.
fn qualify_for(rest: &str) -> Kind {
    let bad = |why: &str| Kind::Invalid {
        why: format!("malformed `{{{{for …}}}}`: {why}"),
        opens: true,
    };
    let Some(iter_at) = rest.rfind(char::is_whitespace) else {
        return bad("expected `{{for x in iterable}}`");
    };
    let iter = rest[iter_at..].trim();
    let head = rest[..iter_at].trim_end();
    let Some(spec) = head.strip_suffix("in") else {
        return bad("expected `{{for x in iterable}}`");
    };
    if !spec.ends_with(char::is_whitespace) || !is_var_name(iter) {
        return bad("expected `{{for x in iterable}}`");
    }
    let spec = spec.trim();
    let (open, close) = (spec.starts_with('('), spec.ends_with(')'));
    if open != close {
        return bad("unbalanced parentheses");
    }
    if !open {
        if spec.contains(',') {
            return bad("several loop variables need parentheses, as in `(a, b)`");
        }
        if !is_var_name(spec) {
            return bad("the loop variable must be a name");
        }
        return Kind::For {
            vars: vec![spec.to_string()],
            iter: iter.to_string(),
            tuple: false,
        };
    }
    let inside = &spec[1..spec.len() - 1];
    let vars: Vec<String> = inside.split(',').map(|v| v.trim().to_string()).collect();
    if vars.iter().any(|v| !is_var_name(v)) {
        return bad("each loop variable must be a name");
    }
    Kind::For {
        vars,
        iter: iter.to_string(),
        tuple: true,
    }
}

/// Franklin's parameter split: runs of characters other than whitespace, `"` and `'`,
/// or `"double-quoted strings"` kept whole (quotes removed). A stray `'` or an unmatched
/// `"` separates parameters and is dropped.
pub(super) fn split_params(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        if c == '"' {
            if let Some(q) = s[i + 1..].find('"') {
                out.push(s[i + 1..i + 1 + q].to_string());
                i += q + 2;
                continue;
            }
            i += 1;
        } else if c.is_whitespace() || c == '\'' {
            i += c.len_utf8();
        } else {
            let end = s[i..]
                .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
                .map_or(s.len(), |p| p + i);
            out.push(s[i..end].to_string());
            i = end;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_nested_and_escaped() {
        let s = scan("a {{x {{y}} }} b &#123;&#123;z&#125;&#125; {{w}}");
        assert_eq!(s.blocks.len(), 2);
        assert_eq!((s.blocks[0].start, s.blocks[0].end), (2, 14));
        assert_eq!(s.blocks[1].start, 43);
        assert!(s.unclosed.is_empty());
    }

    #[test]
    fn bodies_without_marks_are_passed_over_whatever_their_length() {
        for n in [0, 1, 3, 15, 16, 17, 40, 200] {
            let plain = "a{b}c<p>".repeat(n);
            assert!(!may_hold_blocks(plain.as_bytes()), "{n}");
            for mark in ["{{", "}}", "<!--", "<script"] {
                let text = format!("{plain}{mark}{plain}");
                assert!(may_hold_blocks(text.as_bytes()), "{n} {mark}");
            }
        }
    }

    #[test]
    fn scan_skips_comments_and_scripts() {
        let s = scan("<!-- {{a}} --><script>{{b}}</script><script src=x>{{c}}</script>{{d}}");
        assert_eq!(s.blocks.len(), 1);
        let s = scan("<!-- {{a}}");
        assert_eq!(s.unclosed, vec![Unclosed::Comment(0)]);
    }

    #[test]
    fn scan_reports_unclosed_but_keeps_later_blocks() {
        let s = scan("{{ a {{b}}");
        assert_eq!(s.unclosed, vec![Unclosed::Block(0, 2)]);
        assert_eq!(s.blocks.len(), 1);
        assert_eq!(s.blocks[0].start, 5);
    }

    #[test]
    fn qualify_forms() {
        assert_eq!(qualify(" if  x "), Kind::If("x".into()));
        assert_eq!(qualify("else if y"), Kind::ElseIf("y".into()));
        assert_eq!(qualify("elseif y"), Kind::ElseIf("y".into()));
        assert_eq!(qualify(" else "), Kind::Else);
        assert_eq!(qualify("ifndef z"), Kind::IsNotDef("z".into()));
        assert_eq!(qualify("isnempty z"), Kind::IsNotEmpty("z".into()));
        assert_eq!(
            qualify("ispage a/* b"),
            Kind::IsPage(vec!["a/*".into(), "b".into()])
        );
        assert_eq!(
            qualify("for (a, b) in it"),
            Kind::For {
                vars: vec!["a".into(), "b".into()],
                iter: "it".into(),
                tuple: true
            }
        );
        assert!(matches!(
            qualify("for a, b in it"),
            Kind::Invalid { opens: true, .. }
        ));
        assert!(matches!(
            qualify("for (a, b in it"),
            Kind::Invalid { opens: true, .. }
        ));
        assert!(matches!(qualify("2"), Kind::Invalid { opens: false, .. }));
        assert_eq!(
            qualify("fill title blog/p1"),
            Kind::Fun {
                name: "fill".into(),
                params: vec!["title".into(), "blog/p1".into()]
            }
        );
    }

    #[test]
    fn params_keep_quoted_strings() {
        assert_eq!(split_params(r#"a "b c" d"#), vec!["a", "b c", "d"]);
        assert_eq!(split_params(r#"it's "x"#), vec!["it", "s", "x"]);
        assert_eq!(split_params(r#""""#), vec![""]);
    }
}
