//! Franklin's `{{ }}` template language.
//!
//! Runs on layout files (`_layout/head.html`, …) and on converted page bodies, the way
//! Franklin's `convert_html` does: conditionals (`if`, `isdef`, `ispage`, …), `for` loops,
//! and function blocks (`fill`, `insert`, `toc`, host-provided ones). Rendering never fails
//! as a whole: every problem becomes a [`TemplateIssue`] and the offending block renders as "".

mod forloop;
mod lexer;
mod page;
mod toc;

use std::borrow::Cow;
use std::collections::HashSet;

use crate::diag::Severity;
use crate::dialect::{Heading, Value};
use lexer::{Kind, Unclosed};

/// What the template engine asks of the page and site it renders for.
pub trait TemplateHost {
    /// A variable of the current page (page vars, then globals); None when undefined.
    fn var(&self, name: &str) -> Option<Value>;
    /// A variable of another page, `page` as written in `{{fill v page}}` (e.g. "blog/pg1", ".md" optional).
    fn page_var(&self, page: &str, name: &str) -> Option<Value>;
    /// The text of `_layout/<path>` for `{{insert path}}`, None when missing.
    fn layout_file(&self, path: &str) -> Option<String>;
    /// The current page key for `ispage` (fd_rpath without extension, e.g. "pages/git/index"; "/tag/x/" on tag pages).
    fn page_key(&self) -> String;
    /// The page's headings for `{{toc}}`.
    fn headings(&self) -> Vec<Heading>;
    /// Site-level or host-provided functions (taglist, redirect, sitemap_opts, page_tags, fd2rss, RFC822, ...);
    /// None when the host does not know `name`. Err(message) for a failed call.
    ///
    /// `name` arrives lowercased (Franklin looks up `hfun_<lowercase(name)>`), so
    /// `{{RFC822 date}}` calls `call("rfc822", ["date"])`.
    fn call(&mut self, name: &str, args: &[String]) -> Option<Result<String, String>>;
    /// True when the site's utils.jl defines `hfun_<name>` (a Julia function notes cannot run).
    ///
    /// `name` arrives lowercased, as for [`TemplateHost::call`].
    fn is_utils_function(&self, name: &str) -> bool;
}

/// A problem found while rendering; `offset`/`len` are byte positions in the rendered input text.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateIssue {
    /// Error (Franklin would stop on the page) or warning.
    pub severity: Severity,
    /// A stable kebab-case identifier, e.g. `undefined-variable`.
    pub code: &'static str,
    /// One line naming the culprit in backticks.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Byte offset of the offending block in the input.
    pub offset: usize,
    /// Byte length of the offending block.
    pub len: usize,
}

/// Renders every `{{ }}` block of `input`; never fails as a whole: problems become issues and the block renders as "".
///
/// A text with no block, comment or script comes back as it is, not copied: most page
/// bodies are like that, and each is then copied again by the layout anyway.
pub fn render<'t>(
    input: &'t str,
    host: &mut dyn TemplateHost,
) -> (Cow<'t, str>, Vec<TemplateIssue>) {
    let scan = lexer::scan(input);
    if scan.blocks.is_empty() && scan.unclosed.is_empty() {
        return (Cow::Borrowed(input), Vec::new());
    }
    let mut r = Renderer {
        host,
        inserts: Vec::new(),
        depth: 0,
    };
    let mut issues = Vec::new();
    let out = Cow::Owned(r.render_scanned(input, scan, &mut issues));
    // Loops and repeated inserts can raise the same issue at the same place many times.
    let mut seen: HashSet<(usize, usize, &'static str, String)> = HashSet::new();
    let unique: Vec<TemplateIssue> = issues
        .into_iter()
        .filter(|i| seen.insert((i.offset, i.len, i.code, i.message.clone())))
        .collect();
    (out, unique)
}

/// Deepest chain of `{{insert}}`s (Franklin has no limit and loops forever on a cycle).
const MAX_INSERT_DEPTH: usize = 16;
/// Deepest chain of re-templated texts (inserts plus loop bodies).
const MAX_RENDER_DEPTH: usize = 32;
/// Deepest nesting of conditionals inside one text.
const MAX_NEST: usize = 32;

/// A qualified block: where it is and what it means.
struct QBlock {
    start: usize,
    end: usize,
    kind: Kind,
    /// For an opener, the index of the `{{end}}` that closes it.
    close: Option<usize>,
}

struct Renderer<'h> {
    host: &'h mut dyn TemplateHost,
    /// Layout paths being inserted, outermost first.
    inserts: Vec<String>,
    /// How many texts are being rendered, one inside the other.
    depth: usize,
}

