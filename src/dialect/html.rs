//! Small HTML helpers shared by the dialect: escaping and Franklin's anchor ids.

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    escape_into(&mut out, s);
    out
}

/// Whether `text` holds `needle`, by a vectorised search: the passes over whole pages ask
/// this, and std's `contains` searches a string (or a non-ASCII character) byte by byte.
pub fn holds(text: &str, needle: &str) -> bool {
    find(text, needle).is_some()
}

/// Offset of the first `needle` in `text`, by a vectorised search.
pub fn find(text: &str, needle: &str) -> Option<usize> {
    let (text, needle) = (text.as_bytes(), needle.as_bytes());
    match needle {
        // The needles asked for are a few bytes, and setting up a substring searcher
        // costs more than a page's search: look for the first byte, compare the rest.
        [first, rest @ ..] if rest.len() <= 3 => memchr::memchr_iter(*first, text).find(|&at| {
            text.get(at + 1..)
                .is_some_and(|after| after.starts_with(rest))
        }),
        _ => memchr::memmem::find(text, needle),
    }
}

/// [`holds`] for a character.
pub fn holds_char(text: &str, c: char) -> bool {
    let mut utf8 = [0; 4];
    holds(text, c.encode_utf8(&mut utf8))
}

/// Escapes `s` onto the end of `out`.
pub fn escape_into(out: &mut String, s: &str) {
    escape_with(out, s, b"&<>\"");
}

/// Escapes `s` onto the end of `out`, single quotes too (`&#39;`), for attribute values
/// quoted either way.
pub fn escape_quotes_into(out: &mut String, s: &str) {
    escape_with(out, s, b"&<>\"'");
}

/// Escapes a run of prose, where Franklin also turns `--` into an en dash.
pub fn escape_prose_into(out: &mut String, s: &str) {
    escape_with(out, s, b"&<>\"-");
}

/// Escapes code: like [`escape_into`], and braces too, so that the template pass
/// never reads `{{` written inside code.
pub fn escape_code_into(out: &mut String, s: &str) {
    escape_with(out, s, b"&<>\"{}");
}

/// Writes `n` in decimal, zero-padded to `width` digits, without the formatting machinery
/// (placeholders and dates are written for every page, and it cost more than they did).
pub fn push_decimal(out: &mut String, n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut k = digits.len();
    let mut v = n;
    loop {
        k -= 1;
        digits[k] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for _ in digits.len() - k..width {
        out.push('0');
    }
    for d in &digits[k..] {
        out.push(char::from(*d));
    }
}

/// A table of 256 flags, set for the bytes of `bytes`.
pub(crate) const fn byte_table(bytes: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut k = 0;
    while k < bytes.len() {
        table[bytes[k] as usize] = true;
        k += 1;
    }
    table
}

/// Escapes `s` onto `out`, stopping at the bytes of `stops`: `& < > "` always, `'` for
/// attributes, braces for code, and `-` for prose, where `--` becomes an en dash.
fn escape_with<const N: usize>(out: &mut String, s: &str, stops: &[u8; N]) {
    let bytes = s.as_bytes();
    let mut last = 0;
    let mut from = 0;
    while let Some(k) = super::byteset::first_of(&bytes[from..], stops) {
        let at = from + k;
        let (replacement, len) = match bytes[at] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&#39;", 1),
            b'{' => ("&#123;", 1),
            b'}' => ("&#125;", 1),
            _ if bytes.get(at + 1) == Some(&b'-') => ("\u{2013}", 2),
            _ => {
                from = at + 1;
                continue;
            }
        };
        out.push_str(&s[last..at]);
        out.push_str(replacement);
        from = at + len;
        last = from;
    }
    out.push_str(&s[last..]);
}

/// [`escape_code_into`] into a new string.
pub fn escape_code(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    escape_code_into(&mut out, s);
    out
}

/// Decodes the entities Franklin and Julia produce (named basics and numeric ones).
pub fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let window = crate::diag::floor_char_boundary(rest, rest.len().min(12));
        let end = rest[..window].find(';');
        let decoded = end.and_then(|e| decode_entity(&rest[1..e]).map(|c| (c, e)));
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => return None,
    })
}

