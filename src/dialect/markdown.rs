//! The markdown layer: pulldown-cmark events written as Franklin (Julia's Markdown) writes them.
//!
//! Franklin hands plain markdown to Julia's `Markdown` stdlib, whose HTML differs from
//! CommonMark's in ways a reader sees: list items are always loose, tables have no
//! `thead`, setext headings carry no id, raw HTML is shown as text, `--` is an en dash,
//! and indented code is a paragraph. This writer reproduces those, so that the rest of
//! the dialect can treat pulldown-cmark as if it were Julia's renderer.

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::html::escape_into;

/// A link or image found by the markdown layer, at a byte offset of the markdown given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdLink {
    /// The destination as written.
    pub dest: String,
    /// Byte offset of the link in the markdown text.
    pub offset: usize,
    /// Byte offset just past the link.
    pub end: usize,
    /// True for `![alt](src)`.
    pub is_image: bool,
}

/// What rendering markdown produced.
#[derive(Debug, Default)]
pub struct MdOutput {
    /// The HTML.
    pub html: String,
    /// Links and images, in order.
    pub links: Vec<MdLink>,
    /// Byte offsets of raw HTML that was escaped (Julia's Markdown has no raw HTML).
    pub raw_html: Vec<usize>,
    /// True when an indented code block was seen (Franklin counts it for `hascode`).
    pub saw_indented_code: bool,
}

/// Renders markdown the way Franklin's markdown layer does. With `places`, links (which
/// `check` reads) and raw HTML are recorded with where they are; without, the HTML is the
/// same and nothing is recorded.
pub fn render(markdown: &str, places: bool) -> MdOutput {
    let opts = Options::ENABLE_TABLES;
    let parser = Parser::new_ext(markdown, opts);
    let mut w = Writer {
        places,
        ..Writer::default()
    };
    // HTML runs about a third longer than its markdown; growing the string step by step
    // from empty cost more than the escaping that fills it.
    w.out.html.reserve(markdown.len() + markdown.len() / 2);
    if places {
        for (event, range) in parser.into_offset_iter() {
            w.event(event, range.start, range.end);
        }
    } else {
        for event in parser {
            w.event(event, 0, 0);
        }
    }
    w.out
}

#[derive(Default)]
struct Writer {
    out: MdOutput,
    /// Record links and raw HTML with their places.
    places: bool,
    /// One entry per open list item: whether we opened an implicit `<p>` in it.
    items: Vec<bool>,
    /// Depth of tags whose content is plain text only (image alt).
    alt_depth: usize,
    table_aligns: Vec<Alignment>,
    cell_index: usize,
    in_table_head: bool,
    in_indented_code: bool,
    in_fenced_code: bool,
}

impl Writer {
    fn push(&mut self, s: &str) {
        self.out.html.push_str(s);
    }

    fn text(&mut self, s: &str) {
        escape_into(&mut self.out.html, s);
    }

    /// Writes `tag` with the link's address and title, and records the link, found between
    /// `offset` and `end` of the markdown, for `check` (a copy of the address is made only
    /// then).
    fn open_link(
        &mut self,
        tag: &str,
        (dest, title): (&str, &str),
        offset: usize,
        end: usize,
        is_image: bool,
    ) {
        self.before_inline();
        self.push(tag);
        self.text(dest);
        if !title.is_empty() {
            self.push("\" title=\"");
            self.text(title);
        }
        if self.places {
            self.out.links.push(MdLink {
                dest: dest.to_owned(),
                offset,
                end,
                is_image,
            });
        }
    }

    /// Julia renders every list item as loose: wrap inline content of tight items in `<p>`.
    fn before_inline(&mut self) {
        if let Some(open) = self.items.last_mut() {
            if !*open {
                *open = true;
                self.out.html.push_str("<p>");
            }
        }
    }

    fn before_block(&mut self) {
        if let Some(open) = self.items.last_mut() {
            if *open {
                *open = false;
                self.out.html.push_str("</p>\n");
            }
        }
    }

