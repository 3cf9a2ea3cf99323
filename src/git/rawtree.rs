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
    Entries { raw, pos: 0 }
}

#[derive(Debug)]
pub struct Entries<'a> {
    raw: &'a [u8],
    /// Where the next entry starts.
    pos: usize,
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<Entry<'a>, Corrupt>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.raw.get(self.pos..).filter(|r| !r.is_empty())?;
        match parse_one(rest) {
            Some((entry, used)) => {
                self.pos += used;
                Some(Ok(entry))
            }
            None => {
                self.pos = self.raw.len();
                Some(Err(Corrupt))
            }
        }
    }
}

/// The entry at the start of `raw`, and how many bytes it takes.
fn parse_one(raw: &[u8]) -> Option<(Entry<'_>, usize)> {
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
    Some((Entry { mode, name, id }, space + 1 + id_end))
}

/// Where the entry after the one at `at` starts (no check of its mode or
/// name: the bytes are compared, not read).
fn next_start(raw: &[u8], at: usize) -> Option<usize> {
    let nul = memchr::memchr(0, raw.get(at..)?)?;
    let next = at + nul + 1 + ID_LEN;
    (next <= raw.len()).then_some(next)
}

/// How many bytes `a` and `b` share at their start.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n && a[i..i + 8] == b[i..i + 8] {
        i += 8;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// How many bytes `a` and `b` share at their end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n && a[a.len() - i - 8..a.len() - i] == b[b.len() - i - 8..b.len() - i] {
        i += 8;
    }
    while i < n && a[a.len() - i - 1] == b[b.len() - i - 1] {
        i += 1;
    }
    i
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
/// Both trees are walked once, in step, from the entry holding their
/// first differing byte (the bytes before it are the same entries in
/// both), and only until what is left of each is the same bytes (a
/// folder's tree mostly changes in one entry). A tree out of git's order
/// can only make more entries count as changed (they then go through the
/// seen-sets), never fewer: an entry is unchanged only when `old` has the
/// very same one, or the very same bytes at the same place.
pub fn changed<'a, 'b>(new: &'a [u8], old: Option<&'b [u8]>) -> Changed<'a, 'b> {
    let (start, tail) = match old {
        Some(old) => {
            let differs = common_prefix(new, old);
            let mut start = 0;
            while let Some(next) = next_start(new, start).filter(|n| *n <= differs) {
                start = next;
            }
            (start, common_suffix(new, old))
        }
        None => (0, 0),
    };
    Changed {
        new: Entries {
            raw: new,
            pos: start,
        },
        old: Entries {
            raw: old.unwrap_or_default(),
            pos: start,
        },
        pending: None,
        tail,
    }
}

#[derive(Debug)]
pub struct Changed<'a, 'b> {
    new: Entries<'a>,
    old: Entries<'b>,
    /// The next entry of `old` not yet passed, and where it starts.
    pending: Option<(Entry<'b>, usize)>,
    /// How many bytes the two trees share at their end.
    tail: usize,
}

impl Changed<'_, '_> {
    /// Whether what is left of both trees is the same bytes.
    fn rest_same(&self) -> bool {
        let old_at = self.pending.map_or(self.old.pos, |(_, at)| at);
        let left = self.new.raw.len().saturating_sub(self.new.pos);
        left <= self.tail && self.old.raw.len().saturating_sub(old_at) == left
    }
}

impl<'a, 'b> Iterator for Changed<'a, 'b> {
    type Item = Result<(Entry<'a>, Option<Entry<'b>>), Corrupt>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest_same() {
                return None;
            }
            let entry = match self.new.next()? {
                Ok(e) => e,
                Err(c) => return Some(Err(c)),
            };
            // Pass the entries of `old` that sort before this one.
            let before = loop {
                let (old, at) = match self.pending.take() {
                    Some(o) => o,
                    None => {
                        let at = self.old.pos;
                        match self.old.next() {
                            None => break None,
                            Some(Ok(o)) => (o, at),
                            Some(Err(c)) => return Some(Err(c)),
                        }
                    }
                };
                match order(&old, &entry) {
                    Ordering::Less => continue,
                    Ordering::Equal => break Some(old),
                    Ordering::Greater => {
                        self.pending = Some((old, at));
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

    /// What `changed` must give, by a lookup of each entry in `old`.
    fn reference<'a>(new: &'a [u8], old: &[u8]) -> Vec<(Entry<'a>, bool)> {
        let old: Vec<Entry<'_>> = entries(old).map(|e| e.expect("ok")).collect();
        entries(new)
            .map(|e| e.expect("ok"))
            .filter(|e| !old.iter().any(|o| o.same(e)))
            .map(|e| {
                let was = old
                    .iter()
                    .any(|o| o.name == e.name && o.is_tree() == e.is_tree());
                (e, was)
            })
            .collect()
    }

    #[test]
    fn skipping_the_shared_start_and_end_changes_nothing() {
        // Trees of up to 12 entries from 6 names, each a file or a
        // folder, edited at random (a changed id, an entry added or
        // removed, a kind changed): the merge from the first differing
        // byte to the shared end gives what a lookup of every entry does.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut rand = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let names = ["a", "a-b", "a0", "b", "pkg", "pkg.json"];
        for _ in 0..5000 {
            let mut old: Vec<(&str, &str, u8)> = Vec::new();
            for name in names {
                match rand(3) {
                    0 => {}
                    1 => old.push(("100644", name, rand(4) as u8)),
                    _ => old.push(("40000", name, rand(4) as u8)),
                }
            }
            let mut new = old.clone();
            for _ in 0..=rand(3) {
                let i = rand(names.len() as u64) as usize;
                let name = names[i];
                let at = new.iter().position(|(_, n, _)| *n == name);
                match (rand(3), at) {
                    (0, Some(at)) => {
                        new.remove(at);
                    }
                    (1, Some(at)) => new[at].2 = rand(4) as u8,
                    (_, Some(at)) => {
                        new[at].0 = if new[at].0 == "40000" {
                            "120000"
                        } else {
                            "40000"
                        }
                    }
                    (_, None) => new.push(("100644", name, rand(4) as u8)),
                }
            }
            let sort = |t: &mut Vec<(&str, &str, u8)>| {
                t.sort_by(|a, b| {
                    let key = |e: &(&str, &str, u8)| {
                        let mut k = e.1.as_bytes().to_vec();
                        if e.0 == "40000" {
                            k.push(b'/');
                        }
                        k
                    };
                    key(a).cmp(&key(b))
                })
            };
            sort(&mut old);
            sort(&mut new);
            let (old, new) = (raw(&old), raw(&new));
            let got: Vec<(Entry<'_>, bool)> = changed(&new, Some(&old))
                .map(|r| r.map(|(e, was)| (e, was.is_some())).expect("ok"))
                .collect();
            assert_eq!(got, reference(&new, &old), "{new:?} against {old:?}");
        }
    }

    #[test]
    fn find_looks_a_name_up() {
        let t = raw(&[("100644", "a", 1), ("100644", "npmrc-guard.toml", 2)]);
        let e = find(&t, b"npmrc-guard.toml").expect("ok").expect("there");
        assert_eq!(e.id, &[2; ID_LEN]);
        assert_eq!(find(&t, b"zz"), Ok(None));
    }
}
