//! Finding the bytes of a small set, or the next of a few short strings, in text: the
//! scanner, the delimiter matcher and the passes over rendered pages skip prose this way,
//! and on a large site that skipping is a good part of the build.
//!
//! The one `unsafe` of the project is here: the AVX2 classification of a text's bytes,
//! with loads that stay inside the text and a runtime check for the instructions, and the
//! SSE2 search for the first of a few bytes (escaping, the MathML pass, the highlighter).

use std::sync::LazyLock;

use aho_corasick::packed::{Config, Searcher};
use aho_corasick::{AhoCorasick, Input, MatchKind, Span};

/// A set of ASCII bytes, and where they occur in a text.
///
/// The scanner and the delimiter matcher stop at every byte of their set, a hundred
/// times on a typical page: a search started afresh at each stop costs more in setting up
/// than in searching. Instead the whole text is classified once, 32 bytes per step with
/// AVX2 where the CPU has it, into a bitmap that each stop then reads in a few
/// instructions.
pub(super) struct ByteSet {
    table: [bool; 256],
    /// Nibble tables for the vectorised pass; none for a set with non-ASCII bytes.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    nibbles: Option<Nibbles>,
}

/// The set as two 16-entry tables: a byte is in the set when the bits its low nibble and
/// its high nibble select have one in common. An ASCII byte's high nibble is below 8, so
/// each gets a bit of its own and the test is exact.
#[derive(Clone, Copy)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
struct Nibbles {
    low: [u8; 16],
    high: [u8; 16],
}

impl Nibbles {
    /// The tables for `bytes`, if they are all ASCII.
    fn new(bytes: &[u8]) -> Option<Nibbles> {
        let mut n = Nibbles {
            low: [0; 16],
            high: [0; 16],
        };
        for &b in bytes {
            if !b.is_ascii() {
                return None;
            }
            let bit = 1 << (b >> 4);
            n.high[usize::from(b >> 4)] = bit;
            n.low[usize::from(b & 0x0F)] |= bit;
        }
        Some(n)
    }
}

impl ByteSet {
    /// The set of `bytes`.
    pub(super) fn new(bytes: &[u8]) -> ByteSet {
        ByteSet {
            table: super::html::byte_table(bytes),
            nibbles: Nibbles::new(bytes),
        }
    }

    /// Where the bytes of the set are in `hay`.
    pub(super) fn stops(&self, hay: &[u8]) -> Stops {
        let mut words = Vec::with_capacity(hay.len() / 64 + 1);
        #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
        let mut done = 0;
        #[cfg(target_arch = "x86_64")]
        if let Some(nibbles) = self.nibbles {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2, checked just above.
                done = unsafe { avx2::classify(&nibbles, hay, &mut words) };
            }
        }
        for block in hay[done..].chunks(64) {
            let mut word = 0u64;
            for (k, b) in block.iter().enumerate() {
                word |= u64::from(self.table[usize::from(*b)]) << k;
            }
            words.push(word);
        }
        Stops { words }
    }
}

/// Where the bytes of a set are in one text: bit `i % 64` of word `i / 64` for byte `i`.
pub(super) struct Stops {
    words: Vec<u64>,
}

impl Stops {
    /// Offset of the first byte of the set at or after `from`.
    pub(super) fn next(&self, from: usize) -> Option<usize> {
        let mut w = from / 64;
        let mut bits = self.words.get(w)? & (u64::MAX << (from % 64));
        while bits == 0 {
            w += 1;
            bits = *self.words.get(w)?;
        }
        Some(w * 64 + bits.trailing_zeros() as usize)
    }
}

/// The vectorised classification, on x86-64 CPUs with AVX2.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m128i, __m256i, _mm256_and_si256, _mm256_broadcastsi128_si256, _mm256_cmpeq_epi8,
        _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_set1_epi8, _mm256_setzero_si256,
        _mm256_shuffle_epi8, _mm256_srli_epi16, _mm_loadu_si128,
    };

    use super::Nibbles;

    /// Pushes one word per whole 64 bytes of `hay` onto `words` and returns how many bytes
    /// it classified (the rest, under 64, is left to the caller).
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn classify(nibbles: &Nibbles, hay: &[u8], words: &mut Vec<u64>) -> usize {
        // SAFETY: each table is 16 bytes, as the load reads.
        let low =
            _mm256_broadcastsi128_si256(_mm_loadu_si128(nibbles.low.as_ptr().cast::<__m128i>()));
        let high =
            _mm256_broadcastsi128_si256(_mm_loadu_si128(nibbles.high.as_ptr().cast::<__m128i>()));
        let mut blocks = hay.chunks_exact(64);
        for block in &mut blocks {
            let (first, second) = block.split_at(32);
            // SAFETY: both halves are 32 bytes long; the caller vouched for AVX2.
            let (first, second) = (mask(low, high, first), mask(low, high, second));
            words.push(first | second << 32);
        }
        hay.len() - blocks.remainder().len()
    }

    /// One bit per byte of the first 32 of `bytes`: set where the byte is in the set whose
    /// nibble tables are `low` and `high` (each repeated in both lanes).
    ///
    /// # Safety
    /// The CPU must have AVX2 and `bytes` must be at least 32 bytes long.
    #[target_feature(enable = "avx2")]
    unsafe fn mask(low: __m256i, high: __m256i, bytes: &[u8]) -> u64 {
        debug_assert!(bytes.len() >= 32);
        // SAFETY: the caller guarantees 32 readable bytes.
        let v = _mm256_loadu_si256(bytes.as_ptr().cast::<__m256i>());
        let nibble = _mm256_set1_epi8(0x0F);
        let by_low = _mm256_shuffle_epi8(low, _mm256_and_si256(v, nibble));
        let by_high =
            _mm256_shuffle_epi8(high, _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble));
        let outside = _mm256_cmpeq_epi8(_mm256_and_si256(by_low, by_high), _mm256_setzero_si256());
        // The sign bits of `outside`, inverted: bytes whose two nibbles share a bit.
        u64::from(!(_mm256_movemask_epi8(outside) as u32))
    }
}

