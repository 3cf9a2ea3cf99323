//! The index reader on index files built byte by byte: every field at its
//! offset, the padding of every path length, version 4's prefix compression,
//! extensions, and each way a file can be cut short (written against
//! cargo-mutants' survivors in `src/git/index.rs`; tests/index_reader.rs
//! compares it with libgit2 on indexes real git wrote).

use npmrc_guard::git::index::{entries, Entry, Error};

const CHECKSUM: [u8; 20] = [0xAB; 20];

struct E<'a> {
    path: &'a [u8],
    mode: u32,
    id: u8,
    stage: u16,
    extended: bool,
}

fn e(path: &[u8]) -> E<'_> {
    E {
        path,
        mode: 0o100644,
        id: path.len() as u8,
        stage: 0,
        extended: false,
    }
}

/// The bytes of one entry before its path.
fn fixed(x: &E<'_>) -> Vec<u8> {
    let mut b = vec![0x11; 24]; // ctime, mtime, dev, ino
    b.extend(x.mode.to_be_bytes());
    b.extend([0x22; 12]); // uid, gid, size
    b.extend([x.id; 20]);
    let mut flags = (x.stage << 12) | (x.path.len().min(0xFFF) as u16);
    if x.extended {
        flags |= 0x4000;
    }
    b.extend(flags.to_be_bytes());
    if x.extended {
        b.extend(0x2000u16.to_be_bytes()); // intent-to-add
    }
    b
}

fn header(version: u32, count: usize) -> Vec<u8> {
    let mut b = b"DIRC".to_vec();
    b.extend(version.to_be_bytes());
    b.extend((count as u32).to_be_bytes());
    b
}

