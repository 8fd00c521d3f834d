//! A whole-site build: discover, convert every page in parallel, lay pages out (Franklin
//! `_layout/` or the built-in theme), write the output folder, and generated files.
//!
//! Pages are converted in a first parallel pass, because `{{fill v other/page}}` and tag
//! lists need every page's variables; templating and writing form the second pass.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::diag::{sort_and_dedup, Diagnostic, LineIndex, Span};
use crate::dialect::html::refstring;
use crate::dialect::resources::{FsResources, Resources};
use crate::dialect::standalone::{body_template_diagnostics, page_key};
use crate::dialect::template::{self, TemplateIssue};
use crate::dialect::vars::PageVars;
use crate::dialect::{
    convert_page, decode_source, read_config, Converted, Globals, PageContext, Value,
};
use crate::site::{self, discover, IgnoreRule, OutputDir, PageKind, PageSource, SiteError};

use super::dates::Date;
use super::generated::SitemapEntry;
use super::host::{SiteHost, SiteIndex, TagEntry};
use super::layout;
use super::theme::{Theme, ThemeError};

mod incremental;

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder.
    pub site: PathBuf,
    /// The output folder.
    pub out: PathBuf,
    /// Overrides the site's `prepath`.
    pub prepath: Option<String>,
    /// Franklin's output, read for evaluated-code results.
    pub eval_cache: Option<PathBuf>,
    /// Apply `prepath` (the production pass); `serve` builds without it.
    pub final_pass: bool,
    /// Stop converting pages after the first page with an error.
    pub fail_fast: bool,
    /// The folder of the published site this build goes into (a preview's
    /// `previews/pr-7`): root-relative links get it after the prepath.
    pub subfolder: Option<String>,
    /// Keep what `check` reads of every page (links, anchors, code blocks); a plain build
    /// reports only its own diagnostics and can skip gathering them.
    pub check_data: bool,
    /// The process ends after this build: what it built is left to the system to reclaim
    /// instead of being freed piece by piece (a large site has millions of pieces).
    pub one_shot: bool,
}

/// What a watch or serve session keeps between builds: conversions of pages whose source
/// and site configuration did not change (and that read no other file), and the rendered
/// pages' hashes, so that an edit re-renders only what it can have changed.
#[derive(Default)]
pub struct BuildSession {
    conversions: std::sync::Mutex<HashMap<String, Kept>>,
    renders: std::sync::Mutex<HashMap<String, RenderMemo>>,
    /// Everything a page's layout can read of other pages, as of the last build.
    fingerprint: std::sync::Mutex<Option<u64>>,
    /// Write nothing when pages have errors, so the output keeps the last good build.
    keep_last_good: bool,
    /// The last whole build, for saves that can be rebuilt page by page.
    last: std::sync::Mutex<Option<incremental::LastBuild>>,
}

/// A page's source and conversion, with what they were made from.
struct Kept {
    /// Hash of the source bytes and of the site configuration.
    key: u64,
    /// The file's modification time and size, and the configuration hash, when read.
    stamp: (u128, u64, u64),
    source: Arc<str>,
    converted: Arc<Converted>,
}

/// A file's modification time (nanoseconds) and size, to notice changes without reading it.
fn file_stamp(meta: Option<&std::fs::Metadata>) -> Option<(u128, u64)> {
    let meta = meta?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some((mtime.as_nanos(), meta.len()))
}

/// What rendering a page produced besides its file.
#[derive(Clone)]
struct RenderMemo {
    /// The conversion the page was laid out from: a later build keeps the page's file only
    /// for this very conversion (not merely one the session kept, which a save may have made
    /// and then left unwritten).
    from: Weak<Converted>,
    hash: u64,
    diags: Vec<Diagnostic>,
    redirects: Vec<String>,
    sitemap_exclude: bool,
}

impl BuildSession {
    /// A session for a live server: a build with errors writes nothing.
    pub fn keeping_last_good() -> BuildSession {
        BuildSession {
            keep_last_good: true,
            ..BuildSession::default()
        }
    }

    /// Forgets everything (after a change to config.md, layouts or theme templates).
    pub fn clear(&self) {
        if let Ok(mut c) = self.conversions.lock() {
            c.clear();
        }
        if let Ok(mut r) = self.renders.lock() {
            r.clear();
        }
        if let Ok(mut f) = self.fingerprint.lock() {
            *f = None;
        }
        if let Ok(mut l) = self.last.lock() {
            *l = None;
        }
    }

    /// Rebuilds only the files of `changed` (paths relative to the site) when nothing else
    /// can differ from a whole build; `None` when a whole build is needed.
    pub fn rebuild_changed(
        &self,
        opts: &BuildOptions,
        changed: &[String],
    ) -> Option<Result<BuildReport, BuildError>> {
        incremental::rebuild_changed(opts, self, changed)
    }

    fn get(&self, rpath: &str, key: u64) -> Option<Arc<Converted>> {
        let map = self.conversions.lock().ok()?;
        map.get(rpath)
            .filter(|k| k.key == key)
            .map(|k| k.converted.clone())
    }

    /// The page as last converted, when its file and the configuration are as they were.
    fn unchanged(
        &self,
        rpath: &str,
        stamp: (u128, u64),
        site_key: u64,
    ) -> Option<(Arc<str>, Arc<Converted>)> {
        let map = self.conversions.lock().ok()?;
        map.get(rpath)
            .filter(|k| k.stamp == (stamp.0, stamp.1, site_key))
            .map(|k| (k.source.clone(), k.converted.clone()))
    }

    fn put(
        &self,
        rpath: &str,
        key: u64,
        stamp: (u128, u64, u64),
        source: &Arc<str>,
        converted: &Arc<Converted>,
    ) {
        if let Ok(mut map) = self.conversions.lock() {
            map.insert(
                rpath.to_string(),
                Kept {
                    key,
                    stamp,
                    source: source.clone(),
                    converted: converted.clone(),
                },
            );
        }
    }

    fn memo(&self, out_rel: &str) -> Option<RenderMemo> {
        self.renders.lock().ok()?.get(out_rel).cloned()
    }

    fn remember(&self, out_rel: &str, memo: RenderMemo) {
        if let Ok(mut r) = self.renders.lock() {
            r.insert(out_rel.to_string(), memo);
        }
    }

    /// Records this build's fingerprint; true when it equals the previous build's.
    fn same_site(&self, fingerprint: u64) -> bool {
        match self.fingerprint.lock() {
            Ok(mut f) => f.replace(fingerprint) == Some(fingerprint),
            Err(_) => false,
        }
    }
}

