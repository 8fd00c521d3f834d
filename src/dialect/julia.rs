//! Evaluator for the Julia literal subset used in `@def` and `+++` blocks.
//!
//! Franklin runs page-variable definitions as real Julia code. `notes` cannot run Julia, so this
//! module reads the literal forms that real sites write (strings, numbers, vectors, `Date(...)`,
//! `get(ENV, ...)`, ...) and reports everything else with the exact byte range that is at fault.

use crate::dialect::value::Value;
use std::ops::Range;

/// How deeply values may nest before we refuse them (protects the stack from hostile input).
const MAX_DEPTH: usize = 64;

/// The help shown whenever someone writes real Julia code where a literal is expected.
const LITERAL_HELP: &str = "notes evaluates only literal values (strings, numbers, booleans, \
vectors, tuples, pairs, `Dict(...)`, `Date(...)`, `get(ENV, ...)`); write the value out";

/// A problem while reading a Julia value; offsets are byte offsets into the evaluated text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct EvalError {
    /// Byte offset of the offending text.
    pub offset: usize,
    /// Byte length of the offending text (0 for "something is missing here").
    pub len: usize,
    /// Lower-case description of the problem.
    pub message: String,
    /// A hint on how to fix it.
    pub help: Option<String>,
}

impl EvalError {
    fn new(offset: usize, len: usize, message: impl Into<String>) -> Self {
        EvalError {
            offset,
            len,
            message: message.into(),
            help: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// One `name = value` assignment found in a `+++` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The variable name (left-hand side).
    pub name: String,
    /// The evaluated right-hand side.
    pub value: Value,
    /// Byte offset of the name in the block.
    pub offset: usize,
    /// Byte length from the name to the end of the value.
    pub len: usize,
}

type R<T> = Result<T, EvalError>;

/// Evaluates one expression (the right-hand side of `@def name = EXPR`). `env` answers `ENV` lookups.
pub fn eval_expr(src: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Value, EvalError> {
    let mut p = Parser::new(src, env);
    p.skip_ws_nl()?;
    let value = p.expr()?;
    loop {
        p.skip_ws_nl()?;
        if p.peek() == Some(b';') {
            p.pos += 1;
        } else {
            break;
        }
    }
    if p.at_end() {
        Ok(value)
    } else {
        Err(p.unexpected())
    }
}

/// Evaluates the content of a `+++ ... +++` block: every top-level `name = value` assignment becomes a variable.
pub fn eval_block(
    src: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Vec<Assignment>, Vec<EvalError>) {
    let mut p = Parser::new(src, env);
    let mut errors = Vec::new();
    loop {
        p.nest = 0;
        p.depth = 0;
        if let Err(e) = p.skip_blank() {
            errors.push(e);
            break;
        }
        if p.at_end() {
            break;
        }
        let start = p.pos;
        match p.statement() {
            Ok(Some(a)) => p.known.push(a),
            Ok(None) => {}
            Err(e) => {
                errors.push(e);
                // Resume after the broken statement so one mistake gives one error.
                p.pos = skip_stmt(src, start).max(p.pos);
            }
        }
    }
    (p.known, errors)
}

/// Splits the text after `@def ` into the variable name and the byte range of its value expression,
/// or an error when it is not of the form `name = value`.
pub fn split_def(content: &str) -> Result<(String, Range<usize>), EvalError> {
    let b = content.as_bytes();
    let mut i = skip_inline_ws(b, 0);
    let Some(name) = ident_at(content, i) else {
        let len = token_len(content, i);
        let found = content.get(i..i + len).unwrap_or("");
        let msg = if found.is_empty() {
            "expected a variable name after `@def`".to_string()
        } else {
            format!("expected a variable name after `@def`, found `{found}`")
        };
        return Err(EvalError::new(i, len, msg).help("write `@def name = value`"));
    };
    i += name.len();
    i = skip_inline_ws(b, i);
    let rest = content.get(i..).unwrap_or("");
    if !rest.starts_with('=') || rest.starts_with("==") || rest.starts_with("=>") {
        return Err(EvalError::new(
            i,
            token_len(content, i),
            format!("expected `=` after `@def {name}`"),
        )
        .help(format!("write `@def {name} = value`")));
    }
    i += 1;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    // Franklin drops everything from `<!--` on, so `@def x = 1 <!-- note -->` is fine.
    let mut end = b.len();
    let mut scan = Scan::default();
    let mut j = i;
    while j < b.len() {
        if scan.mode == Mode::Code && b[j..].starts_with(b"<!--") {
            end = j;
            break;
        }
        j = scan.step(b, j);
    }
    while end > i && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    if end == i {
        return Err(
            EvalError::new(i, 0, format!("missing value after `@def {name} =`"))
                .help(format!("write `@def {name} = value`")),
        );
    }
    Ok((name.to_string(), i..end))
}

/// Given the text right after an `@def ` token (possibly running to the end of the file), returns how many
/// bytes the definition spans: the rest of the line, plus following lines indented by 4 spaces or a tab
/// while the expression is still incomplete (open bracket/paren/string, trailing operator or comma).
/// Never includes the final newline.
pub fn def_extent(rest: &str) -> usize {
    let b = rest.as_bytes();
    let line_end = |from: usize| {
        b[from..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |k| from + k)
    };
    let mut scan = Scan {
        html_comments: true,
        ..Scan::default()
    };
    let mut i = 0;
    let mut end = line_end(0);
    loop {
        while i < end {
            i = scan.step(b, i);
        }
        if end >= b.len() || !scan.open() {
            break;
        }
        let next = end + 1;
        let indented = b[next..].starts_with(b"    ") || b.get(next) == Some(&b'\t');
        if !indented {
            break;
        }
        end = line_end(next);
    }
    if end > 0 && b[end - 1] == b'\r' {
        end -= 1;
    }
    end
}

/// A one-line definition read by [`simple_def`].
#[derive(Debug, Clone, PartialEq)]
pub struct SimpleDef<'a> {
    /// What [`def_extent`] gives for the same text.
    pub extent: usize,
    /// The variable's name.
    pub name: &'a str,
    /// Byte range of the value expression in the text.
    pub range: Range<usize>,
    /// The value.
    pub value: Value,
}

/// Reads the text after `@def ` when it is one line of the commonest forms — `name = "text"`,
/// `name = ["a", "b"]`, `name = 12`, `name = true` — without the general parser; what it
/// gives is what [`def_extent`], [`split_def`] and [`eval_expr`] give. None for anything
/// else (escapes, interpolation, comments, continued lines, other expressions).
pub fn simple_def(rest: &str) -> Option<SimpleDef<'_>> {
    let b = rest.as_bytes();
    let line = memchr::memchr(b'\n', b).unwrap_or(b.len());
    let line_bytes = &b[..line];
    // `#` and `<` may open comments, which the general reader handles.
    if memchr::memchr2(b'#', b'<', line_bytes).is_some() {
        return None;
    }
    let extent = if line > 0 && b[line - 1] == b'\r' {
        line - 1
    } else {
        line
    };
    let name_start = skip_inline_ws(b, 0);
    let mut i = name_start;
    if !b
        .get(i)
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    {
        return None;
    }
    while i < line && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
        i += 1;
    }
    // `name!`, Unicode names and the like are left to the general reader.
    if i < line && !matches!(b[i], b' ' | b'\t' | b'=') {
        return None;
    }
    let name = &rest[name_start..i];
    i = skip_inline_ws(b, i);
    if b.get(i) != Some(&b'=') || matches!(b.get(i + 1), Some(b'=' | b'>')) {
        return None;
    }
    let start = skip_inline_ws(b, i + 1);
    let mut end = line;
    while end > start && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let value = simple_value(&rest[start..end])?;
    Some(SimpleDef {
        extent,
        name,
        range: start..end,
        value,
    })
}

/// The value of `src` when it is a plain string, a list of plain strings, a small integer
/// or a boolean, written with nothing else around it.
fn simple_value(src: &str) -> Option<Value> {
    match src.as_bytes().first()? {
        b'"' => plain_string(src)
            .filter(|(_, len)| *len == src.len())
            .map(|(v, _)| v),
        b'[' => {
            let inner = src.strip_suffix(']')?[1..].trim_matches([' ', '\t']);
            let mut items = Vec::new();
            if !inner.is_empty() {
                for item in inner.split(',') {
                    let item = item.trim_matches([' ', '\t']);
                    match plain_string(item) {
                        Some((v, len)) if len == item.len() => items.push(v),
                        _ => return None,
                    }
                }
            }
            Some(Value::Vector(items))
        }
        b'1'..=b'9' if src.len() <= 15 && src.bytes().all(|c| c.is_ascii_digit()) => {
            src.parse().ok().map(Value::Int)
        }
        _ => match src {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
    }
}

/// A string literal at the start of `src` with no escape, interpolation or inner quote,
/// and its length.
fn plain_string(src: &str) -> Option<(Value, usize)> {
    let body = src.strip_prefix('"')?;
    let close = memchr::memchr3(b'"', b'\\', b'$', body.as_bytes())?;
    if body.as_bytes()[close] != b'"' {
        return None;
    }
    Some((Value::Str(body[..close].to_string()), close + 2))
}

// ---------------------------------------------------------------------------------------------
// Lexical helpers

fn is_ident_start(ch: char) -> bool {
    ch == '_' || ch.is_alphabetic()
}

fn is_ident_cont(ch: char) -> bool {
    ch == '_' || ch == '!' || ch.is_alphanumeric()
}

/// The identifier starting at `pos`, if any.
fn ident_at(src: &str, pos: usize) -> Option<&str> {
    let rest = src.get(pos..)?;
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    if !is_ident_start(first) {
        return None;
    }
    let mut end = first.len_utf8();
    for (k, ch) in chars {
        if !is_ident_cont(ch) {
            break;
        }
        end = k + ch.len_utf8();
    }
    // `a!=b` is `a != b` in Julia, not an identifier `a!`.
    if rest[..end].ends_with('!') && rest[end..].starts_with('=') {
        end -= 1;
    }
    Some(&rest[..end])
}

/// Length of the token at `pos`, for error spans: an identifier, a number, or one character
/// (nothing at a line end, so spans never swallow the newline).
fn token_len(src: &str, pos: usize) -> usize {
    if src.get(pos..).unwrap_or("").starts_with(['\n', '\r']) {
        return 0;
    }
    if let Some(id) = ident_at(src, pos) {
        return id.len();
    }
    let rest = src.get(pos..).unwrap_or("");
    let digits = rest
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'_')
        .count();
    if digits > 0 {
        return digits;
    }
    rest.chars().next().map_or(0, char::len_utf8)
}

