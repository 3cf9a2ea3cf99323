//! Git LFS pointers. A file `.gitattributes` gives `filter=lfs` is committed
//! as a small pointer (`version https://git-lfs.github.com/spec/v1`, `oid
//! sha256:…`, `size …`), while its content goes to `.git/lfs/objects`, to
//! the LFS server on `git push`, and back into every clone's work tree on
//! checkout, where npm reads it. A `.npmrc` put there (the same commit may
//! add the `.gitattributes` line) would pass a scan of the pointer: the
//! content is read instead, from the clone's own LFS store, and a pointer
//! whose content is not there is an error (the guard fails closed).

use std::path::Path;

/// The most a pointer can be: git-lfs reads nothing larger as one.
const MAX_POINTER: usize = 1024;

/// The versions a pointer's first line may name: git-lfs reads all three
/// as its spec v1 (its `v1Aliases`).
const VERSIONS: &[&str] = &[
    "https://git-lfs.github.com/spec/v1",
    "https://hawser.github.com/spec/v1",
    "http://git-media.io/v/2",
];

/// The object id (64 lowercase hex digits of the content's SHA-256) and
/// size a pointer names, or `None` when `bytes` is no pointer. Read as
/// leniently as git-lfs reads it (white space around the whole and around
/// each line, `\r\n` line ends), or more so: a reading that takes a file
/// for a pointer it is not costs an error, never a pass.
pub fn pointer(bytes: &[u8]) -> Option<(&str, u64)> {
    if bytes.len() >= MAX_POINTER {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?.trim();
    let mut lines = text.split('\n').map(str::trim);
    let version = lines.next()?.strip_prefix("version")?.trim();
    if !VERSIONS.contains(&version) {
        return None;
    }
    let (mut oid, mut size) = (None, None);
    for line in lines {
        if let Some(hex) = line.strip_prefix("oid sha256:") {
            oid = Some(hex.trim()).filter(|h| {
                h.len() == 64
                    && h.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            });
        } else if let Some(n) = line.strip_prefix("size") {
            size = n.trim().parse().ok();
        }
    }
    Some((oid?, size?))
}

/// Where git-lfs keeps its objects: `lfs.storage` when git's config sets
/// it (relative to the git folder), else `<common git dir>/lfs`.
pub fn storage(common_dir: &Path, configured: Option<&Path>) -> std::path::PathBuf {
    match configured {
        Some(p) if p.is_absolute() => p.to_path_buf(),
        Some(p) if !p.as_os_str().is_empty() => common_dir.join(p),
        _ => common_dir.join("lfs"),
    }
}

/// `bytes`, or, when they are an LFS pointer, the content it stands for,
/// read from `<lfs storage>/objects/`: an error when that content is not
/// in this clone, or is not what the pointer names.
pub fn resolve(storage: &Path, bytes: Vec<u8>, limit: u64) -> Result<Vec<u8>, String> {
    let Some((oid, size)) = pointer(&bytes) else {
        return Ok(bytes);
    };
    let missing = || {
        format!(
            "a Git LFS pointer (object {}…): the file it stands for is not in this clone, so it cannot be checked; fetch it first (`git lfs fetch --all`)",
            &oid[..12]
        )
    };
    if size > limit {
        return Err(format!(
            "a Git LFS pointer to a file larger than {} MiB; not scanned",
            limit / 1024 / 1024
        ));
    }
    let path = storage
        .join("objects")
        .join(&oid[..2])
        .join(&oid[2..4])
        .join(oid);
    let content = std::fs::read(&path).map_err(|_| missing())?;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(&content);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    if content.len() as u64 != size || hex != oid {
        return Err(missing());
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OID: &str = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

    #[test]
    fn pointers_are_read_as_the_spec_writes_them() {
        let p =
            format!("version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\nsize 12345\n");
        assert_eq!(pointer(p.as_bytes()), Some((OID, 12345)));
        let legacy = p.replace("git-lfs.github.com", "hawser.github.com");
        assert_eq!(pointer(legacy.as_bytes()), Some((OID, 12345)));
        let media = p.replace(
            "https://git-lfs.github.com/spec/v1",
            "http://git-media.io/v/2",
        );
        assert_eq!(pointer(media.as_bytes()), Some((OID, 12345)));
        // White space git-lfs reads past.
        for spaced in [
            format!("\n{p}"),
            format!(" {p}"),
            p.replace('\n', "\r\n"),
            format!("{p}\n\n"),
        ] {
            assert_eq!(pointer(spaced.as_bytes()), Some((OID, 12345)), "{spaced:?}");
        }
        for not in [
            "registry=https://r.example/\n".to_string(),
            p.replace("sha256:4d", "sha256:4D"),
            p.replace("size 12345\n", ""),
            p.replace(&format!("oid sha256:{OID}\n"), ""),
            format!("x{p}"),
            p.replace("spec/v1", "spec/v2"),
            format!("{p}{}", "x".repeat(MAX_POINTER)),
        ] {
            assert_eq!(pointer(not.as_bytes()), None, "{not}");
        }
    }

    #[test]
    fn a_pointer_is_replaced_by_its_content_or_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let content = b"//r.example/:_authToken=secret-value-here\n".to_vec();
        use sha2::Digest;
        let oid: String = sha2::Sha256::digest(&content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let p = format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {}\n",
            content.len()
        );
        let plain = b"color=false\n".to_vec();
        let store = storage(dir.path(), None);
        assert_eq!(store, dir.path().join("lfs"));
        assert_eq!(
            storage(dir.path(), Some(Path::new("x"))),
            dir.path().join("x")
        );
        assert_eq!(
            storage(dir.path(), Some(Path::new("/abs"))),
            Path::new("/abs")
        );
        assert_eq!(resolve(&store, plain.clone(), 1 << 20), Ok(plain));
        let err = resolve(&store, p.clone().into_bytes(), 1 << 20).expect_err("missing");
        assert!(err.contains("not in this clone"), "{err}");
        let at = dir
            .path()
            .join("lfs/objects")
            .join(&oid[..2])
            .join(&oid[2..4]);
        std::fs::create_dir_all(&at).expect("mkdir");
        std::fs::write(at.join(&oid), &content).expect("write");
        assert_eq!(
            resolve(&store, p.clone().into_bytes(), 1 << 20),
            Ok(content)
        );
        let err = resolve(&store, p.clone().into_bytes(), 10).expect_err("too large");
        assert!(err.contains("larger than"), "{err}");
        std::fs::write(at.join(&oid), b"something else").expect("write");
        assert!(resolve(&store, p.into_bytes(), 1 << 20).is_err());
    }
}
