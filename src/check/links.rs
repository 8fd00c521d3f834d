//! Internal links, `#anchors` and assets, judged against the files and ids the build wrote.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::diag::Diagnostic;
use crate::dialect::LinkKind;
use crate::render::BuildReport;

/// Checks every link, image and asset of every page.
pub fn check_links(report: &BuildReport, out: &Path) -> Vec<Diagnostic> {
    let outputs: HashSet<&str> = report.outputs.iter().map(String::as_str).collect();
    let mut ids = IdCache::new(out);
    let mut diags = Vec::new();
    for (page, link) in &report.links {
        let dest = link.dest.trim();
        if dest.is_empty() || is_external(dest) || dest.contains("{{") {
            continue;
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        let path = path.split('?').next().unwrap_or("");
        let target = if path.is_empty() {
            Some(page.clone())
        } else {
            resolve(page, path, &report.prepath).and_then(|rel| {
                candidates(&rel)
                    .into_iter()
                    .find(|c| outputs.contains(c.as_str()))
            })
        };
        let Some(target) = target else {
            let (code, what, help) = match link.kind {
                LinkKind::Link => (
                    "broken-link",
                    "page or file",
                    "check the path: `/a/b/` is from the site root, `../b/` is relative to this page's address",
                ),
                LinkKind::Image | LinkKind::Asset => (
                    "missing-asset",
                    "file",
                    "check the path, and that the file is in the site (e.g. under `_assets/`, published as `/assets/`)",
                ),
            };
            diags.push(
                Diagnostic::error(
                    code,
                    format!("`{dest}` does not lead to a {what} of the site"),
                )
                .at(link.span.clone())
                .help(help),
            );
            continue;
        };
        let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
            continue;
        };
        if !target.ends_with(".html") {
            continue;
        }
        let page_ids = ids.get(&target);
        if !page_ids.contains(fragment) {
            let max = (fragment.chars().count() / 4).max(3);
            let help = match crate::diag::suggest::closest(fragment, page_ids.iter().map(String::as_str), max) {
                Some(s) => format!("did you mean `#{s}`? Heading ids are the lower-cased title with `_` for spaces"),
                None => "heading ids are the lower-cased title with `_` for spaces; `\\label{name}` makes an anchor".to_string(),
            };
            diags.push(
                Diagnostic::error(
                    "broken-anchor",
                    format!("`#{fragment}` is not an id on `/{}`", pretty(&target)),
                )
                .at(link.span.clone())
                .help(help),
            );
        }
    }
    diags.extend(duplicate_ids(report, &mut ids));
    diags
}

/// Links that leave the site, or are not links to files at all.
fn is_external(dest: &str) -> bool {
    dest.starts_with("//")
        || dest.contains("://")
        || ["mailto:", "tel:", "javascript:", "data:"]
            .iter()
            .any(|p| dest.starts_with(p))
}

/// The output path a link's path points to, relative to the output folder; None when it
/// leaves the site.
pub fn resolve(page: &str, path: &str, prepath: &str) -> Option<String> {
    let joined = if let Some(abs) = path.strip_prefix('/') {
        let prepath = prepath.trim_matches('/');
        match abs.strip_prefix(prepath).filter(|_| !prepath.is_empty()) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                rest.trim_start_matches('/').to_string()
            }
            _ => abs.to_string(),
        }
    } else {
        let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
        if dir.is_empty() {
            path.to_string()
        } else {
            format!("{dir}/{path}")
        }
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut rel = parts.join("/");
    if joined.ends_with('/') && !rel.is_empty() {
        rel.push('/');
    }
    Some(rel.replace("%20", " "))
}

/// Files a resolved link may mean: `a/` → `a/index.html`; `a` → `a`, `a/index.html`, `a.html`.
fn candidates(rel: &str) -> Vec<String> {
    if rel.is_empty() {
        return vec!["index.html".to_string()];
    }
    if rel.ends_with('/') {
        return vec![format!("{rel}index.html")];
    }
    vec![
        rel.to_string(),
        format!("{rel}/index.html"),
        format!("{rel}.html"),
    ]
}

