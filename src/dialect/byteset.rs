//! Finding the next byte of a small set in text: the scanner and the delimiter matcher
//! both skip prose this way, and on a large site that skipping is a good part of the
//! conversion time.

use std::sync::LazyLock;

use aho_corasick::packed::{Config, Searcher};
use aho_corasick::Span;

/// A set of bytes with a vectorised search (aho-corasick's Teddy) where the CPU has one,
/// and a table for short texts and other machines.
pub(super) struct ByteSet {
    table: [bool; 256],
    fast: Option<Searcher>,
}

impl ByteSet {
    /// The set of `bytes`.
    pub(super) fn new(bytes: &[u8]) -> ByteSet {
        let mut table = [false; 256];
        let mut builder = Config::new().builder();
        for b in bytes {
            table[usize::from(*b)] = true;
            builder.add([*b]);
        }
        ByteSet {
            table,
            fast: builder.build(),
        }
    }

    /// Whether `b` is in the set.
    fn contains(&self, b: u8) -> bool {
        self.table[usize::from(b)]
    }

    /// Offset of the first byte of the set in `hay` at or after `from`.
    pub(super) fn find(&self, hay: &[u8], from: usize) -> Option<usize> {
        let rest = hay.get(from..)?;
        match &self.fast {
            Some(s) if rest.len() >= s.minimum_len() => s
                .find_in(hay, Span::from(from..hay.len()))
                .map(|m| m.start()),
            _ => rest
                .iter()
                .position(|b| self.contains(*b))
                .map(|k| from + k),
        }
    }
}

/// Bytes that may start a Franklin construct.
pub(super) static SPECIAL: LazyLock<ByteSet> = LazyLock::new(|| ByteSet::new(b"<+~[\\@#$`{"));

/// Bytes that open or close something the delimiter matcher tracks.
pub(super) static INTERESTING: LazyLock<ByteSet> = LazyLock::new(|| ByteSet::new(b"\\{}`<~@"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_same_bytes_as_a_plain_loop() {
        let set = ByteSet::new(b"<{\\");
        let text = "plain text, then a { and <b> and \\x; ".repeat(9) + "tail {";
        let hay = text.as_bytes();
        for from in 0..=hay.len() + 1 {
            let expected = hay
                .get(from..)
                .and_then(|r| r.iter().position(|b| b"<{\\".contains(b)))
                .map(|k| from + k);
            assert_eq!(set.find(hay, from), expected, "from {from}");
        }
    }
}
