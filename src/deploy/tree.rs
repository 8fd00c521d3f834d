//! Git trees made straight from the output folder, and the Pages tree of a deploy:
//! the site (or a subtree of it) laid over what the branch already holds.

use std::path::{Path, PathBuf};

use git2::{build::TreeUpdateBuilder, FileMode, Oid, Repository, Tree};

use super::DeployError;

/// GitHub refuses blobs larger than this.
const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;

/// The top-level folder that holds pull-request previews; main deploys keep it.
pub const PREVIEWS_DIR: &str = "previews";

/// A tree written from a folder, with the number of files in it.
#[derive(Debug, Clone, Copy)]
pub struct FolderTree {
    /// The tree id (the empty tree for an empty folder).
    pub id: Oid,
    /// Files in the tree.
    pub files: usize,
    /// Bytes in those files.
    pub bytes: u64,
}

/// Writes `dir` as a tree: blobs for files (mode 755 when executable), subtrees for
/// folders; `.git` and empty folders are left out, symlinks and files over 100 MB refused.
pub fn write_folder(repo: &Repository, dir: &Path) -> Result<FolderTree, DeployError> {
    let mut tally = FolderTree {
        id: Oid::ZERO_SHA1,
        files: 0,
        bytes: 0,
    };
    let id = write_level(repo, dir, &mut tally)?;
    tally.id = match id {
        Some(id) => id,
        None => empty_tree(repo)?,
    };
    Ok(tally)
}

/// The id of the empty tree, written into `repo`.
pub fn empty_tree(repo: &Repository) -> Result<Oid, DeployError> {
    let builder = repo.treebuilder(None).map_err(git("start a tree"))?;
    builder.write().map_err(git("write the empty tree"))
}

fn write_level(
    repo: &Repository,
    dir: &Path,
    tally: &mut FolderTree,
) -> Result<Option<Oid>, DeployError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DeployError::Io { path, source }
    };
    let mut entries: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        let name = entry
            .file_name()
            .into_string()
            .map_err(|_| DeployError::BadName { path: path.clone() })?;
        if name == ".git" {
            continue;
        }
        entries.push((name, path));
    }
    entries.sort();
    let mut builder = repo.treebuilder(None).map_err(git("start a tree"))?;
    let mut any = false;
    for (name, path) in entries {
        let meta = std::fs::symlink_metadata(&path).map_err(io(&path))?;
        let kind = meta.file_type();
        if kind.is_symlink() {
            return Err(DeployError::Symlink { path });
        }
        if kind.is_dir() {
            if let Some(sub) = write_level(repo, &path, tally)? {
                builder
                    .insert(&name, sub, i32::from(FileMode::Tree))
                    .map_err(git("add a folder to a tree"))?;
                any = true;
            }
        } else if kind.is_file() {
            if meta.len() > MAX_FILE_BYTES {
                return Err(DeployError::TooLarge {
                    path,
                    bytes: meta.len(),
                });
            }
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            let blob = repo.blob(&bytes).map_err(git("store a file"))?;
            builder
                .insert(&name, blob, file_mode(&meta))
                .map_err(git("add a file to a tree"))?;
            tally.files += 1;
            tally.bytes += meta.len();
            any = true;
        }
        // Sockets, fifos and devices have no place on a web server: skipped.
    }
    if !any {
        return Ok(None);
    }
    builder.write().map(Some).map_err(git("write a tree"))
}

#[cfg(unix)]
fn file_mode(meta: &std::fs::Metadata) -> i32 {
    use std::os::unix::fs::PermissionsExt as _;
    if meta.permissions().mode() & 0o111 != 0 {
        i32::from(FileMode::BlobExecutable)
    } else {
        i32::from(FileMode::Blob)
    }
}

#[cfg(not(unix))]
fn file_mode(_meta: &std::fs::Metadata) -> i32 {
    i32::from(FileMode::Blob)
}