/// Reports progress of the page passes.
pub trait Progress: Sync {
    /// The number of steps to come.
    fn set_total(&self, total: u64);
    /// One step done.
    fn advance(&self);
}

/// A progress sink that shows nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn set_total(&self, _total: u64) {}
    fn advance(&self) {}
}

/// What a build did.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Pages rendered (markdown and HTML, tag pages excluded).
    pub pages: usize,
    /// Pages laid out anew by this build (the others were kept from a live session's last one).
    pub laid_out: usize,
    /// Files written or left unchanged in total.
    pub files: usize,
    /// Files whose bytes changed.
    pub written: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// Leftovers of earlier builds removed.
    pub removed: usize,
    /// Every problem, sorted by file and line.
    pub diagnostics: Vec<Diagnostic>,
    /// Source texts by file name, for snippets in diagnostics.
    pub sources: HashMap<String, Arc<str>>,
    /// Wall time.
    pub elapsed: Duration,
    /// Ids defined on each written page, by output path (for the link checker).
    pub anchors: HashMap<String, Vec<String>>,
    /// Links of each page: (output path of the page, link).
    pub links: Vec<(String, crate::dialect::Link)>,
    /// Code blocks of each page: (source rpath, block).
    pub code_blocks: Vec<(String, crate::dialect::CodeBlock)>,
    /// Output paths of pages without a title.
    pub untitled: Vec<(String, Span)>,
    /// Every output path produced (pages, copies, generated files).
    pub outputs: Vec<String>,
    /// The prepath applied to the output.
    pub prepath: String,
    /// Source path of each written page, by output path.
    pub page_sources: HashMap<String, String>,
    /// A hash of every page's HTML, by output path, to tell which pages a rebuild changed.
    pub page_hashes: HashMap<String, u64>,
}

impl BuildReport {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Why a build could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Discovery or the output folder failed.
    #[error("{0}\n  hint: {hint}", hint = .0.hint())]
    Site(#[from] SiteError),
    /// The site's `templates/` override is broken.
    #[error("{0}")]
    Theme(#[from] ThemeError),
}

/// One page after the layout pass.
struct Rendered {
    index: usize,
    /// Hash of the page's HTML as written.
    hash: u64,
    /// None when the page could not be laid out. (The error is boxed: one of these is
    /// kept per page until the end of the build, and it is rare.)
    written: Option<Result<site::WriteOutcome, Box<SiteError>>>,
    diags: Vec<Diagnostic>,
    redirects: Vec<String>,
    sitemap_exclude: bool,
    /// The source, read again because layout reported a problem on a page that had not
    /// kept it.
    quoted_source: Option<Arc<str>>,
}

/// A page of a live session rendered exactly as last time: keep its file as it is.
fn reuse(
    session: Option<&BuildSession>,
    site_unchanged: bool,
    page: &Page,
    out: &OutputDir,
) -> Option<Rendered> {
    let session = session?;
    if !site_unchanged {
        return None;
    }
    let memo = session.memo(&page.out_rel)?;
    let converted = page.converted.as_ref()?;
    if !std::ptr::eq(memo.from.as_ptr(), Arc::as_ptr(converted)) {
        return None;
    }
    let kept = out.keep(&page.out_rel).ok()?;
    Some(Rendered {
        index: 0,
        hash: memo.hash,
        written: Some(Ok(kept)),
        diags: memo.diags,
        redirects: memo.redirects,
        sitemap_exclude: memo.sitemap_exclude,
        quoted_source: None,
    })
}

/// What a page's render memo records of the conversion it was laid out from.
fn memo_source(page: &Page) -> Weak<Converted> {
    page.converted
        .as_ref()
        .map_or_else(Weak::new, Arc::downgrade)
}

/// What laying out a page needs besides the page and the site index.
#[derive(Clone, Copy)]
struct LayoutInputs<'a> {
    globals: &'a Globals,
    /// The built-in theme, or None for a site with `_layout/`.
    theme: Option<&'a Theme>,
    theme_cache: &'a super::themed::ThemeCache,
    resources: &'a FsResources,
}

/// What laying out and writing a page needs besides the page and the site index.
struct LayoutEnv<'a> {
    inputs: LayoutInputs<'a>,
    out: &'a OutputDir,
    /// The prepath of the final pass ("" for none).
    prepath: &'a str,
    cache: Option<&'a BuildSession>,
    one_shot: bool,
    progress: &'a dyn Progress,
    /// Pages laid out so far.
    laid_out: &'a std::sync::atomic::AtomicUsize,
}

/// Whether laying `page` out reads nothing of other pages: a markdown page of the built-in
/// theme (its sidebar is a shared script) whose body has no `{{ }}` block.
fn lays_out_alone(page: &Page) -> bool {
    page.src.kind == PageKind::Markdown
        && !page.draft
        && page
            .converted
            .as_ref()
            .is_some_and(|c| !crate::dialect::html::holds(&c.html, "{{"))
}

/// Lays out one page (the `k`-th) and writes it; the sitemap entry is left to the caller.
fn lay_out_and_write(page: &Page, k: usize, index: &SiteIndex, env: &LayoutEnv<'_>) -> Rendered {
    env.laid_out
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut diags = Vec::new();
    let lay_out =
        |page: &Page, diags: &mut Vec<Diagnostic>| render_page(page, index, env.inputs, diags);
    let (mut html, mut redirects, mut exclude) = lay_out(page, &mut diags);
    // Diagnostics quote the source: a page that dropped it is laid out again with its file
    // read back.
    let mut quoted_source = None;
    if page.source_dropped && !diags.is_empty() {
        if let Some(full) = with_source_read_again(page) {
            diags.clear();
            (html, redirects, exclude) = lay_out(&full, &mut diags);
            quoted_source = Some(full.source);
        }
    }
    let mut hash = 0;
    let written = match html {
        Ok(html) => {
            let html = super::prepath::apply(&html, env.prepath);
            // Only live sessions compare page hashes between builds.
            if !env.one_shot {
                hash = crate::dialect::html::content_hash(html.as_bytes());
            }
            Some(
                env.out
                    .write(&page.out_rel, html.as_bytes())
                    .map_err(Box::new),
            )
        }
        Err(d) => {
            diags.push(*d);
            None
        }
    };
    env.progress.advance();
    if let (Some(s), Some(Ok(_))) = (env.cache, &written) {
        s.remember(
            &page.out_rel,
            RenderMemo {
                from: memo_source(page),
                hash,
                diags: diags.clone(),
                redirects: redirects.clone(),
                sitemap_exclude: exclude,
            },
        );
    }
    Rendered {
        index: k,
        hash,
        written,
        diags,
        redirects,
        sitemap_exclude: exclude,
        quoted_source,
    }
}

