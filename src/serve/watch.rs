//! Watching a site folder: debounced file-system events, filtered down to the changes
//! that matter for a build.
//!
//! Editors save in many ways (write in place, write a temporary file and rename it over
//! the original, delete and recreate); notify-debouncer-full folds each burst into one
//! batch, so a save triggers one rebuild. `--poll` falls back to scanning the folder for
//! file systems whose events are unreliable (network mounts, some containers).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::Duration;

use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    new_debouncer_opt, DebounceEventResult, Debouncer, NoCache, RecommendedCache,
};

/// How long the folder must stay quiet before a burst of events is handed over as one
/// batch. An editor's save (write a temporary file, rename it over the page) takes well
/// under a millisecond; this is the floor of save-to-reload latency, so it stays short.
const DEBOUNCE: Duration = Duration::from_millis(20);

/// Why watching could not start.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The watcher refused the folder.
    #[error("cannot watch `{}`: {source}\n  hint: {hint}", path.display())]
    Watch {
        /// The folder.
        path: PathBuf,
        /// What notify said.
        source: notify::Error,
        /// How to get around it.
        hint: &'static str,
    },
}

/// A running watcher; dropping it stops watching.
pub struct SiteWatcher {
    _debouncer: Box<dyn std::any::Any + Send>,
    events: Receiver<DebounceEventResult>,
    root: PathBuf,
    ignored: Vec<PathBuf>,
}

impl SiteWatcher {
    /// Starts watching `root` recursively; changes under `ignored` (output folders) are ignored.
    pub fn start(root: &Path, ignored: &[&Path], poll: bool) -> Result<SiteWatcher, WatchError> {
        let (tx, rx) = channel();
        let fail = |source| WatchError::Watch {
            path: root.to_path_buf(),
            source,
            hint: "try `--poll`, which scans the folder instead of relying on file-system events",
        };
        let debouncer: Box<dyn std::any::Any + Send> = if poll {
            // Comparing contents too: modification times alone miss quick successive saves.
            let config = notify::Config::default()
                .with_poll_interval(Duration::from_millis(500))
                .with_compare_contents(true);
            let mut d: Debouncer<PollWatcher, NoCache> =
                new_debouncer_opt(DEBOUNCE, None, tx, NoCache, config).map_err(fail)?;
            d.watch(root, RecursiveMode::Recursive).map_err(fail)?;
            Box::new(d)
        } else {
            let mut d: Debouncer<RecommendedWatcher, RecommendedCache> = new_debouncer_opt(
                DEBOUNCE,
                None,
                tx,
                RecommendedCache::new(),
                notify::Config::default(),
            )
            .map_err(fail)?;
            d.watch(root, RecursiveMode::Recursive).map_err(fail)?;
            Box::new(d)
        };
        let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        Ok(SiteWatcher {
            _debouncer: debouncer,
            events: rx,
            root: canon(root),
            ignored: ignored.iter().map(|p| canon(p)).collect(),
        })
    }

    /// Waits for the next batch of relevant changes (paths relative to the site root, sorted);
    /// None when the watcher has stopped.
    pub fn next_change(&self) -> Option<Vec<String>> {
        loop {
            let batch = match self.events.recv_timeout(Duration::from_secs(3600)) {
                Ok(Ok(events)) => events,
                Ok(Err(_)) => continue,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return None,
            };
            let mut changed: Vec<String> = batch
                .iter()
                .filter(|e| changes_content(&e.event.kind))
                .flat_map(|e| e.event.paths.iter())
                .filter_map(|p| self.relevant(p))
                .collect();
            changed.sort();
            changed.dedup();
            if !changed.is_empty() {
                return Some(changed);
            }
        }
    }

    /// The site-relative path of a change that can affect the build.
    ///
    /// (The output folder is skipped: the build writes there, and watching our own
    /// writes would rebuild forever.)
    fn relevant(&self, path: &Path) -> Option<String> {
        if self.ignored.iter().any(|o| path.starts_with(o)) {
            return None;
        }
        let rel = path.strip_prefix(&self.root).ok()?;
        let rel = rel.to_string_lossy().replace('\\', "/");
        let name = rel.rsplit('/').next().unwrap_or("");
        let editor_noise = name.ends_with('~')
            || name.ends_with(".swp")
            || name.ends_with(".swx")
            || name.starts_with(".#")
            || name == "4913";
        let ignored = rel.starts_with(".git") || rel.starts_with("__site") || rel.is_empty();
        (!editor_noise && !ignored).then_some(rel)
    }
}

/// Whether an event can change what a build reads. Reads are events too on Linux (the
/// build itself opens every file), and so are permission and time stamps changes.
fn changes_content(kind: &notify::EventKind) -> bool {
    use notify::event::{EventKind, MetadataKind, ModifyKind};
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        // Polling sees a new modification time; inotify reports attribute changes as `Any`.
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::WriteTime | MetadataKind::Any)) => {
            true
        }
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Other => false,
        EventKind::Any => true,
    }
}
