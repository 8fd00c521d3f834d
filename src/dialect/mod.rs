//! The notes dialect: Franklin-style markdown to HTML.
//!
//! One page's source plus the site's global definitions go in; the page's HTML body,
//! its variables, headings, links, anchors and diagnostics come out. The engine reads
//! files only through [`resources::Resources`] and never touches the network or git.
//!
//! The stages, in the order a page goes through them: `scan` finds Franklin's own
//! constructs (with `tokens` pairing delimiters, `expand` handling commands and
//! environments, `math`, `code` and `builtins`), `markdown` renders what is left with
//! pulldown-cmark as Julia's Markdown would, `convert` puts the pieces back together,
//! and `template` resolves `{{ }}` blocks once the whole page is known.

mod builtins;
pub(crate) mod byteset;
pub mod code;
pub mod commands;
mod convert;
mod expand;
pub mod html;
pub mod julia;
pub mod markdown;
mod math;
pub mod resources;
mod scan;
pub mod standalone;
pub mod template;
mod tokens;
pub mod value;
pub mod vars;

pub use convert::{
    convert_page, decode_source, read_config, CodeBlock, Converted, Globals, Link, LinkKind,
    PageContext,
};
pub use value::Value;

/// A heading of a page, as the table of contents and the link checker see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The id written on the heading (after `__N` de-duplication).
    pub id: String,
    /// The heading's inner HTML (what the toc links show).
    pub html: String,
    /// 1-based source line.
    pub line: u32,
}
