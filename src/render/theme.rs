//! The built-in tera theme for sites without a Franklin `_layout/` folder.
//!
//! The theme is made for course notes: a sidebar tree of all pages, a table of contents per
//! page, dark mode and a layout that folds the sidebar into a drawer on phones. The sidebar
//! is one script for the whole site (`js/notes-nav.js`, see [`nav_script`]) that every page
//! loads, so that a page's HTML depends on that page alone. Its templates and static files
//! live in the top-level `templates/` folder and are compiled into the binary, so a site
//! needs nothing to get it; a site may still replace any of them by putting a file of the
//! same name in its own `templates/` folder (and may add partials there for its templates
//! to include).
//!
//! Templates see the fields of [`PageContext`] (or [`TagContext`]) plus `toc_tree`, the flat
//! heading list nested by level, which the tera language cannot compute itself.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Serialize, Serializer};
use tera::{Context, Tera};

use crate::dialect::Heading;

/// One entry of the sidebar navigation tree.
///
/// Titles and URLs are borrowed from the pages where they can be: a large site's sidebar
/// has tens of thousands of them, made at the end of the build, where fresh memory costs
/// most.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NavItem<'a> {
    /// The page title (plain text).
    pub title: Cow<'a, str>,
    /// The page URL as links should use it; empty for a folder without an index page.
    pub url: Cow<'a, str>,
    /// Pages and folders inside this folder.
    pub children: Vec<NavItem<'a>>,
}

/// Where the sidebar script goes in the output.
pub const NAV_SCRIPT: &str = "js/notes-nav.js";

/// `js/notes-nav.js`: the sidebar tree as data for the theme script, which lays it out in
/// the page that loads it. Entries are `[title, url]` or `[title, url, [children]]`.
pub fn nav_script(nav: &[NavItem<'_>]) -> String {
    fn entries(out: &mut Vec<u8>, items: &[NavItem<'_>]) {
        out.push(b'[');
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            out.push(b'[');
            // Strings into a byte buffer cannot fail to serialise.
            let _ = serde_json::to_writer(&mut *out, &item.title);
            out.push(b',');
            let _ = serde_json::to_writer(&mut *out, &item.url);
            if !item.children.is_empty() {
                out.push(b',');
                entries(out, &item.children);
            }
            out.push(b']');
        }
        out.push(b']');
    }
    /// The script's length but for JSON escapes: an item is `["title","url"` and `]` with
    /// a comma after it, its children `,[...]`.
    fn length(items: &[NavItem<'_>]) -> usize {
        items
            .iter()
            .map(|item| {
                let children = match item.children.is_empty() {
                    true => 0,
                    false => 3 + length(&item.children),
                };
                item.title.len() + item.url.len() + 8 + children
            })
            .sum()
    }
    // A large site's script runs to hundreds of kilobytes: sized once, it is not copied
    // through every doubling of a growing buffer, each one fresh memory that is slow to touch
    // (the room for escapes spares the one copy a few bytes short would cost).
    let length = length(nav);
    let mut out = Vec::with_capacity(length + length / 64 + 16);
    out.extend_from_slice(b"notesNav(");
    entries(&mut out, nav);
    out.extend_from_slice(b");\n");
    // JSON text is UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// What a page template receives.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PageContext {
    /// The site's title, shown in the top bar.
    pub site_title: String,
    /// The page's title (plain text).
    pub page_title: String,
    /// The page body, as HTML.
    pub body: String,
    /// The page's headings in document order; the theme nests them into `toc_tree`.
    #[serde(serialize_with = "serialize_headings")]
    pub toc: Vec<Heading>,
    /// The page's own URL (the sidebar marks it).
    pub url: String,
    /// Prefix to the site root, ending in `/` (e.g. `/` or `/prepath/`).
    pub root: String,
    /// The page's tags as written.
    pub tags: Vec<String>,
    /// The tags' page names (Franklin's refstring of each tag), in the same order.
    pub tag_slugs: Vec<String>,
    /// The page's date, already formatted.
    pub date: Option<String>,
    /// The page's author, or empty.
    pub author: String,
    /// A one-sentence summary for `<meta name="description">`, or empty.
    pub description: String,
    /// Whether the page contains math.
    pub has_math: bool,
    /// Whether the page contains code blocks (the highlighting stylesheet is linked only then).
    pub has_code: bool,
}

/// Context of a tag page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TagContext<'a> {
    /// The site's title.
    pub site_title: String,
    /// The tag.
    pub tag: String,
    /// The pages carrying the tag, in display order.
    pub pages: Vec<NavItem<'a>>,
    /// The tag page's own URL.
    pub url: String,
    /// Prefix to the site root, ending in `/`.
    pub root: String,
}

/// The built-in theme, possibly overridden by a site's `templates/` folder.
pub struct Theme {
    /// Parsed on first use when every template is built in: pages and tag pages of the
    /// built-in templates are laid out by [`super::shell`], so most builds never
    /// need it, and parsing the templates costs a large site's build more than a page.
    tera: std::sync::OnceLock<Tera>,
    /// The templates, by tera name.
    sources: BTreeMap<String, String>,
    /// Where each template came from, for error messages (`page.html` → `site/templates/page.html`).
    origins: BTreeMap<String, String>,
    assets: Vec<(String, Vec<u8>)>,
    /// The page templates are the built-in ones, so pages are laid out by [`super::shell`].
    builtin_page: bool,
    /// The same for tag pages.
    builtin_tag: bool,
}

/// A theme template that cannot be loaded or rendered.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// A file of the override folder cannot be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// What the system reported.
        source: std::io::Error,
    },
    /// A template does not parse, does not fit with the others, or fails to render.
    #[error("{}\n  hint: {hint}", describe(file, *line, message))]
    Template {
        /// The template, as a path when it comes from the site (`templates/page.html`).
        file: String,
        /// 1-based line of the problem, when tera knows it.
        line: Option<usize>,
        /// What tera reported.
        message: String,
        /// What to do about it.
        hint: String,
    },
}

