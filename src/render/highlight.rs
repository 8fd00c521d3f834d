//! Build-time syntax highlighting of the fenced code blocks in a rendered HTML body.
//!
//! Highlighting happens once, when the site is built, so readers get coloured code without any
//! JavaScript. The output carries short classes (`hl-k` for keywords, `hl-s` for strings, ...)
//! rather than inline colours: the colours live in one stylesheet (`templates/highlight.css`)
//! holding a light and a dark palette, which is what lets the dark-mode toggle recolour code
//! without a rebuild.
//!
//! A site can hold tens of thousands of code blocks, so the lexers are small hand-written
//! single-pass scanners (no regular expressions, no grammar loading) that read the escaped code
//! as it is, entities included, and copy it through with spans around the tokens. Each block
//! costs a few microseconds. Languages without a lexer are left unchanged.

use std::sync::LazyLock;

use memchr::memmem::Finder;

mod generic;
mod langs;
mod markup;
mod scan;

use langs::{lexer_for, Lexer};
use scan::{Class, Scanner};

/// Prefix of every class the highlighter emits.
pub const CLASS_PREFIX: &str = "hl-";

/// Opening of a code block as pulldown-cmark and Franklin write it, up to the language name.
const OPEN: &str = "<pre><code class=\"language-";
/// Closing of a code block.
const CLOSE: &str = "</code></pre>";

/// [`highlight_blocks`], the page as it is when it holds no code block.
#[cfg(test)]
fn highlight_html(html: &str) -> String {
    highlight_blocks(html).unwrap_or_else(|| html.to_string())
}

/// Highlights every `<pre><code class="language-X">…</code></pre>` block of `html`.
///
/// Blocks whose language is unknown (or plain text) are copied unchanged, as is everything
/// outside code blocks. None when `html` holds no code block: the page is searched for its
/// first block once, not once to ask and again to work.
pub fn highlight_blocks(html: &str) -> Option<String> {
    let first = find_open(html, 0)?;
    // Spans roughly double the size of a block; the rest of the page is copied as it is.
    let mut out = String::with_capacity(html.len() + html.len() / 2);
    let mut pos = 0;
    let mut next = Some(first);
    while let Some(start) = next {
        let lang_start = start + OPEN.len();
        let Some(block) = parse_block(html, lang_start) else {
            // Not a block we understand (extra attributes, no closing tag): copy the opener
            // and keep scanning after it.
            out.push_str(&html[pos..lang_start]);
            pos = lang_start;
            next = find_open(html, pos);
            continue;
        };
        out.push_str(&html[pos..start]);
        match block_lexer(block.class, block.code) {
            Some(lexer) => {
                out.push_str(OPEN);
                out.push_str(block.class);
                out.push_str("\">");
                highlight_code(lexer, block.code, &mut out);
                out.push_str(CLOSE);
            }
            None => out.push_str(&html[start..block.end]),
        }
        pos = block.end;
        next = find_open(html, pos);
    }
    out.push_str(&html[pos..]);
    Some(out)
}

/// Position of the next code block opener at or after `from`.
fn find_open(html: &str, from: usize) -> Option<usize> {
    static FINDER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(OPEN));
    let rest = html.as_bytes().get(from..)?;
    FINDER.find(rest).map(|i| from + i)
}

/// Position of `</code></pre>` in `code_and_rest`: the first `<` there, since escaped code has
/// none of its own, unless the markup is unusual.
fn find_close(code_and_rest: &str) -> Option<usize> {
    let mut pos = 0;
    loop {
        let lt = pos + code_and_rest.get(pos..)?.find('<')?;
        if code_and_rest[lt..].starts_with(CLOSE) {
            return Some(lt);
        }
        pos = lt + 1;
    }
}

/// One code block found in the HTML.
struct Block<'a> {
    /// Everything after `language-` in the class attribute.
    class: &'a str,
    /// The escaped code between the tags.
    code: &'a str,
    /// Byte offset just past `</code></pre>`.
    end: usize,
}

/// Reads the block whose class value starts at `lang_start` (just after `language-`).
fn parse_block(html: &str, lang_start: usize) -> Option<Block<'_>> {
    let rest = &html[lang_start..];
    let quote = rest.find('"')?;
    let class = &rest[..quote];
    if class.contains(['<', '>']) {
        return None;
    }
    let after = rest[quote + 1..].strip_prefix('>')?;
    let code_start = html.len() - after.len();
    let code_len = find_close(after)?;
    Some(Block {
        class,
        code: &after[..code_len],
        end: code_start + code_len + CLOSE.len(),
    })
}

/// The lexer for a block whose class value is `class`, if its language has one.
fn block_lexer(class: &str, code: &str) -> Option<Lexer> {
    let lang = class.split_whitespace().next()?;
    if lang.len() > 24 {
        return None;
    }
    let mut lower = [0u8; 24];
    for (dst, src) in lower.iter_mut().zip(lang.bytes()) {
        *dst = src.to_ascii_lowercase();
    }
    let lower = std::str::from_utf8(&lower[..lang.len()]).ok()?;
    lexer_for(lower, code)
}

