//! Orchestration: inputs → parse → detect → report.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::cli::{CheckArgs, Cli, Command, FixArgs, HookArgs, ScanArgs};
use crate::config::{self, Config};
use crate::detect::Detected;
use crate::finding::Severity;
use crate::fix;
use crate::inputs::{self, Input};
use crate::report::{self, FixHint, Format, Report};
use crate::select::Selector;
use crate::{docs, git, managers};

/// How a run ended (SPEC.md, "Exit status").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    Clean = 0,
    Findings = 1,
    Error = 2,
}

/// Where a run writes: findings to `out`, diagnostics to `err`.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

impl std::fmt::Debug for Io<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Io")
    }
}

/// The options every command shares, and the config file once loaded.
#[derive(Debug)]
pub struct Settings {
    pub format: Format,
    pub quiet: bool,
    pub exit_zero: bool,
    config_file: Option<PathBuf>,
    no_config: bool,
    pub config: Config,
}

impl Settings {
    /// Load the config file: `--config FILE`, else `.npmrc-guard.toml` at
    /// `root` (the repository root), unless `--no-config`.
    fn load_config(&mut self, root: &std::path::Path) -> Result<(), String> {
        if !self.no_config {
            self.config = config::load(self.config_file.as_deref(), root)?;
        }
        Ok(())
    }

    fn selector(&self, include: &[String], exclude: &[String]) -> Result<Selector, String> {
        selector(&self.config, include, exclude)
    }

    /// The config for reviewing commits against `base` (`A` of `A..B`, the
    /// remote's commit for pre-push): `--config FILE` when given, else the
    /// file in `base`'s tree, never the one in the commits under review.
    /// No base, or `--no-config`: the defaults. Also the config file's blob
    /// id in `base`, to tell a change inside the range.
    fn base_config(
        &self,
        repo: &git2::Repository,
        base: Option<git2::Oid>,
        io: &mut Io<'_>,
    ) -> Result<(Config, Option<git2::Oid>), String> {
        let in_base = match base {
            Some(commit) => git::file_at(repo, commit, config::FILE_NAME)?,
            None => None,
        };
        let id = in_base.as_ref().map(|(id, _)| *id);
        let file = match (&in_base, base) {
            (Some((_, bytes)), Some(commit)) => Some((commit.to_string(), bytes.as_slice())),
            _ => None,
        };
        Ok((self.review_config(file, io)?, id))
    }

    /// The config for what a commit about to be made holds (`scan
    /// --staged`, and `check` under the pre-commit framework): the one at
    /// `rev` (`HEAD`, or the base of the framework's `--from-ref`), never
    /// the work tree's or the index's, which the commit under review may
    /// change (an `exclude` or `allow` added beside the token it lets
    /// through). No such commit (a first commit): the defaults. A
    /// different work-tree config is named on standard error, so its
    /// change can be committed on its own first.
    fn committed_config(
        &mut self,
        repo: Option<&git2::Repository>,
        rev: &str,
        root: &std::path::Path,
        io: &mut Io<'_>,
    ) -> Result<(), String> {
        if self.no_config || self.config_file.is_some() {
            self.config = self.review_config(None, io)?;
            return Ok(());
        }
        let in_rev = match repo {
            Some(repo) => match repo.revparse_single(rev).and_then(|o| o.peel_to_commit()) {
                Ok(c) => git::file_at(repo, c.id(), config::FILE_NAME)?
                    .map(|(_, b)| (c.id().to_string(), b)),
                Err(_) => None,
            },
            None => match git::plumbing::file_at(rev, config::FILE_NAME) {
                Ok((commit, blob)) => blob.map(|(_, b)| (commit, b)),
                Err(_) => None,
            },
        };
        let on_disk = config::read(&root.join(config::FILE_NAME)).ok();
        if on_disk.as_deref() != in_rev.as_ref().map(|(_, b)| b.as_slice()) {
            // A commit id, as `git log --oneline` shows one.
            let shown = if rev.len() >= 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
                &rev[..12]
            } else {
                rev
            };
            let _ = writeln!(
                io.err,
                "note: {} differs from {shown}'s; the commit is checked with {shown}'s (commit a change to it on its own first)",
                config::FILE_NAME
            );
        }
        self.config =
            self.review_config(in_rev.as_ref().map(|(c, b)| (c.clone(), b.as_slice())), io)?;
        Ok(())
    }

    /// The config a review runs under: none with `--no-config`, `--config
    /// FILE` when given, else `in_base`, the config file's content in the
    /// base commit it names (the defaults without one).
    ///
    /// A committed file that does not parse (conflict markers, a key a
    /// newer version knows) gives the defaults, the strictest config, with
    /// a note: every commit, the one that repairs it too, would otherwise
    /// be refused (review 7, #10).
    fn review_config(
        &self,
        in_base: Option<(String, &[u8])>,
        io: &mut Io<'_>,
    ) -> Result<Config, String> {
        if self.no_config {
            return Ok(Config::default());
        }
        if let Some(file) = &self.config_file {
            return config::load(Some(file), std::path::Path::new("."));
        }
        let Some((commit, bytes)) = in_base else {
            return Ok(Config::default());
        };
        let origin = format!("{} in {commit}", config::FILE_NAME);
        match Config::from_str(&String::from_utf8_lossy(bytes), &origin) {
            Ok(config) => Ok(config),
            Err(why) => {
                let _ = writeln!(
                    io.err,
                    "note: {why}; the defaults apply (no include, exclude or allow of it)"
                );
                Ok(Config::default())
            }
        }
    }
}

/// The include globs always start from the defaults: a config file or an
/// option adds to them and can never narrow them.
fn selector(config: &Config, include: &[String], exclude: &[String]) -> Result<Selector, String> {
    let mut inc: Vec<String> = crate::select::DEFAULT_INCLUDE
        .iter()
        .map(|s| s.to_string())
        .collect();
    inc.extend(include.iter().cloned());
    inc.extend(config.include.iter().cloned());
    inc.sort();
    inc.dedup();
    let mut exc = exclude.to_vec();
    exc.extend(config.exclude.iter().cloned());
    Selector::new(&inc, &exc)
}

/// One set of commits to review, with the config it is reviewed under.
struct Review {
    range: git::Range,
    config: Config,
    sel: Selector,
    /// The config file's blob id on the base side, when the review has
    /// one: a commit in the range with another is a `config-changed`.
    base_config: Option<Option<git2::Oid>>,
    /// Where an allow comment counts.
    comments: Comments,
}

/// Where an allow comment (`; npmrc-guard: allow`) counts: the commits
/// under review cannot exempt their own findings (SPEC.md, "Config"), as
/// they cannot change the config their review reads.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Comments {
    /// As written: the user's own files, or the commit being made.
    Own,
    /// Only where the base's version of the file already exempts the same
    /// secret, or in a commit the base reaches (reviewed before): the base
    /// commit, or `None` when the clone holds none, and then nowhere.
    Base(Option<String>),
}

impl Comments {
    /// The range review's rule: its base side, if it has one.
    fn of_range(base: Option<git2::Oid>) -> Self {
        base.map_or(Comments::Own, |b| Comments::Base(Some(b.to_string())))
    }

