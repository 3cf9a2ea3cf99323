//! Command-line definitions (clap only; no behaviour).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::hook::HookKind;
use crate::managers::Choice;
use crate::report::Format;

/// The version and the commit the binary was built from (see `build.rs`).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("NPMRC_GUARD_COMMIT"),
    ")"
);

/// Find literal registry credentials in .npmrc files before they are
/// committed, and rewrite them to ${NPM_TOKEN} interpolation.
#[derive(Debug, Parser)]
#[command(
    name = "npmrc-guard",
    version = VERSION,
    about,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human, global = true)]
    pub format: Format,

    /// When to use colour (NO_COLOR and CLICOLOR are honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Print nothing when nothing was found.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Exit 0 even when errors were found (advisory runs); failures still exit 2.
    #[arg(long, global = true)]
    pub exit_zero: bool,

    /// Read this config file instead of .npmrc-guard.toml at the repository root.
    #[arg(long, value_name = "FILE", global = true, conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore .npmrc-guard.toml.
    #[arg(long, global = true)]
    pub no_config: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the named files on disk (for the pre-commit framework, editors, scripts).
    Check(CheckArgs),
    /// Scan a git repository: its work tree, or with --staged what the next commit will contain.
    Scan(ScanArgs),
    /// Rewrite literal credentials to ${VAR} interpolation (or move them out).
    Fix(FixArgs),
    /// Install the hook: into your hook manager's config (Husky, lefthook,
    /// simple-git-hooks, pre-commit) or the folder git runs hooks from.
    Install(HookArgs),
    /// Run as git's pre-push hook: scan the commits the remote lacks (git's ref lines on stdin).
    PrePush(PrePushArgs),
    /// Remove what `install` added, and restore the hook that was there before.
    Uninstall(HookArgs),
    /// Print a shell completion script (e.g. `npmrc-guard completions bash > /etc/bash_completion.d/npmrc-guard`).
    Completions(CompletionsArgs),
    /// Print the man page (roff): `npmrc-guard man | man -l -`.
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The page of this command (`npmrc-guard-COMMAND(1)`) instead of the tool's.
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    #[value(name = "powershell")]
    PowerShell,
    Elvish,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files to check; `-` reads standard input. Default: ./.npmrc
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Skip files that an exclude glob names (with --force-exclude).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Apply --exclude to files named on the command line too (what the
    /// pre-commit framework needs: it passes every matching file).
    #[arg(long)]
    pub force_exclude: bool,

    /// Rewrite what can be rewritten (see `npmrc-guard fix`).
    #[arg(long)]
    pub fix: bool,

    /// Also check the configs git tracks in this folder and every folder
    /// under it (.npmrc, .yarnrc.yml, .yarnrc, bunfig.toml) and what they
    /// name, whatever FILEs are given (none is fine): the pre-commit
    /// framework passes only the files its filter matches, and a commit
    /// that changes only a file a `.npmrc` names matches none.
    #[arg(long)]
    pub project: bool,

    #[command(flatten)]
    pub secrets: SecretArgs,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// Files to fix. Default: ./.npmrc
    #[arg(value_name = "FILE", conflicts_with = "staged")]
    pub files: Vec<PathBuf>,

    /// Fix the staged files: the index blob and the work-tree file, each on
    /// its own (unstaged changes stay unstaged).
    #[arg(long)]
    pub staged: bool,

    /// Run as if started in DIR (like `git -C`).
    #[arg(short = 'C', long = "repo", value_name = "DIR")]
    pub repo: Option<PathBuf>,

    #[command(flatten)]
    pub globs: GlobArgs,

    #[command(flatten)]
    pub secrets: SecretArgs,
}

/// Where the secrets a fix removes go. One is required unless a terminal
/// can be asked.
#[derive(Debug, Args)]
pub struct SecretArgs {
    /// Append NAME=value lines to this dotenv file (mode 0600; refused when
    /// it is in the repository and git does not ignore it).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["move_to_user_config", "discard_secrets"])]
    pub save_env: Option<PathBuf>,

    /// Move the credential lines to your user npm config
    /// ($NPM_CONFIG_USERCONFIG or ~/.npmrc), where npm, pnpm, yarn 1 and bun read them.
    #[arg(long, conflicts_with = "discard_secrets")]
    pub move_to_user_config: bool,

    /// Drop the secrets: you will revoke them.
    #[arg(long)]
    pub discard_secrets: bool,

    /// The variable name to use (when the file holds one secret).
    #[arg(long, value_name = "NAME", value_parser = VarName)]
    pub var: Option<String>,
}

/// `--var NAME`, checked by `standin::is_fixer_name`. A parser of its own,
/// not a function: clap's message for a function's error quotes the value,
/// and a secret typed where the name goes must not be shown whole.
#[derive(Clone)]
struct VarName;

impl clap::builder::TypedValueParser for VarName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        match value.to_str() {
            Some(name) if crate::standin::is_fixer_name(name) => Ok(name.to_string()),
            _ => Err(clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!(
                    "invalid value for '--var <NAME>': {}\n",
                    crate::standin::FIXER_NAME_RULE
                ),
            )
            .with_cmd(cmd)),
        }
    }
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Scan the blobs in the index that differ from HEAD (the pre-commit hook).
    #[arg(long)]
    pub staged: bool,

    /// With --staged, in the hook: offer the fix on the terminal.
    #[arg(long, hide = true, requires = "staged")]
    pub offer_fix: bool,

    /// Scan every distinct blob at a matching path in every commit reachable
    /// from any ref: was a token ever committed?
    #[arg(long, conflicts_with = "staged")]
    pub history: bool,

    /// With --history: only the commits of this range (A..B, as git reads it).
    #[arg(long, value_name = "A..B", conflicts_with = "staged")]
    pub range: Option<String>,

    /// Run as if started in DIR (like `git -C`).
    #[arg(short = 'C', long = "repo", value_name = "DIR")]
    pub repo: Option<PathBuf>,

    #[command(flatten)]
    pub globs: GlobArgs,

    /// Rewrite what can be rewritten (see `npmrc-guard fix`).
    #[arg(long, conflicts_with_all = ["history", "range"])]
    pub fix: bool,

    #[command(flatten)]
    pub secrets: SecretArgs,
}

#[derive(Debug, Args)]
pub struct GlobArgs {
    /// Files to scan, as globs over paths relative to the repository root
    /// (repeatable). Default: **/.npmrc
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Files not to scan (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
}

#[derive(Debug, Args)]
pub struct HookArgs {
    /// Which hook.
    #[arg(long, value_enum, default_value_t = HookKind::PreCommit)]
    pub hook: HookKind,

    /// Where the hook goes: the config of the hook manager the repository
    /// uses (found with `auto`), or a plain git hook (`git`).
    #[arg(long, value_enum, default_value_t = Choice::Auto)]
    pub manager: Choice,

    /// Run as if started in DIR (like `git -C`).
    #[arg(short = 'C', long = "repo", value_name = "DIR")]
    pub repo: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PrePushArgs {
    /// The remote's name and URL, as git passes them to the hook.
    #[arg(num_args = 0..=2)]
    pub remote: Vec<String>,
}
