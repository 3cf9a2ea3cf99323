//! Writing back: files replaced atomically, the secret store, the user's npm
//! config. Symbolic links are never followed.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
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
    let mode = meta.permissions().mode();
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
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.npmrc-guard-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(content)?;
        f.set_permissions(fs::Permissions::from_mode(mode & 0o7777))?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("cannot write {}: {}", shown(path), describe(&e))
    })
}

/// A value as a dotenv line writes it: bare when it is plain, otherwise in
/// double quotes with `\` and `"` escaped.
fn dotenv_value(v: &str) -> String {
    if !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.:/+=@".contains(&b))
    {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Append `NAME=value` lines to a dotenv file, created with mode 0600. A
/// name already there with the same value is skipped; with another value it
/// is an error (nothing is written).
pub fn save_env(path: &Path, vars: &[(String, String)]) -> Result<usize, String> {
    let existing = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(format!("{}: a symbolic link; not written", shown(path)))
        }
        Ok(_) => {
            fs::read_to_string(path).map_err(|e| format!("{}: {}", shown(path), describe(&e)))?
        }
        Err(_) => String::new(),
    };
    let mut lines = String::new();
    let mut written = 0;
    for (name, value) in vars {
        let line = format!("{name}={}", dotenv_value(value));
        let prefix = format!("{name}=");
        match existing
            .lines()
            .find(|l| l.trim_start().starts_with(&prefix))
        {
            Some(l) if l.trim() == line => continue,
            Some(_) => {
                return Err(format!(
                    "{name} is already set in {} to another value; choose another name with --var",
                    shown(path)
                ))
            }
            None => {}
        }
        lines.push_str(&line);
        lines.push('\n');
        written += 1;
    }
    if lines.is_empty() {
        return Ok(0);
    }
    append(path, &existing, lines.as_bytes())?;
    Ok(written)
}

/// Append lines to the user's npm config (mode 0600 when created), skipping
/// lines it already holds.
pub fn move_to_user_config(path: &Path, lines: &[Vec<u8>]) -> Result<usize, String> {
    let existing = match fs::symlink_metadata(path) {
        Ok(_) => fs::read(path).map_err(|e| format!("{}: {}", shown(path), describe(&e)))?,
        Err(_) => Vec::new(),
    };
    let have: Vec<&[u8]> = existing
        .split(|&b| b == b'\n' || b == b'\r')
        .map(|l| l.trim_ascii())
        .collect();
    let mut add = Vec::new();
    let mut added = 0;
    for line in lines {
        if have.contains(&line.trim_ascii())
            || add.windows(line.len()).any(|w| w == line.as_slice())
        {
            continue;
        }
        add.extend_from_slice(line);
        add.push(b'\n');
        added += 1;
    }
    if add.is_empty() {
        return Ok(0);
    }
    append(path, &String::from_utf8_lossy(&existing), &add)?;
    Ok(added)
}

fn append(path: &Path, existing: &str, add: &[u8]) -> Result<(), String> {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot write {}: {}", shown(path), describe(&e)))?;
    let mut buf = Vec::new();
    if !existing.is_empty() && !existing.ends_with('\n') {
        buf.push(b'\n');
    }
    buf.extend_from_slice(add);
    f.write_all(&buf)
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("cannot write {}: {}", shown(path), describe(&e)))
}