/// `page` with its source read from its file again.
fn with_source_read_again(page: &Page) -> Option<Page> {
    let file: Arc<str> = Arc::from(page.src.rpath.as_str());
    let bytes = std::fs::read(&page.src.path).ok()?;
    let text = decode_source(bytes, &file).ok()?;
    Some(Page {
        source: Arc::from(text.as_str()),
        source_dropped: false,
        ..page.clone()
    })
}

fn page_has_errors(page: &Page) -> bool {
    page.converted
        .as_ref()
        .is_some_and(|c| c.diagnostics.iter().any(Diagnostic::is_error))
}

/// A hash of everything one page's layout may read of the others: every page's output path
/// and variables (titles and tags for navigation and tag lists, any variable for
/// `{{fill v page}}`).
fn site_fingerprint(pages: &[Page]) -> u64 {
    let parts: Vec<u64> = pages.par_iter().map(incremental::public_part).collect();
    let bytes: Vec<u8> = parts.iter().flat_map(|p| p.to_le_bytes()).collect();
    crate::dialect::html::fnv1a(&bytes)
}

/// One page after the conversion pass.
#[derive(Clone)]
struct Page {
    src: PageSource,
    source: Arc<str>,
    /// A plain build did not keep the source (the conversion had nothing to report).
    source_dropped: bool,
    converted: Option<Arc<Converted>>,
    vars: Arc<PageVars>,
    out_rel: String,
    url: String,
    key: String,
    mtime: Date,
    draft: bool,
    /// The `fd_` variables (`fd_url` and the others) are set. A page laid out during the
    /// conversion pass by the built-in theme reads none of them, so it gets them only if
    /// another page's template may read its variables.
    file_vars: bool,
    /// How the page is listed on the pages of its tags; None when it has no tag.
    tag_entry: Option<Arc<TagEntry>>,
}

/// What a page's file variables are made of besides the page: the site's URL and date format.
struct FileVarsEnv {
    website_url: String,
    date_format: String,
}

impl FileVarsEnv {
    fn new(globals: &Globals) -> FileVarsEnv {
        let website_url = globals
            .vars
            .str("website_url")
            .trim_end_matches('/')
            .to_string();
        let date_format = match globals.vars.str("date_format") {
            "" => "U dd, yyyy".to_string(),
            f => f.to_string(),
        };
        FileVarsEnv {
            website_url,
            date_format,
        }
    }

    /// Sets the page's `fd_` variables (source path, URL, full URL, dates) unless it has them.
    fn fill(&self, page: &mut Page) {
        if page.file_vars {
            return;
        }
        page.file_vars = true;
        let vars = Arc::make_mut(&mut page.vars);
        vars.set_raw("fd_rpath", Value::Str(page.src.rpath.clone()));
        vars.set_raw("fd_url", Value::Str(page.url.clone()));
        vars.set_raw(
            "fd_full_url",
            Value::Str([self.website_url.as_str(), page.url.as_str()].concat()),
        );
        let formatted = page.mtime.format(&self.date_format);
        vars.set_raw("fd_mtime", Value::Str(formatted.clone()));
        vars.set_raw("fd_ctime", Value::Str(formatted));
        vars.set_raw(
            "fd_mtime_raw",
            Value::Date {
                year: page.mtime.year,
                month: page.mtime.month,
                day: page.mtime.day,
            },
        );
    }
}

/// Builds the site.
pub fn build(opts: &BuildOptions, progress: &dyn Progress) -> Result<BuildReport, BuildError> {
    build_cached(opts, progress, None)
}

