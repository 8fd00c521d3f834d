//! Franklin's built-in commands: figures, files, references, citations, tables of
//! contents and the outputs of evaluated code (read from Franklin's own cache).

use super::code::{code_block_html, visible_code};
use super::convert::{Link, LinkKind, Origin, PageState, LATE_CLOSE, LATE_OPEN};
use super::html::{escape, escape_code, refstring};
use super::resources::source_of_url;
use super::scan::Out;

/// Number of brace arguments of each built-in command; None for unknown names.
pub fn arity(name: &str) -> Option<usize> {
    Some(match name {
        "toc" | "tableofcontents" => 0,
        "label" | "eqref" | "cite" | "citet" | "citep" | "reflink" | "fig" | "html" | "output"
        | "codeoutput" | "show" | "textoutput" | "textinput" | "literate" | "nonumber" => 1,
        "biblabel" | "figalt" | "file" | "style" | "textcss" | "input" | "tableinput" => 2,
        _ => return None,
    })
}

/// Extensions `\fig` tries when the path has none, in Franklin's order.
const FIG_EXTENSIONS: &[&str] = &["png", "jpeg", "jpg", "svg", "gif"];

impl PageState<'_> {
    /// Renders a built-in command whose arguments have been read.
    pub(super) fn builtin(
        &mut self,
        name: &str,
        args: &[&str],
        origin: Origin,
        start: usize,
        end: usize,
    ) -> Out {
        let arg = |k: usize| args.get(k).map_or("", |a| a.trim());
        match name {
            "toc" | "tableofcontents" => Out::Inline("{{toc}}".to_string()),
            "label" => {
                let id = refstring(arg(0));
                self.record_anchor(&id);
                Out::Inline(format!("<a id=\"{id}\" class=\"anchor\"></a>"))
            }
            "eqref" => Out::Inline(format!(
                "<span class=\"eqref\">({})</span>",
                self.late_refs("eq", arg(0), origin, (start, end))
            )),
            "cite" | "citet" => Out::Inline(format!(
                "<span class=\"bibref\">{}</span>",
                self.late_refs("bib", arg(0), origin, (start, end))
            )),
            "citep" => Out::Inline(format!(
                "<span class=\"bibref\">({})</span>",
                self.late_refs("bib", arg(0), origin, (start, end))
            )),
            "biblabel" => {
                let id = refstring(arg(0));
                let (s, e) = origin.range(start, end);
                let name_html = self.fragment(arg(1), Origin::Fixed(s, e), true);
                self.bib_names
                    .insert(id.clone(), name_html.trim_end().to_string());
                self.record_anchor(&id);
                Out::Inline(format!("<a id=\"{id}\" class=\"anchor\"></a>"))
            }
            "reflink" => Out::Inline(format!("#{}", refstring(arg(0)))),
            "fig" => self.figure("", arg(0), origin, start, end),
            "figalt" => self.figure(arg(0), arg(1), origin, start, end),
            "file" => {
                let url = self.page_url_path(arg(1), false);
                self.asset_link(&url, origin, start, end);
                let (s, e) = origin.range(start, end);
                let text = self.fragment(arg(0), Origin::Fixed(s, e), true);
                Out::Inline(format!(
                    "<a href=\"{}\">{}</a>",
                    escape(&url),
                    text.trim_end()
                ))
            }
            "style" | "textcss" => {
                let (s, e) = origin.range(start, end);
                let text = self.fragment(arg(1), Origin::Fixed(s, e), true);
                Out::Inline(format!(
                    "<span style=\"{}\">{}</span>",
                    escape(arg(0)),
                    text.trim_end()
                ))
            }
            "html" => Out::Inline(args.first().map_or("", |a| a).to_string()),
            "nonumber" => {
                let (s, e) = origin.range(start, end);
                let html = self.fragment(arg(0), Origin::Fixed(s, e), true);
                self.eq_count = self.eq_count.saturating_sub(1);
                Out::Block(format!("<div class=\"nonumber\">{}</div>", html.trim_end()))
            }
            "output" | "codeoutput" => {
                Out::Block(self.show_output(arg(0), origin, start, end, false))
            }
            "show" => Out::Block(self.show_output(arg(0), origin, start, end, true)),
            "textoutput" => {
                match self.cached_output(arg(0), "out", origin, start, end, "textoutput") {
                    Some(text) => {
                        let (s, e) = origin.range(start, end);
                        let html = self.fragment(&text, Origin::Fixed(s, e), true);
                        Out::Inline(html.trim_end_matches('\n').to_string())
                    }
                    None => Out::Remove,
                }
            }
            "textinput" => {
                let url = self.page_url_path(arg(0), false);
                match self.read_site(&url, origin, start, end, "textinput") {
                    Some(text) => {
                        let (s, e) = origin.range(start, end);
                        let html = self.fragment(&text, Origin::Fixed(s, e), true);
                        Out::Inline(html.trim_end_matches('\n').to_string())
                    }
                    None => Out::Remove,
                }
            }
            "input" => self.input(arg(0), arg(1), origin, start, end),
            "tableinput" => self.table_input(arg(0), arg(1), origin, start, end),
            "literate" => self.literate(arg(0), origin, start, end),
            _ => Out::Remove,
        }
    }

    /// Comma-separated keys as late-resolved references, joined with ", "; each key is
    /// remembered with its place so that a missing target can be reported.
    fn late_refs(
        &mut self,
        kind: &'static str,
        keys: &str,
        origin: Origin,
        (start, end): (usize, usize),
    ) -> String {
        let span = self.span(origin, start, end);
        keys.split(',')
            .map(|k| {
                let key = refstring(k.trim());
                self.late_refs.push((kind, key.clone(), span.clone()));
                format!("{LATE_OPEN}{kind}:{key}{LATE_CLOSE}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The directory part Franklin uses for `./` paths: `a/b.md` → `a/b`, `a/index.md` → `a`.
    fn page_dir(&self) -> String {
        let r = self.file.trim_end_matches(".md").trim_end_matches(".html");
        match r.strip_suffix("/index") {
            Some(d) => d.to_string(),
            None => r.to_string(),
        }
    }

    /// Franklin's `parse_rpath`: a URL path for a path written in a command.
    pub(super) fn page_url_path(&self, path: &str, code: bool) -> String {
        if let Some(rest) = path.strip_prefix("/_assets/") {
            return format!("/assets/{rest}");
        }
        if path.starts_with('/') || path.contains("://") {
            return path.to_string();
        }
        if let Some(rest) = path.strip_prefix("./") {
            return format!("/assets/{}/{rest}", self.page_dir());
        }
        if code {
            format!("/assets/{}/code/{path}", self.page_dir())
        } else {
            format!("/assets/{path}")
        }
    }

    fn asset_link(&mut self, url: &str, origin: Origin, start: usize, end: usize) {
        if !self.ctx.check_data {
            return;
        }
        let span = self.span(origin, start, end);
        self.links.push(Link {
            dest: url.to_string(),
            span,
            kind: LinkKind::Asset,
        });
    }

    fn figure(&mut self, alt: &str, path: &str, origin: Origin, start: usize, end: usize) -> Out {
        self.reads_files = true;
        let url = self.page_url_path(path, true);
        let has_ext = url.rsplit('/').next().is_some_and(|f| f.contains('.'));
        let found = if has_ext {
            Some(url.clone())
        } else {
            let (dir, file) = url.rsplit_once('/').unwrap_or(("", url.as_str()));
            let candidates: Vec<String> = FIG_EXTENSIONS
                .iter()
                .map(|ext| format!("{url}.{ext}"))
                .chain(
                    FIG_EXTENSIONS
                        .iter()
                        .map(|ext| format!("{dir}/output/{file}.{ext}")),
                )
                .collect();
            candidates
                .into_iter()
                .find(|c| self.ctx.resources.url_exists(c))
        };
        let src = match found {
            Some(src) => src,
            None => {
                self.warning(
                    origin,
                    start,
                    end,
                    "missing-figure",
                    format!("no image matches `{path}` (looked for `{url}` with an image extension)"),
                    "check the path; generated plots need Franklin's output passed with --eval-cache",
                );
                url.clone()
            }
        };
        if has_ext {
            self.asset_link(&src, origin, start, end);
        }
        Out::Inline(format!(
            "<img src=\"{}\" alt=\"{}\">",
            escape(&src),
            escape(alt)
        ))
    }

    /// Reads `NAME.out` or `NAME.res` of an evaluated block from the eval cache.
    fn cached_output(
        &mut self,
        path: &str,
        ext: &str,
        origin: Origin,
        start: usize,
        end: usize,
        command: &str,
    ) -> Option<String> {
        self.reads_files = true;
        let url = self.page_url_path(path, true);
        let (dir, name) = url.rsplit_once('/').unwrap_or(("", url.as_str()));
        let dir = dir.trim_start_matches('/');
        let mut candidates = vec![format!("{dir}/output/{name}.{ext}")];
        // Franklin versions differ on where `index.md` pages keep their outputs.
        if self.file.ends_with("index.md") && !path.starts_with('/') {
            let full = self.file.trim_end_matches(".md");
            let rest = path.trim_start_matches("./");
            let rest = if path.starts_with("./") {
                rest.to_string()
            } else {
                format!("code/{rest}")
            };
            let alt = format!("assets/{full}/{rest}");
            if let Some((d, n)) = alt.rsplit_once('/') {
                candidates.push(format!("{d}/output/{n}.{ext}"));
            }
        }
        for c in &candidates {
            if let Some(text) = self.ctx.resources.read_output_file(c) {
                return Some(text);
            }
        }
        if ext == "out" {
            self.warning(
                origin,
                start,
                end,
                "missing-eval-output",
                format!("no cached output for `\\{command}{{{path}}}`: notes cannot run Julia code"),
                "pass --eval-cache DIR pointing at Franklin's output (e.g. a checkout of the gh-pages branch)",
            );
        }
        None
    }

    /// `\output` and `\show`: the cached stdout (and result) as a plaintext block.
    pub(super) fn show_output(
        &mut self,
        path: &str,
        origin: Origin,
        start: usize,
        end: usize,
        with_result: bool,
    ) -> String {
        let command = if with_result { "show" } else { "output" };
        let Some(mut out) = self.cached_output(path, "out", origin, start, end, command) else {
            return String::new();
        };
        if with_result {
            if let Some(res) = self.cached_output(path, "res", origin, start, end, command) {
                let res = strip_sandbox(&res);
                if res.trim() != "nothing" && !res.is_empty() {
                    if !out.is_empty() && !out.ends_with('\n') {
                        out.push('\n');
                    }
                    out.push_str(&res);
                }
            }
        }
        if out.is_empty() {
            return String::new();
        }
        format!(
            "<pre><code class=\"plaintext code-output\">{}</code></pre>",
            escape_code(&out)
        )
    }

    fn read_site(
        &mut self,
        url: &str,
        origin: Origin,
        start: usize,
        end: usize,
        command: &str,
    ) -> Option<String> {
        self.reads_files = true;
        let rel = source_of_url(url);
        match self.ctx.resources.read_site_file(&rel) {
            Ok(text) => Some(text),
            Err(e) => {
                if let Some(text) = self
                    .ctx
                    .resources
                    .read_output_file(url.trim_start_matches('/'))
                {
                    return Some(text);
                }
                let outside = matches!(e, super::resources::ResourceError::OutsideSite { .. });
                self.error(
                    origin,
                    start,
                    end,
                    if outside { "path-outside-site" } else { "missing-file" },
                    format!("`\\{command}` cannot read {e}"),
                    if outside {
                        "commands may only read files inside the site folder"
                    } else {
                        "check the path: `/x` is from the site root, `./x` is in this page's assets folder"
                    },
                );
                None
            }
        }
    }

    fn input(&mut self, lang: &str, path: &str, origin: Origin, start: usize, end: usize) -> Out {
        let url = self.page_url_path(path, true);
        if lang.starts_with("plot") {
            let id = lang.split_once(':').map_or("", |(_, id)| id);
            let (dir, name) = url.rsplit_once('/').unwrap_or(("", url.as_str()));
            let src = format!("{dir}/output/{name}{id}.png");
            return Out::Inline(format!("<img src=\"{}\" alt=\"\">", escape(&src)));
        }
        let Some(text) = self.read_site(&url, origin, start, end, "input") else {
            return Out::Remove;
        };
        self.has_code = true;
        match visible_code(lang, &text) {
            Some(code) => Out::Block(code_block_html(lang, &code)),
            None => Out::Remove,
        }
    }

    fn table_input(
        &mut self,
        header: &str,
        path: &str,
        origin: Origin,
        start: usize,
        end: usize,
    ) -> Out {
        let url = self.page_url_path(path, false);
        let Some(csv) = self.read_site(&url, origin, start, end, "tableinput") else {
            return Out::Remove;
        };
        let mut rows: Vec<Vec<String>> = csv
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(',').map(|c| c.trim().replace('|', "\\|")).collect())
            .collect();
        let head: Vec<String> = if header.is_empty() {
            if rows.is_empty() {
                return Out::Remove;
            }
            rows.remove(0)
        } else {
            header.split(',').map(|h| h.trim().to_string()).collect()
        };
        let mut md = format!(
            "| {} |\n|{}|\n",
            head.join(" | "),
            vec!["---"; head.len()].join("|")
        );
        for r in rows {
            md.push_str(&format!("| {} |\n", r.join(" | ")));
        }
        let (s, e) = origin.range(start, end);
        Out::Block(
            self.fragment(&md, Origin::Fixed(s, e), true)
                .trim_end()
                .to_string(),
        )
    }

    fn literate(&mut self, path: &str, origin: Origin, start: usize, end: usize) -> Out {
        self.reads_files = true;
        let stem = path
            .rsplit('/')
            .next()
            .unwrap_or(path)
            .trim_end_matches(".jl");
        let rel = format!("assets/literate/{stem}.md");
        match self.ctx.resources.read_output_file(&rel) {
            Some(text) => {
                let (s, e) = origin.range(start, end);
                Out::Block(
                    self.fragment(&text, Origin::Fixed(s, e), true)
                        .trim_end()
                        .to_string(),
                )
            }
            None => {
                self.warning(
                    origin,
                    start,
                    end,
                    "missing-eval-output",
                    format!("no cached Literate output for `\\literate{{{path}}}`: notes cannot run Literate.jl"),
                    "pass --eval-cache DIR pointing at Franklin's output (it holds assets/literate/*.md)",
                );
                Out::Remove
            }
        }
    }
}

/// Removes the `Main.FD_SANDBOX_N.` prefixes Franklin's sandbox modules leave in results.
fn strip_sandbox(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("Main.FD_SANDBOX_") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "Main.FD_SANDBOX_".len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        rest = after[digits..]
            .strip_prefix('.')
            .unwrap_or(&after[digits..]);
    }
    out.push_str(rest);
    out
}
