//! The output folder: the only door through which a build writes files.
//!
//! Three promises. Nothing is written outside the folder: relative paths are checked and
//! symlinks found inside it are replaced, never written through. Readers (the dev server,
//! a browser reloading) never see half of a file they were shown before: each file is
//! written to a temporary name and renamed into place (in a folder that was empty when the
//! build started, where no reader has seen anything yet, new files are created in place). Files whose bytes did not change are not touched, so their
//! mtime stays and watchers stay quiet; files not produced by this run are removed at the end.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use rustc_hash::FxHashSet;

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
    written: Mutex<FxHashSet<String>>,
    /// Folders already made or checked in this run (our own output's paths: a fast hash);
    /// asking the file system again for each of thousands of files in the same folder
    /// would cost more than writing them.
    dirs_ready: Mutex<FxHashSet<String>>,
    temp_counter: AtomicU64,
    n_written: AtomicUsize,
    n_unchanged: AtomicUsize,
    /// The folder was empty when opened: no reader can be holding an older version of any
    /// file, so new files are created in place, and nothing stale can need sweeping.
    fresh: bool,
    /// Some write or copy failed, which may have left an empty folder behind.
    failed: AtomicBool,
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
        let fresh = fs::read_dir(&root).is_ok_and(|mut entries| entries.next().is_none());
        Ok(OutputDir {
            root,
            written: Mutex::new(FxHashSet::default()),
            dirs_ready: Mutex::new(FxHashSet::default()),
            temp_counter: AtomicU64::new(0),
            n_written: AtomicUsize::new(0),
            n_unchanged: AtomicUsize::new(0),
            fresh,
            failed: AtomicBool::new(false),
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
        let result = self.write_inner(rel, bytes);
        if result.is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
        result
    }

    fn write_inner(&self, rel: &str, bytes: &[u8]) -> Result<WriteOutcome, SiteError> {
        if self.fresh {
            if let Some(outcome) = self.write_new(rel, bytes)? {
                return Ok(outcome);
            }
        }
        let (target, meta) = self.prepare(rel)?;
        let same_size = meta.is_some_and(|m| m.is_file() && m.len() == bytes.len() as u64);
        if same_size && holds_exactly(&target, bytes) {
            return Ok(self.record(rel, WriteOutcome::Unchanged));
        }
        self.replace(rel, &target, |tmp| fs::write(tmp, bytes))?;
        Ok(self.record(rel, WriteOutcome::Written))
    }

    /// In a fresh folder, creates `rel` in place when nothing is at its path yet. Creating
    /// exclusively never follows a link; None when something is there already (an earlier
    /// write of this build), which the careful path then handles.
    fn write_new(&self, rel: &str, bytes: &[u8]) -> Result<Option<WriteOutcome>, SiteError> {
        let target = self.parents(rel)?;
        let Ok(mut file) = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
        else {
            return Ok(None);
        };
        if let Err(e) = file.write_all(bytes) {
            drop(file);
            let _ = fs::remove_file(&target);
            return Err(io_err("write", &target, e));
        }
        Ok(Some(self.record(rel, WriteOutcome::Written)))
    }

    /// Keeps the file already at `rel`, known to be current (a live session rendered the same
    /// page before): nothing is read or written, and cleanup leaves it. Err when it is missing.
    pub fn keep(&self, rel: &str) -> Result<WriteOutcome, SiteError> {
        match self.prepare(rel)? {
            (_, Some(meta)) if meta.is_file() => Ok(self.record(rel, WriteOutcome::Unchanged)),
            _ => Err(self.unsafe_path(rel, "the file to keep is not there")),
        }
    }

    /// Copies file `src` to `rel`, unless the output already holds the same bytes.
    pub fn copy(&self, src: &Path, rel: &str) -> Result<WriteOutcome, SiteError> {
        let result = self.copy_inner(src, rel);
        if result.is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
        result
    }

    fn copy_inner(&self, src: &Path, rel: &str) -> Result<WriteOutcome, SiteError> {
        let (target, meta) = self.prepare(rel)?;
        let src_meta = fs::metadata(src).map_err(|e| SiteError::Io {
            action: "read",
            path: src.to_path_buf(),
            source: e,
            hint: "the file may have been removed during the build; run it again",
        })?;
        if let Some(meta) = meta {
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
        let failed = self.failed.into_inner();
        if self.fresh && !failed {
            // Everything in the folder was written by this run.
            return Ok(report);
        }
        // A failed write may have left the folders made for it empty: then every folder
        // is tried.
        let dirs = match failed {
            false => self
                .dirs_ready
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner),
            true => FxHashSet::default(),
        };
        let kept = Kept {
            files: &written,
            dirs: &dirs,
        };
        let (files, dirs) = sweep(&self.root, Some(""), &kept)?;
        report.removed_files = files;
        report.removed_dirs = dirs;
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

    fn lock_written(&self) -> std::sync::MutexGuard<'_, FxHashSet<String>> {
        self.written.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Validates `rel`, makes its parent folders real folders inside the root, and clears a
    /// stale folder standing where the file goes. Returns the target path and what is there
    /// now (not following a link), if anything.
    fn prepare(&self, rel: &str) -> Result<(PathBuf, Option<fs::Metadata>), SiteError> {
        let cur = self.parents(rel)?;
        let meta = fs::symlink_metadata(&cur).ok();
        if meta.as_ref().is_some_and(fs::Metadata::is_dir) {
            let prefix = format!("{rel}/");
            if self.lock_written().iter().any(|w| w.starts_with(&prefix)) {
                return Err(self.unsafe_path(
                    rel,
                    "a folder with files of this build already has this path",
                ));
            }
            fs::remove_dir_all(&cur).map_err(|e| io_err("remove stale folder", &cur, e))?;
            return Ok((cur, None));
        }
        Ok((cur, meta))
    }

    /// Validates `rel` and makes its parent folders real folders inside the root. Returns
    /// the target path.
    fn parents(&self, rel: &str) -> Result<PathBuf, SiteError> {
        let parts = validate(rel).map_err(|reason| self.unsafe_path(rel, reason))?;
        let mut cur = PathBuf::with_capacity(self.root.as_os_str().len() + rel.len() + 1);
        cur.push(&self.root);
        let mut cur_rel = String::with_capacity(rel.len());
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
            let ready = self
                .dirs_ready
                .lock()
                .map(|d| d.contains(&cur_rel))
                .unwrap_or(false);
            if !ready {
                self.ensure_dir(&cur, &cur_rel, rel)?;
                if let Ok(mut d) = self.dirs_ready.lock() {
                    d.insert(cur_rel.clone());
                }
            }
        }
        cur.push(last);
        Ok(cur)
    }

    /// Makes `dir` a real folder. A symlink or a stale file in its place is removed (only
    /// the entry itself: a link is never followed), since the output folder is ours.
    fn ensure_dir(&self, dir: &Path, dir_rel: &str, rel: &str) -> Result<(), SiteError> {
        // In a folder that was empty, nothing is usually there yet: creating it first saves
        // asking the file system about every new folder. What is there already is looked at.
        if self.fresh && fs::create_dir(dir).is_ok() {
            return Ok(());
        }
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

/// What a run produced: the files it wrote or kept, and the folders holding them.
struct Kept<'a> {
    files: &'a FxHashSet<String>,
    dirs: &'a FxHashSet<String>,
}

/// Removes from `dir` every file this run did not produce, and the folders left with
/// nothing of it; sub-folders are swept side by side. `rel` is the folder's path inside the
/// output folder ("" at the top; None when its name is not UTF-8, so nothing in it was
/// written). Returns the numbers of files and folders removed. A `.git` entry at the top is
/// kept; links are removed, never followed.
fn sweep(dir: &Path, rel: Option<&str>, kept: &Kept) -> Result<(usize, usize), SiteError> {
    use rayon::prelude::*;
    let entries = fs::read_dir(dir).map_err(|e| io_err("read folder", dir, e))?;
    let mut subdirs = Vec::new();
    let mut removed_files = 0;
    for entry in entries {
        let entry = entry.map_err(|e| io_err("read folder", dir, e))?;
        let name = entry.file_name();
        if rel == Some("") && name == ".git" {
            continue;
        }
        let child_rel = match (rel, name.to_str()) {
            (Some(""), Some(n)) => Some(n.to_string()),
            (Some(r), Some(n)) => Some(format!("{r}/{n}")),
            _ => None,
        };
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            subdirs.push((entry.path(), child_rel));
            continue;
        }
        if child_rel.is_some_and(|r| kept.files.contains(&r)) {
            continue;
        }
        let path = entry.path();
        match fs::remove_file(&path) {
            Ok(()) => removed_files += 1,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("remove stale file", &path, e)),
        }
    }
    let (files, dirs) = subdirs
        .par_iter()
        .map(|(path, child_rel)| {
            let (files, mut dirs) = sweep(path, child_rel.as_deref(), kept)?;
            // A folder holding a file of this run stays; any other is empty now, unless
            // something was added meanwhile (then removing it fails harmlessly).
            let holds_output = child_rel.as_ref().is_some_and(|r| kept.dirs.contains(r));
            if !holds_output && fs::remove_dir(path).is_ok() {
                dirs += 1;
            }
            Ok((files, dirs))
        })
        .try_reduce(|| (0, 0), |a, b| Ok((a.0 + b.0, a.1 + b.1)))?;
    Ok((removed_files + files, dirs))
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

