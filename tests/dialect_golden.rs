//! Golden tests of the dialect: each `tests/golden/dialect/*.case` file holds cases
//! (`=== name`, optional `--- config` / `--- page` parts, and `--- html` with the
//! expected output). Run with `UPDATE_GOLDEN=1` to write the outputs, then review them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use notes::dialect::resources::FsResources;
use notes::dialect::standalone::render_page;

struct Case {
    name: String,
    config: String,
    page: String,
    expected: Option<String>,
}

fn parse(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    for chunk in text.split("\n=== ").map(|c| c.trim_start_matches("=== ")) {
        if chunk.trim().is_empty() {
            continue;
        }
        let (name, body) = chunk.split_once('\n').unwrap_or((chunk, ""));
        let (input, expected) = match body.split_once("--- html\n") {
            Some((i, e)) => (i.to_string(), Some(e.to_string())),
            None if body.ends_with('\n') => (body.to_string(), None),
            None => (format!("{body}\n"), None),
        };
        let input = input.as_str();
        let (config, page) = match input.strip_prefix("--- config\n") {
            Some(rest) => match rest.split_once("--- page\n") {
                Some((c, p)) => (c.to_string(), p.to_string()),
                None => (rest.to_string(), String::new()),
            },
            None => (String::new(), input.to_string()),
        };
        cases.push(Case {
            name: name.trim().to_string(),
            config,
            page,
            expected,
        });
    }
    cases
}

fn render(case: &Case, site: &Path) -> String {
    let resources = FsResources::new(site, Some(&site.join("evalcache"))).without_env();
    let (html, converted) = render_page(&case.page, &case.config, "pages/demo.md", &resources);
    let mut out = html;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    for d in &converted.diagnostics {
        let _ = writeln!(out, "!! {d}");
    }
    out
}

fn write_back(path: &Path, cases: &[Case], outputs: &[String]) {
    let mut text = String::new();
    for (case, out) in cases.iter().zip(outputs) {
        let _ = writeln!(text, "=== {}", case.name);
        if !case.config.is_empty() {
            text.push_str("--- config\n");
            text.push_str(&case.config);
            text.push_str("--- page\n");
        }
        text.push_str(&case.page);
        text.push_str("--- html\n");
        text.push_str(out);
    }
    std::fs::write(path, text).expect("write golden file");
}

#[test]
fn dialect_golden_cases() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let site = root.join("tests/fixtures/dialect_site");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/golden/dialect"))
        .expect("golden folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut total = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read golden file");
        let cases = parse(&text);
        let outputs: Vec<String> = cases.iter().map(|c| render(c, &site)).collect();
        for (case, out) in cases.iter().zip(&outputs) {
            total += 1;
            if case.expected.as_deref().map(str::trim_end) != Some(out.trim_end()) {
                failures.push(format!(
                    "{}: {}\n--- expected\n{}--- got\n{}",
                    file.display(),
                    case.name,
                    case.expected.as_deref().unwrap_or("(none)\n"),
                    out
                ));
            }
        }
        if update {
            write_back(&file, &cases, &outputs);
        }
    }
    assert!(total >= 60, "only {total} golden cases");
    if !update {
        assert!(
            failures.is_empty(),
            "{} of {total} golden cases differ:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
