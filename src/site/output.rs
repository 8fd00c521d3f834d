//! The output folder: the only door through which a build writes files.
//!
//! Three promises. Nothing is written outside the folder: relative paths are checked and
//! symlinks found inside it are replaced, never written through. Readers (the dev server,
//! a browser reloading) never see half a file: each file is written to a temporary name
//! and renamed into place. Files whose bytes did not change are not touched, so their
//! mtime stays and watchers stay quiet; files not produced by this run are removed at the end.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use super::SiteError;

/// What `write`/`copy` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The file was created or its content replaced.
    Written,
    /// The file already held exactly these bytes and was left alone.
    Unchanged,
}

/// Counts of one run, returned by [`OutputDir::finish`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CleanupReport {
    /// Files created or replaced.
    pub written: usize,
    /// Files already up to date.
    pub unchanged: usize,
    /// Leftover files of earlier builds removed.
    pub removed_files: usize,
    /// Empty folders removed.
    pub removed_dirs: usize,
}

/// Writes files into the output folder: only inside it, never rewriting identical bytes, and removing leftovers of earlier builds.
#[derive(Debug)]
pub struct OutputDir {
    root: PathBuf,
    written: Mutex<HashSet<String>>,
    temp_counter: AtomicU64,
    n_written: AtomicUsize,
    n_unchanged: AtomicUsize,
}

const HINT_BUG: &str = "output paths come from the site layout; report this as a bug in notes";

impl OutputDir {
    /// Opens (creating if needed) the output folder.
    pub fn new(root: &Path) -> Result<OutputDir, SiteError> {
        fs::create_dir_all(root).map_err(|e| io_err("create folder", root, e))?;
        let root = fs::canonicalize(root).map_err(|e| io_err("resolve", root, e))?;
        if root.parent().is_none() {
            return Err(SiteError::UnsafeOutputPath {
                rel: String::new(),
                path: root,
                reason: "the output folder is the file-system root",
                hint: "choose a dedicated output folder, e.g. `__site`",
            });
        }
        Ok(OutputDir {
            root,
            written: Mutex::new(HashSet::new()),
            temp_counter: AtomicU64::new(0),
            n_written: AtomicUsize::new(0),
            n_unchanged: AtomicUsize::new(0),
        })
    }

    /// Opens the output folder of a site, refusing folders whose cleaning would delete the site.
    pub fn for_site(root: &Path, site_root: &Path) -> Result<OutputDir, SiteError> {
        super::check_output_location(root, site_root)?;
        OutputDir::new(root)
    }

