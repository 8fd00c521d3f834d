//! The cursor every lexer walks the escaped code with, and the writer of the coloured spans.
//!
//! Code blocks reach the highlighter HTML-escaped (`&lt;`, `&quot;`, `&#39;`, ...). Rather than
//! unescaping and escaping again, the lexers read an entity as one *unit* whose meaning is the
//! character it stands for. Every position a lexer stops at is the start of a unit, so an entity
//! is never cut in two by a span, and because non-ASCII characters are units too, every position
//! is also a `char` boundary of the code.

/// What a span means; each kind has one short CSS class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Language keyword (`function`, `if`, a Dockerfile instruction, a markup list marker).
    Keyword,
    /// String or character literal, inline code in markdown.
    Str,
    /// Comment.
    Comment,
    /// Number or literal constant (`true`, `nothing`, `null`, a Julia symbol).
    Number,
    /// Type or builtin name.
    Type,
    /// Name of a function being called or defined; a make target.
    Function,
    /// Key of a YAML/TOML/JSON mapping, assignment target in make, HTML attribute name.
    Key,
    /// Macro, decorator, attribute, preprocessor line, prompt, YAML anchor.
    Meta,
    /// Shell or make variable reference (`$HOME`, `$(CC)`).
    Variable,
    /// HTML/XML tag name.
    Tag,
    /// Markdown heading.
    Heading,
    /// Markdown emphasis.
    Emphasis,
    /// Markdown strong emphasis.
    Strong,
}

impl Class {
    /// Every class, in the order the stylesheet lists them.
    #[cfg(test)]
    pub(crate) const ALL: [Class; 13] = [
        Class::Keyword,
        Class::Str,
        Class::Comment,
        Class::Number,
        Class::Type,
        Class::Function,
        Class::Key,
        Class::Meta,
        Class::Variable,
        Class::Tag,
        Class::Heading,
        Class::Emphasis,
        Class::Strong,
    ];

    /// The CSS class name, without the leading dot.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Class::Keyword => "hl-k",
            Class::Str => "hl-s",
            Class::Comment => "hl-c",
            Class::Number => "hl-n",
            Class::Type => "hl-t",
            Class::Function => "hl-f",
            Class::Key => "hl-p",
            Class::Meta => "hl-m",
            Class::Variable => "hl-v",
            Class::Tag => "hl-g",
            Class::Heading => "hl-h",
            Class::Emphasis => "hl-e",
            Class::Strong => "hl-b",
        }
    }

    /// The opening tag, spelled out once so emitting a span is two plain copies.
    fn open_tag(self) -> &'static str {
        match self {
            Class::Keyword => "<span class=\"hl-k\">",
            Class::Str => "<span class=\"hl-s\">",
            Class::Comment => "<span class=\"hl-c\">",
            Class::Number => "<span class=\"hl-n\">",
            Class::Type => "<span class=\"hl-t\">",
            Class::Function => "<span class=\"hl-f\">",
            Class::Key => "<span class=\"hl-p\">",
            Class::Meta => "<span class=\"hl-m\">",
            Class::Variable => "<span class=\"hl-v\">",
            Class::Tag => "<span class=\"hl-g\">",
            Class::Heading => "<span class=\"hl-h\">",
            Class::Emphasis => "<span class=\"hl-e\">",
            Class::Strong => "<span class=\"hl-b\">",
        }
    }
}

/// The unit meaning given to an entity or character that is not ASCII.
pub(crate) const OTHER: u8 = 0x80;

/// A read position over escaped code plus the output the spans go to.
pub(crate) struct Scanner<'a, 'o> {
    /// The escaped code.
    code: &'a str,
    /// The same code as bytes.
    pub(crate) b: &'a [u8],
    /// Where the spans and the text between them are written.
    out: &'o mut String,
    /// Start of the text not yet written (it will be written unstyled).
    plain: usize,
}

impl<'a, 'o> Scanner<'a, 'o> {
    /// A scanner over `code` writing into `out`.
    pub(crate) fn new(code: &'a str, out: &'o mut String) -> Self {
        Scanner {
            code,
            b: code.as_bytes(),
            out,
            plain: 0,
        }
    }

