//! The notes dialect: Franklin-style markdown to HTML.
//!
//! One page's source plus the site's global definitions go in; the page's HTML body,
//! its variables, headings, links, anchors and diagnostics come out.

pub mod html;
pub mod julia;
pub mod markdown;
pub mod template;
pub mod value;
pub mod vars;

pub use value::Value;

/// A heading of a page, as the table of contents and the link checker see it.
#[derive(Debug, Clone, PartialEq, Eq)]
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
