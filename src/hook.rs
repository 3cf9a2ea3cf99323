//! Install and uninstall the git hook, and the hook script itself.
//!
//! git is asked where hooks live (`git rev-parse --git-path hooks`, which
//! honours `core.hooksPath`, linked worktrees and submodules). A hook that is
//! not ours is kept: renamed to `<hook>.pre-npmrc-guard` and run first by our
//! script, its exit status respected; `uninstall` renames it back.

use std::fs;
use std::path::{Path, PathBuf};

use crate::inputs::shown;

/// The line that marks a hook script as ours.
pub const MARKER: &str = "# npmrc-guard-hook:";
/// Bumped when the script changes shape.
pub const SCRIPT_VERSION: u32 = 1;
/// Suffix of a foreign hook kept beside ours.
pub const KEPT_SUFFIX: &str = ".pre-npmrc-guard";
/// Suffix of an edited copy of our own script, kept beside ours but not
/// run: it would call npmrc-guard again, and run itself as the kept hook.
pub const BACKUP_SUFFIX: &str = ".npmrc-guard-backup";

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum HookKind {
    PreCommit,
    PrePush,
    /// What git runs before a merge commit it makes itself (`git merge`
    /// without a conflict), in place of pre-commit: the same staged scan.
    PreMergeCommit,
}

impl HookKind {
    pub fn file_name(self) -> &'static str {
        match self {
            HookKind::PreCommit => "pre-commit",
            HookKind::PrePush => "pre-push",
            HookKind::PreMergeCommit => "pre-merge-commit",
        }
    }

    /// The hooks `install --hook <self>` and `uninstall --hook <self>`
    /// handle: pre-commit brings pre-merge-commit along (git's own sample
    /// pre-merge-commit runs the pre-commit hook), so that a `git merge`
    /// of a branch holding a token is checked as a commit is.
    pub fn with_companions(self) -> &'static [HookKind] {
        match self {
            HookKind::PreCommit => &[HookKind::PreCommit, HookKind::PreMergeCommit],
            HookKind::PrePush => &[HookKind::PrePush],
            HookKind::PreMergeCommit => &[HookKind::PreMergeCommit],
        }
    }

    /// The git command a user bypasses this hook with (`--no-verify`).
    fn bypass(self) -> &'static str {
        match self {
            HookKind::PreCommit => "commit",
            HookKind::PrePush => "push",
            HookKind::PreMergeCommit => "merge",
        }
    }
}

/// Quote `s` for a POSIX shell, always. Bytes that are not UTF-8 cannot be
/// written into the script as they are: such a path is spelled out with
/// octal escapes for `printf` to turn back into the same bytes.
fn sh_quote(s: &[u8]) -> String {
    match std::str::from_utf8(s) {
        Ok(text) => format!("'{}'", text.replace('\'', r"'\''")),
        Err(_) => {
            let mut format = String::new();
            for &b in s {
                match b {
                    b'%' => format.push_str("%%"),
                    b'\\' => format.push_str("\\\\"),
                    b'\'' => format.push_str(r"'\''"),
                    0x20..=0x7e => format.push(b as char),
                    _ => format.push_str(&format!("\\{b:03o}")),
                }
            }
            format!("\"$(printf '{format}')\"")
        }
    }
}

/// The hook script (pure). `exe` is the binary it calls first; `PATH` is
/// the fallback.
pub fn script(kind: HookKind, exe: &Path) -> String {
    let name = kind.file_name();
    let exe_q = sh_quote(&crate::os::as_bytes(exe.as_os_str()));
    let run = match kind {
        // Under a merge the index holds the merge's result and HEAD is its
        // first parent: the same scan sees what the merge commit brings
        // (git reads the index again after the hook, so a fix counts).
        HookKind::PreCommit | HookKind::PreMergeCommit => {
            "\"$npmrc_guard\" scan --staged --offer-fix".to_string()
        }
        HookKind::PrePush => "\"$npmrc_guard\" pre-push \"$@\"".to_string(),
    };
    format!(
        r#"#!/bin/sh
{MARKER} {name} v{SCRIPT_VERSION}
# Installed by npmrc-guard {version}: blocks commits that add literal registry
# credentials to .npmrc files. `npmrc-guard uninstall` removes this hook and
# restores the one that was here before, if any.
npmrc_guard={exe_q}
if [ ! -x "$npmrc_guard" ]; then
  npmrc_guard=$(command -v npmrc-guard 2>/dev/null) || npmrc_guard=
fi
if [ -z "$npmrc_guard" ]; then
  echo "npmrc-guard: not found at "{exe_q}" nor on PATH; blocking this {name} so no token slips through." >&2
  echo "  reinstall it:   cargo install npmrc-guard && npmrc-guard install --hook {name}" >&2
  echo "  or bypass once: git {bypass} --no-verify" >&2
  exit 1
fi
{stdin_save}kept="$(dirname -- "$0")/{name}{KEPT_SUFFIX}"
if [ -x "$kept" ]; then
  {feed}"$kept" "$@" || exit $?
fi
{feed}{run} || exit $?
"#,
        version = env!("CARGO_PKG_VERSION"),
        bypass = kind.bypass(),
        stdin_save = if kind == HookKind::PrePush {
            "# git writes the refs being pushed to standard input: keep them for both hooks.\nrefs=$(cat)\n"
        } else {
            ""
        },
        feed = if kind == HookKind::PrePush {
            "printf '%s\\n' \"$refs\" | "
        } else {
            ""
        },
    )
}

