//! The dialect never panics, whatever the page: random and mutated pages, deep nesting
//! and floods of delimiters. CI runs these for a bounded number of cases.

use std::path::PathBuf;

use notes::dialect::resources::NoResources;
use notes::dialect::standalone::render_page;
use proptest::prelude::*;

const CONFIG: &str = "\\newcommand{\\note}[1]{@@note !#1 @@}\n\\newcommand{\\two}[2]{#1 and !#2}\n\\newcommand{\\R}{\\mathbb R}\n\\newenvironment{box}{@@box}{@@}\n";

fn render(src: &str) {
    let (html, converted) = render_page(src, CONFIG, "p/page.md", &NoResources);
    // The output is used, so the work cannot be optimised away.
    assert!(html.len() < 64 * 1024 * 1024 + src.len() * 16);
    for d in &converted.diagnostics {
        if let Some(span) = &d.span {
            assert!(span.line >= 1 && span.col >= 1);
        }
    }
}

/// Pieces pages are made of, weighted toward the constructs with delimiters.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("$".to_string()),
        Just("$$".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("{{".to_string()),
        Just("}}".to_string()),
        Just("@@note ".to_string()),
        Just("@@".to_string()),
        Just("~~~".to_string()),
        Just("`".to_string()),
        Just("```julia\n".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("# ".to_string()),
        Just("* ".to_string()),
        Just("<!--".to_string()),
        Just("-->".to_string()),
        Just("\\note{".to_string()),
        Just("\\two{a}{".to_string()),
        Just("\\begin{box}".to_string()),
        Just("\\end{box}".to_string()),
        Just("\\begin{align}".to_string()),
        Just("\\newcommand{\\x}[1]{#1 \\x{#1}}".to_string()),
        Just("\\x{y}".to_string()),
        Just("[^1]".to_string()),
        Just("[^1]: note".to_string()),
        Just("@def x = [1,".to_string()),
        Just("+++\n".to_string()),
        Just("| a | b |\n|---|---|\n".to_string()),
        Just("\\".to_string()),
        Just("é".to_string()),
        "[a-z ]{0,8}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_pages_never_panic(pieces in prop::collection::vec(piece(), 0..60)) {
        render(&pieces.concat());
    }

    #[test]
    fn arbitrary_text_never_panics(s in any::<String>()) {
        render(&s);
    }
}

fn seed_pages() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![
        std::fs::read_to_string(root.join("tests/golden/dialect/franklin.case"))
            .unwrap_or_default(),
    ];
    let seed = root.join("../shared/seed/cicd.md");
    if let Ok(s) = std::fs::read_to_string(seed) {
        pages.push(s);
    }
    pages
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn mutated_pages_never_panic(
        which in 0usize..2,
        cut in 0usize..100_000,
        len in 0usize..400,
        insert in piece(),
    ) {
        let pages = seed_pages();
        let page = &pages[which % pages.len()];
        let mut at = cut % (page.len() + 1);
        while !page.is_char_boundary(at) { at -= 1; }
        let mut end = (at + len).min(page.len());
        while !page.is_char_boundary(end) { end -= 1; }
        let mutated = format!("{}{}{}", &page[..at], insert, &page[end.max(at)..]);
        render(&mutated);
    }
}

#[path = "common/pathological.rs"]
mod pathological;
use pathological::pathological_pages;

#[test]
fn pathological_pages_finish() {
    for (name, page) in pathological_pages() {
        let start = std::time::Instant::now();
        render(&page);
        eprintln!("{name}: {:?}", start.elapsed());
    }
}

#[test]
fn deep_macro_recursion_is_an_error_not_a_crash() {
    let src = "\\newcommand{\\r}[1]{\\r{#1#1}}\n\\r{x}\n";
    let (_, converted) = render_page(src, "", "p.md", &NoResources);
    assert!(converted
        .diagnostics
        .iter()
        .any(|d| d.code == "nesting-too-deep" || d.code == "expansion-too-large"));
}

#[test]
fn math_ending_in_a_backslash_or_a_command() {
    for src in [
        "$a\\$ b",
        "$$a \\$$",
        "\\[a \\\\]",
        "$\\R$ and $x\\R$ and $\\R\\$",
        "$$\\$$",
        "$\\é$",
    ] {
        let (html, _) = render_page(src, CONFIG, "p/page.md", &NoResources);
        assert!(!html.is_empty(), "{src:?}");
    }
    let (html, _) = render_page("$\\R x$", CONFIG, "p/page.md", &NoResources);
    assert!(html.contains("\\(\\mathbb R x\\)"), "{html}");
}
