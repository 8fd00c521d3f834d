//! Lexers for the languages whose structure is lines and markup rather than tokens: YAML,
//! Markdown, and HTML/XML.

use super::generic::{string_body, Quote};
use super::scan::{is_word, Class, Scanner};
use crate::dialect::byteset::first_of;

/// Whether the unit meaning `c` ends a YAML scalar token (a blank, the end of a line or of the
/// code).
fn is_break(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0)
}

/// A double-quoted YAML string (escapes, one line).
const YAML_DOUBLE: Quote = Quote {
    open: "\"",
    close: "\"",
    escape: true,
    multiline: false,
};

/// A single-quoted YAML string (no escapes, one line).
const YAML_SINGLE: Quote = Quote {
    open: "'",
    close: "'",
    escape: false,
    multiline: false,
};

/// Highlights YAML: keys, quoted strings, numbers and constants, comments, anchors, tags,
/// document markers and block scalars.
pub(crate) fn yaml(s: &mut Scanner<'_, '_>) {
    let len = s.len();
    let mut pos = 0;
    let mut flow = 0usize;
    while pos < len {
        let line = pos;
        pos = s.skip_blanks(pos);
        let indent = pos - line;
        if flow == 0 && indent == 0 {
            if let Some(end) = s.matches(pos, b"---").or_else(|| s.matches(pos, b"...")) {
                if is_break(s.at(end)) {
                    s.span(pos, end, Class::Meta);
                    pos = end;
                }
            }
        }
        let mut block_scalar = false;
        loop {
            pos = s.skip_blanks(pos);
            let (c, len) = s.unit(pos);
            match c {
                // The end of the code (length 0); a NUL inside it, a byte or `&#0;`, is plain
                // text, or the lexer would stand still on it.
                0 if len == 0 => break,
                b'\n' => {
                    pos += 1;
                    break;
                }
                b'#' => {
                    let end = s.line_end(pos);
                    s.span(pos, end, Class::Comment);
                    pos = end;
                }
                b'-' | b'?' | b':' if is_break(s.at(pos + len)) => pos += len,
                b'"' | b'\'' => {
                    let quote = if c == b'"' {
                        &YAML_DOUBLE
                    } else {
                        &YAML_SINGLE
                    };
                    let end = string_body(s, pos + len, quote);
                    let class = if yaml_key_colon(s, s.skip_blanks(end), flow) {
                        Class::Key
                    } else {
                        Class::Str
                    };
                    s.span(pos, end, class);
                    pos = end;
                }
                b'[' | b'{' => {
                    flow += 1;
                    pos += len;
                }
                b']' | b'}' => {
                    flow = flow.saturating_sub(1);
                    pos += len;
                }
                b',' if flow > 0 => pos += len,
                b'&' | b'*' | b'!' if !is_break(s.at(pos + len)) => {
                    let mut end = pos + len;
                    loop {
                        let (c, l) = s.unit(end);
                        if is_break(c) || (flow > 0 && matches!(c, b',' | b']' | b'}')) {
                            break;
                        }
                        end += l;
                    }
                    let class = if c == b'!' { Class::Type } else { Class::Meta };
                    s.span(pos, end, class);
                    pos = end;
                }
                b'|' | b'>' if flow == 0 => {
                    pos += len;
                    while matches!(s.at(pos), b'+' | b'-' | b'0'..=b'9') {
                        pos = s.next(pos);
                    }
                    block_scalar = true;
                }
                _ => pos = yaml_plain(s, pos, flow),
            }
        }
        if block_scalar {
            pos = yaml_block_scalar(s, pos, indent);
        }
    }
}

/// Whether the position `p` holds a `:` that makes what precedes it a key.
fn yaml_key_colon(s: &Scanner<'_, '_>, p: usize, flow: usize) -> bool {
    if s.at(p) != b':' {
        return false;
    }
    let next = s.at(s.next(p));
    is_break(next) || (flow > 0 && matches!(next, b',' | b']' | b'}'))
}

