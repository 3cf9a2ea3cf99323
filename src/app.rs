//! Orchestration: inputs → parse → detect → report.

use std::collections::HashMap;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::cli::{CheckArgs, Cli, Command, FixArgs, HookArgs, ScanArgs, SecretArgs};
use crate::config::{self, Config};
use crate::detect::Detected;
use crate::finding::Severity;
use crate::fix;
use crate::fix::pipeline::{self as rewrite, Disposition, FilePlan};
use crate::fix::Names;
use crate::fix::{prompt, write};
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
    ) -> Result<(Config, Option<git2::Oid>), String> {
        let in_base = match base {
            Some(commit) => git::file_at(repo, commit, config::FILE_NAME)?,
            None => None,
        };
        let id = in_base.as_ref().map(|(id, _)| *id);
        if self.no_config {
            return Ok((Config::default(), id));
        }
        if let Some(file) = &self.config_file {
            return Ok((config::load(Some(file), std::path::Path::new("."))?, id));
        }
        let config = match (&in_base, base) {
            (Some((_, bytes)), Some(commit)) => Config::from_str(
                &String::from_utf8_lossy(bytes),
                &format!("{} in {commit}", config::FILE_NAME),
            )?,
            _ => Config::default(),
        };
        Ok((config, id))
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
        Command::Scan(args) => scan(&args, &mut s, io),
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
    let files = if args.files.is_empty() {
        vec![PathBuf::from(".npmrc")]
    } else {
        args.files.clone()
    };
    s.load_config(&root_here())?;
    let sel = s.selector(&[], &args.exclude)?;
    let files = files.iter().filter(|p| {
        use std::os::unix::ffi::OsStrExt;
        let rel = p.as_os_str().as_bytes();
        let rel = rel.strip_prefix(b"./").unwrap_or(rel);
        !(args.force_exclude && sel.is_excluded(rel))
    });
    let inputs = files.map(|p| inputs::read_named(p));
    if args.fix {
        return fix_files(inputs.collect(), &args.secrets, s, io);
    }
    let (report, read_failed) = scan_inputs(inputs, &s.config, io);
    Ok(finish(&report, read_failed, s, &FixHint::Files, io))
}

fn scan(args: &ScanArgs, s: &mut Settings, io: &mut Io<'_>) -> Result<ExitStatus, String> {
    enter(args.repo.as_ref())?;
    let repo = match git::open() {
        Ok(repo) => repo,
        Err(e) if args.staged && !args.fix && !args.history && args.range.is_none() => {
            return staged_by_plumbing(args, s, io, e);
        }
        Err(e) => return Err(e),
    };
    s.load_config(repo.workdir().unwrap_or(repo.path()))?;
    let sel = s.selector(&args.globs.include, &args.globs.exclude)?;
    if args.history || args.range.is_some() {
        let review = match &args.range {
            Some(spec) => {
                let base = git::range_base(&repo, spec)?;
                let (config, id) = s.base_config(&repo, base)?;
                Review {
                    range: git::Range::Spec(spec.clone()),
                    sel: selector(&config, &args.globs.include, &args.globs.exclude)?,
                    config,
                    base_config: Some(id),
                }
            }
            None => Review {
                range: git::Range::All,
                config: s.config.clone(),
                sel,
                base_config: None,
            },
        };
        return history(&repo, &[review], s, io);
    }
    if args.fix {
        let root = git::workdir(&repo)?;
        if args.staged {
            return fix_staged_as_asked(&repo, &sel, &root, &args.secrets, s, io);
        }
        let listing = git::worktree(&repo, &sel)?;
        // The paths are relative to the root: write them from there.
        enter(Some(&root))?;
        return fix_files(listing.inputs, &args.secrets, s, io);
    }
    let (listing, hint) = if args.staged {
        (git::staged(&repo, &sel)?, FixHint::Staged)
    } else {
        (git::worktree(&repo, &sel)?, FixHint::Files)
    };
    for note in &listing.notes {
        let _ = writeln!(io.err, "note: {note}");
    }
    let (report, read_failed) = scan_inputs(listing.inputs.into_iter(), &s.config, io);
    let quiet = s.quiet;
    s.quiet |= args.staged;
    let status = finish(&report, read_failed, s, &hint, io);
    s.quiet = quiet;
    if status == ExitStatus::Findings && args.offer_fix {
        return offer_fix(&repo, &sel, &report, s, io);
    }
    Ok(status)
}

