//! `.npmrc` symbolic links, read through as npm reads them, but only to a
//! target that stays inside the repository: in the work tree (the file
//! system resolves it), in the index and in a commit's tree (the link's
//! blob holds the target's path, resolved here).

use std::path::{Path, PathBuf};

/// How many links in a row are followed before giving up (a chain, or a
/// loop), as the kernel's `ELOOP` would.
const MAX_HOPS: usize = 8;

/// Why a link is not read through.
#[derive(Debug, PartialEq, Eq)]
pub enum NotFollowed {
    /// Absolute and not into the work tree, or `..` past the root.
    Outside,
    /// The path it names is not there (dangling).
    Missing(Vec<u8>),
    /// A folder, a submodule, a device: not a file.
    NotAFile(Vec<u8>),
    /// A chain of links too long, or a loop.
    TooManyLinks,
}

impl NotFollowed {
    /// In words for a note; `where_` is where the target was looked for.
    pub fn describe(&self, where_: &str) -> String {
        let shown = |p: &[u8]| crate::inputs::shown_path(p);
        match self {
            NotFollowed::Outside => "its target is outside the repository".to_string(),
            NotFollowed::Missing(p) => format!("its target {} is not {where_}", shown(p)),
            NotFollowed::NotAFile(p) => format!("its target {} is not a file", shown(p)),
            NotFollowed::TooManyLinks => "too many levels of symbolic links".to_string(),
        }
    }
}

/// The repository path that a link at `link` whose content is `target`
/// names: resolved against the link's folder, `.` and `..` taken away.
/// `None` for an absolute target, one that leaves the root, or nothing.
pub fn resolve(link: &[u8], target: &[u8]) -> Option<Vec<u8>> {
    if target.is_empty() || target[0] == b'/' || target.contains(&0) {
        return None;
    }
    let mut parts: Vec<&[u8]> = link.split(|b| *b == b'/').collect();
    // The link's own name.
    parts.pop();
    for part in target.split(|b| *b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join(&b'/'))
}

/// The work tree's root as the file system resolves it, for a link whose
/// target is absolute (`ln -s $PWD/config/npm.conf .npmrc`): npm opens
/// that path, and when it leads into the work tree it reads the
/// repository's own file there.
#[derive(Clone, Debug, Default)]
pub struct Root {
    /// Canonical: the root may be reached through a link (`/tmp` is
    /// `/private/tmp` on macOS), and a target may name it either way.
    canonical: Option<PathBuf>,
}

impl Root {
    /// The root of the work tree at `workdir`; none for a bare repository
    /// (or one whose work tree is gone): then no absolute target is inside.
    pub fn of(workdir: Option<&Path>) -> Root {
        Root {
            canonical: workdir.and_then(|w| w.canonicalize().ok()),
        }
    }

    /// The repository path the absolute `target` names: the part of it
    /// that the file system resolves to the root, taken away. Each leading
    /// part is resolved as the kernel would (links and `..` in it), the
    /// shortest that is the root wins, and what follows it is left to
    /// [`follow`], walked in the index or tree as a relative target is.
    pub fn inside(&self, target: &[u8]) -> Option<Vec<u8>> {
        let root = self.canonical.as_ref()?;
        let parts: Vec<&[u8]> = target
            .strip_prefix(b"/")?
            .split(|b| *b == b'/')
            .filter(|p| !p.is_empty())
            .collect();
        let mut prefix = PathBuf::from("/");
        for (i, part) in parts.iter().enumerate() {
            prefix.push(&*crate::os::from_bytes(part));
            // A part that is not there: nothing after it can be reached.
            let resolved = prefix.canonicalize().ok()?;
            if resolved == *root {
                return Some(parts[i + 1..].join(&b'/'));
            }
        }
        None
    }
}