/// The headline of a template error.
fn describe(file: &str, line: Option<usize>, message: &str) -> String {
    match line {
        Some(line) => format!("in template `{file}` at line {line}: {message}"),
        None => format!("in template `{file}`: {message}"),
    }
}

/// Templates of the built-in theme, by tera name.
const TEMPLATES: [(&str, &str); 5] = [
    ("macros.html", include_str!("../../templates/macros.html")),
    ("base.html", include_str!("../../templates/base.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("tag.html", include_str!("../../templates/tag.html")),
    ("404.html", include_str!("../../templates/404.html")),
];

/// Templates a site could override before the sidebar moved to `js/notes-nav.js`.
const RETIRED_TEMPLATES: [&str; 1] = ["nav.html"];

/// Static files of the built-in theme: (file in `templates/`, path in the output, contents).
const ASSETS: [(&str, &str, &str); 3] = [
    (
        "theme.css",
        "css/notes-theme.css",
        include_str!("../../templates/theme.css"),
    ),
    (
        "highlight.css",
        "css/notes-highlight.css",
        include_str!("../../templates/highlight.css"),
    ),
    (
        "theme.js",
        "js/notes-theme.js",
        include_str!("../../templates/theme.js"),
    ),
];

impl Theme {
    /// Loads the built-in theme, replacing its files by those of `overrides` when given.
    ///
    /// In the override folder, `*.html` files replace or add templates (subfolders give names
    /// like `partials/footer.html`), and `theme.css`, `highlight.css` and `theme.js` replace the
    /// static files; other files are ignored. A missing folder means no overrides.
    pub fn load(overrides: Option<&Path>) -> Result<Theme, ThemeError> {
        let mut sources: BTreeMap<String, (String, String)> = TEMPLATES
            .iter()
            .map(|(name, text)| {
                (
                    name.to_string(),
                    (format!("built-in {name}"), text.to_string()),
                )
            })
            .collect();
        let mut assets: Vec<(String, Vec<u8>)> = ASSETS
            .iter()
            .map(|(_, out, text)| (out.to_string(), text.as_bytes().to_vec()))
            .collect();

        if let Some(dir) = overrides.filter(|dir| dir.is_dir()) {
            for (name, path) in override_files(dir)? {
                let read = |path: &Path| {
                    std::fs::read(path).map_err(|source| ThemeError::Read {
                        path: path.to_path_buf(),
                        source,
                    })
                };
                if name.ends_with(".html") {
                    let text = String::from_utf8(read(&path)?).map_err(|e| ThemeError::Read {
                        path: path.clone(),
                        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                    })?;
                    sources.insert(name, (path.display().to_string(), text));
                } else if let Some((_, out, _)) = ASSETS.iter().find(|(file, _, _)| *file == name) {
                    let bytes = read(&path)?;
                    if let Some(slot) = assets.iter_mut().find(|(o, _)| o == out) {
                        slot.1 = bytes;
                    }
                }
            }
        }

        let origins: BTreeMap<String, String> = sources
            .iter()
            .map(|(name, (origin, _))| (name.clone(), origin.clone()))
            .collect();
        // Parse each file on its own first, so a syntax error names its file and line.
        // The built-in files are known to parse; only a site's own are tried alone.
        for (name, (origin, text)) in sources
            .iter()
            .filter(|(_, (o, _))| !o.starts_with("built-in "))
        {
            if let Err(e) = tera::Template::new(name, None, text) {
                return Err(template_error(origin, &e, &origins));
            }
        }
        let sources: BTreeMap<String, String> = sources
            .into_iter()
            .map(|(name, (_, text))| (name, text))
            .collect();
        let tera = std::sync::OnceLock::new();
        if origins.values().any(|o| !o.starts_with("built-in ")) {
            // A site's own templates may not fit together: they are put together now, so
            // the build stops before any page is laid out.
            let _ = tera.set(parse_templates(&sources, &origins)?);
        }
        let builtin = |names: &[&str]| {
            names.iter().all(|name| {
                origins
                    .get(*name)
                    .is_some_and(|o| o.starts_with("built-in "))
            })
        };
        let builtin_page = builtin(&["page.html", "base.html", "macros.html"]);
        let builtin_tag = builtin(&["tag.html", "base.html", "macros.html"]);
        Ok(Theme {
            tera,
            sources,
            origins,
            assets,
            builtin_page,
            builtin_tag,
        })
    }

    /// Renders a content page with `page.html`.
    pub fn render_page(&self, ctx: &PageContext) -> Result<String, ThemeError> {
        if self.builtin_page && super::shell::applies(ctx) {
            return Ok(super::shell::page(ctx));
        }
        self.render_page_with_tera(ctx)
    }

    /// [`Theme::render_page`] through tera, whatever the templates.
    fn render_page_with_tera(&self, ctx: &PageContext) -> Result<String, ThemeError> {
        self.render("page.html", page_context(ctx)?)
    }

    /// Renders the "page not found" page with `404.html`, given the context of a page
    /// (whose `root` should be absolute, since the page is served at any address).
    pub fn render_not_found(&self, ctx: &PageContext) -> Result<String, ThemeError> {
        self.render("404.html", page_context(ctx)?)
    }

    /// Renders the list of pages carrying a tag with `tag.html`.
    pub fn render_tag(&self, ctx: &TagContext) -> Result<String, ThemeError> {
        if self.builtin_tag {
            return Ok(super::shell::tag_page(ctx));
        }
        self.render_tag_with_tera(ctx)
    }

    /// [`Theme::render_tag`] through tera, whatever the templates.
    fn render_tag_with_tera(&self, ctx: &TagContext) -> Result<String, ThemeError> {
        let context = Context::from_serialize(ctx).map_err(context_error)?;
        self.render("tag.html", context)
    }

    /// Files of the site's `templates/` that the theme once read and no longer does (the
    /// sidebar's `nav.html`), as the paths they were read from.
    pub fn retired_overrides(&self) -> Vec<&str> {
        RETIRED_TEMPLATES
            .iter()
            .filter_map(|name| self.origins.get(*name))
            .filter(|origin| !origin.starts_with("built-in "))
            .map(String::as_str)
            .collect()
    }

    /// Static files the theme needs in the output, as (relative output path, bytes), e.g. ("css/notes-theme.css", ...).
    pub fn assets(&self) -> Vec<(String, Vec<u8>)> {
        self.assets.clone()
    }

    /// Renders one template and attributes failures to the template that caused them.
    fn render(&self, name: &str, context: Context) -> Result<String, ThemeError> {
        self.tera()?.render(name, &context).map_err(|e| {
            let origin = blamed_template(&e, &self.origins)
                .or_else(|| self.origins.get(name).map(String::as_str))
                .unwrap_or(name);
            template_error(origin, &e, &self.origins)
        })
    }

    /// The parsed templates, parsed now if this is their first use.
    fn tera(&self) -> Result<&Tera, ThemeError> {
        if let Some(tera) = self.tera.get() {
            return Ok(tera);
        }
        let parsed = parse_templates(&self.sources, &self.origins)?;
        // Two threads may both have parsed them: either result is the same.
        Ok(self.tera.get_or_init(|| parsed))
    }
}

/// One tera instance holding every template, escaping as the theme does; an error blames
/// the template it comes from.
fn parse_templates(
    sources: &BTreeMap<String, String>,
    origins: &BTreeMap<String, String>,
) -> Result<Tera, ThemeError> {
    let mut tera = Tera::default();
    tera.set_escape_fn(escape_html);
    tera.add_raw_templates(sources.iter()).map_err(|e| {
        let file = blamed_template(&e, origins).unwrap_or("templates/");
        template_error(file, &e, origins)
    })?;
    Ok(tera)
}

/// The tera context of a content page.
fn page_context(ctx: &PageContext) -> Result<Context, ThemeError> {
    let mut context = Context::from_serialize(ctx).map_err(context_error)?;
    // Flags instead of tests on the strings themselves: tera escapes a value just to test
    // it in `{% if %}`, which on a whole page body costs more than rendering the page.
    context.insert("body_has_title", &ctx.body.trim_start().starts_with("<h1"));
    context.insert("toc_tree", &toc_tree(&ctx.toc));
    Ok(context)
}

/// Escapes text for HTML content and quoted attributes.
///
/// tera's default also escapes `/` (as `&#x2F;`), which makes every URL in the output
/// unreadable without buying any safety in quoted attributes.
pub(super) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    escape_html_into(&mut out, s);
    out
}

/// [`escape_html`] onto the end of `out`.
pub(super) fn escape_html_into(out: &mut String, s: &str) {
    crate::dialect::html::escape_quotes_into(out, s);
}

/// A context that cannot be serialized; only possible with a broken `Serialize` impl.
fn context_error(e: tera::Error) -> ThemeError {
    ThemeError::Template {
        file: "(context)".to_string(),
        line: None,
        message: error_chain(&e),
        hint: "this is a bug in notes; please report it".to_string(),
    }
}

/// All `(template name, path)` pairs of the override folder, names using `/`.
fn override_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, ThemeError> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| ThemeError::Read {
            path: e.path().unwrap_or(dir).to_path_buf(),
            source: e.into(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let name: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        files.push((name.join("/"), entry.path().to_path_buf()));
    }
    Ok(files)
}

/// Builds a [`ThemeError::Template`] from a tera error, blaming `file`.
fn template_error(file: &str, e: &tera::Error, origins: &BTreeMap<String, String>) -> ThemeError {
    let chain = error_chain(e);
    let line = chain.lines().find_map(parse_location);
    let message = chain
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("= "))
        .map(str::to_string)
        .unwrap_or_else(|| {
            chain
                .lines()
                .map(str::trim)
                .rfind(|l| !l.is_empty() && !l.starts_with("Failed to "))
                .unwrap_or(chain.trim())
                .to_string()
        });
    let builtin = file.starts_with("built-in ");
    let hint = if builtin {
        "the built-in theme should never fail; please report this as a bug in notes".to_string()
    } else if line.is_some() {
        format!("fix the tera syntax there, or delete `{file}` to use the built-in template")
    } else if message.contains("not found in context") {
        format!(
            "page templates can use: site_title, page_title, body, toc, toc_tree, url, root, \
             tags, date, author, description, has_math, has_code (tag pages: site_title, tag, \
             pages, url, root); delete `{file}` to use the built-in template"
        )
    } else if origins.keys().any(|name| message.contains(name.as_str()))
        || message.contains("doesn't exist")
    {
        "check the template names in `{% extends %}`, `{% include %}` and `{% import %}`"
            .to_string()
    } else {
        format!("delete `{file}` to use the built-in template")
    };
    ThemeError::Template {
        file: file.to_string(),
        line,
        message,
        hint,
    }
}