fn skip_inline_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r') {
        i += 1;
    }
    i
}

fn is_type_name(name: &str) -> bool {
    matches!(
        name,
        "String"
            | "AbstractString"
            | "Any"
            | "Int"
            | "Int64"
            | "Integer"
            | "Float64"
            | "Real"
            | "Number"
            | "Bool"
            | "Date"
            | "Pair"
            | "Regex"
    )
}

const KEYWORDS: &[&str] = &[
    "if",
    "elseif",
    "else",
    "for",
    "while",
    "function",
    "macro",
    "begin",
    "let",
    "do",
    "try",
    "catch",
    "finally",
    "quote",
    "struct",
    "mutable",
    "abstract",
    "primitive",
    "module",
    "baremodule",
    "const",
    "local",
    "global",
    "return",
    "break",
    "continue",
    "end",
    "using",
    "import",
    "export",
];

/// Keywords that open a block closed by `end`.
const OPENERS: &[&[u8]] = &[
    b"function",
    b"macro",
    b"if",
    b"for",
    b"while",
    b"let",
    b"begin",
    b"quote",
    b"struct",
    b"module",
    b"baremodule",
    b"try",
    b"do",
    b"abstract",
    b"primitive",
];

// ---------------------------------------------------------------------------------------------
// A coarse scanner: tracks brackets, strings, comments and `end` blocks without evaluating.
// Used to find where statements and multi-line definitions end, iteratively (no recursion).

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Mode {
    #[default]
    Code,
    Str,
    Triple,
    LineComment,
    Block(usize),
}

#[derive(Debug, Default)]
struct Scan {
    depth: usize,
    kw: usize,
    mode: Mode,
    last_sig: u8,
    /// Treat `<!--` as the start of a comment (Franklin strips it from `@def` lines).
    html_comments: bool,
}

impl Scan {
    /// Consumes one token at `i` and returns where the next one starts (possibly `i` itself when
    /// only the mode changed, e.g. at the newline ending a line comment).
    fn step(&mut self, b: &[u8], i: usize) -> usize {
        let c = b[i];
        match self.mode {
            Mode::LineComment => {
                if c == b'\n' {
                    self.mode = Mode::Code;
                    i
                } else {
                    i + 1
                }
            }
            Mode::Block(n) => {
                if b[i..].starts_with(b"#=") {
                    self.mode = Mode::Block(n + 1);
                    i + 2
                } else if b[i..].starts_with(b"=#") {
                    self.mode = if n <= 1 {
                        Mode::Code
                    } else {
                        Mode::Block(n - 1)
                    };
                    i + 2
                } else {
                    i + 1
                }
            }
            Mode::Str => match c {
                b'\\' => i + 2,
                b'"' => {
                    self.mode = Mode::Code;
                    self.last_sig = b'"';
                    i + 1
                }
                _ => i + 1,
            },
            Mode::Triple => {
                if c == b'\\' {
                    i + 2
                } else if b[i..].starts_with(b"\"\"\"") {
                    self.mode = Mode::Code;
                    self.last_sig = b'"';
                    i + 3
                } else {
                    i + 1
                }
            }
            Mode::Code => self.step_code(b, i),
        }
    }

    fn step_code(&mut self, b: &[u8], i: usize) -> usize {
        let c = b[i];
        match c {
            b'#' => {
                if b.get(i + 1) == Some(&b'=') {
                    self.mode = Mode::Block(1);
                    i + 2
                } else {
                    self.mode = Mode::LineComment;
                    i + 1
                }
            }
            b'"' => {
                if b[i..].starts_with(b"\"\"\"") {
                    self.mode = Mode::Triple;
                    i + 3
                } else {
                    self.mode = Mode::Str;
                    i + 1
                }
            }
            b'<' if self.html_comments && b[i..].starts_with(b"<!--") => {
                self.mode = Mode::LineComment;
                i + 4
            }
            b'(' | b'[' | b'{' => {
                self.depth += 1;
                self.last_sig = c;
                i + 1
            }
            b')' | b']' | b'}' => {
                self.depth = self.depth.saturating_sub(1);
                self.last_sig = c;
                i + 1
            }
            b' ' | b'\t' | b'\r' | b'\n' => i + 1,
            b'\'' => {
                let prev = if i > 0 { b[i - 1] } else { b' ' };
                let transpose = prev.is_ascii_alphanumeric()
                    || matches!(prev, b'_' | b')' | b']' | b'}' | b'\'')
                    || prev >= 0x80;
                self.last_sig = b'\'';
                if transpose {
                    return i + 1;
                }
                let mut j = i + 1;
                if b.get(j) == Some(&b'\\') {
                    j += 1;
                }
                j += 1;
                while j < b.len() && j < i + 12 && b[j] != b'\'' && b[j] != b'\n' {
                    j += 1;
                }
                if b.get(j) == Some(&b'\'') {
                    j + 1
                } else {
                    i + 1
                }
            }
            _ if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 => {
                let mut j = i + 1;
                while j < b.len()
                    && (b[j] == b'_'
                        || b[j] == b'!'
                        || b[j].is_ascii_alphanumeric()
                        || b[j] >= 0x80)
                {
                    j += 1;
                }
                if self.depth == 0 {
                    let word = &b[i..j];
                    if OPENERS.contains(&word) {
                        self.kw += 1;
                    } else if word == b"end" {
                        self.kw = self.kw.saturating_sub(1);
                    }
                }
                self.last_sig = b'a';
                j
            }
            _ => {
                self.last_sig = c;
                i + 1
            }
        }
    }

    /// Whether the last significant character asks for a continuation line.
    fn continues(&self) -> bool {
        matches!(
            self.last_sig,
            b',' | b'='
                | b'+'
                | b'-'
                | b'*'
                | b'/'
                | b'^'
                | b'&'
                | b'|'
                | b'<'
                | b'>'
                | b'\\'
                | b'%'
                | b'~'
                | b'?'
        )
    }

    /// Whether the text scanned so far is an incomplete expression.
    fn open(&self) -> bool {
        self.depth > 0
            || matches!(self.mode, Mode::Str | Mode::Triple | Mode::Block(_))
            || self.continues()
    }
}

/// End of the statement starting at `start` (at a top-level newline or `;`, or the end of text).
fn skip_stmt(src: &str, start: usize) -> usize {
    let b = src.as_bytes();
    let mut scan = Scan::default();
    let mut i = start;
    while i < b.len() {
        if scan.mode == Mode::Code && scan.depth == 0 && scan.kw == 0 {
            if b[i] == b'\n' && !scan.continues() {
                return i;
            }
            if b[i] == b';' {
                return i;
            }
        }
        i = scan.step(b, i);
    }
    b.len()
}

/// Whether the call starting at the `(` at `open` is the head of a short function definition
/// (`f(x) = ...`, `f(x)::T = ...`, `f(x) where T = ...`).
fn is_short_function(src: &str, open: usize) -> bool {
    let b = src.as_bytes();
    let mut scan = Scan::default();
    let mut i = open;
    loop {
        if i >= b.len() {
            return false;
        }
        i = scan.step(b, i);
        if scan.depth == 0 && scan.mode == Mode::Code {
            break;
        }
    }
    let i = skip_inline_ws(b, i);
    let rest = &b[i.min(b.len())..];
    rest.starts_with(b"::")
        || rest.starts_with(b"where")
        || (rest.starts_with(b"=") && !rest.starts_with(b"==") && !rest.starts_with(b"=>"))
}

