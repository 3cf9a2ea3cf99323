//! Env files a tool loads by itself (pure): SPEC.md, "Files read".
//!
//! `${NPM_TOKEN}` is safe to commit only while the environment fills it.
//! Two tools fill it from files of the project as well, before they expand
//! their config (checked against yarn 4.18.1 and bun 1.4.5 with a server on
//! 127.0.0.1 reading the `Authorization` header):
//!
//! - yarn 2+ loads `.env.yarn`, and the files `injectEnvironmentFiles`
//!   names, into the environment `.yarnrc.yml` is expanded with;
//! - bun loads `.env`, `.env.local` and `.env.<NODE_ENV>` (`production`,
//!   `development`, `test`; which one depends on the environment, so all
//!   three count), and expands them into `bunfig.toml` (a whole `$NAME`,
//!   also inside a URL) and into the `.npmrc` it reads (`${NAME}`,
//!   `${NAME?}` and `$NAME`, anywhere in a value).
//!
//! A committed env file that assigns a variable one of those configs puts
//! in a credential makes that credential literal, as if it were written in
//! the config. Which variables land in a credential is not guessed from
//! the names: each reference is replaced by a random-looking marker and
//! the config is judged by its own detector; a finding that covers the
//! marker is a credential. An env file and a config pair when they are in
//! one folder, where the tool reads both.

use std::ops::Range;

use crate::detect::Detected;
use crate::finding::{Finding, Fingerprint, Rule, Secret, Severity};

/// The tools that load env files of their own accord.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loader {
    Yarn,
    Bun,
}

impl Loader {
    fn name(self) -> &'static str {
        match self {
            Loader::Yarn => "yarn",
            Loader::Bun => "bun",
        }
    }
}

/// The env files bun loads from the folder it runs in.
const BUN_ENV: &[&str] = &[
    ".env",
    ".env.local",
    ".env.production",
    ".env.development",
    ".env.test",
    // `.env.{NODE_ENV}.local` (bun 1.4.5 on the wire: `bun install` with
    // NODE_ENV unset reads `.env.production.local`; review 3, #22).
    ".env.production.local",
    ".env.development.local",
    ".env.test.local",
];

/// The env file yarn 2+ loads unless `injectEnvironmentFiles` says
/// otherwise.
const YARN_ENV: &str = ".env.yarn";

fn split(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("", path),
    }
}

/// The tool that loads the env file named `name` (its last component),
/// given the `.yarnrc.yml` files it sits beside name none: `.env.yarn` is
/// yarn's, the rest bun's.
fn loader_of(name: &str) -> Option<Loader> {
    if name == YARN_ENV {
        Some(Loader::Yarn)
    } else if BUN_ENV.contains(&name) {
        Some(Loader::Bun)
    } else {
        None
    }
}

/// Whether `path` is an env file some tool loads by itself.
pub fn is_env_file(path: &str) -> bool {
    loader_of(split(path).1).is_some()
}

/// Whether the file at `path` (a repository path) has the name of an env
/// file or of a config env files are expanded into.
pub fn pair_name(path: &[u8]) -> bool {
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    std::str::from_utf8(name).is_ok_and(|n| is_env_file(n) || !config_loaders(n).is_empty())
}

/// The tools that expand the environment into the config at `path`.
fn config_loaders(path: &str) -> &'static [Loader] {
    match crate::select::caseless_name(split(path).1.as_bytes()) {
        Some(crate::yarnrc_yml::NAME) => &[Loader::Yarn],
        Some(crate::bunfig::NAME) | Some(".npmrc") => &[Loader::Bun],
        _ => &[],
    }
}