/// Builds the site, reusing (and filling) the conversions of earlier builds.
pub fn build_cached(
    opts: &BuildOptions,
    progress: &dyn Progress,
    cache: Option<&BuildSession>,
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let root = &opts.site;
    let resources = FsResources::new(root, opts.eval_cache.as_deref());
    let mut report = BuildReport::default();

    let (globals, config_diags) = read_site_config(root, &resources, &mut report);
    // What every conversion depends on besides the page itself.
    let site_key = {
        let config = std::fs::read(root.join("config.md")).unwrap_or_default();
        let utils = std::fs::read(root.join("utils.jl")).unwrap_or_default();
        crate::dialect::html::fnv1a(&config) ^ crate::dialect::html::fnv1a(&utils).rotate_left(17)
    };
    report.diagnostics.extend(config_diags);
    let mut prepath = match &opts.prepath {
        Some(p) => p.trim_matches('/').to_string(),
        None => globals.vars.str("prepath").trim_matches('/').to_string(),
    };
    if let Some(sub) = opts.subfolder.as_deref().map(|s| s.trim_matches('/')) {
        if !sub.is_empty() {
            prepath = if prepath.is_empty() {
                sub.to_string()
            } else {
                format!("{prepath}/{sub}")
            };
        }
    }
    report.prepath = if opts.final_pass {
        prepath.trim_matches('/').to_string()
    } else {
        String::new()
    };
    let ignore = ignore_rules(&globals.vars);
    let keep_path = globals.vars.strings("keep_path");
    let mut files = discover(root, &ignore, &keep_path, Some(&opts.out))?;
    let out = OutputDir::for_site(&opts.out, root)?;
    let layouts = layout::read_layouts(&files);
    let theme = match &files.layout_dir {
        Some(_) => None,
        None => Some(Theme::load(files.templates_dir.as_deref())?),
    };
    for file in theme.iter().flat_map(Theme::retired_overrides) {
        report.diagnostics.push(
            Diagnostic::warning(
                "unused-template",
                format!(
                    "`{file}` is not used: the built-in theme lays the sidebar out in the \
                     browser, from `{}`",
                    super::theme::NAV_SCRIPT
                ),
            )
            .help("delete it; to change the sidebar, override `theme.js` or `theme.css`"),
        );
    }
    for (rpath, reason) in &files.skipped {
        report.diagnostics.push(
            Diagnostic::warning(
                "skipped-file",
                format!("`{rpath}` is not published: {reason}"),
            )
            .help("symbolic links must stay inside the site folder"),
        );
    }

    progress.set_total((files.pages.len() * 2) as u64);
    let mut env = ConvertEnv::new(
        &globals,
        &resources,
        progress,
        (cache, site_key),
        opts.fail_fast,
    );
    // A live session's conversions are reused by later saves, which may come from `serve`.
    env.check_data = opts.check_data || cache.is_some();
    let final_prepath = report.prepath.clone();
    let theme_cache = super::themed::ThemeCache::default();
    let laid_out = std::sync::atomic::AtomicUsize::new(0);
    let lay_out = LayoutEnv {
        inputs: LayoutInputs {
            globals: &globals,
            theme: theme.as_ref(),
            theme_cache: &theme_cache,
            resources: &resources,
        },
        out: &out,
        prepath: &final_prepath,
        cache,
        one_shot: opts.one_shot,
        progress,
        laid_out: &laid_out,
    };
    // A live session lays pages out after the conversion pass, since it first decides
    // whether to write anything at all.
    let stream = theme.is_some() && cache.is_none();
    // Each page takes its source's entry along instead of a copy.
    let sources = std::mem::take(&mut files.pages);
    let (mut pages, early) = convert_all(sources, &env, stream.then_some(&lay_out));
    let file_vars = env.file_vars;
    if cache.is_some_and(|s| s.keep_last_good) && pages.iter().any(page_has_errors) {
        // A live session keeps serving the last good build: write nothing, report why.
        // What the session kept no longer matches the sources: saves rebuild whole.
        if let Some(Ok(mut last)) = cache.map(|s| s.last.lock()) {
            *last = None;
        }
        for page in &pages {
            if let Some(c) = &page.converted {
                report.diagnostics.extend(c.diagnostics.iter().cloned());
            }
            report
                .sources
                .insert(page.src.rpath.clone(), page.source.clone());
        }
        sort_and_dedup(&mut report.diagnostics);
        report.elapsed = started.elapsed();
        return Ok(report);
    }
    // Pages whose conversion was reused need no new layout when nothing any layout can
    // read of other pages changed either.
    let site_unchanged = cache.is_some_and(|s| s.same_site(site_fingerprint(&pages)));
    // The site-wide views of all pages are independent of each other: made side by side.
    // Other pages' variables are read only by pages still to be laid out (`{{fill v page}}`)
    // and by a live session's next saves.
    let vars_read = cache.is_some()
        || pages
            .iter()
            .zip(&early)
            .any(|(page, done)| done.is_none() && !page.draft);
    if vars_read {
        // Those templates may read any page's file variables too.
        pages.par_iter_mut().for_each(|page| file_vars.fill(page));
    }
    // Generated files are written as soon as each is made: held to the end of the build, a
    // large site's tag pages, sitemap and sidebar script were megabytes of memory touched
    // for the first time at the end, where the build keeps fewer than two cores busy.
    // Without a prepath the bytes go out as they are, neither read again nor copied.
    let write_generated = |rel: String, bytes: Vec<u8>| {
        let bytes = if rel.ends_with(".html") && !final_prepath.is_empty() {
            super::prepath::apply(&String::from_utf8_lossy(&bytes), &final_prepath)
                .into_owned()
                .into_bytes()
        } else {
            bytes
        };
        let written = out.write(&rel, &bytes);
        (rel, written)
    };
    // Every page's summary, and the sidebar script made from them and written (with its
    // hash: every page shows the sidebar, so a live session reloads them all when it changes).
    let summaries_and_sidebar = || {
        let summaries = pages_summary(&pages);
        let sidebar = theme.as_ref().map(|_| {
            let script = super::themed::site_nav_script(&summaries);
            let hash =
                (!opts.one_shot).then(|| crate::dialect::html::content_hash(script.as_bytes()));
            let rel = super::theme::NAV_SCRIPT.to_string();
            (hash, write_generated(rel, script.into_bytes()))
        });
        (summaries, sidebar)
    };
    // The sitemap lists the pages written, and the files made from all pages need
    // nothing else. Read on every core: each entry looks up a few of its page's variables.
    // One slot per page, filled in place: a filtered parallel collect grows and then joins
    // pieces, fresh memory touched twice where the build has fewest cores busy.
    let sitemap_and_feeds = |rendered: &[Option<Rendered>], summaries: &[PageSummary]| {
        let slots: Vec<Option<SitemapEntry>> = rendered
            .par_iter()
            .zip(&pages)
            .map(|(r, page)| {
                let r = r.as_ref().filter(|r| r.written.is_some())?;
                let listed = !r.sitemap_exclude
                    && page.out_rel != "404.html"
                    && !page.vars.bool("sitemap_exclude");
                listed.then(|| page_sitemap_entry(page))
            })
            .collect();
        let mut listed = Vec::with_capacity(slots.len());
        listed.extend(slots.iter().flatten());
        super::generated::generated_files(summaries, &globals, listed)
            .into_iter()
            .map(|(rel, bytes)| write_generated(rel, bytes))
            .collect::<Vec<_>>()
    };
    // What `check` needs of every page is gathered on the side while pages are laid out,
    // so it does not hold up the end of the build on its own.
    let check_pass = |report: &mut BuildReport| {
        if cache.is_some() {
            // A live session only prints diagnostics: keep the sources, skip what `check` needs.
            for page in pages.iter().filter(|p| !p.draft) {
                report
                    .sources
                    .insert(page.src.rpath.clone(), page.source.clone());
            }
        } else if opts.check_data {
            collect_check_data(&pages, report);
        }
    };
    // What `check` needs of every page, then the tag pages (which read only the site index):
    // one branch of the end of the build.
    let check_data_and_tag_pages = |index: &SiteIndex, report: &mut BuildReport| {
        check_pass(report);
        // Tag pages show only what the fingerprint covers: a live session keeps them as they are.
        let keep_tags = site_unchanged
            && index
                .tags
                .keys()
                .all(|t| out.keep(&site::tag_output_path(&index.tag_path, t)).is_ok());
        if keep_tags {
            return Vec::new();
        }
        super::generated::tag_files(
            index,
            &globals,
            theme.as_ref(),
            &resources,
            &mut report.diagnostics,
            &write_generated,
        )
    };
    let mut rendered = early;
    let laid_out_already = rendered
        .iter()
        .zip(&pages)
        .all(|(r, page)| page.draft || r.is_some());
    let (index, summaries, sidebar_written, mut generated, tag_files) = if laid_out_already {
        // Every page is written: the site-wide files are all that is left, made in two
        // branches of about the same length (the sidebar is the longest single piece).
        let ((index, tags), (summaries, nav, generated)) = rayon::join(
            || {
                let index = site_index(&pages, &globals, layouts, vars_read);
                let tags = check_data_and_tag_pages(&index, &mut report);
                (index, tags)
            },
            || {
                let (summaries, nav) = summaries_and_sidebar();
                let generated = sitemap_and_feeds(&rendered, &summaries);
                (summaries, nav, generated)
            },
        );
        (index, summaries, nav, generated, tags)
    } else {
        let (index, (summaries, nav)) = rayon::join(
            || site_index(&pages, &globals, layouts, vars_read),
            summaries_and_sidebar,
        );
        // Pages are written as soon as they are laid out, so the whole site's HTML is never
        // held in memory at once. The pages laid out during the conversion pass already have
        // their slot: the others fill theirs in place.
        let render_pass = || {
            rendered
                .par_iter_mut()
                .zip(&pages)
                .enumerate()
                .for_each(|(k, (slot, page))| {
                    if page.draft {
                        *slot = None;
                    } else if slot.is_none() {
                        *slot = Some(match reuse(cache, site_unchanged, page, &out) {
                            Some(kept) => {
                                progress.advance();
                                Rendered { index: k, ..kept }
                            }
                            None => lay_out_and_write(page, k, &index, &lay_out),
                        });
                    }
                });
            sitemap_and_feeds(&rendered, &summaries)
        };
        // Tag pages are made while pages are laid out.
        let (generated, tags) = rayon::join(render_pass, || {
            check_data_and_tag_pages(&index, &mut report)
        });
        (index, summaries, nav, generated, tags)
    };
    let nav_written = sidebar_written.map(|(hash, written)| {
        if let Some(hash) = hash {
            report
                .page_hashes
                .insert(super::theme::NAV_SCRIPT.to_string(), hash);
        }
        written
    });
    for r in rendered.into_iter().flatten() {
        let page = &pages[r.index];
        report.diagnostics.extend(r.diags);
        if let Some(source) = r.quoted_source {
            report.sources.insert(page.src.rpath.clone(), source);
        }
        match r.written {
            None => continue,
            Some(Ok(o)) => {
                count(&mut report, &page.out_rel, o);
                if !opts.one_shot {
                    report.page_hashes.insert(page.out_rel.clone(), r.hash);
                }
            }
            Some(Err(e)) => report.diagnostics.push(write_error(&e)),
        }
        for target in r.redirects {
            let html = redirect_page(&page.url, &final_prepath);
            match out.write(&target, html.as_bytes()) {
                Ok(o) => count(&mut report, &target, o),
                Err(e) => report.diagnostics.push(write_error(&e)),
            }
        }
    }
    report.pages = pages.iter().filter(|p| !p.draft).count();
    report.laid_out = laid_out.into_inner();
    if cache.is_none() && !opts.check_data {
        keep_quoted_sources(&pages, &mut report);
    }

    generated.extend(tag_files);
    generated.extend(nav_written);
    drop(summaries);
    // A live session keeps every page's conversion and the site index for the next save.
    let state = (pages, index, theme_cache);
    let (kept, freed) = match cache {
        Some(_) => (Some(state), None),
        None => (None, Some(state)),
    };
    if opts.one_shot {
        // The process ends with the build: the system takes the memory back at once.
        std::mem::forget(freed);
    } else if let Some((pages, index, theme_cache)) = freed {
        // Freeing every page's conversion, and the site index with the last references to
        // every page's variables, takes a while on a large site: on every core.
        drop(theme_cache);
        pages.into_par_iter().for_each(drop);
        index.vars.into_par_iter().for_each(drop);
    }
    for (rel, written) in generated {
        match written {
            Ok(o) => count(&mut report, &rel, o),
            Err(e) => report.diagnostics.push(write_error(&e)),
        }
    }
    if let Some(theme) = &theme {
        for (rel, bytes) in theme.assets() {
            match out.write(&rel, &bytes) {
                Ok(o) => count(&mut report, &rel, o),
                Err(e) => report.diagnostics.push(write_error(&e)),
            }
        }
    }
    let copies: Vec<Result<(String, site::WriteOutcome), SiteError>> = files
        .copies
        .par_iter()
        .map(|c| {
            out.copy(&c.path, &c.out_rel)
                .map(|o| (c.out_rel.clone(), o))
        })
        .collect();
    for r in copies {
        match r {
            Ok((rel, o)) => count(&mut report, &rel, o),
            Err(e) => report.diagnostics.push(write_error(&e)),
        }
    }
    let cleanup = out.finish()?;
    report.removed = cleanup.removed_files;
    sort_and_dedup(&mut report.diagnostics);
    if let (Some(session), Some((pages, index, theme_cache))) = (cache, kept) {
        let last = incremental::LastBuild {
            options: incremental::options_key(opts, &final_prepath),
            globals,
            resources,
            theme,
            theme_cache,
            index,
            pages,
            copies: files.copies.clone(),
            site_key,
            report: incremental::kept_report(&report),
        };
        if let Ok(mut slot) = session.last.lock() {
            *slot = Some(last);
        }
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

fn count(report: &mut BuildReport, rel: &str, outcome: site::WriteOutcome) {
    report.files += 1;
    report.outputs.push(rel.to_string());
    match outcome {
        site::WriteOutcome::Written => {
            report.written += 1;
        }
        site::WriteOutcome::Unchanged => report.unchanged += 1,
    }
}

fn write_error(e: &SiteError) -> Diagnostic {
    Diagnostic::error("write-failed", e.to_string()).help(e.hint().to_string())
}

/// Reads `config.md` into the site's globals.
fn read_site_config(
    root: &Path,
    resources: &FsResources,
    report: &mut BuildReport,
) -> (Globals, Vec<Diagnostic>) {
    let base = Globals::default();
    let file: Arc<str> = Arc::from("config.md");
    let Ok(bytes) = std::fs::read(root.join("config.md")) else {
        return (base, Vec::new());
    };
    match decode_source(bytes, &file) {
        Ok(text) => {
            let ctx = PageContext {
                rpath: file.clone(),
                globals: &base,
                resources,
                check_data: true,
            };
            let (globals, diags) = read_config(&text, &ctx);
            report
                .sources
                .insert(file.to_string(), Arc::from(text.as_str()));
            (globals, diags)
        }
        Err(d) => (base, vec![*d]),
    }
}

/// The `ignore` variable as rules.
fn ignore_rules(vars: &PageVars) -> Vec<IgnoreRule> {
    let mut rules = Vec::new();
    if let Some(list) = vars.get("ignore").and_then(Value::as_list) {
        for v in list {
            match v {
                Value::Str(s) => rules.extend(IgnoreRule::from_entry(s)),
                Value::Regex(r) => rules.push(IgnoreRule::Regex(r.clone())),
                _ => {}
            }
        }
    }
    rules
}

/// What converting one page needs besides the page.
struct ConvertEnv<'a> {
    globals: &'a Globals,
    resources: &'a FsResources,
    progress: &'a dyn Progress,
    cache: Option<&'a BuildSession>,
    /// Hash of config.md and utils.jl: every conversion depends on them.
    site_key: u64,
    fail_fast: bool,
    /// Conversions record what `check` reads.
    check_data: bool,
    /// A page had an error (for --fail-fast).
    failed: std::sync::atomic::AtomicBool,
    file_vars: FileVarsEnv,
}

impl<'a> ConvertEnv<'a> {
    fn new(
        globals: &'a Globals,
        resources: &'a FsResources,
        progress: &'a dyn Progress,
        (cache, site_key): (Option<&'a BuildSession>, u64),
        fail_fast: bool,
    ) -> ConvertEnv<'a> {
        ConvertEnv {
            globals,
            resources,
            progress,
            cache,
            site_key,
            fail_fast,
            check_data: true,
            failed: std::sync::atomic::AtomicBool::new(false),
            file_vars: FileVarsEnv::new(globals),
        }
    }
}

/// The conversion pass, in parallel. With `lay_out`, a page of the built-in theme whose
/// body asks nothing of other pages (no `{{ }}`) is laid out and written as soon as it is
/// converted, while it is at hand, so the build never holds the whole site's HTML; its
/// result is beside it, and it keeps of its conversion only what `check` reads.
fn convert_all(
    sources: Vec<PageSource>,
    env: &ConvertEnv<'_>,
    lay_out: Option<&LayoutEnv<'_>>,
) -> (Vec<Page>, Vec<Option<Rendered>>) {
    // Collected in place (the iterator knows its length): moving 10,000 pages through
    // growing chunks costs fresh memory, which is slow to touch for the first time.
    let (mut pages, mut early) = (Vec::new(), Vec::new());
    sources
        .into_par_iter()
        .enumerate()
        .map(|(k, src)| {
            let mut page = convert_source(src, env);
            let Some(lay_out) = lay_out.filter(|_| lays_out_alone(&page)) else {
                env.file_vars.fill(&mut page);
                return (page, None);
            };
            let rendered = lay_out_and_write(&page, k, &SiteIndex::default(), lay_out);
            // Memory a build touches for the first time is slow to get (most of all on
            // virtual machines): the conversion goes, but for what `check` reads of it.
            if !env.check_data {
                page.converted = None;
            } else if let Some(c) = page.converted.as_mut().and_then(Arc::get_mut) {
                c.html = String::new();
            }
            (page, Some(rendered))
        })
        .unzip_into_vecs(&mut pages, &mut early);
    (pages, early)
}

/// The bytes of an opened source file.
fn read_source(
    file: std::io::Result<std::fs::File>,
    meta: Option<&std::fs::Metadata>,
) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = file?;
    let size = meta.map_or(0, |m| usize::try_from(m.len()).unwrap_or(0));
    let mut bytes = Vec::with_capacity(size.saturating_add(1));
    // Through a plain reader: `File`'s own `read_to_end` asks the system for the size and
    // position again, which the metadata already gave.
    let mut reader = file.take(u64::MAX);
    reader.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads and converts one page (or takes it from the session when its file is unchanged).
fn convert_source(src: PageSource, env: &ConvertEnv<'_>) -> Page {
    let file: Arc<str> = Arc::from(src.rpath.as_str());
    // One open gives both the file's dates and, when needed, its bytes.
    let opened = std::fs::File::open(&src.path);
    let meta = opened.as_ref().ok().and_then(|f| f.metadata().ok());
    let mtime = Date::of_time(
        meta.as_ref()
            .and_then(|m| m.modified().ok())
            .unwrap_or(SystemTime::UNIX_EPOCH),
    );
    let skip = env.fail_fast && env.failed.load(std::sync::atomic::Ordering::Relaxed);
    let stamp = file_stamp(meta.as_ref());
    let unchanged = match (env.cache, stamp) {
        (Some(c), Some(st)) if src.kind == PageKind::Markdown => {
            c.unchanged(&src.rpath, st, env.site_key)
        }
        _ => None,
    };
    let (source, mut converted, source_dropped) = match unchanged {
        _ if skip => (Arc::from(""), None, false),
        Some((source, converted)) => (source, Some(converted), false),
        None => match read_source(opened, meta.as_ref()) {
            Ok(bytes) => {
                // The content key only matters to a live session's cache.
                let key = match env.cache {
                    Some(_) => crate::dialect::html::fnv1a(&bytes) ^ env.site_key,
                    None => 0,
                };
                match decode_source(bytes, &file) {
                    Ok(text) => {
                        let mut source: Option<Arc<str>> = None;
                        let converted = (src.kind == PageKind::Markdown).then(|| {
                            if let Some(hit) = env.cache.and_then(|c| c.get(&src.rpath, key)) {
                                return hit;
                            }
                            let ctx = PageContext {
                                rpath: file.clone(),
                                globals: env.globals,
                                resources: env.resources,
                                check_data: env.check_data,
                            };
                            let converted = Arc::new(convert_page(&text, &ctx));
                            if let (Some(c), Some(st)) =
                                (env.cache.filter(|_| !converted.reads_files), stamp)
                            {
                                let kept = source.get_or_insert_with(|| Arc::from(text.as_str()));
                                c.put(
                                    &src.rpath,
                                    key,
                                    (st.0, st.1, env.site_key),
                                    kept,
                                    &converted,
                                );
                            }
                            converted
                        });
                        // A plain build quotes a page's source only in diagnostics: a page
                        // converted without any does not keep it (layout reads the file
                        // again in the rare case it finds a problem there).
                        let keep = env.check_data
                            || converted.as_ref().is_none_or(|c| !c.diagnostics.is_empty());
                        match source {
                            Some(kept) => (kept, converted, false),
                            None if keep => (Arc::from(text.as_str()), converted, false),
                            None => (Arc::from(""), converted, true),
                        }
                    }
                    Err(d) => (
                        Arc::from(""),
                        Some(Arc::new(failed_page(env.globals, *d))),
                        false,
                    ),
                }
            }
            Err(e) => (
                Arc::from(""),
                Some(Arc::new(failed_page(
                    env.globals,
                    Diagnostic::error(
                        "unreadable-file",
                        format!("`{file}` could not be read: {e}"),
                    )
                    .at(Span::in_text(&file, "", 0, 0))
                    .help("check the file's permissions"),
                ))),
                false,
            ),
        },
    };
    if converted
        .as_ref()
        .is_some_and(|c| c.diagnostics.iter().any(Diagnostic::is_error))
    {
        env.failed.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    // Only a live session reads a conversion's variables again: other builds move them
    // to the page instead of holding two copies of every page's variables.
    let vars = match converted.as_mut() {
        Some(c) if env.cache.is_none() => match Arc::get_mut(c) {
            Some(c) => std::mem::take(&mut c.vars),
            None => c.vars.clone(),
        },
        Some(c) => c.vars.clone(),
        None => PageVars::for_page(&env.globals.vars),
    };
    let slug = vars.str("slug").trim_matches('/').to_string();
    let (out_rel, url) = if slug.is_empty() {
        (src.out_rel.clone(), src.url.clone())
    } else {
        let out_rel = site::slug_output_path(&slug);
        let url = ["/", out_rel.as_str()].concat();
        (out_rel, url)
    };
    let draft = vars.bool("draft");
    env.progress.advance();
    let mut page = Page {
        key: page_key(&src.rpath),
        src,
        source,
        source_dropped,
        converted,
        vars: Arc::new(vars),
        out_rel,
        url,
        mtime,
        draft,
        file_vars: false,
        tag_entry: None,
    };
    // Made here, on every core, rather than by the site index at the end of the build.
    page.tag_entry = tag_entry(&page).map(Arc::new);
    page
}

fn failed_page(globals: &Globals, d: Diagnostic) -> Converted {
    Converted {
        html: String::new(),
        vars: PageVars::for_page(&globals.vars),
        headings: Vec::new(),
        anchors: Vec::new(),
        links: Vec::new(),
        code_blocks: Vec::new(),
        diagnostics: vec![d],
        reads_files: true,
    }
}

/// What templates need to know of the whole site (every page's variables only `with_vars`).
fn site_index(
    pages: &[Page],
    globals: &Globals,
    layouts: HashMap<String, String>,
    with_vars: bool,
) -> SiteIndex {
    let vars = match with_vars {
        true => pages
            .par_iter()
            .filter(|p| !p.draft)
            .map(|page| (page.key.clone(), page.vars.clone()))
            .collect(),
        false => HashMap::new(),
    };
    // Each tagged page's entry was made with the page, once for the lists of all its tags,
    // and its tag names are read where they are: made or copied here, they were tens of
    // thousands of strings in fresh memory at the end of a large build.
    let tagged = || {
        pages.iter().filter_map(|page| {
            let entry = page.tag_entry.as_ref()?;
            let names = page.vars.get("tags").and_then(Value::as_list)?;
            Some((entry, names.iter().filter_map(Value::as_str)))
        })
    };
    // Pages by tag slug (names may differ only in case or spacing). A site has few tag
    // names and many tagged pages: each name's slug is worked out once, its pages counted,
    // and each list made at its final size.
    let mut slug_of: FxHashMap<&str, usize> = FxHashMap::default();
    let mut slug_at: FxHashMap<String, usize> = FxHashMap::default();
    let mut sizes: Vec<usize> = Vec::new();
    for name in tagged().flat_map(|(_, names)| names) {
        let k = *slug_of.entry(name).or_insert_with(|| {
            *slug_at.entry(refstring(name)).or_insert_with(|| {
                sizes.push(0);
                sizes.len() - 1
            })
        });
        sizes[k] += 1;
    }
    let mut lists: Vec<Vec<Arc<TagEntry>>> = sizes.into_iter().map(Vec::with_capacity).collect();
    for (entry, names) in tagged() {
        for name in names {
            if let Some(&k) = slug_of.get(name) {
                lists[k].push(entry.clone());
            }
        }
    }
    // Newest first; undated pages last; ties by URL so the order never depends on threads.
    lists.par_iter_mut().for_each(|list| {
        list.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    });
    let mut tags = HashMap::with_capacity(slug_at.len());
    for (slug, k) in slug_at {
        tags.insert(slug, std::mem::take(&mut lists[k]));
    }
    let tag_path = match globals.vars.str("tag_page_path") {
        "" => "tag".to_string(),
        t => t.trim_matches('/').to_string(),
    };
    SiteIndex {
        vars,
        tags,
        layouts,
        tag_path,
    }
}

/// How a page is listed on the pages of its tags; None for a draft or a page without tags.
fn tag_entry(page: &Page) -> Option<TagEntry> {
    let names = page.vars.get("tags").and_then(Value::as_list)?;
    if page.draft || !names.iter().any(|n| n.as_str().is_some()) {
        return None;
    }
    let title = match page.vars.get("title") {
        Some(Value::Str(t)) => t.clone(),
        _ => format!("/{}/", page.key),
    };
    let date = page.vars.get("date").and_then(Date::of_value);
    Some((pretty_url(&page.url).to_string(), title, date))
}

/// `/a/b/index.html` → `/a/b/`.
pub fn pretty_url(url: &str) -> &str {
    url.strip_suffix("index.html").unwrap_or(url)
}

/// Templates, lays out and returns one page's HTML.
fn render_page(
    page: &Page,
    index: &SiteIndex,
    env: LayoutInputs<'_>,
    diags: &mut Vec<Diagnostic>,
) -> (Result<String, Box<Diagnostic>>, Vec<String>, bool) {
    let file: Arc<str> = Arc::from(page.src.rpath.as_str());
    let empty = Vec::new();
    let headings = page.converted.as_ref().map_or(&empty, |c| &c.headings);
    let mut host = SiteHost {
        site: index,
        vars: &page.vars,
        headings,
        key: page.key.clone(),
        tag: None,
        resources: env.resources as &dyn Resources,
        redirects: Vec::new(),
        sitemap_exclude: false,
    };
    if let Some(c) = &page.converted {
        diags.extend(c.diagnostics.iter().cloned());
    }
    let body_src = match &page.converted {
        Some(c) => c.html.as_str(),
        None => &page.source,
    };
    let (body, issues) = template::render(body_src, &mut host);
    diags.extend(body_template_diagnostics(
        issues,
        body_src,
        &page.source,
        &file,
    ));
    let html = if page.src.kind == PageKind::Html {
        Ok(body.into_owned())
    } else if let Some(theme) = env.theme {
        super::themed::page(
            theme,
            env.theme_cache,
            page_view(page),
            body,
            env.globals,
            &page.source,
            diags,
        )
    } else {
        Ok(layout::assemble(&mut host, &page.vars, &body, diags))
    };
    (html, host.redirects, host.sitemap_exclude)
}

/// The parts of a page the theme and generated files need.
pub struct PageView<'a> {
    /// Source path.
    pub rpath: &'a str,
    /// `/a/b/index.html`.
    pub url: &'a str,
    /// Variables.
    pub vars: &'a PageVars,
    /// Headings.
    pub headings: &'a [crate::dialect::Heading],
}

fn page_view(page: &Page) -> PageView<'_> {
    PageView {
        rpath: &page.src.rpath,
        url: &page.url,
        vars: &page.vars,
        headings: page
            .converted
            .as_ref()
            .map_or(&[], |c| c.headings.as_slice()),
    }
}

