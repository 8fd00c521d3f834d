//! Page assembly with the built-in theme: highlighted code, MathML math, navigation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::diag::{Diagnostic, LineIndex};
use crate::dialect::{Globals, Value};

use super::build::{pretty_url, PageSummary, PageView};
use super::theme::{build_nav, NavItem, PageContext, Theme};

/// Sites larger than this get a sidebar that only opens the current page's branch.
const FULL_NAV_LIMIT: usize = 200;

/// A page's title as plain text (titles may hold HTML from the first heading).
pub fn plain_title(vars: &crate::dialect::vars::PageVars, fallback: &str) -> String {
    match vars.get("title") {
        Some(Value::Str(t)) if !t.is_empty() => strip_tags(t),
        _ => fallback.to_string(),
    }
}

/// A title that may hold HTML, as plain text.
pub fn plain_title_text(title: &str) -> String {
    strip_tags(title)
}

fn strip_tags(html: &str) -> String {
    // Titles are mostly plain text: nothing to take out or decode.
    if memchr::memchr2(b'<', b'&', html.as_bytes()).is_none() {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    crate::dialect::html::unescape(&out)
}

/// The navigation tree of the whole site, with nothing active.
pub fn site_nav(pages: &[PageSummary]) -> Vec<NavItem> {
    let entries: Vec<(String, String, String)> = pages
        .par_iter()
        .filter(|p| p.out_rel != "404.html")
        .map(|p| {
            (
                pretty_url(&p.url),
                plain_title(&p.vars, &p.rpath),
                p.rpath.clone(),
            )
        })
        .collect();
    // No page is current in the shared tree (an empty URL would match the home page).
    build_nav(&entries, "\u{0}")
}

/// The tree for one page: its entry marked active; on large sites only its branch is open.
fn nav_for(items: &[NavItem], url: &str, trim: bool) -> Vec<NavItem> {
    items
        .iter()
        .map(|item| {
            let on_path = contains(item, url);
            let folded = trim && !on_path && !item.children.is_empty();
            NavItem {
                title: item.title.clone(),
                url: if folded { item.link() } else { &item.url }.to_string(),
                active: item.url == url,
                children: if folded {
                    Vec::new()
                } else {
                    nav_for(&item.children, url, trim)
                },
                folded,
            }
        })
        .collect()
}

fn contains(item: &NavItem, url: &str) -> bool {
    item.url == url || item.children.iter().any(|c| contains(c, url))
}

fn count(items: &[NavItem]) -> usize {
    items.iter().map(|i| 1 + count(&i.children)).sum()
}

/// What the theme reuses across the pages of one build: sidebars (one per branch of the
/// site, with where every page sits in the tree) and typeset formulas.
pub struct ThemeCache {
    /// Typeset formulas, shared by all pages of the build.
    pub math: super::math::MathCache,
    html: Mutex<HashMap<Vec<usize>, Arc<Sidebar>>>,
    /// URL → child indexes from the top of the tree down to its entry.
    paths: HashMap<String, Vec<usize>>,
    /// Large sites open only the current branch.
    trim: bool,
}

impl ThemeCache {
    /// Indexes the site's navigation tree.
    pub fn new(nav: &[NavItem]) -> ThemeCache {
        fn walk(
            items: &[NavItem],
            prefix: &mut Vec<usize>,
            paths: &mut HashMap<String, Vec<usize>>,
        ) {
            for (k, item) in items.iter().enumerate() {
                prefix.push(k);
                if !item.url.is_empty() {
                    paths
                        .entry(item.url.clone())
                        .or_insert_with(|| prefix.clone());
                }
                walk(&item.children, prefix, paths);
                prefix.pop();
            }
        }
        let mut paths = HashMap::new();
        walk(nav, &mut Vec::new(), &mut paths);
        ThemeCache {
            math: super::math::MathCache::default(),
            html: Mutex::new(HashMap::new()),
            paths,
            trim: count(nav) > FULL_NAV_LIMIT,
        }
    }
}

/// One branch's sidebar, with no page marked current.
struct Sidebar {
    html: String,
    /// For each link target (as written, escaped), the offset just past the first
    /// `<a href="…"` to it: where a page marks itself current.
    marks: HashMap<String, usize>,
}

impl Sidebar {
    fn new(html: String) -> Sidebar {
        const OPEN: &str = "<a href=\"";
        let mut marks = HashMap::new();
        let mut from = 0;
        while let Some(k) = html[from..].find(OPEN) {
            let start = from + k + OPEN.len();
            let Some(len) = html[start..].find('"') else {
                break;
            };
            marks
                .entry(html[start..start + len].to_string())
                .or_insert(start + len + 1);
            // A value holds no quote, but the next link may begin inside it.
            from = start;
        }
        Sidebar { html, marks }
    }
}

/// The sidebar of one page: its branch's rendering (made once), and where this page's own
/// link is, to be marked current.
fn sidebar(
    theme: &Theme,
    cache: &ThemeCache,
    nav: &[NavItem],
    url: &str,
) -> Result<(Arc<Sidebar>, Option<usize>), super::theme::ThemeError> {
    // Pages of one folder open the same groups, so they share a rendering; a page that is
    // itself a group opens one more.
    let mut key = cache.paths.get(url).cloned().unwrap_or_default();
    let is_leaf = item_at(nav, &key).is_none_or(|item| item.children.is_empty());
    if is_leaf {
        key.pop();
    }
    let cached = cache.html.lock().ok().and_then(|c| c.get(&key).cloned());
    let bar = match cached {
        Some(bar) => bar,
        None => {
            // Stored without any page marked current; each page adds its own mark.
            let rendered = theme.render_nav(&nav_for(nav, url, cache.trim))?;
            let bar = Arc::new(Sidebar::new(rendered.replace(" aria-current=\"page\"", "")));
            if let Ok(mut c) = cache.html.lock() {
                c.insert(key, bar.clone());
            }
            bar
        }
    };
    let mark = bar.marks.get(&crate::dialect::html::escape(url)).copied();
    Ok((bar, mark))
}

fn item_at<'a>(items: &'a [NavItem], path: &[usize]) -> Option<&'a NavItem> {
    let (first, rest) = path.split_first()?;
    let item = items.get(*first)?;
    if rest.is_empty() {
        Some(item)
    } else {
        item_at(&item.children, rest)
    }
}

