//! The built-in `page.html` and `tag.html` (with `base.html` and the `toc_list` macro)
//! written out in Rust.
//!
//! Laying out a page through tera means serializing the whole context, body and sidebar
//! included, into JSON values and walking the template tree for every page; on a site of
//! thousands of pages that was a tenth of the build. A site that does not override the three
//! templates gets these functions instead, which must produce exactly what tera produces from
//! the built-in files: the tests render many contexts both ways and compare the bytes, so a
//! change to `templates/page.html`, `tag.html`, `base.html` or `macros.html` must be made
//! here too.

use super::theme::{escape_html, escape_html_into, toc_tree, PageContext, TagContext, TocNode};

/// `base.html` from the top to the opening `<title>`.
const DOCUMENT_START: &str =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
     <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
     <meta name=\"color-scheme\" content=\"light dark\">\n<title>";

/// `base.html` after the main content block.
const DOCUMENT_END: &str =
    "\n  </main>\n</div>\n<div class=\"nav-backdrop\" hidden></div>\n</body>\n</html>\n";

/// `base.html` from the end of the head block to the end of the sidebar. The sidebar holds
/// only the script that fills it in the browser, so a page does not depend on the others.
fn top_bar(out: &mut String, root: &str, site_title: &str, url: &str) {
    out.push_str("\n<script src=\"");
    out.push_str(root);
    out.push_str(TOP_BAR);
    out.push_str(root);
    out.push_str("\">");
    escape_html_into(out, site_title);
    out.push_str(THEME_TOGGLE);
    escape_html_into(out, url);
    out.push_str("\">\n    <script src=\"");
    out.push_str(root);
    out.push_str(super::theme::NAV_SCRIPT);
    out.push_str("\"></script>\n    <noscript><a href=\"");
    out.push_str(root);
    out.push_str(NOSCRIPT);
}

/// The theme's stylesheet link.
fn stylesheet(out: &mut String, root: &str) {
    out.push_str("\n<link rel=\"stylesheet\" href=\"");
    out.push_str(root);
    out.push_str("css/notes-theme.css\">");
}

/// A tag page as the built-in `tag.html` lays it out.
pub(super) fn tag_page(ctx: &TagContext) -> String {
    let mut out = String::with_capacity(4096 + ctx.pages.len() * 96);
    let root = escape_html(&ctx.root);
    out.push_str(DOCUMENT_START);
    out.push_str("Tag: ");
    escape_html_into(&mut out, &ctx.tag);
    out.push_str(" · ");
    escape_html_into(&mut out, &ctx.site_title);
    out.push_str("</title>");
    stylesheet(&mut out, &root);
    top_bar(&mut out, &root, &ctx.site_title, &ctx.url);
    out.push_str(
        "\n  <main id=\"main\" class=\"content\">\n    <article class=\"page tag-page\">\n      \
         <h1>Pages tagged <span class=\"tag\">",
    );
    escape_html_into(&mut out, &ctx.tag);
    out.push_str("</span></h1>");
    if ctx.pages.is_empty() {
        out.push_str("\n      <p>No page has this tag.</p>");
    } else {
        out.push_str("\n      <ul class=\"tag-list\">");
        for page in &ctx.pages {
            out.push_str("\n        <li><a href=\"");
            escape_html_into(&mut out, &page.url);
            out.push_str("\">");
            escape_html_into(&mut out, &page.title);
            out.push_str("</a></li>");
        }
        out.push_str("\n      </ul>");
    }
    out.push_str("\n    </article>\n");
    out.push_str(DOCUMENT_END);
    out
}

