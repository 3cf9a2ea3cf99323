//! git's own plumbing, for the repositories libgit2 and [`super::index`]
//! cannot read: the SHA-256 object format, a split index, a sparse index
//! whose collapsed directories differ from HEAD. `git diff-index --cached
//! -z` lists what is staged and `git cat-file --batch` reads the blobs. git
//! is always there when git runs a hook, and it reads `GIT_DIR`,
//! `GIT_INDEX_FILE` and the rest of the environment it set for the hook
//! itself. Slower than the fast path (two processes), so only the fallback.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::{path_str, Listing, MODE_GITLINK, MODE_SYMLINK};
use crate::inputs::{Input, MAX_FILE_BYTES};
use crate::select::Selector;

/// Run git with `args`; its standard output, or its error in words.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "git {}: {}",
            args.first().copied().unwrap_or_default(),
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

/// The work tree's root.
pub fn toplevel() -> Result<PathBuf, String> {
    use std::os::unix::ffi::OsStrExt;
    let out = trimmed(git(&["rev-parse", "--show-toplevel"])?);
    Ok(PathBuf::from(std::ffi::OsStr::from_bytes(&out)))
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
    let mut wanted: Vec<(Vec<u8>, String)> = Vec::new();
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
            MODE_SYMLINK => listing.notes.push(format!(
                "{shown}: a symbolic link; not scanned, not followed"
            )),
            _ => wanted.push((path, id.to_string())),
        }
    }
    if !conflicts.is_empty() {
        return Err(format!(
            "unmerged (conflicted) in the index: {}; resolve the conflict and `git add` the file first",
            conflicts.join(", ")
        ));
    }
    let ids: Vec<&str> = wanted.iter().map(|(_, id)| id.as_str()).collect();
    let blobs = cat_blobs(&ids)?;
    for ((path, _), content) in wanted.into_iter().zip(blobs) {
        listing.inputs.push(Input {
            path: path_str(&path),
            name: path,
            content,
            via: None,
        });
    }
    Ok(listing)
}

/// The content of each blob in `ids`, in order, from one `git cat-file
/// --batch`.
fn cat_blobs(ids: &[&str]) -> Result<Vec<Result<Vec<u8>, String>>, String> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = Command::new("git")
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
        } else {
            Ok(body.to_vec())
        });
    }
    Ok(blobs)
}
