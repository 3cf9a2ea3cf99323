//! Fix orchestration: plan the edits of each file (pure, in `fix`), put the
//! secrets where the user chose, then write the files back.
//!
//! The order matters: the secrets are stored first, the files rewritten
//! after, so a failure in between can lose nothing.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use crate::detect::Detected;
use crate::finding::{Finding, Severity};
use crate::fix::{self, Plan, Strategy};
use crate::inputs::shown;
use crate::{git, write};

/// Where the removed secrets go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Append `NAME=value` lines to this dotenv file.
    SaveEnv(PathBuf),
    /// Drop them: the user will revoke them.
    Discard,
    /// Move the whole credential lines to this npm user config.
    MoveToUserConfig(PathBuf),
}

impl Disposition {
    pub fn strategy(&self) -> Strategy {
        match self {
            Disposition::MoveToUserConfig(_) => Strategy::MoveLines,
            _ => Strategy::Interpolate,
        }
    }
}

/// The user's npm config file, as npm finds it.
pub fn user_config_path() -> PathBuf {
    for var in ["NPM_CONFIG_USERCONFIG", "npm_config_userconfig"] {
        if let Some(p) = std::env::var_os(var).filter(|p| !p.is_empty()) {
            return PathBuf::from(p);
        }
    }
    let home = std::env::var_os("HOME").unwrap_or_default();
    Path::new(&home).join(".npmrc")
}

/// One file's fix, planned.
#[derive(Debug)]
pub struct FilePlan {
    /// The path as reports show it.
    pub path: String,
    pub plan: Plan,
    pub fixed: Vec<u8>,
    /// Error findings the fix cannot rewrite (a token in a comment).
    pub remaining: Vec<Finding>,
    /// How many findings the plan rewrites.
    pub rewritten: usize,
}

/// Plan the fix of `src`. `names` carries secret → variable across files, so
/// one secret gets one name and two secrets never share one.
pub fn plan_file(
    path: &str,
    src: &[u8],
    strategy: Strategy,
    var: Option<&str>,
    vars: &HashMap<String, String>,
    names: &mut HashMap<String, String>,
) -> Result<FilePlan, String> {
    let mut found = crate::files::detect_file(path, src);
    fix::assign_vars_with(&mut found, vars, var, names);
    let plan = fix::plan(src, &found, strategy);
    let fixed = fix::apply(src, &plan.edits);
    // The fix must leave nothing it could have fixed: check, do not assume.
    let left: Vec<Detected> = crate::files::detect_file(path, &fixed);
    if left.iter().any(|d| d.fix.is_some()) {
        return Err(format!(
            "{path}: the rewrite left a literal credential behind; nothing was written (please report this)"
        ));
    }
    let remaining = left
        .into_iter()
        .filter(|d| d.finding.severity == Severity::Error)
        .map(|d| d.finding)
        .collect();
    let rewritten = found.iter().filter(|d| d.fix.is_some()).count();
    Ok(FilePlan {
        path: path.to_string(),
        plan,
        fixed,
        remaining,
        rewritten,
    })
}

