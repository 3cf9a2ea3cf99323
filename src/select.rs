//! Which paths count: include and exclude globs (pure).

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// The files the tool looks at unless told otherwise.
/// `package.json` for its `publishConfig` and dependency URLs (and pnpm's
/// `package.yaml`/`package.json5` for theirs), the
/// lockfiles for their URLs, `pnpm-workspace.yaml`, yarn 2+'s `.yarnrc.yml`, yarn 1's `.yarnrc`,
/// bun's `bunfig.toml` (SPEC.md, "Files read").
pub const DEFAULT_INCLUDE: &[&str] = &[
    "**/.npmrc",
    "**/package.json",
    // pnpm's other manifests (crate::manifests).
    "**/package.yaml",
    "**/package.json5",
    "**/.yarnrc.yml",
    "**/.yarnrc",
    "**/bunfig.toml",
    // The user configs a dotfiles repository holds beside `~/.npmrc`:
    // bun's `~/.bunfig.toml`, and pnpm's `rc` (ini, as `.npmrc`) in its
    // config folder (`~/.config/pnpm/rc`; `pnpm/config/rc` on Windows).
    "**/.bunfig.toml",
    "**/pnpm/rc",
    "**/pnpm/config/rc",
    // pnpm 10's settings (crate::pnpm_workspace).
    "**/pnpm-workspace.yaml",
    // Lockfiles, whose URLs are fetched as written (crate::dep_urls).
    "**/package-lock.json",
    "**/npm-shrinkwrap.json",
    "**/yarn.lock",
    "**/pnpm-lock.yaml",
    "**/bun.lock",
    "**/bun.lockb",
    // The env files yarn and bun load by themselves (crate::envfiles).
    "**/.env.yarn",
    "**/.env",
    "**/.env.local",
    "**/.env.production",
    "**/.env.development",
    "**/.env.test",
    "**/.env.production.local",
    "**/.env.development.local",
    "**/.env.test.local",
];

/// Whether a file name (its last component) is one the default include
/// takes, in any ASCII case ([`caseless_name`]).
pub fn is_default_name(name: &[u8]) -> bool {
    caseless_name(name).is_some()
}

/// `.npmrc`, npm's config file's name.
const NPMRC: &str = ".npmrc";

/// Whether a file name is `.npmrc` in any ASCII case.
pub fn is_npmrc_name(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(NPMRC.as_bytes())
}

/// The name of the default include (SPEC.md, "Files read") that `name`
/// (a last component) is in some ASCII case, if any. Every name is matched
/// ignoring ASCII case: each tool opens its file by that name, and on
/// macOS and Windows (case-insensitive file systems) `npm ci` opening
/// `package-lock.json` reads `PACKAGE-LOCK.JSON`, bun opening `.env`
/// reads `.ENV`, npm opening `.npmrc` reads `.Npmrc` (review 7, #12).
pub fn caseless_name(name: &[u8]) -> Option<&'static str> {
    DEFAULT_INCLUDE
        .iter()
        .map(|g| g.strip_prefix("**/").unwrap_or(g))
        .find(|n| name.eq_ignore_ascii_case(n.as_bytes()))
}

