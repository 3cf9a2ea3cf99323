//! lefthook's and the pre-commit framework's YAML configs, edited by lines
//! (pure). Only block-style YAML, the way these configs are written, is
//! edited: we find the key we need by its indentation, insert our block
//! after the last line of the mapping or list it belongs to, and refuse
//! (with the lines to add by hand) anything else: flow style (`{…}`,
//! `[…]`), anchors and aliases on the keys we touch, tabs in indentation.

use super::edit::{self, yaml_key, Added, Line, Removed};
use super::snippet::{eol_of, lines as snippet, pre_commit_entry};
use crate::hook::HookKind;

/// The files the tool's own pre-commit hooks look at (`.pre-commit-hooks.yaml`):
/// every name of `select::DEFAULT_INCLUDE`, in any ASCII case (`(?i)`, read
/// by Python's `re` as by Rust's; a unit test holds the two together). The framework passes a hook
/// only the changed files its pattern matches.
pub const PRE_COMMIT_FILES: &str = r"(?i)(^|/)(\.npmrc|\.yarnrc(\.yml)?|\.?bunfig\.toml|pnpm/(config/)?rc|package\.json5?|package\.yaml|package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|pnpm-workspace\.yaml|\.env(\.(yarn|local|((production|development|test)(\.local)?)))?)$";

/// The `files:` the first release's entry carried (frozen: `uninstall`
/// matches that entry byte for byte, whatever [`PRE_COMMIT_FILES`] is now).
const PRE_COMMIT_FILES_V1: &str = r"(^|/)(\.[nN][pP][mM][rR][cC]|package\.json)$";

/// The lines under our lefthook command's `run: |`.
fn run_block(kind: HookKind, depth: usize) -> Vec<String> {
    let pad = " ".repeat(depth);
    let mut out = vec![format!("{pad}run: |")];
    out.extend(snippet(kind).iter().map(|l| format!("{pad}  {l}")));
    out
}

/// Our lefthook block in its three shapes: a command entry under an
/// existing `commands:`, a `commands:` under an existing hook, a whole hook.
fn lefthook_shapes(kind: HookKind) -> [Vec<String>; 3] {
    let hook = kind.file_name();
    let entry = |depth: usize| {
        let mut v = vec![format!("{}npmrc-guard:", " ".repeat(depth))];
        v.extend(run_block(kind, depth + 2));
        v
    };
    let mut commands = vec!["commands:".to_string()];
    commands.extend(entry(2));
    let mut whole = vec![format!("{hook}:"), "  commands:".to_string()];
    whole.extend(entry(4));
    [entry(0), commands, whole]
}

/// The lines of our lefthook command, for a user who adds them by hand.
pub fn lefthook_by_hand(kind: HookKind) -> String {
    lefthook_shapes(kind)[2].join("\n")
}

/// Our pre-commit framework entry under `repos:`.
fn pre_commit_shape() -> Vec<String> {
    vec![
        "- repo: local".to_string(),
        "  hooks:".to_string(),
        "    - id: npmrc-guard".to_string(),
        "      name: npmrc-guard".to_string(),
        format!("      entry: {}", pre_commit_entry()),
        "      language: system".to_string(),
        "      always_run: true".to_string(),
        "      pass_filenames: false".to_string(),
        // pre-merge-commit: run before the merge commit `git merge` makes,
        // once `pre-commit install --hook-type pre-merge-commit` (or
        // `default_install_hook_types`) installs that hook.
        "      stages: [pre-commit, pre-merge-commit]".to_string(),
    ]
}

/// The entry `install` wrote before it named the pre-merge-commit stage:
/// replaced by [`pre_commit_shape`] on `install`, taken out by `uninstall`.
fn pre_commit_shape_v2() -> Vec<String> {
    let mut v = pre_commit_shape();
    if let Some(last) = v.last_mut() {
        *last = "      stages: [pre-commit]".to_string();
    }
    v
}