// ---------------------------------------------------------------------------------------------
// The evaluator proper: a recursive-descent parser that builds values as it goes.

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    /// Recursion depth of `expr`.
    depth: usize,
    /// Bracket nesting: inside brackets a newline is plain whitespace.
    nest: usize,
    env: &'a dyn Fn(&str) -> Option<String>,
    /// Assignments made earlier in the same block, which later values may refer to.
    known: Vec<Assignment>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, env: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Parser {
            src,
            b: src.as_bytes(),
            pos: 0,
            depth: 0,
            nest: 0,
            env,
            known: Vec::new(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<u8> {
        self.b.get(self.pos + k).copied()
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn at_end(&self) -> bool {
        self.pos >= self.b.len()
    }

    /// Advances over one character (never splits a UTF-8 sequence).
    fn bump(&mut self) {
        let n = self.rest().chars().next().map_or(1, char::len_utf8);
        self.pos += n;
    }

    /// Skips spaces, comments and (inside brackets) newlines.
    fn skip_ws(&mut self) -> R<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r') => self.pos += 1,
                Some(b'\n') if self.nest > 0 => self.pos += 1,
                Some(b'#') => {
                    if self.peek_at(1) == Some(b'=') {
                        self.block_comment()?;
                    } else {
                        while let Some(c) = self.peek() {
                            if c == b'\n' {
                                break;
                            }
                            self.pos += 1;
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Skips whitespace including newlines (after an operator the expression must continue).
    fn skip_ws_nl(&mut self) -> R<()> {
        self.nest += 1;
        let r = self.skip_ws();
        self.nest -= 1;
        r
    }

    /// Skips blank lines, comments and `;` between statements of a block.
    fn skip_blank(&mut self) -> R<()> {
        loop {
            self.skip_ws_nl()?;
            if self.peek() == Some(b';') {
                self.pos += 1;
            } else {
                return Ok(());
            }
        }
    }

    fn block_comment(&mut self) -> R<()> {
        let start = self.pos;
        self.pos += 2;
        let mut level = 1usize;
        loop {
            let r = self.rest();
            if r.is_empty() {
                return Err(EvalError::new(start, 2, "unterminated `#=` comment")
                    .help("close the comment with `=#`"));
            }
            if r.starts_with("#=") {
                level += 1;
                self.pos += 2;
            } else if r.starts_with("=#") {
                level -= 1;
                self.pos += 2;
                if level == 0 {
                    return Ok(());
                }
            } else {
                self.bump();
            }
        }
    }

    /// The error for whatever unexpected text sits at the current position.
    fn unexpected(&self) -> EvalError {
        let pos = self.pos;
        let r = self.rest();
        const OPS: &[&str] = &[
            "...", "==", "!=", "<=", ">=", "&&", "||", "->", "//", "<<", ">>", "|>", "+", "-", "/",
            "^", "%", "<", ">", "|", "&", "?", "\\", "÷", "~", "!", "'",
        ];
        if r.is_empty() {
            return EvalError::new(pos, 0, "unexpected end of the value");
        }
        if let Some(op) = OPS.iter().find(|op| r.starts_with(**op)) {
            return EvalError::new(pos, op.len(), format!("operator `{op}` is not supported"))
                .help(LITERAL_HELP);
        }
        if r.starts_with('=') {
            return EvalError::new(pos, 1, "unexpected `=`")
                .help("a definition holds a single `name = value`");
        }
        if r.starts_with('.') {
            return EvalError::new(
                pos,
                1,
                "field access and broadcasting with `.` are not supported",
            )
            .help(LITERAL_HELP);
        }
        let len = token_len(self.src, pos);
        let tok = self.src.get(pos..pos + len).unwrap_or("");
        if tok == "`" {
            return EvalError::new(pos, len, "unexpected backtick")
                .help("Julia values are not quoted with backticks; remove it");
        }
        if matches!(tok, "“" | "”" | "‘" | "’") {
            return EvalError::new(pos, len, format!("unexpected curly quote `{tok}`"))
                .help("strings use straight double quotes: `\"...\"`");
        }
        if tok == "for" {
            return EvalError::new(pos, len, "comprehensions `[... for ...]` are not supported")
                .help(LITERAL_HELP);
        }
        let starts_value = matches!(r.as_bytes()[0], b'"' | b'[' | b'(' | b'0'..=b'9')
            || ident_at(self.src, pos).is_some();
        let mut e = EvalError::new(pos, len, format!("unexpected `{tok}`"));
        if starts_value {
            e.message = format!("unexpected `{tok}` after a complete value");
            e = e.help(
                "separate elements with commas inside `[...]` or `(...)`; a definition holds one value",
            );
        }
        e
    }

    // --- statements ---------------------------------------------------------------------------

    fn statement(&mut self) -> R<Option<Assignment>> {
        let start = self.pos;
        let Some(name) = ident_at(self.src, start) else {
            let len = token_len(self.src, start);
            let tok = self.src.get(start..start + len).unwrap_or("");
            if tok == "@" {
                let mlen = 1 + ident_at(self.src, start + 1).map_or(0, str::len);
                let m = self.src.get(start..start + mlen).unwrap_or("@");
                return Err(EvalError::new(
                    start,
                    mlen,
                    format!("macro call `{m}` is not supported in a `+++` block"),
                )
                .help(LITERAL_HELP));
            }
            return Err(EvalError::new(
                start,
                len,
                format!("expected `name = value`, found `{tok}`"),
            )
            .help("each statement of a `+++` block should be `name = value`"));
        };
        match name {
            "using" | "import" | "const" | "function" | "macro" => {
                self.pos = skip_stmt(self.src, start);
                return Ok(None);
            }
            _ if KEYWORDS.contains(&name) => {
                return Err(EvalError::new(
                    start,
                    name.len(),
                    format!("`{name}` is not supported in a `+++` block"),
                )
                .help(
                    "only `name = value` assignments are read (function definitions, `const`, \
                     `using` and `import` are skipped)",
                ));
            }
            _ => {}
        }
        self.pos += name.len();
        if self.peek() == Some(b'(') {
            if is_short_function(self.src, self.pos) {
                self.pos = skip_stmt(self.src, start);
                return Ok(None);
            }
            return Err(EvalError::new(
                start,
                name.len(),
                format!("calling `{name}(...)` in a `+++` block is not supported"),
            )
            .help("only `name = value` assignments are read"));
        }
        self.skip_ws()?;
        let r = self.rest();
        let eq = r.starts_with('=') && !r.starts_with("==") && !r.starts_with("=>");
        if !eq {
            let at = self.pos;
            let e = if r.starts_with("::") {
                EvalError::new(
                    at,
                    2,
                    "type annotations `name::T = value` are not supported",
                )
                .help(format!("write `{name} = value`"))
            } else if r.starts_with(',') {
                EvalError::new(at, 1, "destructuring `a, b = ...` is not supported")
                    .help("assign each variable on its own line")
            } else if r.starts_with('.') || r.starts_with('[') {
                EvalError::new(at, 1, "assigning to a field or an element is not supported")
                    .help(format!("assign the whole value: `{name} = ...`"))
            } else if let Some(op) = ["+=", "-=", "*=", "/=", "^=", "%=", "|=", "&=", "÷="]
                .iter()
                .find(|op| r.starts_with(**op))
            {
                EvalError::new(
                    at,
                    op.len(),
                    format!("updating operator `{op}` is not supported"),
                )
                .help(format!("write the final value: `{name} = ...`"))
            } else {
                EvalError::new(
                    at,
                    token_len(self.src, at),
                    format!("expected `=` after `{name}`"),
                )
                .help("each statement of a `+++` block should be `name = value`")
            };
            return Err(e);
        }
        self.pos += 1;
        self.skip_ws_nl()?;
        let value = self.expr()?;
        let end = self.pos;
        self.skip_ws()?;
        match self.peek() {
            None | Some(b'\n') => {}
            Some(b';') => self.pos += 1,
            _ => return Err(self.unexpected()),
        }
        Ok(Some(Assignment {
            name: name.to_string(),
            value,
            offset: start,
            len: end - start,
        }))
    }

    // --- expressions --------------------------------------------------------------------------

    fn expr(&mut self) -> R<Value> {
        if self.depth >= MAX_DEPTH {
            return Err(EvalError::new(
                self.pos,
                token_len(self.src, self.pos),
                format!("value nested deeper than {MAX_DEPTH} levels"),
            )
            .help("flatten the value"));
        }
        self.depth += 1;
        let r = self.pair();
        self.depth -= 1;
        r
    }

    /// `a => b => c` (right-associative), built iteratively.
    fn pair(&mut self) -> R<Value> {
        let mut items = vec![self.concat()?];
        loop {
            let save = self.pos;
            self.skip_ws()?;
            if self.rest().starts_with("=>") {
                self.pos += 2;
                self.skip_ws_nl()?;
                items.push(self.concat()?);
            } else {
                self.pos = save;
                break;
            }
        }
        let mut value = items.pop().unwrap_or(Value::Nothing);
        while let Some(left) = items.pop() {
            value = Value::Pair(Box::new(left), Box::new(value));
        }
        Ok(value)
    }

    /// `a * b * c`: string concatenation (or multiplication of numbers).
    fn concat(&mut self) -> R<Value> {
        let mut value = self.unary()?;
        loop {
            let save = self.pos;
            self.skip_ws()?;
            let r = self.rest();
            if r.starts_with('*') && !r.starts_with("*=") {
                let op = self.pos;
                self.pos += 1;
                self.skip_ws_nl()?;
                let rhs = self.unary()?;
                value = multiply(value, rhs, op)?;
            } else {
                self.pos = save;
                return Ok(value);
            }
        }
    }

    fn unary(&mut self) -> R<Value> {
        self.skip_ws()?;
        let start = self.pos;
        let mut negate = false;
        while self.peek() == Some(b'-') {
            if self.peek_at(1) == Some(b'>') {
                return Err(EvalError::new(
                    self.pos,
                    2,
                    "anonymous functions `->` are not supported",
                )
                .help(LITERAL_HELP));
            }
            self.pos += 1;
            negate = !negate;
            self.skip_ws()?;
        }
        let value = self.postfix()?;
        if self.pos == start || !negate {
            return Ok(value);
        }
        match value {
            Value::Int(i) => i.checked_neg().map(Value::Int).ok_or_else(|| {
                EvalError::new(start, self.pos - start, "integer does not fit in 64 bits")
            }),
            Value::Float(f) => Ok(Value::Float(-f)),
            other => Err(EvalError::new(
                start,
                self.pos - start,
                format!("unary `-` needs a number, got {}", other.type_name()),
            )),
        }
    }

    /// A primary value, refusing indexing, calls and field access written right after it.
    fn postfix(&mut self) -> R<Value> {
        let value = self.primary()?;
        let at = self.pos;
        let e = match self.peek() {
            Some(b'[') => EvalError::new(at, 1, "indexing `x[...]` is not supported"),
            Some(b'(') => EvalError::new(at, 1, "calling a value `x(...)` is not supported"),
            Some(b'.') => EvalError::new(
                at,
                1,
                "field access and broadcasting with `.` are not supported",
            ),
            Some(b'\'') => EvalError::new(at, 1, "the adjoint operator `'` is not supported"),
            _ => return Ok(value),
        };
        Err(e.help(LITERAL_HELP))
    }

    fn primary(&mut self) -> R<Value> {
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Err(EvalError::new(start, 0, "missing value")
                .help("write a value, e.g. `\"text\"`, `true`, `3` or `[\"a\", \"b\"]`"));
        };
        match c {
            b'"' => self.string(),
            b'[' => self.vector(),
            b'(' => self.tuple(),
            b'0'..=b'9' => self.number(),
            b'.' if self.peek_at(1).is_some_and(|d| d.is_ascii_digit()) => self.number(),
            b'\n' | b';' | b',' | b')' | b']' | b'}' => {
                Err(EvalError::new(start, 0, "missing value")
                    .help("write a value, e.g. `\"text\"`, `true`, `3` or `[\"a\", \"b\"]`"))
            }
            b'\'' => Err(EvalError::new(
                start,
                token_len(self.src, start),
                "character literals `'c'` are not supported",
            )
            .help("use a string: `\"c\"`")),
            b':' => Err(EvalError::new(
                start,
                1 + ident_at(self.src, start + 1).map_or(0, str::len),
                "symbols `:name` are not supported",
            )
            .help("use a string: `\"name\"`")),
            b'$' => Err(EvalError::new(
                start,
                1,
                "interpolation `$` outside a string is not supported",
            )
            .help(LITERAL_HELP)),
            b'@' => {
                let len = 1 + ident_at(self.src, start + 1).map_or(0, str::len);
                let m = self.src.get(start..start + len).unwrap_or("@");
                Err(
                    EvalError::new(start, len, format!("macro call `{m}` is not supported"))
                        .help(LITERAL_HELP),
                )
            }
            _ if ident_at(self.src, start).is_some() => self.ident_expr(),
            _ => Err(self.unexpected()),
        }
    }

    fn ident_expr(&mut self) -> R<Value> {
        let start = self.pos;
        let mut name = ident_at(self.src, start).unwrap_or("");
        self.pos += name.len();
        // `Dates.Date(...)` is the qualified spelling of `Date(...)`.
        if name == "Dates" && self.rest().starts_with(".Date") {
            self.pos += 1;
            name = "Date";
            self.pos += name.len();
        }
        match self.peek() {
            Some(b'"') => {
                return match name {
                    "raw" => self.raw_string(start),
                    "r" => self.regex(start),
                    _ => Err(EvalError::new(
                        start,
                        name.len() + 1,
                        format!("string macro `{name}\"...\"` is not supported"),
                    )
                    .help("use a plain string `\"...\"` or `raw\"...\"`")),
                };
            }
            Some(b'{') => {
                let close = self.type_params()?;
                self.pos = close + 1;
                if self.peek() == Some(b'(') {
                    return self.call(name, start, true);
                }
                return Err(EvalError::new(
                    start,
                    self.pos - start,
                    format!("`{}` is a type, not a value", &self.src[start..self.pos]),
                )
                .help("write `Vector{String}()` or `String[]` for an empty vector"));
            }
            Some(b'(') => return self.call(name, start, false),
            Some(b'[') => {
                if is_type_name(name) {
                    let v = self.vector()?;
                    return Ok(match (name, v) {
                        ("Float64", Value::Vector(items)) => {
                            Value::Vector(items.into_iter().map(to_float).collect())
                        }
                        (_, v) => v,
                    });
                }
                if name == "ENV" {
                    return self.env_index(start);
                }
                return Err(EvalError::new(
                    self.pos,
                    1,
                    format!("indexing `{name}[...]` is not supported"),
                )
                .help(LITERAL_HELP));
            }
            _ => {}
        }
        let value = match name {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "nothing" => Value::Nothing,
            "Inf" => Value::Float(f64::INFINITY),
            "NaN" => Value::Float(f64::NAN),
            "pi" | "π" => Value::Float(std::f64::consts::PI),
            "missing" => {
                return Err(
                    EvalError::new(start, name.len(), "`missing` is not supported")
                        .help("use `nothing`"),
                );
            }
            _ if KEYWORDS.contains(&name) => {
                return Err(EvalError::new(
                    start,
                    name.len(),
                    format!("`{name}` is not supported in a value"),
                )
                .help(LITERAL_HELP));
            }
            _ => {
                if let Some(a) = self.known.iter().rev().find(|a| a.name == name) {
                    a.value.clone()
                } else if name == "ENV" {
                    return Err(
                        EvalError::new(start, name.len(), "`ENV` needs a variable name")
                            .help("write `get(ENV, \"NAME\", \"default\")`"),
                    );
                } else {
                    return Err(EvalError::new(
                        start,
                        name.len(),
                        format!("unknown name `{name}`"),
                    )
                    .help(format!(
                        "only `true`, `false`, `nothing` and variables assigned earlier in the \
                             same `+++` block are known; for text write the string `\"{name}\"`"
                    )));
                }
            }
        };
        Ok(value)
    }

    /// Finds the `}` closing the `{` at the current position.
    fn type_params(&self) -> R<usize> {
        let open = self.pos;
        let mut level = 0usize;
        for (k, &c) in self.b[open..].iter().enumerate() {
            match c {
                b'{' => level += 1,
                b'}' => {
                    level -= 1;
                    if level == 0 {
                        return Ok(open + k);
                    }
                }
                b'\n' | b'"' => break,
                _ => {}
            }
        }
        Err(EvalError::new(open, 1, "unclosed `{`").help("add the closing `}`"))
    }

    /// A call `name(...)` with the current position at `(`.
    fn call(&mut self, name: &str, start: usize, typed: bool) -> R<Value> {
        match name {
            "get" if !typed => return self.get_env(start),
            "Date" | "Dict" | "string" | "Vector" | "Array" | "Regex" | "Pair" => {}
            _ => {
                return Err(EvalError::new(
                    start,
                    name.len(),
                    format!("calling `{name}(...)` is not supported"),
                )
                .help(format!(
                    "{LITERAL_HELP}; functions (including those of utils.jl) cannot run here"
                )));
            }
        }
        let args = self.args()?;
        let span = self.pos - start;
        match name {
            "Date" => make_date(&args, start, span),
            "Dict" => {
                let mut entries: Vec<(Value, Value)> = Vec::new();
                let pairs: Vec<(Value, usize, usize)> = match args.as_slice() {
                    [(Value::Vector(items) | Value::Tuple(items), o, l)] => {
                        items.iter().map(|v| (v.clone(), *o, *l)).collect()
                    }
                    _ => args,
                };
                for (v, o, l) in pairs {
                    let Value::Pair(k, v) = v else {
                        return Err(EvalError::new(
                            o,
                            l,
                            "`Dict` arguments must be pairs `key => value`",
                        )
                        .help("write `Dict(\"a\" => 1, \"b\" => 2)`"));
                    };
                    match entries.iter_mut().find(|(ek, _)| *ek == *k) {
                        Some(slot) => slot.1 = *v,
                        None => entries.push((*k, *v)),
                    }
                }
                Ok(Value::Dict(entries))
            }
            "string" => Ok(Value::Str(
                args.iter().map(|(v, _, _)| v.to_julia_string()).collect(),
            )),
            "Vector" | "Array" => {
                if args.is_empty() {
                    Ok(Value::Vector(Vec::new()))
                } else {
                    Err(EvalError::new(
                        start,
                        span,
                        format!("only the empty constructor `{name}{{T}}()` is supported"),
                    )
                    .help("write the elements out: `[\"a\", \"b\"]`"))
                }
            }
            "Regex" => match args.as_slice() {
                [(Value::Str(s), _, _)] => Ok(Value::Regex(s.clone())),
                _ => Err(EvalError::new(start, span, "`Regex` expects one string")
                    .help("write `r\"pattern\"`")),
            },
            _ => {
                match <[_; 2]>::try_from(args) {
                    Ok([(a, _, _), (b, _, _)]) => Ok(Value::Pair(Box::new(a), Box::new(b))),
                    Err(_) => Err(EvalError::new(start, span, "`Pair` expects two values")
                        .help("write `a => b`")),
                }
            }
        }
    }

    /// Comma-separated arguments in `(...)`, each with its byte span.
    fn args(&mut self) -> R<Vec<(Value, usize, usize)>> {
        let open = self.pos;
        self.pos += 1;
        self.nest += 1;
        let mut out = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some(b')') {
            self.pos += 1;
            self.nest -= 1;
            return Ok(out);
        }
        loop {
            if self.at_end() {
                return Err(unclosed(open, '(', ')'));
            }
            self.check_keyword_arg()?;
            let s = self.pos;
            let v = self.expr()?;
            out.push((v, s, self.pos - s));
            match self.list_sep(b')')? {
                Sep::Comma => {}
                Sep::Close { .. } => break,
                Sep::Semicolon => {
                    return Err(
                        EvalError::new(self.pos, 1, "keyword arguments are not supported")
                            .help(LITERAL_HELP),
                    );
                }
                Sep::End => return Err(unclosed(open, '(', ')')),
                Sep::Other => return Err(self.unexpected()),
            }
        }
        self.nest -= 1;
        Ok(out)
    }

    /// Reads what follows an item of a comma-separated list closed by `close`, consuming a
    /// comma or the closer (a trailing comma before the closer is allowed).
    fn list_sep(&mut self, close: u8) -> R<Sep> {
        self.skip_ws()?;
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.skip_ws()?;
                if self.peek() == Some(close) {
                    self.pos += 1;
                    return Ok(Sep::Close { after_comma: true });
                }
                Ok(Sep::Comma)
            }
            Some(c) if c == close => {
                self.pos += 1;
                Ok(Sep::Close { after_comma: false })
            }
            Some(b';') => Ok(Sep::Semicolon),
            None => Ok(Sep::End),
            _ => Ok(Sep::Other),
        }
    }

    /// Refuses `name = value` where a positional value is expected (keyword args, named tuples).
    fn check_keyword_arg(&self) -> R<()> {
        let Some(id) = ident_at(self.src, self.pos) else {
            return Ok(());
        };
        let after = skip_inline_ws(self.b, self.pos + id.len());
        let r = self.src.get(after..).unwrap_or("");
        if r.starts_with('=') && !r.starts_with("==") && !r.starts_with("=>") {
            return Err(EvalError::new(
                self.pos,
                after + 1 - self.pos,
                format!("named entries `{id} = ...` are not supported here"),
            )
            .help("use a pair instead: `\"name\" => value`"));
        }
        Ok(())
    }

    /// `get(ENV, "NAME", default)`, with the current position at `(`.
    fn get_env(&mut self, start: usize) -> R<Value> {
        let usage = "write `get(ENV, \"NAME\", default)`";
        let open = self.pos;
        self.pos += 1;
        self.nest += 1;
        self.skip_ws()?;
        if ident_at(self.src, self.pos) != Some("ENV") {
            return Err(EvalError::new(
                start,
                3,
                "only `get(ENV, \"NAME\", default)` is supported",
            )
            .help(LITERAL_HELP));
        }
        self.pos += 3;
        self.expect_comma(open, usage)?;
        let key_at = self.pos;
        let key = match self.expr()? {
            Value::Str(s) => s,
            other => {
                return Err(EvalError::new(
                    key_at,
                    self.pos - key_at,
                    format!(
                        "the variable name must be a string, got {}",
                        other.type_name()
                    ),
                )
                .help(usage));
            }
        };
        self.skip_ws()?;
        if self.peek() == Some(b')') {
            return Err(EvalError::new(
                start,
                self.pos + 1 - start,
                "`get(ENV, name)` needs a default",
            )
            .help(usage));
        }
        self.expect_comma(open, usage)?;
        let default = self.expr()?;
        self.skip_ws()?;
        if self.peek() == Some(b',') {
            self.pos += 1;
            self.skip_ws()?;
        }
        match self.peek() {
            Some(b')') => self.pos += 1,
            None => return Err(unclosed(open, '(', ')')),
            _ => return Err(self.unexpected()),
        }
        self.nest -= 1;
        Ok((self.env)(&key).map_or(default, Value::Str))
    }

    fn expect_comma(&mut self, open: usize, usage: &str) -> R<()> {
        self.skip_ws()?;
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.skip_ws()?;
                Ok(())
            }
            None => Err(unclosed(open, '(', ')')),
            _ => Err(
                EvalError::new(self.pos, token_len(self.src, self.pos), "expected `,`")
                    .help(usage.to_string()),
            ),
        }
    }

    /// `ENV["NAME"]`, with the current position at `[`.
    fn env_index(&mut self, start: usize) -> R<Value> {
        let open = self.pos;
        self.pos += 1;
        self.nest += 1;
        self.skip_ws()?;
        let key_at = self.pos;
        let Value::Str(key) = self.expr()? else {
            return Err(EvalError::new(
                key_at,
                self.pos - key_at,
                "the variable name must be a string",
            )
            .help("write `ENV[\"NAME\"]`"));
        };
        self.skip_ws()?;
        match self.peek() {
            Some(b']') => self.pos += 1,
            None => return Err(unclosed(open, '[', ']')),
            _ => return Err(self.unexpected()),
        }
        self.nest -= 1;
        (self.env)(&key).map(Value::Str).ok_or_else(|| {
            EvalError::new(
                start,
                self.pos - start,
                format!("environment variable `{key}` is not set"),
            )
            .help(format!(
                "use `get(ENV, \"{key}\", default)` to fall back to a default"
            ))
        })
    }

    fn vector(&mut self) -> R<Value> {
        let open = self.pos;
        self.pos += 1;
        self.nest += 1;
        let mut items = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.nest -= 1;
            return Ok(Value::Vector(items));
        }
        loop {
            if self.at_end() {
                return Err(unclosed(open, '[', ']'));
            }
            items.push(self.expr()?);
            match self.list_sep(b']')? {
                Sep::Comma => {}
                Sep::Close { .. } => break,
                Sep::Semicolon => {
                    return Err(EvalError::new(
                        self.pos,
                        1,
                        "`;` inside `[...]` (concatenation) is not supported",
                    )
                    .help("separate elements with commas: `[a, b]`"));
                }
                Sep::End => return Err(unclosed(open, '[', ']')),
                Sep::Other => {
                    let mut e = self.unexpected();
                    if e.message.ends_with("after a complete value") {
                        e.message = format!(
                            "{}: space-separated `[a b]` builds a matrix, which is not supported",
                            e.message
                        );
                        e.help = Some("separate elements with commas: `[a, b]`".into());
                    }
                    return Err(e);
                }
            }
        }
        self.nest -= 1;
        Ok(Value::Vector(promote(items)))
    }

    fn tuple(&mut self) -> R<Value> {
        let open = self.pos;
        self.pos += 1;
        self.nest += 1;
        let mut items = Vec::new();
        let mut comma = false;
        self.skip_ws()?;
        if self.peek() == Some(b')') {
            self.pos += 1;
            self.nest -= 1;
            return Ok(Value::Tuple(items));
        }
        loop {
            if self.at_end() {
                return Err(unclosed(open, '(', ')'));
            }
            self.check_keyword_arg()?;
            items.push(self.expr()?);
            match self.list_sep(b')')? {
                Sep::Comma => comma = true,
                Sep::Close { after_comma } => {
                    comma |= after_comma;
                    break;
                }
                Sep::Semicolon => {
                    return Err(
                        EvalError::new(self.pos, 1, "`;` inside `(...)` is not supported")
                            .help("separate elements with commas: `(a, b)`"),
                    );
                }
                Sep::End => return Err(unclosed(open, '(', ')')),
                Sep::Other => return Err(self.unexpected()),
            }
        }
        self.nest -= 1;
        if !comma && items.len() == 1 {
            return Ok(items.pop().unwrap_or(Value::Nothing));
        }
        Ok(Value::Tuple(items))
    }

    fn number(&mut self) -> R<Value> {
        let start = self.pos;
        let b = self.b;
        let r = self.rest();
        if ["0x", "0b", "0o"].iter().any(|p| r.starts_with(p)) {
            return Err(EvalError::new(
                start,
                token_len(self.src, start),
                "hexadecimal, binary and octal literals are not supported",
            )
            .help("write the number in decimal"));
        }
        let digits = |mut i: usize| {
            while i < b.len()
                && (b[i].is_ascii_digit()
                    || (b[i] == b'_' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
            {
                i += 1;
            }
            i
        };
        let mut i = digits(start);
        let mut float = false;
        if b.get(i) == Some(&b'.') {
            let next = b.get(i + 1).copied();
            let is_dot_op = next == Some(b'.');
            let is_field = next.is_some_and(|n| n == b'_' || n.is_ascii_alphabetic() || n >= 0x80)
                && !matches!(next, Some(b'e' | b'E'));
            if !is_dot_op && !is_field {
                float = true;
                i = digits(i + 1);
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(b.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if b.get(j).is_some_and(u8::is_ascii_digit) {
                float = true;
                i = digits(j);
            }
        }
        if let Some(id) = ident_at(self.src, i) {
            return Err(EvalError::new(
                start,
                i + id.len() - start,
                format!("unexpected `{id}` right after a number"),
            )
            .help("write `2 * x`-style arithmetic out as the final value"));
        }
        let text: String = self.src[start..i].chars().filter(|&c| c != '_').collect();
        self.pos = i;
        if float {
            text.parse::<f64>().map(Value::Float).map_err(|_| {
                EvalError::new(start, i - start, format!("cannot read the number `{text}`"))
            })
        } else {
            text.parse::<i64>().map(Value::Int).map_err(|_| {
                EvalError::new(
                    start,
                    i - start,
                    format!("integer `{text}` does not fit in 64 bits"),
                )
            })
        }
    }

    // --- strings ------------------------------------------------------------------------------

    fn interpolation_error(&self, at: usize) -> EvalError {
        let r = self.src.get(at + 1..).unwrap_or("");
        let (len, shown) = if r.starts_with('(') {
            (2, "$(...)".to_string())
        } else if let Some(id) = ident_at(self.src, at + 1) {
            (1 + id.len(), format!("${id}"))
        } else {
            (1, "$".to_string())
        };
        EvalError::new(
            at,
            len,
            format!("string interpolation `{shown}` is not supported"),
        )
        .help("write `\\$` for a literal dollar sign; notes does not run Julia code in strings")
    }

    fn string(&mut self) -> R<Value> {
        if self.rest().starts_with("\"\"\"") {
            return self.triple();
        }
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run = self.pos;
            while let Some(c) = self.peek() {
                if matches!(c, b'"' | b'\\' | b'$') {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.src[run..self.pos]);
            match self.peek() {
                None => {
                    return Err(EvalError::new(open, 1, "unterminated string")
                        .help("close the string with `\"`"));
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Value::Str(out));
                }
                Some(b'$') => return Err(self.interpolation_error(self.pos)),
                _ => {
                    if self.pos + 1 >= self.b.len() {
                        return Err(EvalError::new(open, 1, "unterminated string")
                            .help("close the string with `\"`"));
                    }
                    let (n, ch) = escape_at(self.src, self.pos, self.b.len())?;
                    out.extend(ch);
                    self.pos += n;
                }
            }
        }
    }

    /// `"""..."""` with Julia's dedent rules.
    fn triple(&mut self) -> R<Value> {
        let open = self.pos;
        self.pos += 3;
        let body_start = self.pos;
        loop {
            match self.peek() {
                None => {
                    return Err(EvalError::new(open, 3, "unterminated `\"\"\"` string")
                        .help("close the string with `\"\"\"`"));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    if !self.at_end() {
                        self.bump();
                    }
                }
                Some(b'"') if self.rest().starts_with("\"\"\"") => break,
                Some(b'$') => return Err(self.interpolation_error(self.pos)),
                _ => self.bump(),
            }
        }
        let body_end = self.pos;
        self.pos += 3;
        let body = &self.src[body_start..body_end];

        let mut lines: Vec<(usize, &str)> = Vec::new();
        let mut off = body_start;
        for piece in body.split('\n') {
            lines.push((off, piece));
            off += piece.len() + 1;
        }
        let count = lines.len();
        // CRLF sources: the `\r` belongs to the line break, not the text.
        for (k, line) in lines.iter_mut().enumerate() {
            if k + 1 < count {
                line.1 = line.1.strip_suffix('\r').unwrap_or(line.1);
            }
        }
        let drop_first = count > 1 && lines[0].1.is_empty();

        // Common indentation of every line after the opening one; whitespace-only lines do not
        // count, except the last (the one holding the closing quotes).
        let mut indent: Option<&str> = None;
        for (k, (_, line)) in lines.iter().enumerate().skip(1) {
            let ws = line.len() - line.trim_start_matches([' ', '\t']).len();
            if ws == line.len() && k + 1 < count {
                continue;
            }
            let lead = &line[..ws];
            indent = Some(match indent {
                None => lead,
                Some(p) => &p[..common_prefix(p, lead)],
            });
        }
        let indent = indent.unwrap_or("");

        let mut out = String::new();
        let mut joined = false;
        for (k, &(line_off, line)) in lines.iter().enumerate() {
            if k == 0 && drop_first {
                continue;
            }
            let cut = if k == 0 {
                0
            } else if joined {
                line.len() - line.trim_start_matches([' ', '\t']).len()
            } else {
                common_prefix(indent, line)
            };
            let text = &line[cut..];
            let trailing = text.len() - text.trim_end_matches('\\').len();
            // An odd run of backslashes at the end of a line escapes the newline.
            let continues = trailing % 2 == 1 && k + 1 < count;
            let seg_end = line_off + cut + text.len() - usize::from(continues);
            unescape_into(self.src, line_off + cut, seg_end, &mut out)?;
            joined = continues;
            if k + 1 < count && !continues {
                out.push('\n');
            }
        }
        Ok(Value::Str(out))
    }

    /// `raw"..."`: no escapes except `\"`, and backslashes before a quote are halved.
    fn raw_string(&mut self, start: usize) -> R<Value> {
        if self.rest().starts_with("\"\"\"") {
            return Err(
                EvalError::new(start, 6, "triple-quoted raw strings are not supported")
                    .help("use `\"\"\"...\"\"\"` and escape backslashes"),
            );
        }
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(EvalError::new(start, 4, "unterminated raw string")
                        .help("close the string with `\"`"));
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Value::Str(out));
                }
                Some(b'\\') => {
                    let run_start = self.pos;
                    while self.peek() == Some(b'\\') {
                        self.pos += 1;
                    }
                    let n = self.pos - run_start;
                    if self.peek() == Some(b'"') {
                        out.extend(std::iter::repeat_n('\\', n / 2));
                        if n % 2 == 1 {
                            out.push('"');
                            self.pos += 1;
                        }
                    } else {
                        out.extend(std::iter::repeat_n('\\', n));
                    }
                }
                _ => {
                    let at = self.pos;
                    self.bump();
                    out.push_str(&self.src[at..self.pos]);
                }
            }
        }
    }

    /// `r"..."` with optional `imsx` flags; the pattern is kept as source.
    fn regex(&mut self, start: usize) -> R<Value> {
        let open = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                None => {
                    return Err(EvalError::new(start, 2, "unterminated regex `r\"...\"`")
                        .help("close the regex with `\"`"));
                }
                Some(b'"') => break,
                Some(b'\\') => {
                    self.pos += 1;
                    if !self.at_end() {
                        self.bump();
                    }
                }
                _ => self.bump(),
            }
        }
        let source = self.src[open + 1..self.pos].replace("\\\"", "\"");
        self.pos += 1;
        let flag_start = self.pos;
        while matches!(self.peek(), Some(b'i' | b'm' | b's' | b'x')) {
            self.pos += 1;
        }
        let flags = &self.src[flag_start..self.pos];
        if let Some(id) = ident_at(self.src, self.pos) {
            return Err(
                EvalError::new(self.pos, id.len(), format!("unknown regex flag `{id}`"))
                    .help("regex flags are `i`, `m`, `s` and `x`"),
            );
        }
        if flags.is_empty() {
            Ok(Value::Regex(source))
        } else {
            Ok(Value::Regex(format!("(?{flags}){source}")))
        }
    }
}