    /// What allow comments in `bytes` at `path` exempt that they may not
    /// here, each reported saying why ([`unearned_allows`]). `at`: the
    /// repository path the bytes come from (a symbolic link's target);
    /// `commit`: where a history first holds the blob (`None`: the
    /// checkout); `read` reads a file at a commit.
    fn unearned(
        &self,
        (path, at): (&str, &str),
        bytes: &[u8],
        commit: Option<&str>,
        read: &dyn Fn(&str, &str) -> Option<Vec<u8>>,
        reviewed: &Reviewed<'_>,
        config: &Config,
    ) -> Vec<crate::finding::Finding> {
        let Comments::Base(base) = self else {
            return Vec::new();
        };
        let at_base = |_: &str| base.as_deref().and_then(|b| read(b, at));
        let found = unearned_allows(path, bytes, at_base, config);
        if found.is_empty() || commit.is_some_and(|c| reviewed.holds(c)) {
            return Vec::new();
        }
        found
    }
}

/// The commits a review's base reaches, which were reviewed before: listed
/// once, when first asked (only a comment the base's file lacks asks).
struct Reviewed<'a> {
    repo: &'a dyn crate::ci::Commits,
    base: Option<String>,
    commits: std::cell::OnceCell<std::collections::HashSet<String>>,
}

impl<'a> Reviewed<'a> {
    fn new(repo: &'a dyn crate::ci::Commits, comments: &Comments) -> Self {
        let base = match comments {
            Comments::Base(base) => base.clone(),
            Comments::Own => None,
        };
        Reviewed {
            repo,
            base,
            commits: std::cell::OnceCell::new(),
        }
    }

    /// Whether the base reaches `commit`.
    fn holds(&self, commit: &str) -> bool {
        let Some(base) = &self.base else {
            return false;
        };
        self.commits
            .get_or_init(|| self.repo.ancestors(base))
            .contains(commit)
    }
}

/// Reads a file at a commit: libgit2 when it opens the repository, else
/// git's plumbing (SHA-256, reftable).
fn file_reader(repo: Option<&git2::Repository>) -> impl Fn(&str, &str) -> Option<Vec<u8>> + '_ {
    move |commit: &str, path: &str| match repo {
        Some(repo) => git::blob_at(repo, git2::Oid::from_str(commit).ok()?, path),
        None => git::plumbing::file_at(commit, path)
            .ok()
            .and_then(|(_, f)| f.map(|(_, b)| b)),
    }
}

/// [`Comments::unearned`] over files read from the checkout, whose paths
/// are relative to `dir`, in the work tree at `root`. A file outside it
/// (or standard input) is in no commit under review: its comments count.
fn checkout_unearned(
    inputs: &[Input],
    comments: &Comments,
    repo: Option<&git2::Repository>,
    (root, dir): (&std::path::Path, &std::path::Path),
    config: &Config,
) -> Vec<crate::finding::Finding> {
    if *comments == Comments::Own {
        return Vec::new();
    }
    let read = file_reader(repo);
    let plumbing = git::plumbing::Commits;
    let commits: &dyn crate::ci::Commits = match repo {
        Some(repo) => repo,
        None => &plumbing,
    };
    // The checkout is no commit: never asked.
    let reviewed = Reviewed::new(commits, comments);
    inputs
        .iter()
        .filter(|i| i.path != "-")
        .filter_map(|i| Some((i, repo_path(root, dir, &i.path)?, i.content.as_ref().ok()?)))
        .flat_map(|(i, path, bytes)| {
            // A link's target is named from the root already (`scan`), or
            // read through by the file system (`check`).
            let at = i
                .via
                .clone()
                .or_else(|| link_target(root, &dir.join(&i.path)))
                .unwrap_or_else(|| path.clone());
            comments.unearned((&path, &at), bytes, None, &read, &reviewed, config)
        })
        .collect()
}

/// Where the symbolic link at `file` leads in the work tree at `root`, as
/// a path in it; `None` for no link, or one that leads out of it.
fn link_target(root: &std::path::Path, file: &std::path::Path) -> Option<String> {
    if !std::fs::symlink_metadata(file)
        .ok()?
        .file_type()
        .is_symlink()
    {
        return None;
    }
    let root = std::fs::canonicalize(root).ok()?;
    let target = std::fs::canonicalize(file).ok()?;
    repo_path(&root, &root, target.to_str()?)
}