/// The script shipped as `hooks/<hook>` for people who copy hooks by hand:
/// the installed script, calling `npmrc-guard` from `PATH`, with a comment
/// on how to use it.
pub fn manual_script(kind: HookKind) -> String {
    let name = kind.file_name();
    let usage = format!(
        "#\n# Manual install (or let `npmrc-guard install --hook {name}` do it):\n#   cp hooks/{name} \"$(git rev-parse --git-path hooks)/{name}\"\n#   chmod +x \"$(git rev-parse --git-path hooks)/{name}\"\n# npmrc-guard must be on PATH (cargo install npmrc-guard). A hook that was\n# already there can be kept as {name}{KEPT_SUFFIX}: this script runs it first.\n"
    );
    let full = script(kind, Path::new("npmrc-guard"));
    let (head, rest) = full.split_at(full.find("npmrc_guard=").unwrap_or(0));
    format!("{head}{usage}{rest}")
}

/// Whether `content` carries our marker line: a script we wrote, or a copy
/// of one, edited or not.
pub fn is_marked(content: &[u8]) -> bool {
    memchr::memmem::find(content, MARKER.as_bytes()).is_some()
}

/// The SHA-256 (hex) of every hook script this tool has ever written, with
/// the binary's path normalised (see [`identity`]): installed and shipped
/// (`hooks/<hook>`) scripts, pre-commit and pre-push, every version. When the
/// script changes, its new hash is added here and the old ones stay (a test
/// fails until it is): an older script of ours is replaced, an edited copy
/// is never mistaken for ours.
pub const KNOWN_HASHES: &[&str] = &[
    // 0.1.0, pre-commit `scan --staged` (236decc..b3e62f0): installed, shipped.
    "9a8ba08a4f70bf75c6be297db16b876c6a93fe1cbbdc5b753c135ec3e08056cb",
    "e78772faff634df2d4dee349c33e3d6588fe04584013a1282488ae25ec392912",
    // 0.1.0, pre-commit `scan --staged --offer-fix` (ee9c9fb..): installed, shipped.
    "fcf7adfce0e7820bb9cc4aedc33a595cd95c534bade951eea93057d6f27f6908",
    "e768e6c34768d29256c2bd5a11d21050cd6e12c1880351bbf45498c5203bf3e6",
    // 0.1.0, pre-push (every version so far): installed, shipped.
    "49f814bbb44598df0399df58ce40fdbbe5a03f8f285c7e2238e998a98bb6b1a6",
    "7aed3dcf565f01b18a13d3818809e2a1cf0f9141a03221c73fbbe252edc2b3b9",
    // 0.1.0 v1, the guard line ends `|| exit $?` (a step appended to the
    // hook cannot swallow its status; review 5, #10): pre-commit and
    // pre-push, installed and shipped.
    "85429753b9fd23c16c245c1d15b3d727af74a94ac8b20ac8158fa391436cb417",
    "dffc7d53db18dd812f47453aef7213d5ea517ca46aed01f4baadf032ee126670",
    "940360a7aa86f9c5192b3acf9d14c4298473251f2b0bce6937fe87e0f5a5af44",
    "234e66f1200d9843346035c386180a7daabf9cf159d2cc6c485db3e4022dd322",
    // 0.1.0 v1, pre-merge-commit (the pre-commit scan before a merge
    // commit; review 6, #9): installed, shipped.
    "fa37d4d43d6bf6efb66568b523a731d9a2648dd4701ed36050cafdf26575e051",
    "d7c77bdde1c100defb12944223ddb8e37f277aa1f2c8aeef41ce09c1eaf02b3f",
];