/// All messages of a tera error and its sources, one per line.
fn error_chain(e: &tera::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        out.push('\n');
        out.push_str(&inner.to_string());
        source = inner.source();
    }
    out
}

/// The line of a pest location marker such as ` --> 3:5`.
fn parse_location(line: &str) -> Option<usize> {
    let pos = line.trim().strip_prefix("-->")?.trim();
    pos.split(':').next()?.parse().ok()
}

/// The origin of the innermost template a tera error names in quotes, if any.
fn blamed_template<'a>(e: &tera::Error, origins: &'a BTreeMap<String, String>) -> Option<&'a str> {
    let chain = error_chain(e);
    let mut blamed = None;
    let mut best = 0;
    for (name, origin) in origins {
        for quoted in [
            format!("'{name}'"),
            format!("`{name}`"),
            format!("\"{name}\""),
        ] {
            if let Some(at) = chain.rfind(&quoted) {
                if blamed.is_none() || at >= best {
                    best = at;
                    blamed = Some(origin.as_str());
                }
            }
        }
    }
    blamed
}

/// A heading as templates see it.
#[derive(Serialize)]
struct HeadingView<'a> {
    level: u8,
    id: &'a str,
    html: &'a str,
    line: u32,
}

/// Serializes headings for templates (the dialect's `Heading` has no `Serialize` of its own).
fn serialize_headings<S: Serializer>(headings: &[Heading], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(headings.iter().map(|h| HeadingView {
        level: h.level,
        id: &h.id,
        html: &h.html,
        line: h.line,
    }))
}

