//! The terminal prompt: whether to fix, and where the secrets go.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use crate::fix::pipeline::{user_config_path, Disposition, PNPM_NOTE};
use crate::inputs::shown;

/// Ask on the terminal (`/dev/tty`) whether to fix, and where the secrets
/// go. `default_env` is offered only when it is a store git will not
/// publish (`None` otherwise). `None` when the user declines or no terminal
/// can be opened.
pub fn ask(summary: &str, default_env: Option<&Path>, pnpm: bool) -> Option<Disposition> {
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
    let default = if pnpm || default_env.is_none() {
        "2"
    } else {
        "1"
    };
    let one = match default_env {
        Some(env) => format!("(1) {} (untracked, git-ignored)  ", shown(env)),
        None => String::new(),
    };
    let choice = answer(&format!(
        "  keep the secret in {one}(2) your user npm config {} (a .yarnrc.yml registry's: ~/.yarnrc.yml)  (3) nowhere, I will revoke it [{default}]: ",
        shown(&user_config_path())
    ))?;
    match if choice.is_empty() {
        default
    } else {
        choice.as_str()
    } {
        "1" => default_env.map(|env| Disposition::SaveEnv(env.to_path_buf())),
        "2" => Some(Disposition::MoveToUserConfig(user_config_path())),
        "3" => Some(Disposition::Discard),
        _ => None,
    }
}