/// The hash that identifies a hook script whatever binary path it calls:
/// the value of its `npmrc_guard=` line is replaced, wherever it occurs, by
/// a fixed placeholder, and the result hashed. `None` without that line.
pub fn identity(content: &[u8]) -> Option<String> {
    use sha2::{Digest, Sha256};
    let key = b"\nnpmrc_guard=";
    let at = memchr::memmem::find(content, key)? + key.len();
    let end = memchr::memchr(b'\n', &content[at..]).map_or(content.len(), |i| at + i);
    let exe = &content[at..end];
    let mut normal = Vec::with_capacity(content.len());
    let mut rest = content;
    while let Some(i) = (!exe.is_empty())
        .then(|| memchr::memmem::find(rest, exe))
        .flatten()
    {
        normal.extend_from_slice(&rest[..i]);
        normal.extend_from_slice(b"@NPMRC_GUARD_EXE@");
        rest = &rest[i + exe.len()..];
    }
    normal.extend_from_slice(rest);
    let digest = Sha256::digest(&normal);
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `content` is, byte for byte, a hook script this tool wrote (any
/// version, any binary path).
pub fn is_ours(content: &[u8]) -> bool {
    identity(content).is_some_and(|h| KNOWN_HASHES.contains(&h.as_str()))
}

/// What `install` or `uninstall` did, in words for the user.
#[derive(Debug)]
pub struct Outcome {
    pub message: String,
}

/// The folder git runs hooks from, for the repository at the current
/// directory. Taken as bytes: a path that is not UTF-8 must stay the same
/// path.
pub fn hooks_dir() -> Result<PathBuf, String> {
    crate::git::plumbing::rev_parse_path(&["--path-format=absolute", "--git-path", "hooks"])
}

/// A hook manager owns `dir` and regenerates it: writing there would be
/// undone (or would break the manager).
fn manager_of(dir: &Path) -> Option<&'static str> {
    let s = dir.to_string_lossy();
    if s.contains("/.husky/") || s.ends_with("/.husky") || dir.join("husky.sh").exists() {
        return Some("husky");
    }
    None
}

pub fn install(kind: HookKind, exe: &Path) -> Result<Outcome, String> {
    let dir = hooks_dir()?;
    let name = kind.file_name();
    if let Some(manager) = manager_of(&dir) {
        return Err(format!(
            "core.hooksPath points at {}, which {manager} manages and rewrites; `npmrc-guard install --manager {manager}{}` adds npmrc-guard to .husky/{name} instead",
            shown(&dir),
            match kind {
                HookKind::PreCommit => "",
                HookKind::PrePush => " --hook pre-push",
                HookKind::PreMergeCommit => " --hook pre-merge-commit",
            }
        ));
    }
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", shown(&dir)))?;
    let target = dir.join(name);
    let kept = dir.join(format!("{name}{KEPT_SUFFIX}"));
    let wanted = script(kind, exe);
    let mut message = String::new();
    match fs::symlink_metadata(&target) {
        Ok(_) => {
            let current = fs::read(&target).unwrap_or_default();
            if is_ours(&current) {
                if current == wanted.as_bytes() {
                    return Ok(Outcome {
                        message: format!("{name} hook already installed: {}", shown(&target)),
                    });
                }
            } else if is_marked(&current) {
                // A copy of ours edited by hand: kept, never overwritten.
                let backup = dir.join(format!("{name}{BACKUP_SUFFIX}"));
                if fs::symlink_metadata(&backup).is_ok() {
                    return Err(format!(
                        "{} carries npmrc-guard's marker but was edited by hand, and {} is taken; move one of them away and run `npmrc-guard install` again",
                        shown(&target),
                        shown(&backup)
                    ));
                }
                fs::rename(&target, &backup)
                    .map_err(|e| format!("cannot keep the edited hook {}: {e}", shown(&target)))?;
                message.push_str(&format!(
                    "{} carried npmrc-guard's marker but was edited by hand: kept as {} (not run; `npmrc-guard uninstall` puts it back)\n",
                    shown(&target),
                    shown(&backup)
                ));
            } else {
                if fs::symlink_metadata(&kept).is_ok() {
                    return Err(format!(
                        "{} exists and is not ours, and {} is taken too; move one of them away and run `npmrc-guard install` again",
                        shown(&target),
                        shown(&kept)
                    ));
                }
                fs::rename(&target, &kept).map_err(|e| {
                    format!("cannot keep the existing hook {}: {e}", shown(&target))
                })?;
                message.push_str(&format!(
                    "kept the existing {name} hook as {} (it still runs first)\n",
                    shown(&kept)
                ));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot inspect {}: {e}", shown(&target))),
    }
    write_executable(&target, wanted.as_bytes())?;
    message.push_str(&format!("installed the {name} hook: {}", shown(&target)));
    Ok(Outcome { message })
}

pub fn uninstall(kind: HookKind) -> Result<Outcome, String> {
    let dir = hooks_dir()?;
    let name = kind.file_name();
    let target = dir.join(name);
    let kept = dir.join(format!("{name}{KEPT_SUFFIX}"));
    let current = match fs::read(&target) {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Outcome {
                message: format!("no {name} hook installed in {}", shown(&dir)),
            })
        }
        Err(e) => return Err(format!("cannot read {}: {e}", shown(&target))),
    };
    if !is_ours(&current) {
        return Ok(Outcome {
            message: if is_marked(&current) {
                format!(
                    "{} carries npmrc-guard's marker but was edited by hand; left as it is (remove it yourself if you mean to)",
                    shown(&target)
                )
            } else {
                format!(
                    "{} is not npmrc-guard's hook; left as it is",
                    shown(&target)
                )
            },
        });
    }
    fs::remove_file(&target).map_err(|e| format!("cannot remove {}: {e}", shown(&target)))?;
    let mut message = format!("removed the {name} hook: {}", shown(&target));
    let backup = dir.join(format!("{name}{BACKUP_SUFFIX}"));
    for previous in [&kept, &backup] {
        if fs::symlink_metadata(previous).is_ok() {
            fs::rename(previous, &target)
                .map_err(|e| format!("cannot restore {}: {e}", shown(previous)))?;
            message.push_str(&format!(
                "\nrestored the previous hook from {}",
                shown(previous)
            ));
            break;
        }
    }
    Ok(Outcome { message })
}

/// Hook scripts are written by the fixer's atomic writer, mode 0755.
fn write_executable(path: &Path, content: &[u8]) -> Result<(), String> {
    crate::fix::write::write_atomically(path, content, 0o755)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scripts written before `--offer-fix` (236decc..b3e62f0).
    fn before_offer_fix(script: &str) -> String {
        script.replace(" scan --staged --offer-fix\n", " scan --staged\n")
    }

    #[test]
    fn every_script_we_write_is_known() {
        for exe in ["/usr/bin/npmrc-guard", "/opt/my tools/it's/npmrc-guard"] {
            for kind in [
                HookKind::PreCommit,
                HookKind::PrePush,
                HookKind::PreMergeCommit,
            ] {
                let installed = script(kind, Path::new(exe));
                assert!(
                    is_ours(installed.as_bytes()),
                    "{kind:?} at {exe}: add its hash to KNOWN_HASHES: {:?}",
                    identity(installed.as_bytes())
                );
                let manual = manual_script(kind);
                assert!(
                    is_ours(manual.as_bytes()),
                    "shipped {kind:?}: add its hash to KNOWN_HASHES: {:?}",
                    identity(manual.as_bytes())
                );
                // pre-merge-commit came after `--offer-fix`.
                if kind != HookKind::PreMergeCommit {
                    assert!(is_ours(before_offer_fix(&installed).as_bytes()));
                    assert!(is_ours(before_offer_fix(&manual).as_bytes()));
                }
            }
        }
        // A non-UTF-8 binary path: the same identity.
        let odd = script(
            HookKind::PreCommit,
            Path::new(&*crate::os::from_bytes(b"/tmp/\xff/npmrc-guard")),
        );
        assert!(is_ours(odd.as_bytes()));
    }

    #[test]
    fn an_edited_copy_is_marked_but_not_ours() {
        let ours = script(HookKind::PreCommit, Path::new("/usr/bin/npmrc-guard"));
        for edited in [
            ours.replace("exit 1\n", "exit 0\n"),
            format!("{ours}npx lint-staged\n"),
            ours.replacen("#!/bin/sh\n", "#!/bin/bash\n", 1),
        ] {
            assert!(is_marked(edited.as_bytes()));
            assert!(!is_ours(edited.as_bytes()));
        }
        assert!(!is_ours(b"#!/bin/sh\nexit 0\n"));
    }

    #[test]
    fn script_quotes_the_binary_path() {
        let s = script(
            HookKind::PreCommit,
            Path::new("/opt/my tools/it's/npmrc-guard"),
        );
        assert!(s.contains(r"npmrc_guard='/opt/my tools/it'\''s/npmrc-guard'"));
        assert!(is_ours(s.as_bytes()));
        assert!(s.contains("scan --staged"));
        assert!(s.contains("--no-verify"));
    }
}