/// `scan --staged` in a repository libgit2 cannot open (the SHA-256 object
/// format): git's plumbing lists and reads what is staged. `open_error` is
/// the answer when git does not know the repository either.
fn staged_by_plumbing(
    args: &ScanArgs,
    s: &mut Settings,
    io: &mut Io<'_>,
    open_error: String,
) -> Result<ExitStatus, String> {
    match git::plumbing::object_format() {
        Ok(format) if format != "sha1" => {}
        _ => return Err(open_error),
    }
    s.load_config(&git::plumbing::toplevel()?)?;
    let sel = s.selector(&args.globs.include, &args.globs.exclude)?;
    let listing = git::plumbing::staged(&sel)?;
    for note in &listing.notes {
        let _ = writeln!(io.err, "note: {note}");
    }
    let (report, read_failed) = scan_inputs(listing.inputs.into_iter(), &s.config, io);
    let quiet = s.quiet;
    s.quiet = true;
    let status = finish(&report, read_failed, s, &FixHint::Staged, io);
    s.quiet = quiet;
    if status == ExitStatus::Findings && args.offer_fix {
        let _ = writeln!(io.err, "npmrc-guard: commit blocked; the fix cannot rewrite this repository's object format yet: replace the literal with ${{VAR}} by hand and `git add` it, or bypass once with `git commit --no-verify`");
    }
    Ok(status)
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
    for review in reviews {
        let walked = git::history(repo, &review.sel, &review.range, &mut |c, b| {
            progress.update(c, b)
        })?;
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
        for h in walked.inputs {
            let Ok(bytes) = &h.input.content else {
                continue;
            };
            report.files += 1;
            for f in scan_bytes(&h.input.path, bytes, &review.config) {
                let mut f = f.finding;
                f.commit = Some(h.commit.clone());
                if let Some(via) = &h.input.via {
                    via_link(&mut f, via, true);
                }
                // The same secret at the same path in a later blob is the
                // same leak: keep the first commit's finding.
                if first.insert(f.fingerprint.clone()) {
                    report.findings.push(f);
                }
            }
        }
    }
    progress.clear();
    report.sort();
    Ok(finish(&report, false, s, &FixHint::None, io))
}