/// What follows an item of a comma-separated list.
enum Sep {
    /// A comma, and more items.
    Comma,
    /// The closing bracket (consumed), perhaps after a trailing comma.
    Close { after_comma: bool },
    /// A `;` (left in place).
    Semicolon,
    /// The end of the text.
    End,
    /// Anything else (left in place).
    Other,
}

fn unclosed(open: usize, o: char, c: char) -> EvalError {
    EvalError::new(open, 1, format!("unclosed `{o}`")).help(format!("add the closing `{c}`"))
}

/// Length in bytes of the longest common prefix of two whitespace runs.
fn common_prefix(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

/// Reads the escape sequence at `pos` (a backslash), stopping at `end`; returns the bytes consumed
/// and the character produced (none for a line continuation).
fn escape_at(src: &str, pos: usize, end: usize) -> R<(usize, Option<char>)> {
    let b = src.as_bytes();
    let Some(&c) = b.get(pos + 1).filter(|_| pos + 1 < end) else {
        return Err(EvalError::new(pos, 1, "lone `\\` at the end of a string")
            .help("write `\\\\` for a literal backslash"));
    };
    let simple = match c {
        b'n' => Some('\n'),
        b't' => Some('\t'),
        b'r' => Some('\r'),
        b'a' => Some('\u{7}'),
        b'b' => Some('\u{8}'),
        b'e' => Some('\u{1b}'),
        b'f' => Some('\u{c}'),
        b'v' => Some('\u{b}'),
        b'\\' | b'"' | b'\'' | b'$' | b'`' => Some(c as char),
        _ => None,
    };
    if let Some(ch) = simple {
        return Ok((2, Some(ch)));
    }
    let hex_run = |from: usize, max: usize| {
        let mut k = 0;
        while k < max && from + k < end && b[from + k].is_ascii_hexdigit() {
            k += 1;
        }
        k
    };
    match c {
        b'\n' | b'\r' => {
            let mut i = pos + 1;
            if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            i += 1;
            while i < end && matches!(b[i], b' ' | b'\t') {
                i += 1;
            }
            Ok((i - pos, None))
        }
        b'x' | b'u' | b'U' => {
            let max = match c {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let n = hex_run(pos + 2, max);
            let digits = &src[pos + 2..pos + 2 + n];
            let code = u32::from_str_radix(digits, 16).ok();
            let len = 2 + n;
            let shown = &src[pos..pos + len];
            match (n, code) {
                (0, _) | (_, None) => {
                    Err(
                        EvalError::new(pos, len, format!("invalid escape `{shown}`"))
                            .help("write `\\\\` for a literal backslash"),
                    )
                }
                (_, Some(v)) if c == b'x' && v >= 0x80 => Err(EvalError::new(
                    pos,
                    len,
                    format!("byte escape `{shown}` above `\\x7f` is not supported"),
                )
                .help("write the character itself or use `\\u`")),
                (_, Some(v)) => match char::from_u32(v) {
                    Some(ch) => Ok((len, Some(ch))),
                    None => Err(EvalError::new(
                        pos,
                        len,
                        format!("`{shown}` is not a valid character"),
                    )),
                },
            }
        }
        b'0'..=b'7' => {
            let mut n = 0;
            while n < 3 && pos + 1 + n < end && (b'0'..=b'7').contains(&b[pos + 1 + n]) {
                n += 1;
            }
            let v = u32::from_str_radix(&src[pos + 1..pos + 1 + n], 8).unwrap_or(u32::MAX);
            let shown = &src[pos..pos + 1 + n];
            if v >= 0x80 {
                return Err(EvalError::new(
                    pos,
                    1 + n,
                    format!("byte escape `{shown}` above `\\177` is not supported"),
                )
                .help("write the character itself or use `\\u`"));
            }
            Ok((1 + n, char::from_u32(v)))
        }
        _ => {
            let clen = src
                .get(pos + 1..)
                .and_then(|s| s.chars().next())
                .map_or(1, char::len_utf8);
            let shown = src.get(pos..pos + 1 + clen).unwrap_or("\\");
            Err(
                EvalError::new(pos, 1 + clen, format!("invalid escape sequence `{shown}`"))
                    .help("write `\\\\` for a literal backslash"),
            )
        }
    }
}

/// Appends `src[from..end]` to `out` with escape sequences resolved.
fn unescape_into(src: &str, from: usize, end: usize, out: &mut String) -> R<()> {
    let mut i = from;
    while i < end {
        let run = i;
        while i < end && src.as_bytes()[i] != b'\\' {
            i += 1;
        }
        out.push_str(&src[run..i]);
        if i < end {
            let (n, ch) = escape_at(src, i, end)?;
            out.extend(ch);
            i += n;
        }
    }
    Ok(())
}

fn to_float(v: Value) -> Value {
    match v {
        Value::Int(i) => Value::Float(i as f64),
        other => other,
    }
}

/// Julia promotes `[1, 2.5]` to a `Vector{Float64}`.
fn promote(items: Vec<Value>) -> Vec<Value> {
    let numeric = items
        .iter()
        .all(|v| matches!(v, Value::Int(_) | Value::Float(_)));
    let any_float = items.iter().any(|v| matches!(v, Value::Float(_)));
    if numeric && any_float {
        items.into_iter().map(to_float).collect()
    } else {
        items
    }
}

fn multiply(lhs: Value, rhs: Value, op: usize) -> R<Value> {
    match (lhs, rhs) {
        (Value::Str(mut a), Value::Str(b)) => {
            a.push_str(&b);
            Ok(Value::Str(a))
        }
        (Value::Int(a), Value::Int(b)) => a
            .checked_mul(b)
            .map(Value::Int)
            .ok_or_else(|| EvalError::new(op, 1, "integer product does not fit in 64 bits")),
        (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => {
            Ok(Value::Float(a as f64 * b))
        }
        (Value::Float(a), Value::Float(b)) => Ok(Value::Float(a * b)),
        (a, b) => Err(EvalError::new(
            op,
            1,
            format!(
                "`*` joins two strings, not {} and {}",
                a.type_name(),
                b.type_name()
            ),
        )
        .help("use `string(a, b)` to join values of other types")),
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            let leap =
                (year.rem_euclid(4) == 0 && year.rem_euclid(100) != 0) || year.rem_euclid(400) == 0;
            if leap {
                29
            } else {
                28
            }
        }
    }
}

/// Checks a (year, month, day) triple; `at`/`len` locate the error.
fn checked_date(y: i64, m: i64, d: i64, at: usize, len: usize) -> R<Value> {
    let year = i32::try_from(y)
        .map_err(|_| EvalError::new(at, len, format!("year {y} is out of range")))?;
    if !(1..=12).contains(&m) {
        return Err(EvalError::new(
            at,
            len,
            format!("month {m} is out of range (1 to 12)"),
        ));
    }
    let month = m as u32;
    let dim = days_in_month(y, month);
    if d < 1 || d > i64::from(dim) {
        return Err(EvalError::new(
            at,
            len,
            format!("day {d} is out of range for month {m} (1 to {dim})"),
        ));
    }
    Ok(Value::Date {
        year,
        month,
        day: d as u32,
    })
}

fn make_date(args: &[(Value, usize, usize)], start: usize, span: usize) -> R<Value> {
    let usage = "write `Date(2024, 1, 31)` or `Date(\"2024-01-31\")`";
    match args {
        [(Value::Str(s), o, l)] => {
            let parts: Vec<&str> = s.split('-').collect();
            let nums: Option<Vec<i64>> = parts
                .iter()
                .map(|p| {
                    if !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) {
                        p.parse::<i64>().ok()
                    } else {
                        None
                    }
                })
                .collect();
            match nums.as_deref() {
                Some(&[y]) => checked_date(y, 1, 1, *o, *l),
                Some(&[y, m]) => checked_date(y, m, 1, *o, *l),
                Some(&[y, m, d]) => checked_date(y, m, d, *o, *l),
                _ => Err(
                    EvalError::new(*o, *l, format!("cannot read the date `{s}`"))
                        .help("dates are written `yyyy-mm-dd`"),
                ),
            }
        }
        [] => Err(EvalError::new(start, span, "`Date` needs a year").help(usage)),
        _ if args.len() <= 3 => {
            let mut nums = [1i64, 1, 1];
            for (k, (v, o, l)) in args.iter().enumerate() {
                match v {
                    Value::Int(n) => nums[k] = *n,
                    other => {
                        return Err(EvalError::new(
                            *o,
                            *l,
                            format!("`Date` expects integers, got {}", other.type_name()),
                        )
                        .help(usage));
                    }
                }
            }
            checked_date(nums[0], nums[1], nums[2], start, span)
        }
        _ => Err(EvalError::new(start, span, "`Date` takes at most three numbers").help(usage)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn ev(src: &str) -> Value {
        match eval_expr(src, &no_env) {
            Ok(v) => v,
            Err(e) => panic!("{src:?} failed: {e:?}"),
        }
    }

    fn err(src: &str) -> EvalError {
        match eval_expr(src, &no_env) {
            Ok(v) => panic!("{src:?} should fail, got {v:?}"),
            Err(e) => e,
        }
    }

    fn s(x: &str) -> Value {
        Value::Str(x.to_string())
    }

    #[test]
    fn plain_strings_and_escapes() {
        assert_eq!(ev(r#""Day 1""#), s("Day 1"));
        assert_eq!(ev(r#""a\nb\t\"q\" \\ \$5""#), s("a\nb\t\"q\" \\ $5"));
        assert_eq!(ev(r#""Search ⋅ Franklin""#), s("Search ⋅ Franklin"));
        assert_eq!(ev(r#""\u00e9\x41""#), s("éA"));
        assert_eq!(ev("\"multi\nline\""), s("multi\nline"));
        assert_eq!(ev("\"join \\\n    lines\""), s("join lines"));
    }

    #[test]
    fn interpolation_is_refused_with_help() {
        let e = err(r#""cost: $price""#);
        assert_eq!((e.offset, e.len), (7, 6));
        assert!(e.message.contains("`$price`"), "{}", e.message);
        assert!(e.help.unwrap_or_default().contains("\\$"));
        let e = err(r#""x $(1+1)""#);
        assert_eq!((e.offset, e.len), (3, 2));
    }

    #[test]
    fn invalid_escape_points_at_it() {
        let e = err(r#""a\qb""#);
        assert_eq!((e.offset, e.len), (2, 2));
        assert!(e.message.contains("`\\q`"));
    }

    #[test]
    fn unterminated_string_points_at_opening_quote() {
        let e = err(r#"["a", "b]"#);
        assert_eq!((e.offset, e.len), (6, 1));
        assert_eq!(e.message, "unterminated string");
    }

    #[test]
    fn triple_quoted_dedent() {
        assert_eq!(
            ev("\"\"\"A string\n    on several lines is ok\n    but lines must be indented\"\"\""),
            s("A string\non several lines is ok\nbut lines must be indented")
        );
        assert_eq!(ev("\"\"\"\n    a\n      b\n    \"\"\""), s("a\n  b\n"));
        // whitespace-only inner lines do not count towards the indentation
        assert_eq!(ev("\"\"\"\n  a\n\n  b\"\"\""), s("a\n\nb"));
        // the closing line counts even when it holds only whitespace
        assert_eq!(ev("\"\"\"\n    a\n  \"\"\""), s("  a\n"));
        assert_eq!(ev("\"\"\"say \"hi\"\\n\"\"\""), s("say \"hi\"\n"));
        assert_eq!(ev("\"\"\"\r\n  a\r\n  b\"\"\""), s("a\nb"));
    }

    #[test]
    fn triple_quoted_escape_error_offset_survives_dedent() {
        let src = "\"\"\"\n    ok\n    bad \\q\"\"\"";
        let e = err(src);
        assert_eq!(&src[e.offset..e.offset + e.len], "\\q");
    }

    #[test]
    fn raw_strings_and_regexes() {
        assert_eq!(ev(r#"raw"C:\path\n""#), s(r"C:\path\n"));
        assert_eq!(ev(r#"raw"a\"b""#), s("a\"b"));
        assert_eq!(ev(r#"raw"$x""#), s("$x"));
        assert_eq!(ev(r#"r"^blog/\d+$""#), Value::Regex(r"^blog/\d+$".into()));
        assert_eq!(ev(r#"r"abc"i"#), Value::Regex("(?i)abc".into()));
        assert!(err(r##"md"# hi""##).message.contains("string macro"));
    }

    #[test]
    fn numbers() {
        assert_eq!(ev("42"), Value::Int(42));
        assert_eq!(ev("1_000"), Value::Int(1000));
        assert_eq!(ev("-7"), Value::Int(-7));
        assert_eq!(ev("0.5"), Value::Float(0.5));
        assert_eq!(ev(".5"), Value::Float(0.5));
        assert_eq!(ev("1e-3"), Value::Float(0.001));
        assert_eq!(ev("-2.5e2"), Value::Float(-250.0));
        assert_eq!(ev("3."), Value::Float(3.0));
        let e = err("99999999999999999999");
        assert_eq!((e.offset, e.len), (0, 20));
        assert!(err("2x").message.contains("`x`"));
        assert!(err("0x1f").message.contains("hexadecimal"));
    }

    #[test]
    fn keywords_and_constants() {
        assert_eq!(ev("true"), Value::Bool(true));
        assert_eq!(ev("false"), Value::Bool(false));
        assert_eq!(ev("nothing"), Value::Nothing);
        assert_eq!(ev("  false ; "), Value::Bool(false));
    }

    #[test]
    fn vectors() {
        assert_eq!(ev(r#"["a", "b",]"#), Value::Vector(vec![s("a"), s("b")]));
        assert_eq!(ev("[]"), Value::Vector(vec![]));
        assert_eq!(ev("String[]"), Value::Vector(vec![]));
        assert_eq!(ev("Any[]"), Value::Vector(vec![]));
        assert_eq!(ev("Vector{String}()"), Value::Vector(vec![]));
        assert_eq!(ev(r#"String["x"]"#), Value::Vector(vec![s("x")]));
        assert_eq!(
            ev("[1, 2.5]"),
            Value::Vector(vec![Value::Float(1.0), Value::Float(2.5)])
        );
        assert_eq!(
            ev("[[1], []]"),
            Value::Vector(vec![
                Value::Vector(vec![Value::Int(1)]),
                Value::Vector(vec![])
            ])
        );
    }

    #[test]
    fn vector_errors() {
        let e = err("[1 2]");
        assert_eq!((e.offset, e.len), (3, 1));
        assert!(e.message.contains("matrix"));
        let e = err("[1, 2");
        assert_eq!(
            (e.offset, e.len, e.message.as_str()),
            (0, 1, "unclosed `[`")
        );
        let e = err("[1 + 2]");
        assert_eq!(
            (e.offset, e.message.as_str()),
            (3, "operator `+` is not supported")
        );
        assert!(err("[x for x in 1:3]").message.contains("unknown name `x`"));
    }

    #[test]
    fn tuples_and_pairs() {
        assert_eq!(
            ev("(1, 2)"),
            Value::Tuple(vec![Value::Int(1), Value::Int(2)])
        );
        assert_eq!(ev("(1,)"), Value::Tuple(vec![Value::Int(1)]));
        assert_eq!(ev("(1)"), Value::Int(1));
        assert_eq!(ev("()"), Value::Tuple(vec![]));
        assert_eq!(
            ev(r#""a" => 1"#),
            Value::Pair(Box::new(s("a")), Box::new(Value::Int(1)))
        );
        let v = ev(r#"("a"=>1, "b"=>2)"#);
        let Value::Tuple(items) = v else {
            panic!("not a tuple")
        };
        assert_eq!(
            items[1],
            Value::Pair(Box::new(s("b")), Box::new(Value::Int(2)))
        );
        // right-associative
        assert_eq!(
            ev("1 => 2 => 3"),
            Value::Pair(
                Box::new(Value::Int(1)),
                Box::new(Value::Pair(
                    Box::new(Value::Int(2)),
                    Box::new(Value::Int(3))
                ))
            )
        );
        assert!(err("(a = 1, b = 2)").message.contains("named entries"));
    }

    #[test]
    fn dicts() {
        assert_eq!(
            ev(r#"Dict("a" => 1, "b" => [2], "a" => 3)"#),
            Value::Dict(vec![
                (s("a"), Value::Int(3)),
                (s("b"), Value::Vector(vec![Value::Int(2)]))
            ])
        );
        assert_eq!(ev("Dict()"), Value::Dict(vec![]));
        assert_eq!(ev("Dict{String,Any}()"), Value::Dict(vec![]));
        let e = err(r#"Dict("a", 1)"#);
        assert_eq!((e.offset, e.len), (5, 3));
    }

    #[test]
    fn dates() {
        let d = |year, month, day| Value::Date { year, month, day };
        assert_eq!(ev("Date(2021, 12, 31)"), d(2021, 12, 31));
        assert_eq!(ev("Date(2020,1,1)"), d(2020, 1, 1));
        assert_eq!(ev(r#"Date("2020-01-02")"#), d(2020, 1, 2));
        assert_eq!(ev("Date(2024)"), d(2024, 1, 1));
        assert_eq!(ev("Date(2024, 2, 29)"), d(2024, 2, 29));
        assert_eq!(ev("Dates.Date(2000, 2, 29)"), d(2000, 2, 29));
        assert!(err("Date(2023, 2, 29)").message.contains("day 29"));
        assert!(err("Date(2023, 13, 1)").message.contains("month 13"));
        let e = err(r#"Date("01/02/2020")"#);
        assert_eq!((e.offset, e.len), (5, 12));
    }

    #[test]
    fn env_lookups() {
        let env = |k: &str| (k == "PREVIEW_FRANKLIN_PREPATH").then(|| "previews/PR12".to_string());
        let v = eval_expr(r#"get(ENV, "PREVIEW_FRANKLIN_PREPATH", "")"#, &env);
        assert_eq!(v, Ok(s("previews/PR12")));
        let v = eval_expr(r#"get(ENV, "OTHER", "www.quantumbay.science")"#, &env);
        assert_eq!(v, Ok(s("www.quantumbay.science")));
        assert_eq!(
            eval_expr(r#"ENV["PREVIEW_FRANKLIN_PREPATH"]"#, &env),
            Ok(s("previews/PR12"))
        );
        let e = err(r#"ENV["NOPE"]"#);
        assert!(e.message.contains("`NOPE` is not set"));
        assert!(err(r#"get(d, "k", 1)"#).message.contains("get(ENV"));
    }

    #[test]
    fn concatenation_and_string() {
        assert_eq!(ev(r#""a" * "b" * "c""#), s("abc"));
        assert_eq!(ev(r#"string("v", 1, ".", 2.0)"#), s("v1.2.0"));
        assert_eq!(ev("2 * 3"), Value::Int(6));
        assert_eq!(ev("2 * 0.25"), Value::Float(0.5));
        let e = err(r#""a" * 1"#);
        assert_eq!((e.offset, e.len), (4, 1));
    }

    #[test]
    fn comments_are_ignored() {
        assert_eq!(ev("5 # five"), Value::Int(5));
        assert_eq!(ev("#= lead =# 5 #= nested #= x =# =#"), Value::Int(5));
        assert_eq!(
            ev("[1, # one\n 2]"),
            Value::Vector(vec![Value::Int(1), Value::Int(2)])
        );
        assert!(err("5 #= open").message.contains("unterminated `#=`"));
    }

    #[test]
    fn unsupported_calls_name_the_function() {
        let e = err("readdlm(\"x.csv\")");
        assert_eq!((e.offset, e.len), (0, 7));
        assert_eq!(e.message, "calling `readdlm(...)` is not supported");
        assert!(e.help.is_some());
        let e = err("foo");
        assert_eq!(e.message, "unknown name `foo`");
        let e = err("1 + 2");
        assert_eq!((e.offset, e.len), (2, 1));
        assert_eq!(err("true`").message, "unexpected backtick");
        let e = err("“Title”");
        assert!(e.message.contains("curly quote"));
    }

    #[test]
    fn hostile_nesting_fails_fast() {
        let deep = "[".repeat(10_000);
        let e = err(&deep);
        assert!(e.message.contains("nested deeper"));
        assert_eq!(e.offset, MAX_DEPTH);
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(err(&deep).message.contains("nested deeper"));
        let (vars, errs) = eval_block(&format!("a = {}\nb = 2", "[".repeat(10_000)), &no_env);
        assert_eq!(errs.len(), 1);
        assert!(vars.is_empty());
        assert_eq!(def_extent(&"[".repeat(10_000)), 10_000);
        let minus = format!("{}1", "-".repeat(10_001));
        assert_eq!(ev(&minus), Value::Int(-1));
        let comments = format!("{}1", "#=".repeat(10_000));
        assert!(eval_expr(&comments, &no_env).is_err());
    }

    #[test]
    fn never_panics_on_odd_input() {
        let inputs = [
            "",
            "\"",
            "\"\\",
            "\"\"\"",
            "raw\"",
            "r\"",
            "[",
            "(",
            "Dict(",
            "get(",
            "get(ENV,",
            "Date(",
            "-",
            "=>",
            "1 =>",
            "\"a\" *",
            "é",
            "\u{0}",
            "'",
            "'a'",
            ":sym",
            "@time 1",
            "ENV[",
            "Vector{",
            "1.",
            "1e",
            "\"\\u{zz}\"",
            "\"\\xff\"",
            "x -> x",
            "a.b",
            "[1][1]",
        ];
        for src in inputs {
            let _ = eval_expr(src, &no_env);
            let _ = eval_block(src, &no_env);
            let _ = split_def(src);
            assert!(def_extent(src) <= src.len());
        }
    }

    /// What the general reader makes of a definition line: extent, name, range and value.
    fn general_def(rest: &str) -> Option<(usize, String, Range<usize>, Value)> {
        let extent = def_extent(rest);
        let (name, range) = split_def(&rest[..extent]).ok()?;
        let value = eval_expr(&rest[range.clone()], &|_| None).ok()?;
        Some((extent, name, range, value))
    }

    #[test]
    fn simple_definitions_read_as_the_general_reader_reads_them() {
        let cases = [
            "title = \"Eigenvalues in practice\"\n\nText",
            "tags = [\"tooling\", \"ci\",\"data\"]\r\n",
            "tags = [ ]",
            "n=12  ",
            "\tflag\t=\ttrue",
            "hascode = false\nmore",
            "title = \"\"",
            "t = \"caf\u{e9} \u{2013} 3\"",
        ];
        for case in cases {
            let fast = simple_def(case).expect(case);
            assert_eq!(
                Some((fast.extent, fast.name.to_string(), fast.range, fast.value)),
                general_def(case),
                "{case:?}"
            );
        }
        for other in [
            "x = \"a\\nb\"",
            "x = \"$y\"",
            "x = \"\"\"doc\"\"\"",
            "x = 1 # one",
            "x = 1 <!-- one -->",
            "x = [\"a\",]",
            "x = [\"a\", 1]",
            "x = 1.5",
            "x = 007",
            "x! = 1",
            "x == 1",
            "x = \"a\" * \"b\"",
            "x = [\"a\",\n    \"b\"]",
            "x = 99999999999999999999",
        ] {
            assert_eq!(simple_def(other), None, "{other:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn simple_definitions_agree_with_the_general_reader(
            head in "[ \t]{0,2}[a-z_][a-z0-9_!]{0,4}[ \t]{0,2}=[=> \t]{0,2}",
            value in "(\"[a-z \u{e9}$\\\\\"]{0,6}\"|\\[|\\]|, ?|[0-9]{1,3}|true|false|[ \t#<.\r\n-])*",
        ) {
            let src = format!("{head}{value}");
            if let Some(fast) = simple_def(&src) {
                proptest::prop_assert_eq!(
                    Some((fast.extent, fast.name.to_string(), fast.range, fast.value)),
                    general_def(&src)
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn fuzz_never_panics(src in "[\\[\\](){}\"'#=,;:*$\\\\a-z0-9 .\n\t_é<!>-]{0,60}") {
            let _ = eval_expr(&src, &no_env);
            let _ = eval_block(&src, &no_env);
            if let Ok((_, r)) = split_def(&src) {
                let _ = eval_expr(&src[r], &no_env);
            }
            proptest::prop_assert!(def_extent(&src) <= src.len());
        }
    }

    #[test]
    fn block_with_corpus_forms() {
        let src = r#"
# General
author = "Yu-Sheng Zhao and Jin-Guo Liu"

ignore = ["node_modules/", "README.md"]

# RSS stuff
generate_rss = true
website_descr = "Make the quantum bay great!"

prepath = get(ENV, "PREVIEW_FRANKLIN_PREPATH", "") # In the third argument put the prepath you normally use
website_url = get(ENV, "PREVIEW_FRANKLIN_WEBSITE_URL", "www.quantumbay.science") # Just put the website name
rss_full_content = true
var1 = [1, 2,
  3, 4]
content_tag = ""
"#;
        let (vars, errs) = eval_block(src, &no_env);
        assert!(errs.is_empty(), "{errs:?}");
        let names: Vec<&str> = vars.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "author",
                "ignore",
                "generate_rss",
                "website_descr",
                "prepath",
                "website_url",
                "rss_full_content",
                "var1",
                "content_tag"
            ]
        );
        assert_eq!(vars[4].value, s(""));
        assert_eq!(vars[5].value, s("www.quantumbay.science"));
        assert_eq!(
            vars[7].value,
            Value::Vector((1..=4).map(Value::Int).collect())
        );
        let a = &vars[4];
        assert_eq!(
            &src[a.offset..a.offset + a.len],
            r#"prepath = get(ENV, "PREVIEW_FRANKLIN_PREPATH", "")"#
        );
    }

    #[test]
    fn block_skips_definitions_and_imports() {
        let src = "using Dates\nimport Foo: bar,\n   baz\nconst K = 3\nf(x) = x^2\n\
                   g(x)::Int = 1\nfunction h(y)\n  if y\n    return [y]\n  end\nend\n\
                   a = 1; b = a\nc = \"s\" *\n    \"t\"\n";
        let (vars, errs) = eval_block(src, &no_env);
        assert!(errs.is_empty(), "{errs:?}");
        let got: Vec<(&str, &Value)> = vars.iter().map(|a| (a.name.as_str(), &a.value)).collect();
        assert_eq!(
            got,
            [
                ("a", &Value::Int(1)),
                ("b", &Value::Int(1)),
                ("c", &s("st"))
            ]
        );
    }

    #[test]
    fn block_errors_recover_and_keep_going() {
        let src =
            "a = foo(1,\n  2)\nb = 2\nx += 1\nc = \"ok\" junk\nd = 4\nif true\n  e = 1\nend\nz = 9";
        let (vars, errs) = eval_block(src, &no_env);
        let names: Vec<&str> = vars.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["b", "d", "z"]);
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert_eq!((errs[0].offset, errs[0].len), (4, 3));
        assert_eq!(&src[errs[1].offset..errs[1].offset + errs[1].len], "+=");
        assert_eq!(&src[errs[2].offset..errs[2].offset + errs[2].len], "junk");
        assert_eq!(&src[errs[3].offset..errs[3].offset + errs[3].len], "if");
    }

    #[test]
    fn split_def_forms() {
        assert_eq!(split_def("title = \"Day 1\""), Ok(("title".into(), 8..15)));
        assert_eq!(split_def("hascode=true"), Ok(("hascode".into(), 8..12)));
        let c = "hasmath = false              <!-- mostly there's no maths on pages -->";
        let (name, r) = split_def(c).unwrap_or_default();
        assert_eq!((name.as_str(), &c[r]), ("hasmath", "false"));
        let c = "x = \"<!-- kept -->\" <!-- dropped -->";
        let (_, r) = split_def(c).unwrap_or_default();
        assert_eq!(&c[r], "\"<!-- kept -->\"");
        let e = split_def("title \"x\"").unwrap_err();
        assert_eq!(
            (e.offset, e.message.as_str()),
            (6, "expected `=` after `@def title`")
        );
        let e = split_def("x = ").unwrap_err();
        assert_eq!((e.offset, e.len), (4, 0));
        assert!(split_def("= 3").is_err());
        assert!(split_def("a == 3").is_err());
    }

    #[test]
    fn def_extent_single_and_multi_line() {
        assert_eq!(def_extent("x = 1\nnext"), 5);
        assert_eq!(def_extent("x = 1\r\nnext"), 5);
        assert_eq!(def_extent("x = 1"), 5);
        let src = "z = [1,2,3,\n    4,5,6]\nafter";
        let n = def_extent(src);
        assert_eq!(&src[..n], "z = [1,2,3,\n    4,5,6]");
        let (name, r) = split_def(&src[..n]).unwrap_or_default();
        assert_eq!(name, "z");
        assert_eq!(
            eval_expr(&src[r], &no_env),
            Ok(Value::Vector((1..=6).map(Value::Int).collect()))
        );
        let src = "some_str = \"\"\"A string\n    on several lines is ok\n    but lines must be indented\"\"\"\n```";
        let n = def_extent(src);
        assert!(src[..n].ends_with("indented\"\"\""));
        // complete expressions do not swallow a following indented code block
        assert_eq!(def_extent("hascode = true\n    code()"), 14);
        // an unindented line stops the definition even if it is incomplete
        assert_eq!(def_extent("z = [1,\n2]"), 7);
        // a trailing operator asks for more, a tab counts as indentation
        assert_eq!(def_extent("s = \"a\" *\n\t\"b\"\nx"), 14);
        // html comments do not count as a trailing `>`
        assert_eq!(def_extent("hasmath = false <!-- c -->\n    x"), 26);
        assert_eq!(def_extent("x = 1 # [\n    2"), 9);
    }

    #[test]
    fn multi_line_def_with_operator_continuation_evaluates() {
        let src = "s = \"a\" *\n    \"b\"";
        let (_, r) = split_def(src).unwrap_or_default();
        assert_eq!(eval_expr(&src[r], &no_env), Ok(s("ab")));
    }
}
