//! Page assembly with the built-in theme: highlighted code, MathML math, navigation.

use std::borrow::Cow;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diag::{Diagnostic, LineIndex};
use crate::dialect::{Globals, Value};

use super::build::{pretty_url, PageSummary, PageView};
use super::theme::{build_nav, nav_script, PageContext, Theme};

/// A page's title as plain text (titles may hold HTML from the first heading).
pub fn plain_title<'a>(
    vars: &'a crate::dialect::vars::PageVars,
    fallback: &'a str,
) -> Cow<'a, str> {
    match vars.get("title") {
        Some(Value::Str(t)) if !t.is_empty() => plain_title_text(t),
        _ => Cow::Borrowed(fallback),
    }
}

/// A title that may hold HTML, as plain text (the title itself when it holds no markup).
pub fn plain_title_text(html: &str) -> Cow<'_, str> {
    // Titles are mostly plain text: nothing to take out or decode.
    if memchr::memchr2(b'<', b'&', html.as_bytes()).is_none() {
        return Cow::Borrowed(html);
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
    Cow::Owned(crate::dialect::html::unescape(&out))
}

/// The sidebar script of the whole site (see [`super::theme::nav_script`]).
pub fn site_nav_script(pages: &[PageSummary]) -> String {
    // Borrowed where they can be: copied, they were tens of thousands of strings made at the
    // end of a large build, in fresh memory. One slot per page, filled in place (a filtered
    // parallel collect would grow pieces and join them).
    let entries: Vec<Option<(&str, Cow<str>, &str)>> = pages
        .par_iter()
        .map(|p| {
            (p.out_rel != "404.html")
                .then(|| (pretty_url(p.url), plain_title(p.vars, p.rpath), p.rpath))
        })
        .collect();
    nav_script(&build_nav(entries.iter().flatten()))
}

/// What the theme reuses across the pages of one build.
#[derive(Default)]
pub struct ThemeCache {
    /// Typeset formulas, shared by all pages of the build.
    pub math: super::math::MathCache,
}

/// Renders a page with the theme.
pub fn page(
    theme: &Theme,
    theme_cache: &ThemeCache,
    view: PageView<'_>,
    body: std::borrow::Cow<'_, str>,
    globals: &Globals,
    source: &str,
    diags: &mut Vec<Diagnostic>,
) -> Result<String, Box<Diagnostic>> {
    let file: Arc<str> = Arc::from(view.rpath);
    // Math first: it steps over code blocks whole, which is quicker before highlighting
    // has filled them with tags.
    let (body, problems) = super::math::typeset_math(&body, Some(&theme_cache.math))
        .unwrap_or_else(|| (body.into_owned(), Vec::new()));
    let body = super::highlight::highlight_blocks(&body).unwrap_or(body);
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
    let url = pretty_url(view.url).to_string();
    let vars = view.vars;
    let date = vars
        .get("date")
        .and_then(super::dates::Date::of_value)
        .filter(|d| (d.year, d.month, d.day) != (1, 1, 1))
        .map(|d| d.format(globals.vars.str("date_format")));
    let toc_levels = vars.int("mintoclevel").unwrap_or(1)..=vars.int("maxtoclevel").unwrap_or(10);
    let tags = vars.strings("tags");
    let ctx = PageContext {
        site_title: globals.vars.str("website_title").to_string(),
        page_title: plain_title(vars, view.rpath).into_owned(),
        body,
        toc: view
            .headings
            .iter()
            .filter(|h| toc_levels.contains(&i64::from(h.level)))
            .cloned()
            .collect(),
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
    theme.render_page(&ctx).map_err(|e| {
        Box::new(
            Diagnostic::error("theme-error", e.to_string()).help(
                "fix the site's `templates/` override, or remove it to use the built-in theme",
            ),
        )
    })
}