/// An entry of the table of contents, borrowing from the page's headings.
#[derive(Debug, Serialize, PartialEq)]
pub(super) struct TocNode<'a> {
    pub(super) id: &'a str,
    pub(super) html: Cow<'a, str>,
    level: u8,
    pub(super) children: Vec<TocNode<'a>>,
}

/// Nests the page's headings for the table of contents.
///
/// A lone `<h1>` is the page title and is left out; two levels are shown below the top one,
/// and a contents list of a single entry is not worth showing, so it comes back empty.
pub(super) fn toc_tree(headings: &[Heading]) -> Vec<TocNode<'_>> {
    let h1_count = headings.iter().filter(|h| h.level == 1).count();
    let is_title = |h: &Heading| h1_count == 1 && h.level == 1;
    let listed = |h: &&Heading| !h.id.is_empty() && !is_title(h);
    let Some(top) = headings.iter().filter(listed).map(|h| h.level).min() else {
        return Vec::new();
    };
    let kept = || {
        headings
            .iter()
            .filter(listed)
            .filter(move |h| h.level <= top + 1)
    };
    if kept().nth(1).is_none() {
        return Vec::new();
    }
    let mut roots: Vec<TocNode<'_>> = Vec::new();
    for h in kept() {
        let node = TocNode {
            id: &h.id,
            html: strip_links(&h.html),
            level: h.level,
            children: Vec::new(),
        };
        match roots.last_mut() {
            Some(parent) if h.level > parent.level => parent.children.push(node),
            _ => roots.push(node),
        }
    }
    roots
}

