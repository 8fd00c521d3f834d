//! `{{for}}` loops: Franklin's per-element text substitution and Julia's iteration rules.
//!
//! Franklin does not evaluate the loop body per element; it rewrites the body text with
//! two regular expressions and templates the result again. The matchers below reproduce
//! those expressions exactly (including their quirks), without a regex engine:
//! `{{\s*(?:fill\s)?\s*NAME\s*}}` becomes the element, and
//! `{{\s*(?:fill\s)?\s*(\S+)\s+NAME\s*}}` becomes `{{fill \1 element}}` (with `fill`
//! required when unpacking tuples).

use crate::dialect::Value;

/// The elements a Julia `for` would visit in `v`, or None when `v` is not iterable.
pub(super) fn iterate(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::Vector(items) | Value::Tuple(items) => Some(items.clone()),
        Value::Dict(entries) => Some(
            entries
                .iter()
                .map(|(k, v)| Value::Pair(Box::new(k.clone()), Box::new(v.clone())))
                .collect(),
        ),
        Value::Pair(a, b) => Some(vec![(**a).clone(), (**b).clone()]),
        Value::Str(s) => Some(s.chars().map(|c| Value::Str(c.to_string())).collect()),
        // Julia numbers and booleans iterate once, over themselves.
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => Some(vec![v.clone()]),
        Value::Nothing | Value::Date { .. } | Value::Regex(_) => None,
    }
}

/// Replaces every loop-variable use of `name` in `body` by `value` (Julia `string` of the element).
pub(super) fn substitute(body: &str, name: &str, value: &str, fill_required: bool) -> String {
    let pass1 = replace_matches(body, |s, p| match_plain(s, p, name), |_| value.to_string());
    replace_matches(
        &pass1,
        |s, p| match_attr(s, p, name, fill_required),
        |cap| format!("{{{{fill {cap} {value}}}}}"),
    )
}

/// Left-to-right, non-overlapping replacement of matches starting at `{{`.
fn replace_matches<'a>(
    s: &'a str,
    matcher: impl Fn(&'a str, usize) -> Option<(usize, &'a str)>,
    repl: impl Fn(&str) -> String,
) -> String {
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = s.get(i..).and_then(|r| r.find("{{")) {
        let p = i + off;
        match matcher(s, p) {
            Some((end, cap)) => {
                out.push_str(&s[copied..p]);
                out.push_str(&repl(cap));
                copied = end;
                i = end;
            }
            // `{{{` may still match one byte later.
            None => i = p + 1,
        }
    }
    out.push_str(&s[copied..]);
    out
}

fn skip_ws(s: &str, mut p: usize) -> usize {
    while let Some(c) = s.get(p..).and_then(|r| r.chars().next()) {
        if !c.is_whitespace() {
            break;
        }
        p += c.len_utf8();
    }
    p
}

/// After `fill` and one whitespace character, if present at `p`.
fn after_fill(s: &str, p: usize) -> Option<usize> {
    let rest = s.get(p..)?.strip_prefix("fill")?;
    let c = rest.chars().next().filter(|c| c.is_whitespace())?;
    Some(p + 4 + c.len_utf8())
}

/// `NAME\s*}}` at `p`: the end of the match.
fn name_then_close(s: &str, p: usize, name: &str) -> Option<usize> {
    let p = p + s.get(p..)?.strip_prefix(name).map(|_| name.len())?;
    let p = skip_ws(s, p);
    s.get(p..)?.starts_with("}}").then_some(p + 2)
}

/// `{{\s*(?:fill\s)?\s*NAME\s*}}` at `p`.
fn match_plain<'a>(s: &'a str, p: usize, name: &str) -> Option<(usize, &'a str)> {
    if name.is_empty() {
        return None;
    }
    let q = skip_ws(s, p + 2);
    if let Some(f) = after_fill(s, q) {
        if let Some(end) = name_then_close(s, skip_ws(s, f), name) {
            return Some((end, ""));
        }
    }
    name_then_close(s, q, name).map(|end| (end, ""))
}

/// `(\S+)\s+NAME\s*}}` at `p`: the end of the match and the captured word.
fn word_then_name<'a>(s: &'a str, p: usize, name: &str) -> Option<(usize, &'a str)> {
    let rest = s.get(p..)?;
    let wlen = rest.find(char::is_whitespace)?;
    if wlen == 0 {
        return None;
    }
    let ws_end = skip_ws(s, p + wlen);
    name_then_close(s, ws_end, name).map(|end| (end, &s[p..p + wlen]))
}

/// `{{\s*(?:fill\s)?\s*(\S+)\s+NAME\s*}}` (or with `fill\s` required) at `p`.
fn match_attr<'a>(
    s: &'a str,
    p: usize,
    name: &str,
    fill_required: bool,
) -> Option<(usize, &'a str)> {
    if name.is_empty() {
        return None;
    }
    let q = skip_ws(s, p + 2);
    if let Some(f) = after_fill(s, q) {
        if let Some(m) = word_then_name(s, skip_ws(s, f), name) {
            return Some(m);
        }
    }
    if fill_required {
        return None;
    }
    word_then_name(s, q, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_fill_forms() {
        assert_eq!(
            substitute("<{{x}}|{{ fill x }}|{{xx}}>", "x", "A", false),
            "<A|A|{{xx}}>"
        );
    }

    #[test]
    fn attribute_form_becomes_pagevar_fill() {
        assert_eq!(
            substitute("{{fill title p}}", "p", "blog/a", false),
            "{{fill title blog/a}}"
        );
        // Franklin's quirk: without `fill` any word counts, outside tuples.
        assert_eq!(
            substitute("{{title p}}", "p", "b", false),
            "{{fill title b}}"
        );
        assert_eq!(substitute("{{title p}}", "p", "b", true), "{{title p}}");
    }

    #[test]
    fn triple_brace_matches_one_later() {
        assert_eq!(substitute("{{{x}}}", "x", "1", false), "{1}");
    }

    #[test]
    fn iteration_rules() {
        assert_eq!(iterate(&Value::Str("ab".into())).map(|v| v.len()), Some(2));
        assert_eq!(iterate(&Value::Int(3)), Some(vec![Value::Int(3)]));
        assert_eq!(iterate(&Value::Nothing), None);
    }
}
