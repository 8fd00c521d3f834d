//! Franklin's page assembly for sites with a `_layout/` folder:
//! head + content wrapper + body + page foot + wrapper end + foot.

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::dialect::template;
use crate::dialect::vars::PageVars;
use crate::site::SiteFiles;

use super::build::layout_diagnostics;
use super::host::SiteHost;

/// Reads every file of `_layout/` (by path relative to it).
pub fn read_layouts(files: &SiteFiles) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Some(dir) = &files.layout_dir else {
        return out;
    };
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if let Ok(text) = std::fs::read_to_string(entry.path()) {
            out.insert(rel, text);
        }
    }
    out
}

/// Renders one layout file; a missing one is empty, as Franklin requires them but we need not.
fn part(host: &mut SiteHost<'_>, name: &str, diags: &mut Vec<Diagnostic>) -> String {
    let Some(text) = host.site.layouts.get(name).cloned() else {
        return String::new();
    };
    let (html, issues) = template::render(&text, host);
    diags.extend(layout_diagnostics(
        issues,
        &format!("_layout/{name}"),
        &text,
    ));
    html.into_owned()
}

/// The whole page: `head.html`, the content wrapper around body and `page_foot.html`, `foot.html`.
pub fn assemble(
    host: &mut SiteHost<'_>,
    vars: &PageVars,
    body: &str,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let head = part(host, "head.html", diags);
    let page_foot = part(host, "page_foot.html", diags);
    let foot = part(host, "foot.html", diags);
    let (open, close) = wrapper(vars);
    let mut page =
        String::with_capacity(head.len() + body.len() + page_foot.len() + foot.len() + 64);
    page.push_str(&head);
    page.push_str(&open);
    page.push_str(body);
    page.push_str(&page_foot);
    page.push_str(&close);
    page.push_str(&foot);
    page
}

/// The content wrapper from `content_tag`, `content_class`, `content_id` (or legacy `div_content`).
fn wrapper(vars: &PageVars) -> (String, String) {
    let legacy = vars.str("div_content");
    if !legacy.is_empty() {
        return (format!("<div class=\"{legacy}\">"), "</div>".to_string());
    }
    let tag = match vars.get("content_tag") {
        Some(v) => v.as_str().unwrap_or("div").to_string(),
        None => "div".to_string(),
    };
    if tag.is_empty() {
        return (String::new(), String::new());
    }
    let class = match vars.get("content_class") {
        Some(v) => v.as_str().unwrap_or("").to_string(),
        None => "franklin-content".to_string(),
    };
    let id = vars.str("content_id");
    let mut open = format!("<{tag} class=\"{class}\"");
    if !id.is_empty() {
        open.push_str(&format!(" id=\"{id}\""));
    }
    open.push('>');
    (open, format!("</{tag}>"))
}