/// Franklin's `refstring`: the id given to a heading or label with this (HTML) text.
pub fn refstring(html: &str) -> String {
    // Headings and tags are mostly plain ASCII words: one pass, one allocation.
    refstring_plain(html).unwrap_or_else(|| refstring_general(html))
}

/// What [`refstring_plain`] does with each byte: the lowercase letter, digit, `-` or `_` it
/// keeps, or one of the markers below.
static REF_BYTES: [u8; 256] = {
    let mut table = [REF_DROP; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' => REF_SPACE,
            b'_' | b'-' | b'0'..=b'9' | b'a'..=b'z' => c,
            b'A'..=b'Z' => c.to_ascii_lowercase(),
            b'<' | b'&' | 0x80.. => REF_OTHER,
            _ => REF_DROP,
        };
        b += 1;
    }
    table
};
/// Punctuation the id leaves out.
const REF_DROP: u8 = 0;
/// Whitespace, which becomes one `_` between words.
const REF_SPACE: u8 = 1;
/// A tag, an entity or a character that is not ASCII: the general rule applies.
const REF_OTHER: u8 = 2;

/// [`refstring`] of ASCII text without tags or entities; None for any other text.
fn refstring_plain(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    // The byte last written (0 before the first): a heading is short, and this runs for
    // every one, so the state is kept in registers rather than read back from `out`.
    let mut last = 0u8;
    let mut space = false;
    for &b in text.as_bytes() {
        match REF_BYTES[usize::from(b)] {
            REF_DROP => {}
            REF_SPACE => space = true,
            REF_OTHER => return None,
            c => {
                // Whitespace inside becomes `_`, and runs of `_` become one.
                if (space || c == b'_') && last != 0 && last != b'_' {
                    out.push('_');
                    last = b'_';
                }
                space = false;
                if c != b'_' || last == 0 {
                    out.push(char::from(c));
                    last = c;
                }
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

fn refstring_general(html: &str) -> String {
    let text = unescape(&strip_simple_tags(html));
    let mut kept = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphabetic() || c.is_ascii_digit() || c == '_' || c == '-' || c.is_whitespace() {
            kept.push(c);
        }
    }
    let lowered = kept.trim().to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    let mut in_space = false;
    for c in lowered.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push('_');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    if out.is_empty() {
        // Franklin falls back to a Julia hash here, which cannot be reproduced; a stable
        // hash of the text keeps ids unique and deterministic.
        out = format!("h{:x}", fnv1a(html.as_bytes()) & 0xffff_ffff);
    }
    out
}

/// Removes tags without attributes (`<code>`, `</em>`), as Franklin's refstring does.
fn strip_simple_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let name_len = after
            .bytes()
            .take_while(|b| b.is_ascii_lowercase() || *b == b'/')
            .count();
        if name_len > 0 && after.as_bytes().get(name_len) == Some(&b'>') {
            rest = &after[name_len + 1..];
        } else {
            out.push('<');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// A small stable hash (FNV-1a, 64 bit).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A fast 64-bit hash of large texts (whole output pages), to tell whether they changed.
///
/// FNV-1a takes one multiplication per byte, which on a site of hundreds of megabytes of
/// HTML costs more than writing it; this mixes four independent 8-byte lanes per step.
pub fn content_hash(bytes: &[u8]) -> u64 {
    const P: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut lanes: [u64; 4] = [
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    ];
    let mut chunks = bytes.chunks_exact(32);
    for chunk in &mut chunks {
        for (k, lane) in lanes.iter_mut().enumerate() {
            let mut word = [0u8; 8];
            word.copy_from_slice(&chunk[k * 8..k * 8 + 8]);
            *lane = (*lane ^ u64::from_le_bytes(word))
                .wrapping_mul(P)
                .rotate_left(29);
        }
    }
    let mut h = fnv1a(chunks.remainder()) ^ (bytes.len() as u64).wrapping_mul(P);
    for lane in lanes {
        h = (h ^ lane).wrapping_mul(P).rotate_left(31);
    }
    // splitmix64's finaliser, so every input bit reaches every output bit.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {

    proptest::proptest! {
        #[test]
        fn escaping_replaces_exactly_the_bytes_of_its_kind(
            text in crate::test_support::text_of(&[
                "&", "<", ">", "\"", "'", "{", "}", "-", "--", "a", " ", "é", "\u{2013}", "&amp;",
            ], 60)
        ) {
            // One character at a time, as the rules say.
            let expected = |extra: &str| {
                let mut out = String::from("kept ");
                let mut chars = text.chars().peekable();
                while let Some(c) = chars.next() {
                    match c {
                        '&' => out.push_str("&amp;"),
                        '<' => out.push_str("&lt;"),
                        '>' => out.push_str("&gt;"),
                        '"' => out.push_str("&quot;"),
                        '\'' if extra.contains(c) => out.push_str("&#39;"),
                        '{' if extra.contains(c) => out.push_str("&#123;"),
                        '}' if extra.contains(c) => out.push_str("&#125;"),
                        '-' if extra.contains(c) && chars.peek() == Some(&'-') => {
                            chars.next();
                            out.push('\u{2013}');
                        }
                        c => out.push(c),
                    }
                }
                out
            };
            let escaped = |escape: fn(&mut String, &str)| {
                let mut out = String::from("kept ");
                escape(&mut out, &text);
                out
            };
            proptest::prop_assert_eq!(escaped(escape_into), expected(""));
            proptest::prop_assert_eq!(escaped(escape_quotes_into), expected("'"));
            proptest::prop_assert_eq!(escaped(escape_prose_into), expected("-"));
            proptest::prop_assert_eq!(escaped(escape_code_into), expected("{}"));
        }

        #[test]
        fn plain_refstrings_match_the_general_rule(text in "[ a-cA-C0-9_\\-!?.\t\n\x0B\x0C\r]{0,24}") {
            // Plain text gives up only when nothing is left of it.
            let general = refstring_general(&text);
            match refstring_plain(&text) {
                Some(plain) => proptest::prop_assert_eq!(plain, general),
                None => proptest::prop_assert!(!text.bytes().any(|b| b.is_ascii_alphanumeric() || b == b'-')),
            }
        }

        #[test]
        fn find_and_holds_agree_with_std(
            text in crate::test_support::text_of(&["\\", "(", "[", "{", "<p>", "</p>", "a", "é", "\u{E004}"], 30),
            needle in crate::test_support::text_of(&["\\", "(", "[", "{", "<", "p", ">", "/", "é", "\u{E004}"], 6),
        ) {
            proptest::prop_assert_eq!(find(&text, &needle), text.find(needle.as_str()));
            proptest::prop_assert_eq!(holds(&text, &needle), text.contains(needle.as_str()));
        }
    }

    use super::*;

    #[test]
    fn refstring_matches_franklin_examples() {
        assert_eq!(refstring("Subtitle cool&#33;"), "subtitle_cool");
        assert_eq!(refstring("Basics - why and how?"), "basics_-_why_and_how");
        assert_eq!(
            refstring("Part of family 1: should not be nested <code>fd</code>"),
            "part_of_family_1_should_not_be_nested_fd"
        );
        assert_eq!(
            refstring("You need a different software/library than installed"),
            "you_need_a_different_softwarelibrary_than_installed"
        );
        assert_eq!(
            refstring("(i.e.~reproducible science)"),
            "iereproducible_science"
        );
        assert_eq!(refstring("eq 1"), "eq_1");
    }

    #[test]
    fn content_hash_sees_every_byte() {
        let base: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        let h = content_hash(&base);
        assert_eq!(h, content_hash(&base.clone()));
        for at in [0, 7, 31, 32, 500, 991, 999] {
            let mut changed = base.clone();
            changed[at] ^= 1;
            assert_ne!(content_hash(&changed), h, "byte {at}");
        }
        assert_ne!(content_hash(&base[..999]), h);
        assert_ne!(content_hash(b""), content_hash(b"\0"));
    }

    #[test]
    fn escape_and_unescape_round_trip() {
        let s = "a<b & \"c\"";
        assert_eq!(unescape(&escape(s)), s);
        assert_eq!(unescape("&#33;&#x21;&bogus;"), "!!&bogus;");
        // Regression: the entity window once cut a multi-byte character in half.
        assert_eq!(unescape("&aaaaaaaaaé;"), "&aaaaaaaaaé;");
    }
}