fn issue(severity: Severity, code: &'static str, message: String, b: &QBlock) -> TemplateIssue {
    TemplateIssue {
        severity,
        code,
        message,
        help: None,
        offset: b.start,
        len: b.end - b.start,
    }
}

fn with_help(mut i: TemplateIssue, help: &str) -> TemplateIssue {
    i.help = Some(help.to_string());
    i
}

/// 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = crate::diag::floor_char_boundary(text, offset);
    text[..end].bytes().filter(|b| *b == b'\n').count() + 1
}

impl Renderer<'_> {
    /// Templates one whole text (input, inserted layout or loop body).
    fn render_text(&mut self, text: &str, issues: &mut Vec<TemplateIssue>) -> String {
        self.render_scanned(text, lexer::scan(text), issues)
    }

    /// [`Renderer::render_text`] of a text already scanned.
    fn render_scanned(
        &mut self,
        text: &str,
        scan: lexer::Scan,
        issues: &mut Vec<TemplateIssue>,
    ) -> String {
        for u in &scan.unclosed {
            issues.push(match *u {
                Unclosed::Block(p, l) => TemplateIssue {
                    severity: Severity::Error,
                    code: "unclosed-template-block",
                    message: "`{{` is never closed by `}}`".into(),
                    help: Some(
                        "close the block with `}}`, or write `{ {` for literal braces".into(),
                    ),
                    offset: p,
                    len: l,
                },
                Unclosed::Comment(p) => TemplateIssue {
                    severity: Severity::Warning,
                    code: "unclosed-comment",
                    message: "`<!--` is never closed by `-->`; the rest is not templated".into(),
                    help: None,
                    offset: p,
                    len: 4,
                },
                Unclosed::Script(p) => TemplateIssue {
                    severity: Severity::Warning,
                    code: "unclosed-script",
                    message: "`<script>` is never closed by `</script>`; the rest is not templated"
                        .into(),
                    help: None,
                    offset: p,
                    len: 7,
                },
            });
        }
        let mut qb: Vec<QBlock> = scan
            .blocks
            .iter()
            .map(|b| QBlock {
                start: b.start,
                end: b.end,
                kind: lexer::qualify(&text[b.inner_start..b.inner_end]),
                close: None,
            })
            .collect();
        // Pairing openers with `{{end}}`s once, with a stack, gives the same answer as
        // Franklin's forward balance count from each opener, without its quadratic cost.
        let mut open: Vec<usize> = Vec::new();
        for j in 0..qb.len() {
            match qb[j].kind.balance() {
                1 => open.push(j),
                -1 => {
                    if let Some(o) = open.pop() {
                        qb[o].close = Some(j);
                    }
                }
                _ => {}
            }
        }
        let mut out = String::with_capacity(text.len());
        self.process_range(text, &qb, 0, qb.len(), 0, text.len(), 0, &mut out, issues);
        out
    }

    /// Writes `text[head..tail]` with the blocks `qb[lo..hi]` (which lie inside it) resolved.
    #[allow(clippy::too_many_arguments)]
    fn process_range(
        &mut self,
        text: &str,
        qb: &[QBlock],
        lo: usize,
        hi: usize,
        head: usize,
        tail: usize,
        nest: usize,
        out: &mut String,
        issues: &mut Vec<TemplateIssue>,
    ) {
        let mut head = head;
        let mut i = lo;
        while i < hi {
            let b = &qb[i];
            out.push_str(&text[head..b.start]);
            let (next_i, next_head) = match &b.kind {
                Kind::If(_)
                | Kind::IsDef(_)
                | Kind::IsNotDef(_)
                | Kind::IsEmpty(_)
                | Kind::IsNotEmpty(_)
                | Kind::IsPage(_)
                | Kind::IsNotPage(_) => self.process_cond(text, qb, i, hi, nest, out, issues),
                Kind::For { .. } => self.process_for(text, qb, i, hi, out, issues),
                Kind::End => {
                    issues.push(with_help(
                        issue(
                            Severity::Error,
                            "lonely-end",
                            "`{{end}}` closes nothing".into(),
                            b,
                        ),
                        "remove it, or add the `{{if …}}` / `{{for …}}` it should close",
                    ));
                    (i + 1, b.end)
                }
                Kind::Else => {
                    issues.push(issue(
                        Severity::Error,
                        "else-without-if",
                        "`{{else}}` is not inside an `{{if …}}` block".into(),
                        b,
                    ));
                    (i + 1, b.end)
                }
                Kind::ElseIf(v) => {
                    issues.push(issue(
                        Severity::Error,
                        "else-without-if",
                        format!("`{{{{elseif {v}}}}}` is not inside an `{{{{if …}}}}` block"),
                        b,
                    ));
                    (i + 1, b.end)
                }
                Kind::Invalid { why, opens } => {
                    issues.push(with_help(
                        issue(
                            Severity::Error,
                            "invalid-template-block",
                            format!("`{}`: {why}", &text[b.start..b.end]),
                            b,
                        ),
                        if *opens {
                            "fix the block; everything up to its `{{end}}` is left out meanwhile"
                        } else {
                            "inside math or code, write `{ {` to keep literal braces"
                        },
                    ));
                    // A malformed opener still owns the text up to its `{{end}}`.
                    match Self::find_close(qb, i, hi).filter(|_| *opens) {
                        Some(close) => (close + 1, qb[close].end),
                        None => (i + 1, b.end),
                    }
                }
                Kind::Fun { name, params } => {
                    let s = self.call_function(text, b, name, params, issues);
                    out.push_str(&s);
                    (i + 1, b.end)
                }
            };
            i = next_i;
            head = next_head;
        }
        if head < tail {
            out.push_str(&text[head..tail]);
        }
    }

    /// Index of the `{{end}}` closing the block opened at `qb[i]`, if it lies below `hi`.
    fn find_close(qb: &[QBlock], i: usize, hi: usize) -> Option<usize> {
        qb[i].close.filter(|&c| c < hi)
    }

    /// Resolves a conditional opened at `qb[i]`; returns the next block index and text offset.
    #[allow(clippy::too_many_arguments)]
    fn process_cond(
        &mut self,
        text: &str,
        qb: &[QBlock],
        i: usize,
        hi: usize,
        nest: usize,
        out: &mut String,
        issues: &mut Vec<TemplateIssue>,
    ) -> (usize, usize) {
        let opener = &qb[i];
        let Some(close) = Self::find_close(qb, i, hi) else {
            issues.push(with_help(
                issue(
                    Severity::Error,
                    "unclosed-conditional",
                    format!(
                        "`{}` is never closed by `{{{{end}}}}`",
                        &text[opener.start..opener.end]
                    ),
                    opener,
                ),
                "add `{{end}}` where the conditional part stops",
            ));
            return (i + 1, opener.end);
        };
        let whole = (close + 1, qb[close].end);
        if nest >= MAX_NEST {
            issues.push(issue(
                Severity::Error,
                "template-nesting",
                format!("conditionals are nested more than {MAX_NEST} deep"),
                opener,
            ));
            return whole;
        }

        // `{{elseif}}`/`{{else}}` at this level (deeper ones belong to inner blocks).
        let mut elseifs: Vec<usize> = Vec::new();
        let mut else_idx: Option<usize> = None;
        let mut bal = 1i32;
        for (j, probe) in qb.iter().enumerate().take(close).skip(i + 1) {
            if bal == 1 {
                match &probe.kind {
                    Kind::ElseIf(v) => {
                        if else_idx.is_some() {
                            issues.push(issue(
                                Severity::Error,
                                "elseif-after-else",
                                format!("`{{{{elseif {v}}}}}` comes after the `{{{{else}}}}` of its block"),
                                probe,
                            ));
                            return whole;
                        }
                        elseifs.push(j);
                    }
                    Kind::Else => {
                        if else_idx.is_some() {
                            issues.push(issue(
                                Severity::Error,
                                "duplicate-else",
                                "a second `{{else}}` in the same conditional".into(),
                                probe,
                            ));
                            return whole;
                        }
                        else_idx = Some(j);
                    }
                    _ => {}
                }
            }
            bal += probe.kind.balance();
        }

        // Branch 0 is the opener, branch m ≥ 1 is `elseifs[m - 1]`.
        let mut selected: Option<usize> = match &opener.kind {
            Kind::IsDef(v) => self.host.var(v).is_some().then_some(0),
            Kind::IsNotDef(v) => self.host.var(v).is_none().then_some(0),
            Kind::IsEmpty(v) => self.var_is_empty(v).then_some(0),
            Kind::IsNotEmpty(v) => (!self.var_is_empty(v)).then_some(0),
            Kind::IsPage(pages) | Kind::IsNotPage(pages) => {
                let key = self.host.page_key();
                let hit = pages.iter().any(|p| page::match_url(&key, p));
                let want = matches!(opener.kind, Kind::IsPage(_));
                (hit == want).then_some(0)
            }
            _ => None,
        };
        if selected.is_none() {
            // Like Franklin, every `if`/`elseif` variable must exist and be a Bool, even
            // those after the branch that wins.
            let mut conds: Vec<(usize, &str)> = Vec::new();
            if let Kind::If(v) = &opener.kind {
                conds.push((0, v));
            }
            for (m, &j) in elseifs.iter().enumerate() {
                if let Kind::ElseIf(v) = &qb[j].kind {
                    conds.push((m + 1, v));
                }
            }
            let values: Vec<Option<Value>> = conds.iter().map(|(_, v)| self.host.var(v)).collect();
            let block_of = |branch: usize| if branch == 0 { i } else { elseifs[branch - 1] };
            if let Some(k) = values.iter().position(Option::is_none) {
                let (branch, v) = conds[k];
                issues.push(with_help(
                    issue(
                        Severity::Error,
                        "condition-undefined",
                        format!("condition `{v}` is not defined"),
                        &qb[block_of(branch)],
                    ),
                    "define it with `@def name = true` (or false), or test it with `{{isdef name}}`",
                ));
                return whole;
            }
            for (k, val) in values.iter().enumerate() {
                if let Some(val) = val {
                    if val.as_bool().is_none() {
                        let (branch, v) = conds[k];
                        issues.push(with_help(
                            issue(
                                Severity::Error,
                                "condition-not-boolean",
                                format!("condition `{v}` is not a boolean (it is a {})", val.type_name()),
                                &qb[block_of(branch)],
                            ),
                            "`{{if}}` needs `true` or `false`; use `{{isnotempty name}}` to test other values",
                        ));
                        return whole;
                    }
                }
            }
            selected = values
                .iter()
                .position(|v| v.as_ref().and_then(Value::as_bool) == Some(true))
                .map(|k| conds[k].0);
        }

        let (from, to) = match selected {
            Some(branch) => {
                let from = if branch == 0 { i } else { elseifs[branch - 1] };
                let to = match elseifs.get(branch) {
                    Some(&j) => j,
                    None => else_idx.unwrap_or(close),
                };
                (from, to)
            }
            None => match else_idx {
                Some(e) => (e, close),
                None => return whole,
            },
        };
        self.process_range(
            text,
            qb,
            from + 1,
            to,
            qb[from].end,
            qb[to].start,
            nest + 1,
            out,
            issues,
        );
        whole
    }

    /// Franklin's emptiness of a variable; an undefined one counts as empty.
    fn var_is_empty(&self, name: &str) -> bool {
        self.host.var(name).is_none_or(|v| v.is_empty())
    }

    /// Expands a `{{for}}` loop opened at `qb[i]`; returns the next block index and text offset.
    fn process_for(
        &mut self,
        text: &str,
        qb: &[QBlock],
        i: usize,
        hi: usize,
        out: &mut String,
        issues: &mut Vec<TemplateIssue>,
    ) -> (usize, usize) {
        let opener = &qb[i];
        let Kind::For { vars, iter, tuple } = &opener.kind else {
            return (i + 1, opener.end);
        };
        let Some(close) = Self::find_close(qb, i, hi) else {
            issues.push(with_help(
                issue(
                    Severity::Error,
                    "unclosed-for",
                    format!(
                        "`{}` is never closed by `{{{{end}}}}`",
                        &text[opener.start..opener.end]
                    ),
                    opener,
                ),
                "add `{{end}}` after the loop body",
            ));
            return (i + 1, opener.end);
        };
        let whole = (close + 1, qb[close].end);
        let Some(value) = self.host.var(iter) else {
            issues.push(issue(
                Severity::Error,
                "for-iterable",
                format!("the iterable `{iter}` is not defined"),
                opener,
            ));
            return whole;
        };
        let Some(elements) = forloop::iterate(&value) else {
            issues.push(issue(
                Severity::Error,
                "for-iterable",
                format!(
                    "`{iter}` is a {} and cannot be looped over",
                    value.type_name()
                ),
                opener,
            ));
            return whole;
        };
        let Some(first) = elements.first() else {
            return whole;
        };
        let unpacked: Vec<Vec<Value>> = if *tuple && vars.len() > 1 {
            let width = forloop::iterate(first).map(|v| v.len());
            if width != Some(vars.len()) {
                issues.push(issue(
                    Severity::Error,
                    "for-unpack",
                    format!(
                        "the first element of `{iter}` has {} part(s) but the loop unpacks {}",
                        width.map_or_else(|| "no".to_string(), |w| w.to_string()),
                        vars.len()
                    ),
                    opener,
                ));
                return whole;
            }
            elements
                .iter()
                .map(|e| forloop::iterate(e).unwrap_or_default())
                .collect()
        } else {
            elements.iter().map(|e| vec![e.clone()]).collect()
        };

        let body = &text[opener.end..qb[close].start];
        if body.trim().is_empty() {
            return whole;
        }
        let mut content = String::new();
        for values in &unpacked {
            let mut tmp = body.to_string();
            // Julia's `zip` stops at the shorter side.
            for (name, v) in vars.iter().zip(values) {
                tmp = forloop::substitute(&tmp, name, &v.to_julia_string(), vars.len() > 1);
            }
            content.push_str(&tmp);
        }

        if self.depth >= MAX_RENDER_DEPTH {
            issues.push(issue(
                Severity::Error,
                "template-nesting",
                format!("loops and inserts are nested more than {MAX_RENDER_DEPTH} deep"),
                opener,
            ));
            return whole;
        }
        self.depth += 1;
        let mut inner = Vec::new();
        let rendered = self.render_text(&content, &mut inner);
        self.depth -= 1;
        let head = &text[opener.start..opener.end];
        for mut e in inner {
            e.message = format!("in the body of `{head}`: {}", e.message);
            e.offset = opener.start;
            e.len = opener.end - opener.start;
            issues.push(e);
        }
        out.push_str(&rendered);
        whole
    }

    /// A function block `{{name params…}}`: built-ins, then the host, then utils.jl, then a variable.
    fn call_function(
        &mut self,
        text: &str,
        b: &QBlock,
        name: &str,
        params: &[String],
        issues: &mut Vec<TemplateIssue>,
    ) -> String {
        let lname = name.to_lowercase();
        match lname.as_str() {
            "fill" => return self.fill(b, params, issues),
            "insert" => return self.insert(b, params, issues),
            "toc" => return self.toc(b, params, issues),
            _ => {}
        }
        if let Some(result) = self.host.call(&lname, params) {
            return match result {
                Ok(s) => s,
                Err(msg) => {
                    issues.push(issue(
                        Severity::Error,
                        "template-function-failed",
                        format!("`{}` failed: {msg}", &text[b.start..b.end]),
                        b,
                    ));
                    String::new()
                }
            };
        }
        // Franklin runs a utils.jl `hfun_` before trying a variable of the same name.
        if self.host.is_utils_function(&lname) {
            issues.push(with_help(
                issue(
                    Severity::Error,
                    "utils-function",
                    format!("`{{{{{name}}}}}` calls `hfun_{lname}` from utils.jl, which notes cannot run"),
                    b,
                ),
                utils_help(&lname),
            ));
            return String::new();
        }
        if params.is_empty() {
            if let Some(v) = self.host.var(name) {
                if v != Value::Nothing {
                    return v.to_julia_string();
                }
            }
        }
        issues.push(with_help(
            issue(
                Severity::Warning,
                "unknown-template-function",
                format!("`{{{{{name}}}}}` is not a template function, a defined variable or a utils.jl function"),
                b,
            ),
            "check the spelling; built-ins are fill, insert, toc, taglist, redirect, sitemap_opts, fd2rss, RFC822",
        ));
        String::new()
    }

    fn fill(&mut self, b: &QBlock, params: &[String], issues: &mut Vec<TemplateIssue>) -> String {
        let value = match params {
            [v] => self.host.var(v),
            [v, page] => self.host.page_var(page, v),
            _ => {
                issues.push(issue(
                    Severity::Error,
                    "template-arguments",
                    format!(
                        "`{{{{fill …}}}}` takes one or two arguments ({} given)",
                        params.len()
                    ),
                    b,
                ));
                return String::new();
            }
        };
        match value {
            Some(v) if v != Value::Nothing => v.to_julia_string(),
            _ => {
                let message = match params {
                    [v, page] => format!("variable `{v}` is not defined on page `{page}`"),
                    _ => format!("variable `{}` is not defined", params[0]),
                };
                issues.push(with_help(
                    issue(Severity::Warning, "undefined-variable", message, b),
                    "define it with `@def` on the page or in config.md",
                ));
                String::new()
            }
        }
    }

    fn insert(&mut self, b: &QBlock, params: &[String], issues: &mut Vec<TemplateIssue>) -> String {
        let [path] = params else {
            issues.push(issue(
                Severity::Error,
                "template-arguments",
                format!("`{{{{insert …}}}}` takes one path ({} given)", params.len()),
                b,
            ));
            return String::new();
        };
        if self.inserts.iter().any(|p| p == path) {
            issues.push(issue(
                Severity::Error,
                "insert-cycle",
                format!(
                    "`_layout/{path}` inserts itself (through {})",
                    self.inserts.join(" → ")
                ),
                b,
            ));
            return String::new();
        }
        if self.inserts.len() >= MAX_INSERT_DEPTH || self.depth >= MAX_RENDER_DEPTH {
            issues.push(issue(
                Severity::Error,
                "insert-depth",
                format!(
                    "`{{{{insert {path}}}}}` is nested more than {MAX_INSERT_DEPTH} inserts deep"
                ),
                b,
            ));
            return String::new();
        }
        let Some(content) = self.host.layout_file(path) else {
            issues.push(issue(
                Severity::Warning,
                "insert-missing",
                format!("`_layout/{path}` does not exist"),
                b,
            ));
            return String::new();
        };
        self.inserts.push(path.clone());
        self.depth += 1;
        let mut inner = Vec::new();
        let rendered = self.render_text(&content, &mut inner);
        self.depth -= 1;
        self.inserts.pop();
        for mut e in inner {
            e.message = format!(
                "in `_layout/{path}` line {}: {}",
                line_of(&content, e.offset),
                e.message
            );
            e.offset = b.start;
            e.len = b.end - b.start;
            issues.push(e);
        }
        rendered
    }

    fn toc(&mut self, b: &QBlock, params: &[String], issues: &mut Vec<TemplateIssue>) -> String {
        let (min_s, max_s) = match params {
            [] => (
                self.level_var("mintoclevel", 1),
                self.level_var("maxtoclevel", 10),
            ),
            [a, z] => (a.clone(), z.clone()),
            _ => {
                issues.push(issue(
                    Severity::Error,
                    "template-arguments",
                    format!("`{{{{toc …}}}}` takes two levels ({} given)", params.len()),
                    b,
                ));
                return String::new();
            }
        };
        let headings = self.host.headings();
        if headings.is_empty() {
            return String::new();
        }
        let parse = |s: &str| {
            s.trim()
                .parse::<i64>()
                .ok()
                .or_else(|| match self.host.var(s) {
                    Some(Value::Int(n)) => Some(n),
                    _ => None,
                })
        };
        match (parse(&min_s), parse(&max_s)) {
            (Some(min), Some(max)) => toc::toc_html(&headings, min, max),
            _ => {
                issues.push(issue(
                    Severity::Error,
                    "template-arguments",
                    format!("`{{{{toc {min_s} {max_s}}}}}`: levels must be integers"),
                    b,
                ));
                String::new()
            }
        }
    }

    /// `string(locvar(name))` for the toc defaults.
    fn level_var(&self, name: &str, default: i64) -> String {
        match self.host.var(name) {
            Some(Value::Nothing) | None => default.to_string(),
            Some(v) => v.to_julia_string(),
        }
    }
}

/// A replacement to suggest for a utils.jl function, by what such functions usually do.
fn utils_help(name: &str) -> &'static str {
    if name.contains("date") || name.contains("modified") || name.contains("time") {
        "show a page variable instead, e.g. `{{fill date}}` or `{{fill fd_mtime}}`"
    } else if name.contains("post") || name.contains("list") || name.contains("blog") {
        "write the list in markdown, or loop over a page variable with `{{for x in items}} … {{end}}`"
    } else if name.contains("img") || name.contains("youtube") || name.contains("video") {
        "write the HTML directly in a `~~~ … ~~~` raw block"
    } else {
        "replace the call with plain HTML, a page variable (`{{fill name}}`), `{{insert file.html}}` or a `{{for}}` loop"
    }
}

#[cfg(test)]
mod tests;
