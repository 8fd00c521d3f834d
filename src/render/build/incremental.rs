//! Live sessions: after a save, rebuild only the pages the watcher named, when nothing
//! another page shows of them changed. Anything else falls back to the whole-site build.
//!
//! The whole-site build leaves its state here (pages, index, navigation, theme); a save of
//! one page then costs one conversion, one layout and one write, instead of a walk, a stat
//! and a lookup for every page, the index, the navigation tree, the sitemap and the sweep.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use super::*;

/// What the last whole-site build of a session knew.
pub(super) struct LastBuild {
    /// The options it was built with: site, output, prepath, production pass.
    pub(super) options: (PathBuf, PathBuf, String, bool),
    pub(super) globals: Globals,
    pub(super) resources: FsResources,
    pub(super) theme: Option<Theme>,
    pub(super) nav: Vec<super::super::theme::NavItem>,
    pub(super) theme_cache: super::super::themed::ThemeCache,
    pub(super) index: SiteIndex,
    pub(super) pages: Vec<Page>,
    /// Page position by source path.
    pub(super) by_rpath: HashMap<String, usize>,
    /// Files copied as they are, by source path: (source file, output path).
    pub(super) copies: HashMap<String, (PathBuf, String)>,
    pub(super) site_key: u64,
    /// Whether some page reads other files (`\input`, `{{insert}}`): its output may follow
    /// any save, so only a whole build is safe.
    pub(super) reads_files: bool,
    pub(super) report: BuildReport,
}

/// The options that must match for the last build to be reused.
pub(super) fn options_key(opts: &BuildOptions, prepath: &str) -> (PathBuf, PathBuf, String, bool) {
    (
        opts.site.clone(),
        opts.out.clone(),
        prepath.to_string(),
        opts.final_pass,
    )
}

/// What other pages can see of `page`: its output path and variables (file times change
/// with every save and are not what other pages show).
pub(super) fn public_part(page: &Page) -> u64 {
    let vars: Vec<_> = page
        .vars
        .own_values()
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "fd_mtime" | "fd_ctime" | "fd_mtime_raw"))
        .collect();
    crate::dialect::html::fnv1a(format!("{}\u{1}{vars:?}", page.out_rel).as_bytes())
}

