//! Tree objects as git stores them (`MODE SP NAME NUL ID`, repeated),
//! read in place: no entry vector, no allocation per entry. And the
//! entries of a tree that differ from another tree at the same path, by a
//! sorted merge of the two (as `git log --raw` compares trees), so an
//! unchanged entry costs one comparison of ids, not a lookup in a set.

use std::cmp::Ordering;

/// The length of a SHA-1 object id (libgit2 opens no SHA-256 repository;
/// git's plumbing reads those).
const ID_LEN: usize = 20;

/// The type bits of a tree entry's mode that name a folder.
const MODE_TREE: u32 = 0o040000;
const TYPE_MASK: u32 = 0o170000;

/// One entry of a tree, borrowed from the tree's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    pub mode: u32,
    pub name: &'a [u8],
    pub id: &'a [u8; ID_LEN],
}

impl Entry<'_> {
    pub fn is_tree(&self) -> bool {
        self.mode & TYPE_MASK == MODE_TREE
    }

    /// Whether `other` is the same object of the same kind under the same
    /// name (a file that became a symbolic link with the same bytes is a
    /// change; `100644` to `100755` is not).
    fn same(&self, other: &Entry<'_>) -> bool {
        self.id == other.id
            && self.name == other.name
            && self.mode & TYPE_MASK == other.mode & TYPE_MASK
    }
}

/// A tree whose bytes are not a list of entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt;

/// The entries of the tree whose bytes are `raw`, in the order stored.
pub fn entries(raw: &[u8]) -> Entries<'_> {
    Entries { rest: raw }
}

#[derive(Debug)]
pub struct Entries<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<Entry<'a>, Corrupt>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let parsed = parse_one(self.rest);
        match parsed {
            Some((entry, rest)) => {
                self.rest = rest;
                Some(Ok(entry))
            }
            None => {
                self.rest = &[];
                Some(Err(Corrupt))
            }
        }
    }
}

fn parse_one(raw: &[u8]) -> Option<(Entry<'_>, &[u8])> {
    let space = memchr::memchr(b' ', raw)?;
    let digits = &raw[..space];
    if digits.is_empty() || digits.len() > 7 {
        return None;
    }
    let mut mode = 0u32;
    for &d in digits {
        if !(b'0'..=b'7').contains(&d) {
            return None;
        }
        mode = mode * 8 + u32::from(d - b'0');
    }
    let after = &raw[space + 1..];
    let nul = memchr::memchr(0, after)?;
    let name = &after[..nul];
    let id_end = nul + 1 + ID_LEN;
    if name.is_empty() || after.len() < id_end {
        return None;
    }
    let id: &[u8; ID_LEN] = after[nul + 1..id_end].try_into().ok()?;
    Some((Entry { mode, name, id }, &after[id_end..]))
}

/// git's order of tree entries: by name, a folder's name read as if it
/// ended in `/`.
fn order(a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
    let common = a.name.len().min(b.name.len());
    match a.name[..common].cmp(&b.name[..common]) {
        Ordering::Equal => {}
        other => return other,
    }
    let next = |e: &Entry<'_>| match e.name.get(common) {
        Some(&c) => c,
        None if e.is_tree() => b'/',
        None => 0,
    };
    next(a).cmp(&next(b))
}

/// The entries of `new` that are not in `old` (the tree at the same path
/// in the parent; `None` when there was none there): what is not the same
/// object of the same kind under the same name. With each, the entry of
/// `old` under the same name, when there is one. In `new`'s order.
///
/// Both trees are walked once, in step. A tree out of git's order can
/// only make more entries count as changed (they then go through the
/// seen-sets), never fewer: an entry is unchanged only when `old` has the
/// very same one.
pub fn changed<'a, 'b>(new: &'a [u8], old: Option<&'b [u8]>) -> Changed<'a, 'b> {
    Changed {
        new: entries(new),
        old: entries(old.unwrap_or_default()),
        pending: None,
    }
}

#[derive(Debug)]
pub struct Changed<'a, 'b> {
    new: Entries<'a>,
    old: Entries<'b>,
    /// The next entry of `old` not yet passed.
    pending: Option<Entry<'b>>,
}

impl<'a, 'b> Iterator for Changed<'a, 'b> {
    type Item = Result<(Entry<'a>, Option<Entry<'b>>), Corrupt>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let entry = match self.new.next()? {
                Ok(e) => e,
                Err(c) => return Some(Err(c)),
            };
            // Pass the entries of `old` that sort before this one.
            let before = loop {
                let old = match self.pending.take() {
                    Some(o) => o,
                    None => match self.old.next() {
                        None => break None,
                        Some(Ok(o)) => o,
                        Some(Err(c)) => return Some(Err(c)),
                    },
                };
                match order(&old, &entry) {
                    Ordering::Less => continue,
                    Ordering::Equal => break Some(old),
                    Ordering::Greater => {
                        self.pending = Some(old);
                        break None;
                    }
                }
            };
            match before {
                Some(old) if old.same(&entry) => continue,
                // Same name, other kind or object.
                Some(old) if old.name == entry.name => return Some(Ok((entry, Some(old)))),
                _ => {
                    // A file and a folder of one name sort apart: look
                    // for the other kind no further (it only means a
                    // change either way).
                    return Some(Ok((entry, None)));
                }
            }
        }
    }
}