/// A plain (unquoted) scalar starting at `pos`; returns its end.
fn yaml_plain(s: &mut Scanner<'_, '_>, pos: usize, flow: usize) -> usize {
    let mut end = s.next(pos);
    loop {
        // Only these bytes can end the scalar, or start an entity that means one that does:
        // the rest is stepped over sixteen bytes at a time.
        let next = match flow {
            0 => first_of(&s.b[end..], b"\n:#&"),
            _ => first_of(&s.b[end..], b"\n:#&,[]{}"),
        };
        let Some(k) = next else {
            end = s.len();
            break;
        };
        end += k;
        let (c, l) = s.unit(end);
        if c == b'\n' {
            break;
        }
        if c == b':' && yaml_key_colon(s, end, flow) {
            break;
        }
        if c == b'#' && matches!(s.b[end - 1], b' ' | b'\t') {
            break;
        }
        if flow > 0 && matches!(c, b',' | b'[' | b']' | b'{' | b'}') {
            break;
        }
        end += l;
    }
    let stop = end;
    while end > pos && matches!(s.b[end - 1], b' ' | b'\t' | b'\r') {
        end -= 1;
    }
    if yaml_key_colon(s, stop, flow) {
        s.span(pos, end, Class::Key);
    } else {
        let text = s.text(pos, end);
        if is_yaml_constant(text) || is_yaml_number(text) {
            s.span(pos, end, Class::Number);
        }
    }
    stop
}

/// The lines of a block scalar, from `pos` (the start of the line after its indicator): every
/// following line indented deeper than `indent`, or blank. Returns where the scalar ends.
fn yaml_block_scalar(s: &mut Scanner<'_, '_>, pos: usize, indent: usize) -> usize {
    let mut p = pos;
    let mut first = None;
    let mut last = pos;
    while p < s.len() {
        let end = s.line_end(p);
        let text = s.skip_blanks(p);
        if text < end && s.b[text] != b'\r' {
            if text - p <= indent {
                break;
            }
            first.get_or_insert(text);
            last = end;
        }
        p = end + 1;
    }
    let p = p.min(s.len());
    match first {
        Some(first) => {
            s.span(first, last, Class::Str);
            // Resume at the line that ended the scalar, or after the last content line.
            if p >= s.len() {
                last
            } else {
                p
            }
        }
        None => pos,
    }
}

/// YAML's literal constants (booleans and null, in their spellings YAML 1.1 knows).
fn is_yaml_constant(text: &str) -> bool {
    ["true", "false", "yes", "no", "on", "off", "null", "~"]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(text))
}