    /// Length of the code in bytes.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.b.len()
    }

    /// The unit at `pos`: the ASCII character it means (or [`OTHER`]) and its length in bytes.
    /// Past the end it is `(0, 0)`; a NUL inside the code (a byte or `&#0;`) also means 0 but
    /// has a length, so the end is told by the length, never by the character.
    #[inline]
    pub(crate) fn unit(&self, pos: usize) -> (u8, usize) {
        let Some(&byte) = self.b.get(pos) else {
            return (0, 0);
        };
        if byte == b'&' {
            return self.entity(pos);
        }
        if byte < 0x80 {
            return (byte, 1);
        }
        // A whole UTF-8 character, so positions stay on `char` boundaries.
        let len = match byte {
            0xF0.. => 4,
            0xE0.. => 3,
            0xC0.. => 2,
            _ => 1,
        };
        (OTHER, len.min(self.b.len() - pos))
    }

    /// The meaning of the `&` at `pos`: a recognised entity is one unit, anything else is a
    /// lone `&`.
    fn entity(&self, pos: usize) -> (u8, usize) {
        let rest = &self.b[pos + 1..];
        let limit = rest.len().min(10);
        let Some(semi) = rest[..limit].iter().position(|&c| c == b';') else {
            return (b'&', 1);
        };
        let name = &rest[..semi];
        if name.is_empty() || !name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'#') {
            return (b'&', 1);
        }
        let meaning = match name {
            b"lt" => b'<',
            b"gt" => b'>',
            b"amp" => b'&',
            b"quot" => b'"',
            b"apos" => b'\'',
            _ => match name.strip_prefix(b"#") {
                Some(num) => numeric_ascii(num).unwrap_or(OTHER),
                None => OTHER,
            },
        };
        (meaning, semi + 2)
    }

    /// The character the unit at `pos` means (0 past the end).
    #[inline]
    pub(crate) fn at(&self, pos: usize) -> u8 {
        self.unit(pos).0
    }

    /// Position just after the unit at `pos`.
    #[inline]
    pub(crate) fn next(&self, pos: usize) -> usize {
        pos + self.unit(pos).1
    }

    /// The character the unit ending just before `pos` means (0 at the start).
    ///
    /// Franklin writes `(`, `)`, `!`, `=` and more as numeric references, so the character before
    /// a token is decoded rather than read as a byte.
    #[inline]
    pub(crate) fn prev(&self, pos: usize) -> u8 {
        let Some(&byte) = pos.checked_sub(1).and_then(|i| self.b.get(i)) else {
            return 0;
        };
        if byte >= 0x80 {
            return OTHER;
        }
        if byte != b';' {
            return byte;
        }
        let from = pos.saturating_sub(11);
        match self.b[from..pos].iter().rposition(|&c| c == b'&') {
            Some(amp) => match self.entity(from + amp) {
                (c, len) if from + amp + len == pos => c,
                _ => b';',
            },
            None => b';',
        }
    }

    /// How many consecutive units from `pos` mean `mark`, and the position after them.
    #[inline]
    pub(crate) fn run(&self, mut pos: usize, mark: u8) -> (usize, usize) {
        let mut count = 0;
        loop {
            let (c, len) = self.unit(pos);
            if c != mark || len == 0 {
                return (count, pos);
            }
            count += 1;
            pos += len;
        }
    }

    /// Position of the first unit meaning `c` in `from..to`.
    #[inline]
    pub(crate) fn find(&self, mut from: usize, to: usize, c: u8) -> Option<usize> {
        while from < to {
            let (here, len) = self.unit(from);
            if here == c {
                return Some(from);
            }
            from += len.max(1);
        }
        None
    }

    /// If the units from `pos` spell `pat`, the position after them.
    #[inline]
    pub(crate) fn matches(&self, mut pos: usize, pat: &[u8]) -> Option<usize> {
        for &want in pat {
            let (c, len) = self.unit(pos);
            if c != want || len == 0 {
                return None;
            }
            pos += len;
        }
        Some(pos)
    }

    /// Position of the next `\n` at or after `pos`, or the end.
    #[inline]
    pub(crate) fn line_end(&self, pos: usize) -> usize {
        match self.b.get(pos..) {
            Some(rest) => rest
                .iter()
                .position(|&c| c == b'\n')
                .map_or(self.b.len(), |i| pos + i),
            None => self.b.len(),
        }
    }

    /// Position of the first byte at or after `pos` that is not a space or a tab.
    #[inline]
    pub(crate) fn skip_blanks(&self, mut pos: usize) -> usize {
        while matches!(self.b.get(pos), Some(b' ' | b'\t')) {
            pos += 1;
        }
        pos
    }

    /// The code between two positions (empty if they are not valid).
    #[inline]
    pub(crate) fn text(&self, start: usize, end: usize) -> &'a str {
        self.code.get(start..end).unwrap_or("")
    }

    /// Wraps `start..end` in a span of `class`; the text before it is written unstyled.
    ///
    /// Spans must come in order; one that overlaps what was already written, or is empty, is
    /// dropped rather than corrupting the output.
    pub(crate) fn span(&mut self, start: usize, end: usize, class: Class) {
        if start < self.plain || end <= start {
            return;
        }
        let (Some(before), Some(inner)) =
            (self.code.get(self.plain..start), self.code.get(start..end))
        else {
            return;
        };
        self.out.push_str(before);
        self.out.push_str(class.open_tag());
        self.out.push_str(inner);
        self.out.push_str("</span>");
        self.plain = end;
    }

    /// Writes the rest of the code unstyled.
    pub(crate) fn finish(self) {
        self.out.push_str(self.code.get(self.plain..).unwrap_or(""));
    }
}

