//! The table-driven lexer shared by the programming languages: one pass over the escaped code,
//! no regular expressions, driven by a [`Lang`] description.

use super::scan::{is_word, Class, Scanner, OTHER};
use crate::dialect::byteset::first_of;
use crate::dialect::html::byte_table as byte_flags;

/// A string delimiter pair.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Quote {
    /// Opening delimiter, as the characters the entities stand for.
    pub open: &'static str,
    /// Closing delimiter.
    pub close: &'static str,
    /// Whether `\` escapes the next character.
    pub escape: bool,
    /// Whether the string may run past the end of its line.
    pub multiline: bool,
}

/// A quoted string that may span lines and honours `\` escapes.
pub(crate) const fn q(open: &'static str, close: &'static str) -> Quote {
    Quote {
        open,
        close,
        escape: true,
        multiline: true,
    }
}

/// A quoted string that ends at its line's end and honours `\` escapes.
pub(crate) const fn q1(open: &'static str, close: &'static str) -> Quote {
    Quote {
        open,
        close,
        escape: true,
        multiline: false,
    }
}

/// A quoted string without escapes that may span lines.
pub(crate) const fn qraw(open: &'static str, close: &'static str) -> Quote {
    Quote {
        open,
        close,
        escape: false,
        multiline: true,
    }
}

/// Which identifiers directly followed by a quote make one string with it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Prefix {
    /// None do.
    None,
    /// Any identifier (Julia's string macros: `raw"…"`, `r"…"`, `L"…"`).
    Any,
    /// These, compared without case (Python's `r`, `b`, `f`, ...; Rust's `b`).
    List(&'static [&'static str]),
}

/// What a single quote means besides starting an ordinary string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Apostrophe {
    /// It is in the string table, or means nothing special.
    Plain,
    /// Julia: a character literal, unless it follows a value (then it is the adjoint operator).
    Julia,
    /// Rust: a character literal or a lifetime.
    Rust,
}

/// How keys and similar names are recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keys {
    /// No keys.
    None,
    /// A name or string followed by `=` (TOML, INI).
    Equals,
    /// A string followed by `:` (JSON).
    Colon,
    /// Make: at the start of a line, a name followed by `:` is a target, by `=`, `:=`, `?=`,
    /// `+=` or `!=` an assigned variable.
    Make,
}

/// Everything the generic lexer needs to know about one language.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lang {
    /// Keywords, sorted (lowercase when `ignore_case`).
    pub keywords: Words,
    /// Builtin types and functions, sorted.
    pub types: Words,
    /// Literal constants, sorted.
    pub constants: Words,
    /// Keywords after which the next name is a function being defined.
    pub def_fn: &'static [&'static str],
    /// Keywords after which the next name is a type being defined.
    pub def_type: &'static [&'static str],
    /// Whether names are compared to the lists without case (SQL).
    pub ignore_case: bool,
    /// Line comment openers.
    pub line_comments: &'static [&'static str],
    /// Whether a line comment must start a line or follow a blank (`#` in shell).
    pub comment_after_blank: bool,
    /// Block comments: opener, closer, whether they nest.
    pub block_comments: &'static [(&'static str, &'static str, bool)],
    /// String delimiters, longest openers first.
    pub quotes: &'static [Quote],
    /// Which names may prefix a string.
    pub prefix: Prefix,
    /// Special meaning of `'`.
    pub apostrophe: Apostrophe,
    /// Rust raw strings `r"…"`, `r#"…"#`, `br"…"`.
    pub raw_hash: bool,
    /// Characters besides letters, digits and `_` that may continue a name.
    pub word_extra: &'static [u8],
    /// Characters besides letters and `_` that may start a name.
    pub start_extra: &'static [u8],
    /// Julia: a trailing `!` belongs to the name (`push!`).
    pub bang_names: bool,
    /// Rust: `name!` is a macro.
    pub bang_macros: bool,
    /// `@name` is a macro or decorator.
    pub at_meta: bool,
    /// `$name`, `${…}`, `$(NAME)` are variables.
    pub dollar_vars: bool,
    /// Capitalised names with a lowercase letter are types.
    pub caps_types: bool,
    /// A name directly followed by `(` is a function.
    pub calls: bool,
    /// How keys are recognised.
    pub keys: Keys,
    /// Julia symbols `:name`.
    pub symbols: bool,
    /// Rust attributes `#[…]`.
    pub attributes: bool,
    /// C preprocessor: a line whose first character is `#`.
    pub preprocessor: bool,
    /// TOML/INI: a line starting with `[` is a table header.
    pub headers: bool,
    /// Letters and digits after a number belong to it (`10u32`, `2.5f`, `1L`).
    pub number_suffix: bool,
    /// Characters that may continue a number, such as the `-` and `:` of TOML dates.
    pub number_extra: &'static [u8],
    /// Prompts that start input lines; other lines are output and stay plain.
    pub prompts: &'static [&'static str],
    /// What each byte may do in this language (bits [`WORD`], [`START`], [`INERT`]), made
    /// from the fields above by [`Lang::ready`]: the lexer looks a byte up once instead of
    /// asking every rule about it.
    pub(super) bytes: [u8; 256],
}

