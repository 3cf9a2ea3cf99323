//! The fix, run: plan every file (pure, in [`super::plan`] and
//! [`super::pipeline`]), choose where the secrets go ([`super::prompt`],
//! [`super::store`]), then write the files ([`super::write`]) or the index
//! ([`crate::git::restage`]). Shared by `fix FILE`, `fix --staged`, `scan
//! --fix`, `scan --staged --fix` and the hook's offer.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;

use crate::app::{finish, scan_bytes, via_link, ExitStatus, Io, Settings};
use crate::cli::SecretArgs;
use crate::finding::{Finding, Severity};
use crate::fix::pipeline::{self as rewrite, Disposition, FilePlan};
use crate::fix::{self, prompt, write, Names};
use crate::git;
use crate::inputs::{self, Input};
use crate::report::{FixHint, Report};
use crate::select::Selector;

/// In the hook, with literals staged: ask on the terminal; if the user
/// accepts, fix the index and the work tree and let the commit go on.
pub(crate) fn offer_fix(
    repo: &git::Staging<'_>,
    root: &std::path::Path,
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
            "npmrc-guard: {}:{}: {} ({}) in {}\n",
            f.path,
            f.line,
            f.rule.summary(),
            f.secret.as_ref().map(|s| s.mask()).unwrap_or_default(),
            f.key.as_deref().unwrap_or("?"),
        ));
    }
    let pnpm = rewrite::uses_pnpm(root);
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
        repo.exclude_locally("/.env.local")?;
        // A `.gitignore` line `!.env.local` outweighs `info/exclude`
        // (review 8, #11): then nothing is written.
        if git::ignored(&env_file)? != Some(true) {
            return Err(format!(
                "{} stays not ignored by git after adding it to .git/info/exclude (a .gitignore un-ignores it with `!`): the secret would be committed next; nothing was changed. Fix it with `npmrc-guard fix --staged --save-env FILE` and a git-ignored FILE",
                inputs::shown(&env_file)
            ));
        }
        let _ = writeln!(
            io.err,
            "  added /.env.local to .git/info/exclude so git ignores it"
        );
    }
    let status = fix_staged(repo, root, sel, &disposition, None, s, io)?;
    if status == ExitStatus::Clean {
        let _ = writeln!(io.err, "  the commit goes on with the fixed content");
    }
    Ok(status)
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
pub(crate) fn fix_files(
    inputs: Vec<Input>,
    secrets: &SecretArgs,
    s: &Settings,
    io: &mut Io<'_>,
) -> Result<ExitStatus, String> {
    let config_vars = s.config.fixer_vars()?;
    let mut failed = false;
    let (linked, inputs): (Vec<Input>, Vec<Input>) =
        inputs.into_iter().partition(|i| i.via.is_some());
    let linked = through_links(linked, &inputs, s, io)?;
    let mut read: Vec<(PathBuf, String, Vec<u8>)> = Vec::new();
    for input in inputs {
        match input.content {
            Ok(bytes) => {
                let path = PathBuf::from(&*crate::os::from_bytes(&input.name));
                read.push((path, input.path, bytes));
            }
            Err(msg) => {
                failed = true;
                let _ = writeln!(io.err, "error: {}: {msg}", input.path);
            }
        }
    }
    let taken =
        rewrite::names_taken_outside(read.iter().map(|(p, _, b)| (p.as_path(), b.as_slice())));
    let set = rewrite::environment();
    let plan_all = |strategy, store: HashMap<String, String>| -> Result<Vec<FilePlan>, String> {
        let mut names = Names {
            store,
            set: set.clone(),
            referenced: taken.clone(),
            ..Names::default()
        };
        // Names every file references are taken before any is given out.
        for (_, shown, bytes) in &read {
            names
                .referenced
                .extend(crate::files::referenced_names(shown, bytes));
            // A name an env file beside it assigns would bring that value
            // in for bun or yarn ([`crate::envfiles`]).
            if crate::envfiles::is_env_file(shown) {
                names
                    .referenced
                    .extend(crate::envfiles::assigned_names(bytes));
            }
        }
        read.iter()
            .map(|(_, shown, bytes)| {
                let var = secrets.var.as_deref();
                rewrite::plan_file(shown, bytes, strategy, var, config_vars, &mut names)
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
        rewrite::check_user_config_applies(
            &disposition,
            read.iter()
                .map(|(_, shown, b)| (shown.as_str(), b.as_slice())),
        )?;
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
        for (path, plan) in &writable {
            rewrite::check_yarn_chain(path, &plan.plan.settings)?;
        }
        let to_store: Vec<&FilePlan> = writable.iter().map(|(_, p)| *p).collect();
        let stored = if to_store.is_empty() {
            None
        } else {
            rewrite::dispose(&to_store, &disposition)?
        };
        let mut rewritten = Vec::new();
        for (path, plan) in writable {
            match write::replace_file(path, &plan.fixed) {
                Ok(()) => {
                    rewritten.push(plan);
                    let _ = writeln!(io.err, "rewrote {}: {}", plan.path, describe_plan(plan));
                }
                Err(msg) => {
                    failed = true;
                    let _ = writeln!(io.err, "error: {msg}");
                }
            }
        }
        for line in stored.into_iter().chain(rewrite::after_fix(
            &disposition,
            rewritten.len(),
            &var_names(rewritten.iter().copied()),
        )) {
            let _ = writeln!(io.err, "{line}");
        }
    }
    for plan in plans {
        report.findings.extend(plan.remaining);
    }
    // A literal an env file feeds into a config is no edit of the config:
    // it stays, and fails the run.
    let pairing: Vec<(String, Vec<u8>)> = read
        .iter()
        .filter(|(_, shown, bytes)| crate::envfiles::pairs(shown, bytes))
        .map(|(_, shown, bytes)| (shown.clone(), bytes.clone()))
        .collect();
    report
        .findings
        .extend(crate::app::env_findings(&pairing, &s.config));
    report.findings.extend(linked);
    report.sort();
    Ok(finish(&report, failed, s, &FixHint::None, io))
}

/// The fixer never writes through a symbolic link: the secrets a link's
/// target holds stay findings that say to fix the target, unless the
/// target itself is among `inputs` (fixed, or reported, on its own). A
/// target that cannot be read is an error.
pub(crate) fn through_links(
    linked: Vec<Input>,
    inputs: &[Input],
    s: &Settings,
    io: &mut Io<'_>,
) -> Result<Vec<Finding>, String> {
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

/// pnpm no longer expands `${…}` in project credentials: say so when the
/// fix relies on it.
fn pnpm_note(root: &std::path::Path, disposition: &Disposition, io: &mut Io<'_>) {
    if disposition.strategy() == fix::Strategy::Interpolate && rewrite::uses_pnpm(root) {
        let _ = writeln!(io.err, "note: {}", rewrite::PNPM_NOTE);
    }
}

fn describe_plan(plan: &FilePlan) -> String {
    if !plan.plan.settings.is_empty() {
        let n = plan.plan.settings.len();
        return format!(
            "took {n} credential setting{} out for the user's yarn config",
            if n == 1 { "" } else { "s" }
        );
    }
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
        .map(|m| crate::files::reference(&plan.path, &m.var))
        .collect();
    format!(
        "{} literal credential{} → {}",
        plan.rewritten,
        if plan.rewritten == 1 { "" } else { "s" },
        vars.join(", ")
    )
}

/// The variables the plans move secrets to, each once, in order.
fn var_names<'a>(plans: impl IntoIterator<Item = &'a FilePlan>) -> Vec<String> {
    rewrite::moved(plans)
        .into_iter()
        .map(|m| m.var.clone())
        .collect()
}

/// `fix --staged` / `scan --staged --fix`: where the secrets go is the
/// user's choice (flags, or the terminal).
pub(crate) fn fix_staged_as_asked(
    repo: &git::Staging<'_>,
    sel: &Selector,
    root: &std::path::Path,
    secrets: &SecretArgs,
    s: &Settings,
    io: &mut Io<'_>,
) -> Result<ExitStatus, String> {
    let disposition = disposition(secrets, root)?;
    fix_staged(repo, root, sel, &disposition, secrets.var.as_deref(), s, io)
}

/// Fix what is staged: the index blob and the work-tree file, each on its own.
fn fix_staged(
    repo: &git::Staging<'_>,
    root: &std::path::Path,
    sel: &Selector,
    disposition: &Disposition,
    var: Option<&str>,
    s: &Settings,
    io: &mut Io<'_>,
) -> Result<ExitStatus, String> {
    let config_vars = s.config.fixer_vars()?;
    let listing = repo.staged(sel)?;
    let strategy = disposition.strategy();
    rewrite::check_store(disposition)?;
    let mut names = Names {
        store: rewrite::store_names(disposition),
        set: rewrite::environment(),
        ..Names::default()
    };
    let mut staged: Vec<(Vec<u8>, FilePlan)> = Vec::new();
    let mut worktree: Vec<(PathBuf, FilePlan)> = Vec::new();
    let mut remaining: Vec<Finding> = Vec::new();
    let (linked, inputs): (Vec<Input>, Vec<Input>) =
        listing.inputs.into_iter().partition(|i| i.via.is_some());
    remaining.extend(through_links(linked, &inputs, s, io)?);
    let read: Vec<(PathBuf, &str, &[u8])> = inputs
        .iter()
        .filter_map(|i| {
            let full = root.join(&*crate::os::from_bytes(&i.name));
            Some((full, i.path.as_str(), i.content.as_ref().ok()?.as_slice()))
        })
        .collect();
    rewrite::check_user_config_applies(disposition, read.iter().map(|(_, p, b)| (*p, *b)))?;
    names.referenced.extend(rewrite::names_taken_outside(
        read.iter().map(|(f, _, b)| (f.as_path(), *b)),
    ));
    drop(read);
    for input in inputs {
        let blob = input.content.map_err(|m| format!("{}: {m}", input.path))?;
        let plan = rewrite::plan_file(&input.path, &blob, strategy, var, config_vars, &mut names)?;
        remaining.extend(plan.remaining.iter().cloned());
        let full = root.join(&*crate::os::from_bytes(&input.name));
        let on_disk = std::fs::symlink_metadata(&full)
            .ok()
            .filter(|m| m.is_file())
            .and_then(|_| std::fs::read(&full).ok());
        if let Some(w) = on_disk {
            let wplan =
                rewrite::plan_file(&input.path, &w, strategy, var, config_vars, &mut names)?;
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
        let _ = writeln!(
            io.err,
            "{} in the staged files",
            if remaining.is_empty() {
                "nothing to fix"
            } else {
                "nothing this tool can rewrite"
            }
        );
        return Ok(still_there(&remaining, io));
    }
    for (name, plan) in &staged {
        let full = root.join(&*crate::os::from_bytes(name));
        rewrite::check_yarn_chain(&full, &plan.plan.settings)?;
    }
    for (full, plan) in &worktree {
        rewrite::check_yarn_chain(full, &plan.plan.settings)?;
    }
    pnpm_note(root, disposition, io);
    let all: Vec<&FilePlan> = staged
        .iter()
        .map(|(_, p)| p)
        .chain(worktree.iter().map(|(_, p)| p))
        .collect();
    let stored = rewrite::dispose(&all, disposition)?;
    let vars = var_names(all.iter().copied());
    let files: Vec<git::Restage> = staged
        .iter()
        .map(|(name, p)| git::Restage {
            name: name.clone(),
            path: p.path.clone(),
            content: p.fixed.clone(),
        })
        .collect();
    repo.restage(&files)?;
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
    Ok(still_there(&remaining, io))
}

/// Names each error finding a staged fix could not rewrite (masked), and
/// the exit status they leave.
fn still_there(remaining: &[Finding], io: &mut Io<'_>) -> ExitStatus {
    for f in remaining {
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
    if remaining.is_empty() {
        ExitStatus::Clean
    } else {
        ExitStatus::Findings
    }
}