/// The files beside `path` that pair with it: for a config, the env files
/// its tool loads (for a `.yarnrc.yml`, also those its
/// `injectEnvironmentFiles` names, read from `src`); for an env file, the
/// configs a tool that loads it expands it into. Scans read them too, so
/// that a commit changing only one side is judged with the other.
pub fn partners(path: &str, src: &[u8]) -> Vec<String> {
    let (dir, name) = split(path);
    let mut out = Vec::new();
    // Also for a config that refers to no variable yet: a fix must not
    // give a secret a name an env file beside it assigns.
    for loader in config_loaders(path) {
        match loader {
            Loader::Yarn => {
                out.push(format!("{dir}{YARN_ENV}"));
                for f in injected_files(src) {
                    if let Some(p) = beside(dir, &f) {
                        out.push(p);
                    }
                }
            }
            Loader::Bun => out.extend(BUN_ENV.iter().map(|n| format!("{dir}{n}"))),
        }
    }
    match loader_of(name) {
        Some(Loader::Yarn) => out.push(format!("{dir}{}", crate::yarnrc_yml::NAME)),
        Some(Loader::Bun) => {
            out.push(format!("{dir}{}", crate::bunfig::NAME));
            out.push(format!("{dir}.npmrc"));
        }
        None => {}
    }
    out.retain(|p| p != path);
    out
}

/// `file` (as `injectEnvironmentFiles` gives it, relative to the config's
/// folder) as a repository path, when it stays inside the repository.
fn beside(dir: &str, file: &str) -> Option<String> {
    let file = file.strip_suffix('?').unwrap_or(file);
    if file.is_empty() || file.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for c in file.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// The entries of a top-level `injectEnvironmentFiles:` list, in flow
/// (`[a, "b"]`) or block (`- a`) style, read line by line.
fn injected_files(src: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(src);
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("injectEnvironmentFiles") else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix(':') else {
            continue;
        };
        let rest = rest.split(" #").next().unwrap_or("").trim();
        let unquote = |s: &str| s.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
        if let Some(flow) = rest.strip_prefix('[') {
            let flow = flow.split(']').next().unwrap_or("");
            out.extend(flow.split(',').map(unquote).filter(|s| !s.is_empty()));
        } else if rest.is_empty() {
            while let Some(next) = lines.peek() {
                let item = next.trim_start();
                let Some(item) = item.strip_prefix('-') else {
                    break;
                };
                out.push(unquote(item.split(" #").next().unwrap_or("")));
                lines.next();
            }
        }
    }
    out
}

/// One `NAME=value` of a dotenv file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assign {
    pub name: String,
    pub value: String,
    /// The value's bytes in the file.
    pub span: Range<usize>,
    pub line: usize,
}

/// The assignments of a dotenv file, as the `dotenv` package (yarn) and
/// bun read one: `[export ]NAME=value` or `NAME: value`, a value in `'`,
/// `"` or `` ` `` quotes (across lines), or bare up to a `#`, trimmed.
pub fn assignments(src: &[u8]) -> Vec<Assign> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut line = 1;
    while pos < src.len() {
        let end = memchr::memchr(b'\n', &src[pos..]).map_or(src.len(), |i| pos + i);
        let next = assignment(src, pos, end, line);
        match next {
            Some((a, resume)) => {
                line += src[pos..resume].iter().filter(|&&b| b == b'\n').count();
                pos = resume;
                out.push(a);
            }
            None => {
                line += 1;
                pos = end + 1;
            }
        }
    }
    out
}

