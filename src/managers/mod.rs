//! Hook managers: which one a repository uses, and `install`/`uninstall`
//! into its config. [`snippet`] (the command a config runs), [`edit`],
//! [`yaml`], [`json`] and [`husky`] are pure; this file reads and writes.
//!
//! Detection looks at the repository root: Husky (`.husky/`, or
//! `core.hooksPath` inside it), lefthook (its config files), simple-git-hooks
//! (its config files, or the `simple-git-hooks` key of `package.json`), the
//! pre-commit framework (`.pre-commit-config.yaml`); none means a plain git
//! hook ([`crate::hook`]). With several, the one whose script git runs now
//! wins; if that does not decide, `install` refuses and lists them.

pub mod edit;
pub mod husky;
pub mod json;
pub mod snippet;
pub mod yaml;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fix::write::replace_file;
use crate::hook::{self, HookKind, Outcome};
use crate::inputs::shown;
use edit::{Added, Removed};

/// `--manager`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Choice {
    Auto,
    Git,
    Husky,
    Lefthook,
    SimpleGitHooks,
    PreCommit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manager {
    Husky,
    Lefthook,
    SimpleGitHooks,
    PreCommit,
}

impl Manager {
    pub fn name(self) -> &'static str {
        match self {
            Manager::Husky => "husky",
            Manager::Lefthook => "lefthook",
            Manager::SimpleGitHooks => "simple-git-hooks",
            Manager::PreCommit => "pre-commit",
        }
    }
}

/// A manager found in the repository.
#[derive(Debug)]
struct Found {
    manager: Manager,
    /// The file we edit, relative to the root.
    config: PathBuf,
    /// Whether the hook git runs now is this manager's.
    active: bool,
}

/// The file names lefthook reads, in the order of its documentation
/// (lefthook.dev/configuration).
const LEFTHOOK: &[&str] = &[
    "lefthook.yml",
    ".lefthook.yml",
    ".config/lefthook.yml",
    "lefthook.yaml",
    ".lefthook.yaml",
    ".config/lefthook.yaml",
    "lefthook.toml",
    ".lefthook.toml",
    ".config/lefthook.toml",
    "lefthook.json",
    ".lefthook.json",
    ".config/lefthook.json",
    "lefthook.jsonc",
    ".lefthook.jsonc",
    ".config/lefthook.jsonc",
];

/// The config files simple-git-hooks reads before `package.json`, in its
/// own order (simple-git-hooks.js, `_getConfig`).
const SIMPLE_GIT_HOOKS: &[&str] = &[
    ".simple-git-hooks.cjs",
    ".simple-git-hooks.js",
    ".simple-git-hooks.mjs",
    "simple-git-hooks.cjs",
    "simple-git-hooks.js",
    "simple-git-hooks.mjs",
    ".simple-git-hooks.json",
    "simple-git-hooks.json",
];

/// The work tree's root, asked of git.
fn toplevel() -> Result<PathBuf, String> {
    use std::os::unix::ffi::OsStrExt;
    let out = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.trim().trim_start_matches("fatal: ").to_string());
    }
    let mut dir = out.stdout;
    while dir.last() == Some(&b'\n') {
        dir.pop();
    }
    Ok(PathBuf::from(std::ffi::OsStr::from_bytes(&dir)))
}

fn is_file(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok_and(|m| !m.is_dir())
}

fn detect(root: &Path, hooks: &Path, kind: HookKind) -> Vec<Found> {
    let script = fs::read(hooks.join(kind.file_name())).unwrap_or_default();
    let runs = |needle: &str| memchr::memmem::find(&script, needle.as_bytes()).is_some();
    let mut found = Vec::new();
    let husky_dir = root.join(".husky");
    let husky_hooks = hooks.starts_with(&husky_dir);
    if husky_dir.is_dir() || husky_hooks {
        found.push(Found {
            manager: Manager::Husky,
            config: Path::new(".husky").join(kind.file_name()),
            active: husky_hooks,
        });
    }
    if let Some(name) = LEFTHOOK.iter().find(|n| is_file(&root.join(n))) {
        found.push(Found {
            manager: Manager::Lefthook,
            config: PathBuf::from(name),
            active: runs("lefthook"),
        });
    }
    let sgh = SIMPLE_GIT_HOOKS
        .iter()
        .find(|n| is_file(&root.join(n)))
        .map(PathBuf::from)
        .or_else(|| {
            let pkg = fs::read(root.join("package.json")).ok()?;
            let v: serde_json::Value = serde_json::from_slice(&pkg).ok()?;
            v.get("simple-git-hooks")
                .is_some()
                .then(|| PathBuf::from("package.json"))
        });
    if let Some(config) = sgh {
        found.push(Found {
            manager: Manager::SimpleGitHooks,
            config,
            active: runs("SIMPLE_GIT_HOOKS"),
        });
    }
    if is_file(&root.join(".pre-commit-config.yaml")) {
        found.push(Found {
            manager: Manager::PreCommit,
            config: PathBuf::from(".pre-commit-config.yaml"),
            active: runs("File generated by pre-commit"),
        });
    }
    found
}