/// The byte may continue a name.
const WORD: u8 = 1;
/// The byte may start a name.
const START: u8 = 2;
/// The byte is punctuation that starts no token of the language (no comment, string,
/// variable, symbol, attribute...), so the lexer steps over it. `&` never is: an entity may
/// stand for any character.
const INERT: u8 = 4;

/// A language with no features; the tables start from it.
pub(crate) const BASE: Lang = Lang {
    keywords: words(&[]),
    types: words(&[]),
    constants: words(&[]),
    def_fn: &[],
    def_type: &[],
    ignore_case: false,
    line_comments: &[],
    comment_after_blank: false,
    block_comments: &[],
    quotes: &[],
    prefix: Prefix::None,
    apostrophe: Apostrophe::Plain,
    raw_hash: false,
    word_extra: &[],
    start_extra: &[],
    bang_names: false,
    bang_macros: false,
    at_meta: false,
    dollar_vars: false,
    caps_types: false,
    calls: true,
    keys: Keys::None,
    symbols: false,
    attributes: false,
    preprocessor: false,
    headers: false,
    number_suffix: false,
    number_extra: &[],
    prompts: &[],
    bytes: [0; 256],
}
.ready();

impl Lang {
    /// The language with its byte table made from its other fields: every table ends with
    /// this call, a derived one (`Lang { prompts, ..JULIA }.ready()`) too.
    pub(crate) const fn ready(mut self) -> Lang {
        self.bytes = byte_table(&self);
        self
    }

    /// Whether the byte table was made from the other fields, as [`Lang::ready`] makes it.
    #[cfg(test)]
    pub(crate) fn is_ready(&self) -> bool {
        self.bytes == byte_table(self)
    }

    /// Whether `byte` may continue a name.
    #[inline]
    fn is_word(&self, byte: u8) -> bool {
        self.bytes[byte as usize] & WORD != 0
    }

    /// Whether `byte` may start a name.
    #[inline]
    fn is_word_start(&self, byte: u8) -> bool {
        self.bytes[byte as usize] & START != 0
    }

    /// Whether `byte` is punctuation that starts nothing (see [`INERT`]).
    #[inline]
    fn is_inert(&self, byte: u8) -> bool {
        self.bytes[byte as usize] & INERT != 0
    }
}

/// The byte table of `lang` (see [`Lang::bytes`]).
const fn byte_table(lang: &Lang) -> [u8; 256] {
    let word_extra = byte_flags(lang.word_extra);
    let start_extra = byte_flags(lang.start_extra);
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        let mut bits = 0;
        if is_word(byte) || word_extra[b] {
            bits |= WORD;
        }
        if byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80 || start_extra[b] {
            bits |= START;
        }
        table[b] = bits;
        b += 1;
    }
    // Punctuation: what `Lexer::punct` would read as a single unit and step over.
    let mut b = 0;
    while b < 0x80 {
        let byte = b as u8;
        let special = byte.is_ascii_alphanumeric()
            || matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | b'&' | b'.')
            || table[b] & START != 0
            || (byte == b'\'' && !matches!(lang.apostrophe, Apostrophe::Plain))
            || (byte == b'@' && lang.at_meta)
            || (byte == b'$' && lang.dollar_vars)
            || (byte == b':' && lang.symbols)
            || (byte == b'#' && lang.attributes)
            || opens_any(byte, lang);
        if !special {
            table[b] |= INERT;
        }
        b += 1;
    }
    table
}

