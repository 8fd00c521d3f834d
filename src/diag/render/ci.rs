//! CI renderers: GitHub workflow commands and step summary, GitLab code quality.

use std::fmt::Write as _;

use serde::Serialize;

use super::{counts, join_path, resolve, SourceLookup};
use crate::diag::{Diagnostic, Severity};

/// Where the repository lives, for links to files at the built commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoLink {
    /// e.g. `https://github.com` (`$GITHUB_SERVER_URL`).
    pub server_url: String,
    /// `owner/name` (`$GITHUB_REPOSITORY`).
    pub repository: String,
    /// The commit (`$GITHUB_SHA`).
    pub sha: String,
}

/// Escapes a workflow-command message: `%`, CR and LF, as the Actions toolkit does.
fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a workflow-command property value: the data escapes plus `:` and `,`,
/// which would otherwise end the value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A GitHub Actions workflow command: `::error file=F,line=L,col=C,endColumn=E,title=T::MESSAGE` (warning → `::warning`),
/// with the toolkit's escaping: data escapes % \r \n; property values additionally escape : and ,. `path_prefix` is prepended to file
/// (the site folder relative to the repository root), so paths are relative to the repository root.
///
/// The title is the diagnostic code; the message carries the help and the labels on
/// further lines so the annotation alone says how to fix the problem. `endColumn` is
/// inclusive (GitHub defaults it to `col`) and only given when the source is known.
pub fn github_command(d: &Diagnostic, sources: &dyn SourceLookup, path_prefix: &str) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props: Vec<(&str, String)> = Vec::new();
    if let Some(s) = &d.span {
        props.push(("file", join_path(path_prefix, &s.file)));
        props.push(("line", s.line.to_string()));
        props.push(("col", s.col.to_string()));
        let width = sources
            .source(&s.file)
            .and_then(|text| resolve(s, &text))
            .map(|r| r.first_line_chars);
        if let Some(w) = width {
            props.push(("endColumn", (s.col + w - 1).to_string()));
        }
    }
    props.push(("title", d.code.to_string()));
    let props = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect::<Vec<_>>()
        .join(",");
    format!(
        "::{command} {props}::{}",
        escape_data(&full_message(d, path_prefix))
    )
}

/// A `::warning title=T::MESSAGE` workflow command for a problem that is not about a file
/// (e.g. a failed GitHub API call), escaped like [`github_command`].
pub fn warning_command(title: &str, message: &str) -> String {
    format!(
        "::warning title={}::{}",
        escape_property(title),
        escape_data(message)
    )
}

/// The message with help and labels appended, one per line.
fn full_message(d: &Diagnostic, path_prefix: &str) -> String {
    let mut msg = d.message.clone();
    for l in &d.labels {
        let file = join_path(path_prefix, &l.span.file);
        let _ = write!(
            msg,
            "\nnote: {file}:{}:{}: {}",
            l.span.line, l.span.col, l.message
        );
    }
    if let Some(h) = &d.help {
        let _ = write!(msg, "\nhelp: {h}");
    }
    msg
}

/// Makes text safe inside one markdown table cell: no line breaks, no column bars, no raw HTML.
fn md_cell(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace(['\n', '\r'], "<br>")
}

/// Percent-encodes a repository path for a URL, keeping `/` as the separator.
fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A markdown step summary (for $GITHUB_STEP_SUMMARY): counts, then a table of every problem (GitHub shows only 10 annotations
/// per kind; the summary lists them all) with links `{server}/{repo}/blob/{sha}/{path}#L{line}` when repo info is given.
pub fn github_summary(
    diags: &[Diagnostic],
    path_prefix: &str,
    repo_link: Option<&RepoLink>,
) -> String {
    let mut out = format!("### notes: {}\n", counts(diags));
    if diags.is_empty() {
        return out;
    }
    out.push_str("\n| | Location | Code | Problem |\n|---|---|---|---|\n");
    for d in diags {
        let icon = match d.severity {
            Severity::Error => "❌ error",
            Severity::Warning => "⚠️ warning",
        };
        let location = match &d.span {
            None => "—".to_string(),
            Some(s) => {
                let path = join_path(path_prefix, &s.file);
                let text = md_cell(&format!("{path}:{}:{}", s.line, s.col));
                match repo_link {
                    Some(r) => format!(
                        "[{text}]({}/{}/blob/{}/{}#L{})",
                        r.server_url.trim_end_matches('/'),
                        r.repository,
                        r.sha,
                        url_path(&path),
                        s.line
                    ),
                    None => text,
                }
            }
        };
        let mut problem = md_cell(&d.message);
        for l in &d.labels {
            let file = join_path(path_prefix, &l.span.file);
            let note = format!("note: {file}:{}:{}: {}", l.span.line, l.span.col, l.message);
            let _ = write!(problem, "<br>{}", md_cell(&note));
        }
        if let Some(h) = &d.help {
            let _ = write!(problem, "<br>help: {}", md_cell(h));
        }
        let _ = writeln!(out, "| {icon} | {location} | `{}` | {problem} |", d.code);
    }
    out
}

/// One issue of a GitLab code-quality report.
#[derive(Serialize)]
struct GitlabIssue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: GitlabLocation,
}