/// The warning for a config file that a commit under review changes: the
/// scan went on with the base side's.
fn config_changed(commit: &str) -> crate::finding::Finding {
    use crate::finding::{fingerprint, Finding, Rule};
    let rule = Rule::ConfigChanged;
    Finding {
        rule,
        severity: rule.severity(),
        path: config::FILE_NAME.to_string(),
        line: 1,
        column: 1,
        key: None,
        secret: None,
        fingerprint: fingerprint(rule, config::FILE_NAME, commit),
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
    let repo = git::open()?;
    let mut stdin = String::new();
    io::Read::read_to_string(&mut io::stdin(), &mut stdin)
        .map_err(|e| format!("cannot read the refs git is pushing: {e}"))?;
    let push = git::pre_push(&repo, args.remote.first().map(String::as_str), &stdin)?;
    let (config, id) = s.base_config(&repo, push.base)?;
    let sel = selector(&config, &[], &[])?;
    let reviews: Vec<Review> = push
        .ranges
        .into_iter()
        .map(|range| Review {
            range,
            config: config.clone(),
            sel: sel.clone(),
            base_config: push.base.map(|_| id),
        })
        .collect();
    history(&repo, &reviews, s, io)
}

/// In the hook, with literals staged: ask on the terminal; if the user
/// accepts, fix the index and the work tree and let the commit go on.
fn offer_fix(
    repo: &git2::Repository,
    sel: &Selector,
    report: &Report,
    s: &Settings,
    io: &mut Io<'_>,
) -> Result<ExitStatus, String> {
    let secrets: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.fix.is_some())
        .collect();
    if secrets.is_empty() {
        return Ok(ExitStatus::Findings);
    }
    let mut summary = String::new();
    for f in &secrets {
        summary.push_str(&format!(
            "npmrc-guard: {}:{} holds a literal {} ({}) in {}\n",
            f.path,
            f.line,
            f.rule.summary(),
            f.secret.as_ref().map(|s| s.mask()).unwrap_or_default(),
            f.key.as_deref().unwrap_or("?"),
        ));
    }
    let root = git::workdir(repo)?;
    let pnpm = rewrite::uses_pnpm(&root);
    let env_file = root.join(".env.local");
    // Only an untracked file can be a store (the ignore entry is added below).
    let offer_env = (!git::tracked(&env_file)?).then_some(env_file.as_path());
    let Some(disposition) = prompt::ask(summary.trim_end(), offer_env, pnpm) else {
        let _ = writeln!(io.err, "npmrc-guard: commit blocked; fix it with `npmrc-guard fix --staged`, or bypass once with `git commit --no-verify`");
        return Ok(ExitStatus::Findings);
    };
    if disposition == Disposition::SaveEnv(env_file.clone())
        && git::ignored(&env_file)? == Some(false)
    {
        git::exclude_locally(repo, "/.env.local")?;
        let _ = writeln!(
            io.err,
            "  added /.env.local to .git/info/exclude so git ignores it"
        );
    }
    let status = fix_staged(repo, sel, &disposition, None, s, io)?;
    if status == ExitStatus::Clean {
        let _ = writeln!(io.err, "  the commit goes on with the fixed content");
    }
    Ok(status)
}

fn fix(args: &FixArgs, s: &mut Settings, io: &mut Io<'_>) -> Result<ExitStatus, String> {
    if args.staged {
        enter(args.repo.as_ref())?;
        let repo = git::open()?;
        let root = git::workdir(&repo)?;
        s.load_config(&root)?;
        let sel = s.selector(&args.globs.include, &args.globs.exclude)?;
        return fix_staged_as_asked(&repo, &sel, &root, &args.secrets, s, io);
    }
    enter(args.repo.as_ref())?;
    s.load_config(&root_here())?;
    let inputs = if args.files.is_empty() {
        vec![inputs::read_named(std::path::Path::new(".npmrc"))]
    } else {
        args.files.iter().map(|p| inputs::read_named(p)).collect()
    };
    fix_files(inputs, &args.secrets, s, io)
}

/// The user's choice for the secrets: a flag, or the answer on a terminal,
/// or an error that lists the choices.
fn disposition(args: &SecretArgs, root: &std::path::Path) -> Result<Disposition, String> {
    if let Some(file) = &args.save_env {
        return Ok(Disposition::SaveEnv(file.clone()));
    }
    if args.move_to_user_config {
        return Ok(Disposition::MoveToUserConfig(rewrite::user_config_path()));
    }
    if args.discard_secrets {
        return Ok(Disposition::Discard);
    }
    let pnpm = rewrite::uses_pnpm(root);
    if io::IsTerminal::is_terminal(&io::stdin()) {
        let env = root.join(".env.local");
        let offer_env = (!git::tracked(&env)?).then_some(env.as_path());
        if let Some(d) = prompt::ask("npmrc-guard: literal credentials found", offer_env, pnpm) {
            return Ok(d);
        }
        return Err("nothing was changed".to_string());
    }
    Err(rewrite::CHOICES.to_string())
}