/// The assignment on the line `src[start..end]`, and where the next line
/// starts (past a quoted value's last line).
fn assignment(src: &[u8], start: usize, end: usize, line: usize) -> Option<(Assign, usize)> {
    let ws = |i: usize, lim: usize| {
        let mut i = i;
        while i < lim && (src[i] == b' ' || src[i] == b'\t') {
            i += 1;
        }
        i
    };
    let mut i = ws(start, end);
    if src[i..end].starts_with(b"export") && matches!(src.get(i + 6), Some(b' ' | b'\t')) {
        i = ws(i + 6, end);
    }
    let name_start = i;
    while i < end && (src[i].is_ascii_alphanumeric() || matches!(src[i], b'_' | b'.' | b'-')) {
        i += 1;
    }
    if i == name_start {
        return None;
    }
    let name = String::from_utf8_lossy(&src[name_start..i]).into_owned();
    i = ws(i, end);
    match src.get(i) {
        Some(b'=') => i += 1,
        Some(b':') if matches!(src.get(i + 1), Some(b' ' | b'\t')) => i += 1,
        _ => return None,
    }
    i = ws(i, end);
    let assign = |span: Range<usize>| Assign {
        name: name.clone(),
        value: String::from_utf8_lossy(&src[span.clone()]).into_owned(),
        span,
        line,
    };
    if let Some(&q @ (b'"' | b'\'' | b'`')) = src.get(i) {
        let mut j = i + 1;
        while j < src.len() && src[j] != q {
            if src[j] == b'\\' && q == b'"' {
                j += 1;
            }
            j += 1;
        }
        if j < src.len() {
            let resume = memchr::memchr(b'\n', &src[j..]).map_or(src.len(), |k| j + k + 1);
            return Some((assign(i + 1..j), resume));
        }
        // No closing quote: read bare, as both readers then do.
    }
    let mut stop = memchr::memchr(b'#', &src[i..end]).map_or(end, |k| i + k);
    while stop > i && src[stop - 1].is_ascii_whitespace() {
        stop -= 1;
    }
    Some((assign(i..stop), end + 1))
}

/// A value that bun or dotenv would pass through from elsewhere, or that
/// sends nothing of its own: empty, a whole `$NAME`/`${NAME}` (bun expands
/// it), or a stand-in.
fn sends_nothing_of_its_own(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || crate::standin::is_standin(v) {
        return true;
    }
    let name = v
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .or_else(|| v.strip_prefix('$'));
    name.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

/// Stands in a variable's value when a config is judged: random-looking,
/// alphanumeric (no syntax changes around it), in no token's format.
const MARKER: &str = "Qx7vN2kZ8mR4tW9pL3sBj6";

/// Where the config at `path` puts the variable `name` in a credential:
/// the rule and line of each finding its reference turns into once the
/// variable holds a literal.
fn credential_uses(path: &str, src: &[u8], name: &str) -> Vec<(Rule, usize)> {
    let Some((marked, at)) = mark(path, src, name) else {
        return Vec::new();
    };
    crate::files::detect_file(path, &marked)
        .into_iter()
        .map(|d| d.finding)
        .filter(|f| f.severity == Severity::Error)
        .filter(|f| {
            at.iter()
                .any(|m| f.span.start <= m.start && m.end <= f.span.end)
        })
        .map(|f| (f.rule, f.line))
        .collect()
}

/// `src` with each reference to `name` (in the syntax the tools that
/// expand env files into `path` use) replaced by [`MARKER`], and where the
/// markers are; `None` when it has none.
fn mark(path: &str, src: &[u8], name: &str) -> Option<(Vec<u8>, Vec<Range<usize>>)> {
    let yarn = config_loaders(path) == [Loader::Yarn];
    let n = name.as_bytes();
    let mut out = Vec::with_capacity(src.len());
    let mut at = Vec::new();
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'$', &src[i..]) {
        let d = i + k;
        out.extend_from_slice(&src[i..d]);
        let end = reference_end(src, d, n, yarn);
        match end {
            Some(e) => {
                at.push(out.len()..out.len() + MARKER.len());
                out.extend_from_slice(MARKER.as_bytes());
                i = e;
            }
            None => {
                out.push(b'$');
                i = d + 1;
            }
        }
    }
    out.extend_from_slice(&src[i..]);
    (!at.is_empty()).then_some((out, at))
}

/// The end of a reference to `n` at `src[d] == b'$'`: `$N`, `${N}`,
/// `${N?}`, and for yarn `${N:-…}` / `${N-…}` with the fallback (nested
/// `${…}` counted).
fn reference_end(src: &[u8], d: usize, n: &[u8], yarn: bool) -> Option<usize> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let rest = &src[d + 1..];
    if let Some(r) = rest.strip_prefix(b"{") {
        let r = r.strip_prefix(n)?;
        let after = d + 2 + n.len();
        return match r.first()? {
            b'}' => Some(after + 1),
            b'?' if r.get(1) == Some(&b'}') => Some(after + 2),
            b':' | b'-' if yarn => {
                let mut depth = 1;
                let mut j = after;
                while j < src.len() {
                    if src[j..].starts_with(b"${") {
                        depth += 1;
                        j += 2;
                        continue;
                    }
                    if src[j] == b'}' {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    j += 1;
                }
                None
            }
            _ => None,
        };
    }
    if yarn {
        return None;
    }
    let r = rest.strip_prefix(n)?;
    (!r.first().is_some_and(|&b| word(b))).then_some(d + 1 + n.len())
}