/// Follow the link at `link` (content `target`) through a store of
/// entries: `lookup` gives a path's mode and object, `read_link` the
/// content of a link object. The file at the end, and its object.
///
/// Resolved one component at a time, as the kernel does: a folder on the
/// way may itself be a link (`.npmrc -> dirlink/real`, `dirlink -> sub`),
/// and a `..` after it climbs from where that link leads. A store without
/// folder entries (the index) answers `None` for a folder; only the last
/// component must be there. An absolute target is followed when it leads
/// into the work tree at `root` ([`Root::inside`]), from the root.
pub fn follow<T>(
    link: &[u8],
    target: Vec<u8>,
    root: &Root,
    mut lookup: impl FnMut(&[u8]) -> Option<(u32, T)>,
    mut read_link: impl FnMut(&T) -> Option<Vec<u8>>,
) -> Result<(Vec<u8>, T), NotFollowed> {
    let mut parts: Vec<Vec<u8>> = link.split(|b| *b == b'/').map(<[u8]>::to_vec).collect();
    // The link's own name.
    parts.pop();
    // What is left to walk, last component first.
    let mut rest: Vec<Vec<u8>> = Vec::new();
    let push_target = |parts: &mut Vec<Vec<u8>>, rest: &mut Vec<Vec<u8>>, t: &[u8]| {
        if t.is_empty() || t.contains(&0) {
            return Err(NotFollowed::Outside);
        }
        let inside;
        let t = if t[0] == b'/' {
            inside = root.inside(t).ok_or(NotFollowed::Outside)?;
            parts.clear();
            &inside[..]
        } else {
            t
        };
        rest.extend(t.split(|b| *b == b'/').rev().map(<[u8]>::to_vec));
        Ok(())
    };
    push_target(&mut parts, &mut rest, &target)?;
    let mut hops = 0;
    while let Some(part) = rest.pop() {
        match part.as_slice() {
            b"" | b"." => continue,
            b".." => {
                parts.pop().ok_or(NotFollowed::Outside)?;
                continue;
            }
            _ => parts.push(part),
        }
        let path = parts.join(&b'/');
        let last = rest.iter().all(|p| p.is_empty() || p == b".");
        match lookup(&path) {
            Some((mode, object)) if mode & 0o170000 == 0o120000 => {
                hops += 1;
                if hops > MAX_HOPS {
                    return Err(NotFollowed::TooManyLinks);
                }
                let t = read_link(&object).ok_or(NotFollowed::Missing(path.clone()))?;
                parts.pop();
                push_target(&mut parts, &mut rest, &t)?;
            }
            Some((mode, object)) if last => {
                return match mode & 0o170000 {
                    0o100000 => Ok((path, object)),
                    _ => Err(NotFollowed::NotAFile(path)),
                };
            }
            // A folder on the way (or a file used as one: the next lookup
            // finds nothing under it).
            Some(_) => {}
            None if last => return Err(NotFollowed::Missing(path)),
            None => {}
        }
    }
    // The walk ended on a folder (`..`, `.`), or above the root.
    Err(match parts.is_empty() {
        true => NotFollowed::Outside,
        false => NotFollowed::NotAFile(parts.join(&b'/')),
    })
}

/// Where a path a config names (`userconfig=lnk/npmrc`, bun's
/// `NPM_CONFIG_USERCONFIG`) leads in a store of entries, as the kernel
/// resolves it in a checkout of that store: every component may be a link
/// (`lnk -> real`), walked by [`follow`] from the root. `Ok(None)` when no
/// folder on the way is a link (the path is the file, or a link its reader
/// follows as a link), or it leads to no file; `Ok(Some(path))` for the
/// file it reaches through a linked folder; `Err` for a loop or a link
/// that leaves the repository, which nothing here reads.
pub fn named<T>(
    path: &[u8],
    root: &Root,
    mut lookup: impl FnMut(&[u8]) -> Option<(u32, T)>,
    read_link: impl FnMut(&T) -> Option<Vec<u8>>,
) -> Result<Option<Vec<u8>>, NotFollowed> {
    // The folders on the way, from the root: up to the first link each is
    // the same in every store (the file system resolves a link in the
    // middle of a path; the index and a tree do not).
    let linked_folder = memchr::memchr_iter(b'/', path)
        .any(|i| lookup(&path[..i]).is_some_and(|(mode, _)| mode & 0o170000 == 0o120000));
    if !linked_folder {
        return Ok(None);
    }
    // A pseudo-link at the root whose target is the path.
    match follow(b"", path.to_vec(), root, lookup, read_link) {
        Ok((real, _)) if real != path => Ok(Some(real)),
        Ok(_) | Err(NotFollowed::Missing(_) | NotFollowed::NotAFile(_)) => Ok(None),
        Err(why) => Err(why),
    }
}

