//! `\newcommand` and `\newenvironment`: reading definitions and substituting arguments.
//!
//! Definitions are position-ordered: a use sees the last definition before it. The
//! scanner reads the page front to back and updates the table as it meets definitions,
//! which gives exactly that rule.

use std::sync::Arc;

use rustc_hash::FxHashMap;

/// A user command or environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// Number of brace arguments (0 to 9).
    pub nargs: usize,
    /// The body (for environments: the part before the content).
    pub body: Arc<str>,
    /// For environments: the part after the content.
    pub post: Option<Arc<str>>,
}

/// The commands and environments in scope. Every `\\name` of a page, math included, is
/// looked up here, so the maps use a fast hash (names are the author's own, not input an
/// attacker can shape at scale).
#[derive(Debug, Clone, Default)]
pub struct Commands {
    commands: FxHashMap<String, Definition>,
    environments: FxHashMap<String, Definition>,
    /// The last bytes of the command names, one bit each: most `\name`s of a page are
    /// TeX's own (`\alpha`, `\sum`), and this turns most of them away before any hashing.
    last_bytes: [u64; 4],
}

impl Commands {
    /// Looks a command up by name (without the backslash).
    pub fn command(&self, name: &str) -> Option<&Definition> {
        let Some(&last) = name.as_bytes().last() else {
            return self.commands.get(name);
        };
        let last = usize::from(last);
        if self.last_bytes[last / 64] & (1 << (last % 64)) == 0 {
            return None;
        }
        self.commands.get(name)
    }

    /// Looks an environment up by name.
    pub fn environment(&self, name: &str) -> Option<&Definition> {
        self.environments.get(name)
    }

    /// Defines or redefines a command.
    pub fn define_command(&mut self, name: &str, def: Definition) {
        if let Some(&last) = name.as_bytes().last() {
            self.last_bytes[usize::from(last) / 64] |= 1 << (last % 64);
        }
        self.commands.insert(name.to_string(), def);
    }

    /// Defines or redefines an environment.
    pub fn define_environment(&mut self, name: &str, def: Definition) {
        self.environments.insert(name.to_string(), def);
    }

    /// Names of all commands, sorted (for suggestions).
    pub fn command_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.commands.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }
}

/// Replaces `!#k` by the bare argument and `#k` by a space and the argument, for k = 1..n.
pub fn substitute(body: &str, args: &[&str]) -> String {
    let mut out =
        String::with_capacity(body.len() + args.iter().map(|a| a.len() + 1).sum::<usize>());
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut last = 0;
    while i < bytes.len() {
        let (bang, hash_at) = match bytes[i] {
            b'!' if bytes.get(i + 1) == Some(&b'#') => (true, i + 1),
            b'#' => (false, i),
            _ => {
                i += 1;
                continue;
            }
        };
        let digit = bytes.get(hash_at + 1).copied();
        match digit {
            Some(d @ b'1'..=b'9') if usize::from(d - b'0') <= args.len() => {
                out.push_str(&body[last..i]);
                let arg = args[usize::from(d - b'1')].trim();
                if !bang {
                    out.push(' ');
                }
                out.push_str(arg);
                i = hash_at + 2;
                last = i;
            }
            _ => i = hash_at + 1,
        }
    }
    out.push_str(&body[last..]);
    out
}

/// A definition's name is `\letters` for commands and `letters` for environments.
pub fn valid_name(name: &str, command: bool) -> bool {
    let rest = if command {
        match name.strip_prefix('\\') {
            Some(r) => r,
            None => return false,
        }
    } else {
        name
    };
    let mut chars = rest.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() => {}
        _ => return false,
    }
    let body = rest.strip_suffix('*').unwrap_or(rest);
    body.chars().all(|c| c.is_alphabetic() || c == '_')
}

/// An argument count that is not `[0]` to `[9]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the argument count must be a number from 0 to 9 in square brackets")]
pub struct BadArgCount;

/// Reads `[ n ]` (the argument count) at the start of `s`: Ok(Some((n, bytes used))), Ok(None) when absent.
pub fn arg_count(s: &str) -> Result<Option<(usize, usize)>, BadArgCount> {
    let Some(inner_and_rest) = s.strip_prefix('[') else {
        return Ok(None);
    };
    let close = inner_and_rest.find(']').ok_or(BadArgCount)?;
    let inner = inner_and_rest[..close].trim();
    let n = if inner.is_empty() {
        0
    } else {
        inner.parse::<usize>().map_err(|_| BadArgCount)?
    };
    if n > 9 {
        return Err(BadArgCount);
    }
    Ok(Some((n, close + 2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_found_by_name_whatever_their_last_byte() {
        let def = |body: &str| Definition {
            nargs: 0,
            body: Arc::from(body),
            post: None,
        };
        let mut c = Commands::default();
        for name in ["R", "note", "abs", "é", "x1"] {
            c.define_command(name, def(name));
        }
        for name in ["R", "note", "abs", "é", "x1"] {
            assert_eq!(c.command(name).map(|d| &*d.body), Some(name));
        }
        for name in ["alpha", "sum", "in", "Rs", "notes", "e", "x2", ""] {
            assert!(c.command(name).is_none(), "{name}");
        }
        c.define_command("sum", def("Σ"));
        assert_eq!(c.command("sum").map(|d| &*d.body), Some("Σ"));
    }

    #[test]
    fn hash_inserts_a_space_and_bang_does_not() {
        assert_eq!(substitute("hello#1", &["Bob"]), "hello Bob");
        assert_eq!(substitute("hello!#1", &[" Bob "]), "helloBob");
        assert_eq!(substitute("A#1B#2C", &["EE", "FF"]), "A EEB FFC");
        assert_eq!(substitute("#3 stays", &["a"]), "#3 stays");
        assert_eq!(substitute("# title", &[]), "# title");
    }

    #[test]
    fn names_and_counts() {
        assert!(valid_name("\\note", true));
        assert!(valid_name("\\a_b*", true));
        assert!(!valid_name("note", true));
        assert!(valid_name("aaa", false));
        assert!(!valid_name("\\1x", true));
        assert_eq!(arg_count("[ 2]{x}"), Ok(Some((2, 4))));
        assert_eq!(arg_count("{x}"), Ok(None));
        assert_eq!(arg_count("[x]{x}"), Err(BadArgCount));
        assert_eq!(arg_count("[12]"), Err(BadArgCount));
    }
}