/// Whether a comment or a string of `lang` may open with `byte`.
const fn opens_any(byte: u8, lang: &Lang) -> bool {
    let mut k = 0;
    while k < lang.block_comments.len() {
        if lang.block_comments[k].0.as_bytes()[0] == byte {
            return true;
        }
        k += 1;
    }
    let mut k = 0;
    while k < lang.line_comments.len() {
        if lang.line_comments[k].as_bytes()[0] == byte {
            return true;
        }
        k += 1;
    }
    let mut k = 0;
    while k < lang.quotes.len() {
        if lang.quotes[k].open.as_bytes()[0] == byte {
            return true;
        }
        k += 1;
    }
    false
}

/// Highlights `code` as `lang`.
pub(crate) fn highlight(lang: &Lang, s: &mut Scanner<'_, '_>) {
    Lexer {
        lang,
        pending: None,
    }
    .run(s);
}

/// The state of one pass.
struct Lexer<'l> {
    /// The language.
    lang: &'l Lang,
    /// The class the next name gets, after a defining keyword.
    pending: Option<Class>,
}

impl Lexer<'_> {
    /// The main loop: one token per iteration.
    fn run(&mut self, s: &mut Scanner<'_, '_>) {
        let lang = self.lang;
        let len = s.len();
        let mut pos = 0;
        let mut line_start = true;
        while pos < len {
            if line_start {
                if !lang.prompts.is_empty() {
                    match prompt(lang, s, pos) {
                        Some(end) => {
                            s.span(pos, end, Class::Meta);
                            pos = end;
                        }
                        None => {
                            // Output of the session.
                            pos = s.line_end(pos) + 1;
                            continue;
                        }
                    }
                }
                pos = s.skip_blanks(pos);
                if let Some(end) = self.line_start(s, pos) {
                    pos = end;
                    line_start = false;
                    continue;
                }
            }
            let Some(&byte) = s.b.get(pos) else {
                break;
            };
            match byte {
                b'\n' => {
                    line_start = true;
                    pos += 1;
                    continue;
                }
                b' ' | b'\t' | b'\r' => {
                    pos += 1;
                    continue;
                }
                _ => {}
            }
            let first = line_start;
            line_start = false;
            if lang.is_inert(byte) {
                self.pending = None;
                pos += 1;
                continue;
            }
            if lang.is_word_start(byte) {
                pos = self.word(s, pos, first);
                continue;
            }
            self.pending = None;
            if byte.is_ascii_digit() {
                let end = self.number(s, pos);
                s.span(pos, end, Class::Number);
                pos = end;
                continue;
            }
            pos = self.punct(s, pos);
        }
    }

    /// Tokens only recognised first on a line; the position after them, if one was found.
    fn line_start(&self, s: &mut Scanner<'_, '_>, pos: usize) -> Option<usize> {
        let lang = self.lang;
        let c = s.at(pos);
        if lang.preprocessor && c == b'#' {
            let end = s.line_end(pos);
            s.span(pos, end, Class::Meta);
            return Some(end);
        }
        if lang.headers && c == b'[' {
            let line_end = s.line_end(pos);
            let mut end = None;
            let mut p = pos;
            while let Some(close) = s.find(p, line_end, b']') {
                p = s.next(close);
                end = Some(p);
            }
            let end = end?;
            s.span(pos, end, Class::Type);
            return Some(end);
        }
        None
    }

    /// A name starting at `pos`: keyword, constant, type, call, key, or a string prefix.
    fn word(&mut self, s: &mut Scanner<'_, '_>, pos: usize, first: bool) -> usize {
        let lang = self.lang;
        let mut end = pos + 1;
        while end < s.len() && lang.is_word(s.b[end]) {
            end += 1;
        }
        // The `!` of a mutating Julia function, but not the `!=` operator.
        if lang.bang_names {
            end = bang(s, end).unwrap_or(end);
        }
        let word = s.text(pos, end);
        if let Some(str_end) = self.prefixed_string(s, word, end) {
            self.pending = None;
            s.span(pos, str_end, Class::Str);
            return str_end;
        }
        if let Some(after) = bang(s, end).filter(|_| lang.bang_macros) {
            self.pending = None;
            s.span(pos, after, Class::Meta);
            return after;
        }
        let pending = self.pending.take();
        let class = self.classify(s, word, end, first, pending);
        if let Some(class) = class {
            s.span(pos, end, class);
        }
        end
    }

    /// The class of the name `word` ending at `end`.
    fn classify(
        &mut self,
        s: &Scanner<'_, '_>,
        word: &str,
        end: usize,
        first: bool,
        pending: Option<Class>,
    ) -> Option<Class> {
        let lang = self.lang;
        match lang.keys {
            Keys::Equals => {
                let after = s.skip_blanks(end);
                if s.at(after) == b'=' && s.at(s.next(after)) != b'=' {
                    return Some(Class::Key);
                }
            }
            Keys::Make if first && !lang.keywords.contains(word) => {
                let after = s.skip_blanks(end);
                match (s.at(after), s.at(s.next(after))) {
                    (b':', b'=') | (b'?' | b'+' | b'!', b'=') => return Some(Class::Key),
                    (b'=', _) => return Some(Class::Key),
                    (b':', _) => return Some(Class::Function),
                    _ => {}
                }
            }
            _ => {}
        }
        let mut lower = [0u8; 24];
        let key = if lang.ignore_case {
            let bytes = word.as_bytes();
            if bytes.len() > lower.len() {
                return None;
            }
            for (dst, src) in lower.iter_mut().zip(bytes) {
                *dst = src.to_ascii_lowercase();
            }
            std::str::from_utf8(&lower[..bytes.len()]).unwrap_or(word)
        } else {
            word
        };
        if lang.keywords.contains(key) {
            if lang.def_fn.contains(&key) {
                self.pending = Some(Class::Function);
            } else if lang.def_type.contains(&key) {
                self.pending = Some(Class::Type);
            }
            return Some(Class::Keyword);
        }
        if lang.constants.contains(key) {
            return Some(Class::Number);
        }
        if lang.types.contains(key) {
            return Some(Class::Type);
        }
        if pending.is_some() {
            return pending;
        }
        if lang.caps_types && is_type_name(word) {
            return Some(Class::Type);
        }
        if lang.calls {
            let next = s.at(end);
            if next == b'(' || (lang.bang_names && next == b'.' && s.at(s.next(end)) == b'(') {
                return Some(Class::Function);
            }
        }
        None
    }

    /// If `word` (ending at `end`) prefixes a string, where that string ends.
    fn prefixed_string(&self, s: &Scanner<'_, '_>, word: &str, end: usize) -> Option<usize> {
        let lang = self.lang;
        let next = s.at(end);
        if lang.raw_hash && (next == b'#' || next == b'"') && matches!(word, "r" | "br") {
            return raw_hash_string(s, end);
        }
        if next != b'"' && next != b'\'' {
            return None;
        }
        let allowed = match lang.prefix {
            Prefix::None => false,
            Prefix::Any => next == b'"',
            Prefix::List(list) => list.iter().any(|p| p.eq_ignore_ascii_case(word)),
        };
        if !allowed {
            return None;
        }
        lang.quotes
            .iter()
            .find_map(|quote| string_at(s, end, quote))
    }

    /// A number starting at `pos` (a digit); returns its end.
    fn number(&self, s: &Scanner<'_, '_>, pos: usize) -> usize {
        let lang = self.lang;
        let b = s.b;
        let mut end = pos;
        let radix_prefix = b[pos] == b'0'
            && matches!(
                b.get(pos + 1),
                Some(b'x' | b'X' | b'b' | b'B' | b'o' | b'O')
            )
            && b.get(pos + 2).is_some_and(u8::is_ascii_hexdigit);
        if radix_prefix {
            end = pos + 2;
            while end < b.len() && (b[end].is_ascii_hexdigit() || b[end] == b'_') {
                end += 1;
            }
        } else {
            while end < b.len() && (b[end].is_ascii_digit() || b[end] == b'_') {
                end += 1;
            }
            if b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
                end += 1;
                while end < b.len() && (b[end].is_ascii_digit() || b[end] == b'_') {
                    end += 1;
                }
            }
            if matches!(b.get(end), Some(b'e' | b'E')) {
                let digit_at = match s.unit(end + 1) {
                    (b'+' | b'-', len) => end + 1 + len,
                    _ => end + 1,
                };
                if b.get(digit_at).is_some_and(u8::is_ascii_digit) {
                    end = digit_at;
                    while end < b.len() && b[end].is_ascii_digit() {
                        end += 1;
                    }
                }
            }
        }
        if lang.number_suffix {
            while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                end += 1;
            }
        }
        if !lang.number_extra.is_empty() {
            while end < b.len()
                && (b[end].is_ascii_alphanumeric() || lang.number_extra.contains(&b[end]))
            {
                end += 1;
            }
        }
        end
    }

    /// Everything that does not start with a letter or digit; returns the position after it.
    fn punct(&mut self, s: &mut Scanner<'_, '_>, pos: usize) -> usize {
        let lang = self.lang;
        let (c, len) = s.unit(pos);
        if c == OTHER || c == 0 {
            return pos + len.max(1);
        }
        if let Some(end) = self.comment(s, pos, c) {
            s.span(pos, end, Class::Comment);
            return end;
        }
        for quote in lang.quotes {
            if quote.open.as_bytes()[0] != c {
                continue;
            }
            if let Some(end) = string_at(s, pos, quote) {
                let class = if self.is_key_after(s, end) {
                    Class::Key
                } else {
                    Class::Str
                };
                s.span(pos, end, class);
                return end;
            }
        }
        let special = match c {
            b'\'' => match lang.apostrophe {
                Apostrophe::Julia => julia_char(s, pos),
                Apostrophe::Rust => rust_char(s, pos),
                Apostrophe::Plain => None,
            },
            b'@' if lang.at_meta => at_name(s, pos),
            b'$' if lang.dollar_vars => dollar(s, pos).map(|end| (end, Class::Variable)),
            b':' if lang.symbols => julia_symbol(s, pos),
            b'#' if lang.attributes => rust_attribute(s, pos),
            b'.' if s.b.get(pos + 1).is_some_and(u8::is_ascii_digit)
                && !lang.is_word(s.prev(pos))
                && s.prev(pos) != b'.' =>
            {
                Some((self.number(s, pos + 1), Class::Number))
            }
            _ => None,
        };
        match special {
            Some((end, class)) => {
                s.span(pos, end, class);
                end
            }
            None => pos + len,
        }
    }

    /// Whether a string ending at `end` is a key.
    fn is_key_after(&self, s: &Scanner<'_, '_>, end: usize) -> bool {
        let after = s.skip_blanks(end);
        match self.lang.keys {
            Keys::Colon => s.at(after) == b':',
            Keys::Equals => s.at(after) == b'=' && s.at(s.next(after)) != b'=',
            _ => false,
        }
    }

    /// If a comment starts at `pos` (whose unit means `c`), where it ends.
    fn comment(&self, s: &Scanner<'_, '_>, pos: usize, c: u8) -> Option<usize> {
        let lang = self.lang;
        for &(open, close, nests) in lang.block_comments {
            if open.as_bytes()[0] == c {
                if let Some(after) = s.matches(pos, open.as_bytes()) {
                    return Some(block_comment(s, after, open, close, nests));
                }
            }
        }
        for open in lang.line_comments {
            if open.as_bytes()[0] == c && s.matches(pos, open.as_bytes()).is_some() {
                if lang.comment_after_blank
                    && !matches!(s.prev(pos), 0 | b' ' | b'\t' | b'\n' | b'\r' | b';')
                {
                    return None;
                }
                return Some(s.line_end(pos));
            }
        }
        None
    }
}