/// Whether `text` is a YAML number: integer, float, hex or octal, `.inf`, `.nan`.
fn is_yaml_number(text: &str) -> bool {
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    if [".inf", ".nan"].iter().any(|w| w.eq_ignore_ascii_case(t)) {
        return true;
    }
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0o")) {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit() || b == b'_');
    }
    let b = t.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && (b[*i].is_ascii_digit() || b[*i] == b'_') {
            *i += 1;
        }
        *i > start
    };
    let mut any = digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        any |= digits(&mut i);
    }
    if !any {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// Highlights Markdown (and Franklin's dialect of it): headings, fences and their contents,
/// list and quote markers, emphasis, inline code, link targets, comments and `@def` lines.
pub(crate) fn markdown(s: &mut Scanner<'_, '_>) {
    let len = s.len();
    let mut pos = 0;
    let mut fence: Option<(u8, usize)> = None;
    while pos < len {
        let end = s.line_end(pos);
        let p = s.skip_blanks(pos);
        if let Some((mark, count)) = fence {
            let (run, after) = s.run(p, mark);
            if run >= count && is_blank(s, after, end) {
                s.span(p, end, Class::Meta);
                fence = None;
            } else {
                s.span(p, end, Class::Str);
            }
            pos = end + 1;
            continue;
        }
        let c = s.at(p);
        if c == b'`' || c == b'~' {
            let (run, _) = s.run(p, c);
            if run >= 3 {
                s.span(p, end, Class::Meta);
                fence = Some((c, run));
                pos = end + 1;
                continue;
            }
        }
        if c == b'#' {
            let (run, after) = s.run(p, b'#');
            if run <= 6 && is_break(s.at(after)) {
                s.span(p, end, Class::Heading);
                pos = end + 1;
                continue;
            }
        }
        let front_matter = c == b'+' && {
            let (run, after) = s.run(p, b'+');
            run >= 3 && is_blank(s, after, end)
        };
        if front_matter || matches!(c, b'-' | b'*' | b'_') && is_thematic_break(s, p, end, c) {
            s.span(p, end, Class::Meta);
            pos = end + 1;
            continue;
        }
        let p = markdown_markers(s, p);
        pos = markdown_inline(s, p, end) + 1;
    }
}

/// Whether `from..end` holds only blanks.
fn is_blank(s: &Scanner<'_, '_>, from: usize, end: usize) -> bool {
    s.b.get(from..end)
        .is_some_and(|rest| rest.iter().all(|&b| matches!(b, b' ' | b'\t' | b'\r')))
}

/// Whether the line from `p` to `end` is only `mark`s (at least three) and blanks.
fn is_thematic_break(s: &Scanner<'_, '_>, p: usize, end: usize, mark: u8) -> bool {
    let line = &s.b[p..end];
    line.iter()
        .all(|&b| b == mark || b == b' ' || b == b'\t' || b == b'\r')
        && line.iter().filter(|&&b| b == mark).count() >= 3
}

/// Block markers at the start of a line (quote `>`, list bullets and numbers, `@def`); returns
/// where the inline text begins.
fn markdown_markers(s: &mut Scanner<'_, '_>, mut p: usize) -> usize {
    loop {
        let (c, len) = s.unit(p);
        if c == b'>' {
            s.span(p, p + len, Class::Keyword);
            p = s.skip_blanks(p + len);
            continue;
        }
        if matches!(c, b'-' | b'*' | b'+') && is_break(s.at(p + len)) {
            s.span(p, p + len, Class::Keyword);
            return s.skip_blanks(p + len);
        }
        if c.is_ascii_digit() {
            let digits = s.b[p..].iter().take_while(|b| b.is_ascii_digit()).count();
            let (delim, delim_len) = s.unit(p + digits);
            let end = p + digits + delim_len;
            if digits <= 9 && matches!(delim, b'.' | b')') && is_break(s.at(end)) {
                s.span(p, end, Class::Keyword);
                return s.skip_blanks(end);
            }
        }
        if let Some(end) = s.matches(p, b"@def") {
            if is_break(s.at(end)) {
                s.span(p, end, Class::Keyword);
                return end;
            }
        }
        return p;
    }
}

/// Inline markup from `p` to the line end `end`; returns where it stopped (the line end, or
/// later if a comment ran over several lines).
fn markdown_inline(s: &mut Scanner<'_, '_>, mut p: usize, end: usize) -> usize {
    while p < end {
        let (c, len) = s.unit(p);
        match c {
            b'\\' => {
                p += len;
                if p < end {
                    p = s.next(p);
                }
            }
            b'`' => {
                let (run, after) = s.run(p, b'`');
                match find_run(s, after, end, b'`', run) {
                    Some(close_end) => {
                        s.span(p, close_end, Class::Str);
                        p = close_end;
                    }
                    None => p = after,
                }
            }
            b'*' | b'_' => {
                let (run, after) = s.run(p, c);
                let intraword = c == b'_' && is_word(s.prev(p));
                let delim = run.min(2);
                let close = if !is_break(s.at(after)) && !intraword {
                    find_delimiter(s, after, end, c, delim)
                } else {
                    None
                };
                match close {
                    Some(close_end) => {
                        let class = if delim == 2 {
                            Class::Strong
                        } else {
                            Class::Emphasis
                        };
                        s.span(p, close_end, class);
                        p = close_end;
                    }
                    None => p = after,
                }
            }
            b']' => {
                let open = p + len;
                p = open;
                if s.at(open) == b'(' {
                    if let Some(close) = s.find(open, end, b')') {
                        let close_end = s.next(close);
                        s.span(open, close_end, Class::Str);
                        p = close_end;
                    }
                }
            }
            b'<' => match s.matches(p, b"<!--") {
                Some(after) => {
                    let close = find_text(s, after, b"-->").unwrap_or(s.len());
                    s.span(p, close, Class::Comment);
                    if close > end {
                        return close;
                    }
                    p = close;
                }
                None => p += len,
            },
            _ => p += len.max(1),
        }
    }
    end
}

/// End of the first run of exactly `count` `mark`s in `from..end`.
fn find_run(s: &Scanner<'_, '_>, from: usize, end: usize, mark: u8, count: usize) -> Option<usize> {
    let mut p = from;
    while p < end {
        let (c, len) = s.unit(p);
        if c == mark {
            let (run, after) = s.run(p, mark);
            if run == count && after <= end {
                return Some(after);
            }
            p = after;
        } else {
            p += len.max(1);
        }
    }
    None
}

/// End of a closing emphasis delimiter (`count` marks not preceded by a blank) in `from..end`.
fn find_delimiter(
    s: &Scanner<'_, '_>,
    from: usize,
    end: usize,
    mark: u8,
    count: usize,
) -> Option<usize> {
    let mut p = from;
    while p < end {
        let (c, len) = s.unit(p);
        if c != mark {
            p += len.max(1);
            continue;
        }
        let (run, after) = s.run(p, mark);
        let closes_word = mark != b'_' || !is_word(s.at(after));
        if run >= count && p > from && !matches!(s.prev(p), b' ' | b'\t') && closes_word {
            let mut close_end = p;
            for _ in 0..count {
                close_end = s.next(close_end);
            }
            if close_end <= end {
                return Some(close_end);
            }
        }
        p = after;
    }
    None
}

/// Position just after the first `pat` (read through entities) at or after `from`.
fn find_text(s: &Scanner<'_, '_>, mut from: usize, pat: &[u8]) -> Option<usize> {
    while from < s.len() {
        if let Some(after) = s.matches(from, pat) {
            return Some(after);
        }
        from = s.next(from);
    }
    None
}

/// Whether `c` can appear in a tag name.
fn is_tag_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b':' | b'_' | b'.' | b'-')
}