/// Writes the escaped `code` to `out` with spans around its tokens.
fn highlight_code(lexer: Lexer, code: &str, out: &mut String) {
    let mut scanner = Scanner::new(code, out);
    match lexer {
        Lexer::Generic(lang) => generic::highlight(lang, &mut scanner),
        Lexer::Yaml => markup::yaml(&mut scanner),
        Lexer::Markdown => markup::markdown(&mut scanner),
        Lexer::Markup => markup::markup(&mut scanner),
    }
    scanner.finish();
}

/// Decodes the entities of escaped code (shared with math, which reads TeX out of HTML).
pub(crate) fn unescape_html(s: &str) -> String {
    crate::dialect::html::unescape(s)
}

/// The colours and style of one class: light colour, dark colour, extra declarations.
struct Style {
    /// What the class marks.
    class: Class,
    /// Colour on the light code background (`#fafafa`).
    light: &'static str,
    /// Colour on the dark code background (`#282c34`).
    dark: &'static str,
    /// Declarations that do not depend on the palette.
    extra: &'static str,
}

/// The palettes, derived from One Light / One Dark with colours darkened or lightened until
/// every one reaches a contrast of about 4.5:1 against its background.
const STYLES: [Style; 13] = [
    Style {
        class: Class::Keyword,
        light: "#a626a4",
        dark: "#c678dd",
        extra: "",
    },
    Style {
        class: Class::Str,
        light: "#3b7a3a",
        dark: "#98c379",
        extra: "",
    },
    Style {
        class: Class::Comment,
        light: "#696c77",
        dark: "#959ba5",
        extra: "font-style: italic;",
    },
    Style {
        class: Class::Number,
        light: "#b0470c",
        dark: "#d19a66",
        extra: "",
    },
    Style {
        class: Class::Type,
        light: "#8a5f00",
        dark: "#e5c07b",
        extra: "",
    },
    Style {
        class: Class::Function,
        light: "#1462b0",
        dark: "#61afef",
        extra: "",
    },
    Style {
        class: Class::Key,
        light: "#c0382b",
        dark: "#ef8a91",
        extra: "",
    },
    Style {
        class: Class::Meta,
        light: "#0c7480",
        dark: "#56b6c2",
        extra: "",
    },
    Style {
        class: Class::Variable,
        light: "#c0382b",
        dark: "#ef8a91",
        extra: "",
    },
    Style {
        class: Class::Tag,
        light: "#c0382b",
        dark: "#ef8a91",
        extra: "",
    },
    Style {
        class: Class::Heading,
        light: "#1462b0",
        dark: "#61afef",
        extra: "font-weight: bold;",
    },
    Style {
        class: Class::Emphasis,
        light: "",
        dark: "",
        extra: "font-style: italic;",
    },
    Style {
        class: Class::Strong,
        light: "",
        dark: "",
        extra: "font-weight: bold;",
    },
];

