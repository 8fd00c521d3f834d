//! Backslash constructs: escapes, `\newcommand`/`\newenvironment` definitions, command
//! uses and `\begin{...}` environments.

use super::commands::{arg_count, substitute, valid_name, Definition};
use super::convert::{Origin, PageState};
use super::html::escape;
use super::scan::Out;
use super::tokens::Matches;

/// Math environments and how Franklin rewrites them: (name, opening, closing, unnumbered).
const MATH_ENVS: &[(&str, &str, &str, bool)] = &[
    ("equation", "", "", false),
    ("equation*", "", "", true),
    ("align", "\\begin{aligned}", "\\end{aligned}", false),
    ("align*", "\\begin{aligned}", "\\end{aligned}", true),
    ("aligned", "\\begin{aligned}", "\\end{aligned}", false),
    ("aligned*", "\\begin{aligned}", "\\end{aligned}", true),
    ("eqnarray", "\\begin{array}{rcl}", "\\end{array}", false),
    ("eqnarray*", "\\begin{array}{rcl}", "\\end{array}", true),
];

/// Why reading a command's arguments failed; the diagnostic is already recorded.
struct ArgsFailed;

impl PageState<'_> {
    /// Handles a `\` at `i`.
    pub(super) fn backslash(
        &mut self,
        text: &str,
        i: usize,
        m: &Matches,
        origin: Origin,
    ) -> Option<(usize, Out)> {
        let next = text[i + 1..].chars().next()?;
        match next {
            '\\' => Some((i + 2, Out::Inline("<br/>".to_string()))),
            '*' | '_' | '`' | '@' | '{' | '}' | '$' => {
                Some((i + 2, Out::Inline(escape(&next.to_string()))))
            }
            ' ' => Some((i + 1, Out::Inline("&#92;".to_string()))),
            '[' => self.bracket_math(text, i, origin),
            c if c.is_alphabetic() => {
                let name_len = super::tokens::letters_len(&text[i + 1..]);
                let name = &text[i + 1..i + 1 + name_len];
                match name {
                    "newcommand" => self.define(text, i, m, origin, true),
                    "newenvironment" => self.define(text, i, m, origin, false),
                    "begin" => self.environment(text, i, m, origin),
                    "end" => {
                        self.error(
                            origin,
                            i,
                            i + 4,
                            "unmatched-end",
                            "`\\end` without a matching `\\begin`".to_string(),
                            "remove it, or add the `\\begin{...}` it should close",
                        );
                        Some((i + 4, Out::Remove))
                    }
                    _ => Some(self.command(text, i, name, m, origin)),
                }
            }
            _ => None,
        }
    }

    fn bracket_math(&mut self, text: &str, i: usize, origin: Origin) -> Option<(usize, Out)> {
        let body_start = i + 2;
        match text[body_start..].find("\\]") {
            Some(rel) => {
                let body = &text[body_start..body_start + rel];
                let html = self.math(body, origin.shifted(body_start), true);
                Some((body_start + rel + 2, Out::Block(html)))
            }
            None => {
                self.error(
                    origin,
                    i,
                    i + 2,
                    "unclosed-math",
                    "math opened with `\\[` is never closed".to_string(),
                    "close the display math with `\\]`",
                );
                None
            }
        }
    }

    /// Reads `n` brace arguments starting right at `at`.
    fn read_args<'t>(
        &mut self,
        text: &'t str,
        at: usize,
        n: usize,
        m: &Matches,
        origin: Origin,
        (cmd_start, name): (usize, &str),
    ) -> Result<(Vec<&'t str>, usize), ArgsFailed> {
        let mut args = Vec::with_capacity(n);
        let mut pos = at;
        for k in 0..n {
            if text.as_bytes().get(pos) != Some(&b'{') {
                let ws = text[pos..].len() - text[pos..].trim_start().len();
                if ws > 0 && text[pos + ws..].starts_with('{') {
                    let (code, msg) = if k == 0 {
                        (
                            "space-before-argument",
                            format!("space between `\\{name}` and its first argument"),
                        )
                    } else {
                        (
                            "space-between-arguments",
                            format!("space between the arguments of `\\{name}`"),
                        )
                    };
                    self.error(
                        origin,
                        pos,
                        pos + ws,
                        code,
                        msg,
                        "write the braces right after the command name and each other, as `\\name{a}{b}`",
                    );
                } else {
                    self.error(
                        origin,
                        cmd_start,
                        pos,
                        "wrong-argument-count",
                        format!(
                            "`\\{name}` expects {n} argument{}, found {k}",
                            if n == 1 { "" } else { "s" }
                        ),
                        &format!("write `\\{name}` followed by {n} brace group{}, like `\\{name}{{...}}`", if n == 1 { "" } else { "s" }),
                    );
                }
                return Err(ArgsFailed);
            }
            let Some(close) = m.brace(pos) else {
                self.error(
                    origin,
                    pos,
                    pos + 1,
                    "unbalanced-braces",
                    format!("argument of `\\{name}` opened here is never closed"),
                    "add the missing `}`, or escape a literal brace as `\\{`",
                );
                return Err(ArgsFailed);
            };
            args.push(&text[pos + 1..close]);
            pos = close + 1;
        }
        Ok((args, pos))
    }

    fn command(
        &mut self,
        text: &str,
        i: usize,
        name: &str,
        m: &Matches,
        origin: Origin,
    ) -> (usize, Out) {
        let name_end = i + 1 + name.len();
        let failed = (name_end, Out::Inline(escape(&text[i..name_end])));
        if let Some(def) = self.commands.command(name).cloned() {
            let Ok((args, end)) = self.read_args(text, name_end, def.nargs, m, origin, (i, name))
            else {
                return failed;
            };
            let expanded = substitute(&def.body, &args);
            if !self.charge(origin, i, end, expanded.len()) {
                return (end, Out::Remove);
            }
            let (s, e) = origin.range(i, end);
            let html = self.fragment(&expanded, Origin::Fixed(s, e), true);
            return (end, Out::Inline(html.trim_end_matches('\n').to_string()));
        }
        if let Some(n) = super::builtins::arity(name) {
            let Ok((args, end)) = self.read_args(text, name_end, n, m, origin, (i, name)) else {
                return failed;
            };
            let out = self.builtin(name, &args, origin, i, end);
            return (end, out);
        }
        if self.ctx.resources.is_utils_command(name) {
            let end = match text.as_bytes().get(name_end) {
                Some(b'{') => m.brace(name_end).map_or(name_end, |c| c + 1),
                _ => name_end,
            };
            self.error(
                origin,
                i,
                end,
                "utils-function",
                format!("`\\{name}` calls `lx_{name}` from utils.jl, which notes cannot run"),
                "replace it with a `\\newcommand` in config.md, or with raw HTML in `~~~ ... ~~~`",
            );
            return (end, Out::Remove);
        }
        let help = match crate::diag::suggest::closest(name, self.commands.command_names(), 2) {
            Some(s) => format!("did you mean `\\{s}`? Otherwise define it in config.md with `\\newcommand{{\\{name}}}[1]{{...}}`"),
            None => format!("define it in config.md with `\\newcommand{{\\{name}}}[1]{{...}}`; to show a backslash, put the text in `code`"),
        };
        self.error(
            origin,
            i,
            name_end,
            "unknown-command",
            format!("unknown command `\\{name}`"),
            &help,
        );
        failed
    }

    fn define(
        &mut self,
        text: &str,
        i: usize,
        m: &Matches,
        origin: Origin,
        command: bool,
    ) -> Option<(usize, Out)> {
        let keyword = if command {
            "newcommand"
        } else {
            "newenvironment"
        };
        let open = i + 1 + keyword.len();
        let ill_formed = |this: &mut Self, end: usize, msg: String| {
            this.error(
                origin,
                i,
                end,
                "bad-definition",
                msg,
                if command {
                    "write it as `\\newcommand{\\name}[n]{body}`"
                } else {
                    "write it as `\\newenvironment{name}[n]{before}{after}`"
                },
            );
        };
        if text.as_bytes().get(open) != Some(&b'{') {
            ill_formed(
                self,
                open,
                format!("`\\{keyword}` must be followed by `{{name}}`"),
            );
            return Some((open, Out::Remove));
        }
        let Some(name_close) = m.brace(open) else {
            ill_formed(
                self,
                open + 1,
                format!("the name of `\\{keyword}` is never closed"),
            );
            return Some((open + 1, Out::Remove));
        };
        let name = text[open + 1..name_close].trim();
        let mut pos = name_close + 1;
        let nargs = match arg_count(&text[pos..]) {
            Ok(Some((n, used))) => {
                pos += used;
                n
            }
            Ok(None) => 0,
            Err(_) => {
                let end = text[pos..].find(']').map_or(pos + 1, |e| pos + e + 1);
                self.error(
                    origin,
                    pos,
                    end,
                    "bad-argument-count",
                    format!("the argument count of `{name}` must be a number from 0 to 9, as in `[2]`"),
                    "write the number of arguments in square brackets, e.g. `\\newcommand{\\name}[1]{...#1...}`",
                );
                return Some((end, Out::Remove));
            }
        };
        let parts = if command { 1 } else { 2 };
        let mut bodies = Vec::with_capacity(2);
        for _ in 0..parts {
            let body_open = pos;
            let close = if text.as_bytes().get(body_open) == Some(&b'{') {
                m.brace(body_open)
            } else {
                None
            };
            let Some(close) = close else {
                ill_formed(
                    self,
                    pos.max(i + 1),
                    format!(
                        "`\\{keyword}{{{name}}}` needs its body in braces right after the name"
                    ),
                );
                return Some((pos, Out::Remove));
            };
            bodies.push(text[body_open + 1..close].trim());
            pos = close + 1;
        }
        if !valid_name(name, command) {
            self.error(
                origin,
                open,
                name_close + 1,
                "bad-definition",
                if command {
                    format!("`{name}` is not a command name: it must be `\\` followed by letters")
                } else {
                    format!("`{name}` is not an environment name: letters only, without `\\`")
                },
                "rename it, e.g. `\\newcommand{\\note}[1]{...}`",
            );
            return Some((pos, Out::Remove));
        }
        let def = Definition {
            nargs,
            body: bodies[0].into(),
            post: bodies.get(1).map(|b| (*b).into()),
        };
        if command {
            self.commands.define_command(&name[1..], def);
        } else {
            self.commands.define_environment(name, def);
        }
        Some((pos, Out::Remove))
    }

    fn environment(
        &mut self,
        text: &str,
        i: usize,
        m: &Matches,
        origin: Origin,
    ) -> Option<(usize, Out)> {
        let open = i + "\\begin".len();
        let name_close = (text.as_bytes().get(open) == Some(&b'{'))
            .then(|| text[open..].find(['}', '\n']).map(|k| open + k))
            .flatten()
            .filter(|k| text.as_bytes().get(*k) == Some(&b'}'));
        let Some(name_close) = name_close else {
            self.error(
                origin,
                i,
                open,
                "bad-environment",
                "`\\begin` must be followed by the environment name in braces".to_string(),
                "write `\\begin{name} ... \\end{name}`",
            );
            return Some((open, Out::Remove));
        };
        let name = text[open + 1..name_close].trim().to_string();
        let begin_end = name_close + 1;
        let Some((end_at, end_len)) = m.env(i) else {
            self.error(
                origin,
                i,
                begin_end,
                "unclosed-environment",
                format!("environment `{name}` is never closed"),
                &format!("add `\\end{{{name}}}` where it should end"),
            );
            return Some((begin_end, Out::Remove));
        };
        let after = end_at + end_len;
        if let Some((_, pre, post, unnumbered)) = MATH_ENVS.iter().find(|e| e.0 == name) {
            let body = &text[begin_end..end_at];
            let inner = format!("{pre}{body}{post}");
            let html = self.math(&inner, origin.shifted(begin_end), true);
            let html = if *unnumbered {
                self.eq_count = self.eq_count.saturating_sub(1);
                format!("<div class=\"nonumber\">{html}</div>")
            } else {
                html
            };
            return Some((after, Out::Block(html)));
        }
        let Some(def) = self.commands.environment(&name).cloned() else {
            self.error(
                origin,
                i,
                begin_end,
                "unknown-environment",
                format!("unknown environment `{name}`"),
                &format!(
                    "define it in config.md with `\\newenvironment{{{name}}}{{before}}{{after}}`"
                ),
            );
            return Some((after, Out::Remove));
        };
        let Ok((args, body_start)) =
            self.read_args(text, begin_end, def.nargs, m, origin, (i, &name))
        else {
            return Some((after, Out::Remove));
        };
        let body = &text[body_start.min(end_at)..end_at];
        let pre = substitute(&def.body, &args);
        let post = substitute(def.post.as_deref().unwrap_or(""), &args);
        let expanded = format!("{pre}{body}{post}");
        if !self.charge(origin, i, after, expanded.len()) {
            return Some((after, Out::Remove));
        }
        let (s, e) = origin.range(i, after);
        let html = self.fragment(&expanded, Origin::Fixed(s, e), true);
        let html = html.trim_end_matches('\n').to_string();
        // Only environments of the page itself close paragraphs; nested ones stay inline.
        Some((
            after,
            if self.depth <= 1 {
                Out::Block(html)
            } else {
                Out::Inline(html)
            },
        ))
    }
}