/// Pages as the generated files see them.
pub struct PageSummary<'a> {
    /// Output path.
    pub out_rel: &'a str,
    /// URL.
    pub url: &'a str,
    /// Source path.
    pub rpath: &'a str,
    /// Variables.
    pub vars: &'a PageVars,
    /// Last modification.
    pub mtime: Date,
}

/// The pages that are not drafts, in one buffer of the right size (a parallel collect of a
/// filtered list grows pieces and joins them: more fresh memory for a copy of references).
fn pages_summary(pages: &[Page]) -> Vec<PageSummary<'_>> {
    let mut summaries = Vec::with_capacity(pages.len());
    summaries.extend(pages.iter().filter(|p| !p.draft).map(|p| PageSummary {
        out_rel: &p.out_rel,
        url: &p.url,
        rpath: &p.src.rpath,
        vars: &p.vars,
        mtime: p.mtime,
    }));
    summaries
}

fn page_sitemap_entry(page: &Page) -> SitemapEntry<'_> {
    let freq = match page.vars.str("sitemap_changefreq") {
        "" => "monthly",
        f => f,
    };
    let prio = match page.vars.get("sitemap_priority") {
        Some(Value::Float(f)) => priority_text(*f),
        Some(Value::Int(i)) => Cow::Owned(format!("{i}.0")),
        _ => Cow::Borrowed("0.5"),
    };
    SitemapEntry {
        url: &page.url,
        date: page.mtime,
        freq,
        prio,
    }
}

