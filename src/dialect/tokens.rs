//! Matching of nestable delimiters (`{ }` and `@@div ... @@`) in one linear pass.
//!
//! The scanner needs "where does this brace group / div end?" many times; answering each
//! question with a fresh search is quadratic on pathological pages (a megabyte of `{`),
//! so the pairs are computed once per fragment with a stack.

use std::collections::HashMap;

/// Matching closers for the openers of one fragment.
#[derive(Debug, Default)]
pub struct Matches {
    braces: HashMap<usize, usize>,
    divs: HashMap<usize, usize>,
}

impl Matches {
    /// Computes the pairs in `text`.
    pub fn new(text: &str) -> Matches {
        let bytes = text.as_bytes();
        let mut m = Matches::default();
        let mut brace_stack: Vec<usize> = Vec::new();
        let mut div_stack: Vec<usize> = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => {
                    i += 2;
                    continue;
                }
                b'{' => brace_stack.push(i),
                b'}' => {
                    if let Some(open) = brace_stack.pop() {
                        m.braces.insert(open, i);
                    }
                }
                b'`' => {
                    if let Some(end) = skip_code(text, i) {
                        i = end;
                        continue;
                    }
                }
                b'<' if text[i..].starts_with("<!--") => {
                    if let Some(e) = text[i + 4..].find("-->") {
                        i = i + 4 + e + 3;
                        continue;
                    }
                }
                b'~' if text[i..].starts_with("~~~") => {
                    if let Some(e) = text[i + 3..].find("~~~") {
                        i = i + 3 + e + 3;
                        continue;
                    }
                }
                b'@' if text[i..].starts_with("@@") => {
                    let name_len = div_name_len(&text[i + 2..]);
                    if name_len > 0 {
                        div_stack.push(i);
                        i += 2 + name_len;
                        continue;
                    }
                    if is_div_close(text, i) {
                        if let Some(open) = div_stack.pop() {
                            m.divs.insert(open, i);
                        }
                        i += 2;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        m
    }

    /// The `}` matching the `{` at `open`.
    pub fn brace(&self, open: usize) -> Option<usize> {
        self.braces.get(&open).copied()
    }

    /// The closing `@@` of the div opened at `open`.
    pub fn div(&self, open: usize) -> Option<usize> {
        self.divs.get(&open).copied()
    }
}

/// Length of the class list after `@@` (letters, digits, `-_,:/`).
pub fn div_name_len(s: &str) -> usize {
    s.char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '-' | '_' | ',' | ':' | '/')))
        .map_or(s.len(), |(i, _)| i)
}

/// `@@` followed by whitespace, the end, or `}` closes a div.
pub fn is_div_close(text: &str, i: usize) -> bool {
    match text[i + 2..].chars().next() {
        None => true,
        Some(c) => c.is_whitespace() || c == '}',
    }
}

/// Given a backtick run at `i`, the end of the code span or fence it opens, if closed.
pub fn skip_code(text: &str, i: usize) -> Option<usize> {
    let n = text[i..].bytes().take_while(|b| *b == b'`').count();
    let mut from = i + n;
    loop {
        let rel = text[from..].find('`')?;
        let start = from + rel;
        let run = text[start..].bytes().take_while(|b| *b == b'`').count();
        if run == n {
            return Some(start + run);
        }
        from = start + run;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_nest_and_skip_escapes() {
        let m = Matches::new("a{b{c}\\}d}");
        assert_eq!(m.brace(1), Some(9));
        assert_eq!(m.brace(3), Some(5));
    }

    #[test]
    fn divs_nest_and_skip_code() {
        let t = "@@a x @@b y @@ `@@` z @@";
        let m = Matches::new(t);
        assert_eq!(m.div(0), Some(22));
        assert_eq!(m.div(6), Some(12));
    }

    #[test]
    fn flood_of_openers_is_linear() {
        let t = "{".repeat(1_000_000);
        let m = Matches::new(&t);
        assert_eq!(m.brace(0), None);
    }
}