/// `path` (relative to `dir`) as a path in the work tree at `root`, with
/// `/` between its parts; `None` outside it.
fn repo_path(root: &std::path::Path, dir: &std::path::Path, path: &str) -> Option<String> {
    use std::path::Component;
    let mut abs = PathBuf::new();
    for c in dir.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                abs.pop();
            }
            c => abs.push(c),
        }
    }
    let rel = abs.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The work-tree root of the repository around the current directory (the
/// nearest folder holding `.git`), or the directory itself. Plain file
/// system checks: `check` runs on every commit and must not pay for
/// opening a repository.
fn root_here() -> PathBuf {
    let here = std::env::current_dir().unwrap_or_default();
    here.ancestors()
        .find(|dir| dir.join(".git").exists())
        .map_or_else(|| here.clone(), std::path::Path::to_path_buf)
}

pub fn run(cli: Cli, io: &mut Io<'_>) -> ExitStatus {
    let mut s = Settings {
        format: cli.output.format,
        quiet: cli.output.quiet,
        exit_zero: cli.output.exit_zero,
        config_file: cli.output.config.clone(),
        no_config: cli.output.no_config,
        config: Config::default(),
    };
    let result = match cli.command {
        Command::Check(args) => check(&args, &mut s, io),
        Command::Scan(mut args) => {
            let base = framework_review(&mut args, io);
            scan(&args, base, &mut s, io)
        }
        Command::Fix(args) => fix(&args, &mut s, io),
        Command::PrePush(args) => pre_push(&args, &mut s, io),
        Command::Install(args) => hooks(&args, true, io),
        Command::Uninstall(args) => hooks(&args, false, io),
        Command::Completions(args) => docs::completions(args.shell, io.out),
        Command::Man(args) => docs::man(args.command.as_deref(), io.out),
    };
    result.unwrap_or_else(|msg| {
        let _ = writeln!(io.err, "error: {msg}");
        ExitStatus::Error
    })
}

/// `-C DIR`: run as if started there.
fn enter(dir: Option<&PathBuf>) -> Result<(), String> {
    if let Some(dir) = dir {
        std::env::set_current_dir(dir).map_err(|e| {
            format!(
                "cannot change to {}: {}",
                inputs::shown(dir),
                inputs::describe(&e)
            )
        })?;
    }
    Ok(())
}

fn check(args: &CheckArgs, s: &mut Settings, io: &mut Io<'_>) -> Result<ExitStatus, String> {
    let mut files = if args.files.is_empty() && !args.project {
        vec![PathBuf::from(".npmrc")]
    } else {
        args.files.clone()
    };
    if args.project {
        // Only what git tracks (an untracked file is in no commit), in
        // every folder: the configs, and what they name is added below.
        for p in git::plumbing::tracked_named(&[".npmrc", ".yarnrc.yml", ".yarnrc", "bunfig.toml"])?
        {
            let given = files
                .iter()
                .any(|f| f == &p || f.strip_prefix(".").is_ok_and(|f| f == p));
            if !given && std::fs::symlink_metadata(&p).is_ok() {
                files.push(p);
            }
        }
    }
    // Under the pre-commit framework (it sets PRE_COMMIT=1, and the base of
    // a `--from-ref` review in CI), the config is the committed one, as
    // for `scan --staged`: the files under review cannot bring their own.
    let review = under_framework() || in_ci();
    let repo = review.then(|| git::open().ok()).flatten();
    let comments = if review {
        checkout_config(s, repo.as_ref(), &root_here(), io)?
    } else {
        s.load_config(&root_here())?;
        Comments::Own
    };
    let sel = s.selector(&[], &args.exclude)?;
    let files = files.iter().filter(|p| {
        let rel = crate::os::as_bytes(p.as_os_str());
        let rel = rel.strip_prefix(b"./").unwrap_or(&rel);
        !(args.force_exclude && sel.is_excluded(rel))
    });
    let inputs = with_named_on_disk(files.map(|p| inputs::read_named(p)).collect());
    if args.fix {
        return fix::run::fix_files(inputs, &args.secrets, s, io);
    }
    let here = std::env::current_dir().unwrap_or_default();
    let unearned = checkout_unearned(
        &inputs,
        &comments,
        repo.as_ref(),
        (&root_here(), &here),
        &s.config,
    );
    note_no_base(&comments, &unearned, io);
    let (mut report, read_failed) = scan_inputs(inputs.into_iter(), &s.config, io);
    report.findings.extend(unearned);
    report.sort();
    Ok(finish(&report, read_failed, s, &FixHint::Files, io))
}

/// Whether a CI runs this ([`crate::ci::in_ci`]).
fn in_ci() -> bool {
    crate::ci::in_ci(&|n| std::env::var(n).ok())
}

/// Whether `scan` in CI reviews `HEAD` itself: the checkout, or its whole
/// history, whose own `.npmrc-guard.toml` must not decide the scan of the
/// change under review (review 7, #17). Not a fix (it rewrites with the
/// user's own settings), not a range (read against its base).
fn ci_reviews_head(args: &ScanArgs) -> bool {
    !args.staged && !args.fix && args.range.is_none() && in_ci()
}

/// Whether the pre-commit framework runs this (it sets `PRE_COMMIT=1`).
fn under_framework() -> bool {
    std::env::var_os("PRE_COMMIT").is_some_and(|v| v == "1")
}

/// A revision the framework gives in `name` (`--from-ref`, `--to-ref`),
/// when it names one (not empty, not an option).
fn framework_ref(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|r| !r.is_empty() && !r.starts_with('-'))
}

/// Set the config a review of what is checked out reads (a run under the
/// pre-commit framework, or any `check`, `scan` or `scan --history` in CI,
/// where `HEAD` is under review): the committed one at [`checkout_base`];
/// with no base, none (a note says why, when there is a config file to
/// ignore).
fn checkout_config(
    s: &mut Settings,
    repo: Option<&git2::Repository>,
    root: &std::path::Path,
    io: &mut Io<'_>,
) -> Result<Comments, String> {
    let (base, comments) = checkout_base(repo);
    if let Some(rev) = base {
        s.committed_config(repo, &rev, root, io)?;
        return Ok(comments);
    }
    if !(s.no_config || s.config_file.is_some()) && root.join(config::FILE_NAME).exists() {
        let _ = writeln!(
            io.err,
            "note: a run that makes no commit reviews HEAD itself, and this clone holds no base for it (in CI, the base the CI names: a pull request's base, a push's first commit, where a branch left the default branch): {} does not apply (fetch the base, e.g. actions/checkout with fetch-depth: 0, or run pre-commit with --from-ref BASE --to-ref HEAD; a run on a protected branch may trust its own file with --config {})",
            config::FILE_NAME,
            config::FILE_NAME
        );
    }
    s.config = s.review_config(None, io)?;
    Ok(comments)
}

/// The commit whose `.npmrc-guard.toml` a run under the pre-commit
/// framework reviews with: the base of a `--from-ref` review; `HEAD` for a
/// commit being made (git gives its hooks `GIT_INDEX_FILE`); otherwise a
/// run on what is checked out (`pre-commit run --all-files`, as CI runs
/// it), where `HEAD` is itself under review (review 5 #3, review 6 #1):
/// the base [`crate::ci::Base::choose`] finds, `None` when there is none.
/// Also where the checkout's allow comments count: where that base has
/// them too, as for the config; as written only in a commit being made,
/// whose comments are its author's own (as for `scan --staged`).
fn checkout_base(repo: Option<&git2::Repository>) -> (Option<String>, Comments) {
    use crate::ci::Commits;
    // A repository libgit2 cannot open (SHA-256): git answers.
    let plumbing = git::plumbing::Commits;
    let commits: &dyn Commits = match repo {
        Some(repo) => repo,
        None => &plumbing,
    };
    if let Some(from) = framework_ref("PRE_COMMIT_FROM_REF") {
        let commit = commits.commit(&from);
        return (Some(from), Comments::Base(commit));
    }
    if std::env::var_os("GIT_INDEX_FILE").is_some() {
        return (Some("HEAD".to_string()), Comments::Own);
    }
    let ci = crate::ci::base(&|n| std::env::var(n).ok(), &|p| std::fs::read(p).ok());
    let base = ci.choose(commits);
    (base.clone(), Comments::Base(base))
}

/// `inputs` and the files they name, read from disk: what they name as
/// `userconfig=`/`globalconfig=`, and what those name in turn, and the env
/// files beside them that yarn or bun load ([`crate::envfiles`]). Only
/// files that are there: a config CI writes later, or a folder (npm records
/// an error and reads nothing from it), is no error.
fn with_named_on_disk(mut inputs: Vec<Input>) -> Vec<Input> {
    let mut from = 0;
    // Sets, not searches: a config may name one file thousands of times
    // (`injectEnvironmentFiles`), and each git lookup opens the repository.
    let mut have: std::collections::HashSet<String> =
        inputs.iter().map(|i| i.path.clone()).collect();
    for _ in 0..git::NAMED_ROUNDS {
        let mut asked = std::collections::HashSet::new();
        let named: Vec<PathBuf> = inputs[from..]
            .iter()
            .filter_map(|i| Some((i, i.content.as_ref().ok()?)))
            .flat_map(|(i, bytes)| {
                let dir = std::path::Path::new(&i.path).parent().map(PathBuf::from);
                // A file git ignores is never committed: it is where the
                // secrets belong (`fix --save-env`, a `.npmrc.local` a
                // committed `userconfig=` names; review 6, #7).
                let partners = crate::envfiles::partners(&i.path, bytes)
                    .into_iter()
                    .map(PathBuf::from)
                    .filter(|p| p.is_file());
                crate::files::named_relative(&i.path, bytes)
                    .into_iter()
                    .map(move |v| {
                        dir.clone()
                            .unwrap_or_default()
                            .join(v)
                            .components()
                            .filter(|c| *c != std::path::Component::CurDir)
                            .collect::<PathBuf>()
                    })
                    .chain(partners)
            })
            .filter(|p| asked.insert(p.clone()))
            .filter(|p| {
                std::fs::metadata(p).is_ok_and(|m| m.is_file())
                    && (git::ignored(p) != Ok(Some(true)) || git::tracked(p) == Ok(true))
            })
            .collect();
        from = inputs.len();
        for p in named {
            let input = inputs::read_named(&p);
            if have.insert(input.path.clone()) {
                inputs.push(input);
            }
        }
        if inputs.len() == from {
            break;
        }
    }
    inputs
}

