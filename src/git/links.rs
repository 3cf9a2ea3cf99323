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
    /// Absolute, or `..` past the repository's root.
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

/// Follow the link at `link` (content `target`) through a store of
/// entries: `lookup` gives a path's mode and object, `read_link` the
/// content of a link object. The file at the end, and its object.
///
/// Resolved one component at a time, as the kernel does: a folder on the
/// way may itself be a link (`.npmrc -> dirlink/real`, `dirlink -> sub`),
/// and a `..` after it climbs from where that link leads. A store without
/// folder entries (the index) answers `None` for a folder; only the last
/// component must be there.
pub fn follow<T>(
    link: &[u8],
    target: Vec<u8>,
    mut lookup: impl FnMut(&[u8]) -> Option<(u32, T)>,
    mut read_link: impl FnMut(&T) -> Option<Vec<u8>>,
) -> Result<(Vec<u8>, T), NotFollowed> {
    let mut parts: Vec<Vec<u8>> = link.split(|b| *b == b'/').map(<[u8]>::to_vec).collect();
    // The link's own name.
    parts.pop();
    // What is left to walk, last component first.
    let mut rest: Vec<Vec<u8>> = Vec::new();
    let push_target = |rest: &mut Vec<Vec<u8>>, t: &[u8]| {
        if t.is_empty() || t[0] == b'/' || t.contains(&0) {
            return Err(NotFollowed::Outside);
        }
        rest.extend(t.split(|b| *b == b'/').rev().map(<[u8]>::to_vec));
        Ok(())
    };
    push_target(&mut rest, &target)?;
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
                push_target(&mut rest, &t)?;
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
    use super::{follow, resolve, NotFollowed};

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
        let got = follow(b"a/.npmrc", b"../b/link".to_vec(), lookup, |c| {
            Some(c.clone())
        });
        assert_eq!(got, Ok((b"b/real".to_vec(), b"content".to_vec())));
        let got = follow(b".npmrc", b"loop".to_vec(), lookup, |c| Some(c.clone()));
        assert_eq!(got, Err(NotFollowed::TooManyLinks));
        let got = follow(b".npmrc", b"nowhere".to_vec(), lookup, |c| Some(c.clone()));
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
            follow(link.as_bytes(), t.as_bytes().to_vec(), lookup, |c| {
                Some(c.clone())
            })
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
}
