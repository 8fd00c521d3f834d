//! The command line: commands, their arguments and help texts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::diag::render::Format;

/// Build Franklin-style course notes into a website, check them, and publish them.
#[derive(Debug, Parser)]
#[command(
    name = "notes",
    version,
    about,
    long_about = "Build Franklin-style course notes into a website, check them, and publish them.\n\n\
                  Exit codes: 0 success, 1 the site has problems (errors, or warnings with \
                  --deny-warnings), 2 notes could not run (bad arguments, unreadable folder).",
    after_help = "Examples:\n  notes build                 build the site in this folder into ./__site\n  notes build site --out /tmp/out\n  notes build --eval-cache ../gh-pages   reuse Franklin's evaluated code outputs"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The exit codes, shown in every command's help.
const EXIT_CODES: &str = "Exit codes: 0 success, 1 problems found (errors, or warnings with --deny-warnings), 2 notes could not run.";

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into its output folder.
    #[command(after_help = EXIT_CODES)]
    Build(BuildArgs),
    /// Build the site (into a temporary folder unless --out) and check links, anchors,
    /// assets, titles, ids and YAML/TOML/JSON code blocks.
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Build the site, serve it on http://127.0.0.1:8000 and rebuild and reload the
    /// browser whenever a file changes.
    #[command(after_help = EXIT_CODES)]
    Serve(ServeArgs),
    /// Create a new site: config.md, sample pages, .gitignore and a CI workflow.
    Init(InitArgs),
}

/// Options shared by every command that builds a site.
#[derive(Debug, Clone, Args)]
pub struct SiteArgs {
    /// The site folder (holding config.md and the pages).
    #[arg(default_value = ".", value_name = "SITE")]
    pub site: PathBuf,

    /// Output folder [default: SITE/__site; for `check`, a temporary folder].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Prefix for root-relative links, e.g. the repository name on GitHub Pages (overrides config.md).
    #[arg(long, value_name = "P")]
    pub prepath: Option<String>,

    /// Franklin's output folder (e.g. a checkout of gh-pages) to read evaluated-code results from.
    #[arg(long, value_name = "DIR")]
    pub eval_cache: Option<PathBuf>,

    /// Worker threads [default: one per core].
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Stop at the first page with an error.
    #[arg(long)]
    pub fail_fast: bool,

    /// Treat warnings as errors (exit 1 when there is any).
    #[arg(long)]
    pub deny_warnings: bool,

    /// How to print problems [default: github inside GitHub Actions, else human].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
}

/// `notes build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site and how to build it.
    #[command(flatten)]
    pub site: SiteArgs,

    /// Keep running and rebuild whenever a file of the site changes (Ctrl-C stops).
    #[arg(long)]
    pub watch: bool,

    /// With --watch: scan the folder for changes instead of relying on file-system events
    /// (for network mounts and containers where events do not arrive).
    #[arg(long, requires = "watch")]
    pub poll: bool,
}

/// `notes check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The site and how to build it.
    #[command(flatten)]
    pub site: SiteArgs,

    /// Also check http(s) links to other sites (a few requests at a time, one per host).
    #[arg(long)]
    pub external: bool,

    /// With --external: skip URLs matching this glob (repeatable), e.g. 'https://example.org/*'.
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Vec<String>,

    /// With --external: seconds allowed for one request.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub timeout: u64,

    /// With --external: requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,

    /// With --external: hours a cached result stays valid (0 checks everything again).
    #[arg(long, value_name = "HOURS", default_value_t = 24)]
    pub cache_ttl: u64,

    /// With --external: where results are cached [default: ~/.cache/notes/external-links.json].
    #[arg(long, value_name = "FILE")]
    pub cache: Option<PathBuf>,
}

/// `notes serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site and how to build it (`--prepath` is not applied while serving).
    #[command(flatten)]
    pub site: SiteArgs,

    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,

    /// Address to listen on; the default keeps the server private to this machine.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,

    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,

    /// Scan the folder for changes instead of relying on file-system events.
    #[arg(long)]
    pub poll: bool,
}

/// `notes init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the site in (created if missing; existing files are never replaced).
    #[arg(default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,

    /// The continuous integration to set up: a GitHub Pages workflow, a GitLab CI file, or none.
    #[arg(long, value_enum, default_value = "github", value_name = "CI")]
    pub ci: crate::scaffold::CiKind,
}
