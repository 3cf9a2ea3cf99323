//! git's own plumbing, for the repositories libgit2 and [`super::index`]
//! cannot read: the SHA-256 object format, a split index, a sparse index
//! whose collapsed directories differ from HEAD. `git diff-index --cached
//! -z` lists what is staged and `git cat-file --batch` reads the blobs. git
//! is always there when git runs a hook, and it reads `GIT_DIR`,
//! `GIT_INDEX_FILE` and the rest of the environment it set for the hook
//! itself. Slower than the fast path (two processes), so only the fallback.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{path_str, Listing, MODE_FILE, MODE_GITLINK, MODE_SYMLINK};
use crate::inputs::{Input, MAX_FILE_BYTES};
use crate::select::Selector;

/// A git command whose pathspecs mean what this module writes: the
/// environment that would read `:(literal)…` as a file name, or a name as a
/// glob, is left out.
fn git_command() -> Command {
    let mut cmd = Command::new("git");
    for var in [
        "GIT_LITERAL_PATHSPECS",
        "GIT_GLOB_PATHSPECS",
        "GIT_NOGLOB_PATHSPECS",
        "GIT_ICASE_PATHSPECS",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Run git with `args`; its standard output, or its error in words.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    git_os(&args.iter().map(OsStr::new).collect::<Vec<_>>())
}

/// [`git`] with arguments that may be any bytes (paths).
fn git_os(args: &[&OsStr]) -> Result<Vec<u8>, String> {
    let out = git_command()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "git {}: {}",
            args.first()
                .map(|a| a.to_string_lossy())
                .unwrap_or_default(),
            err.trim().trim_start_matches("fatal: ")
        ));
    }
    Ok(out.stdout)
}

fn trimmed(mut bytes: Vec<u8>) -> Vec<u8> {
    while bytes.last().is_some_and(|b| *b == b'\n') {
        bytes.pop();
    }
    bytes
}

/// The repository's object format as git names it (`sha1`, `sha256`).
pub fn object_format() -> Result<String, String> {
    let out = trimmed(git(&["rev-parse", "--show-object-format"])?);
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// git's plumbing answering [`crate::ci::Commits`] in the current
/// repository (one libgit2 cannot open).
#[derive(Debug)]
pub struct Commits;

impl crate::ci::Commits for Commits {
    fn commit(&self, rev: &str) -> Option<String> {
        let rev = format!("{rev}^{{commit}}");
        let out = git(&["rev-parse", "--verify", "--quiet", &rev]).ok()?;
        Some(String::from_utf8_lossy(&trimmed(out)).into_owned())
    }

    fn merge_base(&self, a: &str, b: &str) -> Option<String> {
        let out = git(&["merge-base", a, b]).ok()?;
        Some(String::from_utf8_lossy(&trimmed(out)).into_owned())
    }

    fn parents(&self, id: &str) -> Vec<String> {
        let out = git(&["rev-list", "--parents", "-n", "1", id]).unwrap_or_default();
        let line = String::from_utf8_lossy(&out).into_owned();
        line.split_whitespace()
            .skip(1)
            .map(str::to_string)
            .collect()
    }

    fn ancestors(&self, id: &str) -> std::collections::HashSet<String> {
        let out = git(&["rev-list", "--end-of-options", id]).unwrap_or_default();
        String::from_utf8_lossy(&out)
            .lines()
            .map(str::to_string)
            .collect()
    }
}

/// The work tree's root.
pub fn toplevel() -> Result<PathBuf, String> {
    rev_parse_path(&["--show-toplevel"])
}

/// The work tree's root for an absolute link target ([`super::links::Root`]):
/// none in a bare repository.
fn work_tree_root() -> super::links::Root {
    super::links::Root::of(toplevel().ok().as_deref())
}

/// A path `git rev-parse` prints (`--show-toplevel`, `--git-path hooks`),
/// taken as bytes: a path that is not UTF-8 must stay the same path. The
/// error is git's own message.
pub fn rev_parse_path(args: &[&str]) -> Result<PathBuf, String> {
    let out = git_command()
        .arg("rev-parse")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.trim().trim_start_matches("fatal: ").to_string());
    }
    Ok(PathBuf::from(&*crate::os::from_bytes(&trimmed(out.stdout))))
}