/// Where the site goes in the branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// The whole branch is the site; `previews/` and (without a new one) `CNAME` carry over.
    Root {
        /// `CNAME` to write; `None` keeps the site's own or the branch's.
        cname: Option<String>,
        /// Add an empty `.nojekyll` so Pages serves `_`-prefixed folders.
        nojekyll: bool,
    },
    /// The site replaces only this subtree; the rest of the branch is kept.
    Subdir {
        /// The folder, e.g. `previews/pr-7`.
        dest: String,
        /// Make sure the branch root has `.nojekyll`.
        nojekyll: bool,
    },
    /// This subtree is removed; nothing else changes.
    Remove {
        /// The folder to remove.
        dest: String,
    },
}

/// The folder of pull request `pr`'s preview in the branch: `previews/pr-N`.
pub fn preview_dest(pr: u64) -> String {
    format!("{PREVIEWS_DIR}/pr-{pr}")
}

impl Placement {
    /// The folder this placement writes or removes; `None` for the branch root.
    pub fn dest(&self) -> Option<&str> {
        match self {
            Placement::Subdir { dest, .. } | Placement::Remove { dest } => Some(dest),
            Placement::Root { .. } => None,
        }
    }
}

/// Checks a `--dest` folder: relative, plain names, no `..`, nothing that git treats specially.
pub fn check_dest(dest: &str) -> Result<String, DeployError> {
    let trimmed = dest.trim_matches('/');
    let bad = |why: &str| DeployError::BadDest {
        dest: dest.to_string(),
        why: why.to_string(),
    };
    if trimmed.is_empty() {
        return Err(bad(
            "it is empty; leave out --dest to deploy to the branch root",
        ));
    }
    for part in trimmed.split('/') {
        match part {
            "" => return Err(bad("it has an empty path component (`//`)")),
            "." | ".." => return Err(bad("`.` and `..` are not allowed")),
            ".git" => return Err(bad("`.git` is reserved by git")),
            p if p.contains('\\') || p.contains('\0') => {
                return Err(bad("use `/` between folders, without backslashes"))
            }
            _ => {}
        }
    }
    Ok(trimmed.to_string())
}