    /// The canonical path of the output folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `bytes` to `rel` (a '/'-separated path inside the folder), unless already there.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<WriteOutcome, SiteError> {
        let target = self.prepare(rel)?;
        if let Ok(meta) = fs::symlink_metadata(&target) {
            if meta.is_file() && meta.len() == bytes.len() as u64 {
                let same = fs::read(&target).map(|old| old == bytes).unwrap_or(false);
                if same {
                    return Ok(self.record(rel, WriteOutcome::Unchanged));
                }
            }
        }
        self.replace(rel, &target, |tmp| fs::write(tmp, bytes))?;
        Ok(self.record(rel, WriteOutcome::Written))
    }

    /// Copies file `src` to `rel`, unless the output already holds the same bytes.
    pub fn copy(&self, src: &Path, rel: &str) -> Result<WriteOutcome, SiteError> {
        let target = self.prepare(rel)?;
        let src_meta = fs::metadata(src).map_err(|e| SiteError::Io {
            action: "read",
            path: src.to_path_buf(),
            source: e,
            hint: "the file may have been removed during the build; run it again",
        })?;
        if let Ok(meta) = fs::symlink_metadata(&target) {
            if meta.is_file() && meta.len() == src_meta.len() && same_bytes(src, &target) {
                return Ok(self.record(rel, WriteOutcome::Unchanged));
            }
        }
        self.replace(rel, &target, |tmp| fs::copy(src, tmp).map(|_| ()))?;
        Ok(self.record(rel, WriteOutcome::Written))
    }

    /// Removes files not written/copied this run (and empty folders), and reports counts.
    ///
    /// A `.git` entry at the top is kept: the folder may be a git worktree used for deploying.
    pub fn finish(self) -> Result<CleanupReport, SiteError> {
        let written = self
            .written
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let mut report = CleanupReport {
            written: self.n_written.into_inner(),
            unchanged: self.n_unchanged.into_inner(),
            ..CleanupReport::default()
        };
        let root = self.root;
        let walker = walkdir::WalkDir::new(&root)
            .follow_links(false)
            .contents_first(true)
            .into_iter()
            .filter_entry(|e| !(e.depth() == 1 && e.file_name() == ".git"));
        for entry in walker {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(&root).to_path_buf();
                io_err("read folder", &path, e.into())
            })?;
            if entry.depth() == 0 {
                continue;
            }
            let path = entry.path();
            if entry.file_type().is_dir() {
                // Fails harmlessly when the folder still holds files of this build.
                if fs::remove_dir(path).is_ok() {
                    report.removed_dirs += 1;
                }
                continue;
            }
            let keep = rel_of(path, &root).is_some_and(|rel| written.contains(&rel));
            if !keep {
                match fs::remove_file(path) {
                    Ok(()) => report.removed_files += 1,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io_err("remove stale file", path, e)),
                }
            }
        }
        Ok(report)
    }

    fn record(&self, rel: &str, outcome: WriteOutcome) -> WriteOutcome {
        self.lock_written().insert(rel.to_string());
        let counter = match outcome {
            WriteOutcome::Written => &self.n_written,
            WriteOutcome::Unchanged => &self.n_unchanged,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        outcome
    }

    fn lock_written(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.written.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Validates `rel`, makes its parent folders real folders inside the root, and clears a
    /// stale folder standing where the file goes. Returns the target path.
    fn prepare(&self, rel: &str) -> Result<PathBuf, SiteError> {
        let parts = validate(rel).map_err(|reason| self.unsafe_path(rel, reason))?;
        let mut cur = self.root.clone();
        let mut cur_rel = String::new();
        let (last, dirs) = match parts.split_last() {
            Some(x) => x,
            None => return Err(self.unsafe_path(rel, "empty path")),
        };
        for part in dirs {
            cur.push(part);
            if !cur_rel.is_empty() {
                cur_rel.push('/');
            }
            cur_rel.push_str(part);
            self.ensure_dir(&cur, &cur_rel, rel)?;
        }
        cur.push(last);
        if let Ok(meta) = fs::symlink_metadata(&cur) {
            if meta.is_dir() {
                let prefix = format!("{rel}/");
                if self.lock_written().iter().any(|w| w.starts_with(&prefix)) {
                    return Err(self.unsafe_path(
                        rel,
                        "a folder with files of this build already has this path",
                    ));
                }
                fs::remove_dir_all(&cur).map_err(|e| io_err("remove stale folder", &cur, e))?;
            }
        }
        Ok(cur)
    }

    /// Makes `dir` a real folder. A symlink or a stale file in its place is removed (only
    /// the entry itself: a link is never followed), since the output folder is ours.
    fn ensure_dir(&self, dir: &Path, dir_rel: &str, rel: &str) -> Result<(), SiteError> {
        for _ in 0..3 {
            match fs::symlink_metadata(dir) {
                Ok(meta) if meta.is_dir() => return Ok(()),
                Ok(_) => {
                    if self.lock_written().contains(dir_rel) {
                        return Err(self.unsafe_path(
                            rel,
                            "a file of this build already has the path of one of its folders",
                        ));
                    }
                    match fs::remove_file(dir) {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => return Err(io_err("replace", dir, e)),
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err("inspect", dir, e)),
            }
            match fs::create_dir(dir) {
                Ok(()) => return Ok(()),
                // Another thread made it (or put something there): look again.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io_err("create folder", dir, e)),
            }
        }
        Err(io_err(
            "create folder",
            dir,
            io::Error::other("the path keeps changing while the build writes it"),
        ))
    }

    /// Fills a temporary file next to `target` with `fill`, then renames it into place, so
    /// the switch is atomic (and replaces a symlink itself rather than its target).
    fn replace(
        &self,
        rel: &str,
        target: &Path,
        fill: impl FnOnce(&Path) -> io::Result<()>,
    ) -> Result<(), SiteError> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| self.unsafe_path(rel, "no file name"))?;
        let n = self.temp_counter.fetch_add(1, Ordering::Relaxed);
        let tmp = target.with_file_name(format!(".{name}.notes-tmp.{}.{n}", std::process::id()));
        if let Err(e) = fill(&tmp) {
            let _ = fs::remove_file(&tmp);
            return Err(io_err("write", &tmp, e));
        }
        if let Err(e) = fs::rename(&tmp, target) {
            let _ = fs::remove_file(&tmp);
            return Err(io_err("write", target, e));
        }
        Ok(())
    }

    fn unsafe_path(&self, rel: &str, reason: &'static str) -> SiteError {
        SiteError::UnsafeOutputPath {
            rel: rel.to_string(),
            path: self.root.clone(),
            reason,
            hint: HINT_BUG,
        }
    }
}

/// Splits a relative output path into its parts, refusing anything that could leave the
/// folder or mean different things on different systems.
fn validate(rel: &str) -> Result<Vec<&str>, &'static str> {
    if rel.is_empty() {
        return Err("empty path");
    }
    if rel.starts_with('/') {
        return Err("absolute path");
    }
    if rel.contains('\\') {
        return Err("backslash in path");
    }
    if rel.contains('\0') {
        return Err("NUL byte in path");
    }
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        match *part {
            "" => return Err("empty path component"),
            "." | ".." => return Err("`.` or `..` component"),
            ".git" if i == 0 => return Err("inside `.git`"),
            p if cfg!(windows) && p.contains(':') => return Err("drive or stream name"),
            _ => {}
        }
    }
    Ok(parts)
}

fn rel_of(path: &Path, root: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.iter().map(|s| s.to_str()).collect();
    Some(parts?.join("/"))
}

/// Compares two files' bytes in chunks; any read failure counts as different.
fn same_bytes(a: &Path, b: &Path) -> bool {
    let (Ok(mut fa), Ok(mut fb)) = (fs::File::open(a), fs::File::open(b)) else {
        return false;
    };
    let mut ba = vec![0u8; 64 * 1024];
    let mut bb = vec![0u8; 64 * 1024];
    loop {
        let Ok(na) = read_full(&mut fa, &mut ba) else {
            return false;
        };
        let Ok(nb) = read_full(&mut fb, &mut bb) else {
            return false;
        };
        if na != nb || ba[..na] != bb[..nb] {
            return false;
        }
        if na == 0 {
            return true;
        }
    }
}

/// Reads until `buf` is full or the file ends (a plain `read` may return short).
fn read_full(f: &mut fs::File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn io_err(action: &'static str, path: &Path, source: io::Error) -> SiteError {
    SiteError::Io {
        action,
        path: path.to_path_buf(),
        source,
        hint: "check that the output folder is writable and not in use",
    }
}