/// The staged blobs at matching paths that differ from HEAD, as
/// [`super::staged`] lists them, asked of git.
pub fn staged(sel: &Selector) -> Result<Listing, String> {
    let base = match git(&["rev-parse", "-q", "--verify", "HEAD^{tree}"]) {
        Ok(out) => String::from_utf8_lossy(&trimmed(out)).into_owned(),
        // An unborn branch: everything staged is new.
        Err(_) => {
            String::from_utf8_lossy(&trimmed(git(&["hash-object", "-t", "tree", "/dev/null"])?))
                .into_owned()
        }
    };
    let diff = git(&[
        "diff-index",
        "--cached",
        "-z",
        "--no-renames",
        "--ignore-submodules=none",
        &base,
        "--",
    ])?;
    let mut listing = Listing::default();
    let mut conflicts: Vec<String> = Vec::new();
    let mut wanted: Vec<(Vec<u8>, String, Option<String>)> = Vec::new();
    // Every path the commit changes: a link's target may be one.
    let mut changed: std::collections::HashSet<Vec<u8>> = std::collections::HashSet::new();
    let mut fields = diff.split(|b| *b == 0);
    while let Some(meta) = fields.next() {
        if meta.is_empty() {
            continue;
        }
        let path = fields
            .next()
            .ok_or("git diff-index: a record without a path")?
            .to_vec();
        let meta = String::from_utf8_lossy(meta);
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let [_, mode, _, id, status] = parts[..] else {
            return Err(format!("git diff-index: unexpected record {meta:?}"));
        };
        changed.insert(path.clone());
        if !sel.matches(&path) {
            continue;
        }
        let shown = path_str(&path);
        match status {
            "D" => continue,
            "U" => {
                if !conflicts.contains(&shown) {
                    conflicts.push(shown);
                }
                continue;
            }
            _ => {}
        }
        let mode = u32::from_str_radix(mode, 8)
            .map_err(|_| format!("git diff-index: bad mode in {meta:?}"))?;
        match mode & 0o170000 {
            MODE_GITLINK => listing.notes.push(format!(
                "{shown}: a submodule; not scanned here (run npmrc-guard in it)"
            )),
            // Links are followed below, changed or not: their target may be.
            MODE_SYMLINK => {}
            _ => wanted.push((path, id.to_string(), None)),
        }
    }
    if !conflicts.is_empty() {
        return Err(format!(
            "unmerged (conflicted) in the index: {}; resolve the conflict and `git add` the file first",
            conflicts.join(", ")
        ));
    }
    staged_links(sel, &changed, &mut wanted, &mut listing)?;
    let ids: Vec<&str> = wanted.iter().map(|(_, id, _)| id.as_str()).collect();
    let blobs = cat_blobs(&ids)?;
    for ((path, _, via), content) in wanted.into_iter().zip(blobs) {
        listing.inputs.push(Input {
            path: path_str(&path),
            name: path,
            content,
            via,
        });
    }
    Ok(listing)
}

/// One entry of a tree or of the index, as `git ls-tree -z` (`<mode>
/// <type> <id>\t<path>`) or `git ls-files -z --stage` (`<mode> <id>
/// <stage>\t<path>`) lists it.
struct Entry {
    mode: u32,
    id: String,
    /// The index stage (`0` for a tree's entries).
    stage: u8,
    path: Vec<u8>,
}

/// The entries of a `git ls-tree -z` or (`index`) `git ls-files -z
/// --stage` listing.
fn entries(listing: &[u8], index: bool) -> Vec<Entry> {
    let mut out = Vec::new();
    for record in listing.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let Some(tab) = memchr::memchr(b'\t', record) else {
            continue;
        };
        let meta = String::from_utf8_lossy(&record[..tab]);
        let parts: Vec<&str> = meta.split(' ').collect();
        let (mode, id, stage) = match parts[..] {
            [mode, id, stage] if index => (mode, id, stage.parse().unwrap_or(0)),
            [mode, _, id] if !index => (mode, id, 0),
            _ => continue,
        };
        out.push(Entry {
            mode: u32::from_str_radix(mode, 8).unwrap_or(0),
            id: id.to_string(),
            stage,
            path: record[tab + 1..].to_vec(),
        });
    }
    out
}

/// Every entry of `rev`'s tree, recursively.
fn ls_tree(rev: &str) -> Result<Vec<Entry>, String> {
    let listing = git(&[
        "ls-tree",
        "-r",
        "-z",
        "--full-tree",
        "--end-of-options",
        rev,
    ])?;
    Ok(entries(&listing, false))
}