/// Fix files on disk, as read: each input's `name` is where it is written.
fn fix_files(
    inputs: Vec<Input>,
    secrets: &SecretArgs,
    s: &Settings,
    io: &mut Io<'_>,
) -> Result<ExitStatus, String> {
    let mut failed = false;
    let (linked, inputs): (Vec<Input>, Vec<Input>) =
        inputs.into_iter().partition(|i| i.via.is_some());
    let linked = through_links(linked, &inputs, s, io)?;
    let mut read: Vec<(PathBuf, String, Vec<u8>)> = Vec::new();
    for input in inputs {
        match input.content {
            Ok(bytes) => {
                let path = PathBuf::from(std::ffi::OsStr::from_bytes(&input.name));
                read.push((path, input.path, bytes));
            }
            Err(msg) => {
                failed = true;
                let _ = writeln!(io.err, "error: {}: {msg}", input.path);
            }
        }
    }
    let plan_all = |strategy, store: HashMap<String, String>| -> Result<Vec<FilePlan>, String> {
        let mut names = Names {
            store,
            ..Names::default()
        };
        // Names every file references are taken before any is given out.
        for (_, _, bytes) in &read {
            names.referenced.extend(fix::referenced_names(bytes));
        }
        read.iter()
            .map(|(_, shown, bytes)| {
                let var = secrets.var.as_deref();
                rewrite::plan_file(shown, bytes, strategy, var, &s.config.vars, &mut names)
            })
            .collect()
    };
    let mut strategy = if secrets.move_to_user_config {
        fix::Strategy::MoveLines
    } else {
        fix::Strategy::Interpolate
    };
    let mut plans = plan_all(strategy, HashMap::new())?;
    let mut report = Report {
        files: read.len(),
        ..Report::default()
    };
    if plans.iter().any(|p| p.rewritten > 0) {
        let root = std::env::current_dir().unwrap_or_default();
        let disposition = disposition(secrets, &root)?;
        // The answer on a terminal may call for the other way of fixing, and
        // the store may already hold some names.
        rewrite::check_store(&disposition)?;
        strategy = disposition.strategy();
        plans = plan_all(strategy, rewrite::store_names(&disposition))?;
        pnpm_note(&root, &disposition, io);
        // Files that cannot be written keep their findings, and fail the run.
        let mut writable = Vec::new();
        for ((path, shown, bytes), plan) in read.iter().zip(&plans) {
            if plan.rewritten == 0 {
                continue;
            }
            match write::check_writable(path) {
                Ok(_) => writable.push((path, plan)),
                Err(msg) => {
                    failed = true;
                    let _ = writeln!(io.err, "error: {msg}");
                    report.findings.extend(
                        scan_bytes(shown, bytes, &s.config)
                            .into_iter()
                            .map(|d| d.finding)
                            .filter(|f| f.severity == Severity::Error && f.fix.is_some()),
                    );
                }
            }
        }
        let to_store: Vec<&FilePlan> = writable.iter().map(|(_, p)| *p).collect();
        let stored = if to_store.is_empty() {
            None
        } else {
            rewrite::dispose(&to_store, &disposition)?
        };
        let mut rewritten = 0;
        let mut vars: Vec<String> = Vec::new();
        for (path, plan) in writable {
            match write::replace_file(path, &plan.fixed) {
                Ok(()) => {
                    rewritten += 1;
                    for m in &plan.plan.moved {
                        if !vars.contains(&m.var) {
                            vars.push(m.var.clone());
                        }
                    }
                    let _ = writeln!(io.err, "rewrote {}: {}", plan.path, describe_plan(plan));
                }
                Err(msg) => {
                    failed = true;
                    let _ = writeln!(io.err, "error: {msg}");
                }
            }
        }
        for line in stored
            .into_iter()
            .chain(rewrite::after_fix(&disposition, rewritten, &vars))
        {
            let _ = writeln!(io.err, "{line}");
        }
    }
    for plan in plans {
        report.findings.extend(plan.remaining);
    }
    report.findings.extend(linked);
    report.sort();
    Ok(finish(&report, failed, s, &FixHint::None, io))
}