/// Where a GitLab issue is.
#[derive(Serialize)]
struct GitlabLocation {
    path: String,
    lines: GitlabLines,
}

/// The line of a GitLab issue.
#[derive(Serialize)]
struct GitlabLines {
    begin: u32,
}

/// FNV-1a, 64 bit: small, stable across runs and platforms (unlike std's hasher).
fn fnv1a64(parts: &[&str]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    for (i, part) in parts.iter().enumerate() {
        // A separator byte keeps ("ab","c") and ("a","bc") apart.
        if i > 0 {
            h ^= 0xff;
            h = h.wrapping_mul(PRIME);
        }
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(PRIME);
        }
    }
    h
}

/// A GitLab code-quality report (a JSON array) for merge requests: description, check_name, fingerprint (stable hash of code+file+line+message), severity (major/minor), location {path, lines {begin}}.
///
/// Diagnostics without a span point at line 1 of the site folder, since GitLab requires a location.
pub fn gitlab_report(diags: &[Diagnostic], path_prefix: &str) -> String {
    let issues: Vec<GitlabIssue> = diags
        .iter()
        .map(|d| {
            let (path, line) = match &d.span {
                Some(s) => (join_path(path_prefix, &s.file), s.line),
                None => {
                    let site = path_prefix.trim_end_matches('/');
                    (if site.is_empty() { "." } else { site }.to_string(), 1)
                }
            };
            let description = match &d.help {
                Some(h) => format!("{} (help: {h})", d.message),
                None => d.message.clone(),
            };
            let line_text = line.to_string();
            let fingerprint = format!("{:016x}", fnv1a64(&[d.code, &path, &line_text, &d.message]));
            GitlabIssue {
                description,
                check_name: d.code.to_string(),
                fingerprint,
                severity: match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                location: GitlabLocation {
                    path,
                    lines: GitlabLines { begin: line },
                },
            }
        })
        .collect();
    // Only strings and integers: serialising cannot fail, but never panic on it.
    serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::render::NoSources;
    use crate::diag::Span;
    use std::collections::HashMap;
    use std::sync::Arc;

    fn at(file: &str, text: &str, start: usize, end: usize) -> Span {
        Span::in_text(&Arc::from(file), text, start, end)
    }

    #[test]
    fn github_command_basic_error_and_warning() {
        let text = "ab\nx \\foo y\n";
        let src: HashMap<String, Arc<str>> =
            HashMap::from([("p/a.md".to_string(), Arc::from(text))]);
        let d = Diagnostic::error("unknown-command", "unknown command `\\foo`")
            .at(at("p/a.md", text, 5, 9));
        assert_eq!(
            github_command(&d, &src, "site"),
            "::error file=site/p/a.md,line=2,col=3,endColumn=6,title=unknown-command::unknown command `\\foo`"
        );
        let w = Diagnostic::warning("w", "m").at(at("p/a.md", text, 5, 9));
        assert_eq!(
            github_command(&w, &NoSources, ""),
            "::warning file=p/a.md,line=2,col=3,title=w::m"
        );
        let bare = Diagnostic::error("no-config", "no config");
        assert_eq!(
            github_command(&bare, &NoSources, "site"),
            "::error title=no-config::no config"
        );
    }

    #[test]
    fn github_command_escapes_data_and_properties() {
        let d = Diagnostic::error("c", "a%b\nc\rd: e, f").at(at("we:ird,name%.md", "x", 0, 1));
        assert_eq!(
            github_command(&d, &NoSources, "s,1:"),
            "::error file=s%2C1%3A/we%3Aird%2Cname%25.md,line=1,col=1,title=c::a%25b%0Ac%0Dd: e, f"
        );
    }

    #[test]
    fn github_command_carries_help_and_labels() {
        let d = Diagnostic::error("unclosed-div", "div never closed")
            .at(at("a.md", "@@x\ny", 4, 5))
            .label(at("a.md", "@@x\ny", 0, 3), "opened here")
            .help("add `@@`");
        assert_eq!(
            github_command(&d, &NoSources, "docs"),
            "::error file=docs/a.md,line=2,col=1,title=unclosed-div::div never closed\
             %0Anote: docs/a.md:1:1: opened here%0Ahelp: add `@@`"
        );
    }

    fn twelve() -> Vec<Diagnostic> {
        (1..=12)
            .map(|i| {
                let text = "line\n".repeat(20);
                let start = (i - 1) * 5;
                Diagnostic::error("bad-thing", format!("problem {i} | with <b>")).at(at(
                    "pages/my page.md",
                    &text,
                    start,
                    start + 4,
                ))
            })
            .collect()
    }

    #[test]
    fn summary_lists_every_problem_with_links() {
        let link = RepoLink {
            server_url: "https://github.com/".to_string(),
            repository: "me/notes".to_string(),
            sha: "abc123".to_string(),
        };
        let mut diags = twelve();
        diags.push(Diagnostic::warning("w", "general").help("line one\nline two"));
        let out = github_summary(&diags, "site", Some(&link));
        let head = "### notes: 12 errors, 1 warning\n\n| | Location | Code | Problem |\n|---|---|---|---|\n";
        assert!(out.starts_with(head), "{out}");
        for i in 1..=12 {
            let row = format!(
                "| ❌ error | [site/pages/my page.md:{i}:1](https://github.com/me/notes/blob/abc123/site/pages/my%20page.md#L{i}) \
                 | `bad-thing` | problem {i} \\| with &lt;b&gt; |\n"
            );
            assert!(out.contains(&row), "missing row {i}: {out}");
        }
        assert!(out.ends_with("| ⚠️ warning | — | `w` | general<br>help: line one<br>line two |\n"));
        assert_eq!(out.lines().count(), 4 + 13);
    }

    #[test]
    fn summary_without_repo_or_problems() {
        let out = github_summary(&twelve()[..1], "", None);
        assert!(out.contains("| ❌ error | pages/my page.md:1:1 | `bad-thing` |"));
        assert_eq!(
            github_summary(&[], "site", None),
            "### notes: no problems\n"
        );
    }

    #[test]
    fn gitlab_report_is_a_json_array_with_stable_fingerprints() {
        let mut diags = twelve();
        diags.push(Diagnostic::warning("w", "general").help("h"));
        let report = gitlab_report(&diags, "site");
        let v: serde_json::Value = serde_json::from_str(&report).unwrap();
        let arr = v.as_array().unwrap();
        assert_eq!(arr.len(), 13);
        assert_eq!(arr[0]["check_name"], "bad-thing");
        assert_eq!(arr[0]["severity"], "major");
        assert_eq!(arr[0]["description"], "problem 1 | with <b>");
        assert_eq!(arr[0]["location"]["path"], "site/pages/my page.md");
        assert_eq!(arr[0]["location"]["lines"]["begin"], 1);
        assert_eq!(arr[12]["severity"], "minor");
        assert_eq!(arr[12]["description"], "general (help: h)");
        assert_eq!(arr[12]["location"]["path"], "site");
        // Same input, same fingerprints; different problems, different fingerprints.
        assert_eq!(gitlab_report(&diags, "site"), report);
        let fps: std::collections::HashSet<&str> = arr
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap())
            .collect();
        assert_eq!(fps.len(), 13);
        assert!(fps.iter().all(|f| f.len() == 16));
    }

    #[test]
    fn fnv1a64_matches_reference_values() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a64(&[""]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(&["a"]), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a64(&["ab", "c"]), fnv1a64(&["a", "bc"]));
    }
}