/// What the index holds beyond the changed files (as [`super::staged`]
/// reads it): `.npmrc` links at matching paths, read through to their
/// staged target when the link or the target differs from HEAD; and the
/// files that unchanged `.npmrc` files name as npm's user or global config.
fn staged_links(
    sel: &Selector,
    changed: &std::collections::HashSet<Vec<u8>>,
    wanted: &mut Vec<(Vec<u8>, String, Option<String>)>,
    listing: &mut Listing,
) -> Result<(), String> {
    let files = git(&["ls-files", "-z", "--stage", "--full-name", "--", ":(top)"])?;
    let mut index: std::collections::HashMap<Vec<u8>, (u32, String)> =
        std::collections::HashMap::new();
    let mut links = Vec::new();
    let mut unchanged = Vec::new();
    for e in entries(&files, true).into_iter().filter(|e| e.stage == 0) {
        if sel.matches(&e.path) {
            match e.mode & 0o170000 {
                MODE_SYMLINK => links.push((e.path.clone(), e.id.clone())),
                MODE_FILE if super::names_configs(&e.path) && !changed.contains(&e.path) => {
                    unchanged.push((e.path.clone(), e.id.clone()))
                }
                _ => {}
            }
        }
        index.insert(e.path, (e.mode, e.id));
    }
    let ids: Vec<&str> = unchanged.iter().map(|(_, id)| id.as_str()).collect();
    for ((path, _), bytes) in unchanged.iter().zip(cat_blobs(&ids)?) {
        if let Ok(bytes) = bytes {
            super::add_named(&mut listing.named, &path_str(path), &bytes);
        }
    }
    let root = std::cell::OnceCell::new();
    for (link, id) in links {
        let shown = path_str(&link);
        let target = blob(&id)?;
        let root = root.get_or_init(work_tree_root);
        match super::links::follow(
            &link,
            target,
            root,
            |p| index.get(p).cloned(),
            |id| blob(id).ok(),
        ) {
            Ok((target, target_id)) => {
                if !changed.contains(&link) && !changed.contains(&target) {
                    // Unchanged, but it may name a file the commit changes.
                    if super::names_configs(&link) {
                        super::add_named(&mut listing.named, &shown, &blob(&target_id)?);
                    }
                    continue;
                }
                let via = path_str(&target);
                listing.notes.push(format!(
                    "{shown}: a symbolic link to {via}; its staged target is scanned, reported at the link"
                ));
                wanted.push((link, target_id, Some(via)));
            }
            Err(why) => listing.notes.push(format!(
                "{shown}: a symbolic link ({}); not scanned, not followed",
                why.describe("in the index")
            )),
        }
    }
    Ok(())
}

/// [`super::through_links`] in the index, asked of git.
pub fn index_through(named: &[String]) -> Result<(Vec<String>, Vec<String>), String> {
    if named.iter().all(|n| n.contains("**/")) {
        return Ok(Default::default());
    }
    let files = git(&["ls-files", "-z", "--stage", "--full-name", "--", ":(top)"])?;
    let index: std::collections::HashMap<Vec<u8>, (u32, String)> = entries(&files, true)
        .into_iter()
        .filter(|e| e.stage == 0)
        .map(|e| (e.path, (e.mode, e.id)))
        .collect();
    if !index.values().any(|(m, _)| m & 0o170000 == MODE_SYMLINK) {
        return Ok(Default::default());
    }
    Ok(super::through_links(
        named,
        &work_tree_root(),
        |p| index.get(p).cloned(),
        |id| blob(id).ok(),
        "in the index",
    ))
}

/// [`super::through_links`] in the tree of `commit`, asked of git.
pub fn tree_through(commit: &str, named: &[String]) -> (Vec<String>, Vec<String>) {
    if named.iter().all(|n| n.contains("**/")) {
        return Default::default();
    }
    super::through_links(
        named,
        &work_tree_root(),
        |p| tree_entry(commit, p),
        |id| blob(id).ok(),
        "in that commit",
    )
}

/// The stage-0 regular files of the index at `paths`, as
/// [`super::index_files`] reads them.
pub fn index_files(paths: &[String]) -> Result<Vec<Input>, String> {
    let mut args: Vec<OsString> = ["ls-files", "-z", "--stage", "--full-name", "--"]
        .iter()
        .map(Into::into)
        .collect();
    // A pattern `DIR/**/REST` ([`crate::files::named_patterns`], which
    // holds no other glob character) is git's `:(glob)` too.
    args.extend(paths.iter().map(|p| {
        if p.contains("**/") {
            format!(":(top,glob){p}").into()
        } else {
            format!(":(top,literal){p}").into()
        }
    }));
    let files = git_os(&args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>())?;
    let found: Vec<Entry> = entries(&files, true)
        .into_iter()
        .filter(|e| e.stage == 0 && e.mode & 0o170000 == MODE_FILE)
        .collect();
    let ids: Vec<&str> = found.iter().map(|e| e.id.as_str()).collect();
    let blobs = cat_blobs(&ids)?;
    Ok(found
        .iter()
        .zip(blobs)
        .map(|(e, content)| Input {
            path: path_str(&e.path),
            name: e.path.clone(),
            content,
            via: None,
        })
        .collect())
}

/// One blob's content.
fn blob(id: &str) -> Result<Vec<u8>, String> {
    cat_blobs(&[id])?.pop().ok_or("git cat-file: no answer")?
}