/// `scan --staged` under the pre-commit framework (`PRE_COMMIT=1`, our
/// `repo: local` entry) when no commit is being made (git gives a commit's
/// hooks `GIT_INDEX_FILE`): `pre-commit run --from-ref A --to-ref B`
/// reviews the commits `A..B`, `pre-commit run --all-files` (as CI runs
/// it) the checkout; the index holds nothing new there, and a scan of it
/// would pass anything (review 5). `args` becomes that review; for the
/// checkout the answer is `true`: its config is read from a base
/// ([`checkout_base`]).
fn framework_review(args: &mut ScanArgs, io: &mut Io<'_>) -> bool {
    if !args.staged
        || args.fix
        || !under_framework()
        || std::env::var_os("GIT_INDEX_FILE").is_some()
    {
        return false;
    }
    args.staged = false;
    args.offer_fix = false;
    if let (Some(from), Some(to)) = (
        framework_ref("PRE_COMMIT_FROM_REF"),
        framework_ref("PRE_COMMIT_TO_REF"),
    ) {
        let _ = writeln!(
            io.err,
            "note: under pre-commit with --from-ref, no commit is being made: scanning the commits {from}..{to}"
        );
        args.range = Some(format!("{from}..{to}"));
        return false;
    }
    let _ = writeln!(
        io.err,
        "note: under pre-commit outside a commit (--all-files), nothing is staged: scanning the checkout"
    );
    true
}

fn scan(
    args: &ScanArgs,
    checkout_review: bool,
    s: &mut Settings,
    io: &mut Io<'_>,
) -> Result<ExitStatus, String> {
    enter(args.repo.as_ref())?;
    let repo = match git::open() {
        Ok(repo) => repo,
        Err(e) => return scan_by_plumbing(args, checkout_review, s, io, e),
    };
    let root = repo.workdir().unwrap_or(repo.path()).to_path_buf();
    // The work tree's config only where it decides: not for what a commit
    // holds, nor a review read against its base (a file being edited, or
    // one a commit under review brought, must not stop those).
    let mut comments = Comments::Own;
    if args.staged {
        s.committed_config(Some(&repo), "HEAD", &root, io)?;
    } else if checkout_review || ci_reviews_head(args) {
        comments = checkout_config(s, Some(&repo), &root, io)?;
    } else if args.range.is_none() {
        s.load_config(&root)?;
    }
    let sel = s.selector(&args.globs.include, &args.globs.exclude)?;
    if args.history || args.range.is_some() {
        let review = match &args.range {
            Some(spec) => {
                let base = git::range_base(&repo, spec)?;
                let (config, id) = s.base_config(&repo, base, io)?;
                Review {
                    range: git::Range::Spec(spec.clone()),
                    sel: selector(&config, &args.globs.include, &args.globs.exclude)?,
                    config,
                    base_config: Some(id),
                    comments: Comments::of_range(base),
                }
            }
            None => Review {
                range: git::Range::All,
                config: s.config.clone(),
                sel,
                base_config: None,
                comments,
            },
        };
        return history(&repo, &[review], s, io);
    }
    if args.fix {
        let root = git::workdir(&repo)?;
        if args.staged {
            let staging = git::Staging::Lib(&repo);
            return fix::run::fix_staged_as_asked(&staging, &sel, &root, &args.secrets, s, io);
        }
        let listing = git::with_named(
            &sel,
            |sel| git::worktree(&repo, sel),
            |n| Ok(git::worktree_through(&root, n)),
        )?;
        // The paths are relative to the root: write them from there.
        enter(Some(&root))?;
        return fix::run::fix_files(listing.inputs, &args.secrets, s, io);
    }
    let (listing, hint) = if args.staged {
        (git::Staging::Lib(&repo).staged(&sel)?, FixHint::Staged)
    } else {
        (
            git::with_named(
                &sel,
                |sel| git::worktree(&repo, sel),
                |n| Ok(git::worktree_through(&root, n)),
            )?,
            FixHint::Files,
        )
    };
    let unearned = checkout_unearned(
        &listing.inputs,
        &comments,
        Some(&repo),
        (&root, &root),
        &s.config,
    );
    note_no_base(&comments, &unearned, io);
    let (report, status) = report_listing(listing, unearned, args.staged, &hint, s, io);
    if status == ExitStatus::Findings && args.offer_fix {
        let root = git::workdir(&repo)?;
        return fix::run::offer_fix(&git::Staging::Lib(&repo), &root, &sel, &report, s, io);
    }
    Ok(status)
}

/// Print a listing's notes, scan its inputs and report: quiet in the hook
/// (`staged`) when nothing is found.
fn report_listing(
    listing: git::Listing,
    unearned: Vec<crate::finding::Finding>,
    staged: bool,
    hint: &FixHint,
    s: &mut Settings,
    io: &mut Io<'_>,
) -> (Report, ExitStatus) {
    for note in &listing.notes {
        let _ = writeln!(io.err, "note: {note}");
    }
    let (mut report, read_failed) = scan_inputs(listing.inputs.into_iter(), &s.config, io);
    report.findings.extend(unearned);
    report.sort();
    let quiet = s.quiet;
    s.quiet |= staged;
    let status = finish(&report, read_failed, s, hint, io);
    s.quiet = quiet;
    (report, status)
}

/// `scan` in a repository libgit2 cannot open (the SHA-256 object format, reftable refs):
/// git's plumbing lists and reads the staged files, the work tree or the
/// history. `open_error` is the answer when git does not know the
/// repository either.
fn scan_by_plumbing(
    args: &ScanArgs,
    checkout_review: bool,
    s: &mut Settings,
    io: &mut Io<'_>,
    open_error: String,
) -> Result<ExitStatus, String> {
    if git::plumbing::object_format().is_err() {
        return Err(open_error);
    }
    let root = git::plumbing::toplevel()?;
    if args.history || args.range.is_some() {
        return history_by_plumbing(args, s, io, &root);
    }
    let mut comments = Comments::Own;
    if args.staged {
        s.committed_config(None, "HEAD", &root, io)?;
    } else if checkout_review || ci_reviews_head(args) {
        comments = checkout_config(s, None, &root, io)?;
    } else {
        s.load_config(&root)?;
    }
    let sel = s.selector(&args.globs.include, &args.globs.exclude)?;
    if args.fix {
        if args.staged {
            let staging = git::Staging::Plumbing;
            return fix::run::fix_staged_as_asked(&staging, &sel, &root, &args.secrets, s, io);
        }
        let listing = git::with_named(&sel, git::plumbing::worktree, |n| {
            Ok(git::worktree_through(&root, n))
        })?;
        enter(Some(&root))?;
        return fix::run::fix_files(listing.inputs, &args.secrets, s, io);
    }
    let (listing, hint) = if args.staged {
        (git::Staging::Plumbing.staged(&sel)?, FixHint::Staged)
    } else {
        (
            git::with_named(&sel, git::plumbing::worktree, |n| {
                Ok(git::worktree_through(&root, n))
            })?,
            FixHint::Files,
        )
    };
    let unearned = checkout_unearned(&listing.inputs, &comments, None, (&root, &root), &s.config);
    note_no_base(&comments, &unearned, io);
    let (report, status) = report_listing(listing, unearned, args.staged, &hint, s, io);
    if status == ExitStatus::Findings && args.offer_fix {
        return fix::run::offer_fix(&git::Staging::Plumbing, &root, &sel, &report, s, io);
    }
    Ok(status)
}

