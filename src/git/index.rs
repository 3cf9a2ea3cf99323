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
}

/// Why the index could not be read here.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// A valid index this reader does not handle; use libgit2.
    Unsupported(String),
    /// Not a well-formed index.
    Corrupt(String),
}

fn corrupt(what: &str) -> Error {
    Error::Corrupt(format!("corrupt index: {what}"))
}

fn be32(b: &[u8], at: usize) -> Result<u32, Error> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| corrupt("truncated"))
}

fn be16(b: &[u8], at: usize) -> Result<u16, Error> {
    b.get(at..at + 2)
        .map(|s| u16::from_be_bytes([s[0], s[1]]))
        .ok_or_else(|| corrupt("truncated"))
}

/// The entries of `index` whose path `wanted` accepts, in index order.
pub fn entries(index: &[u8], wanted: impl Fn(&[u8]) -> bool) -> Result<Vec<Entry>, Error> {
    if index.len() < 12 + 20 || &index[..4] != b"DIRC" {
        return Err(corrupt("bad signature"));
    }
    let version = be32(index, 4)?;
    if !(2..=4).contains(&version) {
        return Err(Error::Unsupported(format!("index version {version}")));
    }
    let count = be32(index, 8)? as usize;
    // Entries end before the extensions and the 20-byte checksum.
    let end = index.len() - 20;
    let mut at = 12;
    let mut out = Vec::new();
    let mut prev_path: Vec<u8> = Vec::new();
    for _ in 0..count {
        let mode = be32(index, at + 24)?;
        let id_bytes = index
            .get(at + 40..at + 60)
            .ok_or_else(|| corrupt("truncated entry"))?;
        let flags = be16(index, at + 60)?;
        let mut path_at = at + 62;
        if flags & 0x4000 != 0 {
            if version < 3 {
                return Err(corrupt("extended flag in a version 2 index"));
            }
            path_at += 2;
        }
        let stage = ((flags >> 12) & 3) as u8;
        let (path, next) = if version == 4 {
            let (strip, n) = varint(index, path_at)?;
            let start = path_at + n;
            let nul = memchr::memchr(
                0,
                index
                    .get(start..end)
                    .ok_or_else(|| corrupt("truncated path"))?,
            )
            .ok_or_else(|| corrupt("unterminated path"))?;
            let keep = prev_path
                .len()
                .checked_sub(strip as usize)
                .ok_or_else(|| corrupt("bad path prefix"))?;
            prev_path.truncate(keep);
            prev_path.extend_from_slice(&index[start..start + nul]);
            (None, start + nul + 1)
        } else {
            let rest = index
                .get(path_at..end)
                .ok_or_else(|| corrupt("truncated path"))?;
            let nul = memchr::memchr(0, rest).ok_or_else(|| corrupt("unterminated path"))?;
            let entry_len = path_at - at + nul;
            // Padded with 1-8 NULs to a multiple of 8 bytes.
            let next = at + (entry_len + 8) / 8 * 8;
            (Some(&rest[..nul]), next)
        };
        let path: &[u8] = path.unwrap_or(&prev_path);
        if wanted(path) {
            let mut id = [0u8; 20];
            id.copy_from_slice(id_bytes);
            out.push(Entry {
                path: path.to_vec(),
                mode,
                id,
                stage,
            });
        }
        if next > end {
            return Err(corrupt("entries run past the end"));
        }
        at = next;
    }
    // A split index keeps most entries in a shared file: not read here.
    let mut ext = at;
    while ext + 8 <= end {
        let sig = &index[ext..ext + 4];
        let len = be32(index, ext + 4)? as usize;
        if sig == b"link" {
            return Err(Error::Unsupported("split index".to_string()));
        }
        ext = ext
            .checked_add(8 + len)
            .filter(|&e| e <= end)
            .ok_or_else(|| corrupt("extension runs past the end"))?;
    }
    Ok(out)
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