/// Whether the file at `path`, already known to have `bytes.len()` bytes, holds `bytes`:
/// read with its size known, without asking the system for it again.
fn holds_exactly(path: &Path, bytes: &[u8]) -> bool {
    let Ok(mut file) = fs::File::open(path) else {
        return false;
    };
    let mut old = vec![0u8; bytes.len() + 1];
    // One byte more than expected tells a file that grew since it was looked at.
    read_full(&mut file, &mut old).is_ok_and(|n| n == bytes.len() && old[..n] == *bytes)
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

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;
    use std::time::{Duration, SystemTime};

    fn out() -> (tempfile::TempDir, OutputDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let o = OutputDir::new(&dir.path().join("__site")).expect("open");
        (dir, o)
    }

    fn mtime(p: &Path) -> SystemTime {
        fs::metadata(p).and_then(|m| m.modified()).expect("mtime")
    }

    fn set_old_mtime(p: &Path) -> SystemTime {
        let old = SystemTime::UNIX_EPOCH + Duration::from_secs(946_684_800);
        let f = fs::File::options().write(true).open(p).expect("open");
        f.set_modified(old).expect("set mtime");
        old
    }

    #[test]
    fn writes_nested_files() {
        let (_d, o) = out();
        assert_eq!(
            o.write("a/b/index.html", b"hi").expect("write"),
            WriteOutcome::Written
        );
        assert_eq!(
            fs::read(o.root().join("a/b/index.html")).expect("read"),
            b"hi"
        );
    }

    #[test]
    fn unchanged_file_is_not_rewritten() {
        let (_d, o) = out();
        o.write("index.html", b"same").expect("write");
        let p = o.root().join("index.html");
        let old = set_old_mtime(&p);
        assert_eq!(
            o.write("index.html", b"same").expect("write"),
            WriteOutcome::Unchanged
        );
        assert_eq!(mtime(&p), old);
        assert_eq!(
            o.write("index.html", b"new!").expect("write"),
            WriteOutcome::Written
        );
        assert_ne!(mtime(&p), old);
        assert_eq!(fs::read(&p).expect("read"), b"new!");
    }

    #[test]
    fn copy_skips_identical_files() {
        let (d, o) = out();
        let src = d.path().join("logo.png");
        fs::write(&src, [1u8, 2, 3]).expect("write");
        assert_eq!(
            o.copy(&src, "assets/logo.png").expect("copy"),
            WriteOutcome::Written
        );
        let p = o.root().join("assets/logo.png");
        let old = set_old_mtime(&p);
        assert_eq!(
            o.copy(&src, "assets/logo.png").expect("copy"),
            WriteOutcome::Unchanged
        );
        assert_eq!(mtime(&p), old);
        // Same size, other bytes: copied again.
        fs::write(&src, [1u8, 2, 4]).expect("write");
        assert_eq!(
            o.copy(&src, "assets/logo.png").expect("copy"),
            WriteOutcome::Written
        );
        assert_eq!(fs::read(&p).expect("read"), [1u8, 2, 4]);
    }

    #[test]
    fn finish_removes_stale_files_and_empty_folders() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("__site");
        {
            let o = OutputDir::new(&root).expect("open");
            o.write("index.html", b"1").expect("write");
            o.write("old/page/index.html", b"1").expect("write");
            o.write("keep/a.css", b"1").expect("write");
            o.write("keep/b.css", b"1").expect("write");
            o.finish().expect("finish");
        }
        fs::create_dir_all(root.join(".git")).expect("mkdir");
        fs::write(root.join(".git/HEAD"), "ref").expect("write");
        let o = OutputDir::new(&root).expect("open");
        o.write("index.html", b"1").expect("write");
        o.write("keep/a.css", b"2").expect("write");
        let report = o.finish().expect("finish");
        assert_eq!(
            report,
            CleanupReport {
                written: 1,
                unchanged: 1,
                removed_files: 2,
                removed_dirs: 2,
            }
        );
        assert!(root.join("index.html").is_file());
        assert!(root.join("keep/a.css").is_file());
        assert!(!root.join("keep/b.css").exists());
        assert!(!root.join("old").exists());
        assert!(
            root.join(".git/HEAD").is_file(),
            "a deploy worktree survives"
        );
    }

    #[cfg(unix)]
    #[test]
    fn sweeping_reaches_every_depth_and_any_name() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("__site");
        let odd = root.join(std::ffi::OsStr::from_bytes(b"odd-\xff"));
        fs::create_dir_all(odd.join("deeper")).expect("mkdir");
        fs::write(odd.join("deeper/page.html"), "old").expect("write");
        fs::create_dir_all(root.join("a/b/.git")).expect("mkdir");
        fs::write(root.join("a/b/.git/HEAD"), "ref").expect("write");
        fs::write(root.join("a/b/stale.html"), "old").expect("write");
        let o = OutputDir::new(&root).expect("open");
        o.write("a/b/index.html", b"new").expect("write");
        let report = o.finish().expect("finish");
        assert_eq!((report.removed_files, report.removed_dirs), (3, 3));
        assert!(!odd.exists());
        assert!(
            !root.join("a/b/.git").exists(),
            "only the top `.git` is kept"
        );
        assert!(root.join("a/b/index.html").is_file());
    }

    #[test]
    fn unsafe_paths_are_refused() {
        let (d, o) = out();
        for rel in [
            "../x",
            "a/../../x",
            "/etc/x",
            "a\\..\\x",
            "",
            "a//b",
            "./a",
            "a/",
            ".git/config",
        ] {
            let err = o.write(rel, b"x").expect_err(rel);
            assert!(
                matches!(err, SiteError::UnsafeOutputPath { .. }),
                "{rel}: {err}"
            );
        }
        assert!(!d.path().join("x").exists());
        let err = o.write("/etc/x", b"x").expect_err("absolute");
        assert_eq!(err.path(), o.root());
        assert!(err.to_string().contains("absolute path"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_in_the_output_are_replaced_not_written_through() {
        use std::os::unix::fs::symlink;
        let (d, o) = out();
        let outside = d.path().join("outside");
        fs::create_dir(&outside).expect("mkdir");
        fs::write(outside.join("victim.txt"), "keep me").expect("write");
        symlink(&outside, o.root().join("assets")).expect("link dir");
        symlink(outside.join("victim.txt"), o.root().join("page.html")).expect("link file");

        o.write("assets/victim.txt", b"pwned").expect("write");
        o.write("page.html", b"pwned").expect("write");
        assert_eq!(
            fs::read_to_string(outside.join("victim.txt")).expect("read"),
            "keep me"
        );
        let assets = fs::symlink_metadata(o.root().join("assets")).expect("meta");
        assert!(assets.is_dir(), "the link became a real folder");
        assert_eq!(
            fs::read(o.root().join("page.html")).expect("read"),
            b"pwned"
        );
        assert!(!fs::symlink_metadata(o.root().join("page.html"))
            .expect("meta")
            .file_type()
            .is_symlink());
    }

    #[test]
    fn stale_file_or_folder_in_the_way_is_replaced() {
        let (_d, o) = out();
        fs::write(o.root().join("foo"), "old file").expect("write");
        fs::create_dir_all(o.root().join("bar/deep")).expect("mkdir");
        fs::write(o.root().join("bar/deep/x"), "old").expect("write");
        o.write("foo/index.html", b"now a folder").expect("write");
        o.write("bar", b"now a file").expect("write");
        assert!(o.root().join("foo/index.html").is_file());
        assert_eq!(fs::read(o.root().join("bar")).expect("read"), b"now a file");
        // But a path of this build is never clobbered by another.
        let err = o.write("foo", b"x").expect_err("clash");
        assert!(matches!(err, SiteError::UnsafeOutputPath { .. }));
        let err = o.write("bar/x", b"x").expect_err("clash");
        assert!(matches!(err, SiteError::UnsafeOutputPath { .. }));
    }

    #[test]
    fn concurrent_writes_from_rayon() {
        let (_d, o) = out();
        let rels: Vec<String> = (0..400)
            .map(|i| format!("d{}/e{}/p{i}/index.html", i % 7, i % 3))
            .collect();
        let outcomes: Result<Vec<WriteOutcome>, SiteError> =
            rels.par_iter().map(|r| o.write(r, r.as_bytes())).collect();
        assert!(outcomes
            .expect("all written")
            .iter()
            .all(|w| *w == WriteOutcome::Written));
        // Writing the same set again in parallel changes nothing.
        let again: Vec<WriteOutcome> = rels
            .par_iter()
            .map(|r| o.write(r, r.as_bytes()).expect("write"))
            .collect();
        assert!(again.iter().all(|w| *w == WriteOutcome::Unchanged));
        let root = o.root().to_path_buf();
        let report = o.finish().expect("finish");
        assert_eq!((report.written, report.unchanged), (400, 400));
        assert_eq!(report.removed_files, 0);
        for r in &rels {
            assert_eq!(fs::read(root.join(r)).expect("read"), r.as_bytes());
        }
        let leftovers = walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("notes-tmp"))
            .count();
        assert_eq!(leftovers, 0);
    }

    #[test]
    fn fresh_folder_writes_in_place_and_keeps_every_rule() {
        let (d, o) = out();
        assert!(o.fresh);
        assert_eq!(
            o.write("a/index.html", b"1").expect("write"),
            WriteOutcome::Written
        );
        // A second write of the same path in one build takes the careful way.
        assert_eq!(
            o.write("a/index.html", b"1").expect("write"),
            WriteOutcome::Unchanged
        );
        assert_eq!(
            o.write("a/index.html", b"22").expect("write"),
            WriteOutcome::Written
        );
        assert!(matches!(
            o.write("a/index.html/x", b"x")
                .expect_err("file in the way"),
            SiteError::UnsafeOutputPath { .. }
        ));
        assert!(matches!(
            o.write("a", b"x").expect_err("folder in the way"),
            SiteError::UnsafeOutputPath { .. }
        ));
        #[cfg(unix)]
        {
            let victim = d.path().join("victim.txt");
            fs::write(&victim, "keep me").expect("write");
            std::os::unix::fs::symlink(&victim, o.root().join("b.html")).expect("link");
            o.write("b.html", b"new").expect("write");
            assert_eq!(fs::read_to_string(&victim).expect("read"), "keep me");
        }
        let root = o.root().to_path_buf();
        let report = o.finish().expect("finish");
        assert_eq!(report.removed_files, 0);
        assert_eq!(fs::read(root.join("a/index.html")).expect("read"), b"22");
        let names: Vec<String> = walkdir::WalkDir::new(&root)
            .min_depth(1)
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains("notes-tmp")), "{names:?}");
    }

    #[test]
    fn fresh_folder_is_swept_after_a_failed_write() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("__site");
        let o = OutputDir::new(&root).expect("open");
        o.write("a/index.html", b"1").expect("write");
        // A stale file appears (say, written by hand during the build) and a write fails.
        fs::write(o.root().join("stray.txt"), "x").expect("write");
        o.write("a/index.html/x", b"x")
            .expect_err("file in the way");
        let report = o.finish().expect("finish");
        assert_eq!(report.removed_files, 1);
        assert!(!root.join("stray.txt").exists());
        assert!(root.join("a/index.html").is_file());
    }

    #[test]
    fn a_folder_with_files_is_not_fresh() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("__site");
        fs::create_dir_all(&root).expect("mkdir");
        fs::write(root.join("old.html"), "x").expect("write");
        let o = OutputDir::new(&root).expect("open");
        assert!(!o.fresh);
        o.write("index.html", b"1").expect("write");
        assert_eq!(o.finish().expect("finish").removed_files, 1);
        assert!(!root.join("old.html").exists());
    }

    #[test]
    fn for_site_refuses_the_site_folder() {
        let d = tempfile::tempdir().expect("temp dir");
        let err = OutputDir::for_site(d.path(), &d.path().join("src")).expect_err("parent");
        assert!(matches!(err, SiteError::OutputContainsSite { .. }));
        assert!(OutputDir::for_site(&d.path().join("src/__site"), &d.path().join("src")).is_ok());
    }
}
