//! Matching of nestable delimiters (`{ }` and `@@div ... @@`) in one linear pass.
//!
//! The scanner needs "where does this brace group / div end?" many times; answering each
//! question with a fresh search is quadratic on pathological pages (a megabyte of `{`),
//! so the pairs are computed once per fragment with a stack.

use super::byteset::INTERESTING;

/// Matching closers for the openers of one fragment.
#[derive(Debug, Default)]
pub struct Matches {
    braces: Pairs<usize>,
    divs: Pairs<usize>,
    templates: Pairs<usize>,
    /// `\begin{name}` position → (`\end{name}` position, its length).
    envs: Pairs<(usize, usize)>,
}

/// Opener positions with their closers, sorted by opener once the pass is done.
/// (A sorted vector beats a hash map here: pages have few pairs and are looked up rarely.)
#[derive(Debug)]
struct Pairs<T>(Vec<(usize, T)>);

impl<T> Default for Pairs<T> {
    fn default() -> Self {
        Pairs(Vec::new())
    }
}

impl<T: Copy> Pairs<T> {
    fn insert(&mut self, open: usize, close: T) {
        self.0.push((open, close));
    }

    fn sort(&mut self) {
        self.0.sort_unstable_by_key(|(open, _)| *open);
    }

    fn get(&self, open: usize) -> Option<T> {
        self.0
            .binary_search_by_key(&open, |(o, _)| *o)
            .ok()
            .map(|k| self.0[k].1)
    }
}

impl Matches {
    /// Computes the pairs in `text`.
    pub fn new(text: &str) -> Matches {
        let bytes = text.as_bytes();
        let mut m = Matches::default();
        let mut brace_stack: Vec<usize> = Vec::new();
        let mut div_stack: Vec<usize> = Vec::new();
        let mut tpl_stack: Vec<usize> = Vec::new();
        let mut env_stack: Vec<(&str, usize)> = Vec::new();
        // Searches for a closer that already failed are not repeated (see `scan::Unclosed`).
        let mut comment_fail = usize::MAX;
        let mut raw_fail = usize::MAX;
        let mut code_fail = [usize::MAX; 8];
        let stops = INTERESTING.stops(bytes);
        let mut i = 0;
        while i < bytes.len() {
            // Jump to the next byte that can matter; prose is mostly plain bytes.
            match stops.next(i) {
                Some(k) => i = k,
                None => break,
            }
            match bytes[i] {
                b'\\' => {
                    if let Some((name, len)) = env_token(text, i, "\\begin{") {
                        env_stack.push((name, i));
                        i += len;
                        continue;
                    }
                    if let Some((name, len)) = env_token(text, i, "\\end{") {
                        if let Some(k) = env_stack.iter().rposition(|(n, _)| *n == name) {
                            let (_, open) = env_stack[k];
                            m.envs.insert(open, (i, len));
                            env_stack.truncate(k);
                        }
                        i += len;
                        continue;
                    }
                    i += 2;
                    continue;
                }
                b'{' => {
                    if bytes.get(i + 1) == Some(&b'{') {
                        tpl_stack.push(i);
                    }
                    brace_stack.push(i);
                }
                b'}' => {
                    if bytes.get(i + 1) == Some(&b'}') {
                        if let Some(open) = tpl_stack.pop() {
                            m.templates.insert(open, i + 2);
                        }
                    }
                    if let Some(open) = brace_stack.pop() {
                        m.braces.insert(open, i);
                    }
                }
                b'`' => {
                    let n = text[i..].bytes().take_while(|b| *b == b'`').count();
                    let slot = n.min(code_fail.len() - 1);
                    if i < code_fail[slot] || slot != n {
                        if let Some(end) = skip_code(text, i) {
                            i = end;
                            continue;
                        }
                        if slot == n {
                            code_fail[slot] = i;
                        }
                    }
                    i += n;
                    continue;
                }
                b'<' if i < comment_fail && text[i..].starts_with("<!--") => {
                    if let Some(e) = text[i + 4..].find("-->") {
                        i = i + 4 + e + 3;
                        continue;
                    }
                    comment_fail = i;
                }
                b'~' if i < raw_fail && text[i..].starts_with("~~~") => {
                    if let Some(e) = text[i + 3..].find("~~~") {
                        i = i + 3 + e + 3;
                        continue;
                    }
                    raw_fail = i;
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
        m.braces.sort();
        m.divs.sort();
        m.templates.sort();
        m.envs.sort();
        m
    }

    /// The `}` matching the `{` at `open`.
    pub fn brace(&self, open: usize) -> Option<usize> {
        self.braces.get(open)
    }

    /// The end (one past `}}`) of the template block opened at `open`.
    pub fn template(&self, open: usize) -> Option<usize> {
        self.templates.get(open)
    }

    /// The `\end{name}` (position, length) closing the environment begun at `open`.
    pub fn env(&self, open: usize) -> Option<(usize, usize)> {
        self.envs.get(open)
    }

    /// The closing `@@` of the div opened at `open`.
    pub fn div(&self, open: usize) -> Option<usize> {
        self.divs.get(open)
    }
}

/// Reads `\begin{name}` or `\end{name}` at `i`: the name and the token's length.
fn env_token<'t>(text: &'t str, i: usize, prefix: &str) -> Option<(&'t str, usize)> {
    // Every backslash of a page comes here, math included: the letter after it turns
    // most away before the whole prefix is compared.
    if text.as_bytes().get(i + 1) != prefix.as_bytes().get(1) {
        return None;
    }
    let rest = text.get(i..)?.strip_prefix(prefix)?;
    let close = rest.find('}')?;
    let name = &rest[..close];
    if name.contains(['{', '\n']) {
        return None;
    }
    Some((name.trim(), prefix.len() + close + 1))
}

/// Length of the run of letters (any alphabet) at the start of `s`: a command's name.
pub fn letters_len(s: &str) -> usize {
    // Names are nearly always ASCII: bytes first, characters only from the first other one.
    let ascii = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    if s.as_bytes().get(ascii).is_none_or(u8::is_ascii) {
        return ascii;
    }
    ascii
        + s[ascii..]
            .char_indices()
            .find(|(_, c)| !c.is_alphabetic())
            .map_or(s.len() - ascii, |(k, _)| k)
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
        let rel = memchr::memchr(b'`', &text.as_bytes()[from..])?;
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

    proptest::proptest! {
        #[test]
        fn letters_len_counts_letters_of_any_alphabet(
            text in crate::test_support::text_of(&["a", "Z", "é", "λ", "1", "_", "{", " ", "\\", "\u{1F600}"], 12)
        ) {
            let expected = text
                .char_indices()
                .find(|(_, c)| !c.is_alphabetic())
                .map_or(text.len(), |(k, _)| k);
            proptest::prop_assert_eq!(letters_len(&text), expected);
        }
    }

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
    fn templates_and_environments_pair() {
        let t = "{{ {{a}} \\begin{x}\\begin{y}\\end{y}\\end{x}";
        let m = Matches::new(t);
        assert_eq!(m.template(0), None);
        assert_eq!(m.template(3), Some(8));
        assert_eq!(m.env(9), Some((34, 7)));
        assert_eq!(m.env(18), Some((27, 7)));
    }

    #[test]
    fn flood_of_openers_is_linear() {
        let t = "{".repeat(1_000_000);
        let m = Matches::new(&t);
        assert_eq!(m.brace(0), None);
    }
}
