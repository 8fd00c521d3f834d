//! The template host of a site build: what `{{ }}` blocks in pages and layouts can see.

use std::collections::HashMap;
use std::sync::Arc;

use crate::dialect::html::{escape, refstring};
use crate::dialect::resources::Resources;
use crate::dialect::template::TemplateHost;
use crate::dialect::vars::PageVars;
use crate::dialect::{Heading, Value};

use super::dates::Date;

/// How a page is listed under one of its tags: URL, title, date. A page is on the lists of
/// all its tags, which share its entry.
pub type TagEntry = (String, String, Option<Date>);

/// What every page's templates may look up about the whole site.
#[derive(Default)]
pub struct SiteIndex {
    /// Variables of every page, by page key (`blog/pg1`, `index`).
    pub vars: HashMap<String, Arc<PageVars>>,
    /// Pages of each tag (refstring'ed): (url, title, date), newest first.
    pub tags: HashMap<String, Vec<Arc<TagEntry>>>,
    /// Files of `_layout/` by relative path.
    pub layouts: HashMap<String, String>,
    /// The prefix for tag pages (`tag_page_path`, default `tag`).
    pub tag_path: String,
}

impl SiteIndex {
    /// Looks a page up the way `{{fill v page}}` names it: `blog/pg1`, `/blog/pg1/`, `blog/pg1.md`.
    pub fn page(&self, name: &str) -> Option<&Arc<PageVars>> {
        let key = name.trim_matches('/');
        let key = key
            .strip_suffix(".md")
            .or_else(|| key.strip_suffix(".html"))
            .unwrap_or(key);
        self.vars
            .get(key)
            .or_else(|| self.vars.get(&format!("{key}/index")))
    }
}

/// A template host for one page (or tag page) of a site build.
pub struct SiteHost<'a> {
    /// The whole site.
    pub site: &'a SiteIndex,
    /// The current page's variables.
    pub vars: &'a PageVars,
    /// The current page's headings.
    pub headings: &'a [Heading],
    /// `ispage` key of the current page.
    pub key: String,
    /// On tag pages, the tag.
    pub tag: Option<String>,
    /// For utils.jl detection.
    pub resources: &'a dyn Resources,
    /// Redirect pages requested with `{{redirect}}`, as output paths.
    pub redirects: Vec<String>,
    /// True when `{{sitemap_opts exclude}}` was used.
    pub sitemap_exclude: bool,
}

impl TemplateHost for SiteHost<'_> {
    fn var(&self, name: &str) -> Option<Value> {
        if name == "fd_tag" {
            if let Some(t) = &self.tag {
                return Some(Value::Str(t.clone()));
            }
        }
        self.vars.get(name).cloned()
    }

    fn page_var(&self, page: &str, name: &str) -> Option<Value> {
        self.site.page(page).and_then(|v| v.get(name).cloned())
    }

    fn layout_file(&self, path: &str) -> Option<String> {
        self.site.layouts.get(path.trim_start_matches('/')).cloned()
    }

    fn page_key(&self) -> String {
        self.key.clone()
    }

    fn headings(&self) -> Vec<Heading> {
        self.headings.to_vec()
    }

    fn call(&mut self, name: &str, args: &[String]) -> Option<Result<String, String>> {
        Some(match name {
            "taglist" => {
                let tag = args
                    .first()
                    .map(|t| refstring(t))
                    .or_else(|| self.tag.clone())?;
                let pages = self.site.tags.get(&tag).map_or(&[][..], Vec::as_slice);
                let mut out = String::from("<ul>");
                for (url, title, _) in pages.iter().map(|entry| &**entry) {
                    out.push_str(&format!(
                        "<li><a href=\"{}\">{}</a></li>",
                        escape(url),
                        title
                    ));
                }
                out.push_str("</ul>");
                Ok(out)
            }
            "redirect" => match args.first() {
                Some(path) => {
                    let mut p = path.trim_start_matches('/').to_string();
                    if p.ends_with('/') || p.is_empty() {
                        p.push_str("index.html");
                    }
                    self.redirects.push(p);
                    Ok(String::new())
                }
                None => {
                    Err("`{{redirect}}` needs a path, e.g. `{{redirect /old/page.html}}`".into())
                }
            },
            "sitemap_opts" => {
                if args.first().is_some_and(|a| a == "exclude") {
                    self.sitemap_exclude = true;
                }
                Ok(String::new())
            }
            "fd2rss" => Ok(args
                .first()
                .and_then(|v| self.vars.get(v))
                .map(|v| escape(&v.to_julia_string()))
                .unwrap_or_default()),
            "rfc822" => Ok(args
                .first()
                .and_then(|v| self.vars.get(v))
                .and_then(Date::of_value)
                .map(Date::rfc822)
                .unwrap_or_default()),
            "fix_relative_links" => Ok(args
                .first()
                .and_then(|v| self.vars.get(v))
                .map(Value::to_julia_string)
                .unwrap_or_default()),
            "paginate" => Err("`{{paginate}}` is not supported by notes".into()),
            _ => return None,
        })
    }

    fn is_utils_function(&self, name: &str) -> bool {
        self.resources.is_utils_function(name)
    }
}
