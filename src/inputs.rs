//! What to read: named files on disk (and, later, the index, the work tree
//! and the history).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Files larger than this are refused rather than read (a `.npmrc` is a few
/// hundred bytes; this keeps `/dev/zero` and runaway files from eating memory).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// One file to scan, or why it could not be read.
#[derive(Debug)]
pub struct Input {
    /// The path as it appears in reports (see [`shown_path`]).
    pub path: String,
    /// The path's own bytes, as git or the command line gave them: what
    /// a fix writes to.
    pub name: Vec<u8>,
    pub content: Result<Vec<u8>, String>,
    /// For a `.npmrc` symbolic link read through: its target, as reports
    /// show it (relative to the repository's root). The content is the
    /// target's; `path` and `name` stay the link's.
    pub via: Option<String>,
}

/// A path as reports show it: as it is when it is printable UTF-8, or else
/// quoted the way git quotes it (`"a\nb/caf\351"`), so that no file name
/// can break a line of output, forge a GitHub workflow command's line, or
/// send escape codes to a terminal. Bidirectional overrides count as
/// unprintable.
pub fn shown_path(bytes: &[u8]) -> String {
    fn plain(c: char) -> bool {
        !(c.is_control()
            || c == '"'
            || c == '\\'
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c))
    }
    let clean = bytes
        .utf8_chunks()
        .all(|chunk| chunk.invalid().is_empty() && chunk.valid().chars().all(plain));
    if clean {
        // All valid UTF-8, checked just above.
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut out = String::from("\"");
    let octal = |out: &mut String, bytes: &[u8]| {
        for b in bytes {
            out.push_str(&format!("\\{b:03o}"));
        }
    };
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\u{7}' => out.push_str("\\a"),
                '\u{8}' => out.push_str("\\b"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\u{b}' => out.push_str("\\v"),
                '\u{c}' => out.push_str("\\f"),
                '\r' => out.push_str("\\r"),
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if plain(c) => out.push(c),
                c => octal(&mut out, c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        octal(&mut out, chunk.invalid());
    }
    out.push('"');
    out
}

/// The bytes of a path [`shown_path`] showed: the reverse of it.
pub fn path_bytes(shown: &str) -> Vec<u8> {
    let Some(inner) = shown
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .filter(|_| shown.len() >= 2)
    else {
        return shown.as_bytes().to_vec();
    };
    let b = inner.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 == b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let (byte, len) = match b[i + 1] {
            b'a' => (7, 2),
            b'b' => (8, 2),
            b't' => (b'\t', 2),
            b'n' => (b'\n', 2),
            b'v' => (11, 2),
            b'f' => (12, 2),
            b'r' => (b'\r', 2),
            d @ b'0'..=b'3' if b.len() >= i + 4 => {
                let digits = &b[i + 1..i + 4];
                let n = digits
                    .iter()
                    .fold(0u32, |n, &d| n * 8 + u32::from(d.wrapping_sub(b'0')));
                if digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                    (n as u8, 4)
                } else {
                    (d, 2)
                }
            }
            other => (other, 2),
        };
        out.push(byte);
        i += len;
    }
    out
}

/// A file-system path for messages: [`shown_path`] of its bytes.
pub fn shown(path: &Path) -> String {
    shown_path(&crate::os::as_bytes(path.as_os_str()))
}

/// Read a named file from disk; `-` is standard input.
pub fn read_named(path: &Path) -> Input {
    if path.as_os_str() == "-" {
        return Input {
            path: "-".to_string(),
            name: b"-".to_vec(),
            content: read_limited(io::stdin().lock(), 0),
            via: None,
        };
    }
    let display = shown_path(&crate::os::as_bytes(path.as_os_str()));
    // The kind is asked before opening: opening a FIFO for reading blocks
    // until some process opens it for writing, which may be never.
    let content = std::fs::metadata(path)
        .and_then(|m| refuse_special(m.file_type()))
        .and_then(|()| File::open(path))
        .and_then(|f| {
            refuse_special(f.metadata()?.file_type())?;
            Ok(f)
        })
        .map_err(|e| describe(&e))
        .and_then(|f| {
            // Size the buffer once: growing it by doubling copies a large
            // file several times over.
            let hint = f.metadata().map_or(0, |m| m.len()).min(MAX_FILE_BYTES);
            read_limited(f, hint as usize)
        });
    Input {
        path: display,
        name: crate::os::as_bytes(path.as_os_str()).to_vec(),
        content,
        via: None,
    }
}

/// Only regular files are read: a directory is an error, and so are
/// `/dev/zero` and its kin (they never end), FIFOs (opening one blocks until
/// a writer comes) and sockets.
fn refuse_special(kind: std::fs::FileType) -> io::Result<()> {
    if kind.is_dir() {
        return Err(io::Error::other("is a directory"));
    }
    let Some(what) = crate::os::special(&kind) else {
        return Ok(());
    };
    Err(io::Error::other(format!(
        "is {what}, not a file; not scanned"
    )))
}

fn read_limited(r: impl Read, size_hint: usize) -> Result<Vec<u8>, String> {
    let mut buf = Vec::with_capacity(size_hint + 1);
    r.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| describe(&e))?;
    if buf.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "larger than {} MiB; not scanned",
            MAX_FILE_BYTES / 1024 / 1024
        ));
    }
    Ok(buf)
}

/// An I/O error in words, without Rust's `(os error N)` noise.
pub fn describe(e: &io::Error) -> String {
    let msg = match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    let msg = msg.split(" (os error").next().unwrap_or(&msg).to_string();
    msg.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::{path_bytes, shown_path};

    #[test]
    fn paths_are_quoted_as_git_quotes_them() {
        assert_eq!(shown_path(b"a/.npmrc"), "a/.npmrc");
        assert_eq!(
            shown_path("café $(x) `y` 'z'/.npmrc".as_bytes()),
            "café $(x) `y` 'z'/.npmrc"
        );
        assert_eq!(shown_path(b"a\nb/.npmrc"), r#""a\nb/.npmrc""#);
        assert_eq!(shown_path(b"caf\xe9/.npmrc"), r#""caf\351/.npmrc""#);
        assert_eq!(shown_path(b"esc\x1b[31m"), r#""esc\033[31m""#);
        assert_eq!(shown_path(br#"q"b\s"#), r#""q\"b\\s""#);
        assert_eq!(shown_path("x\u{202e}y".as_bytes()), r#""x\342\200\256y""#);
        assert_eq!(shown_path("\u{9b}".as_bytes()), r#""\302\233""#);
    }

    #[test]
    fn path_bytes_reverses_shown_path() {
        let names: [&[u8]; 7] = [
            b"a/.npmrc",
            b"a\nb\t\x07\x08\x0b\x0c\r/.npmrc",
            b"caf\xe9/\xff\x00",
            br#"q"b\s\0"#,
            "x\u{202e}y \u{9b}".as_bytes(),
            b"\"quoted\"",
            b"\\",
        ];
        for name in names {
            assert_eq!(
                path_bytes(&shown_path(name)),
                name,
                "{:?}",
                shown_path(name)
            );
        }
    }
}