/// A sitemap priority with one decimal, as Franklin writes it. Priorities are nearly
/// always tenths (the default is 0.5): those are spelled out without formatting a float,
/// which cost more than the rest of a page's sitemap entry.
fn priority_text(f: f64) -> Cow<'static, str> {
    const TENTHS: [&str; 11] = [
        "0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0",
    ];
    let tenths = (f * 10.0).round();
    if (0.0..=10.0).contains(&tenths) && tenths / 10.0 == f {
        // In range and whole: the cast is exact.
        return Cow::Borrowed(TENTHS[tenths as usize]);
    }
    Cow::Owned(format!("{f:.1}"))
}

fn redirect_page(url: &str, prepath: &str) -> String {
    let target = if prepath.is_empty() {
        url.to_string()
    } else {
        format!("/{prepath}{url}")
    };
    format!("<!-- Generated Redirect -->\n<!doctype html>\n<html>\n<head>\n  <meta http-equiv=\"refresh\" content='0; url=\"{target}\"'>\n</head>\n</html>\n")
}

/// Keeps the sources of the pages a diagnostic points into, which reports quote.
fn keep_quoted_sources(pages: &[Page], report: &mut BuildReport) {
    let quoted: std::collections::HashSet<&str> = report
        .diagnostics
        .iter()
        .filter_map(|d| d.span.as_ref().map(|s| &*s.file))
        .collect();
    if quoted.is_empty() {
        return;
    }
    let sources: Vec<(String, Arc<str>)> = pages
        .iter()
        .filter(|p| !p.source_dropped && quoted.contains(p.src.rpath.as_str()))
        .map(|p| (p.src.rpath.clone(), p.source.clone()))
        .collect();
    report.sources.extend(sources);
}