/// The mode and object id of `path` in `commit`'s tree.
fn tree_entry(commit: &str, path: &[u8]) -> Option<(u32, String)> {
    let out = git_command()
        .args(["ls-tree", "-z", "--full-tree", commit, "--"])
        .arg(&*crate::os::from_bytes(path))
        .env("GIT_LITERAL_PATHSPECS", "1")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    entries(&out.stdout, false)
        .into_iter()
        .find(|e| e.path == path)
        .map(|e| (e.mode, e.id))
}

/// The content of each blob in `ids`, in order, from one `git cat-file
/// --batch`.
fn cat_blobs(ids: &[&str]) -> Result<Vec<Result<Vec<u8>, String>>, String> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = git_command()
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("git cat-file: no stdin")?;
    let request: String = ids.iter().map(|id| format!("{id}\n")).collect();
    // Written from another thread: git answers while it reads.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut out = Vec::new();
    child
        .stdout
        .take()
        .ok_or("git cat-file: no stdout")?
        .read_to_end(&mut out)
        .map_err(|e| format!("git cat-file: {e}"))?;
    let _ = writer.join();
    let status = child.wait().map_err(|e| format!("git cat-file: {e}"))?;
    if !status.success() {
        return Err(format!("git cat-file failed: {status}"));
    }
    let mut at = 0;
    let mut blobs = Vec::new();
    for id in ids {
        let end = memchr::memchr(b'\n', &out[at..])
            .map(|i| at + i)
            .ok_or("git cat-file: truncated answer")?;
        let header = String::from_utf8_lossy(&out[at..end]).into_owned();
        at = end + 1;
        let parts: Vec<&str> = header.split(' ').collect();
        let [_, kind, size] = parts[..] else {
            return Err(format!("cannot read blob {id}: {header}"));
        };
        let size: usize = size
            .parse()
            .map_err(|_| format!("git cat-file: bad size in {header:?}"))?;
        let body = out
            .get(at..at + size)
            .ok_or("git cat-file: truncated blob")?;
        at += size + 1;
        blobs.push(if kind != "blob" {
            Err(format!("{id} is a {kind}, not a blob"))
        } else if size as u64 > MAX_FILE_BYTES {
            Err(format!(
                "blob {id} is larger than {} MiB; not scanned",
                MAX_FILE_BYTES / 1024 / 1024
            ))
        } else if crate::lfs::pointer(body).is_some() {
            // A Git LFS pointer: its content, from the clone's LFS store.
            rev_parse_path(&["--git-common-dir"]).and_then(|dir| {
                let configured = git(&["config", "--path", "--get", "lfs.storage"])
                    .ok()
                    .map(|out| PathBuf::from(&*crate::os::from_bytes(&trimmed(out))));
                let storage = crate::lfs::storage(&dir, configured.as_deref());
                crate::lfs::resolve(&storage, body.to_vec(), MAX_FILE_BYTES)
            })
        } else {
            Ok(body.to_vec())
        });
    }
    Ok(blobs)
}

/// The work tree as [`super::worktree`] lists it (tracked files and
/// untracked ones git does not ignore, at matching paths, read from disk),
/// asked of git.
pub fn worktree(sel: &Selector) -> Result<Listing, String> {
    let root = toplevel()?;
    // The whole work tree, paths from its root, whatever folder this runs in.
    let staged = git(&["ls-files", "-z", "--stage", "--full-name", "--", ":(top)"])?;
    let others = git(&[
        "ls-files",
        "-z",
        "--others",
        "--exclude-standard",
        "--full-name",
        "--",
        ":(top)",
    ])?;
    let mut paths: Vec<Vec<u8>> = entries(&staged, true)
        .into_iter()
        .filter(|e| e.mode & 0o170000 != MODE_GITLINK)
        .map(|e| e.path)
        .collect();
    paths.extend(
        others
            .split(|b| *b == 0)
            .filter(|r| !r.is_empty())
            .map(<[u8]>::to_vec),
    );
    paths.retain(|p| sel.matches(p));
    paths.sort();
    paths.dedup();
    let mut listing = Listing::default();
    for p in paths {
        let full = root.join(&*crate::os::from_bytes(&p));
        match std::fs::symlink_metadata(&full) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Ok(m) if m.file_type().is_symlink() => {
                super::worktree_link(&root, &full, p, &mut listing)
            }
            _ => {
                let mut input = crate::inputs::read_named(&full);
                input.path = path_str(&p);
                input.name = p;
                listing.inputs.push(input);
            }
        }
    }
    Ok(listing)
}

/// What a history walk by git's plumbing found.
#[derive(Debug, Default)]
pub struct History {
    /// Distinct (path, blob) pairs at matching paths, each with the first
    /// commit (oldest first) whose change brings it.
    pub inputs: Vec<super::HistoryInput>,
    /// Each blob id of the config file `config` a commit brings, with that
    /// commit (`None`: the commit deletes it).
    pub configs: Vec<(Option<String>, String)>,
    pub commits: usize,
}