fn pretty(target: &str) -> &str {
    target.strip_suffix("index.html").unwrap_or(target)
}

/// The ids written in each output page, read once.
struct IdCache<'a> {
    out: &'a Path,
    pages: HashMap<String, HashSet<String>>,
}

impl<'a> IdCache<'a> {
    fn new(out: &'a Path) -> IdCache<'a> {
        IdCache {
            out,
            pages: HashMap::new(),
        }
    }

    fn get(&mut self, rel: &str) -> &HashSet<String> {
        let out = self.out;
        self.pages.entry(rel.to_string()).or_insert_with(|| {
            let html = std::fs::read_to_string(out.join(rel)).unwrap_or_default();
            html_ids(&html).into_iter().collect()
        })
    }
}

/// Every `id="..."` in an HTML text, in order (duplicates kept).
pub fn html_ids(html: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(k) = html[from..].find("id=") {
        let at = from + k;
        from = at + 3;
        let boundary = at
            .checked_sub(1)
            .map(|p| bytes[p])
            .is_some_and(|b| b.is_ascii_whitespace());
        if !boundary {
            continue;
        }
        let Some(&quote) = bytes.get(at + 3) else {
            break;
        };
        if quote != b'"' && quote != b'\'' {
            continue;
        }
        let start = at + 4;
        if let Some(len) = html[start..].find(quote as char) {
            ids.push(crate::dialect::html::unescape(&html[start..start + len]));
            from = start + len;
        }
    }
    ids
}

/// An id used twice on a page makes `#links` to it ambiguous.
fn duplicate_ids(report: &BuildReport, ids: &mut IdCache<'_>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut pages: Vec<&String> = report.anchors.keys().collect();
    pages.sort();
    for page in pages {
        let html = std::fs::read_to_string(ids.out.join(page)).unwrap_or_default();
        let mut seen = HashSet::new();
        let mut reported = HashSet::new();
        for id in html_ids(&html) {
            if !seen.insert(id.clone()) && reported.insert(id.clone()) {
                let span = page_span(report, page, &id);
                let mut d = Diagnostic::warning(
                    "duplicate-id",
                    format!(
                        "the id `{id}` is used more than once on `/{}`",
                        pretty(page)
                    ),
                )
                .help("links to `#id` reach only the first; rename one of the labels or headings");
                d.span = span;
                diags.push(d);
            }
        }
    }
    diags
}

/// Where in a page's source an id comes from (its first mention), for duplicate reports.
fn page_span(report: &BuildReport, page: &str, id: &str) -> Option<crate::diag::Span> {
    let rpath = report.page_sources.get(page)?;
    let source = report.sources.get(rpath)?;
    let file: std::sync::Arc<str> = std::sync::Arc::from(rpath.as_str());
    let at = source.find(id).unwrap_or(0);
    Some(crate::diag::Span::in_text(&file, source, at, at + id.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_like_a_browser() {
        assert_eq!(
            resolve("pages/git/index.html", "../docker/basics", "").as_deref(),
            Some("pages/docker/basics")
        );
        assert_eq!(
            resolve("pages/git/index.html", "/pages/x/", "").as_deref(),
            Some("pages/x/")
        );
        assert_eq!(
            resolve("a/index.html", "/course/b/", "course").as_deref(),
            Some("b/")
        );
        assert_eq!(resolve("index.html", "../../etc", ""), None);
        assert_eq!(
            resolve("a/b/index.html", "img.png", "").as_deref(),
            Some("a/b/img.png")
        );
        assert_eq!(candidates("a"), vec!["a", "a/index.html", "a.html"]);
        assert_eq!(candidates(""), vec!["index.html"]);
    }

    #[test]
    fn ids_are_read_from_html() {
        let html =
            r##"<h2 id="a"><a href="#a">x</a></h2><div data-id="no" id='b'></div><a id="a"></a>"##;
        assert_eq!(html_ids(html), vec!["a", "b", "a"]);
    }

    #[test]
    fn external_links_are_skipped() {
        assert!(is_external("https://x.org"));
        assert!(is_external("//cdn.x"));
        assert!(is_external("mailto:a@b"));
        assert!(!is_external("/a/b/"));
    }
}