    fn event(&mut self, event: Event<'_>, offset: usize, end: usize) {
        if self.alt_depth > 0 {
            match event {
                Event::Start(Tag::Image { .. }) => self.alt_depth += 1,
                Event::End(TagEnd::Image) => {
                    self.alt_depth -= 1;
                    if self.alt_depth == 0 {
                        self.push("\" />");
                    }
                }
                Event::Text(t) | Event::Code(t) => self.text(&t),
                Event::SoftBreak | Event::HardBreak => self.push(" "),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, offset, end),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => {
                if self.in_indented_code || self.in_fenced_code {
                    super::html::escape_code_into(&mut self.out.html, &t);
                } else {
                    self.before_inline();
                    super::html::escape_prose_into(&mut self.out.html, &t);
                }
            }
            Event::Code(t) => {
                self.before_inline();
                self.push("<code>");
                super::html::escape_code_into(&mut self.out.html, &t);
                self.push("</code>");
            }
            Event::Html(t) | Event::InlineHtml(t) => {
                self.before_inline();
                if self.places {
                    self.out.raw_html.push(offset);
                }
                self.text(&t);
            }
            Event::SoftBreak => {
                self.before_inline();
                self.push(" ");
            }
            Event::HardBreak => {
                self.before_inline();
                self.push("<br />");
            }
            Event::Rule => {
                self.before_block();
                self.push("<hr />\n");
            }
            Event::InlineMath(t) | Event::DisplayMath(t) | Event::FootnoteReference(t) => {
                self.before_inline();
                self.text(&t);
            }
            Event::TaskListMarker(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, offset: usize, end: usize) {
        match tag {
            Tag::Paragraph => {
                self.before_block();
                self.push("<p>");
            }
            Tag::Heading { level, .. } => {
                self.before_block();
                self.push(&format!("<{}>", heading_tag(level)));
            }
            Tag::BlockQuote(_) => {
                self.before_block();
                self.push("<blockquote>\n");
            }
            Tag::CodeBlock(CodeBlockKind::Indented) => {
                // Franklin turns indented code into a paragraph of its text.
                self.before_block();
                self.out.saw_indented_code = true;
                self.in_indented_code = true;
                self.push("<p>");
            }
            Tag::CodeBlock(CodeBlockKind::Fenced(lang)) => {
                self.before_block();
                self.in_fenced_code = true;
                let lang = lang.split_whitespace().next().unwrap_or("").to_string();
                self.push("<pre><code class=\"language-");
                self.text(&lang);
                self.push("\">");
            }
            Tag::HtmlBlock => self.before_block(),
            Tag::List(start) => {
                self.before_block();
                match start {
                    Some(n) if n != 1 => self.push(&format!("<ol start=\"{n}\">\n")),
                    Some(_) => self.push("<ol>\n"),
                    None => self.push("<ul>\n"),
                }
            }
            Tag::Item => {
                self.push("<li>");
                self.items.push(false);
            }
            Tag::Table(aligns) => {
                self.before_block();
                self.table_aligns = aligns;
                self.push("<table>");
            }
            Tag::TableHead => {
                self.in_table_head = true;
                self.cell_index = 0;
                self.push("<tr>");
            }
            Tag::TableRow => {
                self.cell_index = 0;
                self.push("<tr>");
            }
            Tag::TableCell => {
                let align = match self.table_aligns.get(self.cell_index) {
                    Some(Alignment::Left) => "left",
                    Some(Alignment::Center) => "center",
                    // Julia's default alignment for `---` is right.
                    _ => "right",
                };
                let cell = if self.in_table_head { "th" } else { "td" };
                self.push(&format!("<{cell} align=\"{align}\">"));
            }
            Tag::Emphasis => {
                self.before_inline();
                self.push("<em>");
            }
            Tag::Strong => {
                self.before_inline();
                self.push("<strong>");
            }
            Tag::Strikethrough => self.push("<del>"),
            Tag::Superscript => self.push("<sup>"),
            Tag::Subscript => self.push("<sub>"),
            Tag::Link {
                dest_url, title, ..
            } => {
                self.open_link("<a href=\"", (&dest_url, &title), offset, end, false);
                self.push("\">");
            }
            Tag::Image {
                dest_url, title, ..
            } => {
                self.open_link("<img src=\"", (&dest_url, &title), offset, end, true);
                self.push("\" alt=\"");
                self.alt_depth = 1;
            }
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.push("</p>\n"),
            TagEnd::Heading(level) => self.push(&format!("</{}>\n", heading_tag(level))),
            TagEnd::BlockQuote(_) => {
                self.before_block();
                self.push("</blockquote>\n");
            }
            TagEnd::CodeBlock => {
                if self.in_indented_code {
                    // The text ends with the block's last newline; Julia's paragraph does not.
                    while self.out.html.ends_with('\n') {
                        self.out.html.pop();
                    }
                    self.push("</p>\n");
                } else {
                    if self.out.html.ends_with('\n') {
                        self.out.html.pop();
                    }
                    self.push("</code></pre>\n");
                }
                self.in_indented_code = false;
                self.in_fenced_code = false;
            }
            TagEnd::HtmlBlock => {}
            TagEnd::List(ordered) => {
                self.before_block();
                self.push(if ordered { "</ol>\n" } else { "</ul>\n" });
            }
            TagEnd::Item => {
                self.before_block();
                self.items.pop();
                self.push("</li>\n");
            }
            TagEnd::Table => self.push("</table>\n"),
            TagEnd::TableHead => {
                self.in_table_head = false;
                self.push("</tr>");
            }
            TagEnd::TableRow => self.push("</tr>"),
            TagEnd::TableCell => {
                let cell = if self.in_table_head { "th" } else { "td" };
                self.push(&format!("</{cell}>"));
                self.cell_index += 1;
            }
            TagEnd::Emphasis => self.push("</em>"),
            TagEnd::Strong => self.push("</strong>"),
            TagEnd::Strikethrough => self.push("</del>"),
            TagEnd::Superscript => self.push("</sup>"),
            TagEnd::Subscript => self.push("</sub>"),
            TagEnd::Link => self.push("</a>"),
            TagEnd::Image => {}
            TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {}
        }
    }
}

fn heading_tag(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "h1",
        HeadingLevel::H2 => "h2",
        HeadingLevel::H3 => "h3",
        HeadingLevel::H4 => "h4",
        HeadingLevel::H5 => "h5",
        HeadingLevel::H6 => "h6",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        let html = render(md, true).html;
        assert_eq!(render(md, false).html, html, "{md:?}");
        html
    }

    #[test]
    fn lists_are_always_loose() {
        assert_eq!(
            html("* a\n* b\n"),
            "<ul>\n<li><p>a</p>\n</li>\n<li><p>b</p>\n</li>\n</ul>\n"
        );
    }

    #[test]
    fn ordered_list_start() {
        assert_eq!(
            html("3. x\n"),
            "<ol start=\"3\">\n<li><p>x</p>\n</li>\n</ol>\n"
        );
    }

    #[test]
    fn nested_tight_list_closes_paragraph_first() {
        assert_eq!(
            html("* a\n  * b\n"),
            "<ul>\n<li><p>a</p>\n<ul>\n<li><p>b</p>\n</li>\n</ul>\n</li>\n</ul>\n"
        );
    }

    #[test]
    fn tables_have_no_thead_and_default_right() {
        assert_eq!(
            html("| A | B |\n|:-:|---|\n| c | d |\n"),
            "<table><tr><th align=\"center\">A</th><th align=\"right\">B</th></tr>\
             <tr><td align=\"center\">c</td><td align=\"right\">d</td></tr></table>\n"
        );
    }

    #[test]
    fn setext_heading_has_no_id() {
        assert_eq!(html("A\n---\n"), "<h2>A</h2>\n");
    }

    #[test]
    fn raw_html_is_text() {
        let out = render("a <span>b</span>\n", true);
        assert_eq!(out.html, "<p>a &lt;span&gt;b&lt;/span&gt;</p>\n");
        assert_eq!(out.raw_html.len(), 2);
    }

    #[test]
    fn en_dash_and_soft_breaks() {
        assert_eq!(html("a -- b\nc\n"), "<p>a \u{2013} b c</p>\n");
    }

    #[test]
    fn images_and_links() {
        let out = render("[x](/a/b#c) ![Alt *t*](p.png)\n", true);
        assert_eq!(
            out.html,
            "<p><a href=\"/a/b#c\">x</a> <img src=\"p.png\" alt=\"Alt t\" /></p>\n"
        );
        assert_eq!(out.links.len(), 2);
        assert_eq!(out.links[0].dest, "/a/b#c");
        assert_eq!(out.links[0].offset, 0);
    }

    #[test]
    fn indented_code_is_a_paragraph() {
        assert_eq!(
            html("a\n\n    x = 1\n    y\n"),
            "<p>a</p>\n<p>x = 1\ny</p>\n"
        );
    }
}