/// Whether this is a shallow clone.
pub fn is_shallow() -> Result<bool, String> {
    Ok(trimmed(git(&["rev-parse", "--is-shallow-repository"])?) == b"true")
}

/// A file at a commit: its blob id and content.
pub type BlobAt = (String, Vec<u8>);

/// The commit `rev` names, and the blob id of `name` at the root of its
/// tree (`None`: no such file).
pub fn file_at(rev: &str, name: &str) -> Result<(String, Option<BlobAt>), String> {
    let commit = String::from_utf8_lossy(&trimmed(git(&[
        "rev-parse",
        "--verify",
        "--end-of-options",
        &format!("{rev}^{{commit}}"),
    ])?))
    .into_owned();
    let id = match git(&["rev-parse", "-q", "--verify", &format!("{commit}:{name}")]) {
        Ok(out) => String::from_utf8_lossy(&trimmed(out)).into_owned(),
        Err(_) => return Ok((commit, None)),
    };
    let content = cat_blobs(&[id.as_str()])?
        .pop()
        .ok_or("git cat-file: no answer")??;
    Ok((commit, Some((id, content))))
}

/// Every (path, blob) that the commits of `range` (revisions and revision
/// options as `git log` takes them, the caller's to make safe; `None`:
/// every ref)
/// bring at matching paths: `git log -m --root --raw` shows each commit's
/// change against each parent, so every version of every file appears at
/// the commit that first holds it. Symbolic links are noted, not followed.
pub fn history(
    sel: &Selector,
    range: Option<&[String]>,
    tips: &[String],
    config: &str,
) -> Result<(History, Vec<String>), String> {
    let mut args = vec![
        "log",
        "--reverse",
        "--topo-order",
        "-m",
        "--root",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--ignore-submodules=none",
        "-z",
        "--format=%x01%H",
    ];
    match range {
        Some(revs) => args.extend(revs.iter().map(String::as_str)),
        None => args.push("--all"),
    }
    args.push("--");
    let log = git(&args)?;
    let mut out = History::default();
    let mut notes = Vec::new();
    let mut seen: std::collections::HashSet<(Vec<u8>, String)> = std::collections::HashSet::new();
    let mut wanted: Vec<(Vec<u8>, String, String, Option<String>)> = Vec::new();
    // Each `.npmrc` link seen, and the path it led to: a commit that
    // changes only the target changes what the link reads.
    let mut links: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    // Asked of git at the first link (see `Walker::root` for why now).
    let root = std::cell::OnceCell::new();
    // A range may change only the target of a link made before it: the
    // links at its tips, and where they lead.
    for tip in tips {
        for e in ls_tree(tip)? {
            if e.mode & 0o170000 != MODE_SYMLINK || !sel.matches(&e.path) {
                continue;
            }
            let read = |id: &String| blob(id).ok();
            let root = root.get_or_init(work_tree_root);
            if let Ok((target, _)) =
                super::links::follow(&e.path, blob(&e.id)?, root, |p| tree_entry(tip, p), read)
            {
                links.push((e.path, target));
            }
        }
    }
    let mut commit = String::new();
    let mut fields = log.split(|b| *b == 0);
    while let Some(field) = fields.next() {
        let field = field.strip_prefix(b"\n").unwrap_or(field);
        if let Some(id) = field.strip_prefix(b"\x01") {
            let id = String::from_utf8_lossy(id).into_owned();
            if id != commit {
                out.commits += 1;
                commit = id;
            }
            continue;
        }
        if field.is_empty() {
            continue;
        }
        let meta = String::from_utf8_lossy(field).into_owned();
        let path = fields
            .next()
            .ok_or("git log: a record without a path")?
            .to_vec();
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let [_, mode, _, id, status] = parts[..] else {
            return Err(format!("git log: unexpected record {meta:?}"));
        };
        if path == config.as_bytes() {
            let id = (status != "D").then(|| id.to_string());
            if !out.configs.iter().any(|(c, _)| *c == id) {
                out.configs.push((id, commit.clone()));
            }
        }
        if status == "D" {
            continue;
        }
        let mode = u32::from_str_radix(mode, 8).unwrap_or(0) & 0o170000;
        let mut follow: Vec<Vec<u8>> = links
            .iter()
            .filter(|(_, target)| *target == path)
            .map(|(link, _)| link.clone())
            .collect();
        if mode == MODE_SYMLINK && sel.matches(&path) {
            follow.push(path.clone());
        }
        for link in follow {
            let Some((_, link_id)) = tree_entry(&commit, &link) else {
                continue;
            };
            let read = |id: &String| blob(id).ok();
            let root = root.get_or_init(work_tree_root);
            match super::links::follow(
                &link,
                blob(&link_id)?,
                root,
                |p| tree_entry(&commit, p),
                read,
            ) {
                Ok((target, target_id)) => {
                    match links.iter_mut().find(|(l, _)| *l == link) {
                        Some(entry) => entry.1 = target.clone(),
                        None => links.push((link.clone(), target.clone())),
                    }
                    if seen.insert((link.clone(), target_id.clone())) {
                        wanted.push((link, target_id, commit.clone(), Some(path_str(&target))));
                    }
                }
                Err(why) => notes.push(format!(
                    "{} in {commit}: a symbolic link ({}); not scanned, not followed",
                    path_str(&link),
                    why.describe("in that commit")
                )),
            }
        }
        if !sel.matches(&path) || !seen.insert((path.clone(), id.to_string())) {
            continue;
        }
        if mode != MODE_GITLINK && mode != MODE_SYMLINK {
            wanted.push((path, id.to_string(), commit.clone(), None));
        }
    }
    if let Some(cut) = shallow_cut(&log)? {
        return Err(format!(
            "the range reaches commit {cut}, where this shallow clone is cut off: what came before it cannot be seen; run `git fetch --unshallow` (or fetch the base commit) first"
        ));
    }
    if range.is_none() {
        direct_refs(sel, &mut seen, &mut wanted)?;
    }
    let ids: Vec<&str> = wanted.iter().map(|(_, id, _, _)| id.as_str()).collect();
    let blobs = cat_blobs(&ids)?;
    for ((path, _, commit, via), content) in wanted.into_iter().zip(blobs) {
        out.inputs.push(super::HistoryInput {
            input: Input {
                path: path_str(&path),
                name: path,
                content,
                via,
            },
            commit,
        });
    }
    Ok((out, notes))
}

