//! Math: `$..$`, `$$..$$`, `\[..\]` and math environments, passed through as TeX with the
//! page's own commands expanded, as Franklin does.

use super::commands::substitute;
use super::convert::{Origin, PageState, MAX_DEPTH};
use super::html::{escape_into, refstring};

impl PageState<'_> {
    /// HTML for one math block: `\(..\)` inline, `\[..\]` display (with label anchors before it).
    pub(super) fn math(&mut self, body: &str, origin: Origin, display: bool) -> String {
        self.has_math = true;
        if display {
            self.eq_count += 1;
        }
        let mut anchors = String::new();
        let tex = self.expand_math(body, origin, display, &mut anchors, 0);
        let (open, close) = if display {
            ("\\[", "\\]")
        } else {
            ("\\(", "\\)")
        };
        let mut out = anchors;
        out.reserve(tex.len() + 8);
        out.push_str(open);
        escape_into(&mut out, &tex);
        out.push_str(close);
        out
    }

    /// Expands the user's commands inside math; other commands are left for KaTeX.
    fn expand_math(
        &mut self,
        body: &str,
        origin: Origin,
        display: bool,
        anchors: &mut String,
        level: usize,
    ) -> String {
        if level > MAX_DEPTH {
            self.error(
                origin,
                0,
                body.len().min(1),
                "expansion-too-deep",
                format!("commands in this math expand more than {MAX_DEPTH} levels deep"),
                "a command probably uses itself; check its definition",
            );
            return String::new();
        }
        // Commands usually expand to more than they are (`\R` → `\mathbb{R}`).
        let mut out = String::with_capacity(2 * body.len() + 16);
        let mut i = 0;
        let mut run = 0;
        let bytes = body.as_bytes();
        while let Some(k) = bytes.get(i..).and_then(|rest| memchr::memchr(b'\\', rest)) {
            i += k;
            let name_len = super::tokens::letters_len(&body[i + 1..]);
            if name_len == 0 {
                i += 2;
                continue;
            }
            let name = &body[i + 1..i + 1 + name_len];
            let name_end = i + 1 + name_len;
            if name == "label" && display {
                if let Some((arg, end)) = brace_arg(body, name_end) {
                    out.push_str(&body[run..i]);
                    let id = refstring(arg.trim());
                    self.eq_labels.insert(id.clone(), self.eq_count);
                    anchors.push_str(&format!("<a id=\"{id}\" class=\"anchor\"></a>"));
                    self.record_anchor(&id);
                    i = end;
                    run = end;
                    continue;
                }
            }
            if name == "nonumber" {
                self.eq_count = self.eq_count.saturating_sub(1);
            }
            let Some(def) = self.commands.command(name).cloned() else {
                i = name_end;
                continue;
            };
            let mut args = Vec::with_capacity(def.nargs);
            let mut pos = name_end;
            for _ in 0..def.nargs {
                match brace_arg(body, pos) {
                    Some((arg, end)) => {
                        args.push(arg);
                        pos = end;
                    }
                    None => break,
                }
            }
            if args.len() < def.nargs {
                self.error(
                    origin,
                    i,
                    pos,
                    "wrong-argument-count",
                    format!(
                        "`\\{name}` expects {} argument{}, found {}",
                        def.nargs,
                        if def.nargs == 1 { "" } else { "s" },
                        args.len()
                    ),
                    "write the arguments in braces right after the command name",
                );
                i = pos;
                continue;
            }
            out.push_str(&body[run..i]);
            let expanded = substitute(&def.body, &args);
            if !self.charge(origin, i, pos, expanded.len()) {
                return out;
            }
            let inner = self.expand_math(
                &expanded,
                Origin::Fixed(origin.range(i, pos).0, origin.range(i, pos).1),
                display,
                anchors,
                level + 1,
            );
            out.push_str(&inner);
            i = pos;
            run = pos;
        }
        out.push_str(&body[run..]);
        out
    }
}

/// A brace group right at `at`: its content and the position after it.
fn brace_arg(text: &str, at: usize) -> Option<(&str, usize)> {
    if text.as_bytes().get(at) != Some(&b'{') {
        return None;
    }
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    let mut k = at;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 1,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&text[at + 1..k], k + 1));
                }
            }
            _ => {}
        }
        k += 1;
    }
    None
}
