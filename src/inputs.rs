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
    /// The path as it appears in reports.
    pub path: String,
    pub content: Result<Vec<u8>, String>,
}

/// Read a named file from disk; `-` is standard input.
pub fn read_named(path: &Path) -> Input {
    if path.as_os_str() == "-" {
        return Input {
            path: "-".to_string(),
            content: read_limited(io::stdin().lock(), 0),
        };
    }
    let display = path.to_string_lossy().replace('\\', "/");
    let content = File::open(path)
        .and_then(|f| {
            if f.metadata()?.is_dir() {
                return Err(io::Error::other("is a directory"));
            }
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
        content,
    }
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
