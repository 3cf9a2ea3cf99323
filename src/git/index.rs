//! A reader for git's index file (pure): just enough of the format to list
//! the entries at the paths we care about, without building the whole
//! in-memory index that libgit2 builds (its path validation, entry map and
//! SHA-1DC checksum cost most of a hook's time in a 100,000-file repository).
//!
//! Format (git's Documentation/gitformat-index.txt): `DIRC`, version 2, 3 or
//! 4, entry count; each entry is 40 bytes of stat data and mode, the object
//! id, 16 bits of flags (stage in bits 12-13, extended in bit 14), 16 more
//! bits of flags in version 3+ when extended, then the path: NUL-terminated
//! and padded to a multiple of 8 bytes in versions 2 and 3, prefix-compressed
//! in version 4. Extensions and the trailing checksum follow; the checksum is
//! not verified here (git verified it before it ran the hook).
//!
//! Anything this reader does not handle (a split index, SHA-256 object ids,
//! another version) is reported as [`Unsupported`], and the caller falls
//! back to libgit2.

/// One index entry at a selected path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub path: Vec<u8>,
    pub mode: u32,
    /// The 20-byte SHA-1 object id.
    pub id: [u8; 20],
    /// 0 for a normal entry, 1-3 for the sides of a conflict.
    pub stage: u8,
    /// Added with `git add -N`: in the index, but in no tree git writes.
    pub intent_to_add: bool,
}

/// An index read by [`read`]: the selected entries, and the tree ids its
/// cache-tree (`TREE` extension) holds for their folders.
#[derive(Debug, Default)]
pub struct Index {
    pub entries: Vec<Entry>,
    /// Folder (`""` for the root, no trailing `/`) → the id of the tree git
    /// would write for it from this index, for the selected entries'
    /// folders whose cache-tree entry is valid. `git commit` writes these
    /// very trees.
    pub trees: std::collections::HashMap<Vec<u8>, [u8; 20]>,
}

/// Why the index could not be read here.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// A valid index this reader does not handle; use libgit2.
    Unsupported(String),
    /// Not a well-formed index.
    Corrupt(String),
    /// The index could not be read.
    Io(String),
}

fn corrupt(what: &str) -> Error {
    Error::Corrupt(format!("corrupt index: {what}"))
}

fn be32(b: &[u8], at: usize) -> Result<u32, Error> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| corrupt("truncated"))
}

/// The entries of `index` whose path `wanted` accepts, in index order.
pub fn entries(index: &[u8], wanted: impl Fn(&[u8]) -> bool) -> Result<Vec<Entry>, Error> {
    read(index, wanted).map(|i| i.entries)
}

/// The entries of `index` whose path `wanted` accepts, in index order, and
/// the cache-tree's ids of their folders.
pub fn read(index: &[u8], wanted: impl Fn(&[u8]) -> bool) -> Result<Index, Error> {
    read_from(index, index.len() as u64, wanted)
}