/// Store the secrets the plans remove, where `disposition` says. Returns a
/// sentence for the user.
pub fn dispose(plans: &[&FilePlan], disposition: &Disposition) -> Result<String, String> {
    match disposition {
        Disposition::Discard => Ok("the removed secrets were not kept: revoke them".to_string()),
        Disposition::SaveEnv(file) => {
            if git::ignored(file)? == Some(false) {
                return Err(format!(
                    "{} is inside a repository and not ignored by git: the secrets would be committed next. Add it to .gitignore, or choose a file outside the repository",
                    shown(file)
                ));
            }
            let mut vars: Vec<(String, String)> = Vec::new();
            for m in plans.iter().flat_map(|p| &p.plan.moved) {
                if !vars.iter().any(|(n, _)| *n == m.var) {
                    vars.push((m.var.clone(), m.value.expose().to_string()));
                }
            }
            write::save_env(file, &vars)?;
            let names: Vec<&str> = vars.iter().map(|(n, _)| n.as_str()).collect();
            Ok(format!(
                "{} saved to {} (mode 0600); set {} in your shell and in CI secrets before the next npm install",
                names.join(", "),
                shown(file),
                if names.len() == 1 { "it" } else { "them" }
            ))
        }
        Disposition::MoveToUserConfig(file) => {
            let lines: Vec<Vec<u8>> = plans
                .iter()
                .flat_map(|p| p.plan.lines.iter().cloned())
                .collect();
            let added = write::move_to_user_config(file, &lines)?;
            Ok(format!(
                "moved {} credential line{} to {} (npm, pnpm, yarn 1 and bun read it)",
                lines.len(),
                if lines.len() == 1 { "" } else { "s" },
                shown(file)
            ) + if added < lines.len() {
                "; some were already there"
            } else {
                ""
            })
        }
    }
}

/// Whether the repository at `root` uses pnpm, whose 10.34.2 / 11.5.3
/// releases stopped expanding `${…}` in credentials of a project `.npmrc`
/// (GHSA-3qhv-2rgh-x77r).
pub fn uses_pnpm(root: &Path) -> bool {
    if root.join("pnpm-lock.yaml").exists() {
        return true;
    }
    std::fs::read_to_string(root.join("package.json")).is_ok_and(|pkg| {
        serde_json::from_str::<serde_json::Value>(&pkg).is_ok_and(|v| {
            v["packageManager"]
                .as_str()
                .is_some_and(|pm| pm.starts_with("pnpm@"))
        })
    })
}

pub const PNPM_NOTE: &str = "this repository uses pnpm, and pnpm 10.34.2 and 11.5.3 no longer expand ${…} in credentials of a project .npmrc (GHSA-3qhv-2rgh-x77r): prefer --move-to-user-config, or set npm_config_//host/:_authToken in the environment";

/// The three choices, for a non-interactive run that made none.
pub const CHOICES: &str = "say where the secrets go (they are removed from the file):\n  --save-env FILE          append NAME=value lines to a dotenv file (mode 0600; git must ignore it)\n  --move-to-user-config    move the credential lines to your user npm config (~/.npmrc)\n  --discard-secrets        drop them: you will revoke them";

/// Ask on the terminal (`/dev/tty`) whether to fix, and where the secrets
/// go. `None` when the user declines or no terminal can be opened.
pub fn ask(summary: &str, default_env: &Path, pnpm: bool) -> Option<Disposition> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()?;
    let mut out = tty.try_clone().ok()?;
    let mut input = BufReader::new(tty);
    let mut answer = |question: &str| -> Option<String> {
        write!(out, "{question}").ok()?;
        out.flush().ok()?;
        let mut line = String::new();
        input.read_line(&mut line).ok()?;
        Some(line.trim().to_lowercase())
    };
    let yes = answer(&format!(
        "{summary}\n  rewrite to ${{VAR}} and keep the secret out of git? [y/N] "
    ))?;
    if yes != "y" && yes != "yes" {
        return None;
    }
    if pnpm {
        let _ = answer(&format!("  note: {PNPM_NOTE}\n  (press Enter) "));
    }
    let default = if pnpm { "2" } else { "1" };
    let choice = answer(&format!(
        "  keep the secret in (1) {} (git-ignored)  (2) your user npm config {}  (3) nowhere, I will revoke it [{default}]: ",
        shown(default_env),
        shown(&user_config_path())
    ))?;
    match if choice.is_empty() {
        default
    } else {
        choice.as_str()
    } {
        "1" => Some(Disposition::SaveEnv(default_env.to_path_buf())),
        "2" => Some(Disposition::MoveToUserConfig(user_config_path())),
        "3" => Some(Disposition::Discard),
        _ => None,
    }
}