/// The fixer never writes through a symbolic link: the secrets a link's
/// target holds stay findings that say to fix the target, unless the
/// target itself is among `inputs` (fixed, or reported, on its own). A
/// target that cannot be read is an error.
fn through_links(
    linked: Vec<Input>,
    inputs: &[Input],
    s: &Settings,
    io: &mut Io<'_>,
) -> Result<Vec<crate::finding::Finding>, String> {
    let mut left = Vec::new();
    for link in linked {
        let via = link.via.clone().unwrap_or_default();
        if inputs.iter().any(|i| i.name == inputs::path_bytes(&via)) {
            continue;
        }
        let bytes = link
            .content
            .as_ref()
            .map_err(|m| format!("{} (through the symbolic link to {via}): {m}", link.path))?;
        let found: Vec<_> = scan_bytes(&link.path, bytes, &s.config)
            .into_iter()
            .map(|d| d.finding)
            .filter(|f| f.severity == Severity::Error)
            .map(|mut f| {
                via_link(&mut f, &via, false);
                f
            })
            .collect();
        if !found.is_empty() {
            let _ = writeln!(
                io.err,
                "note: {}: a symbolic link to {via}; not rewritten through the link: fix {via}",
                link.path
            );
        }
        left.extend(found);
    }
    Ok(left)
}

