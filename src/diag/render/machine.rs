//! The JSON-lines renderer, for editors and other tools.

use serde::Serialize;

use super::{resolve, SourceLookup};
use crate::diag::Diagnostic;

/// One diagnostic as written to JSON; field order is the documented key order.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: String,
    code: &'a str,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    /// Line of the end of the span (needs the source).
    end_line: Option<u32>,
    /// Column just past the end of the span, as in SARIF (needs the source).
    end_column: Option<u32>,
    help: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
}

/// One secondary place as written to JSON.
#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
}

/// One JSON object per line: {"severity","code","message","file","line","column","end_line","end_column","help","labels":[{file,line,column,message}]}.
///
/// Location fields are `null` when the diagnostic has no span; the end fields are also
/// `null` when the source is unknown or no longer contains the span.
pub fn json_line(d: &Diagnostic, sources: &dyn SourceLookup) -> String {
    let end = d.span.as_ref().and_then(|s| {
        let text = sources.source(&s.file)?;
        resolve(s, &text).map(|r| (r.end_line, r.end_col))
    });
    let out = JsonDiagnostic {
        severity: d.severity.to_string(),
        code: d.code,
        message: &d.message,
        file: d.span.as_ref().map(|s| &*s.file),
        line: d.span.as_ref().map(|s| s.line),
        column: d.span.as_ref().map(|s| s.col),
        end_line: end.map(|e| e.0),
        end_column: end.map(|e| e.1),
        help: d.help.as_deref(),
        labels: d
            .labels
            .iter()
            .map(|l| JsonLabel {
                file: &l.span.file,
                line: l.span.line,
                column: l.span.col,
                message: &l.message,
            })
            .collect(),
    };
    // Serialising plain strings and integers cannot fail; fall back to a minimal object anyway.
    serde_json::to_string(&out).unwrap_or_else(|_| {
        serde_json::json!({"severity": d.severity.to_string(), "code": d.code, "message": d.message})
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::render::NoSources;
    use crate::diag::Span;
    use std::collections::HashMap;
    use std::sync::Arc;

    #[test]
    fn json_has_documented_keys_and_values() {
        let text = "a\n\"b\" \\c\nd\n";
        let file: Arc<str> = Arc::from("x.md");
        let d = Diagnostic::error("unknown-command", "unknown command `\\c`\twith \"quotes\"")
            .at(Span::in_text(&file, text, 6, 8))
            .label(Span::in_text(&file, text, 0, 1), "see here")
            .help("remove it");
        let src: HashMap<String, Arc<str>> = HashMap::from([("x.md".to_string(), Arc::from(text))]);
        let line = json_line(&d, &src);
        assert!(!line.contains('\n'), "one object per line");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        let mut want = vec![
            "severity",
            "code",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "help",
            "labels",
        ];
        want.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(v["severity"], "error");
        assert_eq!(v["code"], "unknown-command");
        assert_eq!(v["message"], "unknown command `\\c`\twith \"quotes\"");
        assert_eq!(v["file"], "x.md");
        assert_eq!(
            (v["line"].as_u64(), v["column"].as_u64()),
            (Some(2), Some(5))
        );
        assert_eq!(
            (v["end_line"].as_u64(), v["end_column"].as_u64()),
            (Some(2), Some(7))
        );
        assert_eq!(v["help"], "remove it");
        assert_eq!(
            v["labels"],
            serde_json::json!([{"file": "x.md", "line": 1, "column": 1, "message": "see here"}])
        );
    }

    #[test]
    fn json_without_span_or_source_uses_nulls() {
        let d = Diagnostic::warning("w", "m");
        let v: serde_json::Value = serde_json::from_str(&json_line(&d, &NoSources)).unwrap();
        assert_eq!(v["severity"], "warning");
        for k in ["file", "line", "column", "end_line", "end_column", "help"] {
            assert!(v[k].is_null(), "{k} should be null");
        }
        assert_eq!(v["labels"], serde_json::json!([]));

        let file: Arc<str> = Arc::from("y.md");
        let d = Diagnostic::error("e", "m").at(Span::in_text(&file, "abc", 1, 2));
        let v: serde_json::Value = serde_json::from_str(&json_line(&d, &NoSources)).unwrap();
        assert_eq!(
            (v["line"].as_u64(), v["column"].as_u64()),
            (Some(1), Some(2))
        );
        assert!(v["end_line"].is_null() && v["end_column"].is_null());
    }
}
