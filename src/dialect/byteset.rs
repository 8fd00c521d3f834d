//! Finding the next byte of a small set, or the next of a few short strings, in text: the
//! scanner, the delimiter matcher and the passes over rendered pages skip prose this way,
//! and on a large site that skipping is a good part of the build.

use std::sync::LazyLock;

use aho_corasick::packed::{Config, Searcher};
use aho_corasick::{AhoCorasick, Input, MatchKind, Span};

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

/// A few short strings, found with aho-corasick's vectorised Teddy where the CPU has it
/// and with its automaton elsewhere.
pub(crate) struct Needles {
    fast: Option<Searcher>,
    /// None only if the patterns could not make an automaton either; then nothing is found.
    other: Option<AhoCorasick>,
}

impl Needles {
    /// The set of `patterns`.
    pub(crate) fn new<P: AsRef<[u8]>>(patterns: &[P]) -> Needles {
        Needles::build(patterns, true)
    }

    /// The set of `patterns`, with the vectorised search when `vector` and the CPU has it.
    fn build<P: AsRef<[u8]>>(patterns: &[P], vector: bool) -> Needles {
        let mut builder = Config::new().builder();
        builder.extend(patterns);
        let fast = if vector { builder.build() } else { None };
        let other = match fast {
            Some(_) => None,
            // Leftmost-first, as the vectorised search reports.
            None => AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(patterns)
                .ok(),
        };
        Needles { fast, other }
    }

    /// Offset of the first occurrence of any of the strings in `hay` at or after `from`.
    pub(crate) fn find(&self, hay: &[u8], from: usize) -> Option<usize> {
        if from > hay.len() {
            return None;
        }
        let found = match (&self.fast, &self.other) {
            (Some(s), _) => s.find_in(hay, Span::from(from..hay.len())),
            (None, Some(ac)) => ac.find(Input::new(hay).span(from..hay.len())),
            (None, None) => None,
        };
        found.map(|m| m.start())
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
    fn needles_are_found_from_any_place_in_any_length_of_text() {
        for needles in [
            Needles::build(&["<!-", "<pr", "{{"], true),
            Needles::build(&["<!-", "<pr", "{{"], false),
        ] {
            for n in [0, 1, 2, 7, 40] {
                let text = format!("{}<p <!- x{{{{ <pr", "a<b{".repeat(n));
                let hay = text.as_bytes();
                for from in 0..=hay.len() + 1 {
                    let expected = (from..hay.len()).find(|&i| {
                        ["<!-", "<pr", "{{"]
                            .iter()
                            .any(|p| hay[i..].starts_with(p.as_bytes()))
                    });
                    assert_eq!(needles.find(hay, from), expected, "{n} from {from}");
                }
            }
        }
    }

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