/// [`read`] from `src`, an index of `len` bytes, through a small window.
/// A hook reads an index of 13 MB in a 100,000-file repository: reading it
/// whole cost more than everything else the hook does (the kernel's copy
/// into fresh pages, their faults and their unmapping); a 64 KiB window
/// that stays in cache does not, and the memory stays flat.
pub fn read_from(
    src: impl std::io::Read,
    len: u64,
    wanted: impl Fn(&[u8]) -> bool,
) -> Result<Index, Error> {
    if len < 12 + 20 {
        return Err(corrupt("bad signature"));
    }
    let mut w = Window::new(src);
    let head = w.fill(12)?;
    if head.len() < 12 || &head[..4] != b"DIRC" {
        return Err(corrupt("bad signature"));
    }
    let version = be32(head, 4)?;
    if !(2..=4).contains(&version) {
        return Err(Error::Unsupported(format!("index version {version}")));
    }
    let count = be32(head, 8)? as usize;
    w.consume(12);
    // Entries end before the extensions and the 20-byte checksum.
    let end = len - 20;
    let mut out = Vec::new();
    let mut prev_path: Vec<u8> = Vec::new();
    for _ in 0..count {
        // Most entries are well under this; a longer path grows the window.
        let mut want = 62 + 2 + 10 + 512;
        loop {
            let left = end
                .checked_sub(w.offset)
                .ok_or_else(|| corrupt("entries run past the end"))?;
            let left = usize::try_from(left).unwrap_or(usize::MAX);
            let have = w.fill(want.min(left))?;
            let b = &have[..have.len().min(left)];
            match entry(b, version, prev_path.len())? {
                Some((e, used)) => {
                    let path = if version == 4 {
                        prev_path.truncate(e.keep);
                        prev_path.extend_from_slice(e.name);
                        &prev_path
                    } else {
                        e.name
                    };
                    if wanted(path) {
                        out.push(Entry {
                            path: path.to_vec(),
                            mode: e.mode,
                            id: e.id,
                            stage: e.stage,
                            intent_to_add: e.intent_to_add,
                        });
                    }
                    w.consume(used);
                    break;
                }
                None if b.len() < left && b.len() >= want.min(left) => {
                    want = want.saturating_mul(2)
                }
                None => return Err(corrupt("entries run past the end")),
            }
        }
    }
    // A split index keeps most entries in a shared file: not read here.
    let mut tree_ext = None;
    while w.offset + 8 <= end {
        let h = w.fill(8)?;
        if h.len() < 8 {
            return Err(corrupt("truncated"));
        }
        let sig = [h[0], h[1], h[2], h[3]];
        let size = u64::from(be32(h, 4)?);
        if &sig == b"link" {
            return Err(Error::Unsupported("split index".to_string()));
        }
        if w.offset + 8 + size > end {
            return Err(corrupt("extension runs past the end"));
        }
        w.consume(8);
        if &sig == b"TREE" {
            let size = size as usize;
            let data = w.fill(size)?;
            if data.len() < size {
                return Err(corrupt("truncated"));
            }
            tree_ext = Some(data[..size].to_vec());
            w.consume(size);
        } else {
            w.skip(size)?;
        }
    }
    let folders: std::collections::HashSet<&[u8]> = out
        .iter()
        .map(|e| match memchr::memrchr(b'/', &e.path) {
            Some(i) => &e.path[..i],
            None => &e.path[..0],
        })
        .collect();
    // The cache-tree only saves work: one this reader cannot follow means
    // no shortcut (every entry is compared with HEAD), never a refusal.
    let trees = match tree_ext {
        Some(data) if !folders.is_empty() => cache_tree(&data, &folders).unwrap_or_default(),
        _ => Default::default(),
    };
    Ok(Index {
        entries: out,
        trees,
    })
}

/// One entry as [`entry`] finds it at the start of a window.
struct Raw<'a> {
    /// The path; in version 4 only what this entry adds to the previous
    /// path, of which it keeps `keep` bytes.
    name: &'a [u8],
    keep: usize,
    mode: u32,
    id: [u8; 20],
    stage: u8,
    intent_to_add: bool,
}