/// The entry the first release of `install` wrote (`check` on the files
/// pre-commit passes, which skips symbolic links and obeys top-level
/// filters): `uninstall` still takes it out.
fn pre_commit_shape_v1() -> Vec<String> {
    let mut v = pre_commit_shape();
    v.truncate(4);
    v.push(format!(
        "      entry: {}",
        super::snippet::pre_commit_entry_v1()
    ));
    v.push("      language: system".to_string());
    v.push(format!("      files: {PRE_COMMIT_FILES_V1}"));
    v.push("      types: [file]".to_string());
    v
}

pub fn pre_commit_by_hand() -> String {
    format!("repos:\n  {}", pre_commit_shape().join("\n  "))
}

/// Refuse what a line editor cannot be sure of.
fn plain_enough(ls: &[Line<'_>]) -> Result<(), String> {
    for (n, l) in ls.iter().enumerate() {
        if l.body.starts_with('\t') {
            return Err(format!("line {} is indented with a tab", n + 1));
        }
        if l.indent == 0 && (l.body.starts_with("---") || l.body.starts_with("...")) && n > 0 {
            return Err(format!("line {} starts another YAML document", n + 1));
        }
        if l.indent == 0 && (l.body.starts_with('{') || l.body.starts_with('[')) {
            return Err(format!("line {} is flow-style YAML", n + 1));
        }
        if l.body == "?" || l.body.starts_with("? ") || l.body.starts_with("?\t") {
            return Err(format!(
                "line {} is an explicit YAML key (`? `), which this editor does not read",
                n + 1
            ));
        }
    }
    Ok(())
}

/// The index after the last line of the block under the key at `i`: lines
/// more indented, blank lines and comments; with `seq`, also `- ` items at
/// the key's own indentation (YAML allows them there).
fn region_end(ls: &[Line<'_>], i: usize, seq: bool) -> usize {
    let n = ls[i].indent;
    let mut j = i + 1;
    while j < ls.len() {
        let l = &ls[j];
        let item = l.body == "-" || l.body.starts_with("- ");
        if l.is_content() && l.indent <= n && !(seq && l.indent == n && item) {
            break;
        }
        j += 1;
    }
    j
}

/// The last content line in `(i, end)`, or `i`.
fn last_content(ls: &[Line<'_>], i: usize, end: usize) -> usize {
    (i + 1..end)
        .rev()
        .find(|&k| ls[k].is_content())
        .unwrap_or(i)
}

/// The content lines directly under the key at `i` (end `end`), at the
/// indentation of the first one.
fn children(ls: &[Line<'_>], i: usize, end: usize) -> (Option<usize>, Vec<usize>) {
    let first = (i + 1..end).find(|&k| ls[k].is_content());
    let Some(f) = first else {
        return (None, Vec::new());
    };
    let c = ls[f].indent;
    let kids = (f..end)
        .filter(|&k| ls[k].is_content() && ls[k].indent == c)
        .collect();
    (Some(c), kids)
}

/// A key of ours whose value must be a block on the next lines.
fn block_value(ls: &[Line<'_>], k: usize, key: &str) -> Result<(), String> {
    match yaml_key(ls[k].body) {
        Some((_, "")) => Ok(()),
        // What follows is not shown: it is the user's text, and could hold
        // anything.
        Some(_) => Err(format!(
            "line {}: `{key}:` has its value on the same line (flow style, an anchor, an alias), which this editor does not change",
            k + 1
        )),
        None => Err(format!("line {} is not a `{key}:` line", k + 1)),
    }
}

fn after(ls: &[Line<'_>], k: usize, text: &str) -> usize {
    ls.get(k).map_or(text.len(), |l| l.end)
}

/// A UTF-8 byte order mark that opens a file: YAML parsers skip it, so
/// the editor does too, and puts it back.
const BOM: &str = "\u{feff}";

fn without_bom(text: &str) -> (&str, &str) {
    match text.strip_prefix(BOM) {
        Some(rest) => (BOM, rest),
        None => ("", text),
    }
}

fn add_after_bom(text: &str, f: impl Fn(&str) -> Result<Added, String>) -> Result<Added, String> {
    let (bom, rest) = without_bom(text);
    Ok(match f(rest)? {
        Added::Changed(mut e) => {
            e.text.insert_str(0, bom);
            Added::Changed(e)
        }
        Added::Already => Added::Already,
    })
}

fn remove_after_bom(text: &str, shapes: &[Vec<String>]) -> Removed {
    let (bom, rest) = without_bom(text);
    match edit::remove(rest, shapes) {
        Removed::Text(mut t, lines) => {
            t.insert_str(0, bom);
            Removed::Text(t, lines)
        }
        Removed::DeleteFile(lines) if !bom.is_empty() => Removed::Text(bom.to_string(), lines),
        other => other,
    }
}

/// Hook-level lefthook settings that can skip every command of the hook,
/// ours with them (`(skip) no files for inspection`).
pub const LEFTHOOK_SKIPPERS: [&str; 4] = ["files", "exclude", "skip", "only"];

fn lefthook_skipper(key: &str, value: &str) -> bool {
    LEFTHOOK_SKIPPERS.contains(&key) && !(key == "skip" && value == "false")
}

pub fn skipper_refusal(line: usize, key: &str) -> String {
    format!(
        "line {line}: the hook's `{key}:` setting can make lefthook skip every command of the hook, npmrc-guard's with them; move it onto the commands it is meant for"
    )
}

/// Add our command to a lefthook YAML config.
pub fn lefthook_add(text: &str, kind: HookKind) -> Result<Added, String> {
    add_after_bom(text, |t| lefthook_add_plain(t, kind))
}

/// Whether the marker at line `n` of a lefthook config is in `kind`'s
/// block: the hook key it opens (a marker at the top level comes before
/// its own `pre-commit:` line), or the top-level key it sits under. The
/// same file may hold our blocks for other hooks, with the same command
/// (`install` adds pre-commit and pre-merge-commit).
fn lefthook_owns(kind: HookKind, ls: &[Line<'_>], n: usize) -> bool {
    let key = if ls[n].indent == 0 {
        ls[n + 1..].iter().find(|l| l.is_content())
    } else {
        ls[..n]
            .iter()
            .rev()
            .find(|l| l.indent == 0 && l.is_content())
    };
    key.and_then(|l| yaml_key(l.body))
        .is_some_and(|(k, _)| k.trim_matches(['"', '\'']) == kind.file_name())
}

fn lefthook_add_plain(text: &str, kind: HookKind) -> Result<Added, String> {
    let shapes = lefthook_shapes(kind);
    match edit::remove_owned(text, &shapes, &|ls, n| lefthook_owns(kind, ls, n)) {
        Removed::Absent => {}
        Removed::Edited(n) => return Err(edited(n)),
        _ => return Ok(Added::Already),
    }
    let eol = eol_of(text);
    let ls = edit::lines(text);
    plain_enough(&ls)?;
    let hook = kind.file_name();
    let top = ls.iter().position(|l| {
        l.indent == 0 && l.is_content() && yaml_key(l.body).is_some_and(|(k, _)| k == hook)
    });
    let Some(i) = top else {
        return Ok(Added::Changed(edit::insert(
            text,
            text.len(),
            0,
            &shapes[2],
            eol,
        )));
    };
    block_value(&ls, i, hook)?;
    let end = region_end(&ls, i, false);
    let (c, kids) = children(&ls, i, end);
    let Some(c) = c else {
        let at = after(&ls, i, text);
        return Ok(Added::Changed(edit::insert(text, at, 2, &shapes[1], eol)));
    };
    for &k in &kids {
        if ls[k].body.starts_with('-') {
            return Err(format!(
                "line {}: `{hook}:` holds a list, not a mapping",
                k + 1
            ));
        }
        if let Some((key, value)) = yaml_key(ls[k].body) {
            if lefthook_skipper(key, value) {
                return Err(skipper_refusal(k + 1, key));
            }
            if key == "<<" {
                // A `commands:` we add would replace the merged one, and
                // the user's commands would stop running.
                return Err(format!(
                    "line {}: `{hook}:` merges another mapping (`<<:`), which this editor does not change",
                    k + 1
                ));
            }
        }
    }
    let commands = kids
        .iter()
        .copied()
        .find(|&k| yaml_key(ls[k].body).is_some_and(|(key, _)| key == "commands"));
    let Some(j) = commands else {
        let k = last_content(&ls, i, end);
        return Ok(Added::Changed(edit::insert(
            text,
            after(&ls, k, text),
            c,
            &shapes[1],
            eol,
        )));
    };
    block_value(&ls, j, "commands")?;
    let end2 = region_end(&ls, j, false);
    let (g, names) = children(&ls, j, end2);
    for &k in &names {
        if yaml_key(ls[k].body).is_some_and(|(key, _)| key == "npmrc-guard") {
            return Err(format!(
                "line {}: a command named npmrc-guard is there already, not as `npmrc-guard install` writes it; remove it or keep it",
                k + 1
            ));
        }
    }
    let k = last_content(&ls, j, end2);
    let g = g.unwrap_or(c + 2);
    Ok(Added::Changed(edit::insert(
        text,
        after(&ls, k, text),
        g,
        &shapes[0],
        eol,
    )))
}

pub fn lefthook_remove(text: &str, kind: HookKind) -> Removed {
    let (bom, rest) = without_bom(text);
    let shapes = lefthook_shapes(kind);
    match edit::remove_owned(rest, &shapes, &|ls, n| lefthook_owns(kind, ls, n)) {
        Removed::Text(mut t, lines) => {
            t.insert_str(0, bom);
            Removed::Text(t, lines)
        }
        Removed::DeleteFile(lines) if !bom.is_empty() => Removed::Text(bom.to_string(), lines),
        other => other,
    }
}

/// Add our `repo: local` hook to `.pre-commit-config.yaml`.
pub fn pre_commit_add(text: &str) -> Result<Added, String> {
    add_after_bom(text, pre_commit_add_plain)
}

fn pre_commit_add_plain(text: &str) -> Result<Added, String> {
    let shape = [pre_commit_shape()];
    // The entry without the merge stage: the same entry, with it.
    if let Removed::Text(without, _) = edit::remove(text, &[pre_commit_shape_v2()]) {
        return pre_commit_add_plain(&without);
    }
    if let Removed::Text(..) = edit::remove(text, &[pre_commit_shape_v1()]) {
        return Err(
            "it holds the hook an older `npmrc-guard install` wrote, which pre-commit's file filters can bypass; run `npmrc-guard uninstall`, then `npmrc-guard install` again".to_string(),
        );
    }
    match edit::remove(text, &shape) {
        Removed::Absent => {}
        Removed::Edited(n) => return Err(edited(n)),
        _ => return Ok(Added::Already),
    }
    let eol = eol_of(text);
    let ls = edit::lines(text);
    plain_enough(&ls)?;
    for (n, l) in ls.iter().enumerate() {
        let id = l.body.trim_start_matches("- ").trim_start();
        if yaml_key(id)
            .is_some_and(|(k, v)| k == "id" && v.trim_matches(['"', '\'']) == "npmrc-guard")
        {
            return Err(format!(
                "line {}: a hook with id npmrc-guard is configured already; keep it, or remove it first",
                n + 1
            ));
        }
    }
    let Some(i) = ls.iter().position(|l| {
        l.indent == 0 && l.is_content() && yaml_key(l.body).is_some_and(|(k, _)| k == "repos")
    }) else {
        return Err("it has no top-level `repos:` list".to_string());
    };
    block_value(&ls, i, "repos")?;
    let end = region_end(&ls, i, true);
    let first = (i + 1..end).find(|&k| ls[k].is_content());
    let Some(f) = first.filter(|&f| ls[f].body.starts_with('-')) else {
        return Err(format!(
            "line {}: `repos:` is not followed by a list of `- repo:` items",
            i + 1
        ));
    };
    let k = last_content(&ls, i, end);
    Ok(Added::Changed(edit::insert(
        text,
        after(&ls, k, text),
        ls[f].indent,
        &shape[0],
        eol,
    )))
}

pub fn pre_commit_remove(text: &str) -> Removed {
    remove_after_bom(
        text,
        &[
            pre_commit_shape(),
            pre_commit_shape_v2(),
            pre_commit_shape_v1(),
        ],
    )
}

fn edited(line: usize) -> String {
    format!(
        "line {line} carries npmrc-guard's marker but the lines after it were edited; remove the block or restore it, then run `npmrc-guard install` again"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pre-commit framework's `files:` pattern takes every name the
    /// tool reads by default, in every folder, the caseless ones in any
    /// case, and nothing else: a commit that changes only a lockfile or an
    /// env file reaches the hook.
    #[test]
    fn pre_commit_files_are_the_default_include() {
        let re = regex::Regex::new(PRE_COMMIT_FILES).expect("valid pattern");
        for glob in crate::select::DEFAULT_INCLUDE {
            let name = glob.strip_prefix("**/").expect("**/NAME");
            for path in [name.to_string(), format!("a/b/{name}")] {
                assert!(re.is_match(&path), "{path}");
                let upper = path.to_ascii_uppercase();
                assert!(re.is_match(&upper), "{upper}");
            }
        }
        for other in [
            "npmrc",
            "a.npmrc",
            ".npmrc.bak",
            "x/package.json6",
            "x/package.yml",
            ".env.prod",
            ".envrc",
            "yarn.lock.old",
        ] {
            assert!(!re.is_match(other), "{other}");
        }
    }

    /// The entry the first release wrote, as it wrote it (spelled out
    /// here, not built from today's constants): `uninstall` still takes it
    /// out, byte for byte.
    #[test]
    fn the_first_releases_entry_is_removed() {
        let before =
            "repos:\n  - repo: https://example.com/other\n    rev: v1\n    hooks:\n      - id: x\n";
        let ours = concat!(
            "  # npmrc-guard: added by `npmrc-guard install`; `npmrc-guard uninstall` removes these lines\n",
            "  - repo: local\n",
            "    hooks:\n",
            "      - id: npmrc-guard\n",
            "        name: npmrc-guard\n",
            "        entry: sh -c 'g=node_modules/.bin/npmrc-guard; [ -x \"$g\" ] || g=$(command -v npmrc-guard) || { echo \"npmrc-guard is not installed - run npm install, or cargo install npmrc-guard - commit blocked\" >&2; exit 1; }; \"$g\" check --force-exclude \"$@\"' --\n",
            "        language: system\n",
            "        files: (^|/)(\\.[nN][pP][mM][rR][cC]|package\\.json)$\n",
            "        types: [file]\n",
        );
        let text = format!("{before}{ours}");
        match pre_commit_remove(&text) {
            Removed::Text(back, _) => assert_eq!(back, before),
            other => panic!("{other:?}"),
        }
    }

    fn changed(a: Result<Added, String>) -> edit::Edit {
        match a {
            Ok(Added::Changed(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    fn round_trip(text: &str) -> String {
        let e = changed(lefthook_add(text, HookKind::PreCommit));
        assert_eq!(
            lefthook_add(&e.text, HookKind::PreCommit),
            Ok(Added::Already)
        );
        match lefthook_remove(&e.text, HookKind::PreCommit) {
            Removed::Text(back, _) => assert_eq!(back, text),
            other => panic!("{other:?}"),
        }
        e.text
    }

    #[test]
    fn lefthook_shapes_go_where_they_belong() {
        let out = round_trip("pre-push:\n  commands:\n    x:\n      run: x\n");
        assert!(out.ends_with("pre-commit:\n  commands:\n    npmrc-guard:\n      run: |\n        g=node_modules/.bin/npmrc-guard\n        [ -x \"$g\" ] || g=$(command -v npmrc-guard) || { echo \"npmrc-guard is not installed - run npm install, or cargo install npmrc-guard - commit blocked\" >&2; exit 1; }\n        \"$g\" scan --staged\n"), "{out}");
        let out = round_trip("# top\npre-commit:\n    parallel: true # yes\n\n    commands:\n        lint:\n            run: |\n                eslint\n\n# after\npre-push: {}\n");
        assert!(
            out.contains("                eslint\n        # npmrc-guard: added"),
            "{out}"
        );
        assert!(
            out.contains("\n        npmrc-guard:\n          run: |\n"),
            "{out}"
        );
        assert!(out.ends_with("\n\n# after\npre-push: {}\n"), "{out}");
        let out = round_trip("pre-commit:\n  parallel: true\nother: 1\n");
        assert!(
            out.starts_with("pre-commit:\n  parallel: true\n  # npmrc-guard"),
            "{out}"
        );
        assert!(out.ends_with("\nother: 1\n"), "{out}");
        let out = round_trip("pre-commit:\n");
        assert!(out.starts_with("pre-commit:\n  # npmrc-guard"), "{out}");
        round_trip("");
        round_trip("pre-push:\n  commands: {}");
        round_trip("pre-commit:\r\n  parallel: true\r\n");
        // A byte order mark: the editor reads past it and keeps it.
        let out = round_trip("\u{feff}pre-commit:\n  commands:\n    lint:\n      run: x\n");
        assert!(
            out.starts_with(
                "\u{feff}pre-commit:\n  commands:\n    lint:\n      run: x\n    # npmrc-guard"
            ),
            "{out}"
        );
        assert_eq!(out.matches("pre-commit:").count(), 1, "{out}");
        round_trip("\u{feff}");
        round_trip("pre-commit:\n  skip: false\n");
    }

    #[test]
    fn lefthook_refuses_what_it_cannot_edit() {
        for bad in [
            "pre-commit: {commands: {}}\n",
            "pre-commit:\n  commands: {lint: {run: x}}\n",
            "pre-commit: &base\n  parallel: true\n",
            "pre-commit:\n  - run: x\n",
            "pre-commit:\n\tcommands:\n",
            "{pre-commit: {}}\n",
            "pre-commit:\n  commands:\n    npmrc-guard:\n      run: npmrc-guard scan --staged\n",
            "pre-commit:\n  commands:\n    ? npmrc-guard\n    : run: x\n",
            "? pre-commit\n: commands:\n",
            "pre-commit:\n  skip: true\n",
            "pre-commit:\n  files: git ls-files\n",
            "pre-commit:\n  exclude:\n    - x\n",
            "pre-commit:\n  only:\n    - ref: main\n",
            "\u{feff}pre-commit: {commands: {}}\n",
            "base: &b\n  commands:\n    lint:\n      run: x\npre-commit:\n  <<: *b\n",
        ] {
            assert!(lefthook_add(bad, HookKind::PreCommit).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn pre_commit_goes_last_under_repos() {
        for (text, indent) in [
            (
                "repos:\n- repo: x\n  rev: v1\n  hooks:\n  - id: a\n# end\n",
                "",
            ),
            (
                "# c\nrepos:\n  - repo: x\n    hooks:\n      - id: a\nci:\n  skip: []\n",
                "  ",
            ),
        ] {
            let e = changed(pre_commit_add(text));
            assert!(
                e.text.contains(&format!("\n{indent}- repo: local\n")),
                "{}",
                e.text
            );
            assert_eq!(pre_commit_add(&e.text), Ok(Added::Already));
            match pre_commit_remove(&e.text) {
                Removed::Text(back, _) => assert_eq!(back, text),
                other => panic!("{other:?}"),
            }
        }
        // The first release's entry: uninstall takes it out, install asks
        // for that first.
        let text = "repos:\n- repo: x\n  hooks:\n  - id: a\n";
        let v1 = edit::insert(text, text.len(), 0, &pre_commit_shape_v1(), "\n").text;
        assert!(pre_commit_add(&v1).is_err());
        assert!(matches!(pre_commit_remove(&v1), Removed::Text(t, _) if t == text));
        // The entry without the merge stage (review 6, #9): install puts
        // the one with it in its place, uninstall takes either out.
        let v2 = edit::insert(text, text.len(), 0, &pre_commit_shape_v2(), "\n").text;
        let e = changed(pre_commit_add(&v2));
        assert!(
            e.text.contains("stages: [pre-commit, pre-merge-commit]\n"),
            "{}",
            e.text
        );
        assert!(!e.text.contains("stages: [pre-commit]\n"), "{}", e.text);
        assert_eq!(pre_commit_add(&e.text), Ok(Added::Already));
        for ours in [&v2, &e.text] {
            assert!(matches!(pre_commit_remove(ours), Removed::Text(t, _) if t == text));
        }
        for bad in [
            "repos: []\n",
            "default_stages: [pre-commit]\n",
            "repos:\n- repo: local\n  hooks:\n  - id: npmrc-guard\n",
        ] {
            assert!(pre_commit_add(bad).is_err(), "{bad:?}");
        }
    }
}
