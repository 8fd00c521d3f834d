//! `notes checkout`: clone a site's repository with git2.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::CheckoutArgs;
use crate::deploy::checkout::{checkout, CheckoutOptions};
use crate::deploy::{source, Token};

use super::deploy::env_var;

/// `notes checkout`.
pub fn run(args: &CheckoutArgs) -> anyhow::Result<ExitCode> {
    let dir = args.dir.clone().unwrap_or_else(|| {
        let name = source::repo_name(&args.url);
        PathBuf::from(name.rsplit('/').next().unwrap_or("site"))
    });
    let opts = CheckoutOptions {
        url: args.url.clone(),
        dir: dir.clone(),
        reference: args.reference.clone(),
        depth: args.depth,
        token: env_var(&args.token_env).and_then(Token::new),
    };
    let progress = super::deploy::progress(args.quiet);
    let result = checkout(&opts, &progress);
    progress.finish();
    let report = result?;
    if !args.quiet {
        eprintln!(
            "checked out {} ({}) into {}",
            &report.commit[..7.min(report.commit.len())],
            report.described,
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
