//! Records the commit the binary is built from, for `--version`.
//!
//! From a git checkout (`cargo install --path .`, `cargo install --git …`):
//! `git rev-parse HEAD` in this crate's own folder, with git's environment
//! cleared so a hook's `GIT_DIR` cannot point it elsewhere. From a crates.io
//! package: the `.cargo_vcs_info.json` cargo writes into it. Otherwise
//! `unknown commit`. Never fails the build.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(args);
    for (var, _) in std::env::vars_os() {
        if var.to_string_lossy().starts_with("GIT_") {
            cmd.env_remove(var);
        }
    }
    let out = cmd.output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

fn from_git(dir: &Path) -> Option<String> {
    // Only this crate's own repository, not one it happens to sit inside.
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let git_dir = PathBuf::from(git(dir, &["rev-parse", "--absolute-git-dir"])?);
    // In a linked worktree HEAD is its own, while the refs and packed-refs
    // live in the common folder.
    let common = git(dir, &["rev-parse", "--git-common-dir"])
        .map(|c| dir.join(c))
        .unwrap_or_else(|| git_dir.clone());
    rerun_if_exists(&git_dir.join("HEAD"));
    rerun_if_exists(&common.join("packed-refs"));
    if let Some(head_ref) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        rerun_if_exists(&git_dir.join(&head_ref));
        rerun_if_exists(&common.join(&head_ref));
    }
    let commit = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    let date = git(dir, &["log", "-1", "--format=%cs", "HEAD"]).unwrap_or_default();
    Some(format!("{commit} {date}").trim().to_string())
}

fn rerun_if_exists(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

/// `"sha1": "…"` from the `.cargo_vcs_info.json` of a packaged crate.
fn from_package(dir: &Path) -> Option<String> {
    let info = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let after = info.split("\"sha1\"").nth(1)?;
    let sha: String = after
        .chars()
        .skip_while(|c| !c.is_ascii_hexdigit())
        .take_while(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    (sha.len() == 12).then_some(sha)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = from_git(&dir)
        .or_else(|| from_package(&dir))
        .unwrap_or_else(|| "unknown commit".to_string());
    println!("cargo:rustc-env=NPMRC_GUARD_COMMIT={commit}");
}
