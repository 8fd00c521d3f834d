//! `notes serve`: build, serve, watch, rebuild, reload.
//!
//! A rebuild with errors writes nothing, so the last good build stays served, with the
//! problems shown in an overlay until they are fixed. Rebuilds reuse what the session
//! already converted and rendered, so a save re-renders only what it can have changed.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::ServeArgs;
use crate::diag::render::{self, HumanOptions};
use crate::render::BuildReport;
use crate::serve::http::{router, Reload, ServerState};
use crate::serve::watch::SiteWatcher;

use super::build;

/// `notes serve`.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let site = &args.site;
    let mut opts = build::options(site, false)?;
    let base = site.out.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("notes-serve-{}", std::process::id()))
    });

    let listener = std::net::TcpListener::bind((args.host.as_str(), args.port)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!(
                "port {} on {} is already in use\n  hint: stop the other server, or pick another port with --port {}",
                args.port,
                args.host,
                args.port.wrapping_add(1)
            )
        } else {
            anyhow::anyhow!("cannot listen on {}:{}: {e}", args.host, args.port)
        }
    })?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;

    opts.out = base.clone();
    // A rebuild with errors writes nothing, so the folder always holds the last good build.
    let cache = crate::render::BuildSession::keeping_last_good();
    let first = build::run_build_cached(site, &opts, Some(&cache))?;
    print_report(&first);
    let state = ServerState::new(&base);
    state.set_overlay(overlay(&first));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the server's runtime")?;
    let server_state = state.clone();
    let cleanup: Vec<PathBuf> = if site.out.is_none() {
        vec![base.clone()]
    } else {
        Vec::new()
    };
    runtime.spawn(async move {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: the server could not start: {e}");
                return;
            }
        };
        if let Err(e) = axum::serve(listener, router(server_state)).await {
            eprintln!("error: the server stopped: {e}");
        }
    });
    runtime.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            for dir in &cleanup {
                let _ = std::fs::remove_dir_all(dir);
            }
            std::process::exit(0);
        }
    });

    let url = format!("http://{addr}/");
    eprintln!("serving {url} (Ctrl-C to stop)");
    if args.open {
        open_browser(&url);
    }

    let watcher = SiteWatcher::start(&opts.site, &[&base], args.poll)?;
    // What the browser can be showing: the pages of the build being served.
    let mut served_hashes = first.page_hashes.clone();
    // Whether the pages in the browser carry the error overlay.
    let mut failing = first.has_errors();
    while let Some(changed) = watcher.next_change() {
        if build::changes_everything(&changed) {
            cache.clear();
        }
        // A save of pages whose titles and variables stay the same rebuilds just them.
        let quick = cache.rebuild_changed(&opts, &changed);
        let report = match quick.map_or_else(
            || build::run_build_cached(site, &opts, Some(&cache)),
            |r| r.map_err(anyhow::Error::from),
        ) {
            Ok(r) => r,
            Err(e) => {
                eprintln!(
                    "changed {}: the build could not run: {e:#}",
                    changed.join(", ")
                );
                continue;
            }
        };
        print_report(&report);
        let ok = !report.has_errors();
        state.set_overlay(overlay(&report));
        let reload = if !ok || failing {
            // The overlay appears on, or goes from, every page, whether its HTML changed or
            // not (undoing a typo gives back the very page that was served before it).
            Reload::Pages(Vec::new())
        } else if changed.iter().all(|p| p.ends_with(".css")) {
            Reload::Css
        } else {
            let mut pages = changed_pages(&report.page_hashes, &served_hashes);
            // Every page lays its sidebar out from the shared script.
            let nav = format!("/{}", crate::render::theme::NAV_SCRIPT);
            if pages.contains(&nav) {
                pages.clear();
            } else if pages.is_empty() {
                // No page changed (say, only a copied file did): reload nothing.
                pages.push("/\u{0}".to_string());
            }
            Reload::Pages(pages)
        };
        if ok {
            served_hashes = report.page_hashes.clone();
        }
        failing = !ok;
        state.notify(reload);
        eprintln!(
            "changed {}: {} in {} ms",
            changed.join(", "),
            if ok {
                format!(
                    "rebuilt {} of {} pages, reloading",
                    report.laid_out, report.pages
                )
            } else {
                "the rebuild has errors; the last good build stays served".to_string()
            },
            report.elapsed.as_millis()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The addresses of the pages whose HTML differs from the served build (new, changed or
/// gone), as the browser shows them (`/a/b/` and `/a/b/index.html`).
fn changed_pages(
    now: &std::collections::HashMap<String, u64>,
    served: &std::collections::HashMap<String, u64>,
) -> Vec<String> {
    let differs = |rel: &&String| now.get(*rel) != served.get(*rel);
    let mut pages: Vec<String> = now
        .keys()
        .chain(served.keys())
        .filter(differs)
        .flat_map(|rel| {
            let full = format!("/{rel}");
            match rel.strip_suffix("index.html") {
                Some(dir) => vec![format!("/{dir}"), full],
                None => vec![full],
            }
        })
        .collect();
    pages.sort();
    pages.dedup();
    pages
}

fn print_report(report: &BuildReport) {
    let opts = HumanOptions {
        color: super::report::color(),
    };
    for d in &report.diagnostics {
        eprintln!("{}\n", render::human(d, &report.sources, &opts));
    }
}

/// The overlay shown over every page while the last rebuild has errors.
fn overlay(report: &BuildReport) -> Option<String> {
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
    if errors.is_empty() {
        return None;
    }
    let plain = HumanOptions { color: false };
    let text: Vec<String> = errors
        .iter()
        .map(|d| render::human(d, &report.sources, &plain))
        .collect();
    Some(format!(
        "<div id=\"notes-error-overlay\" style=\"position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,24,.94);color:#f4f4f5;font:14px/1.5 ui-monospace,monospace;padding:2rem\"><h2 style=\"color:#f87171;margin-top:0\">notes: the last rebuild has {} error{}</h2><p>The page below is the last good build. Fix the problem and save: this message goes away by itself.</p><pre style=\"white-space:pre-wrap\">{}</pre></div>",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" },
        crate::dialect::html::escape(&text.join("\n\n"))
    ))
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("could not open a browser; visit {url}");
    }
}
