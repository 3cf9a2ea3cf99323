//! The atomic writer: files replaced through a temporary file and a rename.
//! Symbolic links are never followed.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::inputs::{describe, shown};

/// Refuse symbolic links and read-only files; return the file's mode.
pub fn check_writable(path: &Path) -> Result<u32, String> {
    let meta =
        fs::symlink_metadata(path).map_err(|e| format!("{}: {}", shown(path), describe(&e)))?;
    if meta.file_type().is_symlink() {
        return Err(format!(
            "{}: a symbolic link; not rewritten (links are not followed; fix the file it points to)",
            shown(path)
        ));
    }
    if !meta.is_file() {
        return Err(format!("{}: not a regular file", shown(path)));
    }
    let mode = crate::os::mode(&meta.permissions());
    if mode & 0o222 == 0 {
        return Err(format!("{}: read-only; not rewritten", shown(path)));
    }
    Ok(mode)
}

/// Replace `path` with `content`: a temporary file in the same folder, the
/// original mode, then a rename, so a reader sees the old file or the new
/// one, never half of either.
pub fn replace_file(path: &Path, content: &[u8]) -> Result<(), String> {
    let mode = check_writable(path)?;
    write_atomically(path, content, mode)
}

/// Write `path` (new, or replacing a regular file) with `content` and
/// `mode`, the same way: the one atomic writer, for fixed files and for the
/// hook scripts `install` writes. A symbolic link at `path` is replaced by
/// the rename, never written through.
pub fn write_atomically(path: &Path, content: &[u8], mode: u32) -> Result<(), String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    // An unpredictable name, created exclusively (`create_new` follows no
    // link): nobody can prepare the temporary file in advance.
    let tmp = dir.join(format!(".{name}.npmrc-guard-{:016x}.tmp", random()));
    let result = (|| {
        let mut f =
            crate::os::create_with_mode(OpenOptions::new().write(true).create_new(true), 0o600)
                .open(&tmp)?;
        f.write_all(content)?;
        crate::os::set_file_mode(&f, mode & 0o7777)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("cannot write {}: {}", shown(path), describe(&e))
    })
}

/// 64 bits no other process can guess: the standard library seeds each
/// `RandomState` from the operating system's random source.
fn random() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.finish()
}
