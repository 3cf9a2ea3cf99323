//! What a hook manager's config runs, and the comment that marks the lines
//! `install` added (pure).
//!
//! The command is a small POSIX sh snippet, the same for every manager: it
//! runs the project's copy (`node_modules/.bin/npmrc-guard`, there for every
//! teammate who ran `npm install`), else the one on `PATH`, else blocks the
//! commit with one line saying how to get it (fail closed: a teammate
//! without the tool must not commit a token unseen).

use crate::hook::HookKind;

/// The project's copy, relative to the repository root (where git, Husky,
/// lefthook, simple-git-hooks and pre-commit all run hooks).
pub const LOCAL_BIN: &str = "node_modules/.bin/npmrc-guard";

/// The line printed when no copy is found. No `: ` and no ` #` in it: it
/// goes into YAML plain scalars as it is.
pub const MISSING: &str =
    "npmrc-guard is not installed - run npm install, or cargo install npmrc-guard - commit blocked";

/// The command the snippet ends with.
fn tail(kind: HookKind) -> &'static str {
    match kind {
        HookKind::PreCommit | HookKind::PreMergeCommit => "\"$g\" scan --staged",
        HookKind::PrePush => "\"$g\" pre-push \"$@\"",
    }
}

/// The snippet as lines (for shell files and YAML block scalars).
pub fn lines(kind: HookKind) -> [String; 3] {
    [
        format!("g={LOCAL_BIN}"),
        format!(
            "[ -x \"$g\" ] || g=$(command -v npmrc-guard) || {{ echo \"{MISSING}\" >&2; exit 1; }}"
        ),
        tail(kind).to_string(),
    ]
}

/// The snippet on one line (for JSON strings).
pub fn one_line(kind: HookKind) -> String {
    lines(kind).join("; ")
}

/// The pre-commit framework's `entry:`: the snippet under `sh -c`. It
/// scans what is staged itself (the hook has `always_run: true` and
/// `pass_filenames: false`): pre-commit's own filters (top-level `files:`
/// and `exclude:`, `types:`, which leave out symbolic links) cannot hide a
/// `.npmrc` from it.
pub fn pre_commit_entry() -> String {
    format!("sh -c '{}'", one_line(HookKind::PreCommit))
}

/// The entry of the first release (`check` on the files pre-commit
/// passes), which `uninstall` still recognises.
pub fn pre_commit_entry_v1() -> String {
    let [a, b, _] = lines(HookKind::PreCommit);
    format!("sh -c '{a}; {b}; \"$g\" check --force-exclude \"$@\"' --")
}

/// How the lines we add joined the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    /// Inserted between lines that were there.
    Inserted,
    /// Appended to a last line that had no line break: we added one.
    AddedBreak,
    /// The file did not exist: we created it.
    Created,
}

impl Join {
    pub const ALL: [Join; 3] = [Join::Inserted, Join::AddedBreak, Join::Created];
}

/// The comment line (without indentation or `#`-prefix position) that opens
/// every block `install` adds to a shell or YAML file.
pub fn marker(join: Join) -> String {
    let base = "# npmrc-guard: added by `npmrc-guard install`; `npmrc-guard uninstall` removes";
    match join {
        Join::Inserted => format!("{base} these lines"),
        Join::AddedBreak => format!("{base} these lines and the line break before them"),
        Join::Created => format!("{base} this file"),
    }
}

/// The start every marker shares: a block of ours, edited or not.
pub const MARKER_PREFIX: &str = "# npmrc-guard: added by `npmrc-guard install`";

/// The line ending a file uses: CRLF when it has one, else LF.
pub fn eol_of(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The snippet, run by sh: the project's copy first, then PATH, else a
    /// blocked commit with one line.
    #[test]
    fn snippet_has_no_yaml_plain_scalar_breakers() {
        for s in [one_line(HookKind::PreCommit), pre_commit_entry()] {
            assert!(!s.contains(": "), "{s}");
            assert!(!s.contains(" #"), "{s}");
        }
        assert!(one_line(HookKind::PrePush).ends_with("\"$g\" pre-push \"$@\""));
    }
}