/// `scan --history [--range A..B]` by git's plumbing: the same verdicts as
/// [`history`], the same shallow-clone rule, the config from the base side.
fn history_by_plumbing(
    args: &ScanArgs,
    s: &mut Settings,
    io: &mut Io<'_>,
    root: &std::path::Path,
) -> Result<ExitStatus, String> {
    let Some(spec) = &args.range else {
        if git::plumbing::is_shallow()? {
            return Err("this is a shallow clone: the history it lacks cannot be scanned; run `git fetch --unshallow` first (or fetch-depth: 0 in actions/checkout), or scan a --range whose commits are all here".to_string());
        }
        let comments = if ci_reviews_head(args) {
            checkout_config(s, None, root, io)?
        } else {
            s.load_config(root)?;
            Comments::Own
        };
        let config = s.config.clone();
        let sel = selector(&config, &args.globs.include, &args.globs.exclude)?;
        return review_by_plumbing(None, &[], &sel, config, None, comments, s, io);
    };
    // `A..B` and `A...B` are read against A.
    let base = spec
        .split_once("..")
        .map(|(a, _)| a)
        .filter(|a| !a.is_empty());
    let (config, base_config) = plumbing_base_config(s, base, io)?;
    let sel = selector(&config, &args.globs.include, &args.globs.exclude)?;
    // `B` of `A..B` (HEAD when left out).
    let tip = match spec.rsplit_once("..") {
        Some((_, b)) if b.trim_start_matches('.').is_empty() => "HEAD",
        Some((_, b)) => b.trim_start_matches('.'),
        None => spec.as_str(),
    };
    review_by_plumbing(
        Some(&["--end-of-options".to_string(), spec.clone()]),
        &[tip.to_string()],
        &sel,
        config,
        Some(base_config),
        base.map_or(Comments::Own, |b| Comments::Base(Some(b.to_string()))),
        s,
        io,
    )
}

/// [`Settings::base_config`] by git's plumbing: `--config FILE`, else the
/// file in `base`'s tree; also its blob id there (`None`: no such file).
fn plumbing_base_config(
    s: &Settings,
    base: Option<&str>,
    io: &mut Io<'_>,
) -> Result<(Config, Option<String>), String> {
    let in_base = match base {
        Some(rev) => Some(git::plumbing::file_at(rev, config::FILE_NAME)?),
        None => None,
    };
    let file = match &in_base {
        Some((commit, Some((_, bytes)))) => Some((commit.clone(), bytes.as_slice())),
        _ => None,
    };
    let config = s.review_config(file, io)?;
    Ok((config, in_base.and_then(|(_, f)| f.map(|(id, _)| id))))
}

/// Scan what the commits of `revs` bring (`None`: every ref), by git's
/// plumbing; with the base side's config file blob id (`base_config`), a
/// commit that changes the config file is a `config-changed` warning; an
/// allow comment counts as `comments` says.
#[allow(clippy::too_many_arguments)]
fn review_by_plumbing(
    revs: Option<&[String]>,
    tips: &[String],
    sel: &Selector,
    config: Config,
    base_config: Option<Option<String>>,
    comments: Comments,
    s: &Settings,
    io: &mut Io<'_>,
) -> Result<ExitStatus, String> {
    let (mut walked, mut notes) = git::plumbing::history(sel, revs, tips, config::FILE_NAME)?;
    // As in [`history`]: files named in the commits or at the tips.
    let mut sel = sel.clone();
    let mut link_notes: Vec<String> = Vec::new();
    for _ in 0..git::NAMED_ROUNDS {
        let mut named: Vec<String> = Vec::new();
        let mut through = |names: Vec<String>, commit: &str, named: &mut Vec<String>| {
            if names.is_empty() {
                return;
            }
            let (real, why) = git::plumbing::tree_through(commit, &names);
            for p in names.into_iter().chain(real) {
                if !named.contains(&p) {
                    named.push(p);
                }
            }
            for note in why.into_iter().map(|n| format!("{n} (in {commit})")) {
                if !link_notes.contains(&note) {
                    link_notes.push(note);
                }
            }
        };
        for h in &walked.inputs {
            through(
                git::named_by(std::iter::once(&h.input)),
                &h.commit,
                &mut named,
            );
        }
        for tip in tips {
            let at_tip = git::named_by(git::plumbing::files_at(tip, &sel)?.iter());
            through(at_tip, tip, &mut named);
        }
        let Some(wider) = sel.also(&named) else {
            break;
        };
        (walked, notes) = git::plumbing::history(&wider, revs, tips, config::FILE_NAME)?;
        sel = wider;
    }
    notes.extend(link_notes);
    for note in &notes {
        let _ = writeln!(io.err, "note: {note}");
    }
    let mut report = Report::default();
    if let Some(base) = &base_config {
        for (id, commit) in &walked.configs {
            if id != base {
                report.findings.push(config_changed(commit));
            }
        }
    }
    let mut first: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut pairing = Vec::new();
    let reviewed = Reviewed::new(&git::plumbing::Commits, &comments);
    for h in walked.inputs {
        let bytes = h
            .input
            .content
            .map_err(|m| format!("{} in {}: {m}", h.input.path, h.commit))?;
        report.files += 1;
        for f in scan_bytes(&h.input.path, &bytes, &config) {
            let mut f = f.finding;
            f.commit = Some(h.commit.clone());
            if first.insert(f.fingerprint.get().to_string()) {
                report.findings.push(f);
            }
        }
        let read = file_reader(None);
        let commit = Some(h.commit.as_str());
        let at = h.input.via.as_deref().unwrap_or(&h.input.path);
        let unearned = comments.unearned(
            (&h.input.path, at),
            &bytes,
            commit,
            &read,
            &reviewed,
            &config,
        );
        for mut f in unearned {
            f.commit = Some(h.commit.clone());
            if first.insert(f.fingerprint.get().to_string()) {
                report.findings.push(f);
            }
        }
        if crate::envfiles::pairs(&h.input.path, &bytes) {
            pairing.push((h.input.path, bytes, h.commit));
        }
    }
    for tip in tips {
        pairing.extend(tip_pairs(git::plumbing::files_at(tip, &sel)?, tip));
    }
    for f in history_env_findings(&pairing, &config) {
        if first.insert(f.fingerprint.get().to_string()) {
            report.findings.push(f);
        }
    }
    note_no_base(&comments, &report.findings, io);
    report.sort();
    Ok(finish(&report, false, s, &FixHint::None, io))
}