/// Removes `<a …>` and `</a>` tags, since a toc entry is itself a link.
fn strip_links(html: &str) -> Cow<'_, str> {
    // Most headings are plain text.
    if memchr::memchr(b'<', html.as_bytes()).is_none() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tag = &rest[lt..];
        let is_link = tag.starts_with("</a>")
            || tag.starts_with("<a ")
            || tag.starts_with("<a>")
            || tag.starts_with("<a\n");
        match (is_link, tag.find('>')) {
            (true, Some(gt)) => rest = &tag[gt + 1..],
            _ => {
                out.push('<');
                rest = &tag[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Builds the nested navigation from (url, title, rpath) of all pages: folders become groups, index pages their heads, sorted by a `weight`-free rule: index first, then by title.
///
/// `rpath` is the source path relative to the site root (`lectures/week1.md`). A folder's
/// `index.md` heads its group; without one, a page named like the folder (`lectures.md` next to
/// `lectures/`) does, and otherwise the group is titled by the folder name and has no URL. The
/// site's own `index.md` comes first at the top level. Titles compare case-insensitively.
pub fn build_nav<'p, U, T, R>(pages: impl IntoIterator<Item = &'p (U, T, R)>) -> Vec<NavItem<'p>>
where
    U: AsRef<str> + 'p,
    T: AsRef<str> + 'p,
    R: AsRef<str> + 'p,
{
    #[derive(Default)]
    struct Folder<'a> {
        head: Option<(&'a str, &'a str)>,
        pages: Vec<(&'a str, &'a str, &'a str)>,
        folders: BTreeMap<&'a str, Folder<'a>>,
    }

    let mut root = Folder::default();
    for (url, title, rpath) in pages {
        let (url, title) = (url.as_ref(), title.as_ref());
        let mut parts = rpath
            .as_ref()
            .split(['/', '\\'])
            .filter(|p| !p.is_empty() && *p != ".");
        let Some(mut file) = parts.next() else {
            continue;
        };
        let mut folder = &mut root;
        let mut top = true;
        for part in parts {
            folder = folder.folders.entry(file).or_default();
            file = part;
            top = false;
        }
        let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
        if stem == "index" && !top {
            folder.head = Some((url, title));
        } else {
            folder.pages.push((url, title, stem));
        }
    }

    // Folders are made side by side: on a site of thousands of pages this runs while
    // nothing else can.
    fn make(folder: Folder<'_>, top: bool) -> Vec<NavItem<'_>> {
        let mut pages = folder.pages;
        let mut folders = folder.folders;
        // `name.md` next to a folder `name/` without index heads that folder.
        pages.retain(|&(url, title, stem)| match folders.get_mut(stem) {
            Some(sub) if sub.head.is_none() => {
                sub.head = Some((url, title));
                false
            }
            _ => true,
        });
        let mut index_first = Vec::new();
        let mut items = Vec::new();
        for (url, title, stem) in pages {
            let item = NavItem {
                title: Cow::Borrowed(title),
                url: Cow::Borrowed(url),
                children: Vec::new(),
            };
            if top && stem == "index" {
                index_first.push(item);
            } else {
                items.push(item);
            }
        }
        let subs: Vec<NavItem> = folders
            .into_par_iter()
            .map(|(name, sub)| {
                let (url, title) = sub.head.unwrap_or(("", ""));
                let title = if title.is_empty() {
                    Cow::Owned(folder_title(name))
                } else {
                    Cow::Borrowed(title)
                };
                NavItem {
                    title,
                    url: Cow::Borrowed(url),
                    children: make(sub, false),
                }
            })
            .collect();
        items.extend(subs);
        items.sort_by_cached_key(|item| (item.title.to_lowercase(), item.url.clone()));
        index_first.extend(items);
        index_first
    }
    make(root, true)
}

/// A readable title for a folder without an index page: `week_1-intro` → `Week 1 intro`.
fn folder_title(name: &str) -> String {
    let spaced: String = name
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .collect();
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(level: u8, id: &str, text: &str) -> Heading {
        Heading {
            level,
            id: id.to_string(),
            html: format!("<a href=\"#{id}\" class=\"header-anchor\">{text}</a>"),
            line: 1,
        }
    }

    fn pages() -> Vec<(String, String, String)> {
        [
            ("/", "Home", "index.md"),
            ("/about/", "About", "about.md"),
            ("/lectures/", "Lectures", "lectures/index.md"),
            ("/lectures/types/", "Types", "lectures/types.md"),
            ("/lectures/arrays/", "Arrays", "lectures/arrays.md"),
            (
                "/lectures/advanced/macros/",
                "Macros",
                "lectures/advanced/macros.md",
            ),
            ("/exercises/", "Exercises", "exercises.md"),
            ("/exercises/ex1/", "Exercise 1", "exercises/ex1.md"),
            ("/misc_notes/x/", "X", "misc_notes/x.md"),
        ]
        .iter()
        .map(|(u, t, r)| (u.to_string(), t.to_string(), r.to_string()))
        .collect()
    }

    fn context() -> PageContext {
        PageContext {
            site_title: "Julia Course".to_string(),
            page_title: "Types & Dispatch".to_string(),
            body: "<h2 id=\"a\"><a href=\"#a\" class=\"header-anchor\">Intro</a></h2><p>Hello</p>\
                   <h2 id=\"b\"><a href=\"#b\" class=\"header-anchor\">More</a></h2>\
                   <h3 id=\"c\"><a href=\"#c\" class=\"header-anchor\">Detail</a></h3>"
                .to_string(),
            toc: vec![
                heading(1, "title", "Types"),
                heading(2, "a", "Intro"),
                heading(2, "b", "More"),
                heading(3, "c", "Detail"),
                heading(4, "d", "Too deep"),
            ],
            url: "/lectures/types/".to_string(),
            root: "/".to_string(),
            tags: vec!["julia".to_string()],
            tag_slugs: vec!["julia".to_string()],
            date: Some("2024-03-01".to_string()),
            author: "A. Teacher".to_string(),
            description: "Types in Julia".to_string(),
            has_math: false,
            has_code: true,
        }
    }

    /// The value, or the test fails with the theme's message.
    fn ok<T>(result: Result<T, ThemeError>) -> T {
        result.unwrap_or_else(|e| panic!("{e}"))
    }

    fn load(dir: Option<&Path>) -> Theme {
        ok(Theme::load(dir))
    }

    fn render(theme: &Theme, ctx: &PageContext) -> String {
        ok(theme.render_page(ctx))
    }

    /// Every combination of what the page template tests, with text that needs escaping.
    fn shell_contexts() -> Vec<PageContext> {
        let mut all = Vec::new();
        for bits in 0u32..1 << 11 {
            let on = |k: u32| bits & (1 << k) != 0;
            let mut ctx = context();
            if on(0) {
                ctx.description = String::new();
            } else {
                ctx.description = "Say \"hi\" & <b>'bye'</b>".to_string();
            }
            if on(1) {
                ctx.author = String::new();
            }
            ctx.has_code = on(2);
            ctx.has_math = on(3);
            if on(4) {
                ctx.toc = vec![heading(2, "only", "Only")];
            }
            if on(5) {
                ctx.toc.push(heading(2, "q\"<'&", "Odd <code>id</code>"));
            }
            match (on(6), on(7)) {
                (true, true) => ctx.page_title = String::new(),
                (true, false) => ctx.page_title = ctx.site_title.clone(),
                (false, true) => ctx.body = format!("\n  <h1 id=\"t\">T</h1>{}", ctx.body),
                (false, false) => {}
            }
            if on(8) {
                ctx.tags = Vec::new();
                ctx.tag_slugs = Vec::new();
            } else if on(9) {
                ctx.tags = vec!["a&b".to_string(), "C \"d\"".to_string()];
                ctx.tag_slugs = vec!["ab".to_string(), "c_d".to_string()];
            }
            ctx.date = match bits % 3 {
                0 => None,
                1 => Some(String::new()),
                _ => Some("March <1>".to_string()),
            };
            if on(10) {
                ctx.root = "/my site/".to_string();
                ctx.site_title = "A & B's \"notes\"".to_string();
                ctx.url = "/a \"b\"/<c>/".to_string();
            }
            all.push(ctx);
        }
        all
    }

    #[test]
    fn built_in_page_shell_matches_the_templates_byte_for_byte() {
        let theme = load(None);
        assert!(theme.builtin_page);
        for ctx in shell_contexts() {
            assert!(super::super::shell::applies(&ctx));
            let tera = ok(theme.render_page_with_tera(&ctx));
            assert_eq!(render(&theme, &ctx), tera, "{ctx:?}");
        }
    }

    #[test]
    fn built_in_tag_shell_matches_the_template_byte_for_byte() {
        let theme = load(None);
        assert!(theme.builtin_tag);
        let item = |title: &str, url: &str| NavItem {
            title: Cow::Owned(title.to_string()),
            url: Cow::Owned(url.to_string()),
            children: Vec::new(),
        };
        for bits in 0u32..8 {
            let ctx = TagContext {
                site_title: if bits & 1 == 0 {
                    "Notes".to_string()
                } else {
                    "A & B's \"notes\"".to_string()
                },
                tag: if bits & 2 == 0 { "julia" } else { "<c&d>" }.to_string(),
                pages: if bits & 4 == 0 {
                    Vec::new()
                } else {
                    vec![item("One", "/one/"), item("Two < \"3\"", "/a b/&x'/")]
                },
                url: if bits & 2 == 0 {
                    "/tag/julia/"
                } else {
                    "/tag/c&d\"/"
                }
                .to_string(),
                root: if bits & 1 == 0 { "/" } else { "/p q/" }.to_string(),
            };
            let tera = ok(theme.render_tag_with_tera(&ctx));
            assert_eq!(ok(theme.render_tag(&ctx)), tera, "{ctx:?}");
        }
    }

    #[test]
    fn nav_script_holds_the_tree_as_data() {
        let pages = vec![
            (
                "/".to_string(),
                "Home & <b>".to_string(),
                "index.md".to_string(),
            ),
            (
                "/a/".to_string(),
                "A \"q\" 'p'".to_string(),
                "a/index.md".to_string(),
            ),
            ("/a/x/".to_string(), "X".to_string(), "a/x.md".to_string()),
            (
                "/b/c/d/".to_string(),
                "D".to_string(),
                "b/c/d.md".to_string(),
            ),
            (
                "/b/e/".to_string(),
                "E\u{2028}</script>".to_string(),
                "b/e.md".to_string(),
            ),
        ];
        let script = nav_script(&build_nav(&pages));
        let data = script
            .strip_prefix("notesNav(")
            .and_then(|rest| rest.strip_suffix(");\n"))
            .unwrap_or_else(|| panic!("not a call of notesNav: {script}"));
        let tree: serde_json::Value = serde_json::from_str(data).expect("JSON data");
        // Entries are [title, url] or [title, url, children]; a folder without a page of its
        // own has an empty url.
        assert_eq!(
            tree,
            serde_json::json!([
                ["Home & <b>", "/"],
                ["A \"q\" 'p'", "/a/", [["X", "/a/x/"]]],
                [
                    "B",
                    "",
                    [
                        ["C", "", [["D", "/b/c/d/"]]],
                        ["E\u{2028}</script>", "/b/e/"]
                    ]
                ]
            ])
        );
    }

    #[test]
    fn overridden_page_templates_are_rendered_by_tera() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("base.html"),
            "<main>{% block content %}{% endblock content %}</main>",
        )
        .expect("write");
        let theme = load(Some(dir.path()));
        assert!(!theme.builtin_page);
        let html = render(&theme, &context());
        assert!(html.starts_with("<main>"), "{html}");
    }

    #[test]
    fn page_has_nav_toc_toggle_and_no_external_urls() {
        let html = render(&load(None), &context());
        assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
        assert!(
            html.contains("<title>Types &amp; Dispatch · Julia Course</title>"),
            "{html}"
        );
        assert!(html.contains("<p>Hello</p>"));
        // Sidebar: the shared script fills it, told which page is current.
        assert!(
            html.contains(
                "<nav id=\"sidebar\" class=\"sidebar\" aria-label=\"Pages\" \
                 data-page=\"/lectures/types/\">\n    <script src=\"/js/notes-nav.js\"></script>"
            ),
            "{html}"
        );
        assert!(html.contains("<noscript><a href=\"/\">Home</a>"), "{html}");
        // Table of contents: nested, without the lone h1, without links inside links.
        assert!(html.contains("class=\"page-toc\""));
        assert!(html.contains("<li><a href=\"#a\">Intro</a>"), "{html}");
        assert!(html.contains("<li><a href=\"#c\">Detail</a>"), "{html}");
        assert!(!html.contains("#title"));
        assert!(!html.contains("Too deep"));
        // Dark mode toggle and script, highlighting stylesheet because the page has code.
        assert!(html.contains("class=\"theme-toggle\""));
        assert!(html.contains("<script src=\"/js/notes-theme.js\"></script>"));
        assert!(html.contains("href=\"/css/notes-highlight.css\""));
        assert!(html.contains("<meta name=\"description\" content=\"Types in Julia\">"));
        assert!(html.contains("href=\"/tag/julia/\""));
        assert!(!html.contains("http"), "{html}");
    }

    #[test]
    fn assets_are_self_contained() {
        let assets = load(None).assets();
        let names: Vec<&str> = assets.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "css/notes-theme.css",
                "css/notes-highlight.css",
                "js/notes-theme.js"
            ]
        );
        for (name, bytes) in &assets {
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains("http"), "{name} refers to the network");
            assert!(
                !text.contains("@import") && !text.contains("@font-face"),
                "{name}"
            );
        }
        let js = String::from_utf8_lossy(&assets[2].1).into_owned();
        assert!(js.contains("localStorage") && js.contains("prefers-color-scheme"));
        let css = String::from_utf8_lossy(&assets[0].1).into_owned();
        for class in [
            ".note",
            ".warning",
            ".tip",
            ".franklin-toc",
            ".fndef",
            ".eqref",
            ".header-anchor",
            "a.anchor",
        ] {
            assert!(css.contains(class), "theme.css lacks {class}");
        }
    }

    #[test]
    fn page_without_code_or_headings_skips_those_parts() {
        let mut ctx = context();
        ctx.has_code = false;
        ctx.toc = vec![heading(2, "a", "Only one")];
        ctx.tags.clear();
        ctx.tag_slugs.clear();
        ctx.date = None;
        ctx.author.clear();
        let html = render(&load(None), &ctx);
        assert!(!html.contains("notes-highlight.css"));
        assert!(!html.contains("page-toc"));
        assert!(!html.contains("page-meta"));
    }

    #[test]
    fn tag_and_not_found_pages_render() {
        let theme = load(None);
        let tag = TagContext {
            site_title: "Julia Course".to_string(),
            tag: "julia".to_string(),
            pages: vec![NavItem {
                title: "Types".into(),
                url: "/lectures/types/".into(),
                children: vec![],
            }],
            url: "/tag/julia/".to_string(),
            root: "/".to_string(),
        };
        let html = ok(theme.render_tag(&tag));
        assert!(html.contains("Pages tagged <span class=\"tag\">julia</span>"));
        assert!(html.contains("<li><a href=\"/lectures/types/\">Types</a></li>"));
        let html = ok(theme.render_not_found(&context()));
        assert!(html.contains("Page not found"));
    }

    #[test]
    fn a_sites_own_nav_template_is_named_as_unused() {
        assert!(load(None).retired_overrides().is_empty());
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("nav.html"), "<ul></ul>").expect("write");
        std::fs::write(dir.path().join("page.html"), "{{ body | safe }}").expect("write");
        let theme = load(Some(dir.path()));
        let nav = dir.path().join("nav.html").display().to_string();
        assert_eq!(theme.retired_overrides(), [nav.as_str()]);
    }

    #[test]
    fn override_folder_replaces_page_and_assets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("page.html"),
            "<main>{{ page_title }}|{{ body | safe }}|{% include \"partials/foot.html\" %}</main>",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("partials")).unwrap();
        std::fs::write(
            dir.path().join("partials/foot.html"),
            "foot of {{ site_title }}",
        )
        .unwrap();
        std::fs::write(dir.path().join("theme.css"), "body { color: red }").unwrap();
        let theme = load(Some(dir.path()));
        let html = render(&theme, &context());
        assert!(html.starts_with("<main>Types &amp; Dispatch|<h2"), "{html}");
        assert!(html.ends_with("|foot of Julia Course</main>"), "{html}");
        let assets = theme.assets();
        assert_eq!(
            assets[0],
            (
                "css/notes-theme.css".to_string(),
                b"body { color: red }".to_vec()
            )
        );
        // Templates not overridden keep working.
        assert!(theme.render_not_found(&context()).is_ok());
    }

    #[test]
    fn missing_override_folder_means_built_in() {
        let theme = load(Some(Path::new("/definitely/not/here")));
        assert!(render(&theme, &context()).contains("theme-toggle"));
    }

    #[test]
    fn broken_override_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.html");
        std::fs::write(&path, "<html>\n<body>\n{% if %}\n</body>").unwrap();
        let err = match Theme::load(Some(dir.path())) {
            Ok(_) => panic!("a broken template must not load"),
            Err(e) => e,
        };
        match &err {
            ThemeError::Template {
                file, line, hint, ..
            } => {
                assert_eq!(file, &path.display().to_string());
                assert_eq!(*line, Some(3));
                assert!(hint.contains("built-in template"), "{hint}");
            }
            other => panic!("unexpected error {other:?}"),
        }
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("in template `{}` at line 3: ", path.display())),
            "{text}"
        );
        assert!(text.contains("\n  hint: "), "{text}");
    }

    #[test]
    fn unknown_variable_in_override_is_reported_at_render_time() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tag.html"), "{{ no_such_thing }}").unwrap();
        let theme = load(Some(dir.path()));
        let tag = TagContext {
            site_title: String::new(),
            tag: "t".to_string(),
            pages: vec![],
            url: "/tag/t/".to_string(),
            root: "/".to_string(),
        };
        match theme.render_tag(&tag) {
            Err(ThemeError::Template {
                file,
                message,
                hint,
                ..
            }) => {
                assert!(file.ends_with("tag.html"), "{file}");
                assert!(message.contains("no_such_thing"), "{message}");
                assert!(hint.contains("tag pages:"), "{hint}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn extends_of_a_missing_parent_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("page.html"), "{% extends \"nope.html\" %}").unwrap();
        match Theme::load(Some(dir.path())) {
            Err(ThemeError::Template { file, hint, .. }) => {
                assert!(file.ends_with("page.html"), "{file}");
                assert!(hint.contains("extends"), "{hint}");
            }
            Err(other) => panic!("unexpected {other:?}"),
            Ok(_) => panic!("must not load"),
        }
    }

    fn shape(items: &[NavItem]) -> Vec<String> {
        items
            .iter()
            .map(|i| {
                if i.children.is_empty() {
                    i.title.to_string()
                } else {
                    format!("{}[{}]", i.title, shape(&i.children).join(","))
                }
            })
            .collect()
    }

    #[test]
    fn nav_groups_folders_under_their_index() {
        let pages = pages();
        let nav = build_nav(&pages);
        assert_eq!(
            shape(&nav),
            [
                "Home",
                "About",
                "Exercises[Exercise 1]",
                "Lectures[Advanced[Macros],Arrays,Types]",
                "Misc notes[X]",
            ]
        );
        assert_eq!(nav[3].url, "/lectures/");
        assert_eq!(
            nav[3].children[0].url, "",
            "folder without index has no url"
        );
        assert_eq!(nav[2].url, "/exercises/", "exercises.md heads exercises/");
    }

    #[test]
    fn nav_handles_odd_paths() {
        let odd = vec![
            (String::new(), String::new(), String::new()),
            ("/a/".to_string(), "b".to_string(), "./a.md".to_string()),
            ("/c/".to_string(), "A".to_string(), "c.html".to_string()),
        ];
        assert_eq!(shape(&build_nav(&odd)), ["A", "b"]);
    }

    #[test]
    fn toc_tree_nests_by_level() {
        let headings = [
            heading(2, "a", "A"),
            heading(3, "b", "B"),
            heading(2, "c", "C"),
        ];
        let tree = toc_tree(&headings);
        assert_eq!(tree.len(), 2);
        assert_eq!(tree[0].children.len(), 1);
        assert_eq!(tree[0].children[0].html, "B");
        assert!(toc_tree(&[heading(1, "t", "Title")]).is_empty());
        let linked = [
            heading(2, "a", "<a href=\"/x/\">A</a> <em>b</em>"),
            heading(2, "c", "C"),
        ];
        assert_eq!(toc_tree(&linked)[0].html, "A <em>b</em>");
    }
}