/// A sorted list of words, with where the words of each first byte begin: every name in a
/// code block is looked up in up to three lists, and a binary search over a whole list cost
/// a quarter of the highlighting time.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Words {
    /// The words, sorted.
    pub list: &'static [&'static str],
    /// `list[starts[b]..starts[b + 1]]` are the words whose first byte is `b`.
    starts: [u16; 257],
}

/// The [`Words`] of a sorted list, made at compile time.
pub(crate) const fn words(list: &'static [&'static str]) -> Words {
    let mut starts = [0u16; 257];
    let mut byte = 0;
    let mut k = 0;
    while byte < 256 {
        // Skip the words whose first byte is below `byte` (an empty word sorts first).
        while k < list.len() && (list[k].is_empty() || (list[k].as_bytes()[0] as usize) < byte) {
            k += 1;
        }
        starts[byte] = k as u16;
        byte += 1;
    }
    starts[256] = list.len() as u16;
    Words { list, starts }
}

impl Words {
    /// Whether the list holds `word`.
    #[inline]
    pub(crate) fn contains(&self, word: &str) -> bool {
        let word = word.as_bytes();
        let Some(&first) = word.first() else {
            return false;
        };
        let from = usize::from(self.starts[usize::from(first)]);
        let to = usize::from(self.starts[usize::from(first) + 1]);
        // A handful of words at most share a first byte; comparing them inline beats a
        // call to `memcmp` for names this short.
        self.list[from..to]
            .iter()
            .any(|w| w.len() == word.len() && w.bytes().zip(word).all(|(a, b)| a == *b))
    }
}

