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
