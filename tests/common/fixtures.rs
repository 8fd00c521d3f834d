//! Fixture helpers shared by the integration tests.

#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};

/// Copies the folder `from` (without a built `__site`) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let Ok(rel) = entry.path().strip_prefix(from) else {
            continue;
        };
        if rel.starts_with("__site") {
            continue;
        }
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Copies the fixture site `tests/fixtures/<name>` to `to`.
#[allow(dead_code)] // not every test binary uses both helpers
pub fn copy_fixture(name: &str, to: &Path) {
    let from = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    copy_dir(&from, to);
}

/// A site folder `site` in a new temporary folder, holding `files` (path, text).
pub fn write_site(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = tmp.path().join("site");
    for (rel, text) in files {
        let path = site.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
    }
    (tmp, site)
}

/// Every file below `dir`, relative with `/` separators, sorted.
pub fn list_files(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            e.path()
                .strip_prefix(dir)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    files.sort();
    files
}
