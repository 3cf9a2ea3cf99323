//! `.npmrc-guard.toml`: a pure `from_str`, and a thin loader.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The file looked for at the repository root.
pub const FILE_NAME: &str = ".npmrc-guard.toml";

/// Every key is optional; an unknown key is an error, not ignored.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Globs of files to scan (added to `--include`). Default `**/.npmrc`.
    #[serde(default)]
    pub include: Vec<String>,
    /// Globs of files not to scan (added to `--exclude`).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Registry host → variable name the fixer uses for its credential.
    #[serde(default)]
    pub vars: HashMap<String, String>,
    /// Fingerprints of findings acknowledged for good (a token that lives in
    /// history and was revoked, say): they no longer count.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Why each `[vars]` name the fixer may not write was taken out of
    /// `vars`. Only the fixer refuses to run for them ([`Config::fixer_vars`]):
    /// a name that breaks a rule added after it was committed must not
    /// block every commit of the repository.
    #[serde(skip)]
    pub refused_vars: Vec<String>,
}

impl Config {
    /// Whether `allow` names this fingerprint; with no `allow`, the
    /// fingerprint is not computed.
    pub fn allows(&self, fingerprint: &crate::finding::Fingerprint) -> bool {
        !self.allow.is_empty() && self.allow.iter().any(|a| a == fingerprint.get())
    }

    /// The `[vars]` the fixer writes, or why it may not run: a name there
    /// breaks the rule for names it writes.
    pub fn fixer_vars(&self) -> Result<&HashMap<String, String>, String> {
        match self.refused_vars.first() {
            Some(why) => Err(why.clone()),
            None => Ok(&self.vars),
        }
    }

    pub fn from_str(text: &str, origin: &str) -> Result<Config, String> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            // Not toml's own rendering: it quotes the source line, and a
            // token pasted into the file would be shown whole (review 5,
            // #9). The place, and the message with its quoted parts shown
            // only when they read as names.
            let at = e.span().map_or(0, |s| s.start.min(text.len()));
            let before = &text.as_bytes()[..at];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = at
                - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1)
                + 1;
            format!(
                "{origin}:{line}:{column}: {}",
                names_only(e.message().trim_end())
            )
        })?;
        let mut refused: Vec<&String> = config
            .vars
            .iter()
            .filter(|(_, name)| !crate::standin::is_fixer_name(name))
            .map(|(host, _)| host)
            .collect();
        refused.sort();
        // The name is not quoted: a secret written there must not be
        // shown whole.
        let refused_vars: Vec<String> = refused
            .into_iter()
            .map(|host| {
                format!(
                    "{origin}: [vars] {:?}: {}",
                    crate::foreign::shown_name(host),
                    crate::standin::FIXER_NAME_RULE
                )
            })
            .collect();
        config
            .vars
            .retain(|_, name| crate::standin::is_fixer_name(name));
        config.refused_vars = refused_vars;
        Ok(config)
    }
}

/// `message` with each quoted part (`"…"`, `` `…` ``, `'…'`) that does not
/// read as names replaced by `…`.
fn names_only(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`', '\'']) {
        let q = rest[open..].chars().next().unwrap_or('"');
        let Some(len) = rest[open + 1..].find(q) else {
            break;
        };
        let inner = &rest[open + 1..open + 1 + len];
        out.push_str(&rest[..=open]);
        if crate::standin::reads_as_names(inner) {
            out.push_str(inner);
        } else {
            out.push('…');
        }
        out.push(q);
        rest = &rest[open + 2 + len..];
    }
    out.push_str(rest);
    out
}

/// Load `explicit`, else `dir/.npmrc-guard.toml` when it exists. A file
/// named with `--config` must exist.
pub fn load(explicit: Option<&Path>, dir: &Path) -> Result<Config, String> {
    let (path, required): (PathBuf, bool) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => (dir.join(FILE_NAME), false),
    };
    let shown = crate::inputs::shown(&path);
    match read(&path) {
        Ok(bytes) => Config::from_str(&String::from_utf8_lossy(&bytes), &shown),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(Config::default()),
        Err(e) => Err(format!("{shown}: {}", crate::inputs::describe(&e))),
    }
}

/// The most a config file may hold: a longer one is no config.
const MAX_BYTES: u64 = 1 << 20;

/// A config file's bytes: a regular file (through links) of at most
/// [`MAX_BYTES`]. A committed link to `/dev/zero` or a FIFO would be read
/// for ever (review 7, #7).
pub fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    // Asked before opening: opening a FIFO waits for a writer.
    if !std::fs::metadata(path)?.is_file() {
        return Err(Error::new(ErrorKind::InvalidInput, "not a regular file"));
    }
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            "larger than 1 MiB: no config",
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key() {
        let c = Config::from_str(
            "include = [\"**/.npmrc\", \"**/.yarnrc\"]\nexclude = [\"vendor/**\"]\nallow = [\"abc\"]\n[vars]\n\"npm.pkg.github.com\" = \"GH_PACKAGES_TOKEN\"\n",
            "t",
        )
        .expect("valid");
        assert_eq!(c.include.len(), 2);
        assert_eq!(c.vars["npm.pkg.github.com"], "GH_PACKAGES_TOKEN");
    }

    #[test]
    fn unknown_keys_and_bad_names_are_errors() {
        assert!(Config::from_str("exlude = []", "t").is_err());
        // A token pasted into the file is not shown, in a syntax error or
        // a type error (review 5, #9); a key's name is.
        let token = "npm_ab12CD34ef56GH78ij90KL12mn34OP56qr78";
        for text in [
            format!("allow = [\"{token}\""),
            format!("allow = \"{token}\""),
            format!("{token} = 1"),
        ] {
            let e = Config::from_str(&text, "t").expect_err("invalid");
            assert!(!e.contains(&token[4..]), "{e}");
            assert!(e.starts_with("t:1:"), "{e}");
        }
        let e = Config::from_str("exlude = []", "t").expect_err("invalid");
        assert!(e.contains("`exlude`"), "{e}");
        // A name the fixer may not write stops only the fixer.
        let c = Config::from_str("[vars]\nh = \"1BAD\"\ng = \"G_TOKEN\"", "t").expect("loads");
        assert_eq!(c.vars.len(), 1);
        assert_eq!(c.vars["g"], "G_TOKEN");
        assert!(c
            .fixer_vars()
            .expect_err("refused")
            .starts_with("t: [vars] \"h\": "));
        assert_eq!(Config::from_str("", "t"), Ok(Config::default()));
    }
}