/// Whether the file at `path` takes part in [`detect_all`]: an env file,
/// or a config a tool expands env files into.
pub fn pairs(path: &str, src: &[u8]) -> bool {
    if is_env_file(path) {
        return true;
    }
    if !config_loaders(path).is_empty() {
        return memchr::memchr(b'$', src).is_some();
    }
    // A file read for no reading of its own may be one a `.yarnrc.yml`
    // injects (any name): kept when it could hold an assignment. Not a
    // file of a kind read anyway (a lockfile's every version in a history
    // would be held to the end).
    !crate::select::is_default_name(split(path).1.as_bytes())
        && memchr::memchr2(b'=', b':', src).is_some()
}

/// Findings in every env file of `files` (path, content), each judged with
/// the configs among `files`, with the index of its env file.
pub fn detect_all<P: AsRef<str>, B: AsRef<[u8]>>(files: &[(P, B)]) -> Vec<(usize, Detected)> {
    let configs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_ref(), b.as_ref()))
        .filter(|(p, b)| !config_loaders(p).is_empty() && memchr::memchr(b'$', b).is_some())
        .collect();
    if configs.is_empty() {
        return Vec::new();
    }
    let injected = |p: &str| {
        configs.iter().any(|(c, src)| {
            config_loaders(c).contains(&Loader::Yarn)
                && injected_files(src)
                    .iter()
                    .any(|f| beside(split(c).0, f).as_deref() == Some(p))
        })
    };
    files
        .iter()
        .enumerate()
        .filter(|(_, (p, _))| is_env_file(p.as_ref()) || injected(p.as_ref()))
        .flat_map(|(i, (p, b))| {
            detect(p.as_ref(), b.as_ref(), &configs)
                .into_iter()
                .map(move |d| (i, d))
        })
        .collect()
}