/// Whether `word` looks like a type: capitalised, with a lowercase letter somewhere.
fn is_type_name(word: &str) -> bool {
    let b = word.as_bytes();
    b.first().is_some_and(u8::is_ascii_uppercase) && b.iter().any(u8::is_ascii_lowercase)
}

/// If `pos` is at a prompt, the position after it (a prompt is followed by a blank or the end of
/// its line).
fn prompt(lang: &Lang, s: &Scanner<'_, '_>, pos: usize) -> Option<usize> {
    // Julia's package prompt names the environment first: `(@v1.10) pkg>`.
    let pos = match s.at(pos) {
        b'(' => {
            let close = s.find(pos, s.line_end(pos), b')')?;
            let after = s.next(close);
            if s.at(after) != b' ' {
                return None;
            }
            after + 1
        }
        _ => pos,
    };
    lang.prompts.iter().find_map(|p| {
        let end = s.matches(pos, p.as_bytes())?;
        matches!(s.at(end), b' ' | b'\n' | 0).then_some(end)
    })
}

/// If `quote` opens at `pos`, the end of the string.
pub(crate) fn string_at(s: &Scanner<'_, '_>, pos: usize, quote: &Quote) -> Option<usize> {
    let after = s.matches(pos, quote.open.as_bytes())?;
    Some(string_body(s, after, quote))
}

