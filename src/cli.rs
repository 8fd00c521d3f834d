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
    /// Build the site and publish it to a GitHub Pages branch (gh-pages) with a single
    /// push; a build with errors is never published.
    #[command(after_help = DEPLOY_HELP)]
    Deploy(DeployArgs),
    /// Clone a site's repository (a branch, tag or commit) with progress.
    #[command(after_help = "Exit codes: 0 cloned, 2 the clone failed (nothing is left behind).")]
    Checkout(CheckoutArgs),
    /// Create a new site: config.md, sample pages, .gitignore and a CI workflow.
    Init(InitArgs),
    /// The whole pipeline as one CI step: (checkout) → build → check → deploy, reading
    /// GitHub Actions' event: pushes to the default branch publish the site, pull requests
    /// publish a preview under previews/pr-N/ and remove it when closed.
    #[command(after_help = CI_HELP)]
    Ci(CiArgs),
}

/// Examples and exit codes of `notes ci`.
const CI_HELP: &str =
    "In GitHub Actions it reads GITHUB_EVENT_NAME and GITHUB_EVENT_PATH to choose what to
publish, GITHUB_TOKEN to push and to call the API (Pages address, deployments, the
preview comment; failures there are warnings), and writes the step outputs page-url and
skipped. Outside Actions it builds, checks and publishes the site like a push.

Examples:
  notes ci site
  notes ci site --repo https://github.com/OWNER/REPO.git --ref main

Exit codes: 0 published (or nothing to publish), 1 the site has errors (nothing
published), 2 the run failed (e.g. the push was refused).";

/// Examples and exit codes of `notes deploy`.
const DEPLOY_HELP: &str = "Examples:
  notes deploy site                       build site/ and push it to origin's gh-pages
  notes deploy --no-build --dir public    publish an existing folder
  notes deploy site --preview 12          publish into previews/pr-12/ only
  notes deploy --remove-preview 12        remove previews/pr-12/
  notes deploy site --dry-run             show what would change, push nothing

The token comes from GITHUB_TOKEN (or --token-env NAME) and is only given to the server
when it asks; it never appears in URLs, arguments, git config or output.

Exit codes: 0 deployed (or unchanged), 1 the build had errors (nothing deployed),
2 the deploy failed (nothing or nothing new published).";

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

/// `notes deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The site and how to build it.
    #[command(flatten)]
    pub site: SiteArgs,

    /// Where and how to publish.
    #[command(flatten)]
    pub publish: PublishArgs,

    /// The folder to publish [default: the build's output folder, SITE/__site].
    #[arg(long, value_name = "OUT")]
    pub dir: Option<PathBuf>,

    /// Publish the folder as it is, without building first.
    #[arg(long)]
    pub no_build: bool,

    /// Publish into this folder of the branch and leave the rest as it is.
    #[arg(long, value_name = "SUBDIR", conflicts_with_all = ["preview", "remove_preview"])]
    pub dest: Option<String>,

    /// Publish a pull-request preview into previews/pr-N/.
    #[arg(long, value_name = "N", conflicts_with = "remove_preview")]
    pub preview: Option<u64>,

    /// Remove previews/pr-N/ (when the pull request closes); builds nothing.
    #[arg(long, value_name = "N")]
    pub remove_preview: Option<u64>,
}

/// Publishing options shared by `notes deploy` and `notes ci`.
#[derive(Debug, Clone, Args)]
pub struct PublishArgs {
    /// Where to push: a URL, a path, or a remote name of the site's repository
    /// [default: in GitHub Actions the workflow's repository, else `origin`].
    #[arg(long, value_name = "URL|NAME")]
    pub remote: Option<String>,

    /// The Pages branch.
    #[arg(long, default_value = "gh-pages", value_name = "NAME")]
    pub branch: String,

    /// Commit message; {repo}, {sha}, {short} and {branch} are filled in.
    #[arg(
        long,
        value_name = "TEMPLATE",
        default_value = "Deploy {repo}@{short} to {branch}"
    )]
    pub message: String,

    /// Custom domain written to CNAME [default: keep the branch's CNAME].
    #[arg(long, value_name = "DOMAIN")]
    pub cname: Option<String>,

    /// Do not add the empty .nojekyll file (Jekyll then ignores `_`-prefixed folders).
    #[arg(long)]
    pub no_nojekyll: bool,

    /// Keep the branch's history, or replace it with a single commit each time.
    #[arg(long, value_enum, default_value = "keep", value_name = "MODE")]
    pub history: crate::deploy::History,

    /// The environment variable holding the token.
    #[arg(long, value_name = "NAME", default_value = "GITHUB_TOKEN")]
    pub token_env: String,

    /// Commit author, as "Name <email>" [default: GIT_AUTHOR_NAME/EMAIL, in GitHub Actions
    /// github-actions[bot], else your git user].
    #[arg(long, value_name = "NAME <EMAIL>")]
    pub author: Option<String>,

    /// Make the commit and show what would change, but push nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `notes ci`.
#[derive(Debug, Args)]
pub struct CiArgs {
    /// The site and how to build it.
    #[command(flatten)]
    pub site: SiteArgs,

    /// Where and how to publish.
    #[command(flatten)]
    pub publish: PublishArgs,

    /// Clone this repository first (with git2) and build SITE inside it; it is also the
    /// default remote to publish to.
    #[arg(long, value_name = "URL")]
    pub repo: Option<String>,

    /// With --repo: the branch, tag or commit to build [default: the default branch].
    #[arg(long = "ref", value_name = "REF", requires = "repo")]
    pub reference: Option<String>,

    /// Do not publish previews of pull requests (they are still built and checked).
    #[arg(long)]
    pub no_preview: bool,

    /// The GitHub REST API [default: $GITHUB_API_URL, else https://api.github.com].
    #[arg(long, value_name = "URL")]
    pub github_api: Option<String>,
}

/// `notes checkout`.
#[derive(Debug, Args)]
pub struct CheckoutArgs {
    /// The repository to clone (https URL or path).
    #[arg(value_name = "URL")]
    pub url: String,

    /// The folder to clone into [default: the repository's name].
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// A branch, tag or commit to check out [default: the default branch].
    #[arg(long = "ref", value_name = "REF")]
    pub reference: Option<String>,

    /// Fetch only this many commits of history.
    #[arg(long, value_name = "N")]
    pub depth: Option<u32>,

    /// The environment variable holding the token for private repositories.
    #[arg(long, value_name = "NAME", default_value = "GITHUB_TOKEN")]
    pub token_env: String,

    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
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