/// The entry at the start of `b` and the bytes it takes; `None` when `b`
/// ends before it does. `prev_len` is the length of the previous path
/// (version 4).
fn entry(b: &[u8], version: u32, prev_len: usize) -> Result<Option<(Raw<'_>, usize)>, Error> {
    let (Some(mode), Some(id_bytes), Some(flags)) = (b.get(24..28), b.get(40..60), b.get(60..62))
    else {
        return Ok(None);
    };
    let mode = u32::from_be_bytes([mode[0], mode[1], mode[2], mode[3]]);
    let flags = u16::from_be_bytes([flags[0], flags[1]]);
    let mut id = [0u8; 20];
    id.copy_from_slice(id_bytes);
    let mut path_at = 62;
    let mut intent_to_add = false;
    if flags & 0x4000 != 0 {
        if version < 3 {
            return Err(corrupt("extended flag in a version 2 index"));
        }
        let Some(&ext) = b.get(62) else {
            return Ok(None);
        };
        intent_to_add = ext & 0x20 != 0;
        path_at += 2;
    }
    let mut keep = 0;
    if version == 4 {
        let (strip, n) = match varint(b, path_at) {
            Ok(v) => v,
            // A varint is at most 10 bytes; one cut by the window's end
            // may go on.
            Err(_) if b.len() < path_at + 10 => return Ok(None),
            Err(e) => return Err(e),
        };
        keep = usize::try_from(strip)
            .ok()
            .and_then(|s| prev_len.checked_sub(s))
            .ok_or_else(|| corrupt("bad path prefix"))?;
        path_at += n;
    }
    let Some(nul) = b.get(path_at..).and_then(|r| memchr::memchr(0, r)) else {
        return Ok(None);
    };
    // Versions 2 and 3 pad with 1-8 NULs to a multiple of 8 bytes.
    let next = if version == 4 {
        path_at + nul + 1
    } else {
        (path_at + nul + 8) / 8 * 8
    };
    if next > b.len() {
        return Ok(None);
    }
    let raw = Raw {
        name: &b[path_at..path_at + nul],
        keep,
        mode,
        id,
        stage: ((flags >> 12) & 3) as u8,
        intent_to_add,
    };
    Ok(Some((raw, next)))
}

/// A window on a byte stream: what [`read_from`] needs next, read ahead in
/// blocks, with the absolute offset of its start.
struct Window<R> {
    src: R,
    buf: Vec<u8>,
    start: usize,
    filled: usize,
    offset: u64,
}

impl<R: std::io::Read> Window<R> {
    fn new(src: R) -> Self {
        Window {
            src,
            buf: vec![0; 64 * 1024],
            start: 0,
            filled: 0,
            offset: 0,
        }
    }

    /// At least `n` bytes from the current offset, fewer only where the
    /// stream ends.
    fn fill(&mut self, n: usize) -> Result<&[u8], Error> {
        if self.filled - self.start < n {
            self.buf.copy_within(self.start..self.filled, 0);
            self.filled -= self.start;
            self.start = 0;
            if self.buf.len() < n {
                self.buf.resize(n.next_power_of_two(), 0);
            }
            while self.filled < n {
                match self.src.read(&mut self.buf[self.filled..]) {
                    Ok(0) => break,
                    Ok(k) => self.filled += k,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(Error::Io(e.to_string())),
                }
            }
        }
        Ok(&self.buf[self.start..self.filled])
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        self.offset += n as u64;
    }

    /// Pass over `n` bytes.
    fn skip(&mut self, mut n: u64) -> Result<(), Error> {
        loop {
            let take = n.min((self.filled - self.start) as u64) as usize;
            self.consume(take);
            n -= take as u64;
            if n == 0 {
                return Ok(());
            }
            self.start = 0;
            self.filled = 0;
            if self.fill(1)?.is_empty() {
                return Err(corrupt("truncated"));
            }
        }
    }
}