/// The entry of the tree `raw` named `name`, if any.
pub fn find<'a>(raw: &'a [u8], name: &[u8]) -> Result<Option<Entry<'a>>, Corrupt> {
    for e in entries(raw) {
        let e = e?;
        if e.name == name {
            return Ok(Some(e));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(entries: &[(&str, &str, u8)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (mode, name, id) in entries {
            out.extend_from_slice(mode.as_bytes());
            out.push(b' ');
            out.extend_from_slice(name.as_bytes());
            out.push(0);
            out.extend_from_slice(&[*id; ID_LEN]);
        }
        out
    }

    fn names<'a>(changed: Changed<'a, '_>) -> Vec<(&'a str, bool)> {
        changed
            .map(|r| {
                let (e, old) = r.expect("well formed");
                (std::str::from_utf8(e.name).expect("utf8"), old.is_some())
            })
            .collect()
    }

    #[test]
    fn entries_are_read_in_place() {
        let t = raw(&[("100644", "a", 1), ("40000", "dir", 2), ("120000", "l", 3)]);
        let got: Vec<Entry<'_>> = entries(&t).map(|e| e.expect("ok")).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].mode, 0o100644);
        assert_eq!(got[1].name, b"dir");
        assert!(got[1].is_tree() && !got[0].is_tree());
        assert_eq!(got[2].id, &[3; ID_LEN]);
    }

    #[test]
    fn a_cut_or_malformed_tree_is_corrupt() {
        let t = raw(&[("100644", "a", 1)]);
        assert_eq!(entries(&t[..t.len() - 1]).next(), Some(Err(Corrupt)));
        assert_eq!(entries(b"10064x a\0").next(), Some(Err(Corrupt)));
        assert_eq!(entries(b" a\0").next(), Some(Err(Corrupt)));
        let mut no_name = b"100644 \0".to_vec();
        no_name.extend_from_slice(&[1; ID_LEN]);
        assert_eq!(entries(&no_name).next(), Some(Err(Corrupt)));
        // A changed-list over a corrupt tree says so too.
        assert!(changed(b"100644 a", None).any(|r| r.is_err()));
        assert!(changed(&t, Some(b"x")).any(|r| r.is_err()));
    }

    #[test]
    fn only_what_differs_from_the_parent_is_changed() {
        let old = raw(&[
            ("100644", "a", 1),
            ("40000", "b", 2),
            ("100644", "c", 3),
            ("100644", "gone", 4),
        ]);
        let new = raw(&[
            ("100755", "a", 1), // mode only: the same blob
            ("40000", "b", 9),  // the folder changed
            ("120000", "c", 3), // a link now, with the same bytes
            ("100644", "d", 5), // new
        ]);
        assert_eq!(
            names(changed(&new, Some(&old))),
            vec![("b", true), ("c", true), ("d", false)]
        );
        assert_eq!(names(changed(&new, Some(&new))), vec![]);
        assert_eq!(names(changed(&new, None)).len(), 4);
    }

    #[test]
    fn folders_sort_as_if_they_ended_in_a_slash() {
        // git's order: "a-b" (0x2d) < "a/" (0x2f) < "a0" (0x30), so the
        // folder "a" comes after the file "a-b".
        let old = raw(&[("100644", "a-b", 1), ("40000", "a", 2), ("100644", "a0", 3)]);
        let new = raw(&[("100644", "a-b", 1), ("40000", "a", 7), ("100644", "a0", 3)]);
        assert_eq!(names(changed(&new, Some(&old))), vec![("a", true)]);
        // A file that became a folder of the same name.
        let new = raw(&[
            ("100644", "a-b", 1),
            ("100644", "a", 2),
            ("100644", "a0", 3),
        ]);
        assert_eq!(names(changed(&new, Some(&old))), vec![("a", false)]);
    }

    #[test]
    fn a_tree_out_of_order_only_costs_more() {
        let old = raw(&[("100644", "b", 2), ("100644", "a", 1)]);
        let new = raw(&[("100644", "a", 1), ("100644", "b", 2)]);
        // Out of order: at worst counted as changed, never missed.
        let got = names(changed(&new, Some(&old)));
        assert!(got.len() <= 2);
        let new2 = raw(&[("100644", "a", 1), ("100644", "b", 3)]);
        assert!(names(changed(&new2, Some(&old)))
            .iter()
            .any(|(n, _)| *n == "b"));
    }

    #[test]
    fn find_looks_a_name_up() {
        let t = raw(&[("100644", "a", 1), ("100644", "npmrc-guard.toml", 2)]);
        let e = find(&t, b"npmrc-guard.toml").expect("ok").expect("there");
        assert_eq!(e.id, &[2; ID_LEN]);
        assert_eq!(find(&t, b"zz"), Ok(None));
    }
}