/// The page as the built-in templates lay it out.
pub(super) fn page(ctx: &PageContext) -> String {
    let mut out = String::with_capacity(ctx.body.len() + 4096);
    let text = escape_html_into;
    let root = escape_html(&ctx.root);

    out.push_str(DOCUMENT_START);
    if !ctx.page_title.is_empty() && ctx.page_title != ctx.site_title {
        text(&mut out, &ctx.page_title);
        out.push_str(" · ");
    }
    text(&mut out, &ctx.site_title);
    out.push_str("</title>");
    if !ctx.description.is_empty() {
        out.push_str("\n<meta name=\"description\" content=\"");
        text(&mut out, &ctx.description);
        out.push_str("\">");
    }
    if !ctx.author.is_empty() {
        out.push_str("\n<meta name=\"author\" content=\"");
        text(&mut out, &ctx.author);
        out.push_str("\">");
    }
    stylesheet(&mut out, &root);
    if ctx.has_code {
        out.push_str("\n<link rel=\"stylesheet\" href=\"");
        out.push_str(&root);
        out.push_str("css/notes-highlight.css\">");
    }
    top_bar(&mut out, &root, &ctx.site_title, &ctx.url);

    let toc = toc_tree(&ctx.toc);
    if !toc.is_empty() {
        out.push_str(
            "\n  <aside class=\"page-toc\" aria-label=\"On this page\">\n    <details open>\n      \
             <summary>On this page</summary>\n      ",
        );
        toc_list(&mut out, &toc);
        out.push_str("\n    </details>\n  </aside>");
    }

    out.push_str("\n  <main id=\"main\" class=\"content\">\n    <article class=\"page");
    if ctx.has_math {
        out.push_str(" has-math");
    }
    out.push_str("\">");
    if !ctx.page_title.is_empty() && !ctx.body.trim_start().starts_with("<h1") {
        out.push_str("\n<h1 class=\"page-title\">");
        text(&mut out, &ctx.page_title);
        out.push_str("</h1>");
    }
    out.push('\n');
    out.push_str(&ctx.body);
    out.push_str("\n    </article>");
    let date = ctx.date.as_deref().unwrap_or("");
    if !ctx.tags.is_empty() || !date.is_empty() || !ctx.author.is_empty() {
        out.push_str("\n    <footer class=\"page-meta\">");
        if !ctx.author.is_empty() {
            out.push_str("<span class=\"page-author\">");
            text(&mut out, &ctx.author);
            out.push_str("</span>");
        }
        if !date.is_empty() {
            out.push_str("<time class=\"page-date\">");
            text(&mut out, date);
            out.push_str("</time>");
        }
        if !ctx.tags.is_empty() {
            out.push_str("\n      <ul class=\"page-tags\" aria-label=\"Tags\">");
            for (tag, slug) in ctx.tags.iter().zip(&ctx.tag_slugs) {
                out.push_str("<li><a class=\"tag\" href=\"");
                out.push_str(&root);
                out.push_str("tag/");
                text(&mut out, slug);
                out.push_str("/\">");
                text(&mut out, tag);
                out.push_str("</a></li>");
            }
            out.push_str("</ul>");
        }
        out.push_str("\n    </footer>");
    }
    out.push('\n');
    out.push_str(DOCUMENT_END);
    out
}

/// Whether a page can be laid out here: every tag has its page name (tera would fail on a
/// missing one, and that error must stay tera's).
pub(super) fn applies(ctx: &PageContext) -> bool {
    ctx.tag_slugs.len() >= ctx.tags.len()
}

/// The `toc_list` macro.
fn toc_list(out: &mut String, nodes: &[TocNode]) {
    out.push_str("<ol>");
    for node in nodes {
        out.push_str("\n  <li><a href=\"#");
        escape_html_into(out, node.id);
        out.push_str("\">");
        out.push_str(&node.html);
        out.push_str("</a>");
        if !node.children.is_empty() {
            toc_list(out, &node.children);
        }
        out.push_str("</li>");
    }
    out.push_str("\n</ol>");
}

/// `base.html` from the script's path to the site title's link.
const TOP_BAR: &str = "js/notes-theme.js\"></script>\n</head>\n<body>\n\
<a class=\"skip-link\" href=\"#main\">Skip to content</a>\n<header class=\"topbar\">\n  \
<button type=\"button\" class=\"nav-toggle\" aria-controls=\"sidebar\" aria-expanded=\"false\" \
aria-label=\"Show navigation\" title=\"Show navigation\">\n    \
<svg viewBox=\"0 0 24 24\" width=\"22\" height=\"22\" aria-hidden=\"true\" focusable=\"false\">\
<path d=\"M3.5 6.5h17M3.5 12h17M3.5 17.5h17\" fill=\"none\" stroke=\"currentColor\" \
stroke-width=\"2\" stroke-linecap=\"round\"/></svg>\n  </button>\n  <a class=\"site-title\" href=\"";

/// `base.html` from the end of the site title to the current page's address on the sidebar.
const THEME_TOGGLE: &str = "</a>\n  \
<button type=\"button\" class=\"theme-toggle\" aria-label=\"Toggle dark mode\" \
title=\"Toggle dark mode\">\n    \
<svg class=\"icon-moon\" viewBox=\"0 0 24 24\" width=\"20\" height=\"20\" aria-hidden=\"true\" \
focusable=\"false\"><path d=\"M20.5 14.2A8.6 8.6 0 0 1 9.8 3.5a8.6 8.6 0 1 0 10.7 10.7z\" \
fill=\"currentColor\"/></svg>\n    \
<svg class=\"icon-sun\" viewBox=\"0 0 24 24\" width=\"20\" height=\"20\" aria-hidden=\"true\" \
focusable=\"false\"><circle cx=\"12\" cy=\"12\" r=\"4.2\" fill=\"currentColor\"/>\
<path d=\"M12 2v2.6M12 19.4V22M2 12h2.6M19.4 12H22M4.9 4.9l1.8 1.8M17.3 17.3l1.8 1.8M4.9 19.1l1.8-1.8M17.3 6.7l1.8-1.8\" \
fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-linecap=\"round\"/></svg>\n  \
</button>\n</header>\n<div class=\"layout\">\n  \
<nav id=\"sidebar\" class=\"sidebar\" aria-label=\"Pages\" data-page=\"";

/// `base.html` from the home link of the sidebar's fallback to the end of the sidebar.
const NOSCRIPT: &str = "\">Home</a> (the list of pages needs JavaScript)</noscript>\n  </nav>";