/// The first commit of a `git log` listing that is a shallow clone's edge.
fn shallow_cut(log: &[u8]) -> Result<Option<String>, String> {
    let file = String::from_utf8_lossy(&trimmed(git(&["rev-parse", "--git-path", "shallow"])?))
        .into_owned();
    let Ok(edges) = std::fs::read_to_string(&file) else {
        return Ok(None);
    };
    let edges: std::collections::HashSet<&str> = edges.lines().collect();
    Ok(log
        .split(|b| *b == 0)
        .filter_map(|f| f.strip_prefix(b"\x01"))
        .map(String::from_utf8_lossy)
        .find(|id| edges.contains(id.as_ref()))
        .map(|id| id.into_owned()))
}

/// Refs that name a tree or a blob directly (`git tag t $(git
/// write-tree)`), as `git rev-list --objects --all` lists them: a tree's
/// files at their paths inside it; a blob, which has no path, as if it were
/// a matching file, under its ref's name.
fn direct_refs(
    sel: &Selector,
    seen: &mut std::collections::HashSet<(Vec<u8>, String)>,
    wanted: &mut Vec<(Vec<u8>, String, String, Option<String>)>,
) -> Result<(), String> {
    let refs = git(&[
        "for-each-ref",
        "--format=%(objecttype) %(objectname) %(*objecttype) %(*objectname) %(refname)",
    ])?;
    for line in String::from_utf8_lossy(&refs).lines() {
        let mut parts = line.splitn(5, ' ');
        let (kind, id, peeled_kind, peeled_id, name) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        let (kind, id) = if kind == "tag" {
            (peeled_kind, peeled_id)
        } else {
            (kind, id)
        };
        match kind {
            "blob" if seen.insert((name.as_bytes().to_vec(), id.to_string())) => {
                wanted.push((
                    name.as_bytes().to_vec(),
                    id.to_string(),
                    name.to_string(),
                    None,
                ));
            }
            "tree" => {
                // Blobs: files and link contents, not folders or submodules.
                for e in ls_tree(id)?
                    .into_iter()
                    .filter(|e| !matches!(e.mode & 0o170000, 0o040000 | MODE_GITLINK))
                {
                    if sel.matches(&e.path) && seen.insert((e.path.clone(), e.id.clone())) {
                        wanted.push((e.path, e.id, name.to_string(), None));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// What a push sends, as [`super::pre_push`] reads git's lines on standard
/// input: the revisions `git log` walks (the pushed tips, `--not` what the
/// destination has), and the destination's commit the push builds on.
pub fn pre_push(
    remote: Option<&str>,
    stdin: &str,
) -> Result<(Option<Vec<String>>, Option<String>), String> {
    let exists = |id: &str| {
        !id.bytes().all(|b| b == b'0')
            && git(&["cat-file", "-e", &format!("{id}^{{commit}}")]).is_ok()
    };
    let mut tips = Vec::new();
    let mut have = Vec::new();
    for line in stdin.lines().filter(|l| !l.trim().is_empty()) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [_, local, _, remote_id] = parts[..] else {
            return Err(format!("unexpected pre-push input line: {line:?}"));
        };
        let hex = |id: &str| !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex(local) || !hex(remote_id) {
            return Err(format!("unexpected pre-push input line: {line:?}"));
        }
        // A deletion pushes no content.
        if !local.bytes().all(|b| b == b'0') {
            tips.push(local.to_string());
        }
        if exists(remote_id) {
            have.push(remote_id.to_string());
        }
    }
    let base = match have.first() {
        Some(id) => Some(id.clone()),
        None => remote.and_then(|r| {
            git(&[
                "rev-parse",
                "-q",
                "--verify",
                &format!("refs/remotes/{r}/HEAD^{{commit}}"),
            ])
            .ok()
            .map(|o| String::from_utf8_lossy(&trimmed(o)).into_owned())
        }),
    };
    if tips.is_empty() {
        return Ok((None, base));
    }
    let mut revs = tips;
    revs.push("--not".to_string());
    revs.extend(have);
    // The destination remote's tracking refs, by its fetch refspecs.
    if let Some(r) = remote {
        let specs = git(&["config", "--get-all", &format!("remote.{r}.fetch")]).unwrap_or_default();
        for spec in String::from_utf8_lossy(&specs).lines() {
            if let Some((_, dst)) = spec.split_once(':') {
                if dst.starts_with("refs/") {
                    revs.push(format!("--glob={dst}"));
                }
            }
        }
    }
    Ok((Some(revs), base))
}

/// The files at matching paths in the tree of `rev`, as [`super::files_at`]
/// reads them, asked of git.
pub fn files_at(rev: &str, sel: &Selector) -> Result<Vec<Input>, String> {
    let wanted: Vec<(Vec<u8>, String)> = ls_tree(rev)?
        .into_iter()
        .filter(|e| e.mode & 0o170000 == 0o100000 && sel.matches(&e.path))
        .map(|e| (e.path, e.id))
        .collect();
    let ids: Vec<&str> = wanted.iter().map(|(_, id)| id.as_str()).collect();
    let blobs = cat_blobs(&ids)?;
    Ok(wanted
        .into_iter()
        .zip(blobs)
        .map(|((path, _), content)| Input {
            path: path_str(&path),
            name: path,
            content,
            via: None,
        })
        .collect())
}

/// git run in `dir` on the file `name` there, the repository found from
/// `dir` alone (as `Repository::discover` finds it), never from a hook's
/// `GIT_DIR`: the file may be in another repository, or in none. `None`
/// when `dir` is in no work tree.
fn git_on_file(dir: &Path, args: &[&OsStr]) -> Result<Option<std::process::Output>, String> {
    let run = |args: &[&OsStr]| {
        let mut cmd = git_command();
        cmd.current_dir(dir).stdin(Stdio::null()).args(args);
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_COMMON_DIR",
            "GIT_OBJECT_DIRECTORY",
            "GIT_PREFIX",
        ] {
            cmd.env_remove(var);
        }
        cmd.output().map_err(|e| format!("cannot run git: {e}"))
    };
    if !dir.is_dir() {
        // No folder, no file to track; writing there fails with its reason.
        return Ok(None);
    }
    let inside = run(&["rev-parse", "--is-inside-work-tree"].map(OsStr::new))?;
    if !inside.status.success() || trimmed(inside.stdout) != b"true" {
        return Ok(None);
    }
    run(args).map(Some)
}

/// Whether git tracks the file `name` in `dir` (any stage of the index);
/// `None` when `dir` is in no work tree.
pub fn tracked(dir: &Path, name: &OsStr) -> Result<Option<bool>, String> {
    // Any case: where the file system ignores case (`core.ignorecase`),
    // `Secrets.env` tracked is the file `secrets.env`; elsewhere a store
    // named so is refused, which costs nothing.
    let mut spec = OsString::from(":(literal,icase)");
    spec.push(name);
    let args = ["ls-files", "-z", "--cached", "--"].map(OsStr::new);
    let Some(out) = git_on_file(dir, &[&args[..], &[spec.as_os_str()]].concat())? else {
        return Ok(None);
    };
    if !out.status.success() {
        return Err(format!(
            "git ls-files: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(Some(!out.stdout.is_empty()))
}

/// The files git tracks under the current folder whose name is one of
/// `names` in any ASCII case, relative to it (`git ls-files`, which reads
/// any index git writes). Empty outside a work tree.
pub fn tracked_named(names: &[&str]) -> Result<Vec<PathBuf>, String> {
    let specs: Vec<String> = names
        .iter()
        .map(|n| format!(":(glob,icase)**/{n}"))
        .collect();
    let mut args = vec!["ls-files", "-z", "--cached", "--"];
    args.extend(specs.iter().map(String::as_str));
    let out = git_command()
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        // Not in a work tree: nothing is tracked.
        return Ok(Vec::new());
    }
    let mut paths: Vec<PathBuf> = out
        .stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(&*crate::os::from_bytes(p)))
        .collect();
    // A file in a merge conflict is listed once per stage.
    paths.dedup();
    Ok(paths)
}

/// Whether git ignores the file `name` in `dir`; `None` when `dir` is in
/// no work tree.
pub fn ignored(dir: &Path, name: &OsStr) -> Result<Option<bool>, String> {
    // `./` first: check-ignore reads a leading `:` as pathspec magic and
    // takes no `:(literal)`.
    let mut path = OsString::from("./");
    path.push(name);
    let args = ["check-ignore", "-q", "--"].map(OsStr::new);
    let Some(out) = git_on_file(dir, &[&args[..], &[path.as_os_str()]].concat())? else {
        return Ok(None);
    };
    match out.status.code() {
        Some(0) => Ok(Some(true)),
        Some(1) => Ok(Some(false)),
        _ => Err(format!(
            "git check-ignore: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

/// The repository's common git folder (where `info/exclude` lives).
pub fn common_dir() -> Result<PathBuf, String> {
    let out = trimmed(git(&[
        "rev-parse",
        "--path-format=absolute",
        "--git-common-dir",
    ])?);
    Ok(PathBuf::from(&*crate::os::from_bytes(&out)))
}

/// Replace the staged content of `files` (as [`super::restage`] does):
/// `git hash-object -w` writes each blob, `git update-index --index-info`
/// points the entry, its mode kept, at it.
pub fn restage(files: &[super::Restage]) -> Result<(), String> {
    let mut records = Vec::new();
    // Entries git keeps out of the work tree (sparse checkout): the
    // `--index-info` rewrite clears that bit, so it is set again after.
    let mut skip_worktree = Vec::new();
    for f in files {
        let mut spec = OsString::from(":(top,literal)");
        spec.push(&*crate::os::from_bytes(&f.name));
        // `-t`: each record starts with its status tag (`S` for skip-worktree).
        let listed = git_os(&[
            OsStr::new("ls-files"),
            OsStr::new("-z"),
            OsStr::new("-t"),
            OsStr::new("--stage"),
            OsStr::new("--full-name"),
            OsStr::new("--"),
            &spec,
        ])?;
        let mut skipped = false;
        let untagged: Vec<u8> = listed
            .split(|b| *b == 0)
            .filter(|r| r.len() > 2)
            .flat_map(|r| {
                if r.starts_with(b"S ") && r.ends_with(&f.name) {
                    skipped = true;
                }
                r[2..].iter().copied().chain([0])
            })
            .collect();
        let Some(entry) = entries(&untagged, true)
            .into_iter()
            .find(|e| e.stage == 0 && e.path == f.name)
        else {
            return Err(format!("{} is no longer in the index", f.path));
        };
        if skipped {
            skip_worktree.extend_from_slice(&f.name);
            skip_worktree.push(0);
        }
        let id = trimmed(git_with_input(
            &["hash-object", "-w", "--no-filters", "--stdin"],
            &f.content,
        )?);
        records.extend_from_slice(format!("{:o} ", entry.mode).as_bytes());
        records.extend_from_slice(&id);
        records.push(b'\t');
        records.extend_from_slice(&f.name);
        records.push(0);
    }
    git_with_input(&["update-index", "-z", "--index-info"], &records)
        .map_err(|e| format!("cannot stage the fixed files: {e}"))?;
    if !skip_worktree.is_empty() {
        // `--stdin` paths are relative to the folder git runs in: the root.
        let root = toplevel()?;
        git_with_input_in(
            &root,
            &["update-index", "-z", "--skip-worktree", "--stdin"],
            &skip_worktree,
        )
        .map_err(|e| format!("cannot keep the sparse checkout's skip-worktree bit: {e}"))?;
    }
    Ok(())
}

/// Run git with `args`, `input` on its standard input; its standard output.
fn git_with_input(args: &[&str], input: &[u8]) -> Result<Vec<u8>, String> {
    git_with_input_in(Path::new("."), args, input)
}

/// [`git_with_input`], run in the folder `dir`.
fn git_with_input_in(dir: &Path, args: &[&str], input: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = git_command()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("git: no standard input")?;
    // Write from a thread: git may fill its output before reading it all.
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let written = writer.join().map_err(|_| "git: writing its input failed")?;
    if !out.status.success() {
        return Err(format!(
            "git {}: {}",
            args.first().copied().unwrap_or_default(),
            String::from_utf8_lossy(&out.stderr)
                .trim()
                .trim_start_matches("fatal: ")
        ));
    }
    written.map_err(|e| format!("git {}: {e}", args.first().copied().unwrap_or_default()))?;
    Ok(out.stdout)
}