/// The work tree as a store for [`follow`] and [`named`]: a path's mode
/// (file, link, folder) as `lstat` gives it under `root`, a link's target
/// as `readlink` gives it. What else is there (a FIFO) is none of these.
pub fn disk_entry(root: &Path, path: &[u8]) -> Option<(u32, PathBuf)> {
    let full = root.join(&*crate::os::from_bytes(path));
    let kind = std::fs::symlink_metadata(&full).ok()?.file_type();
    let mode = if kind.is_symlink() {
        0o120000
    } else if kind.is_dir() {
        0o040000
    } else if kind.is_file() {
        0o100644
    } else {
        0o020000
    };
    Some((mode, full))
}

/// A link's target in the work tree ([`disk_entry`]), as bytes.
pub fn disk_link(full: &PathBuf) -> Option<Vec<u8>> {
    let target = std::fs::read_link(full).ok()?;
    Some(crate::os::as_bytes(target.as_os_str()).to_vec())
}

/// A link in the work tree, resolved by the file system: the target's full
/// path and its path relative to `root`, when it is a regular file inside
/// the work tree. `Err` is the reason in words.
pub fn in_worktree(root: &Path, full: &Path) -> Result<(PathBuf, Vec<u8>), String> {
    let root = root
        .canonicalize()
        .map_err(|e| crate::inputs::describe(&e))?;
    let target = full.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "its target does not exist".to_string(),
        _ => crate::inputs::describe(&e),
    })?;
    let rel = target
        .strip_prefix(&root)
        .map_err(|_| "its target is outside the repository".to_string())?;
    let rel = crate::os::as_bytes(rel.as_os_str()).to_vec();
    let inside_git = rel.split(|b| *b == b'/').next() == Some(b".git");
    if rel.is_empty() || inside_git {
        return Err("its target is outside the work tree".to_string());
    }
    let meta = std::fs::metadata(&target).map_err(|e| crate::inputs::describe(&e))?;
    if !meta.is_file() {
        return Err(format!(
            "its target {} is not a file",
            crate::inputs::shown_path(&rel)
        ));
    }
    Ok((target, rel))
}

#[cfg(test)]
mod tests {
    use super::{follow, named, resolve, NotFollowed, Root};

    #[test]
    fn targets_resolve_against_the_links_folder_and_stay_inside() {
        let r = |l: &str, t: &str| resolve(l.as_bytes(), t.as_bytes()).map(String::from_utf8);
        assert_eq!(r(".npmrc", "shared/npmrc"), Some(Ok("shared/npmrc".into())));
        assert_eq!(r("a/b/.npmrc", "../c/./x"), Some(Ok("a/c/x".into())));
        assert_eq!(r("a/.npmrc", "../x"), Some(Ok("x".into())));
        assert_eq!(r("a/.npmrc", "../../x"), None);
        assert_eq!(r(".npmrc", "../x"), None);
        assert_eq!(r(".npmrc", "/etc/npmrc"), None);
        assert_eq!(r("a/.npmrc", ".."), None);
        assert_eq!(r(".npmrc", ""), None);
    }