/// Which manager `install` writes to: `None` is the plain git hook. The
/// note says why, when there was a choice.
fn choose(choice: Choice, found: Vec<Found>) -> Result<(Option<Found>, String), String> {
    let wanted = match choice {
        Choice::Auto => None,
        Choice::Git => return Ok((None, String::new())),
        Choice::Husky => Some(Manager::Husky),
        Choice::Lefthook => Some(Manager::Lefthook),
        Choice::SimpleGitHooks => Some(Manager::SimpleGitHooks),
        Choice::PreCommit => Some(Manager::PreCommit),
    };
    if let Some(m) = wanted {
        return match found.into_iter().find(|f| f.manager == m) {
            Some(f) => Ok((Some(f), String::new())),
            None => Err(format!(
                "--manager {}: no {} config in this repository ({})",
                m.name(),
                m.name(),
                match m {
                    Manager::Husky => "no .husky/ folder; run `npx husky init` first",
                    Manager::Lefthook => "no lefthook.yml or other lefthook config",
                    Manager::SimpleGitHooks =>
                        "no \"simple-git-hooks\" key in package.json nor .simple-git-hooks.json",
                    Manager::PreCommit => "no .pre-commit-config.yaml",
                }
            )),
        };
    }
    let names = |fs: &[Found]| {
        fs.iter()
            .map(|f| format!("{} ({})", f.manager.name(), shown(&f.config)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match found.len() {
        0 => Ok((None, String::new())),
        1 => Ok((found.into_iter().next(), String::new())),
        _ => {
            let all = names(&found);
            if found.iter().filter(|f| f.active).count() == 1 {
                let f = found.into_iter().find(|f| f.active).expect("one active");
                let note = format!(
                    "found several hook managers: {all}; using {}, whose script git runs now (choose with --manager)\n",
                    f.manager.name()
                );
                return Ok((Some(f), note));
            }
            Err(format!(
                "found several hook managers: {all}; say which one runs your hooks with --manager {}",
                found
                    .iter()
                    .map(|f| f.manager.name())
                    .collect::<Vec<_>>()
                    .join("|")
            ))
        }
    }
}

/// The lines to add by hand to `f`'s config, for a refusal.
fn by_hand(f: &Found, kind: HookKind) -> String {
    match f.manager {
        Manager::Husky => husky::by_hand(kind),
        Manager::Lefthook => match f.config.extension().and_then(|e| e.to_str()) {
            Some("toml") => format!(
                "[{}.commands.npmrc-guard]\nrun = \'\'\'\n{}\n\'\'\'",
                kind.file_name(),
                snippet::lines(kind).join("\n")
            ),
            Some("json" | "jsonc") => format!(
                "\"{}\": {{\"commands\": {{\"npmrc-guard\": {{\"run\": {}}}}}}}",
                kind.file_name(),
                serde_json::to_string(&snippet::one_line(kind)).unwrap_or_default()
            ),
            _ => yaml::lefthook_by_hand(kind),
        },
        Manager::PreCommit => yaml::pre_commit_by_hand(),
        Manager::SimpleGitHooks => format!(
            "\"{}\": {}",
            kind.file_name(),
            serde_json::to_string(&snippet::one_line(kind)).unwrap_or_default()
        ),
    }
}

fn indented(lines: &str) -> String {
    lines
        .lines()
        .map(|l| format!("    {l}\n"))
        .collect::<String>()
}

/// The edit for `f`, from its current content.
fn add(f: &Found, text: Option<&str>, kind: HookKind) -> Result<Added, String> {
    let ext = f.config.extension().and_then(|e| e.to_str()).unwrap_or("");
    match (f.manager, text) {
        (Manager::Husky, _) => husky::add(text, kind),
        (_, None) => Err("it cannot be read".to_string()),
        (Manager::Lefthook, Some(t)) if matches!(ext, "yml" | "yaml") => {
            yaml::lefthook_add(t, kind)
        }
        (Manager::Lefthook, Some(t)) if ext == "json" => json::lefthook_add(t, kind),
        (Manager::Lefthook, Some(_)) => Err(format!(
            "only lefthook's YAML and JSON configs are edited, not .{ext}"
        )),
        (Manager::PreCommit, Some(t)) => yaml::pre_commit_add(t),
        (Manager::SimpleGitHooks, Some(_)) if ext != "json" => {
            Err("it is JavaScript, which this tool does not rewrite".to_string())
        }
        (Manager::SimpleGitHooks, Some(t)) => {
            json::add(t, f.config == Path::new("package.json"), kind)
        }
    }
}

fn remove(f: &Found, text: &str, kind: HookKind) -> Removed {
    let ext = f.config.extension().and_then(|e| e.to_str()).unwrap_or("");
    match f.manager {
        Manager::Husky => husky::remove(text, kind),
        Manager::Lefthook if matches!(ext, "yml" | "yaml") => yaml::lefthook_remove(text, kind),
        Manager::Lefthook if ext == "json" => json::lefthook_remove(text, kind),
        Manager::Lefthook => Removed::Absent,
        Manager::PreCommit => yaml::pre_commit_remove(text),
        Manager::SimpleGitHooks if ext == "json" => {
            json::remove(text, f.config == Path::new("package.json"), kind)
        }
        Manager::SimpleGitHooks => Removed::Absent,
    }
}

/// What to run after the config changed, for the manager to pick it up:
/// nothing when git already runs the manager's script (Husky and lefthook
/// read their configs when the hook runs), else how to install it.
fn next_step(f: &Found, kind: HookKind) -> String {
    let hook = kind.file_name();
    match f.manager {
        Manager::SimpleGitHooks => {
            "\nnow run `npx simple-git-hooks` so that it writes the git hook".to_string()
        }
        _ if f.active => String::new(),
        Manager::Husky => "\ngit does not run Husky's hooks in this clone yet: run `npx husky` (`npm install` does it when package.json has \"prepare\": \"husky\")".to_string(),
        Manager::Lefthook => format!(
            "\ngit does not run lefthook's {hook} hook yet: run `lefthook install`"
        ),
        Manager::PreCommit => format!(
            "\ngit does not run pre-commit's {hook} hook yet: run `pre-commit install`"
        ),
    }
}

/// Refuse a config whose folder is, through a symbolic link, outside the
/// work tree (`.husky` or `.config` linked to a folder in `$HOME`): we
/// never write outside the repository. The file itself being a link is
/// refused by [`read`].
fn inside(root: &Path, config: &Path) -> Result<(), String> {
    let root =
        fs::canonicalize(root).map_err(|e| format!("cannot resolve {}: {e}", shown(root)))?;
    let mut dir = root.join(config);
    dir.pop();
    // The nearest folder that exists (Husky's may not, yet).
    while fs::symlink_metadata(&dir).is_err() && dir.pop() {}
    let real =
        fs::canonicalize(&dir).map_err(|e| format!("cannot resolve {}: {e}", shown(&dir)))?;
    if real.starts_with(&root) {
        Ok(())
    } else {
        Err(format!(
            "{} is in a folder that a symbolic link puts outside the repository ({}); npmrc-guard does not write there",
            shown(config),
            shown(&real)
        ))
    }
}

/// Read a config as UTF-8 text; `None` when it does not exist.
fn read(path: &Path) -> Result<Option<String>, String> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot inspect {}: {e}", shown(path))),
        Ok(m) if m.file_type().is_symlink() => {
            return Err(format!(
                "{} is a symbolic link; links are not followed",
                shown(path)
            ))
        }
        Ok(_) => {}
    }
    let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", shown(path)))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| format!("{} is not UTF-8 text", shown(path)))
}

fn create(path: &Path, content: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o755)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", shown(path)))?;
    f.write_all(content.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", shown(path)))
}

fn plus(lines: &[String]) -> String {
    lines.iter().map(|l| format!("\n  + {l}")).collect()
}

fn minus(lines: &[String]) -> String {
    lines.iter().map(|l| format!("\n  - {l}")).collect()
}

pub fn install(choice: Choice, kind: HookKind, exe: &Path) -> Result<Outcome, String> {
    let root = toplevel()?;
    let hooks = hook::hooks_dir()?;
    let (picked, note) = choose(choice, detect(&root, &hooks, kind))?;
    let Some(f) = picked else {
        let mut out = hook::install(kind, exe)?;
        out.message.insert_str(0, &note);
        return Ok(out);
    };
    let path = root.join(&f.config);
    let name = f.manager.name();
    if kind == HookKind::PrePush {
        match f.manager {
            Manager::Lefthook => return Err(format!(
                "lefthook: not added to {}: lefthook skips a pre-push command when the pushed commits change no file in total (a token added and removed again), so npmrc-guard needs a script there; copy the pre-push recipe of the README's lefthook section",
                shown(&f.config)
            )),
            Manager::PreCommit => return Err(
                "pre-commit: its pre-push stage does not give hooks what `npmrc-guard pre-push` reads (the refs on standard input); use `npmrc-guard install --manager git --hook pre-push`, which keeps an existing pre-push hook and runs it first".to_string()
            ),
            Manager::Husky | Manager::SimpleGitHooks => {}
        }
    }
    let refuse = |why: String| {
        format!(
            "{name}: cannot add npmrc-guard to {}: {why}.\nAdd these lines to it by hand:\n{}",
            shown(&f.config),
            indented(&by_hand(&f, kind))
        )
        .trim_end()
        .to_string()
    };
    inside(&root, &f.config)?;
    let text = read(&path).map_err(&refuse)?;
    let message = match add(&f, text.as_deref(), kind).map_err(&refuse)? {
        Added::Already => format!(
            "{note}{name}: npmrc-guard is in {} already; nothing changed",
            shown(&f.config)
        ),
        Added::Changed(e) => {
            if text.is_some() {
                replace_file(&path, e.text.as_bytes())?;
            } else {
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir)
                        .map_err(|err| format!("cannot create {}: {err}", shown(dir)))?;
                }
                create(&path, &e.text)?;
            }
            format!(
                "{note}{name}: {} {}, line {}:{}{}",
                if text.is_some() {
                    "added to"
                } else {
                    "created"
                },
                shown(&f.config),
                e.line,
                plus(&e.added),
                next_step(&f, kind)
            )
        }
    };
    Ok(Outcome { message })
}

