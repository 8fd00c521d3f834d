//! What a page may read besides its own source: site files, evaluated-code outputs, assets.
//!
//! Commands such as `\input` and `\textinput` read files named by the author. A site built
//! in CI must not be able to publish the build machine's files, so every path is resolved
//! inside the site folder (or the eval cache) and refused when it leaves it, symlinks included.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceError {
    /// The path leaves the site folder (`..`, absolute, or a symlink out).
    #[error("`{path}` is outside the site folder")]
    OutsideSite {
        /// The path as written.
        path: String,
    },
    /// No such file.
    #[error("`{path}` does not exist")]
    NotFound {
        /// The path as written.
        path: String,
    },
    /// The file is not UTF-8 or could not be read.
    #[error("`{path}` could not be read: {reason}")]
    Unreadable {
        /// The path as written.
        path: String,
        /// The I/O error.
        reason: String,
    },
}

/// Access to the files a page may read.
pub trait Resources: Sync {
    /// Reads a site file by its path relative to the site root.
    fn read_site_file(&self, rel: &str) -> Result<String, ResourceError>;
    /// Reads a file of Franklin's output tree (e.g. `assets/p/code/output/x.out`) from the eval cache.
    fn read_output_file(&self, rel: &str) -> Option<String>;
    /// True when a file exists at this site URL path (e.g. `/assets/img/x.png`).
    fn url_exists(&self, url_path: &str) -> bool;
    /// An environment variable, for `get(ENV, ...)`.
    fn env(&self, name: &str) -> Option<String>;
    /// True when utils.jl defines `lx_<name>`.
    fn is_utils_command(&self, name: &str) -> bool;
    /// True when utils.jl defines `hfun_<name>`.
    fn is_utils_function(&self, name: &str) -> bool;
}

/// Resources read from disk: the site folder and an optional eval cache.
#[derive(Debug, Clone, Default)]
pub struct FsResources {
    root: PathBuf,
    canonical_root: Option<PathBuf>,
    eval_cache: Option<PathBuf>,
    utils_commands: HashSet<String>,
    utils_functions: HashSet<String>,
    read_env: bool,
}

impl FsResources {
    /// Resources of the site at `root`, with Franklin's output cache at `eval_cache`.
    pub fn new(root: &Path, eval_cache: Option<&Path>) -> FsResources {
        let mut res = FsResources {
            root: root.to_path_buf(),
            canonical_root: root.canonicalize().ok(),
            eval_cache: eval_cache.map(Path::to_path_buf),
            read_env: true,
            ..FsResources::default()
        };
        if let Ok(utils) = std::fs::read_to_string(root.join("utils.jl")) {
            let (lx, hfun) = utils_names(&utils);
            res.utils_commands = lx;
            res.utils_functions = hfun;
        }
        res
    }

    /// Turns off `ENV` lookups (for reproducible tests).
    pub fn without_env(mut self) -> FsResources {
        self.read_env = false;
        self
    }

    fn resolve_in(
        &self,
        base: &Path,
        canonical_base: Option<&Path>,
        rel: &str,
    ) -> Result<PathBuf, ResourceError> {
        let rel_path = checked_relative(rel)?;
        let full = base.join(rel_path);
        let canon = full.canonicalize().map_err(|_| ResourceError::NotFound {
            path: rel.to_string(),
        })?;
        let base_canon = canonical_base
            .map(Path::to_path_buf)
            .or_else(|| base.canonicalize().ok())
            .ok_or_else(|| ResourceError::NotFound {
                path: rel.to_string(),
            })?;
        if !canon.starts_with(&base_canon) {
            return Err(ResourceError::OutsideSite {
                path: rel.to_string(),
            });
        }
        Ok(canon)
    }
}

/// Rejects absolute paths and `..`; returns the cleaned relative path.
pub fn checked_relative(rel: &str) -> Result<PathBuf, ResourceError> {
    let outside = || ResourceError::OutsideSite {
        path: rel.to_string(),
    };
    if rel.contains('\0') || rel.contains('\\') {
        return Err(outside());
    }
    let mut out = PathBuf::new();
    for comp in Path::new(rel.trim_start_matches("./")).components() {
        match comp {
            Component::Normal(c) => out.push(c),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(outside())
            }
        }
    }
    Ok(out)
}

