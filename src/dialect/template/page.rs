//! `{{ispage}}` matching: Franklin's `match_url` between a page key and a candidate.

/// True when candidate `cand` (as written in `{{ispage …}}`) designates page key `base`.
pub(super) fn match_url(base: &str, cand: &str) -> bool {
    let base = base.strip_prefix('/').unwrap_or(base);
    let cand = cand.strip_prefix('/').unwrap_or(cand);
    // A glob is a plain prefix test on the text before `/*`, with no `/` boundary.
    if let Some(prefix) = cand.strip_suffix("/*") {
        return base.starts_with(prefix);
    }
    let cand = cand.strip_suffix('/').unwrap_or(cand);
    drop_extension(cand) == base
}

/// Julia's `splitext(p)[1]`: drops the last `.ext` of the last path component, where a
/// leading dot of the component is part of the name.
fn drop_extension(p: &str) -> &str {
    let comp_start = p.rfind('/').map_or(0, |i| i + 1);
    let comp = &p[comp_start..];
    let mut chars = comp.char_indices();
    let Some((_, first)) = chars.next() else {
        return p;
    };
    let after_first = first.len_utf8();
    match comp[after_first..].rfind('.') {
        Some(dot) => &p[..comp_start + after_first + dot],
        None => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_extension() {
        assert!(match_url("index", "index"));
        assert!(match_url("index", "index.html"));
        assert!(match_url("index", "/index.md"));
        assert!(!match_url("pages/git/index", "index"));
        assert!(match_url("about", "about/"));
        assert!(match_url("workflow/index", "workflow/index.html"));
    }

    #[test]
    fn folder_without_glob_does_not_match_its_index() {
        assert!(!match_url("pages/git/index", "pages/git/"));
        assert!(match_url("pages/git/index", "pages/git/*"));
    }

    #[test]
    fn glob_has_no_slash_boundary() {
        assert!(match_url("pagesX/a", "pages/*"));
        assert!(match_url("pages", "pages/*"));
        assert!(!match_url("page", "pages/*"));
    }

    #[test]
    fn tag_pages() {
        assert!(match_url("/tag/git/", "/tag/*"));
        assert!(match_url("/tag/git/", "tag/*"));
        assert!(!match_url("/tag/git/", "/tag/git/"));
    }

    #[test]
    fn splitext_rules() {
        assert_eq!(drop_extension("a.b/c"), "a.b/c");
        assert_eq!(drop_extension("a/.hidden"), "a/.hidden");
        assert_eq!(drop_extension("a/x.tar.gz"), "a/x.tar");
        assert_eq!(drop_extension(""), "");
    }
}