/// Keeps what `notes check` needs: anchors, links, code blocks, untitled pages, sources.
fn collect_check_data(pages: &[Page], report: &mut BuildReport) {
    for page in pages.iter().filter(|p| !p.draft) {
        report
            .sources
            .insert(page.src.rpath.clone(), page.source.clone());
        report
            .page_sources
            .insert(page.out_rel.clone(), page.src.rpath.clone());
        let Some(c) = &page.converted else {
            continue;
        };
        report
            .anchors
            .insert(page.out_rel.clone(), c.anchors.clone());
        for l in &c.links {
            report.links.push((page.out_rel.clone(), l.clone()));
        }
        for b in &c.code_blocks {
            report.code_blocks.push((page.src.rpath.clone(), b.clone()));
        }
        if matches!(page.vars.get("title"), None | Some(Value::Nothing)) {
            let file: Arc<str> = Arc::from(page.src.rpath.as_str());
            let lines = LineIndex::new(&page.source);
            report
                .untitled
                .push((page.out_rel.clone(), lines.span(&file, &page.source, 0, 0)));
        }
    }
}

/// Template issues of a layout file, as diagnostics in that file.
pub fn layout_diagnostics(issues: Vec<TemplateIssue>, file: &str, text: &str) -> Vec<Diagnostic> {
    let file: Arc<str> = Arc::from(file);
    let lines = LineIndex::new(text);
    issues
        .into_iter()
        .map(|i| {
            let mut d = match i.severity {
                crate::diag::Severity::Error => Diagnostic::error(i.code, i.message),
                crate::diag::Severity::Warning => Diagnostic::warning(i.code, i.message),
            };
            d.span = Some(lines.span(&file, text, i.offset, i.offset + i.len));
            d.help = i.help;
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemap_priorities_read_as_one_decimal() {
        for f in [
            0.0,
            0.1,
            0.25,
            0.3,
            0.5,
            0.7,
            0.95,
            1.0,
            -0.5,
            1.5,
            2.0,
            f64::NAN,
        ] {
            assert_eq!(priority_text(f), format!("{f:.1}"), "{f}");
        }
        for k in 0..=10 {
            let f = f64::from(k) / 10.0;
            assert!(matches!(priority_text(f), Cow::Borrowed(_)), "{f}");
        }
    }
}