/// Renders a page with the theme.
pub fn page(
    theme: &Theme,
    theme_cache: &ThemeCache,
    view: PageView<'_>,
    body: String,
    globals: &Globals,
    source: &str,
    diags: &mut Vec<Diagnostic>,
) -> Result<String, Box<Diagnostic>> {
    let file: Arc<str> = Arc::from(view.rpath);
    // Math first: it steps over code blocks whole, which is quicker before highlighting
    // has filled them with tags.
    let (body, problems) = if body.contains("\\(") || body.contains("\\[") {
        super::math::render_math_with(&body, Some(&theme_cache.math))
    } else {
        (body, Vec::new())
    };
    let body = if super::highlight::has_code_blocks(&body) {
        super::highlight::highlight_html(&body)
    } else {
        body
    };
    if !problems.is_empty() {
        let lines = LineIndex::new(source);
        for p in problems {
            let tex = p.split('`').nth(1).unwrap_or("");
            let needle = tex
                .trim_start_matches(['\\', '(', '[', '$'])
                .lines()
                .next()
                .unwrap_or("")
                .trim_end_matches(['\\', ')', ']', '$'])
                .trim();
            let needle: String = needle.chars().take(24).collect();
            let at = if needle.is_empty() {
                None
            } else {
                source.find(&needle)
            };
            let mut d = Diagnostic::warning("math-render", p)
                .help("notes renders math to MathML at build time; rewrite the formula with supported commands");
            d.span = Some(lines.span(
                &file,
                source,
                at.unwrap_or(0),
                at.map_or(0, |a| a + needle.len()),
            ));
            diags.push(d);
        }
    }
    let url = pretty_url(view.url);
    let vars = view.vars;
    let date = vars
        .get("date")
        .and_then(super::dates::Date::of_value)
        .filter(|d| (d.year, d.month, d.day) != (1, 1, 1))
        .map(|d| d.format(globals.vars.str("date_format")));
    let (bar, mark) = sidebar(theme, theme_cache, view.nav, &url)
        .map_err(|e| Box::new(Diagnostic::error("theme-error", e.to_string())))?;
    let nav_html = match mark {
        Some(at) => [&bar.html[..at], " aria-current=\"page\"", &bar.html[at..]],
        None => [bar.html.as_str(), "", ""],
    };
    let toc_levels = vars.int("mintoclevel").unwrap_or(1)..=vars.int("maxtoclevel").unwrap_or(10);
    let tags = vars.strings("tags");
    let mut ctx = PageContext {
        site_title: globals.vars.str("website_title").to_string(),
        page_title: plain_title(vars, view.rpath),
        body,
        toc: view
            .headings
            .iter()
            .filter(|h| toc_levels.contains(&i64::from(h.level)))
            .cloned()
            .collect(),
        nav_html: None,
        nav: Vec::new(),
        url,
        root: "/".to_string(),
        tag_slugs: tags
            .iter()
            .map(|t| crate::dialect::html::refstring(t))
            .collect(),
        tags,
        date,
        author: vars.str("author").to_string(),
        description: vars.str("website_description").to_string(),
        has_math: vars.bool("hasmath"),
        has_code: vars.bool("hascode"),
    };
    theme
        .render_page_with_nav(&mut ctx, &nav_html)
        .map_err(|e| {
            Box::new(Diagnostic::error("theme-error", e.to_string()).help(
                "fix the site's `templates/` override, or remove it to use the built-in theme",
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidebar_marks_are_where_the_first_link_to_each_url_ends() {
        let html = "<a href=\"/a/\">A</a><a href=\"/b/\"><a href=\"/a/\">again</a>\
                    <a href=\"x<a href=\"/c/\">C</a><a href=\"\">none</a><a href=\"/d";
        let bar = Sidebar::new(html.to_string());
        for url in ["/a/", "/b/", "/c/", "x<a href=", "", "/d", "/e/"] {
            let link = format!("<a href=\"{url}\"");
            let expected = html.find(&link).map(|at| at + link.len());
            assert_eq!(bar.marks.get(url).copied(), expected, "{url}");
        }
    }
}
