//! Files made from the whole site: tag pages, `sitemap.xml`, `robots.txt` and the RSS feed.

use std::borrow::Cow;

use rayon::prelude::*;

use crate::diag::Diagnostic;
use crate::dialect::html::{escape, escape_into};
use crate::dialect::resources::Resources;
use crate::dialect::template;
use crate::dialect::vars::PageVars;
use crate::dialect::{Globals, Value};
use crate::site;

use super::build::{layout_diagnostics, PageSummary};
use super::dates::Date;
use super::host::{SiteHost, SiteIndex};
use super::theme::{NavItem, TagContext, Theme};

/// The tag page Franklin writes into `_layout/` when a site has none.
const DEFAULT_TAG_LAYOUT: &str = "{{insert head.html}}\n<div class=\"franklin-content tagpage\">\n<h1>Tag: {{fill fd_tag}}</h1>\n{{taglist}}\n</div>\n{{insert foot.html}}\n";

/// A generated file: output path and bytes.
pub type OutputFile = (String, Vec<u8>);

/// One sitemap line, borrowed from its page (one per page, made at the end of the build).
#[derive(Debug, PartialEq)]
pub struct SitemapEntry<'a> {
    /// `/a/b/index.html`.
    pub url: &'a str,
    /// Last modification.
    pub date: Date,
    /// Change frequency.
    pub freq: &'a str,
    /// Priority, as written.
    pub prio: Cow<'a, str>,
}

/// The sitemap, `robots.txt` and the RSS feed, as (output path, bytes), as the site asks.
pub fn generated_files(
    pages: &[PageSummary],
    globals: &Globals,
    sitemap: Vec<&SitemapEntry<'_>>,
) -> Vec<(String, Vec<u8>)> {
    let vars = &globals.vars;
    let mut files = Vec::new();
    let website_url = vars.str("website_url").trim_end_matches('/').to_string();
    let sitemap_name = match vars.str("sitemap_file") {
        "" => "sitemap".to_string(),
        s => s.to_string(),
    };
    if flag(vars, "generate_sitemap", true) {
        files.push((
            format!("{sitemap_name}.xml"),
            sitemap_xml(&website_url, sitemap).into_bytes(),
        ));
    }
    if flag(vars, "generate_robots", true) {
        let mut disallow = vars.strings("robots_disallow");
        disallow.extend(
            pages
                .iter()
                .filter(|p| p.vars.bool("robots_disallow_this_page"))
                .map(|p| p.url.to_string()),
        );
        files.push((
            "robots.txt".to_string(),
            robots_txt(&website_url, &sitemap_name, &disallow).into_bytes(),
        ));
    }
    let rss_ready = ["website_title", "website_url", "website_description"]
        .iter()
        .all(|k| !vars.str(k).is_empty());
    if flag(vars, "generate_rss", false) && rss_ready {
        let name = match vars.str("rss_file") {
            "" => "feed".to_string(),
            s => s.to_string(),
        };
        files.push((format!("{name}.xml"), rss_xml(vars, pages).into_bytes()));
    }
    files
}

fn flag(vars: &PageVars, name: &str, default: bool) -> bool {
    match vars.get(name) {
        Some(Value::Bool(b)) => *b,
        _ => default,
    }
}

/// The tag pages, unless the site turns them off: each is handed to `write` as (output
/// path, bytes) as soon as it is made, and what `write` returns is collected in tag order.
pub fn tag_files<W: Send>(
    index: &SiteIndex,
    globals: &Globals,
    theme: Option<&Theme>,
    resources: &dyn Resources,
    diags: &mut Vec<Diagnostic>,
    write: &(impl Fn(String, Vec<u8>) -> W + Sync),
) -> Vec<W> {
    if !flag(&globals.vars, "generate_tags", true) {
        return Vec::new();
    }
    let mut tags: Vec<&String> = index.tags.keys().collect();
    tags.sort();
    let layout = index
        .layouts
        .get("tag.html")
        .map_or(DEFAULT_TAG_LAYOUT, String::as_str);
    // Tag pages are independent of each other: render them in parallel.
    let rendered: Vec<(Option<W>, Vec<Diagnostic>)> = tags
        .par_iter()
        .map(|tag| {
            let mut diags = Vec::new();
            let page = tag_page(tag, index, globals, theme, resources, layout, &mut diags);
            (page.map(|(rel, bytes)| write(rel, bytes)), diags)
        })
        .collect();
    let mut out = Vec::with_capacity(rendered.len());
    for (page, mut d) in rendered {
        diags.append(&mut d);
        out.extend(page);
    }
    out
}