/// Whether `path` ends with `suffix` in any ASCII case: how a reader
/// tells a file's kind from its name ([`caseless_name`]).
pub fn ends_with_caseless(path: &str, suffix: &str) -> bool {
    path.len() >= suffix.len()
        && path.as_bytes()[path.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// Whether `path` is the named file `named`: the same path, or, for a
/// pattern `DIR/**/REST` or `**/REST` ([`crate::files::named_patterns`]),
/// `REST` at `DIR` or in any folder under it.
pub fn named_match(named: &[u8], path: &[u8]) -> bool {
    const ANY: &[u8] = b"**/";
    let Some(at) = memchr::memmem::find(named, ANY) else {
        return named == path;
    };
    let (dir, rest) = (&named[..at], &named[at + ANY.len()..]);
    let Some(under) = path.strip_prefix(dir) else {
        return false;
    };
    under == rest
        || (under.len() > rest.len()
            && under.ends_with(rest)
            && under[under.len() - rest.len() - 1] == b'/')
}

/// Include and exclude globs over `/`-separated paths relative to the
/// repository root. `*` does not cross `/`; `**/` matches any depth,
/// including none.
#[derive(Debug, Clone)]
pub struct Selector {
    include: GlobSet,
    exclude: GlobSet,
    /// When every include glob is `**/NAME` with a literal NAME: those
    /// names, so the common case is a byte comparison, not a glob match
    /// (a large index has 100,000 paths and the hook runs on every commit).
    basenames: Option<Vec<String>>,
    /// The bytes a name of `basenames` ends with (in either case): a
    /// 256-bit set.
    last_bytes: [u64; 4],
    /// Files named outright (a `.npmrc`'s `userconfig=`), whatever the globs.
    named: Vec<Vec<u8>>,
}

impl Selector {
    pub fn new(include: &[String], exclude: &[String]) -> Result<Self, String> {
        let include: Vec<String> = if include.is_empty() {
            DEFAULT_INCLUDE.iter().map(|s| s.to_string()).collect()
        } else {
            include.to_vec()
        };
        let basenames: Option<Vec<String>> = include
            .iter()
            .map(|g| {
                g.strip_prefix("**/")
                    .filter(|name| !name.contains(['*', '?', '[', '{', '/', '\\']))
                    .map(str::to_string)
            })
            .collect();
        let mut last_bytes = [0u64; 4];
        for n in basenames.iter().flatten() {
            if let Some(&b) = n.as_bytes().last() {
                for b in [b.to_ascii_lowercase(), b.to_ascii_uppercase()] {
                    last_bytes[usize::from(b >> 6)] |= 1 << (b & 63);
                }
            }
        }
        Ok(Selector {
            include: build(&include)?,
            exclude: build(exclude)?,
            basenames,
            last_bytes,
            named: Vec::new(),
        })
    }

    /// This selector, also matching `paths` (relative, `/`-separated);
    /// `None` when it matches them all already.
    pub fn also(&self, paths: &[String]) -> Option<Selector> {
        let new: Vec<Vec<u8>> = paths
            .iter()
            .map(|p| p.as_bytes().to_vec())
            .filter(|p| {
                if memchr::memmem::find(p, b"**/").is_some() {
                    !self.named.contains(p)
                } else {
                    !self.matches(p) && !self.is_excluded(p)
                }
            })
            .collect();
        if new.is_empty() {
            return None;
        }
        let mut sel = self.clone();
        sel.named.extend(new);
        Some(sel)
    }

    /// Whether `path` (relative, `/`-separated) is one to scan.
    pub fn matches(&self, path: &[u8]) -> bool {
        let included = match &self.basenames {
            // The last component, found by one vector search from the end,
            // then a bit of `name_lengths`: most of 100,000 paths stop
            // there, whatever the number of names (sixteen by default).
            Some(names) => {
                // The path's last byte first: most of 100,000 paths end in
                // one no name ends in. Then the path's end compared with
                // each name, and the byte before it (no search for the
                // last `/`).
                path.last()
                    .is_some_and(|&b| self.last_bytes[usize::from(b >> 6)] & (1 << (b & 63)) != 0)
                    && names.iter().any(|n| {
                        let n = n.as_bytes();
                        let Some(split) = path.len().checked_sub(n.len()) else {
                            return false;
                        };
                        let base = &path[split..];
                        (split == 0 || path[split - 1] == b'/')
                            && (n == base
                                || caseless_name(n).is_some_and(|c| caseless_name(base) == Some(c)))
                    })
            }
            None => self
                .include
                .is_match_candidate(&globset::Candidate::from_bytes(path)),
        };
        (included || self.named.iter().any(|n| named_match(n, path))) && !self.is_excluded(path)
    }

    /// Whether an exclude glob names `path`.
    pub fn is_excluded(&self, path: &[u8]) -> bool {
        !self.exclude.is_empty()
            && self
                .exclude
                .is_match_candidate(&globset::Candidate::from_bytes(path))
    }
}

fn build(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        // `**/.npmrc` and `.npmrc` ignore case, as npm's file opening does
        // where the file system does (so does every default name).
        let name = g.strip_prefix("**/").unwrap_or(g);
        let caseless = DEFAULT_INCLUDE
            .iter()
            .any(|d| d.strip_prefix("**/") == Some(name));
        let glob = GlobBuilder::new(g)
            .case_insensitive(caseless)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| {
                // The pattern only when it reads as names: a token pasted
                // into the config is not shown (review 6, #6).
                let shown = if crate::standin::reads_as_names(g) {
                    format!("{g:?}")
                } else {
                    "\"…\"".to_string()
                };
                format!("invalid glob {shown}: {}", e.kind())
            })?;
        b.add(glob);
    }
    b.build().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(inc: &[&str], exc: &[&str]) -> Selector {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        Selector::new(&s(inc), &s(exc)).expect("valid globs")
    }

    #[test]
    fn default_is_npmrc_at_any_depth() {
        let s = sel(&[], &[]);
        assert!(s.matches(b".npmrc"));
        assert!(s.matches(b"packages/app/.npmrc"));
        assert!(!s.matches(b"packages/app/.npmrc.bak"));
        assert!(!s.matches(b"x.npmrc"));
    }

    #[test]
    fn npmrc_ignores_ascii_case() {
        for s in [sel(&[], &[]), sel(&["**/.npmrc", "config/*.ini"], &[])] {
            assert!(s.matches(b".NPMRC"));
            assert!(s.matches(b"a/.Npmrc"));
            assert!(s.matches(b"A/b/.npmRC"));
            assert!(!s.matches(b"a/.npmrc.bak"));
            assert!(!s.matches(b"a/npmrc"));
        }
        // So does every default name (review 7, #12); other names keep
        // their case.
        let s = sel(&[], &[]);
        for path in [
            "PACKAGE.JSON",
            "a/Package.json",
            ".ENV",
            "a/.Env.local",
            "YARN.LOCK",
            "PACKAGE-LOCK.JSON",
            "BUN.LOCK",
            "Bun.Lockb",
            "PNPM-WORKSPACE.YAML",
            "a/PNPM-LOCK.yaml",
            "home/.config/PNPM/RC",
        ] {
            assert!(s.matches(path.as_bytes()), "{path}");
            assert!(
                is_default_name(path.rsplit('/').next().unwrap_or(path).as_bytes())
                    || path.ends_with("RC")
            );
        }
        assert!(!s.matches(b"a/PACKAGE.JSON.bak"));
        for s in [
            sel(&[], &[]),
            sel(&["**/.yarnrc.yml", "**/bunfig.toml", "x/*"], &[]),
        ] {
            assert!(s.matches(b"a/.YARNRC.yml"));
            assert!(s.matches(b"BunFig.TOML"));
            assert!(!s.matches(b"a/.yarnrc.yml.bak"));
        }
        assert!(!sel(&["**/.babelrc"], &[]).matches(b".BABELRC"));
        assert!(!sel(&["config/*.ini"], &[]).matches(b"config/A.INI"));
    }

    #[test]
    fn include_and_exclude() {
        let s = sel(&["**/.npmrc", "config/*.ini"], &["vendor/**"]);
        assert!(s.matches(b"config/a.ini"));
        assert!(!s.matches(b"config/sub/a.ini"));
        assert!(!s.matches(b"vendor/x/.npmrc"));
        assert!(s.is_excluded(b"vendor/.npmrc"));
        let fast = sel(&["**/.npmrc"], &["vendor/**"]);
        assert!(!fast.matches(b"vendor/x/.npmrc"));
        assert!(fast.matches(b"app/.npmrc"));
    }

    #[test]
    fn bad_glob_is_an_error() {
        assert!(Selector::new(&["a[".to_string()], &[]).is_err());
    }
}