/// A version 2 or 3 index: paths NUL-padded to a multiple of 8.
fn index(version: u32, es: &[E<'_>], ext: &[u8]) -> Vec<u8> {
    let mut b = header(version, es.len());
    for x in es {
        let start = b.len();
        b.extend(fixed(x));
        b.extend(x.path);
        b.push(0);
        while !(b.len() - start).is_multiple_of(8) {
            b.push(0);
        }
    }
    b.extend(ext);
    b.extend(CHECKSUM);
    b
}

fn varint(mut v: u64) -> Vec<u8> {
    // git's offset encoding, most significant group first.
    let mut out = vec![(v & 0x7f) as u8];
    while v >> 7 != 0 {
        v = (v >> 7) - 1;
        out.insert(0, 0x80 | (v & 0x7f) as u8);
    }
    out
}

/// A version 4 index: each path as (bytes to strip, suffix, NUL).
fn index_v4(es: &[(E<'_>, u64, &[u8])]) -> Vec<u8> {
    let mut b = header(4, es.len());
    for (x, strip, suffix) in es {
        b.extend(fixed(x));
        b.extend(varint(*strip));
        b.extend(*suffix);
        b.push(0);
    }
    b.extend(CHECKSUM);
    b
}

fn want(x: &E<'_>) -> Entry {
    Entry {
        path: x.path.to_vec(),
        mode: x.mode,
        id: [x.id; 20],
        stage: x.stage as u8,
        // The extended flags these tests write are intent-to-add's.
        intent_to_add: x.extended,
    }
}

fn all(b: &[u8]) -> Result<Vec<Entry>, Error> {
    entries(b, |_| true)
}

fn is_corrupt(r: Result<Vec<Entry>, Error>) -> bool {
    matches!(r, Err(Error::Corrupt(_)))
}

#[test]
fn every_path_length_pads_to_the_next_entry() {
    let names: Vec<Vec<u8>> = (1..=17).map(|n| vec![b'a' + (n as u8 % 26); n]).collect();
    let es: Vec<E<'_>> = names.iter().map(|n| e(n)).collect();
    for version in [2, 3] {
        let got = all(&index(version, &es, b"")).expect("reads");
        assert_eq!(got, es.iter().map(want).collect::<Vec<_>>(), "v{version}");
    }
}

#[test]
fn fields_are_read_at_their_offsets() {
    let mut conflict = e(b".npmrc");
    conflict.stage = 2;
    conflict.mode = 0o120000;
    conflict.id = 0x5C;
    let es = [e(b"a/.npmrc"), conflict, e(b"z")];
    let got = all(&index(2, &es, b"")).expect("reads");
    assert_eq!(got, es.iter().map(want).collect::<Vec<_>>());
    assert_eq!(got[1].stage, 2);
    // Only the paths `wanted` accepts, in index order.
    let some = entries(&index(2, &es, b""), |p| p.ends_with(b".npmrc")).expect("reads");
    assert_eq!(some, [want(&es[0]), want(&es[1])]);
    for stage in 1..=3 {
        let mut x = e(b"c");
        x.stage = stage;
        assert_eq!(
            all(&index(2, &[x], b"")).expect("reads")[0].stage,
            stage as u8
        );
    }
}

#[test]
fn extended_flags_need_version_3() {
    let mut x = e(b"intent");
    x.extended = true;
    let es = [x, e(b"next")];
    let got = all(&index(3, &es, b"")).expect("reads");
    assert_eq!(got, es.iter().map(want).collect::<Vec<_>>());
    assert!(is_corrupt(all(&index(2, &es, b""))));
}

#[test]
fn version_4_paths_are_prefix_compressed() {
    let long = [b'd'; 200];
    let mut long_child = long.to_vec();
    long_child.extend(b"/x");
    let es = [
        (e(b"dir/a"), 0, &b"dir/a"[..]),
        (e(b"dir/bc"), 1, &b"bc"[..]),
        (e(b"other"), 6, &b"other"[..]),
        (e(&long), 5, &long[..]),
        (e(&long_child), 0, &b"/x"[..]),
        // Strip 150 (a two-byte varint) of the 202 bytes.
        (e(&long[..52]), 150, &b""[..]),
    ];
    let got = all(&index_v4(&es)).expect("reads");
    let want: Vec<Entry> = es.iter().map(|(x, _, _)| want(x)).collect();
    assert_eq!(got, want);
    // Stripping more than the previous path holds.
    let bad = [(e(b"a"), 0, &b"a"[..]), (e(b"b"), 2, &b"b"[..])];
    assert!(is_corrupt(all(&index_v4(&bad))));
    // A path with no NUL before the checksum.
    let mut cut = index_v4(&[(e(b"a"), 0, &b"a"[..])]);
    let nul = cut.len() - 21;
    cut[nul] = b'x';
    assert!(is_corrupt(all(&cut)));
}

#[test]
fn versions_and_signatures() {
    let empty = |v| index(v, &[], b"");
    for v in [2, 3, 4] {
        assert_eq!(all(&empty(v)), Ok(vec![]), "v{v}");
    }
    for v in [0, 1, 5] {
        assert!(matches!(all(&empty(v)), Err(Error::Unsupported(_))), "v{v}");
    }
    let mut bad = empty(2);
    bad[0] = b'X';
    assert!(is_corrupt(all(&bad)));
    // One byte short of a header and a checksum.
    assert!(is_corrupt(all(&empty(2)[..31])));
}

#[test]
fn extensions_are_walked_and_a_split_index_is_refused() {
    let es = [e(b"a"), e(b"b")];
    let mut tree = b"TREE".to_vec();
    tree.extend(3u32.to_be_bytes());
    tree.extend(b"xyz");
    let mut link = b"link".to_vec();
    link.extend(0u32.to_be_bytes());
    let reads = all(&index(2, &es, &tree)).expect("reads");
    assert_eq!(reads, es.iter().map(want).collect::<Vec<_>>());
    let mut both = tree.clone();
    both.extend(&link);
    assert!(matches!(
        all(&index(2, &es, &both)),
        Err(Error::Unsupported(_))
    ));
    assert!(matches!(
        all(&index(2, &es, &link)),
        Err(Error::Unsupported(_))
    ));
    // An extension longer than what is left.
    let mut long = b"TREE".to_vec();
    long.extend(4u32.to_be_bytes());
    long.extend(b"xyz");
    assert!(is_corrupt(all(&index(2, &es, &long))));
    // Fewer than 8 bytes left are no extension header.
    assert_eq!(all(&index(2, &es, b"1234567")), Ok(reads.clone()));
}

#[test]
fn every_cut_is_corrupt_and_none_panics() {
    let mut x = e(b"some/path/.npmrc");
    x.extended = true;
    for (version, bytes) in [
        (2, index(2, &[e(b"some/path/.npmrc"), e(b"b")], b"")),
        (3, index(3, &[x, e(b"b")], b"")),
        (
            4,
            index_v4(&[
                (e(b"some/path/.npmrc"), 0, &b"some/path/.npmrc"[..]),
                (e(b"some/b"), 11, &b"b"[..]),
            ]),
        ),
    ] {
        assert_eq!(all(&bytes).expect("whole").len(), 2);
        // Any shorter file: the entries run into the checksum, or past
        // the end.
        for cut in 0..bytes.len() {
            let r = all(&bytes[..cut]);
            assert!(is_corrupt(r), "v{version} cut at {cut}");
        }
        // A count larger than the entries.
        let mut more = bytes.clone();
        more[11] = 3;
        assert!(is_corrupt(all(&more)), "v{version}");
    }
}

/// A source that hands out at most `step` bytes per read, as a pipe or a
/// slow file system may.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

#[test]
fn read_through_a_window_as_from_the_whole_file() {
    use npmrc_guard::git::index::read_from;
    // Paths longer than the first look-ahead and than the whole 64 KiB
    // window, and an extension to skip that is larger than the window too.
    let names: Vec<Vec<u8>> = [1, 7, 600, 5_000, 70_000, 3]
        .iter()
        .map(|&n| vec![b'p'; n])
        .collect();
    let es: Vec<E<'_>> = names.iter().map(|n| e(n)).collect();
    let mut big = b"UNTR".to_vec();
    big.extend(200_000u32.to_be_bytes());
    big.extend(vec![7u8; 200_000]);
    let mut link = b"link".to_vec();
    link.extend(0u32.to_be_bytes());
    // Each version 4 path strips the whole previous one.
    let v4: Vec<(E<'_>, u64, &[u8])> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                e(n),
                i.checked_sub(1).map_or(0, |p| names[p].len() as u64),
                &n[..],
            )
        })
        .collect();
    let want_all: Vec<Entry> = es.iter().map(want).collect();
    for (what, bytes) in [("v2", index(2, &es, &big)), ("v4", index_v4(&v4))] {
        for step in [1, 3, 8, 4096, usize::MAX] {
            let got = read_from(
                Trickle {
                    bytes: &bytes,
                    step,
                },
                bytes.len() as u64,
                |_| true,
            )
            .map(|i| i.entries);
            // Compared without printing 70,000-byte paths.
            assert!(got.as_ref() == Ok(&want_all), "{what}, {step} bytes a read");
        }
        // Cut anywhere, or told it is longer than it is: corrupt, no hang.
        for cut in [13, 62, 700, 70_100, bytes.len() - 21] {
            let r = read_from(&bytes[..cut], bytes.len() as u64, |_| true);
            assert!(matches!(r, Err(Error::Corrupt(_))), "{what} cut at {cut}");
        }
    }
    // A split index behind an extension larger than the window.
    let mut both = big.clone();
    both.extend(&link);
    let split = index(2, &es, &both);
    let r = read_from(
        Trickle {
            bytes: &split,
            step: 5,
        },
        split.len() as u64,
        |_| true,
    );
    assert!(matches!(r, Err(Error::Unsupported(_))));
}