/// The tree the branch should hold: `site` placed as asked over `parent` (the branch's
/// current tree, if it exists). `site` is `None` only for [`Placement::Remove`].
pub fn compose(
    repo: &Repository,
    parent: Option<&Tree<'_>>,
    site: Option<Oid>,
    placement: &Placement,
) -> Result<Oid, DeployError> {
    match placement {
        Placement::Root { cname, nojekyll } => {
            let site = site.ok_or(DeployError::NothingToDeploy)?;
            let site_tree = repo.find_tree(site).map_err(git("read the site tree"))?;
            let mut builder = repo
                .treebuilder(Some(&site_tree))
                .map_err(git("start a tree"))?;
            if *nojekyll && site_tree.get_name(".nojekyll").is_none() {
                let blob = repo.blob(b"").map_err(git("store .nojekyll"))?;
                builder
                    .insert(".nojekyll", blob, i32::from(FileMode::Blob))
                    .map_err(git("add .nojekyll"))?;
            }
            if let Some(domain) = cname {
                let blob = repo
                    .blob(format!("{domain}\n").as_bytes())
                    .map_err(git("store CNAME"))?;
                builder
                    .insert("CNAME", blob, i32::from(FileMode::Blob))
                    .map_err(git("add CNAME"))?;
            } else if site_tree.get_name("CNAME").is_none() {
                // The custom domain lives in the branch: losing it takes the site offline.
                if let Some(old) = parent.and_then(|p| p.get_name("CNAME")) {
                    builder
                        .insert("CNAME", old.id(), old.filemode())
                        .map_err(git("carry CNAME over"))?;
                }
            }
            if let Some(old) = parent.and_then(|p| p.get_name(PREVIEWS_DIR)) {
                builder
                    .insert(PREVIEWS_DIR, old.id(), old.filemode())
                    .map_err(git("keep the previews"))?;
            }
            builder.write().map_err(git("write the site tree"))
        }
        Placement::Subdir { dest, nojekyll } => {
            let site = site.ok_or(DeployError::NothingToDeploy)?;
            let base = base_tree(repo, parent)?;
            let mut update = TreeUpdateBuilder::new();
            let mut staged = false;
            // libgit2 cannot turn a file into a folder in one update: remove first.
            if let Ok(existing) = base.get_path(Path::new(dest)) {
                if existing.kind() != Some(git2::ObjectType::Tree) {
                    update.remove(dest.as_str());
                    staged = true;
                }
            }
            if let Some(blocker) = file_on_the_way(&base, dest) {
                update.remove(blocker.as_str());
                staged = true;
            }
            let base = if staged {
                let id = update
                    .create_updated(repo, &base)
                    .map_err(git("clear the way for the folder"))?;
                update = TreeUpdateBuilder::new();
                repo.find_tree(id).map_err(git("read a tree"))?
            } else {
                base
            };
            update.upsert(dest.as_str(), site, FileMode::Tree);
            if *nojekyll && base.get_name(".nojekyll").is_none() {
                let blob = repo.blob(b"").map_err(git("store .nojekyll"))?;
                update.upsert(".nojekyll", blob, FileMode::Blob);
            }
            update
                .create_updated(repo, &base)
                .map_err(git("place the site in its folder"))
        }
        Placement::Remove { dest } => {
            let base = base_tree(repo, parent)?;
            if base.get_path(Path::new(dest)).is_err() {
                return Ok(base.id());
            }
            let mut update = TreeUpdateBuilder::new();
            update.remove(dest.as_str());
            let id = update
                .create_updated(repo, &base)
                .map_err(git("remove the folder"))?;
            prune_empty_parents(repo, id, dest)
        }
    }
}

/// The parent tree, or the empty tree on a first deploy.
fn base_tree<'r>(repo: &'r Repository, parent: Option<&Tree<'_>>) -> Result<Tree<'r>, DeployError> {
    let id = match parent {
        Some(t) => t.id(),
        None => empty_tree(repo)?,
    };
    repo.find_tree(id).map_err(git("read a tree"))
}