/// Scan the history of each review: every distinct (path, blob), each
/// finding attributed to the first commit that holds it. Fails closed where
/// a shallow clone hides part of what was asked for.
fn history(
    repo: &git2::Repository,
    reviews: &[Review],
    s: &Settings,
    io: &mut Io<'_>,
) -> Result<ExitStatus, String> {
    let mut progress = Progress::new();
    let mut report = Report::default();
    let mut first: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut notes: Vec<String> = Vec::new();
    for review in reviews {
        let mut pass = history_pass(repo, &review.sel, review, &mut progress)?;
        // Files npm reads because a `.npmrc` names them: named in a commit
        // under review, or at the tip the range reviews (a change to the
        // named file alone is in the range; the `.npmrc` is not).
        // Again while the named files name more (a user config naming a
        // global config).
        let tip = git::range_tip(repo, &review.range)?;
        let mut sel = review.sel.clone();
        for _ in 0..git::NAMED_ROUNDS {
            let mut named = std::mem::take(&mut pass.named);
            if let Some(tip) = tip {
                let at_tip = git::named_by(git::files_at(repo, tip, &sel)?.iter());
                let (real, notes) = git::tree_through(repo, &tip.to_string(), &at_tip);
                for p in at_tip.into_iter().chain(real) {
                    if !named.contains(&p) {
                        named.push(p);
                    }
                }
                pass.notes.extend(notes);
            }
            let Some(wider) = sel.also(&named) else {
                break;
            };
            pass = history_pass(repo, &wider, review, &mut progress)?;
            sel = wider;
        }
        for note in &pass.notes {
            if !notes.contains(note) {
                notes.push(note.clone());
            }
        }
        let walked = &pass.walked;
        if walked.shallow && matches!(review.range, git::Range::All) {
            progress.clear();
            return Err("this is a shallow clone: the history it lacks cannot be scanned; run `git fetch --unshallow` first (or fetch-depth: 0 in actions/checkout), or scan a --range whose commits are all here".to_string());
        }
        if let Some(cut) = walked.cut_off.first() {
            progress.clear();
            return Err(format!(
                "the range reaches commit {cut}, where this shallow clone is cut off: what came before it cannot be seen; run `git fetch --unshallow` (or fetch the base commit) first"
            ));
        }
        if let Some(base) = review.base_config {
            for (id, commit) in &walked.configs {
                if *id != base {
                    report.findings.push(config_changed(commit));
                }
            }
        }
        report.files += pass.files;
        // A range pairs with what its tip holds, changed in it or not.
        let mut pairing = std::mem::take(&mut pass.pairing);
        if let Some(tip) = tip {
            pairing.extend(tip_pairs(git::files_at(repo, tip, &sel)?, &tip.to_string()));
        }
        pass.findings
            .extend(history_env_findings(&pairing, &review.config));
        crate::finding::compute_fingerprints(&pass.findings);
        for f in pass.findings {
            // The same secret at the same path in a later blob is the
            // same leak: keep the first commit's finding.
            if first.insert(f.fingerprint.get().to_string()) {
                report.findings.push(f);
            }
        }
    }
    progress.clear();
    for note in &notes {
        let _ = writeln!(io.err, "note: {note}");
    }
    if let Some(review) = reviews.first() {
        note_no_base(&review.comments, &report.findings, io);
    }
    report.sort();
    Ok(finish(&report, false, s, &FixHint::None, io))
}

/// What one walk of a review's history found.
struct Pass {
    walked: git::History,
    /// In the order of the walk, not yet deduplicated.
    findings: Vec<crate::finding::Finding>,
    files: usize,
    /// The files the walked `.npmrc` files name as npm's user or global
    /// config; with where they lead through a linked folder in the
    /// commit that names them ([`git::tree_through`]).
    named: Vec<String>,
    /// Names that loop or leave the repository through a link.
    notes: Vec<String>,
    /// The env files and configs walked (path, content, commit), judged
    /// together once the walk is done ([`history_env_findings`]).
    pairing: Vec<(String, Vec<u8>, String)>,
}

/// Walk the history of `review` with `sel`, scanning each blob as it is
/// read (the blobs are never all held at once).
fn history_pass(
    repo: &git2::Repository,
    sel: &Selector,
    review: &Review,
    progress: &mut Progress,
) -> Result<Pass, String> {
    let mut findings = Vec::new();
    let mut files = 0;
    let mut named: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut pairing = Vec::new();
    let reviewed = Reviewed::new(repo, &review.comments);
    let walked = git::history(
        repo,
        sel,
        &review.range,
        &mut |c, b| progress.update(c, b),
        &mut |h: git::HistoryInput| {
            let names = git::named_by(std::iter::once(&h.input));
            if !names.is_empty() {
                let (real, why) = git::tree_through(repo, &h.commit, &names);
                for p in names.into_iter().chain(real) {
                    if !named.contains(&p) {
                        named.push(p);
                    }
                }
                for note in why.into_iter().map(|n| format!("{n} (in {})", h.commit)) {
                    if !notes.contains(&note) {
                        notes.push(note);
                    }
                }
            }
            let Ok(bytes) = &h.input.content else {
                return;
            };
            files += 1;
            for f in scan_bytes(&h.input.path, bytes, &review.config) {
                let mut f = f.finding;
                f.commit = Some(h.commit.clone());
                if let Some(via) = &h.input.via {
                    via_link(&mut f, via, true);
                }
                findings.push(f);
            }
            let read = file_reader(Some(repo));
            let commit = Some(h.commit.as_str());
            let at = h.input.via.as_deref().unwrap_or(&h.input.path);
            let unearned = review.comments.unearned(
                (&h.input.path, at),
                bytes,
                commit,
                &read,
                &reviewed,
                &review.config,
            );
            for mut f in unearned {
                f.commit = Some(h.commit.clone());
                findings.push(f);
            }
            if crate::envfiles::pairs(&h.input.path, bytes) {
                pairing.push((h.input.path.clone(), bytes.clone(), h.commit.clone()));
            }
        },
    )?;
    Ok(Pass {
        walked,
        findings,
        files,
        named,
        notes,
        pairing,
    })
}

/// The warning for a config file that a commit under review changes: the
/// scan went on with the base side's.
fn config_changed(commit: &str) -> crate::finding::Finding {
    use crate::finding::{Finding, Fingerprint, Rule};
    let rule = Rule::ConfigChanged;
    Finding {
        rule,
        severity: rule.severity(),
        path: config::FILE_NAME.to_string(),
        line: 1,
        column: 1,
        key: None,
        secret: None,
        fingerprint: Fingerprint::new(rule, config::FILE_NAME, commit),
        commit: Some(commit.to_string()),
        fix: None,
        span: 0..0,
        host: None,
        detail: Some(format!(
            "{} changed in commit {commit}; this scan used the base side's version",
            config::FILE_NAME
        )),
    }
}

