//! A page rendered on its own, without a site: the dialect plus its `{{ }}` pass.
//!
//! Used by tests, by `notes` for single pages, and as the model for the site build's
//! richer host.

use std::sync::Arc;

use super::template::{self, TemplateHost, TemplateIssue};
use super::vars::PageVars;
use super::{convert_page, read_config, Converted, Globals, Heading, PageContext, Value};
use crate::diag::{Diagnostic, Severity, Span};

use super::resources::Resources;

/// A template host that knows one page and nothing of the site.
pub struct PageHost<'a> {
    /// The page's variables.
    pub vars: &'a PageVars,
    /// The page's headings.
    pub headings: &'a [Heading],
    /// The page's source path.
    pub rpath: &'a str,
    /// For utils.jl detection.
    pub resources: &'a dyn Resources,
}

impl TemplateHost for PageHost<'_> {
    fn var(&self, name: &str) -> Option<Value> {
        self.vars.get(name).cloned()
    }
    fn page_var(&self, _page: &str, _name: &str) -> Option<Value> {
        None
    }
    fn layout_file(&self, _path: &str) -> Option<String> {
        None
    }
    fn page_key(&self) -> String {
        page_key(self.rpath)
    }
    fn headings(&self) -> Vec<Heading> {
        self.headings.to_vec()
    }
    fn call(&mut self, _name: &str, _args: &[String]) -> Option<Result<String, String>> {
        None
    }
    fn is_utils_function(&self, name: &str) -> bool {
        self.resources.is_utils_function(name)
    }
}

/// The key `ispage` matches against: the source path without its extension.
pub fn page_key(rpath: &str) -> String {
    match rpath.rsplit_once('.') {
        Some((stem, ext)) if !ext.contains('/') => stem.to_string(),
        _ => rpath.to_string(),
    }
}

/// Turns template issues found in a page body into diagnostics at the page source:
/// the `{{ }}` block is looked up in the source, since the body is generated text.
pub fn body_template_diagnostics(
    issues: Vec<TemplateIssue>,
    rendered_from: &str,
    source: &str,
    file: &Arc<str>,
) -> Vec<Diagnostic> {
    issues
        .into_iter()
        .map(|issue| {
            let end = (issue.offset + issue.len.max(1)).min(rendered_from.len());
            let snippet = rendered_from.get(issue.offset..end).unwrap_or("");
            let span = if snippet.is_empty() {
                None
            } else {
                source
                    .find(snippet)
                    .map(|at| Span::in_text(file, source, at, at + snippet.len()))
            };
            let mut d = match issue.severity {
                Severity::Error => Diagnostic::error(issue.code, issue.message),
                Severity::Warning => Diagnostic::warning(issue.code, issue.message),
            };
            d.span = span.or_else(|| Some(Span::in_text(file, source, 0, 0)));
            d.help = issue.help;
            d
        })
        .collect()
}

/// Converts and templates one page with the given config.md text; for tests and previews.
pub fn render_page(
    source: &str,
    config: &str,
    rpath: &str,
    resources: &dyn Resources,
) -> (String, Converted) {
    let base = Globals::default();
    let config_ctx = PageContext {
        rpath: Arc::from("config.md"),
        globals: &base,
        resources,
        check_data: true,
    };
    let (globals, mut diags) = read_config(config, &config_ctx);
    let ctx = PageContext {
        rpath: Arc::from(rpath),
        globals: &globals,
        resources,
        check_data: true,
    };
    let mut converted = convert_page(source, &ctx);
    let mut host = PageHost {
        vars: &converted.vars,
        headings: &converted.headings,
        rpath,
        resources,
    };
    let (html, issues) = template::render(&converted.html, &mut host);
    let html = html.into_owned();
    let file: Arc<str> = Arc::from(rpath);
    let mut body_diags = body_template_diagnostics(issues, &converted.html, source, &file);
    diags.append(&mut converted.diagnostics);
    diags.append(&mut body_diags);
    crate::diag::sort_and_dedup(&mut diags);
    converted.diagnostics = diags;
    (html, converted)
}