pub fn uninstall(choice: Choice, kind: HookKind) -> Result<Outcome, String> {
    let root = toplevel()?;
    let hooks = hook::hooks_dir()?;
    let found = detect(&root, &hooks, kind);
    let mut messages = Vec::new();
    let mut touched = false;
    for f in &found {
        let wanted = match choice {
            Choice::Auto => true,
            Choice::Git => false,
            Choice::Husky => f.manager == Manager::Husky,
            Choice::Lefthook => f.manager == Manager::Lefthook,
            Choice::SimpleGitHooks => f.manager == Manager::SimpleGitHooks,
            Choice::PreCommit => f.manager == Manager::PreCommit,
        };
        if !wanted {
            continue;
        }
        let path = root.join(&f.config);
        let name = f.manager.name();
        inside(&root, &f.config)?;
        let Some(text) = read(&path)? else { continue };
        match remove(f, &text, kind) {
            Removed::Absent => {}
            Removed::Edited(n) => messages.push(format!(
                "{name}: {} line {n} carries npmrc-guard's marker but the lines after it were edited; left as it is",
                shown(&f.config)
            )),
            Removed::Text(new, lines) => {
                replace_file(&path, new.as_bytes())?;
                touched = true;
                messages.push(format!(
                    "{name}: removed from {}:{}{}",
                    shown(&f.config),
                    minus(&lines),
                    if f.manager == Manager::SimpleGitHooks {
                        "\nnow run `npx simple-git-hooks` so that it rewrites the git hook"
                    } else {
                        ""
                    }
                ));
            }
            Removed::DeleteFile(lines) => {
                fs::remove_file(&path)
                    .map_err(|e| format!("cannot remove {}: {e}", shown(&path)))?;
                touched = true;
                messages.push(format!(
                    "{name}: removed {}, which npmrc-guard had created:{}",
                    shown(&f.config),
                    minus(&lines)
                ));
            }
        }
    }
    if matches!(choice, Choice::Auto | Choice::Git) {
        let git = hook::uninstall(kind)?;
        let quiet =
            choice == Choice::Auto && !found.is_empty() && !git.message.starts_with("removed");
        if !quiet {
            messages.push(git.message);
            touched = true;
        }
    }
    if !touched && messages.is_empty() {
        messages.push(format!(
            "npmrc-guard's {} hook is not installed: nothing to remove",
            kind.file_name()
        ));
    }
    Ok(Outcome {
        message: messages.join("\n"),
    })
}