/// End of a string whose body starts at `pos`: after the closer, or where an unterminated string
/// gives up (its line's end, or the end of the code).
pub(crate) fn string_body(s: &Scanner<'_, '_>, mut pos: usize, quote: &Quote) -> usize {
    let close = quote.close.as_bytes();
    let first = close[0];
    // The bytes that may matter (an entity may stand for the closer): the rest is stepped
    // over sixteen bytes at a time.
    let stops = [first, b'\\', b'\n', b'&'];
    while pos < s.len() {
        let Some(k) = first_of(&s.b[pos..], &stops) else {
            return s.len();
        };
        pos += k;
        let (c, len) = s.unit(pos);
        if c == first {
            if let Some(end) = s.matches(pos, close) {
                return end;
            }
        }
        if c == b'\\' && quote.escape {
            pos += len;
            pos = s.next(pos);
            continue;
        }
        if c == b'\n' && !quote.multiline {
            return pos;
        }
        pos += len;
    }
    s.len()
}

/// End of a block comment whose body starts at `pos`.
fn block_comment(
    s: &Scanner<'_, '_>,
    mut pos: usize,
    open: &str,
    close: &str,
    nests: bool,
) -> usize {
    let mut depth = 1usize;
    let (open, close) = (open.as_bytes(), close.as_bytes());
    while pos < s.len() {
        let (c, len) = s.unit(pos);
        if nests && c == open[0] {
            if let Some(after) = s.matches(pos, open) {
                depth += 1;
                pos = after;
                continue;
            }
        }
        if c == close[0] {
            if let Some(after) = s.matches(pos, close) {
                depth -= 1;
                if depth == 0 {
                    return after;
                }
                pos = after;
                continue;
            }
        }
        pos += len;
    }
    s.len()
}

