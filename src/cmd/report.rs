//! Printing diagnostics in the chosen format and the end-of-run summary.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Arc;

use crate::diag::render::{self, Format, HumanOptions};
use crate::diag::Diagnostic;

/// The format to use when none was asked for: GitHub annotations inside Actions.
pub fn default_format(asked: Option<Format>) -> Format {
    asked.unwrap_or_else(|| {
        if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
            Format::Github
        } else {
            Format::Human
        }
    })
}

/// True when stderr is a terminal that may get colour.
pub fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Prints diagnostics: errors always, warnings unless `errors_only`.
pub fn print(
    diags: &[Diagnostic],
    sources: &HashMap<String, Arc<str>>,
    format: Format,
    errors_only: bool,
    path_prefix: &str,
) {
    let shown: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| !errors_only || d.is_error())
        .collect();
    match format {
        Format::Human => {
            let opts = HumanOptions { color: color() };
            for d in shown {
                eprintln!("{}\n", render::human(d, sources, &opts));
            }
        }
        Format::Json => {
            for d in shown {
                println!("{}", render::json_line(d, sources));
            }
        }
        Format::Github => {
            for d in shown {
                println!("{}", render::github_command(d, sources, path_prefix));
            }
        }
        Format::Gitlab => {
            let owned: Vec<Diagnostic> = shown.into_iter().cloned().collect();
            println!("{}", render::gitlab_report(&owned, path_prefix));
        }
    }
}
