//! Franklin's final pass: root-relative links get the site's `prepath`.

use std::borrow::Cow;

/// Rewrites `src=`, `href=`, `formaction=`, `action=` and `url=` values that start with `/`
/// to start with `/<prepath>/`, as Franklin's `fix_links` does over the whole page.
///
/// Protocol-relative `//host` links are left alone (Franklin rewrites them too, a bug we do
/// not copy: it breaks CDN links).
pub fn apply<'h>(html: &'h str, prepath: &str) -> Cow<'h, str> {
    let prepath = prepath.trim_matches('/');
    if prepath.is_empty() {
        return Cow::Borrowed(html);
    }
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() + 256);
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'=' {
            i += 1;
            continue;
        }
        let name_end = html[..i].trim_end().len();
        let name_start = html[..name_end]
            .rfind(|c: char| !c.is_ascii_alphabetic())
            .map_or(0, |k| k + 1);
        let name = html[name_start..name_end].to_ascii_lowercase();
        if !matches!(
            name.as_str(),
            "src" | "href" | "formaction" | "action" | "url"
        ) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        let quote = match bytes.get(j) {
            Some(q @ (b'"' | b'\'')) => {
                j += 1;
                Some(*q)
            }
            _ => None,
        };
        if bytes.get(j) == Some(&b'/') && bytes.get(j + 1) != Some(&b'/') {
            out.push_str(&html[last..name_end]);
            out.push('=');
            if let Some(q) = quote {
                out.push(q as char);
            }
            out.push('/');
            out.push_str(prepath);
            out.push('/');
            last = j + 1;
        }
        i = j.max(i + 1);
    }
    out.push_str(&html[last..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::apply;

    #[test]
    fn rewrites_root_relative_attributes() {
        assert_eq!(
            apply(
                r#"<a href="/a/b">x</a><img src = '/i.png'><a href="rel/x">"#,
                "/pp/"
            ),
            r#"<a href="/pp/a/b">x</a><img src='/pp/i.png'><a href="rel/x">"#
        );
        assert_eq!(
            apply(r#"<link href="//cdn.x/y.css">"#, "pp"),
            r#"<link href="//cdn.x/y.css">"#
        );
        assert_eq!(apply("<a href=/x>", "pp"), "<a href=/pp/x>");
        assert_eq!(apply("a = /b", "pp"), "a = /b");
        assert_eq!(apply(r#"<a href="/x">"#, ""), r#"<a href="/x">"#);
    }
}