/// Offset of the first byte of `hay` that is one of `needles`.
///
/// Escaping looks for four or five bytes in every text markdown hands it, a hundred
/// thousand texts per thousand pages, most a line or shorter: sixteen bytes compared at a
/// step, with no setup, is several times faster there than a table read byte by byte, and
/// than memchr's setup for a search that ends a few bytes on (a tag's `>`).
pub(crate) fn first_of<const N: usize>(hay: &[u8], needles: &[u8; N]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of every x86-64 CPU.
        unsafe { sse2::first_of(hay, needles) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        hay.iter().position(|b| needles.contains(b))
    }
}

/// The search for the first of a few bytes, 16 bytes at a step.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_setzero_si128,
    };

    /// See [`super::first_of`].
    ///
    /// # Safety
    /// The CPU must have SSE2 (every x86-64 CPU has).
    #[target_feature(enable = "sse2")]
    pub(super) unsafe fn first_of<const N: usize>(hay: &[u8], needles: &[u8; N]) -> Option<usize> {
        let mut at = 0;
        while let Some(block) = hay.get(at..at + 16) {
            let found = mask(block, needles);
            if found != 0 {
                return Some(at + found.trailing_zeros() as usize);
            }
            at += 16;
        }
        let left = hay.len() - at;
        if left == 0 {
            return None;
        }
        let found = if hay.len() >= 16 {
            // The last 16 bytes, of which the first `16 - left` were searched already.
            mask(&hay[hay.len() - 16..], needles) >> (16 - left)
        } else {
            // A short text is searched in a padded copy; hits in the padding are dropped.
            let mut padded = [0u8; 16];
            padded[..left].copy_from_slice(hay);
            mask(&padded, needles) & ((1 << left) - 1)
        };
        (found != 0).then(|| at + found.trailing_zeros() as usize)
    }

    /// One bit per byte of the first 16 of `bytes`, set where the byte is a needle.
    ///
    /// # Safety
    /// The CPU must have SSE2 and `bytes` must be at least 16 bytes long.
    #[target_feature(enable = "sse2")]
    unsafe fn mask<const N: usize>(bytes: &[u8], needles: &[u8; N]) -> u32 {
        debug_assert!(bytes.len() >= 16);
        // SAFETY: the caller guarantees 16 readable bytes.
        let v = _mm_loadu_si128(bytes.as_ptr().cast::<__m128i>());
        let mut hits = _mm_setzero_si128();
        for &n in needles {
            hits = _mm_or_si128(hits, _mm_cmpeq_epi8(v, _mm_set1_epi8(n as i8)));
        }
        _mm_movemask_epi8(hits) as u32
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

    proptest::proptest! {
        #[test]
        fn stops_are_every_byte_of_the_set_in_order(
            text in crate::test_support::text_of(&[
                "<", "{", "}", "\\", "`", "@", "#", "$", "[", "+", "~", "a", " ", "\n", "é", "\u{e000}",
                "|", "L", "k", ";", "\u{7f}",
            ], 300)
        ) {
            let (vowels, non_ascii) = (ByteSet::new(b"aeiou|;LLk"), ByteSet::new(b"a\xc3"));
            for set in [&*SPECIAL, &*INTERESTING, &vowels, &non_ascii] {
                let hay = text.as_bytes();
                let stops = set.stops(hay);
                let mut found = Vec::new();
                let mut from = 0;
                while let Some(k) = stops.next(from) {
                    found.push(k);
                    from = k + 1;
                }
                let expected: Vec<usize> =
                    (0..hay.len()).filter(|&k| set.table[usize::from(hay[k])]).collect();
                proptest::prop_assert_eq!(found, expected);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn first_of_finds_the_first_needle_in_any_length_of_text(
            text in crate::test_support::text_of(&["&", "<", ">", "\"", "-", "a", " ", "é", "\0"], 70)
        ) {
            let hay = text.as_bytes();
            for from in 0..=hay.len() {
                let rest = &hay[from..];
                proptest::prop_assert_eq!(
                    first_of(rest, b"&<>\"-"),
                    rest.iter().position(|b| b"&<>\"-".contains(b))
                );
                proptest::prop_assert_eq!(first_of(rest, b"<"), rest.iter().position(|b| *b == b'<'));
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
            assert_eq!(set.stops(hay).next(from), expected, "from {from}");
        }
    }
}