/// Findings in the env file at `path` (content `src`): each assignment a
/// paired config (`configs`, as (path, content)) puts in a credential.
pub fn detect(path: &str, src: &[u8], configs: &[(&str, &[u8])]) -> Vec<Detected> {
    let (dir, name) = split(path);
    // Any name, when a `.yarnrc.yml` injects it (checked below).
    let file_loader = loader_of(name);
    let mut out = Vec::new();
    for a in assignments(src) {
        if sends_nothing_of_its_own(&a.value) {
            continue;
        }
        let use_ = configs.iter().find_map(|&(cpath, csrc)| {
            let (cdir, _) = split(cpath);
            let loaders = config_loaders(cpath);
            // yarn loads what `injectEnvironmentFiles` names, whatever its
            // name; bun only its own names.
            let loads = (cdir == dir && file_loader.is_some_and(|l| loaders.contains(&l)))
                || (loaders.contains(&Loader::Yarn)
                    && injected_files(csrc)
                        .iter()
                        .any(|f| beside(cdir, f).as_deref() == Some(path)));
            if !loads {
                return None;
            }
            let uses = credential_uses(cpath, csrc, &a.name);
            let (rule, line) = *uses.first()?;
            Some((cpath, rule, line, loaders[0]))
        });
        let Some((cpath, rule, line, loader)) = use_ else {
            continue;
        };
        let rule = crate::tokens::find_tokens(a.value.as_bytes())
            .iter()
            .find(|t| t.span == (0..a.value.len()))
            .map_or(rule, |t| crate::detect::token_rule(t.kind));
        let line_start = src[..a.span.start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let secret = Secret::new(a.value.clone());
        // A token written where the name goes (`<token>=…` for a
        // `${<token>}`) is a secret too: shown masked, never whole.
        let name = if crate::standin::reads_as_names(&a.name) {
            a.name.clone()
        } else {
            crate::finding::mask(&a.name)
        };
        out.push(Detected {
            finding: Finding {
                rule,
                severity: rule.severity(),
                path: path.to_string(),
                line: a.line,
                column: a.span.start - line_start + 1,
                key: Some(name.clone()),
                secret: Some(secret.clone()),
                fingerprint: Fingerprint::new(rule, path, &a.value),
                commit: None,
                fix: None,
                span: a.span.clone(),
                host: None,
                detail: Some(format!(
                    "{} loads this file by itself and puts {} into the credential at {cpath}:{line}, so this value is sent: \
                     remove it from the committed file (and from the history) and revoke it; set {} in the environment instead",
                    loader.name(),
                    name,
                    name
                )),
            },
            fix: None,
            secret: Some(secret),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_lines_are_read_as_dotenv_reads_them() {
        let src = b"# c\nexport A=one\nB = \"two # x\" # c\nC='th\nree'\nD=four # c\nE: five\nbad line\nF=\n";
        let got: Vec<(String, String, usize)> = assignments(src)
            .into_iter()
            .map(|a| (a.name, a.value, a.line))
            .collect();
        let want = [
            ("A", "one", 2),
            ("B", "two # x", 3),
            ("C", "th\nree", 4),
            ("D", "four", 6),
            ("E", "five", 7),
            ("F", "", 9),
        ];
        let want: Vec<(String, String, usize)> = want
            .iter()
            .map(|(n, v, l)| (n.to_string(), v.to_string(), *l))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn references_are_marked_in_each_tools_syntax() {
        let npmrc = b"a=${T}\nb=${T?}\nc=$T\nd=$TX\ne=${TX}\n";
        let (out, at) = mark(".npmrc", npmrc, "T").unwrap();
        assert_eq!(at.len(), 3);
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("d=$TX\ne=${TX}"), "{out}");
        let yarn = b"a: ${T:-x${U}y}\nb: $T\n";
        let (out, at) = mark(".yarnrc.yml", yarn, "T").unwrap();
        assert_eq!(at.len(), 1);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("a: {MARKER}\nb: $T\n")
        );
    }

    #[test]
    fn partners_are_the_files_beside() {
        assert_eq!(
            partners("a/.env.yarn", b""),
            vec!["a/.yarnrc.yml".to_string()]
        );
        let p = partners(
            ".yarnrc.yml",
            b"injectEnvironmentFiles:\n  - .env.ci?\n  - ../x\nnpmAuthToken: ${T}\n",
        );
        assert_eq!(p, vec![".env.yarn".to_string(), ".env.ci".to_string()]);
        assert!(partners(".npmrc", b"a=${X}").contains(&".env.local".to_string()));
        assert!(partners(".npmrc", b"a=b").contains(&".env".to_string()));
        assert!(partners(".env", b"").contains(&"bunfig.toml".to_string()));
        assert!(partners("x/package.json", b"").is_empty());
    }

    #[test]
    fn a_value_of_its_own_is_judged_by_where_the_config_puts_it() {
        let env =
            b"NPM_TOKEN=s3cr3tValueFromEnvFile9\nREGISTRY=https://registry.npmjs.org/\nP=$OTHER\n";
        let npmrc: &[u8] = b"registry=${REGISTRY}\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n//h/:_authToken=${P}\n";
        let found = detect(".env", env, &[(".npmrc", npmrc)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].finding.key.as_deref(), Some("NPM_TOKEN"));
        assert_eq!(found[0].finding.line, 1);
        assert_eq!(found[0].finding.column, 11);
        // In another folder, or for a tool that does not load it: nothing.
        assert!(detect(".env", env, &[("sub/.npmrc", npmrc)]).is_empty());
        assert!(detect(".env.yarn", env, &[(".npmrc", npmrc)]).is_empty());
    }
}
