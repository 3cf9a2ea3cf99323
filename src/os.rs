//! The few places Unix and Windows differ, in one place: paths as bytes,
//! file modes, special files.
//!
//! git names paths with bytes (UTF-8 on Windows); Unix paths are bytes too.
//! On Windows a path that is not valid Unicode cannot come from git, and
//! one given on the command line is read lossily.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::fs::{File, FileType, OpenOptions, Permissions};
use std::io;
use std::path::Path;

/// An OS string from the bytes git or a file gives.
#[cfg(unix)]
pub fn from_bytes(bytes: &[u8]) -> Cow<'_, OsStr> {
    Cow::Borrowed(std::os::unix::ffi::OsStrExt::from_bytes(bytes))
}

#[cfg(not(unix))]
pub fn from_bytes(bytes: &[u8]) -> Cow<'_, OsStr> {
    Cow::Owned(String::from_utf8_lossy(bytes).into_owned().into())
}

/// The bytes of an OS string.
#[cfg(unix)]
pub fn as_bytes(s: &OsStr) -> Cow<'_, [u8]> {
    Cow::Borrowed(std::os::unix::ffi::OsStrExt::as_bytes(s))
}

#[cfg(not(unix))]
pub fn as_bytes(s: &OsStr) -> Cow<'_, [u8]> {
    match s.to_string_lossy() {
        Cow::Borrowed(t) => Cow::Borrowed(t.as_bytes()),
        Cow::Owned(t) => Cow::Owned(t.into_bytes()),
    }
}

/// The permission bits (`0o7777`); elsewhere than Unix, `0o644` or, for a
/// read-only file, `0o444`.
#[cfg(unix)]
pub fn mode(p: &Permissions) -> u32 {
    std::os::unix::fs::PermissionsExt::mode(p) & 0o7777
}

#[cfg(not(unix))]
pub fn mode(p: &Permissions) -> u32 {
    if p.readonly() {
        0o444
    } else {
        0o644
    }
}

/// How many names (hard links) the file has; 1 where that is not known.
#[cfg(unix)]
pub fn links(m: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(m)
}

#[cfg(not(unix))]
pub fn links(_: &std::fs::Metadata) -> u64 {
    1
}

/// Give `path` the permission bits `mode` (Unix only: elsewhere a file
/// keeps the access its folder gives).
pub fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

/// [`set_mode`] on an open file.
pub fn set_file_mode(f: &File, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (f, mode);
        Ok(())
    }
}

/// Create files with the permission bits `mode` (Unix only).
pub fn create_with_mode(opts: &mut OpenOptions, mode: u32) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = mode;
        opts
    }
}

/// What a file that is not regular, a folder or a link is, in words: a
/// FIFO, a socket, a device. `None` for the rest.
pub fn special(kind: &FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            Some("a named pipe (FIFO)")
        } else if kind.is_socket() {
            Some("a socket")
        } else if kind.is_char_device() || kind.is_block_device() {
            Some("a device")
        } else {
            None
        }
    }
    #[cfg(not(unix))]
    {
        let _ = kind;
        None
    }
}
