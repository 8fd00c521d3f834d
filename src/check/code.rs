//! Syntax check of fenced code blocks in YAML, TOML and JSON, with the error position inside the block.
//!
//! Course notes quote a lot of configuration (CI workflows, `Cargo.toml`, `package.json`); a typo in
//! such a block is copied by students, so `notes check` parses these blocks and reports where they
//! break. Positions are 1-based line and column (in characters) within the code as written; the
//! caller adds the block's offset in the markdown file.

/// A syntax error in a code block: 1-based line and column inside the code, and a one-line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeError {
    /// 1-based line inside the code block.
    pub line: usize,
    /// 1-based column (in characters) inside that line.
    pub column: usize,
    /// One-line description, lower-case first letter, no trailing period.
    pub message: String,
}

/// The fence languages this check parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Yaml,
    Toml,
    Json,
}

impl Lang {
    fn from_fence(lang: &str) -> Option<Self> {
        match lang.trim().to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(Self::Yaml),
            "toml" => Some(Self::Toml),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// The languages this check understands (lower-cased fence language): yaml, yml, toml, json.
pub fn checks_language(lang: &str) -> bool {
    Lang::from_fence(lang).is_some()
}

/// Parses `code` as `lang`; None when it parses (or the language is not checked).
pub fn validate(lang: &str, code: &str) -> Option<CodeError> {
    let lang = Lang::from_fence(lang)?;
    // An empty block is a placeholder, not a broken file (and JSON would call it an EOF error).
    if code.trim().is_empty() {
        return None;
    }
    let (offset, message) = match lang {
        Lang::Yaml => yaml_error(code)?,
        Lang::Toml => toml_error(code)?,
        Lang::Json => json_error(code)?,
    };
    let (line, column) = line_column(code, offset);
    Some(CodeError {
        line,
        column,
        message: clean_message(&message, lang),
    })
}

/// Byte offset and raw message of the first YAML error; a multi-document stream is one input.
fn yaml_error(code: &str) -> Option<(usize, String)> {
    // Snippet wrapping would put a rendered excerpt in the message; we render our own.
    let options = serde_saphyr::options! { with_snippet: false };
    // `IgnoredAny` still walks every event, so syntax errors and duplicate keys are reported
    // without building a value we would throw away.
    let result: Result<Vec<serde::de::IgnoredAny>, _> =
        serde_saphyr::from_multiple_with_options(code, options);
    let err = result.err()?;
    let offset = match err.location() {
        Some(loc) => offset_of_char_position(code, to_usize(loc.line()), to_usize(loc.column())),
        None => 0,
    };
    Some((offset, err.to_string()))
}

/// Byte offset and raw message of the TOML error.
fn toml_error(code: &str) -> Option<(usize, String)> {
    let err = code.parse::<toml::Table>().err()?;
    let offset = err.span().map_or(0, |span| span.start);
    Some((offset, err.message().to_owned()))
}

/// Byte offset and raw message of the JSON error.
fn json_error(code: &str) -> Option<(usize, String)> {
    let err = serde_json::from_str::<serde_json::Value>(code).err()?;
    Some((
        offset_of_json_position(code, err.line(), err.column()),
        err.to_string(),
    ))
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Byte ranges of the lines of `code` (without their `\n`).
fn line_spans(code: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    code.split('\n').map(move |line| {
        let here = start;
        start += line.len() + 1;
        (here, line)
    })
}

/// Byte offset of a 1-based line and 1-based character column, clamped into the text.
fn offset_of_char_position(code: &str, line: usize, column: usize) -> usize {
    let Some((start, text)) = line_spans(code).nth(line.saturating_sub(1)) else {
        return code.len();
    };
    let within = text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    start + within
}

/// Byte offset of serde_json's position: 1-based line and a byte column that names the last byte
/// read, where column 0 means the newline ending the previous line was the last byte read.
fn offset_of_json_position(code: &str, line: usize, column: usize) -> usize {
    let Some((start, text)) = line_spans(code).nth(line.saturating_sub(1)) else {
        return code.len();
    };
    if column == 0 {
        return start.saturating_sub(1);
    }
    floor_char_boundary(code, start + (column - 1).min(text.len()))
}

fn floor_char_boundary(code: &str, mut offset: usize) -> usize {
    offset = offset.min(code.len());
    while !code.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// 1-based line and character column of a byte offset. An error past the last non-blank text
/// (typically "unexpected end of input") is shown right after that text, not on a blank line
/// or on the closing fence.
fn line_column(code: &str, offset: usize) -> (usize, usize) {
    let content_end = code.trim_end().len();
    let offset = floor_char_boundary(code, offset.min(content_end));
    let before = &code[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// First line of a parser message, without its own position suffix or crate-specific advice,
/// lower-case first letter and no trailing period.
fn clean_message(raw: &str, lang: Lang) -> String {
    let mut text = raw
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    text = strip_position_suffix(text);
    // serde-saphyr's advice names one of its `Options`, which means nothing to a notes author.
    if let Some(i) = text.find(", set ") {
        if text[i..].contains(" in Options") {
            text = &text[..i];
        }
    }
    let text = text.trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    if text.is_empty() {
        let name = match lang {
            Lang::Yaml => "YAML",
            Lang::Toml => "TOML",
            Lang::Json => "JSON",
        };
        return format!("invalid {name}");
    }
    lower_first(text)
}

/// Removes a trailing " at line N, column M" (YAML) or " at line N column M" (JSON).
fn strip_position_suffix(text: &str) -> &str {
    let Some(i) = text.rfind(" at line ") else {
        return text;
    };
    let rest = &text[i + " at line ".len()..];
    let Some((line, column)) = rest
        .split_once(", column ")
        .or_else(|| rest.split_once(" column "))
    else {
        return text;
    };
    let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if is_number(line) && is_number(column) {
        &text[..i]
    } else {
        text
    }
}

/// Lower-cases the first letter unless the first word is an acronym such as "EOF".
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let second_upper = chars.next().is_some_and(char::is_uppercase);
    if second_upper {
        text.to_owned()
    } else {
        first
            .to_lowercase()
            .chain(text[first.len_utf8()..].chars())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn err(line: usize, column: usize, message: &str) -> Option<CodeError> {
        Some(CodeError {
            line,
            column,
            message: message.to_owned(),
        })
    }

    const GITHUB_WORKFLOW: &str = r#"name: CI

on:
  push:
    branches: [main]
  pull_request:

permissions:
  contents: read
  pages: write

jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        julia: ["1.10", "1"]
    steps:
      - uses: actions/checkout@v4
      - uses: julia-actions/setup-julia@v2
        with:
          version: ${{ matrix.julia }}
      - name: Deploy
        if: ${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}
        env:
          TOKEN: ${{ secrets.GITHUB_TOKEN }}
        run: |
          echo "deploying ${{ github.sha }}"
          ./deploy.sh --token "$TOKEN"
"#;

    const GITLAB_CI: &str = r#"stages: [build, test]

variables:
  CARGO_HOME: "$CI_PROJECT_DIR/.cargo"

.setup: &setup
  image: rust:1.85
  before_script:
    - rustc --version

build:
  <<: *setup
  stage: build
  script:
    - cargo build --locked
  artifacts:
    paths: [target/]

test:
  stage: test
  script:
    - !reference [.setup, before_script]
    - cargo test
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
"#;

    const CARGO_TOML: &str = r#"[package]
name = "notes"
version = "0.1.0"
edition = "2021"

[dependencies]
serde = { version = "1.0", features = ["derive"] }
toml = "1.2"

[dev-dependencies]
proptest = { version = "1", default-features = false, features = ["std"] }

[[bin]]
name = "notes"
path = "src/main.rs"

[profile.release]
debug = false
"#;

    const PACKAGE_JSON: &str = r#"{
  "name": "course-site",
  "version": "1.0.0",
  "private": true,
  "scripts": {
    "build": "notes build",
    "test": "jest --coverage"
  },
  "dependencies": {
    "lunr": "^2.3.9"
  },
  "devDependencies": {},
  "engines": { "node": ">=18" },
  "files": ["dist/", "README.md"]
}
"#;

    #[test]
    fn languages_checked() {
        for lang in ["yaml", "yml", "toml", "json", "YAML", " json "] {
            assert!(checks_language(lang), "{lang}");
        }
        for lang in ["", "julia", "jsonc", "json5", "sh", "ini"] {
            assert!(!checks_language(lang), "{lang}");
        }
    }

    #[test]
    fn unchecked_language_is_never_an_error() {
        assert_eq!(validate("julia", "this is { not json"), None);
        assert_eq!(validate("jsonc", "{ // comment\n}"), None);
    }

    #[test]
    fn empty_blocks_are_valid() {
        for lang in ["yaml", "toml", "json"] {
            assert_eq!(validate(lang, ""), None, "{lang}");
            assert_eq!(validate(lang, "\n  \n"), None, "{lang}");
        }
    }

    #[test]
    fn github_actions_workflow_is_valid() {
        assert_eq!(validate("yaml", GITHUB_WORKFLOW), None);
        assert_eq!(validate("yml", GITHUB_WORKFLOW), None);
    }

    #[test]
    fn expression_syntax_is_a_plain_scalar() {
        let code = "env:\n  TOKEN: ${{ secrets.X }}\nif: ${{ github.event_name == 'push' }}\n";
        assert_eq!(validate("yaml", code), None);
    }

    #[test]
    fn gitlab_ci_with_anchors_merge_keys_and_tags_is_valid() {
        assert_eq!(validate("yaml", GITLAB_CI), None);
    }

    #[test]
    fn yaml_multi_document_stream_is_valid() {
        let code = "---\napiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: Pod\n...\n";
        assert_eq!(validate("yaml", code), None);
    }

    #[test]
    fn cargo_toml_is_valid() {
        assert_eq!(validate("toml", CARGO_TOML), None);
    }

    #[test]
    fn package_json_is_valid() {
        assert_eq!(validate("json", PACKAGE_JSON), None);
    }

    #[test]
    fn yaml_bad_indentation() {
        let code = "jobs:\n  build:\n    runs-on: ubuntu-latest\n   steps: []\n";
        assert_eq!(
            validate("yaml", code),
            err(
                4,
                4,
                "while parsing a block mapping, did not find expected key"
            )
        );
    }

    #[test]
    fn yaml_unclosed_quote() {
        let code = "name: CI\nrun: \"echo hi\nnext: 1\n";
        assert_eq!(validate("yaml", code), err(2, 6, "unclosed quote"));
    }

    #[test]
    fn yaml_tab_indentation() {
        let code = "steps:\n\t- run: make\n";
        let e = validate("yaml", code).expect("tabs must be rejected");
        assert_eq!((e.line, e.column), (2, 2));
        assert!(e.message.starts_with("tabs disallowed"), "{}", e.message);
    }

    #[test]
    fn yaml_duplicate_key_without_crate_advice() {
        let code = "on: push\nname: a\nname: b\n";
        assert_eq!(
            validate("yaml", code),
            err(3, 1, "duplicate mapping key: name")
        );
    }

    #[test]
    fn yaml_error_in_a_later_document() {
        let code = "a: 1\n---\nb: 2\n---\nc: [1, 2\n";
        assert_eq!(validate("yaml", code), err(5, 4, "unclosed bracket '['"));
    }

    #[test]
    fn yaml_column_counts_characters() {
        let code = "clé: été: x\n";
        assert_eq!(
            validate("yaml", code),
            err(1, 9, "mapping values are not allowed in this context")
        );
    }

    #[test]
    fn toml_duplicate_key() {
        let code = "[package]\nname = \"a\"\nversion = \"1\"\nname = \"b\"\n";
        assert_eq!(validate("toml", code), err(4, 1, "duplicate key"));
    }

    #[test]
    fn toml_missing_equals() {
        let code = "[dependencies]\nserde \"1.0\"\n";
        assert_eq!(
            validate("toml", code),
            err(2, 7, "key with no value, expected `=`")
        );
    }

    #[test]
    fn toml_column_counts_characters() {
        let code = "name = \"é\" \"\n";
        assert_eq!(
            validate("toml", code),
            err(1, 12, "unexpected key or value, expected newline, `#`")
        );
    }

    #[test]
    fn toml_error_on_last_line_without_newline() {
        let code = "[a]\nx = 1\ny = [1,";
        assert_eq!(
            validate("toml", code),
            err(3, 8, "unclosed array, expected `]`")
        );
    }

    #[test]
    fn json_trailing_comma() {
        let code = "{\n  \"a\": 1,\n  \"b\": 2,\n}\n";
        assert_eq!(validate("json", code), err(4, 1, "trailing comma"));
    }

    #[test]
    fn json_missing_brace_points_after_the_last_text() {
        let code = "{\n  \"a\": {\n    \"b\": 1\n  }\n\n\n";
        assert_eq!(
            validate("json", code),
            err(4, 4, "EOF while parsing an object")
        );
    }

    #[test]
    fn json_error_on_last_line() {
        let code = "[\n  1,\n  2\n  3\n]";
        assert_eq!(validate("json", code), err(4, 3, "expected `,` or `]`"));
    }

    #[test]
    fn json_column_counts_characters() {
        let code = "{\"é\": é}";
        assert_eq!(validate("json", code), err(1, 7, "expected value"));
    }

    #[test]
    fn json_comments_are_errors() {
        let code = "{\n  // the name\n  \"name\": \"x\"\n}\n";
        assert_eq!(validate("json", code), err(2, 3, "key must be a string"));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = "[".repeat(100_000);
        assert!(validate("json", &deep).is_some());
        assert!(validate("yaml", &deep).is_some());
        assert!(validate("toml", &format!("a = {deep}")).is_some());
    }

    #[test]
    fn message_cleaning() {
        assert_eq!(
            clean_message("Unclosed quote at line 3, column 7", Lang::Yaml),
            "unclosed quote"
        );
        assert_eq!(
            clean_message("trailing comma at line 1 column 9", Lang::Json),
            "trailing comma"
        );
        assert_eq!(clean_message("Bad thing.\nmore", Lang::Toml), "bad thing");
        assert_eq!(clean_message("EOF while x", Lang::Json), "EOF while x");
        assert_eq!(clean_message(" \n", Lang::Toml), "invalid TOML");
        assert_eq!(
            clean_message("seen at line four", Lang::Yaml),
            "seen at line four"
        );
    }

    proptest! {
        #[test]
        fn never_panics_and_positions_are_inside_the_code(
            lang in prop::sample::select(vec!["yaml", "toml", "json"]),
            code in "[ \\t\\n\\r{}\\[\\]:,\"'#=\\-a-c0-9.*&!|>?%@`é\\\\]{0,80}",
        ) {
            if let Some(e) = validate(lang, &code) {
                let lines: Vec<&str> = code.split('\n').collect();
                prop_assert!(e.line >= 1 && e.line <= lines.len(), "{:?}", e);
                let width = lines[e.line - 1].chars().count();
                prop_assert!(e.column >= 1 && e.column <= width + 1, "{:?}", e);
                prop_assert!(!e.message.is_empty() && !e.message.contains('\n'));
                prop_assert!(!e.message.ends_with('.'));
            }
        }

        #[test]
        fn never_panics_on_arbitrary_text(
            lang in prop::sample::select(vec!["yaml", "toml", "json"]),
            code in any::<String>(),
        ) {
            let _ = validate(lang, &code);
        }
    }
}