/// A one-line progress report on standard error, only on a terminal.
struct Progress {
    on: bool,
    last: std::time::Instant,
}

impl Progress {
    fn new() -> Self {
        Progress {
            on: io::IsTerminal::is_terminal(&io::stderr()),
            last: std::time::Instant::now(),
        }
    }

    fn update(&mut self, commits: usize, blobs: usize) {
        if self.on && self.last.elapsed() > std::time::Duration::from_millis(100) {
            self.last = std::time::Instant::now();
            let _ = write!(
                io::stderr(),
                "\r\x1b[2Knpmrc-guard: {commits} commits walked, {blobs} files scanned"
            );
        }
    }

    fn clear(&self) {
        if self.on {
            let _ = write!(io::stderr(), "\r\x1b[2K");
        }
    }
}

/// The pre-push hook: scan the commits the destination remote (`$1`) does
/// not have yet, which git names on standard input, under the config of
/// the remote's side.
fn pre_push(
    args: &crate::cli::PrePushArgs,
    s: &mut Settings,
    io: &mut Io<'_>,
) -> Result<ExitStatus, String> {
    let opened = git::open();
    let mut stdin = String::new();
    io::Read::read_to_string(&mut io::stdin(), &mut stdin)
        .map_err(|e| format!("cannot read the refs git is pushing: {e}"))?;
    let remote = args.remote.first().map(String::as_str);
    let repo = match opened {
        Ok(repo) => repo,
        Err(e) => return pre_push_by_plumbing(remote, &stdin, s, io, e),
    };
    let push = git::pre_push(&repo, remote, &stdin)?;
    let (config, id) = s.base_config(&repo, push.base, io)?;
    let sel = selector(&config, &[], &[])?;
    let reviews: Vec<Review> = push
        .ranges
        .into_iter()
        .map(|range| Review {
            range,
            config: config.clone(),
            sel: sel.clone(),
            base_config: push.base.map(|_| id),
            comments: Comments::of_range(push.base),
        })
        .collect();
    history(&repo, &reviews, s, io)
}

/// The pre-push hook in a repository libgit2 cannot open (SHA-256, reftable): the
/// same commits, walked by git's plumbing, the config from the base side.
fn pre_push_by_plumbing(
    remote: Option<&str>,
    stdin: &str,
    s: &mut Settings,
    io: &mut Io<'_>,
    open_error: String,
) -> Result<ExitStatus, String> {
    if git::plumbing::object_format().is_err() {
        return Err(open_error);
    }
    let (revs, base) = git::plumbing::pre_push(remote, stdin)?;
    let Some(revs) = revs else {
        return Ok(finish(&Report::default(), false, s, &FixHint::None, io));
    };
    let (config, base_config) = plumbing_base_config(s, base.as_deref(), io)?;
    let sel = selector(&config, &[], &[])?;
    let comments = base
        .as_deref()
        .map_or(Comments::Own, |b| Comments::Base(Some(b.to_string())));
    let base_config = base.as_deref().map(|_| base_config);
    let tips: Vec<String> = revs.iter().take_while(|r| *r != "--not").cloned().collect();
    review_by_plumbing(
        Some(&revs),
        &tips,
        &sel,
        config,
        base_config,
        comments,
        s,
        io,
    )
}

fn fix(args: &FixArgs, s: &mut Settings, io: &mut Io<'_>) -> Result<ExitStatus, String> {
    if args.staged {
        enter(args.repo.as_ref())?;
        let (repo, root) = match git::open() {
            Ok(repo) => {
                let root = git::workdir(&repo)?;
                (Some(repo), root)
            }
            // libgit2 cannot open a SHA-256 or reftable repository: git's
            // plumbing can.
            Err(e) => match git::plumbing::object_format() {
                Ok(_) => (None, git::plumbing::toplevel()?),
                Err(_) => return Err(e),
            },
        };
        s.load_config(&root)?;
        let sel = s.selector(&args.globs.include, &args.globs.exclude)?;
        let staging = repo
            .as_ref()
            .map_or(git::Staging::Plumbing, git::Staging::Lib);
        return fix::run::fix_staged_as_asked(&staging, &sel, &root, &args.secrets, s, io);
    }
    enter(args.repo.as_ref())?;
    s.load_config(&root_here())?;
    let inputs = if args.files.is_empty() {
        vec![inputs::read_named(std::path::Path::new(".npmrc"))]
    } else {
        args.files.iter().map(|p| inputs::read_named(p)).collect()
    };
    fix::run::fix_files(with_named_on_disk(inputs), &args.secrets, s, io)
}

/// Name the target of the symbolic link a finding was read through.
pub(crate) fn via_link(f: &mut crate::finding::Finding, target: &str, history: bool) {
    let what = if history {
        format!(
            "read through the symbolic link to {target}; revoke this token: it is in the history"
        )
    } else {
        format!("read through the symbolic link to {target}: fix {target} itself")
    };
    f.detail = Some(match f.detail.take() {
        Some(d) => format!("{what}; {d}"),
        None => what,
    });
}

fn hooks(args: &HookArgs, install: bool, io: &mut Io<'_>) -> Result<ExitStatus, String> {
    enter(args.repo.as_ref())?;
    let outcome = if install {
        let exe = std::env::current_exe()
            .map_err(|e| format!("cannot find this program's own path: {e}"))?;
        managers::install(args.manager, args.hook, &exe)?
    } else {
        managers::uninstall(args.manager, args.hook)?
    };
    let _ = writeln!(io.err, "{}", outcome.message);
    Ok(ExitStatus::Clean)
}

/// Detect in every input; unreadable ones are reported on `io.err` and make
/// the run fail, after the others were still scanned.
pub fn scan_inputs(
    inputs: impl Iterator<Item = Input>,
    config: &Config,
    io: &mut Io<'_>,
) -> (Report, bool) {
    let mut report = Report::default();
    let mut failed = false;
    // Env files and the configs they feed, judged together at the end.
    let mut pairing: Vec<(String, Vec<u8>)> = Vec::new();
    for input in inputs {
        match input.content {
            Ok(bytes) => {
                report.files += 1;
                let found = scan_bytes(&input.path, &bytes, config);
                report.findings.extend(found.into_iter().map(|d| {
                    let mut f = d.finding;
                    if let Some(via) = &input.via {
                        via_link(&mut f, via, false);
                    }
                    f
                }));
                if crate::envfiles::pairs(&input.path, &bytes) {
                    pairing.push((input.path, bytes));
                }
            }
            Err(msg) => {
                failed = true;
                let _ = writeln!(io.err, "error: {}: {msg}", input.path);
            }
        }
    }
    report.findings.extend(env_findings(&pairing, config));
    report.sort();
    (report, failed)
}

/// What the env files among `files` feed into the configs beside them
/// ([`crate::envfiles`]), less what the config acknowledges.
pub(crate) fn env_findings(
    files: &[(String, Vec<u8>)],
    config: &Config,
) -> Vec<crate::finding::Finding> {
    crate::envfiles::detect_all(files)
        .into_iter()
        .map(|(_, d)| d.finding)
        .filter(|f| !config.allows(&f.fingerprint))
        .collect()
}

