//! Live sessions: after a save, rebuild only the pages the watcher named, when nothing
//! another page shows of them changed. Anything else falls back to the whole-site build.
//!
//! The whole-site build leaves its state here (pages, index, theme); a save of one page
//! then costs one conversion, one layout and one write, instead of a walk, a stat and a
//! lookup for every page, the index, the navigation tree, the sitemap and the sweep.

use std::path::PathBuf;
use std::time::Instant;

use super::*;
use crate::site::CopyFile;

/// What the last whole-site build of a session knew.
pub(super) struct LastBuild {
    /// The options it was built with: site, output, prepath, production pass.
    pub(super) options: (PathBuf, PathBuf, String, bool),
    pub(super) globals: Globals,
    pub(super) resources: FsResources,
    pub(super) theme: Option<Theme>,
    pub(super) theme_cache: super::super::themed::ThemeCache,
    pub(super) index: SiteIndex,
    pub(super) pages: Vec<Page>,
    /// Files copied as they are.
    pub(super) copies: Vec<CopyFile>,
    pub(super) site_key: u64,
    /// What a live session reports of it: page count, diagnostics, sources, page hashes.
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

/// The part of a whole build's report a live session keeps between saves.
pub(super) fn kept_report(report: &BuildReport) -> BuildReport {
    BuildReport {
        pages: report.pages,
        diagnostics: report.diagnostics.clone(),
        sources: report.sources.clone(),
        page_hashes: report.page_hashes.clone(),
        ..BuildReport::default()
    }
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

fn reads_files(page: &Page) -> bool {
    page.converted.as_ref().is_some_and(|c| c.reads_files)
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
    // A page that reads other files may follow any save: only a whole build is safe.
    if changed.is_empty()
        || last.options != options_key(opts, &prepath)
        || last.pages.iter().any(reads_files)
    {
        return None;
    }
    let mut pages_changed: Vec<usize> = Vec::new();
    let mut copies_changed: Vec<&CopyFile> = Vec::new();
    for rel in changed {
        if let Some(i) = last.pages.iter().position(|p| p.src.rpath == *rel) {
            let src = &last.pages[i].src;
            if src.kind != PageKind::Markdown || !src.path.is_file() {
                return None;
            }
            pages_changed.push(i);
        } else if let Some(copy) = last.copies.iter().find(|c| c.rpath == *rel) {
            if !copy.path.is_file() {
                return None;
            }
            copies_changed.push(copy);
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
        let mut page = convert_source(old.src.clone(), &env);
        env.file_vars.fill(&mut page);
        let same_shape = page.out_rel == old.out_rel
            && page.draft == old.draft
            && !reads_files(&page)
            && page_sitemap_entry(&page) == page_sitemap_entry(old)
            && public_part(&page) == public_part(old);
        if !same_shape {
            return None;
        }
        fresh.push((i, page));
    }
    drop(env);

    // Lay out every page before anything changes: a change in redirects or the sitemap
    // needs a whole build, and then nothing may have been written yet.
    let has_errors = session.keep_last_good && fresh.iter().any(|(_, p)| page_has_errors(p));
    let mut laid_out = Vec::new();
    if !has_errors {
        for (_, page) in &fresh {
            last.index.vars.insert(page.key.clone(), page.vars.clone());
            let mut diags = Vec::new();
            let inputs = LayoutInputs {
                globals: &last.globals,
                theme: last.theme.as_ref(),
                theme_cache: &last.theme_cache,
                resources: &last.resources,
            };
            let (html, redirects, exclude) = render_page(page, &last.index, inputs, &mut diags);
            let memo = session.memo(&page.out_rel)?;
            if memo.redirects != redirects || memo.sitemap_exclude != exclude {
                return None;
            }
            laid_out.push((html, diags, redirects, exclude));
        }
    }

    // From here on the kept report is this save's: other files' problems stay, the saved
    // files' are replaced.
    let kept = &mut last.report;
    kept.diagnostics.retain(|d| {
        !d.span
            .as_ref()
            .is_some_and(|s| changed.iter().any(|c| *c == *s.file))
    });
    for (_, page) in &fresh {
        kept.sources
            .insert(page.src.rpath.clone(), page.source.clone());
        if let Some(c) = &page.converted {
            kept.diagnostics.extend(c.diagnostics.iter().cloned());
        }
    }
    let mut report = BuildReport {
        prepath: prepath.clone(),
        ..BuildReport::default()
    };
    if has_errors {
        // As in the whole build: the last good output stays served. The state kept here
        // no longer matches the output, so the next save takes the whole build.
        let mut report = BuildReport {
            elapsed: started.elapsed(),
            ..kept_report(kept)
        };
        *guard = None;
        sort_and_dedup(&mut report.diagnostics);
        return Some(Ok(report));
    }

    let out = match OutputDir::for_site(&opts.out, &opts.site) {
        Ok(o) => o,
        Err(e) => return Some(Err(e.into())),
    };
    for ((html, mut diags, redirects, exclude), (_, page)) in laid_out.into_iter().zip(&fresh) {
        match html {
            Ok(html) => {
                let html = super::super::prepath::apply(&html, &prepath);
                let hash = crate::dialect::html::content_hash(html.as_bytes());
                match out.write(&page.out_rel, html.as_bytes()) {
                    Ok(o) => {
                        count(&mut report, &page.out_rel, o);
                        kept.page_hashes.insert(page.out_rel.clone(), hash);
                        session.remember(
                            &page.out_rel,
                            RenderMemo {
                                from: memo_source(page),
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
        kept.diagnostics.extend(diags);
    }
    for copy in copies_changed {
        match out.copy(&copy.path, &copy.out_rel) {
            Ok(o) => count(&mut report, &copy.out_rel, o),
            Err(e) => kept.diagnostics.push(write_error(&e)),
        }
    }
    let kept = kept_report(kept);
    report.laid_out = fresh.len();
    // The output of this save becomes the state the next save is compared with.
    for (i, page) in fresh {
        last.pages[i] = page;
    }
    let mut report = BuildReport {
        pages: kept.pages,
        diagnostics: kept.diagnostics,
        sources: kept.sources,
        page_hashes: kept.page_hashes,
        ..report
    };
    sort_and_dedup(&mut report.diagnostics);
    report.elapsed = started.elapsed();
    Some(Ok(report))
}
