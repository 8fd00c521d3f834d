//! `notes init`: the files of a new site (kept as real files beside this one and embedded
//! in the binary), and writing them without ever replacing what is already there.

use std::path::{Path, PathBuf};

/// The continuous-integration setup to add to a new site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CiKind {
    /// A GitHub Actions workflow publishing to GitHub Pages, with pull-request previews.
    Github,
    /// A GitLab CI file: Code Quality report on merge requests, GitLab Pages on the default branch.
    Gitlab,
    /// No CI file.
    None,
}

/// The lines the scaffold's `.gitignore` needs.
const GITIGNORE: &str = include_str!("gitignore");

/// A file of the scaffold: where it goes (relative to the site folder) and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaffoldFile {
    /// The path inside the new site, with `/` separators.
    pub path: &'static str,
    /// The contents.
    pub contents: &'static str,
}

/// What writing one file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// The file was created.
    Created(PathBuf),
    /// An existing `.gitignore` got the scaffold's lines appended.
    Appended(PathBuf),
}

/// Why the scaffold could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// Files of the scaffold already exist; nothing was written.
    #[error("{} already exist{}: {}", if .0.len() == 1 { "a file" } else { "files" }, if .0.len() == 1 { "s" } else { "" }, .0.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    Exists(Vec<PathBuf>),
    /// A folder or file could not be created.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

/// The files of a new site with the given CI setup, `.gitignore` last.
pub fn files(ci: CiKind) -> Vec<ScaffoldFile> {
    let mut files = vec![
        ScaffoldFile {
            path: "config.md",
            contents: include_str!("config.md"),
        },
        ScaffoldFile {
            path: "index.md",
            contents: include_str!("index.md"),
        },
        ScaffoldFile {
            path: "lecture-1.md",
            contents: include_str!("lecture-1.md"),
        },
    ];
    match ci {
        CiKind::Github => files.push(ScaffoldFile {
            path: ".github/workflows/pages.yml",
            contents: include_str!("github-pages.yml"),
        }),
        CiKind::Gitlab => files.push(ScaffoldFile {
            path: ".gitlab-ci.yml",
            contents: include_str!("gitlab-ci.yml"),
        }),
        CiKind::None => {}
    }
    files.push(ScaffoldFile {
        path: ".gitignore",
        contents: GITIGNORE,
    });
    files
}

/// The lines of the scaffold's `.gitignore` that `existing` lacks.
fn missing_ignore_lines(existing: &str) -> Vec<&'static str> {
    let have: Vec<&str> = existing.lines().map(str::trim).collect();
    GITIGNORE
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !have.contains(&l.trim()))
        .collect()
}

/// Writes the scaffold into `dir` (created if missing). Nothing is written at all when
/// any file other than `.gitignore` already exists; an existing `.gitignore` only gets
/// the missing lines appended.
pub fn write(dir: &Path, ci: CiKind) -> Result<Vec<Written>, ScaffoldError> {
    let files = files(ci);
    let clashes: Vec<PathBuf> = files
        .iter()
        .filter(|f| f.path != ".gitignore")
        .map(|f| dir.join(f.path))
        .filter(|p| p.exists() || p.symlink_metadata().is_ok())
        .collect();
    if !clashes.is_empty() {
        return Err(ScaffoldError::Exists(clashes));
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ScaffoldError::Io { path, source }
    };
    let mut done = Vec::new();
    for f in &files {
        let path = dir.join(f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        if f.path == ".gitignore" && path.exists() {
            let existing = std::fs::read_to_string(&path).map_err(io(&path))?;
            let missing = missing_ignore_lines(&existing);
            if missing.is_empty() {
                continue;
            }
            let mut text = existing;
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            for line in missing {
                text.push_str(line);
                text.push('\n');
            }
            std::fs::write(&path, text).map_err(io(&path))?;
            done.push(Written::Appended(path));
            continue;
        }
        // create_new: a file that appeared since the check above is still not replaced.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, f.contents.as_bytes()))
            .map_err(io(&path))?;
        done.push(Written::Created(path));
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_flavour_has_its_workflow() {
        let paths = |ci| files(ci).iter().map(|f| f.path).collect::<Vec<_>>();
        assert_eq!(
            paths(CiKind::Github),
            [
                "config.md",
                "index.md",
                "lecture-1.md",
                ".github/workflows/pages.yml",
                ".gitignore"
            ]
        );
        assert_eq!(
            paths(CiKind::Gitlab),
            [
                "config.md",
                "index.md",
                "lecture-1.md",
                ".gitlab-ci.yml",
                ".gitignore"
            ]
        );
        assert_eq!(
            paths(CiKind::None),
            ["config.md", "index.md", "lecture-1.md", ".gitignore"]
        );
    }

    #[test]
    fn an_existing_gitignore_gets_only_the_missing_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(".gitignore"), "target").expect("write");
        let done = write(dir.path(), CiKind::None).expect("write");
        assert_eq!(
            done.last(),
            Some(&Written::Appended(dir.path().join(".gitignore")))
        );
        let text = std::fs::read_to_string(dir.path().join(".gitignore")).expect("read");
        assert_eq!(text, "target\n__site/\n");
        // A second time everything but .gitignore clashes, and nothing is touched.
        let err = write(dir.path(), CiKind::None).expect_err("clash");
        assert!(
            matches!(err, ScaffoldError::Exists(ref p) if p.len() == 3),
            "{err}"
        );
    }
}
