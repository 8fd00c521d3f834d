//! `notes init`: write a new site's files, say what was created and what to do next.

use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::InitArgs;
use crate::scaffold::{self, CiKind, ScaffoldError, Written};

/// Runs `notes init`.
pub fn run(args: &InitArgs) -> anyhow::Result<ExitCode> {
    let written = match scaffold::write(&args.dir, args.ci) {
        Ok(w) => w,
        Err(e @ ScaffoldError::Exists(_)) => anyhow::bail!(
            "{e}\n  hint: notes init never replaces files; choose an empty or new folder, \
             e.g. `notes init my-notes`, or move those files away first"
        ),
        Err(e) => return Err(e).context("could not create the site"),
    };
    for w in &written {
        match w {
            Written::Created(p) => println!("created  {}", p.display()),
            Written::Appended(p) => println!("updated  {} (added __site/)", p.display()),
        }
    }
    println!();
    println!("Next:");
    let dir = args.dir.display().to_string();
    if dir != "." {
        println!("  cd {dir}");
    }
    println!("  notes serve            preview the site at http://127.0.0.1:8000 while you edit");
    println!("  notes check            look for broken links and other problems");
    match args.ci {
        CiKind::Github => {
            println!(
                "  edit .github/workflows/pages.yml: replace OWNER/notes with the repository hosting notes"
            );
            println!(
                "  git init && git add . && git commit -m \"New notes site\", then push to GitHub"
            );
            println!(
                "  after the first run: Settings → Pages → Deploy from a branch → gh-pages, / (root)"
            );
        }
        CiKind::Gitlab => {
            println!("  edit .gitlab-ci.yml: set NOTES_GIT to the repository hosting notes");
            println!(
                "  git init && git add . && git commit -m \"New notes site\", then push to GitLab"
            );
        }
        CiKind::None => {}
    }
    Ok(ExitCode::SUCCESS)
}