/// The ASCII character of a numeric reference's digits (`39`, `x27`), if it is one.
fn numeric_ascii(num: &[u8]) -> Option<u8> {
    let (digits, radix) = match num.strip_prefix(b"x").or_else(|| num.strip_prefix(b"X")) {
        Some(hex) => (hex, 16),
        None => (num, 10),
    };
    if digits.is_empty() || digits.len() > 6 {
        return None;
    }
    let mut value: u32 = 0;
    for &d in digits {
        value = value * radix + char::from(d).to_digit(radix)?;
    }
    u8::try_from(value).ok().filter(u8::is_ascii)
}

/// Whether `byte` can continue a word in every language (letters, digits, `_`, non-ASCII).
#[inline]
pub(crate) const fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_single_units() {
        let mut out = String::new();
        let s = Scanner::new("&lt;&quot;&#39;&#x27;&#123;&nbsp;&amp;x&bogus &é", &mut out);
        let mut pos = 0;
        let mut seen = Vec::new();
        while pos < s.len() {
            let (c, len) = s.unit(pos);
            seen.push((c, len));
            pos += len;
        }
        assert_eq!(
            seen,
            vec![
                (b'<', 4),
                (b'"', 6),
                (b'\'', 5),
                (b'\'', 6),
                (b'{', 6),
                (OTHER, 6),
                (b'&', 5),
                (b'x', 1),
                (b'&', 1),
                (b'b', 1),
                (b'o', 1),
                (b'g', 1),
                (b'u', 1),
                (b's', 1),
                (b' ', 1),
                (b'&', 1),
                (OTHER, 2),
            ]
        );
    }

    #[test]
    fn prev_and_run_decode_entities() {
        let mut out = String::new();
        let s = Scanner::new("f&#41;x;&#96;&#96;`y&amp", &mut out);
        assert_eq!(s.prev(0), 0);
        assert_eq!(s.prev(1), b'f');
        assert_eq!(s.prev(6), b')');
        assert_eq!(s.prev(8), b';');
        assert_eq!(s.run(8, b'`'), (3, 19));
        assert_eq!(s.find(0, s.len(), b'`'), Some(8));
        assert_eq!(s.find(0, s.len(), b'('), None);
        assert_eq!(s.prev(s.len()), b'p');
    }

    #[test]
    fn spans_in_order_and_overlaps_dropped() {
        let mut out = String::new();
        let mut s = Scanner::new("abcdef", &mut out);
        s.span(1, 3, Class::Keyword);
        s.span(2, 4, Class::Str);
        s.span(4, 4, Class::Str);
        s.span(4, 5, Class::Number);
        s.finish();
        assert_eq!(
            out,
            "a<span class=\"hl-k\">bc</span>d<span class=\"hl-n\">e</span>f"
        );
    }

    #[test]
    fn matches_reads_through_entities() {
        let mut out = String::new();
        let s = Scanner::new("&lt;!-- x", &mut out);
        assert_eq!(s.matches(0, b"<!--"), Some(7));
        assert_eq!(s.matches(0, b"<!-x"), None);
        assert_eq!(s.matches(7, b" x y"), None);
    }
}