/// The valid cache-tree entries for `folders`, from the `TREE` extension:
/// each entry is a path component (NUL-terminated; the root's is empty),
/// its entry count in ASCII (`-1` when invalid), a space, its number of
/// subtrees, a newline and, when valid, the tree's id; its subtrees follow
/// it, depth first. A large repository has tens of thousands of folders:
/// below one that neither is nor holds a wanted folder, paths are not even
/// built.
fn cache_tree(
    data: &[u8],
    folders: &std::collections::HashSet<&[u8]>,
) -> Result<std::collections::HashMap<Vec<u8>, [u8; 20]>, Error> {
    let bad = || corrupt("bad cache-tree extension");
    // The wanted folders and every folder above them.
    let mut above: std::collections::HashSet<&[u8]> = std::collections::HashSet::new();
    for f in folders {
        let mut f: &[u8] = f;
        while let Some(i) = memchr::memrchr(b'/', f) {
            f = &f[..i];
            if !above.insert(f) {
                break;
            }
        }
        if !f.is_empty() {
            above.insert(&f[..0]);
        }
    }
    let mut trees = std::collections::HashMap::new();
    let mut path: Vec<u8> = Vec::new();
    // For each open folder: its path length before it, how many subtrees
    // are still to come, and whether paths below it matter (an explicit
    // stack: no recursion on untrusted depth).
    let mut open: Vec<(usize, usize, bool)> = Vec::new();
    let mut at = 0;
    let mut first = true;
    while at < data.len() {
        while open.last().is_some_and(|&(_, left, _)| left == 0) {
            let (len, _, _) = open.pop().ok_or_else(bad)?;
            path.truncate(len);
        }
        let parent_len = path.len();
        let nul = memchr::memchr(0, &data[at..]).ok_or_else(bad)?;
        let name = &data[at..at + nul];
        at += nul + 1;
        let wanted_below = match open.last_mut() {
            Some((_, left, wanted_below)) => {
                *left -= 1;
                if *wanted_below {
                    if !path.is_empty() {
                        path.push(b'/');
                    }
                    path.extend_from_slice(name);
                }
                *wanted_below
            }
            None if first && name.is_empty() => {
                first = false;
                true
            }
            None => return Err(bad()),
        };
        let line_end = memchr::memchr(b'\n', &data[at..]).ok_or_else(bad)?;
        let line = std::str::from_utf8(&data[at..at + line_end]).map_err(|_| bad())?;
        at += line_end + 1;
        let (count, subtrees) = line.split_once(' ').ok_or_else(bad)?;
        let count: i64 = count.parse().map_err(|_| bad())?;
        let subtrees: usize = subtrees.parse().map_err(|_| bad())?;
        if count >= 0 {
            let id = data.get(at..at + 20).ok_or_else(bad)?;
            at += 20;
            if wanted_below && folders.contains(path.as_slice()) {
                let mut oid = [0u8; 20];
                oid.copy_from_slice(id);
                trees.insert(path.clone(), oid);
            }
        }
        let holds_wanted = wanted_below && above.contains(path.as_slice());
        open.push((parent_len, subtrees, holds_wanted));
    }
    Ok(trees)
}

/// git's offset varint (index v4 path prefix lengths).
fn varint(b: &[u8], at: usize) -> Result<(u64, usize), Error> {
    let mut i = at;
    let mut byte = *b.get(i).ok_or_else(|| corrupt("truncated varint"))?;
    let mut val = u64::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        i += 1;
        byte = *b.get(i).ok_or_else(|| corrupt("truncated varint"))?;
        val = val
            .checked_add(1)
            .and_then(|v| v.checked_mul(128))
            .ok_or_else(|| corrupt("varint overflow"))?
            | u64::from(byte & 0x7f);
    }
    Ok((val, i - at + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_garbage_without_panicking() {
        assert!(matches!(entries(b"", |_| true), Err(Error::Corrupt(_))));
        assert!(matches!(
            entries(&[0; 64], |_| true),
            Err(Error::Corrupt(_))
        ));
        let mut v9 = b"DIRC\0\0\0\x09\0\0\0\0".to_vec();
        v9.extend([0; 20]);
        assert!(matches!(entries(&v9, |_| true), Err(Error::Unsupported(_))));
        let mut lying = b"DIRC\0\0\0\x02\0\0\0\x05".to_vec();
        lying.extend([0; 20]);
        assert!(matches!(entries(&lying, |_| true), Err(Error::Corrupt(_))));
    }

    #[test]
    fn varints() {
        assert_eq!(varint(&[0x05], 0), Ok((5, 1)));
        assert_eq!(varint(&[0x80, 0x00], 0), Ok((128, 2)));
    }
}