/// One tag page: the theme's, or `_layout/tag.html` through Franklin's templates.
#[allow(clippy::too_many_arguments)]
fn tag_page(
    tag: &str,
    index: &SiteIndex,
    globals: &Globals,
    theme: Option<&Theme>,
    resources: &dyn Resources,
    layout: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<OutputFile> {
    let rel = site::tag_output_path(&index.tag_path, tag);
    let html = match theme {
        Some(theme) => {
            let pages = index.tags[tag]
                .iter()
                .map(|entry| &**entry)
                .map(|(url, title, _)| NavItem {
                    title: super::themed::plain_title_text(title),
                    url: Cow::Borrowed(url),
                    children: Vec::new(),
                })
                .collect();
            let ctx = TagContext {
                site_title: globals.vars.str("website_title").to_string(),
                tag: tag.to_string(),
                pages,
                url: site::url_of(&rel),
                root: "/".to_string(),
            };
            match theme.render_tag(&ctx) {
                Ok(h) => h,
                Err(e) => {
                    diags.push(Diagnostic::error("theme-error", e.to_string()));
                    return None;
                }
            }
        }
        None => {
            let mut vars = PageVars::for_page(&globals.vars);
            vars.set_raw("fd_tag", Value::Str(tag.to_string()));
            vars.set_raw("fd_url", Value::Str(format!("/{rel}")));
            let mut host = SiteHost {
                site: index,
                vars: &vars,
                headings: &[],
                key: format!("/{}/{tag}/", index.tag_path),
                tag: Some(tag.to_string()),
                resources,
                redirects: Vec::new(),
                sitemap_exclude: false,
            };
            let (html, issues) = template::render(layout, &mut host);
            diags.extend(layout_diagnostics(issues, "_layout/tag.html", layout));
            html.into_owned()
        }
    };
    Some((rel, html.into_bytes()))
}

fn sitemap_xml(website_url: &str, mut sorted: Vec<&SitemapEntry<'_>>) -> String {
    sorted.sort_by(|a, b| a.url.cmp(b.url));
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\" ?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    // One line per page of the site, written straight into the document, without a string
    // per field.
    let site = escape(website_url);
    // Sized from the entries themselves (the tags and the date take 120 bytes; escaping
    // rarely adds to a URL): a guess that left the URLs out made the buffer move, megabytes
    // of it on a large site, into fresh memory at the end of the build.
    const MARKUP: usize = 128;
    let size: usize = sorted
        .iter()
        .map(|e| MARKUP + site.len() + e.url.len() + e.freq.len() + e.prio.len())
        .sum();
    xml.reserve(size + size / 64);
    for entry in sorted {
        xml.push_str("\n<url>\n    <loc>");
        xml.push_str(&site);
        escape_into(&mut xml, entry.url);
        xml.push_str("</loc>\n    <lastmod>");
        entry.date.push_iso(&mut xml);
        xml.push_str("</lastmod>\n    <changefreq>");
        escape_into(&mut xml, entry.freq);
        xml.push_str("</changefreq>\n    <priority>");
        escape_into(&mut xml, &entry.prio);
        xml.push_str("</priority>\n</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

fn robots_txt(website_url: &str, sitemap_name: &str, disallow: &[String]) -> String {
    let mut txt = format!("Sitemap: {website_url}/{sitemap_name}.xml\n\nUser-agent: *\n");
    if disallow.is_empty() {
        txt.push_str("Disallow:\n");
    }
    for d in disallow {
        txt.push_str(&format!("Disallow: {d}\n"));
    }
    txt
}

fn rss_xml(vars: &PageVars, pages: &[PageSummary]) -> String {
    let url = vars.str("website_url").trim_end_matches('/');
    let mut items: Vec<(&PageSummary, Date)> = pages
        .iter()
        .filter(|p| !p.vars.str("rss_description").is_empty())
        .map(|p| {
            let date = p
                .vars
                .get("rss_pubdate")
                .and_then(Date::of_value)
                .filter(|d| d.year > 1)
                .or_else(|| {
                    p.vars
                        .get("date")
                        .and_then(Date::of_value)
                        .filter(|d| d.year > 1)
                })
                .unwrap_or(p.mtime);
            (p, date)
        })
        .collect();
    items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.url.cmp(b.0.url)));
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\">\n<channel>\n  <title>{}</title>\n  <link>{}</link>\n  <description>{}</description>\n",
        escape(vars.str("website_title")),
        escape(url),
        escape(vars.str("website_description"))
    );
    for (p, date) in items {
        let title = match p.vars.str("rss_title") {
            "" => super::themed::plain_title(p.vars, p.rpath),
            t => std::borrow::Cow::Borrowed(t),
        };
        xml.push_str(&format!(
            "  <item>\n    <title>{}</title>\n    <link>{}{}</link>\n    <guid>{}{}</guid>\n    <description>{}</description>\n    <pubDate>{}</pubDate>\n  </item>\n",
            escape(&title),
            escape(url),
            escape(p.url),
            escape(url),
            escape(p.url),
            escape(p.vars.str("rss_description")),
            date.rfc822()
        ));
    }
    xml.push_str("</channel>\n</rss>\n");
    xml
}
