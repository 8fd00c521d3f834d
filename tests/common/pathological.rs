//! Pathological pages of about 1 MB each, shared by the robustness test and
//! `examples/pathological.rs`, which times them in release.

/// Pages built to provoke quadratic behaviour, with a name each.
pub fn pathological_pages() -> Vec<(&'static str, String)> {
    let mb = 1024 * 1024;
    vec![
        ("open braces", "\\note{".repeat(mb / 6)),
        ("braces", "{".repeat(mb)),
        ("dollars", "$".repeat(mb)),
        ("dollar words", "$a ".repeat(mb / 3)),
        ("div openers", "@@a ".repeat(mb / 4)),
        (
            "div nest",
            format!("{}{}", "@@a\n".repeat(mb / 8), "@@\n".repeat(mb / 8)),
        ),
        ("backticks", "` x ``".repeat(mb / 6)),
        ("templates", "{{".repeat(mb / 2)),
        ("comments", "<!--".repeat(mb / 4)),
        ("headers", "# h\n".repeat(mb / 4)),
        (
            "list nest",
            (0..2000)
                .map(|i| format!("{}* x\n", "  ".repeat(i)))
                .collect(),
        ),
        ("footnotes", "[^a] ".repeat(mb / 5)),
        ("commands", "\\R ".repeat(mb / 3)),
        ("envs", "\\begin{box}".repeat(mb / 11)),
    ]
}