/// Name the target of the symbolic link a finding was read through.
fn via_link(f: &mut crate::finding::Finding, target: &str, history: bool) {
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

/// pnpm no longer expands `${…}` in project credentials: say so when the
/// fix relies on it.
fn pnpm_note(root: &std::path::Path, disposition: &Disposition, io: &mut Io<'_>) {
    if disposition.strategy() == fix::Strategy::Interpolate && rewrite::uses_pnpm(root) {
        let _ = writeln!(io.err, "note: {}", rewrite::PNPM_NOTE);
    }
}

fn describe_plan(plan: &FilePlan) -> String {
    if !plan.plan.lines.is_empty() {
        let n = plan.plan.edits.len();
        return format!(
            "took {n} credential{} out for the user config",
            if n == 1 { "" } else { "s" }
        );
    }
    let vars: Vec<String> = plan
        .plan
        .moved
        .iter()
        .map(|m| format!("${{{}}}", m.var))
        .collect();
    format!(
        "{} literal credential{} → {}",
        plan.rewritten,
        if plan.rewritten == 1 { "" } else { "s" },
        vars.join(", ")
    )
}

/// `fix --staged` / `scan --staged --fix`: where the secrets go is the
/// user's choice (flags, or the terminal).
fn fix_staged_as_asked(
    repo: &git2::Repository,
    sel: &Selector,
    root: &std::path::Path,
    secrets: &SecretArgs,
    s: &Settings,
    io: &mut Io<'_>,
) -> Result<ExitStatus, String> {
    let disposition = disposition(secrets, root)?;
    fix_staged(repo, sel, &disposition, secrets.var.as_deref(), s, io)
}

/// Fix what is staged: the index blob and the work-tree file, each on its own.
fn fix_staged(
    repo: &git2::Repository,
    sel: &Selector,
    disposition: &Disposition,
    var: Option<&str>,
    s: &Settings,
    io: &mut Io<'_>,
) -> Result<ExitStatus, String> {
    let root = git::workdir(repo)?;
    let listing = git::staged(repo, sel)?;
    let strategy = disposition.strategy();
    rewrite::check_store(disposition)?;
    let mut names = Names {
        store: rewrite::store_names(disposition),
        ..Names::default()
    };
    let mut staged: Vec<(Vec<u8>, FilePlan)> = Vec::new();
    let mut worktree: Vec<(PathBuf, FilePlan)> = Vec::new();
    let mut remaining: Vec<crate::finding::Finding> = Vec::new();
    let (linked, inputs): (Vec<Input>, Vec<Input>) =
        listing.inputs.into_iter().partition(|i| i.via.is_some());
    remaining.extend(through_links(linked, &inputs, s, io)?);
    for input in inputs {
        let blob = input.content.map_err(|m| format!("{}: {m}", input.path))?;
        let plan = rewrite::plan_file(
            &input.path,
            &blob,
            strategy,
            var,
            &s.config.vars,
            &mut names,
        )?;
        remaining.extend(plan.remaining.iter().cloned());
        let full = root.join(std::ffi::OsStr::from_bytes(&input.name));
        let on_disk = std::fs::symlink_metadata(&full)
            .ok()
            .filter(|m| m.is_file())
            .and_then(|_| std::fs::read(&full).ok());
        if let Some(w) = on_disk {
            let wplan =
                rewrite::plan_file(&input.path, &w, strategy, var, &s.config.vars, &mut names)?;
            if wplan.rewritten > 0 {
                write::check_writable(&full)?;
                worktree.push((full, wplan));
            }
        }
        if plan.rewritten > 0 {
            staged.push((input.name, plan));
        }
    }
    if staged.is_empty() && worktree.is_empty() {
        let _ = writeln!(io.err, "nothing to fix in the staged files");
        return Ok(if remaining.is_empty() {
            ExitStatus::Clean
        } else {
            ExitStatus::Findings
        });
    }
    pnpm_note(&root, disposition, io);
    let all: Vec<&FilePlan> = staged
        .iter()
        .map(|(_, p)| p)
        .chain(worktree.iter().map(|(_, p)| p))
        .collect();
    let stored = rewrite::dispose(&all, disposition)?;
    let mut vars: Vec<String> = Vec::new();
    for m in all.iter().flat_map(|p| &p.plan.moved) {
        if !vars.contains(&m.var) {
            vars.push(m.var.clone());
        }
    }
    let files: Vec<git::Restage> = staged
        .iter()
        .map(|(name, p)| git::Restage {
            name: name.clone(),
            path: p.path.clone(),
            content: p.fixed.clone(),
        })
        .collect();
    git::restage(repo, &files)?;
    for (full, plan) in &worktree {
        write::replace_file(full, &plan.fixed)?;
    }
    for (_, p) in &staged {
        let both = worktree.iter().any(|(_, w)| w.path == p.path);
        let _ = writeln!(
            io.err,
            "rewrote {} ({}): {}",
            p.path,
            if both {
                "staged and work tree"
            } else {
                "staged"
            },
            describe_plan(p)
        );
    }
    for (_, w) in worktree
        .iter()
        .filter(|(_, w)| !staged.iter().any(|(_, p)| p.path == w.path))
    {
        let _ = writeln!(
            io.err,
            "rewrote {} (work tree): {}",
            w.path,
            describe_plan(w)
        );
    }
    let after = rewrite::after_fix(disposition, staged.len() + worktree.len(), &vars);
    for line in stored.into_iter().chain(after) {
        let _ = writeln!(io.err, "{line}");
    }
    if remaining.is_empty() {
        Ok(ExitStatus::Clean)
    } else {
        for f in &remaining {
            let _ = writeln!(
                io.err,
                "{}:{}:{} error[{}] still there: {} (remove it by hand and revoke it)",
                f.path,
                f.line,
                f.column,
                f.rule,
                f.secret.as_ref().map(|s| s.mask()).unwrap_or_default()
            );
        }
        Ok(ExitStatus::Findings)
    }
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
            }
            Err(msg) => {
                failed = true;
                let _ = writeln!(io.err, "error: {}: {msg}", input.path);
            }
        }
    }
    report.sort();
    (report, failed)
}

/// Parse, detect and name the fix variables of one file.
pub fn scan_bytes(path: &str, bytes: &[u8], config: &Config) -> Vec<Detected> {
    test_panic(bytes);
    let mut found = crate::files::detect_file(path, bytes);
    fix::assign_vars(&mut found, &config.vars, None);
    // Findings acknowledged in the config no longer count.
    found.retain(|d| !config.allow.contains(&d.finding.fingerprint));
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
        if let Err(msg) = write_out(io.out, |w| report::emit(w, format, report, hint)) {
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