/// A file sitting where one of `dest`'s folders must go (`a` is a file, dest is `a/b`).
fn file_on_the_way(base: &Tree<'_>, dest: &str) -> Option<String> {
    let parts: Vec<&str> = dest.split('/').collect();
    for i in 1..parts.len() {
        let prefix = parts[..i].join("/");
        match base.get_path(Path::new(&prefix)) {
            Ok(e) if e.kind() != Some(git2::ObjectType::Tree) => return Some(prefix),
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
    None
}

/// Removes folders left empty by a removal (`previews/` after its last preview goes).
fn prune_empty_parents(repo: &Repository, tree: Oid, dest: &str) -> Result<Oid, DeployError> {
    let mut current = tree;
    let mut path = dest.to_string();
    while let Some((parent, _)) = path.rsplit_once('/') {
        let root = repo.find_tree(current).map_err(git("read a tree"))?;
        let empty = match root.get_path(Path::new(parent)) {
            Ok(entry) => repo
                .find_tree(entry.id())
                .map(|t| t.is_empty())
                .unwrap_or(false),
            Err(_) => false,
        };
        if !empty {
            break;
        }
        let mut update = TreeUpdateBuilder::new();
        update.remove(parent);
        current = update
            .create_updated(repo, &root)
            .map_err(git("remove an empty folder"))?;
        path = parent.to_string();
    }
    Ok(current)
}

/// Files that differ between two trees (added, removed or changed).
pub fn changed_files(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
) -> Result<usize, DeployError> {
    let diff = repo
        .diff_tree_to_tree(old, Some(new), None)
        .map_err(git("compare with the branch"))?;
    Ok(diff.deltas().len())
}

/// Counts the files (blobs) in a tree, all levels.
pub fn count_files(tree: &Tree<'_>) -> usize {
    let mut n = 0;
    let _ = tree.walk(git2::TreeWalkMode::PreOrder, |_, e| {
        if e.kind() == Some(git2::ObjectType::Blob) {
            n += 1;
        }
        git2::TreeWalkResult::Ok
    });
    n
}

/// Maps a git2 error to [`DeployError::Git`] naming what we were doing.
pub fn git(what: &'static str) -> impl Fn(git2::Error) -> DeployError {
    move |source| DeployError::Git { what, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repository::init_bare(dir.path().join("r.git")).expect("init");
        (dir, repo)
    }

    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (rel, text) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        dir
    }

    fn names(repo: &Repository, id: Oid) -> Vec<String> {
        let tree = repo.find_tree(id).expect("tree");
        let mut out = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |root, e| {
            if e.kind() == Some(git2::ObjectType::Blob) {
                out.push(format!("{root}{}", e.name().unwrap_or("?")));
            }
            git2::TreeWalkResult::Ok
        })
        .expect("walk");
        out
    }

    fn blob_text(repo: &Repository, id: Oid, path: &str) -> String {
        let tree = repo.find_tree(id).expect("tree");
        let entry = tree.get_path(Path::new(path)).expect("entry");
        let blob = repo.find_blob(entry.id()).expect("blob");
        String::from_utf8_lossy(blob.content()).into_owned()
    }

    fn root(cname: Option<&str>) -> Placement {
        Placement::Root {
            cname: cname.map(str::to_string),
            nojekyll: true,
        }
    }

    #[test]
    fn folder_tree_skips_git_and_empty_folders() {
        let (_d, repo) = scratch();
        let site = folder(&[("index.html", "hi"), ("a/b.css", "x"), (".git/HEAD", "no")]);
        std::fs::create_dir_all(site.path().join("empty/inner")).expect("mkdir");
        let tree = write_folder(&repo, site.path()).expect("tree");
        assert_eq!(tree.files, 2);
        assert_eq!(names(&repo, tree.id), ["a/b.css", "index.html"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_refused_and_exec_bit_kept() {
        use std::os::unix::fs::PermissionsExt as _;
        let (_d, repo) = scratch();
        let site = folder(&[("run.sh", "#!/bin/sh")]);
        let script = site.path().join("run.sh");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let tree = write_folder(&repo, site.path()).expect("tree");
        let t = repo.find_tree(tree.id).expect("tree");
        assert_eq!(t.get_name("run.sh").expect("entry").filemode(), 0o100755);

        std::os::unix::fs::symlink("/etc/passwd", site.path().join("link")).expect("symlink");
        let err = write_folder(&repo, site.path()).expect_err("refused");
        assert!(matches!(err, DeployError::Symlink { .. }), "{err}");
    }

    #[test]
    fn root_deploy_adds_nojekyll_carries_cname_and_previews() {
        let (_d, repo) = scratch();
        let old = folder(&[
            ("index.html", "old"),
            ("CNAME", "notes.example.org\n"),
            ("previews/pr-3/index.html", "p"),
        ]);
        let old = write_folder(&repo, old.path()).expect("old");
        let old_tree = repo.find_tree(old.id).expect("tree");
        let site = folder(&[("index.html", "new")]);
        let site = write_folder(&repo, site.path()).expect("site");

        let id = compose(&repo, Some(&old_tree), Some(site.id), &root(None)).expect("compose");
        assert_eq!(
            names(&repo, id),
            [
                ".nojekyll",
                "CNAME",
                "index.html",
                "previews/pr-3/index.html"
            ]
        );
        assert_eq!(blob_text(&repo, id, "CNAME"), "notes.example.org\n");
        assert_eq!(blob_text(&repo, id, "index.html"), "new");

        let id = compose(
            &repo,
            Some(&old_tree),
            Some(site.id),
            &root(Some("docs.example.com")),
        )
        .expect("compose");
        assert_eq!(blob_text(&repo, id, "CNAME"), "docs.example.com\n");

        let plain = Placement::Root {
            cname: None,
            nojekyll: false,
        };
        let id = compose(&repo, None, Some(site.id), &plain).expect("compose");
        assert_eq!(names(&repo, id), ["index.html"]);
    }

    #[test]
    fn subdir_deploy_replaces_only_its_folder() {
        let (_d, repo) = scratch();
        let old = folder(&[
            ("index.html", "main"),
            ("previews/pr-7/stale.html", "gone"),
            ("previews/pr-8/index.html", "other"),
        ]);
        let old = write_folder(&repo, old.path()).expect("old");
        let old_tree = repo.find_tree(old.id).expect("tree");
        let site = folder(&[("index.html", "preview")]);
        let site = write_folder(&repo, site.path()).expect("site");
        let placement = Placement::Subdir {
            dest: "previews/pr-7".into(),
            nojekyll: true,
        };
        let id = compose(&repo, Some(&old_tree), Some(site.id), &placement).expect("compose");
        assert_eq!(
            names(&repo, id),
            [
                ".nojekyll",
                "index.html",
                "previews/pr-7/index.html",
                "previews/pr-8/index.html"
            ]
        );

        // A first deploy straight into a folder, with a file where a folder must go.
        let odd = folder(&[("previews", "a file")]);
        let odd = write_folder(&repo, odd.path()).expect("odd");
        let odd_tree = repo.find_tree(odd.id).expect("tree");
        let id = compose(&repo, Some(&odd_tree), Some(site.id), &placement).expect("compose");
        assert_eq!(names(&repo, id), [".nojekyll", "previews/pr-7/index.html"]);
        let id = compose(&repo, None, Some(site.id), &placement).expect("compose");
        assert_eq!(names(&repo, id), [".nojekyll", "previews/pr-7/index.html"]);
    }

    #[test]
    fn removal_drops_the_folder_and_empty_parents() {
        let (_d, repo) = scratch();
        let old = folder(&[("index.html", "main"), ("previews/pr-7/index.html", "p")]);
        let old = write_folder(&repo, old.path()).expect("old");
        let old_tree = repo.find_tree(old.id).expect("tree");
        let remove = Placement::Remove {
            dest: "previews/pr-7".into(),
        };
        let id = compose(&repo, Some(&old_tree), None, &remove).expect("compose");
        assert_eq!(names(&repo, id), ["index.html"]);
        // Removing what is not there changes nothing.
        let again = repo.find_tree(id).expect("tree");
        assert_eq!(
            compose(&repo, Some(&again), None, &remove).expect("compose"),
            id
        );
    }

    #[test]
    fn dest_is_checked() {
        assert_eq!(check_dest("/previews/pr-1/").expect("ok"), "previews/pr-1");
        for bad in ["", "/", "a/../b", "a//b", ".git/x", "./a", "a\\b"] {
            assert!(check_dest(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn changed_files_counts_the_difference() {
        let (_d, repo) = scratch();
        let a = folder(&[("a.html", "1"), ("b.html", "2")]);
        let a = write_folder(&repo, a.path()).expect("a");
        let b = folder(&[("a.html", "1"), ("b.html", "3"), ("c.html", "4")]);
        let b = write_folder(&repo, b.path()).expect("b");
        let ta = repo.find_tree(a.id).expect("tree");
        let tb = repo.find_tree(b.id).expect("tree");
        assert_eq!(changed_files(&repo, Some(&ta), &tb).expect("diff"), 2);
        assert_eq!(changed_files(&repo, None, &tb).expect("diff"), 3);
        assert_eq!(count_files(&tb), 3);
    }
}
