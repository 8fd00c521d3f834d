//! One page through the dialect, then the highlighter and the MathML pass, as a build does:
//! none of them may panic or stand still, whatever the bytes. Input holding a NUL byte is
//! split there into `config.md` and the page, so commands and environments are fuzzed too.

#![no_main]

use libfuzzer_sys::fuzz_target;
use notes::dialect::resources::NoResources;
use notes::dialect::standalone::render_page;

/// The configuration of inputs without a NUL byte: one command of each kind.
const CONFIG: &str = "\\newcommand{\\note}[1]{@@note !#1 @@}\n\\newcommand{\\two}[2]{#1 and !#2}\n\\newcommand{\\R}{\\mathbb R}\n\\newenvironment{box}{@@box}{@@}\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (config, page) = text.split_once('\u{0}').unwrap_or((CONFIG, text));
    let (html, _) = render_page(page, config, "p/page.md", &NoResources);
    let html = notes::render::highlight::highlight_blocks(&html).unwrap_or(html);
    let _ = notes::render::math::typeset_math(&html, None);
});