fn read_text(path: &Path, rel: &str) -> Result<String, ResourceError> {
    let bytes = std::fs::read(path).map_err(|e| ResourceError::Unreadable {
        path: rel.to_string(),
        reason: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|_| ResourceError::Unreadable {
        path: rel.to_string(),
        reason: "it is not UTF-8 text".to_string(),
    })
}

/// The site-folder path behind a URL path: `/assets/x` is `_assets/x`, and so on.
pub fn source_of_url(url_path: &str) -> String {
    let p = url_path.trim_start_matches('/');
    for (out, src) in [
        ("assets/", "_assets/"),
        ("css/", "_css/"),
        ("libs/", "_libs/"),
    ] {
        if let Some(rest) = p.strip_prefix(out) {
            return format!("{src}{rest}");
        }
    }
    p.to_string()
}

impl Resources for FsResources {
    fn read_site_file(&self, rel: &str) -> Result<String, ResourceError> {
        let path = self.resolve_in(&self.root, self.canonical_root.as_deref(), rel)?;
        read_text(&path, rel)
    }

    fn read_output_file(&self, rel: &str) -> Option<String> {
        let cache = self.eval_cache.as_ref()?;
        let path = self.resolve_in(cache, None, rel).ok()?;
        read_text(&path, rel).ok()
    }

    fn url_exists(&self, url_path: &str) -> bool {
        let src = source_of_url(url_path);
        if self
            .resolve_in(&self.root, self.canonical_root.as_deref(), &src)
            .is_ok()
        {
            return true;
        }
        match &self.eval_cache {
            Some(cache) => self
                .resolve_in(cache, None, url_path.trim_start_matches('/'))
                .is_ok(),
            None => false,
        }
    }

    fn env(&self, name: &str) -> Option<String> {
        if self.read_env {
            std::env::var(name).ok()
        } else {
            None
        }
    }

    fn is_utils_command(&self, name: &str) -> bool {
        self.utils_commands.contains(name)
    }

    fn is_utils_function(&self, name: &str) -> bool {
        self.utils_functions.contains(name)
    }
}

/// Names of `lx_*` and `hfun_*` functions defined in a utils.jl.
pub fn utils_names(src: &str) -> (HashSet<String>, HashSet<String>) {
    let mut lx = HashSet::new();
    let mut hfun = HashSet::new();
    for line in src.lines() {
        let line = line.trim_start();
        let rest = line
            .strip_prefix("function ")
            .or_else(|| line.strip_prefix("@delay function "))
            .unwrap_or(line);
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let defines = rest[name.len()..].trim_start().starts_with('(');
        if !defines {
            continue;
        }
        if let Some(n) = name.strip_prefix("lx_") {
            lx.insert(n.to_string());
        } else if let Some(n) = name.strip_prefix("hfun_") {
            hfun.insert(n.to_lowercase());
        }
    }
    (lx, hfun)
}

/// Resources that hold nothing: every read fails. For tests and fragments.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoResources;

impl Resources for NoResources {
    fn read_site_file(&self, rel: &str) -> Result<String, ResourceError> {
        checked_relative(rel)?;
        Err(ResourceError::NotFound {
            path: rel.to_string(),
        })
    }
    fn read_output_file(&self, _rel: &str) -> Option<String> {
        None
    }
    fn url_exists(&self, _url_path: &str) -> bool {
        false
    }
    fn env(&self, _name: &str) -> Option<String> {
        None
    }
    fn is_utils_command(&self, _name: &str) -> bool {
        false
    }
    fn is_utils_function(&self, _name: &str) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_checked() {
        assert!(checked_relative("../../etc/passwd").is_err());
        assert!(checked_relative("/etc/passwd").is_err());
        assert!(checked_relative("a/../../b").is_err());
        assert_eq!(
            checked_relative("./a/b.md").ok(),
            Some(PathBuf::from("a/b.md"))
        );
    }

    #[test]
    fn symlink_out_of_site_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("secret"), "s").expect("write");
        std::fs::write(dir.path().join("ok.md"), "fine").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("link"))
            .expect("symlink");
        let res = FsResources::new(dir.path(), None);
        assert_eq!(res.read_site_file("ok.md").as_deref(), Ok("fine"));
        #[cfg(unix)]
        assert!(matches!(
            res.read_site_file("link"),
            Err(ResourceError::OutsideSite { .. })
        ));
    }

    #[test]
    fn utils_functions_are_found() {
        let (lx, hfun) = utils_names("function hfun_bar(vname)\nend\nlx_baz(com, _) = 1\n");
        assert!(lx.contains("baz"));
        assert!(hfun.contains("bar"));
    }
}