/// A Rust raw string whose hashes or quote start at `pos` (just after `r` or `br`).
fn raw_hash_string(s: &Scanner<'_, '_>, pos: usize) -> Option<usize> {
    let mut hashes = 0;
    let mut p = pos;
    while s.at(p) == b'#' {
        hashes += 1;
        p = s.next(p);
    }
    if s.at(p) != b'"' {
        return None;
    }
    p = s.next(p);
    while p < s.len() {
        let (c, len) = s.unit(p);
        p += len;
        if c == b'"' {
            let mut q = p;
            let mut n = 0;
            while n < hashes && s.at(q) == b'#' {
                n += 1;
                q = s.next(q);
            }
            if n == hashes {
                return Some(q);
            }
        }
    }
    Some(s.len())
}

/// A Julia character literal at `pos`, unless the quote is the adjoint operator.
fn julia_char(s: &Scanner<'_, '_>, pos: usize) -> Option<(usize, Class)> {
    // After a value, `'` is the adjoint: `A'`, `f(x)'`, `v[1]'`.
    let prev = s.prev(pos);
    if matches!(prev, b')' | b']' | b'}' | b'\'' | b'.') || is_word(prev) {
        return None;
    }
    char_literal(s, pos).map(|end| (end, Class::Str))
}

/// A Rust character literal or lifetime at `pos`.
fn rust_char(s: &Scanner<'_, '_>, pos: usize) -> Option<(usize, Class)> {
    if let Some(end) = char_literal(s, pos) {
        return Some((end, Class::Str));
    }
    let mut end = s.next(pos);
    if !s
        .b
        .get(end)
        .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_')
    {
        return None;
    }
    while end < s.len() && is_word(s.b[end]) {
        end += 1;
    }
    Some((end, Class::Meta))
}

/// A short quoted character (`'a'`, `'\n'`, `'\u{2200}'`) at `pos`.
fn char_literal(s: &Scanner<'_, '_>, pos: usize) -> Option<usize> {
    let mut p = s.next(pos);
    let (c, len) = s.unit(p);
    if c == b'\'' || c == b'\n' || len == 0 {
        return None;
    }
    if c == b'\\' {
        p += len;
        p = s.next(p);
        for _ in 0..10 {
            let (c, len) = s.unit(p);
            if c == b'\'' {
                return Some(p + len);
            }
            if c == b'\n' || len == 0 {
                return None;
            }
            p += len;
        }
        return None;
    }
    p += len;
    let (c, len) = s.unit(p);
    (c == b'\'').then_some(p + len)
}

/// `@name` (with dotted parts, as Python decorators have) or Julia's `@.` at `pos`.
fn at_name(s: &Scanner<'_, '_>, pos: usize) -> Option<(usize, Class)> {
    let mut end = s.next(pos);
    if s.b.get(end) == Some(&b'.') {
        return Some((end + 1, Class::Meta));
    }
    if !s
        .b
        .get(end)
        .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b >= 0x80)
    {
        return None;
    }
    while end < s.len() {
        let b = s.b[end];
        if is_word(b) || (b == b'.' && s.b.get(end + 1).is_some_and(|&n| n.is_ascii_alphabetic())) {
            end += 1;
        } else {
            break;
        }
    }
    Some((bang(s, end).unwrap_or(end), Class::Meta))
}