/// Generates the stylesheet with both palettes, as stored in `templates/highlight.css`.
///
/// Each class takes its colour from a custom property. The light values are the default; the
/// dark ones apply under `<html data-theme="dark">` (the theme toggle) or, when the reader made
/// no choice, when the system prefers dark, the same rule `theme.css` follows.
pub fn highlight_css() -> String {
    let mut vars_light = String::new();
    let mut vars_dark = String::new();
    let mut rules = String::new();
    for style in &STYLES {
        let name = style.class.name();
        let mut decls = String::new();
        if !style.light.is_empty() {
            vars_light.push_str(&format!("  --{name}: {};\n", style.light));
            vars_dark.push_str(&format!("  --{name}: {};\n", style.dark));
            decls.push_str(&format!("color: var(--{name});"));
        }
        if !style.extra.is_empty() {
            if !decls.is_empty() {
                decls.push(' ');
            }
            decls.push_str(style.extra);
        }
        rules.push_str(&format!(".{name} {{ {decls} }}\n"));
    }
    let indented_dark: String = vars_dark.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "/* Syntax colours for code blocks, light and dark (One Light / One Dark, adjusted for contrast).\n   \
         Generated by notes (render::highlight::highlight_css); do not edit by hand.\n   \
         Classes: hl-k keyword, hl-s string, hl-c comment, hl-n number or constant, hl-t type or builtin,\n   \
         hl-f function, hl-p key or attribute, hl-m macro/decorator/preprocessor/prompt, hl-v variable,\n   \
         hl-g tag name, hl-h heading, hl-e emphasis, hl-b strong. */\n\
         :root {{\n{vars_light}}}\n\
         :root[data-theme=\"dark\"] {{\n{vars_dark}}}\n\
         @media (prefers-color-scheme: dark) {{\n  :root:not([data-theme]) {{\n{indented_dark}  }}\n}}\n\
         {rules}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The highlighted body of a `lang` block holding `code`.
    fn hl(lang: &str, code: &str) -> String {
        let html = format!("<pre><code class=\"language-{lang}\">{code}</code></pre>");
        let out = highlight_html(&html);
        let prefix = format!("<pre><code class=\"language-{lang}\">");
        out.strip_prefix(&prefix)
            .and_then(|o| o.strip_suffix("</code></pre>"))
            .unwrap_or_else(|| panic!("block markup lost: {out}"))
            .to_string()
    }

    /// `hl` in a compact notation: `<span class="hl-k">x</span>` becomes `[k|x]`.
    fn compact(lang: &str, code: &str) -> String {
        let out = hl(lang, code);
        let mut s = out.replace("</span>", "]");
        while let Some(at) = s.find("<span class=\"hl-") {
            let close = s[at..].find("\">").map_or(s.len(), |i| at + i);
            let class = s[at + 16..close].to_string();
            s.replace_range(at..close + 2, &format!("[{class}|"));
        }
        s
    }

    /// `html` without its tags.
    fn strip_tags(html: &str) -> String {
        let mut out = String::with_capacity(html.len());
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }

    /// Per language: fence name, escaped code, expected output in `compact` notation.
    const GOLDEN: &[(&str, &str, &str)] = &[
        ("julia", "function f(x::Int)\n    # square it\n    return x^2 &lt; 10 ? &quot;small&quot; : &quot;big&quot;\nend\n",
            "[k|function] [f|f](x::[t|Int])\n    [c|# square it]\n    [k|return] x^[n|2] &lt; [n|10] ? [s|&quot;small&quot;] : [s|&quot;big&quot;]\n[k|end]\n",
        ),
        ("julia", "#= block #= nested =# =#\ns = raw&quot;a\\b&quot; * &quot;&quot;&quot;tri\n&quot;q&quot; &quot;&quot;&quot;\nc = &#39;x&#39;; A&#39; .+ push!(v, :sym) @time 1e-3 0x1F 3im nothing\ny = f.(xs)",
            "[c|#= block #= nested =# =#]\ns = [s|raw&quot;a\\b&quot;] * [s|&quot;&quot;&quot;tri\n&quot;q&quot; &quot;&quot;&quot;]\nc = [s|&#39;x&#39;]; A&#39; .+ [f|push!](v, [n|:sym]) [m|@time] [n|1e-3] [n|0x1F] [n|3][n|im] [n|nothing]\ny = [f|f].(xs)",
        ),
        ("julia-repl", "julia&gt; x = 1 + 2\n3\n\njulia&gt; println(&quot;hi&quot;)\nhi\n",
            "[m|julia&gt;] x = [n|1] + [n|2]\n3\n\n[m|julia&gt;] [f|println]([s|&quot;hi&quot;])\nhi\n",
        ),
        ("python", "@dataclass\nclass Point:\n    def norm(self, p=2):\n        return f&quot;{self.x}&quot; + r&#39;\\d&#39; # c\n&quot;&quot;&quot;doc\nstring&quot;&quot;&quot;\nprint(None, 1.5e3)",
            "[m|@dataclass]\n[k|class] [t|Point]:\n    [k|def] [f|norm]([n|self], p=[n|2]):\n        [k|return] [s|f&quot;{self.x}&quot;] + [s|r&#39;\\d&#39;] [c|# c]\n[s|&quot;&quot;&quot;doc\nstring&quot;&quot;&quot;]\n[t|print]([n|None], [n|1.5e3])",
        ),
        ("bash", "# setup\nexport PATH=&quot;$HOME/bin:$PATH&quot;\nif [ -f x ]; then echo &#39;hi&#39; ${VAR} $1; fi  # done\nurl=a#b",
            "[c|# setup]\n[k|export] PATH=[s|&quot;$HOME/bin:$PATH&quot;]\n[k|if] [ -f x ]; [k|then] [t|echo] [s|&#39;hi&#39;] [v|${VAR}] [v|$1]; [k|fi]  [c|# done]\nurl=a#b",
        ),
        ("console", "$ julia --project -e &#39;using Pkg&#39;\noutput line\n$ ls",
            "[m|$] julia --project -e [s|&#39;using Pkg&#39;]\noutput line\n[m|$] ls",
        ),
        ("yaml", "name: lesson-43\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest # os\n    steps:\n      - uses: actions/checkout@v4\n      - run: julia --project -e &#39;using Pkg; Pkg.test()&#39;\n      - &quot;quoted key&quot;: 1.5\n        flag: true\n        ref: *anchor\n        text: |\n          multi\n          line\n        after: null\n---\n",
            "[p|name]: lesson-43\n[p|on]: [push, pull_request]\n[p|jobs]:\n  [p|test]:\n    [p|runs-on]: ubuntu-latest [c|# os]\n    [p|steps]:\n      - [p|uses]: actions/checkout@v4\n      - [p|run]: julia --project -e &#39;using Pkg; Pkg.test()&#39;\n      - [p|&quot;quoted key&quot;]: [n|1.5]\n        [p|flag]: [n|true]\n        [p|ref]: [m|*anchor]\n        [p|text]: |\n          [s|multi\n          line]\n        [p|after]: [n|null]\n[m|---]\n",
        ),
        ("toml", "# config\n[deps]\nname = &quot;notes&quot;\n&quot;quoted&quot; = &#39;lit&#39;\nversion = 1.2\ndate = 1979-05-27T07:32:00Z\nok = true\ninline = { a = 1, b-c = [1, 2] }\n",
            "[c|# config]\n[t|[deps]]\n[p|name] = [s|&quot;notes&quot;]\n[p|&quot;quoted&quot;] = [s|&#39;lit&#39;]\n[p|version] = [n|1.2]\n[p|date] = [n|1979-05-27T07:32:00Z]\n[p|ok] = [n|true]\n[p|inline] = { [p|a] = [n|1], [p|b-c] = [[n|1], [n|2]] }\n",
        ),
        ("json", "{\n  &quot;name&quot;: &quot;x&quot;,\n  &quot;n&quot;: -1.5e3,\n  &quot;ok&quot;: [true, null]\n}",
            "{\n  [p|&quot;name&quot;]: [s|&quot;x&quot;],\n  [p|&quot;n&quot;]: -[n|1.5e3],\n  [p|&quot;ok&quot;]: [[n|true], [n|null]]\n}",
        ),
        ("rust", "#[derive(Debug)]\npub struct P&lt;&#39;a&gt; { s: &amp;&#39;a str }\nfn main() { let c = &#39;x&#39;; println!(&quot;{}&quot;, r#&quot;raw &quot;q&quot;&quot;#); 10u32; } // end\n/* a /* b */ c */",
            "[m|#[derive(Debug)]]\n[k|pub] [k|struct] [t|P]&lt;[m|&#39;a]&gt; { s: &amp;[m|&#39;a] [t|str] }\n[k|fn] [f|main]() { [k|let] c = [s|&#39;x&#39;]; [m|println!]([s|&quot;{}&quot;], [s|r#&quot;raw &quot;q&quot;&quot;#]); [n|10u32]; } [c|// end]\n[c|/* a /* b */ c */]",
        ),
        ("c", "#include &lt;stdio.h&gt;\nint main(void) {\n    /* comment */\n    printf(&quot;%d\\n&quot;, 0x1F); // x\n    return NULL;\n}",
            "[m|#include &lt;stdio.h&gt;]\n[t|int] [f|main]([t|void]) {\n    [c|/* comment */]\n    [f|printf]([s|&quot;%d\\n&quot;], [n|0x1F]); [c|// x]\n    [k|return] [n|NULL];\n}",
        ),
        ("js", "import { x } from &#39;y&#39;;\nconst f = async (a) =&gt; `t ${a}`; // c\nclass A extends B { m() { return this.n ?? 42n; } }",
            "[k|import] { x } [k|from] [s|&#39;y&#39;];\n[k|const] f = [k|async] (a) =&gt; [s|`t ${a}`]; [c|// c]\n[k|class] [t|A] [k|extends] B { [f|m]() { [k|return] [n|this].n ?? [n|42n]; } }",
        ),
        ("r", "f &lt;- function(x, na.rm = TRUE) {\n  # mean\n  if (is.na(x)) NULL else mean(x) + 1L\n}",
            "f &lt;- [k|function](x, na.rm = [n|TRUE]) {\n  [c|# mean]\n  [k|if] ([f|is.na](x)) [n|NULL] [k|else] [f|mean](x) + [n|1L]\n}",
        ),
        ("dockerfile", "FROM julia:1.10 AS build\n# comment\nRUN apt-get update &amp;&amp; echo &quot;$HOME&quot;\nENV PATH=/x:$PATH",
            "[k|FROM] julia:[n|1.10] [k|AS] build\n[c|# comment]\n[k|RUN] apt-get update &amp;&amp; [t|echo] [s|&quot;$HOME&quot;]\n[k|ENV] PATH=/x:[v|$PATH]",
        ),
        ("markdown", "# Title\n\nSome *emph* and **strong** and `code` and [link](https://x.org).\n\n- item\n1. one\n&gt; quote\n```julia\nx = 1\n```\n@def title = &quot;x&quot;\n&lt;!-- c --&gt;\n---",
            "[h|# Title]\n\nSome [e|*emph*] and [b|**strong**] and [s|`code`] and [link][s|(https://x.org)].\n\n[k|-] item\n[k|1.] one\n[k|&gt;] quote\n[m|```julia]\n[s|x = 1]\n[m|```]\n[k|@def] title = &quot;x&quot;\n[c|&lt;!-- c --&gt;]\n[m|---]",
        ),
        ("html", "&lt;!DOCTYPE html&gt;\n&lt;a href=&quot;/x&quot; class=&#39;y&#39; data-n=3 hidden&gt;link &amp;amp;&lt;/a&gt;\n&lt;!-- comment --&gt;\n&lt;br/&gt;",
            "[m|&lt;!DOCTYPE html&gt;]\n&lt;[g|a] [p|href]=[s|&quot;/x&quot;] [p|class]=[s|&#39;y&#39;] [p|data-n]=[s|3] [p|hidden]&gt;link &amp;amp;&lt;/[g|a]&gt;\n[c|&lt;!-- comment --&gt;]\n&lt;[g|br]/&gt;",
        ),
        ("xml", "&lt;?xml version=&quot;1.0&quot;?&gt;\n&lt;ns:root a=&quot;1&quot;&gt;&lt;![CDATA[x &lt; y]]&gt;&lt;/ns:root&gt;",
            "[m|&lt;?xml version=&quot;1.0&quot;?&gt;]\n&lt;[g|ns:root] [p|a]=[s|&quot;1&quot;]&gt;[s|&lt;![CDATA[x &lt; y]]&gt;]&lt;/[g|ns:root]&gt;",
        ),
        ("sql", "-- query\nSELECT name, COUNT(*) FROM users u WHERE u.age &gt; 18 AND name LIKE &#39;A%&#39; /* c */\nCREATE TABLE t (id INTEGER PRIMARY KEY, v varchar(10) DEFAULT NULL);",
            "[c|-- query]\n[k|SELECT] name, [f|COUNT](*) [k|FROM] users u [k|WHERE] u.age &gt; [n|18] [k|AND] name [k|LIKE] [s|&#39;A%&#39;] [c|/* c */]\n[k|CREATE] [k|TABLE] t (id [t|INTEGER] [k|PRIMARY] [k|KEY], v [t|varchar]([n|10]) [k|DEFAULT] [n|NULL]);",
        ),
        ("make", "# build\n.PHONY: all\nCC := gcc\nall: main.o\n\t$(CC) -o $@ $^ ${FLAGS}\nifeq ($(X),1)\nendif",
            "[c|# build]\n[k|.PHONY]: all\n[p|CC] := gcc\n[f|all]: main.o\n\t[v|$(CC)] -o [v|$@] [v|$^] [v|${FLAGS}]\n[k|ifeq] ([v|$(X)],[n|1])\n[k|endif]",
        ),
    ];

    /// Byte ranges of the entities of `code`, as the lexers recognise them.
    fn entity_ranges(code: &str) -> Vec<(usize, usize)> {
        let b = code.as_bytes();
        let mut out = Vec::new();
        for (i, _) in code.match_indices('&') {
            let rest = &b[i + 1..];
            if let Some(semi) = rest.iter().take(10).position(|&c| c == b';') {
                if semi > 0
                    && rest[..semi]
                        .iter()
                        .all(|c| c.is_ascii_alphanumeric() || *c == b'#')
                {
                    out.push((i, i + semi + 2));
                }
            }
        }
        out
    }

    /// Input offsets at which `highlighted` (the output for some code) inserted a tag.
    fn tag_offsets(highlighted: &str) -> Vec<usize> {
        let mut offsets = Vec::new();
        let mut text_pos = 0;
        let mut rest = highlighted;
        while let Some(lt) = rest.find('<') {
            text_pos += lt;
            offsets.push(text_pos);
            let gt = rest[lt..].find('>').map_or(rest.len(), |i| lt + i + 1);
            rest = &rest[gt..];
        }
        offsets
    }

    /// The invariants every highlighted block keeps: same text, no entity cut by a tag, spans
    /// balanced and never nested.
    fn check_invariants(lang: &str, code: &str) -> Result<(), String> {
        let out = hl(lang, code);
        if strip_tags(&out) != code {
            return Err(format!("text changed: {out:?}"));
        }
        let entities = entity_ranges(code);
        for at in tag_offsets(&out) {
            if let Some(e) = entities.iter().find(|(s, e)| *s < at && at < *e) {
                return Err(format!("entity {:?} split in {out:?}", &code[e.0..e.1]));
            }
        }
        let mut depth = 0;
        for (i, _) in out.match_indices('<') {
            if out[i..].starts_with("<span") {
                depth += 1;
                if depth > 1 {
                    return Err(format!("nested spans: {out:?}"));
                }
            } else if out[i..].starts_with("</span>") {
                if depth == 0 {
                    return Err(format!("unbalanced spans: {out:?}"));
                }
                depth -= 1;
            }
        }
        if depth != 0 {
            return Err(format!("unclosed span: {out:?}"));
        }
        Ok(())
    }

    #[test]
    fn golden_spans_per_language() {
        for (lang, code, want) in GOLDEN {
            assert_eq!(compact(lang, code), *want, "language {lang}");
            if let Err(e) = check_invariants(lang, code) {
                panic!("{lang}: {e}");
            }
        }
    }

    #[test]
    fn every_lexer_moves_past_nul_bytes() {
        // A NUL byte reads as the scanner's end-of-code value: a lexer that stopped there
        // without stepping over it looped forever (the YAML one did, found by fuzzing).
        // Each case runs on a worker so that a lexer standing still fails the test, naming
        // the case, instead of hanging it.
        const SAMPLE: &str = "key: &quot;v&quot; # c\nx = &#39;a&#39; + 1.5e3 &amp; y; [a, {b: c}]\n\
            - &amp;anc *ref !tag |\n  block\n&lt;a href=&quot;x&quot;&gt;t&lt;/a&gt; &lt;!-- c --&gt;\n\
            `code` **b** $m$ julia&gt; f(x) // c /* c */ -- c\n";
        // Every language table, and the lexers that have none.
        let langs = langs::ALL.iter().map(|(name, _)| *name);
        let langs: Vec<&str> = langs.chain(["yaml", "markdown", "html"]).collect();
        let (tx, rx) = std::sync::mpsc::channel::<(&str, usize, &str)>();
        let worker = std::thread::spawn(move || {
            // Opening with a prompt takes `julia` blocks to the session lexer.
            let samples = [SAMPLE.to_string(), format!("julia&gt; {SAMPLE}")];
            for lang in langs {
                for sample in &samples {
                    for at in (0..=sample.len()).filter(|&i| sample.is_char_boundary(i)) {
                        for nul in ["\0", "&#0;", "\0\n"] {
                            if tx.send((lang, at, nul)).is_err() {
                                return;
                            }
                            hl(lang, &[&sample[..at], nul, &sample[at..]].concat());
                        }
                    }
                }
            }
        });
        let mut last = None;
        loop {
            match rx.recv_timeout(std::time::Duration::from_secs(20)) {
                Ok(case) => last = Some(case),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    // The worker ended: by finishing, or by a panic the test must report.
                    if worker.join().is_err() {
                        panic!("highlighting panicked: (language, offset, insert) = {last:?}");
                    }
                    break;
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    panic!("highlighting did not finish: (language, offset, insert) = {last:?}")
                }
            }
        }
    }

    #[test]
    fn julia_block_in_a_page() {
        let html = "<p>Before</p>\n<pre><code class=\"language-julia\">x = &quot;a&quot;\n</code></pre>\n<p>After</p>";
        assert_eq!(
            highlight_html(html),
            "<p>Before</p>\n<pre><code class=\"language-julia\">x = <span class=\"hl-s\">&quot;a&quot;</span>\n</code></pre>\n<p>After</p>"
        );
    }

    #[test]
    fn fence_names_are_case_insensitive_and_aliased() {
        for lang in [
            "Julia",
            "jl",
            "julia-repl",
            "jldoctest",
            "py",
            "sh",
            "shell",
            "yml",
            "TOML",
            "ini",
            "json",
            "rs",
            "cpp",
            "h",
            "js",
            "ts",
            "typescript",
            "R",
            "docker",
            "xml",
            "svg",
            "SQL",
            "makefile",
            "Dockerfile",
        ] {
            let out = hl(lang, "&quot;1&quot;: 1\n&lt;a&gt;");
            assert!(out.contains("<span class=\"hl-"), "{lang}: {out}");
        }
        assert!(hl("console", "$ ls\n").contains("<span class=\"hl-m\">$</span>"));
        assert!(hl("md", "# x\n").contains("<span class=\"hl-h\"># x</span>"));
    }

    #[test]
    fn entities_stay_whole_inside_spans() {
        // The closing quote is an entity; the string must end after it, not inside it.
        assert_eq!(
            compact("python", "s = &#x27;a&#x27; + &#39;b&#39;"),
            "s = [s|&#x27;a&#x27;] + [s|&#39;b&#39;]"
        );
        // An entity the lexers do not know is still one unit and never split.
        assert_eq!(
            compact("julia", "&quot;a&nbsp;b&quot;"),
            "[s|&quot;a&nbsp;b&quot;]"
        );
        assert_eq!(compact("julia", "# &lt;&amp;&gt;"), "[c|# &lt;&amp;&gt;]");
    }

    #[test]
    fn franklin_numeric_references_are_read_as_their_characters() {
        // Franklin writes ( ) ` = [ ] { } + ! $ as numeric references.
        assert_eq!(
            compact(
                "julia",
                "push&#33;&#40;v, :a&#41;&#39; @show&#33; x&#33;&#61;1e&#43;3"
            ),
            "[f|push&#33;]&#40;v, [n|:a]&#41;&#39; [m|@show&#33;] x&#33;&#61;[n|1e&#43;3]"
        );
        assert_eq!(
            compact(
                "rust",
                "println&#33;&#40;&#41;; #&#91;test&#93; r&#35;&quot;x&quot;&#35;"
            ),
            "[m|println&#33;]&#40;&#41;; [m|#&#91;test&#93;] [s|r&#35;&quot;x&quot;&#35;]"
        );
        assert_eq!(
            compact(
                "bash",
                "echo &#36;&#123;HOME&#125; &#36;&#40;CC&#41;&#41; x&#41;#no"
            ),
            "[t|echo] [v|&#36;&#123;HOME&#125;] [v|&#36;&#40;CC&#41;]&#41; x&#41;#no"
        );
        assert_eq!(
            compact(
                "markdown",
                "&#96;&#96;&#96;julia\nx\n&#96;&#96;&#96;\nsee &#96;f&#96; &#91;a&#93;&#40;u&#41;\n1&#41; item"
            ),
            "[m|&#96;&#96;&#96;julia]\n[s|x]\n[m|&#96;&#96;&#96;]\nsee [s|&#96;f&#96;] &#91;a&#93;[s|&#40;u&#41;]\n[k|1&#41;] item"
        );
        assert_eq!(
            compact("toml", "&#91;deps&#93;\na &#61; 1"),
            "[t|&#91;deps&#93;]\n[p|a] &#61; [n|1]"
        );
        assert_eq!(
            compact("yaml", "k: &#124;&#43;\n  text\n"),
            "[p|k]: &#124;&#43;\n  [s|text]\n"
        );
    }

    #[test]
    fn sessions_prompts_and_front_matter() {
        assert_eq!(
            compact(
                "julia",
                "(@v1.10) pkg&gt; add Example\njulia&gt; f(1)\noutput &quot;x"
            ),
            "[m|(@v1.10) pkg&gt;] add [t|Example]\n[m|julia&gt;] [f|f]([n|1])\noutput &quot;x"
        );
        assert_eq!(
            compact("python", "&gt;&gt;&gt; len(x)\n3\n... pass"),
            "[m|&gt;&gt;&gt;] [t|len](x)\n3\n[m|...] [k|pass]"
        );
        assert_eq!(
            compact("markdown", "&#43;&#43;&#43;\ntitle = 1\n+++"),
            "[m|&#43;&#43;&#43;]\ntitle = 1\n[m|+++]"
        );
    }

    #[test]
    fn unknown_language_and_plain_blocks_are_left_alone() {
        let html = "<pre><code class=\"language-klingon\">qapla &amp; &quot;x&quot;</code></pre>\
                    <pre><code class=\"language-plaintext\">a &lt; b</code></pre>\
                    <pre><code class=\"language-\">x</code></pre>\
                    <pre><code>no language</code></pre>\
                    <pre><code class=\"language-averyveryveryverylonglanguagename\">x</code></pre>";
        assert_eq!(highlight_html(html), html);
        assert_eq!(highlight_html("no code here"), "no code here");
    }

    #[test]
    fn malformed_blocks_do_not_panic_and_are_kept() {
        for html in [
            "<pre><code class=\"language-julia\">x = 1",
            "<pre><code class=\"language-julia",
            "<pre><code class=\"language-julia\" data-x=\"1\">x</code></pre>",
            "<pre><code class=\"language-",
        ] {
            assert_eq!(highlight_html(html), html);
        }
    }

    #[test]
    fn several_blocks_and_text_between_them() {
        let html = "<pre><code class=\"language-julia\">1</code></pre>mid<pre><code class=\"language-toml\">a = 1</code></pre>end";
        assert_eq!(
            highlight_html(html),
            "<pre><code class=\"language-julia\"><span class=\"hl-n\">1</span></code></pre>mid\
             <pre><code class=\"language-toml\"><span class=\"hl-p\">a</span> = <span class=\"hl-n\">1</span></code></pre>end"
        );
    }

    #[test]
    fn blocks_across_search_chunk_seams_are_found() {
        // The opener is searched in 1 KiB chunks; put it at every offset around the seams,
        // after ASCII and after multi-byte text.
        for filler in ["a", "é", "€"] {
            for len in 960..1100 {
                let before = filler.repeat(len / filler.len());
                let html = format!(
                    "{before}<pre><code class=\"language-julia\">end</code></pre>{before}\
                     <pre><code class=\"language-julia\">end</code></pre>"
                );
                let out = highlight_html(&html);
                assert_eq!(
                    out.matches("<span class=\"hl-k\">end</span>").count(),
                    2,
                    "{filler} {len}"
                );
            }
        }
    }

    #[test]
    fn unterminated_constructs_end_at_the_code_end() {
        assert_eq!(compact("julia", "#= open\nx"), "[c|#= open\nx]");
        assert_eq!(compact("python", "&#39;open\nx"), "[s|&#39;open]\nx");
        assert_eq!(
            compact("html", "&lt;a href=&quot;x"),
            "&lt;[g|a] [p|href]=[s|&quot;x]"
        );
        assert_eq!(compact("rust", "r#&quot;x"), "[s|r#&quot;x]");
        assert_eq!(compact("markdown", "```\ncode"), "[m|```]\n[s|code]");
    }

    #[test]
    fn unescape_handles_entities() {
        assert_eq!(
            unescape_html("a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#x27;"),
            "a < b && c > \"d\" 'e'"
        );
        assert_eq!(unescape_html("&bogus; & &#xZZ; &"), "&bogus; & &#xZZ; &");
    }

    #[test]
    fn stylesheet_has_both_palettes_and_is_current() {
        let css = highlight_css();
        for class in Class::ALL {
            assert!(
                css.contains(&format!("\n.{} {{", class.name())),
                "{class:?}"
            );
        }
        assert!(css.contains(":root {\n  --hl-k: #a626a4;"));
        assert!(css.contains(":root[data-theme=\"dark\"] {\n  --hl-k: #c678dd;"));
        assert!(css.contains(
            "@media (prefers-color-scheme: dark) {\n  :root:not([data-theme]) {\n    --hl-k: #c678dd;"
        ));
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/highlight.css");
        if std::env::var_os("NOTES_REGENERATE_CSS").is_some() {
            if let Err(e) = std::fs::write(path, &css) {
                panic!("cannot write {path}: {e}");
            }
        }
        let stored = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            stored == css,
            "templates/highlight.css is stale: rerun this test with NOTES_REGENERATE_CSS=1"
        );
    }

    /// Every fence name with a lexer, plus one without.
    const LANGS: &[&str] = &[
        "julia",
        "julia-repl",
        "python",
        "pycon",
        "bash",
        "console",
        "yaml",
        "toml",
        "json",
        "rust",
        "c",
        "js",
        "r",
        "dockerfile",
        "markdown",
        "html",
        "sql",
        "make",
        "klingon",
    ];

    /// Pieces random code is assembled from: the delimiters and tokens the lexers react to.
    const PIECES: &[&str] = &[
        "&lt;",
        "&gt;",
        "&amp;",
        "&quot;",
        "&#39;",
        "&#x27;",
        "&#123;",
        "&nbsp;",
        "&",
        ";",
        "\"",
        "'",
        "`",
        "```",
        "\"\"\"",
        "'''",
        "#",
        "#=",
        "=#",
        "//",
        "/*",
        "*/",
        "--",
        "&lt;!--",
        "--&gt;",
        "&lt;/",
        "&lt;?",
        "&lt;!",
        "\\",
        "\n",
        " ",
        "\t",
        "$",
        "${",
        "$(",
        "@",
        ":",
        "-",
        "[",
        "]",
        "{",
        "}",
        "(",
        ")",
        "=",
        ",",
        "|",
        "*",
        "**",
        "_",
        "!",
        "r#",
        "r",
        "raw",
        "x",
        "end",
        "function",
        "SELECT",
        "true",
        "0x",
        "1",
        "2.5e",
        "é",
        "α",
        "∈",
        "julia&gt; ",
        "$ ",
        "&gt;&gt;&gt; ",
        "a:",
        "- ",
        "key = ",
        "#[",
        "'a",
        "&#39;a&#39;",
        ".5",
        "\r",
        // What Franklin writes for ( ) ` = [ ] { } + ! $ # * _
        "&#40;",
        "&#41;",
        "&#96;",
        "&#61;",
        "&#91;",
        "&#93;",
        "&#125;",
        "&#43;",
        "&#33;",
        "&#36;",
        "&#35;",
        "&#42;",
        "&#95;",
        "&#96;&#96;&#96;",
        "&#124;",
        "1.",
    ];

    proptest::proptest! {
        #[test]
        fn any_code_keeps_its_text_and_entities(
            lang in proptest::sample::select(LANGS),
            code in crate::test_support::text_of(PIECES, 40),
        ) {
            if let Err(e) = check_invariants(lang, &code) {
                proptest::prop_assert!(false, "{}: {:?}: {}", lang, code, e);
            }
        }

        #[test]
        fn never_panics_and_keeps_everything_outside_blocks(
            html in crate::test_support::text_of(&[
                "<pre><code class=\"language-julia\">", "<pre><code class=\"language-", "toml\">",
                "\"", ">", "</code></pre>", "&lt;", "&", "&#x41;", "é", "x = 1\n", "end", " ",
                "yaml\">", "a: b", "markdown\">", "# x", "html\">",
            ], 16)
        ) {
            let out = highlight_html(&html);
            if !out.contains("<span") {
                proptest::prop_assert_eq!(out, html);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(
            lang in proptest::sample::select(LANGS),
            code in "\\PC{0,80}",
        ) {
            let html = format!("<pre><code class=\"language-{lang}\">{code}</code></pre>");
            let _ = highlight_html(&html);
        }
    }
}
