//! Every error kind of the dialect, with its exact message and position.

use notes::dialect::resources::NoResources;
use notes::dialect::standalone::render_page;

/// Renders a page and returns its diagnostics as `file:line:col: severity[code]: message (help: ...)`.
fn diagnostics(source: &str) -> Vec<String> {
    let (_, converted) = render_page(source, "", "notes/page.md", &NoResources);
    converted
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn first(source: &str) -> String {
    diagnostics(source).into_iter().next().unwrap_or_default()
}

#[test]
fn every_error_kind_has_its_message_and_position() {
    let cases: &[(&str, &str)] = &[
        // (source, expected first diagnostic)
        ("Some text \\unknowncmd here.", 
         "notes/page.md:1:11: error[unknown-command]: unknown command `\\unknowncmd` (help: define it in config.md with `\\newcommand{\\unknowncmd}[1]{...}`; to show a backslash, put the text in `code`)"),
        ("\\newcommand{\\note}[1]{N: #1}\nA \\note without args.", 
         "notes/page.md:2:3: error[wrong-argument-count]: `\\note` expects 1 argument, found 0 (help: write `\\note` followed by 1 brace group, like `\\note{...}`)"),
        ("\\newcommand{\\note}[1]{N: #1}\nA \\note {spaced}.", 
         "notes/page.md:2:8: error[space-before-argument]: space between `\\note` and its first argument (help: write the braces right after the command name and each other, as `\\name{a}{b}`)"),
        ("\\newcommand{\\two}[2]{#1 #2}\n\\two{a} {b}", 
         "notes/page.md:2:8: error[space-between-arguments]: space between the arguments of `\\two` (help: write the braces right after the command name and each other, as `\\name{a}{b}`)"),
        ("\\newcommand{\\note}[1]{N: #1}\n\\note{never closed", 
         "notes/page.md:2:6: error[unbalanced-braces]: argument of `\\note` opened here is never closed (help: add the missing `}`, or escape a literal brace as `\\{`)"),
        ("before\n~~~\n<div>raw\n", 
         "notes/page.md:2:1: error[unclosed-raw-html]: raw HTML block `~~~` is never closed (help: end the raw HTML with another `~~~`)"),
        ("@@note\nnever closed\n", 
         "notes/page.md:1:1: error[unclosed-div]: div `@@note` is never closed (help: close the div with `@@` followed by a space or a new line)"),
        ("Price $5 and more", 
         "notes/page.md:1:7: error[unclosed-math]: math opened with `$` is never closed (help: close the math with a matching `$`, or write `\\$` for a dollar sign)"),
        ("Display $$ x = 1\n\nno close", 
         "notes/page.md:1:9: error[unclosed-math]: math opened with `$$` is never closed (help: close the math with a matching `$$`, or write `\\$` for a dollar sign)"),
        ("\\begin{align}\na &= b\n", 
         "notes/page.md:1:1: error[unclosed-environment]: environment `align` is never closed (help: add `\\end{align}` where it should end)"),
        ("text <!-- open comment\nmore", 
         "notes/page.md:1:6: error[unclosed-comment]: comment `<!--` is never closed (help: end the comment with `-->`)"),
        ("@def title = 5", 
         "notes/page.md:1:14: error[bad-variable]: `title` expects String or Nothing, got Int64 (`5`) (help: change the value to the expected type)"),
        ("@def x = [1, 2", 
         "notes/page.md:1:10: error[bad-variable]: unclosed `[` (help: add the closing `]`)"),
        ("+++\nx = foo(1)\n+++\n", 
         "notes/page.md:2:5: error[bad-variable]: calling `foo(...)` is not supported (help: notes evaluates only literal values (strings, numbers, booleans, vectors, tuples, pairs, `Dict(...)`, `Date(...)`, `get(ENV, ...)`); write the value out; functions (including those of utils.jl) cannot run here)"),
        ("\\newcommand{\\bad}[x]{body}", 
         "notes/page.md:1:18: error[bad-argument-count]: the argument count of `\\bad` must be a number from 0 to 9, as in `[2]` (help: write the number of arguments in square brackets, e.g. `\\newcommand{\\name}[1]{...#1...}`)"),
        ("\\newcommand{\\loop}{\\loop}\n\\loop", 
         "notes/page.md:2:1: error[nesting-too-deep]: constructs are nested more than 32 levels deep (help: a command probably expands to itself; check its definition)"),
        ("\\newcommand{\\a}{\\b\\b\\b\\b\\b\\b\\b\\b}\\newcommand{\\b}{\\c\\c\\c\\c\\c\\c\\c\\c}\\newcommand{\\c}{\\d\\d\\d\\d\\d\\d\\d\\d}\\newcommand{\\d}{\\e\\e\\e\\e\\e\\e\\e\\e}\\newcommand{\\e}{\\f\\f\\f\\f\\f\\f\\f\\f}\\newcommand{\\f}{\\g\\g\\g\\g\\g\\g\\g\\g}\\newcommand{\\g}{xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}\n\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a", 
         "notes/page.md:2:1: error[expansion-too-large]: macro expansion on this page produced more than 8 MB (help: a command probably uses itself, directly or through others, more than once per expansion)"),
        ("```julia\nx = 1\n", 
         "notes/page.md:1:1: error[unclosed-code-fence]: code block opened with 3 backticks is never closed (help: close the code block with a line of the same number of backticks)"),
        ("\\begin{unknownenv}\nx\n\\end{unknownenv}", 
         "notes/page.md:1:1: error[unknown-environment]: unknown environment `unknownenv` (help: define it in config.md with `\\newenvironment{unknownenv}{before}{after}`)"),
        ("@@\n", 
         "notes/page.md:1:1: error[unmatched-div-close]: `@@` closes a div that was never opened (help: remove it, or open the div with `@@classname`)"),
        ("\\end{itemize}", 
         "notes/page.md:1:1: error[unmatched-end]: `\\end` without a matching `\\begin` (help: remove it, or add the `\\begin{...}` it should close)"),
        ("{{fill x", 
         "notes/page.md:1:1: error[unclosed-template-block]: `{{` is never closed by `}}` (help: close the block with `}}`, or write `{ {` if you meant two braces)"),
        ("\\newcommand{note}{x}", 
         "notes/page.md:1:12: error[bad-definition]: `note` is not a command name: it must be `\\` followed by letters (help: rename it, e.g. `\\newcommand{\\note}[1]{...}`)"),
    ];
    let mut failures = Vec::new();
    for (source, expected) in cases {
        let got = first(source);
        if got != *expected {
            failures.push(format!(
                "source: {source:?}\n  expected: {expected}\n  got:      {got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn all_errors_of_a_page_are_reported_in_order() {
    let source = "\\one and \\two\n\n$open\n\n\\newcommand{\\x}[1]{#1}\n\\x {y}\n";
    let got = diagnostics(source);
    let codes: Vec<&str> = got
        .iter()
        .map(|d| d.split(": ").nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        codes,
        vec![
            "error[unknown-command]",
            "error[unknown-command]",
            "error[unclosed-math]",
            "error[space-before-argument]"
        ],
        "{got:#?}"
    );
    assert!(got[0].starts_with("notes/page.md:1:1:"));
    assert!(got[1].starts_with("notes/page.md:1:10:"));
    assert!(got[2].starts_with("notes/page.md:3:1:"));
    assert!(got[3].starts_with("notes/page.md:6:3:"));
}

#[test]
fn macro_errors_point_at_the_macro_use() {
    let source = "\\newcommand{\\bad}{\\nothere}\n\nText \\bad here.\n";
    let got = first(source);
    assert!(
        got.starts_with("notes/page.md:3:6: error[unknown-command]"),
        "{got}"
    );
}

#[test]
fn non_utf8_input_names_the_file() {
    let file: std::sync::Arc<str> = std::sync::Arc::from("notes/latin1.md");
    let err = notes::dialect::decode_source(b"ok\ncaf\xe9\n".to_vec(), &file)
        .expect_err("latin-1 is not UTF-8");
    assert_eq!(
        err.to_string(),
        "notes/latin1.md:2:4: error[not-utf8]: `notes/latin1.md` is not UTF-8 text (byte 0xe9 at line 2, column 4) (help: save the file as UTF-8 in your editor)"
    );
}

#[test]
fn commands_cannot_read_files_outside_the_site() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("_assets")).expect("site");
    std::fs::write(dir.path().join("secret.txt"), "TOP SECRET").expect("secret");
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), site.join("_assets/link.md"))
        .expect("symlink");
    let resources = notes::dialect::resources::FsResources::new(&site, None);
    for (source, code) in [
        ("\\textinput{../../secret.txt}", "path-outside-site"),
        (
            "\\input{julia}{/_assets/../../secret.txt}",
            "path-outside-site",
        ),
        ("\\textinput{/etc/passwd}", "missing-file"),
        (
            "\\tableinput{}{../../../../etc/passwd}",
            "path-outside-site",
        ),
        #[cfg(unix)]
        ("\\textinput{/_assets/link.md}", "path-outside-site"),
    ] {
        let (html, converted) = render_page(source, "", "page.md", &resources);
        assert!(
            !html.contains("TOP SECRET") && !html.contains("root:"),
            "{source}: {html}"
        );
        let codes: Vec<&str> = converted.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![code], "{source}");
    }
}