/// Highlights HTML and XML: tag names, attribute names and values, comments, doctypes and
/// processing instructions, CDATA.
pub(crate) fn markup(s: &mut Scanner<'_, '_>) {
    let len = s.len();
    let mut pos = 0;
    while pos < len {
        // Text between tags is copied as it is; only `<`, written `&lt;`, starts anything.
        match s.b[pos..].iter().position(|&b| b == b'&' || b == b'<') {
            Some(skip) => pos += skip,
            None => break,
        }
        let (c, len) = s.unit(pos);
        if c != b'<' {
            pos += len;
            continue;
        }
        if let Some(after) = s.matches(pos, b"<!--") {
            let end = find_text(s, after, b"-->").unwrap_or(s.len());
            s.span(pos, end, Class::Comment);
            pos = end;
            continue;
        }
        if let Some(after) = s.matches(pos, b"<![CDATA[") {
            let end = find_text(s, after, b"]]>").unwrap_or(s.len());
            s.span(pos, end, Class::Str);
            pos = end;
            continue;
        }
        let mut p = pos + len;
        let (next, next_len) = s.unit(p);
        if next == b'!' || next == b'?' {
            let end = find_text(s, p, b">").unwrap_or(s.len());
            s.span(pos, end, Class::Meta);
            pos = end;
            continue;
        }
        if next == b'/' {
            p += next_len;
        }
        if !s.b.get(p).is_some_and(u8::is_ascii_alphabetic) {
            pos = p;
            continue;
        }
        let name_start = p;
        while p < s.len() && is_tag_char(s.b[p]) {
            p += 1;
        }
        s.span(name_start, p, Class::Tag);
        pos = markup_attributes(s, p);
    }
}

/// The attributes of a tag from `p` up to and including its `>`; returns the position after it.
fn markup_attributes(s: &mut Scanner<'_, '_>, mut p: usize) -> usize {
    let mut after_equals = false;
    loop {
        let (c, len) = s.unit(p);
        match c {
            0 => return p,
            b'>' => return p + len,
            b'<' => return p,
            b' ' | b'\t' | b'\n' | b'\r' | b'/' => p += len,
            b'=' => {
                after_equals = true;
                p += len;
                continue;
            }
            b'"' | b'\'' => {
                let quote = if c == b'"' {
                    &YAML_DOUBLE
                } else {
                    &YAML_SINGLE
                };
                let end = string_body(
                    s,
                    p + len,
                    &Quote {
                        escape: false,
                        multiline: true,
                        ..*quote
                    },
                );
                s.span(p, end, Class::Str);
                p = end;
            }
            _ => {
                let start = p;
                loop {
                    let (c, l) = s.unit(p);
                    if l == 0
                        || matches!(
                            c,
                            b' ' | b'\t' | b'\n' | b'\r' | b'=' | b'>' | b'<' | b'"' | b'\''
                        )
                        || (c == b'/' && !after_equals)
                    {
                        break;
                    }
                    p += l;
                }
                let class = if after_equals { Class::Str } else { Class::Key };
                s.span(start, p, class);
            }
        }
        after_equals = false;
    }
}