    #[test]
    fn an_absolute_target_is_inside_when_its_leading_part_resolves_to_the_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("sub")).expect("mkdir");
        std::fs::create_dir(dir.path().join("other")).expect("mkdir");
        std::os::unix::fs::symlink(&root, dir.path().join("alias")).expect("link");
        let r = Root::of(Some(&root));
        let inside = |t: std::path::PathBuf| {
            r.inside(t.to_str().expect("UTF-8").as_bytes())
                .map(|p| String::from_utf8(p).expect("UTF-8"))
        };
        let d = dir.path();
        assert_eq!(inside(d.join("repo/sub/x")).as_deref(), Some("sub/x"));
        assert_eq!(inside(d.join("alias/sub/x")).as_deref(), Some("sub/x"));
        assert_eq!(inside(d.join("other/../repo//x")).as_deref(), Some("x"));
        // What follows the root is left to the walk in the store.
        assert_eq!(
            inside(d.join("repo/nowhere/../x")).as_deref(),
            Some("nowhere/../x")
        );
        assert_eq!(inside(d.join("repo")).as_deref(), Some(""));
        assert_eq!(inside(d.join("other/x")), None);
        assert_eq!(inside(d.join("gone/../repo/x")), None);
        assert_eq!(r.inside(b"relative/x"), None);
        assert_eq!(Root::default().inside(b"/x"), None);
    }

    #[test]
    fn chains_are_followed_and_loops_stop() {
        let entries = [
            ("a/.npmrc", 0o120000, "../b/link"),
            ("b/link", 0o120000, "real"),
            ("b/real", 0o100644, "content"),
            ("loop", 0o120000, "loop"),
        ];
        let lookup = |p: &[u8]| {
            entries
                .iter()
                .find(|e| e.0.as_bytes() == p)
                .map(|e| (e.1, e.2.as_bytes().to_vec()))
        };
        let got = follow(
            b"a/.npmrc",
            b"../b/link".to_vec(),
            &Root::default(),
            lookup,
            |c| Some(c.clone()),
        );
        assert_eq!(got, Ok((b"b/real".to_vec(), b"content".to_vec())));
        let got = follow(b".npmrc", b"loop".to_vec(), &Root::default(), lookup, |c| {
            Some(c.clone())
        });
        assert_eq!(got, Err(NotFollowed::TooManyLinks));
        let got = follow(
            b".npmrc",
            b"nowhere".to_vec(),
            &Root::default(),
            lookup,
            |c| Some(c.clone()),
        );
        assert_eq!(got, Err(NotFollowed::Missing(b"nowhere".to_vec())));
    }

    #[test]
    fn folders_on_the_way_may_be_links() {
        let entries = [
            ("sub/real", 0o100644, "content"),
            ("dirlink", 0o120000, "sub"),
            ("deep/up", 0o120000, "../sub"),
            ("other/x", 0o100644, "other"),
        ];
        let lookup = |p: &[u8]| {
            entries
                .iter()
                .find(|e| e.0.as_bytes() == p)
                .map(|e| (e.1, e.2.as_bytes().to_vec()))
        };
        let f = |link: &str, t: &str| {
            follow(
                link.as_bytes(),
                t.as_bytes().to_vec(),
                &Root::default(),
                lookup,
                |c| Some(c.clone()),
            )
        };
        assert_eq!(
            f(".npmrc", "dirlink/real"),
            Ok((b"sub/real".to_vec(), b"content".to_vec()))
        );
        assert_eq!(
            f("a/.npmrc", "../deep/up/real"),
            Ok((b"sub/real".to_vec(), b"content".to_vec()))
        );
        // `..` after a linked folder climbs from where it leads.
        assert_eq!(
            f(".npmrc", "dirlink/../other/x"),
            Ok((b"other/x".to_vec(), b"other".to_vec()))
        );
        assert_eq!(f(".npmrc", "dirlink/../.."), Err(NotFollowed::Outside));
        // A store without folder entries (the index) cannot tell a folder.
        assert_eq!(
            f(".npmrc", "dirlink"),
            Err(NotFollowed::Missing(b"sub".to_vec()))
        );
        assert_eq!(
            f(".npmrc", "dirlink/none"),
            Err(NotFollowed::Missing(b"sub/none".to_vec()))
        );
    }

    #[test]
    fn named_paths_go_through_linked_folders_only() {
        let entries = [
            ("real/npmrc", 0o100644, "content"),
            ("lnk", 0o120000, "real"),
            ("chain", 0o120000, "lnk"),
            ("u.rc", 0o120000, "real/npmrc"),
            ("a", 0o120000, "b"),
            ("b", 0o120000, "a"),
            ("out", 0o120000, "../elsewhere"),
        ];
        let lookup = |p: &[u8]| {
            entries
                .iter()
                .find(|e| e.0.as_bytes() == p)
                .map(|e| (e.1, e.2.as_bytes().to_vec()))
        };
        let n = |p: &str| {
            named(p.as_bytes(), &Root::default(), lookup, |c| Some(c.clone()))
                .map(|r| r.map(|r| String::from_utf8(r).expect("UTF-8")))
        };
        assert_eq!(n("lnk/npmrc"), Ok(Some("real/npmrc".into())));
        assert_eq!(n("chain/npmrc"), Ok(Some("real/npmrc".into())));
        assert_eq!(n("lnk/../real/npmrc"), Ok(Some("real/npmrc".into())));
        // No linked folder on the way: the path is what its reader reads
        // (a link to a file is followed as a link).
        assert_eq!(n("real/npmrc"), Ok(None));
        assert_eq!(n("u.rc"), Ok(None));
        assert_eq!(n("lnk/none"), Ok(None));
        assert_eq!(n("a/npmrc"), Err(NotFollowed::TooManyLinks));
        assert_eq!(n("out/npmrc"), Err(NotFollowed::Outside));
    }
}