/// Why a finding an allow comment exempts is reported all the same.
const UNEARNED: &str = "exempted by a `npmrc-guard: allow` comment that the commits under review add; an exemption counts once it is on the base side";

/// Say, once, that `findings` hold exemptions refused because the clone
/// holds no base for the review (`comments`), and how to fetch one.
fn note_no_base(comments: &Comments, findings: &[crate::finding::Finding], io: &mut Io<'_>) {
    let refused =
        |f: &crate::finding::Finding| f.detail.as_deref().is_some_and(|d| d.starts_with(UNEARNED));
    if *comments == Comments::Base(None) && findings.iter().any(refused) {
        let _ = writeln!(
            io.err,
            "note: this run reviews HEAD itself, and this clone holds no base for it (in CI, the base the CI names: a pull request's base, a push's first commit, where a branch left the default branch): no `npmrc-guard: allow` comment in what it reviews counts (fetch the base, e.g. actions/checkout with fetch-depth: 0, or run pre-commit with --from-ref BASE --to-ref HEAD)"
        );
    }
}

/// What an allow comment exempts in a file under review (`bytes` at
/// `path`) that the same file on the base side (`at_base`) did not
/// exempt: the commits under review cannot exempt their own findings
/// (SPEC.md, "Config"). Each is reported, saying why.
fn unearned_allows(
    path: &str,
    bytes: &[u8],
    at_base: impl Fn(&str) -> Option<Vec<u8>>,
    config: &Config,
) -> Vec<crate::finding::Finding> {
    let allowed = crate::files::allowed(path, bytes);
    if allowed.is_empty() {
        return Vec::new();
    }
    let earned: Vec<crate::finding::Fingerprint> = at_base(path)
        .map(|b| crate::files::allowed(path, &b))
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.finding.fingerprint)
        .collect();
    allowed
        .into_iter()
        .map(|d| d.finding)
        .filter(|f| !earned.contains(&f.fingerprint) && !config.allows(&f.fingerprint))
        .map(|mut f| {
            let why = UNEARNED;
            f.detail = Some(match f.detail.take() {
                Some(d) => format!("{why}; {d}"),
                None => why.to_string(),
            });
            f
        })
        .collect()
}

/// The files at a range's tip that pair ([`crate::envfiles::pairs`]), as
/// history blobs of commit `tip`.
fn tip_pairs(files: Vec<Input>, tip: &str) -> Vec<(String, Vec<u8>, String)> {
    files
        .into_iter()
        .filter_map(|i| {
            let bytes = i.content.ok()?;
            crate::envfiles::pairs(&i.path, &bytes).then(|| (i.path, bytes, tip.to_string()))
        })
        .collect()
}

/// [`env_findings`] over a history: every env file blob judged with every
/// config blob that was ever beside it (a config may start to use a
/// variable long after the env file was committed, or the other way
/// round), each finding in the first commit of its env file blob.
fn history_env_findings(
    blobs: &[(String, Vec<u8>, String)],
    config: &Config,
) -> Vec<crate::finding::Finding> {
    let files: Vec<(&str, &[u8])> = blobs
        .iter()
        .map(|(p, b, _)| (p.as_str(), b.as_slice()))
        .collect();
    crate::envfiles::detect_all(&files)
        .into_iter()
        .map(|(i, d)| {
            let mut f = d.finding;
            f.commit = Some(blobs[i].2.clone());
            f
        })
        .filter(|f| !config.allows(&f.fingerprint))
        .collect()
}

/// Parse, detect and name the fix variables of one file.
pub fn scan_bytes(path: &str, bytes: &[u8], config: &Config) -> Vec<Detected> {
    test_panic(bytes);
    let mut found = crate::files::detect_file(path, bytes);
    fix::assign_vars(&mut found, &config.vars, None);
    // Findings acknowledged in the config no longer count.
    found.retain(|d| !config.allows(&d.finding.fingerprint));
    found
}

/// With `NPMRC_GUARD_TEST_PANIC=1`, panic with the file's whole content in
/// the message: the worst bug we could have. `tests/no_secret.rs` uses it
/// to prove that the panic hook in `main.rs` prints none of it.
fn test_panic(bytes: &[u8]) {
    static ON: std::sync::LazyLock<bool> =
        std::sync::LazyLock::new(|| std::env::var_os("NPMRC_GUARD_TEST_PANIC").is_some());
    if *ON {
        panic!(
            "test panic; the input was: {}",
            String::from_utf8_lossy(bytes)
        );
    }
}

/// Emit the report and decide the exit status.
pub fn finish(
    report: &Report,
    failed: bool,
    s: &Settings,
    hint: &FixHint,
    io: &mut Io<'_>,
) -> ExitStatus {
    let (format, quiet) = (s.format, s.quiet);
    if !quiet {
        // A `[vars]` name stops only the fixer (`Config::fixer_vars`).
        for why in &s.config.refused_vars {
            let _ = writeln!(
                io.err,
                "warning: {why}; `fix` refuses to run until it is changed"
            );
        }
    }
    let errors = report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    let status = if failed {
        ExitStatus::Error
    } else if errors && !s.exit_zero {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    };
    if !(quiet && report.findings.is_empty() && format == Format::Human) {
        if let Err(msg) = write_out(io.out, |w| report::emit(w, format, report, hint, failed)) {
            let _ = writeln!(io.err, "error: {msg}");
            return ExitStatus::Error;
        }
    }
    status
}

/// Write to standard output with `write`, then flush. A reader that went
/// away (`| head`) is not an error; any other failure is.
pub fn write_out(
    out: &mut dyn Write,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), String> {
    // One write(2) per 64 KiB, not one per line: standard output is line
    // buffered, and a report of 100,000 findings is a million lines.
    let mut buffered = io::BufWriter::with_capacity(64 * 1024, &mut *out);
    let written = write(&mut buffered).and_then(|()| buffered.flush());
    drop(buffered);
    match written.and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(format!(
            "cannot write to standard output: {}",
            inputs::describe(&e)
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkout_path_is_named_as_the_repository_names_it() {
        let root = std::path::Path::new("/w/repo");
        let at = |dir: &str, path: &str| repo_path(root, std::path::Path::new(dir), path);
        assert_eq!(at("/w/repo", ".npmrc").as_deref(), Some(".npmrc"));
        assert_eq!(at("/w/repo", "./a/.npmrc").as_deref(), Some("a/.npmrc"));
        assert_eq!(at("/w/repo/sub", "../.npmrc").as_deref(), Some(".npmrc"));
        assert_eq!(
            at("/w/repo/sub", "./../sub/x/../.npmrc").as_deref(),
            Some("sub/.npmrc")
        );
        assert_eq!(
            at("/w/repo/sub", "/w/repo/b/.npmrc").as_deref(),
            Some("b/.npmrc")
        );
        // Outside the work tree: in no commit.
        assert_eq!(at("/w/repo", "../other/.npmrc"), None);
        assert_eq!(at("/w/repo", "/home/u/.npmrc"), None);
        assert_eq!(at("/w/repo", "."), None);
    }
}