/// A variable reference at the `$` at `pos`: `$name`, `${…}`, `$(NAME)`, `$1`, `$?`, `$@`.
pub(crate) fn dollar(s: &Scanner<'_, '_>, pos: usize) -> Option<usize> {
    let next = s.next(pos);
    let (c, len) = s.unit(next);
    match c {
        b'{' => {
            let close = s.find(next, s.line_end(next), b'}')?;
            Some(s.next(close))
        }
        b'(' => {
            // Only a plain name in parentheses is a variable; `$(cmd …)` is a command.
            let start = next + len;
            let mut end = start;
            while end < s.len() && (is_word(s.b[end]) || s.b[end] == b'.') {
                end += 1;
            }
            (end > start && s.at(end) == b')').then(|| s.next(end))
        }
        _ if c.is_ascii_alphabetic() || c == b'_' => {
            let mut end = next;
            while end < s.len() && is_word(s.b[end]) && s.b[end] < 0x80 {
                end += 1;
            }
            Some(end)
        }
        _ if c.is_ascii_digit()
            || matches!(
                c,
                b'?' | b'@' | b'#' | b'$' | b'!' | b'*' | b'<' | b'^' | b'-'
            ) =>
        {
            Some(next + len)
        }
        _ => None,
    }
}

/// A Julia symbol `:name` at `pos`, when the colon cannot be a range or a ternary.
fn julia_symbol(s: &Scanner<'_, '_>, pos: usize) -> Option<(usize, Class)> {
    if !matches!(
        s.prev(pos),
        0 | b' ' | b'\t' | b'\n' | b'(' | b'[' | b'{' | b',' | b'='
    ) {
        return None;
    }
    let start = s.next(pos);
    if !s
        .b
        .get(start)
        .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b >= 0x80)
    {
        return None;
    }
    let mut end = start;
    while end < s.len() && is_word(s.b[end]) {
        end += 1;
    }
    Some((end, Class::Number))
}

/// A Rust attribute `#[…]` or `#![…]` at `pos`, up to its closing bracket on the same line.
fn rust_attribute(s: &Scanner<'_, '_>, pos: usize) -> Option<(usize, Class)> {
    let after_hash = s.next(pos);
    let open = match s.at(after_hash) {
        b'[' => after_hash,
        b'!' if s.at(s.next(after_hash)) == b'[' => s.next(after_hash),
        _ => return None,
    };
    let line_end = s.line_end(open);
    let mut depth = 0usize;
    let mut p = open;
    while p < line_end {
        let (c, len) = s.unit(p);
        match c {
            b'[' => depth += 1,
            b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some((p + len, Class::Meta));
                }
            }
            _ => {}
        }
        p += len.max(1);
    }
    Some((line_end, Class::Meta))
}

/// If a `!` that is not the start of `!=` is at `pos`, the position after it.
fn bang(s: &Scanner<'_, '_>, pos: usize) -> Option<usize> {
    let (c, len) = s.unit(pos);
    if c != b'!' {
        return None;
    }
    let after = pos + len;
    (s.at(after) != b'=').then_some(after)
}

#[cfg(test)]
mod tests {
    use super::super::langs::ALL;
    use super::*;

    #[test]
    fn an_inert_byte_is_one_the_punctuation_rules_step_over_whatever_follows() {
        for (name, lang) in ALL {
            for byte in (0..0x80u8).filter(|&b| lang.is_inert(b)) {
                for next in (0x20..0x7fu8).chain([b'\n']) {
                    let code = String::from_utf8(vec![byte, next, next]).unwrap_or_default();
                    let mut out = String::new();
                    let mut s = Scanner::new(&code, &mut out);
                    let mut lexer = Lexer {
                        lang,
                        pending: None,
                    };
                    assert_eq!(lexer.punct(&mut s, 0), 1, "{name}: {code:?}");
                    s.finish();
                    assert_eq!(out, code, "{name}: {code:?}");
                }
            }
        }
    }

    #[test]
    fn names_entities_and_openers_are_never_inert() {
        for (name, lang) in ALL {
            for byte in [b'a', b'Z', b'_', b'0', b'&', b'.', b' ', b'\n', 0xC3] {
                assert!(!lang.is_inert(byte), "{name}: {}", byte as char);
            }
            for quote in lang.quotes {
                assert!(!lang.is_inert(quote.open.as_bytes()[0]), "{name}");
            }
        }
    }
}