/// Rebuilds just the `changed` files (paths relative to the site) when that is provably
/// the same as a whole build; `None` when the caller must run the whole build.
pub(super) fn rebuild_changed(
    opts: &BuildOptions,
    session: &BuildSession,
    changed: &[String],
) -> Option<Result<BuildReport, BuildError>> {
    let started = Instant::now();
    let mut guard = session.last.lock().ok()?;
    let last = guard.as_mut()?;
    let prepath = last.options.2.clone();
    if changed.is_empty() || last.reads_files || last.options != options_key(opts, &prepath) {
        return None;
    }
    let mut pages_changed: Vec<usize> = Vec::new();
    let mut copies_changed: Vec<(PathBuf, String)> = Vec::new();
    for rel in changed {
        if let Some(&i) = last.by_rpath.get(rel) {
            let src = &last.pages[i].src;
            if src.kind != PageKind::Markdown || !src.path.is_file() {
                return None;
            }
            pages_changed.push(i);
        } else if let Some((path, out_rel)) = last.copies.get(rel) {
            if !path.is_file() {
                return None;
            }
            copies_changed.push((path.clone(), out_rel.clone()));
        } else {
            // A new or removed file changes the site's shape.
            return None;
        }
    }

    let env = ConvertEnv::new(
        &last.globals,
        &last.resources,
        &NoProgress,
        (Some(session), last.site_key),
        false,
    );
    let mut fresh: Vec<(usize, Page)> = Vec::new();
    for &i in &pages_changed {
        let old = &last.pages[i];
        let page = convert_source(&old.src, &env);
        let same_shape = page.out_rel == old.out_rel
            && page.draft == old.draft
            && !page.converted.as_ref().is_some_and(|c| c.reads_files)
            && page_sitemap_entry(&page) == page_sitemap_entry(old)
            && public_part(&page) == public_part(old);
        if !same_shape {
            return None;
        }
        fresh.push((i, page));
    }
    drop(env);

    let mut report = BuildReport {
        pages: last.report.pages,
        diagnostics: last
            .report
            .diagnostics
            .iter()
            .filter(|d| {
                !d.span
                    .as_ref()
                    .is_some_and(|s| changed.iter().any(|c| *c == *s.file))
            })
            .cloned()
            .collect(),
        sources: last.report.sources.clone(),
        page_hashes: last.report.page_hashes.clone(),
        prepath: prepath.clone(),
        ..BuildReport::default()
    };
    for (_, page) in &fresh {
        report
            .sources
            .insert(page.src.rpath.clone(), page.source.clone());
        if let Some(c) = &page.converted {
            report.diagnostics.extend(c.diagnostics.iter().cloned());
        }
    }
    if session.keep_last_good && fresh.iter().any(|(_, p)| page_has_errors(p)) {
        // As in the whole build: the last good output stays served. The state kept here
        // no longer matches the sources, so the next save takes the whole build.
        *guard = None;
        sort_and_dedup(&mut report.diagnostics);
        report.elapsed = started.elapsed();
        return Some(Ok(report));
    }

    let out = match OutputDir::for_site(&opts.out, &opts.site) {
        Ok(o) => o,
        Err(e) => return Some(Err(e.into())),
    };
    // Lay out every page first: a change in redirects or the sitemap needs a whole build,
    // and then nothing may have been written yet.
    let mut laid_out = Vec::new();
    for (_, page) in &fresh {
        last.index.vars.insert(page.key.clone(), page.vars.clone());
        let mut diags = Vec::new();
        let (html, redirects, exclude) = render_page(
            page,
            &last.index,
            &last.globals,
            last.theme.as_ref(),
            (&last.nav, &last.theme_cache),
            &last.resources,
            &mut diags,
        );
        let memo = session.memo(&page.out_rel)?;
        if memo.redirects != redirects || memo.sitemap_exclude != exclude {
            return None;
        }
        laid_out.push((html, diags, redirects, exclude));
    }
    for ((html, mut diags, redirects, exclude), (_, page)) in laid_out.into_iter().zip(&fresh) {
        match html {
            Ok(html) => {
                let html = super::super::prepath::apply(&html, &prepath);
                let hash = crate::dialect::html::content_hash(html.as_bytes());
                match out.write(&page.out_rel, html.as_bytes()) {
                    Ok(o) => {
                        count(&mut report, &page.out_rel, o);
                        report.page_hashes.insert(page.out_rel.clone(), hash);
                        session.remember(
                            &page.out_rel,
                            RenderMemo {
                                hash,
                                diags: diags.clone(),
                                redirects,
                                sitemap_exclude: exclude,
                            },
                        );
                    }
                    Err(e) => diags.push(write_error(&e)),
                }
            }
            Err(d) => diags.push(*d),
        }
        report.diagnostics.extend(diags);
    }
    for (path, out_rel) in copies_changed {
        match out.copy(&path, &out_rel) {
            Ok(o) => count(&mut report, &out_rel, o),
            Err(e) => report.diagnostics.push(write_error(&e)),
        }
    }
    // The output of this save becomes the state the next save is compared with.
    let fresh_count = fresh.len();
    for (i, page) in fresh {
        last.pages[i] = page;
    }
    last.report.page_hashes = report.page_hashes.clone();
    last.report.sources = report.sources.clone();
    last.report.diagnostics = report.diagnostics.clone();
    report.files = report.written + report.unchanged;
    report.laid_out = fresh_count;
    sort_and_dedup(&mut report.diagnostics);
    report.elapsed = started.elapsed();
    Some(Ok(report))
}

/// Keeps what a whole build knew for the saves that follow.
#[allow(clippy::too_many_arguments)]
pub(super) fn remember_build(
    session: &BuildSession,
    options: (PathBuf, PathBuf, String, bool),
    globals: Globals,
    resources: FsResources,
    theme: Option<Theme>,
    nav: Vec<super::super::theme::NavItem>,
    theme_cache: super::super::themed::ThemeCache,
    index: SiteIndex,
    pages: Vec<Page>,
    files: &SiteFiles,
    site_key: u64,
    report: &BuildReport,
) {
    let by_rpath = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.src.rpath.clone(), i))
        .collect();
    let reads_files = pages
        .iter()
        .any(|p| p.converted.as_ref().is_some_and(|c| c.reads_files));
    let copies = files
        .copies
        .iter()
        .map(|c| (c.rpath.clone(), (c.path.clone(), c.out_rel.clone())))
        .collect();
    let kept = BuildReport {
        pages: report.pages,
        diagnostics: report.diagnostics.clone(),
        sources: report.sources.clone(),
        page_hashes: report.page_hashes.clone(),
        ..BuildReport::default()
    };
    if let Ok(mut last) = session.last.lock() {
        *last = Some(LastBuild {
            options,
            globals,
            resources,
            theme,
            nav,
            theme_cache,
            index,
            pages,
            by_rpath,
            copies,
            site_key,
            reads_files,
            report: kept,
        });
    }
}
