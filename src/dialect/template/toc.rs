//! `{{toc}}`: Franklin's table-of-contents markup, depth rules included.

use crate::dialect::Heading;

/// The `<div class="franklin-toc">` for headings with `min ≤ level ≤ max`, or "" when none qualify.
pub(super) fn toc_html(headings: &[Heading], min: i64, max: i64) -> String {
    let picked: Vec<&Heading> = headings
        .iter()
        .filter(|h| (min..=max).contains(&i64::from(h.level)))
        .collect();
    let Some(base) = picked.iter().map(|h| h.level).min() else {
        return String::new();
    };

    // Display depth: one deeper than the previous heading when the level goes up (however
    // far it jumps), otherwise back to 1 for base-level headings and 2 for the rest.
    let mut depths: Vec<usize> = Vec::with_capacity(picked.len());
    for (i, h) in picked.iter().enumerate() {
        let d = match i.checked_sub(1).map(|p| (picked[p].level, depths[p])) {
            None => 1,
            Some((prev_level, prev_depth)) if prev_level < h.level => prev_depth + 1,
            Some(_) if h.level == base => 1,
            Some(_) => 2,
        };
        depths.push(d);
    }

    let mut inner = String::new();
    let mut cur = 0usize;
    let mut open = 0usize;
    for (h, &d) in picked.iter().zip(&depths) {
        if d <= cur {
            inner.push_str("</li>");
            for _ in d..cur {
                inner.push_str("</ol></li>");
            }
            open = open.saturating_sub(cur - d);
            inner.push_str("<li>");
        } else {
            for _ in cur..d {
                inner.push_str("<ol><li>");
            }
            open += d - cur;
        }
        inner.push_str("<a href=\"#");
        inner.push_str(&h.id);
        inner.push_str("\">");
        inner.push_str(&h.html);
        inner.push_str("</a>");
        cur = d;
    }
    for _ in 0..open {
        inner.push_str("</li></ol>");
    }
    format!("<div class=\"franklin-toc\">{inner}</div>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hs(levels: &[(u8, &str)]) -> Vec<Heading> {
        levels
            .iter()
            .enumerate()
            .map(|(i, (level, id))| Heading {
                level: *level,
                id: id.to_string(),
                html: id.to_uppercase(),
                line: i as u32 + 1,
            })
            .collect()
    }

    #[test]
    fn flat() {
        let h = hs(&[(2, "a"), (2, "b")]);
        assert_eq!(
            toc_html(&h, 1, 10),
            "<div class=\"franklin-toc\"><ol><li><a href=\"#a\">A</a></li>\
             <li><a href=\"#b\">B</a></li></ol></div>"
        );
    }

    #[test]
    fn nested_with_min_max_filter() {
        // Franklin's TOC-2 case: levels 1 2 4 3 2 3 with min 2, max 3.
        let h = hs(&[(1, "a"), (2, "b"), (4, "c"), (3, "d"), (2, "e"), (3, "f")]);
        assert_eq!(
            toc_html(&h, 2, 3),
            "<div class=\"franklin-toc\"><ol><li><a href=\"#b\">B</a><ol><li><a href=\"#d\">D</a></li></ol></li>\
             <li><a href=\"#e\">E</a><ol><li><a href=\"#f\">F</a></li></ol></li></ol></div>"
        );
    }

    #[test]
    fn level_jump_counts_as_one_step() {
        // 2 then 4: depth 2, not 3; then 3 after 4 resets to depth 2; then 2 back to 1.
        let h = hs(&[(2, "a"), (4, "b"), (3, "c"), (2, "d")]);
        assert_eq!(
            toc_html(&h, 1, 10),
            "<div class=\"franklin-toc\"><ol><li><a href=\"#a\">A</a><ol><li><a href=\"#b\">B</a></li>\
             <li><a href=\"#c\">C</a></li></ol></li><li><a href=\"#d\">D</a></li></ol></div>"
        );
    }

    #[test]
    fn deep_climb_then_reset_closes_every_list() {
        let h = hs(&[(1, "a"), (2, "b"), (3, "c"), (1, "d")]);
        assert_eq!(
            toc_html(&h, 1, 6),
            "<div class=\"franklin-toc\"><ol><li><a href=\"#a\">A</a><ol><li><a href=\"#b\">B</a>\
             <ol><li><a href=\"#c\">C</a></li></ol></li></ol></li><li><a href=\"#d\">D</a></li></ol></div>"
        );
    }

    #[test]
    fn first_heading_deeper_than_later_ones() {
        // 3 then 2: base is 2, the first is still depth 1 and the second resets to 1.
        let h = hs(&[(3, "a"), (2, "b")]);
        assert_eq!(
            toc_html(&h, 1, 6),
            "<div class=\"franklin-toc\"><ol><li><a href=\"#a\">A</a></li><li><a href=\"#b\">B</a></li></ol></div>"
        );
    }

    #[test]
    fn empty_when_nothing_qualifies() {
        assert_eq!(toc_html(&[], 1, 10), "");
        assert_eq!(toc_html(&hs(&[(1, "a")]), 2, 3), "");
    }
}
