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
    let name = crate::select::caseless_name(name.as_bytes()).unwrap_or(name);
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
                // yarn merges the `.yarnrc.yml` of every folder above (and
                // what `injectEnvironmentFiles` says there), and a run in a
                // folder below reads this one with what is there
                // (`DIR/**/NAME`, a pattern the index lookups take).
                out.extend(above(dir).map(|d| format!("{d}{}", crate::yarnrc_yml::NAME)));
                out.push(format!("{dir}**/{YARN_ENV}"));
                out.push(format!("{dir}**/{}", crate::yarnrc_yml::NAME));
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
        // yarn loads `.env.yarn` from the folder it runs in, and merges
        // the `.yarnrc.yml` there and in every folder above.
        Some(Loader::Yarn) => {
            out.push(format!("{dir}{}", crate::yarnrc_yml::NAME));
            out.extend(above(dir).map(|d| format!("{d}{}", crate::yarnrc_yml::NAME)));
        }
        Some(Loader::Bun) => {
            out.push(format!("{dir}{}", crate::bunfig::NAME));
            out.push(format!("{dir}.npmrc"));
        }
        None => {}
    }
    out.retain(|p| p != path);
    out
}

/// Whether `other` (a repository path) is a file a run of yarn in a folder
/// below the `.yarnrc.yml` at `config` reads with it: the `.env.yarn` or
/// `.yarnrc.yml` of any folder under it. [`partners`] names the files a
/// path alone gives; these need a listing.
pub fn read_below(config: &str, other: &str) -> bool {
    let (cdir, _) = split(config);
    let (odir, oname) = split(other);
    config_loaders(config).contains(&Loader::Yarn)
        && odir.starts_with(cdir)
        && other != config
        && (oname.eq_ignore_ascii_case(YARN_ENV)
            || crate::select::caseless_name(oname.as_bytes()) == Some(crate::yarnrc_yml::NAME))
}

/// The folders above `dir` (a folder path ending in `/`, or empty), up
/// to the repository's root (`""`), nearest first.
fn above(dir: &str) -> impl Iterator<Item = &str> {
    let trimmed = dir.strip_suffix('/').unwrap_or(dir);
    let ends: Vec<usize> = trimmed.rmatch_indices('/').map(|(i, _)| i + 1).collect();
    let root = (!dir.is_empty()).then_some(0);
    ends.into_iter().chain(root).map(move |i| &dir[..i])
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
pub fn injected_files(src: &[u8]) -> Vec<String> {
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

pub use crate::dotenv::Assign;
use crate::dotenv::Reader;

impl Loader {
    fn reader(self) -> Reader {
        match self {
            Loader::Yarn => Reader::Dotenv,
            Loader::Bun => Reader::Bun,
        }
    }
}

/// The names an env file assigns, as either tool reads it (for a fix,
/// which must not take one).
pub fn assigned_names(src: &[u8]) -> std::collections::HashSet<String> {
    [Reader::Dotenv, Reader::Bun]
        .into_iter()
        .flat_map(|r| crate::dotenv::assignments(r, src))
        .map(|a| a.name)
        .collect()
}

/// The variables bun takes its user config's path from (1.4.5: either
/// spelling, also when an env file it loads sets it; review 5, #2).
const BUN_USERCONFIG: &[&str] = &["NPM_CONFIG_USERCONFIG", "npm_config_userconfig"];

/// Whether an env file named `name` may name a config ([`named_configs`]).
pub fn may_name_config(name: &str) -> bool {
    loader_of(name) == Some(Loader::Bun)
}

/// The configs the env file at `path` makes its tool read, as
/// [`crate::files`] gives a `.npmrc`'s `userconfig=`: (the path as
/// written, whether it is absolute); `None` for a file that is no env file
/// bun loads. bun reads the file `NPM_CONFIG_USERCONFIG` names as its user
/// `.npmrc`, resolved against the folder it runs in, the env file's.
pub fn named_configs(path: &str, src: &[u8]) -> Option<Vec<(String, bool)>> {
    if !may_name_config(split(path).1) {
        return None;
    }
    let assigns = crate::dotenv::assignments(Reader::Bun, src);
    let mut out: Vec<(String, bool)> = Vec::new();
    for name in BUN_USERCONFIG {
        let Some(a) = assigns.iter().rev().find(|a| a.name == *name) else {
            continue;
        };
        // A reference to the environment is unknown: the path it leaves.
        let v = crate::dotenv::expand(Reader::Bun, &a.value, &|_| None);
        let v = v.trim();
        if v.is_empty() || v.starts_with("~/") || v.contains(['\n', '\r', '\0']) {
            continue;
        }
        let named = (v.to_string(), v.starts_with('/'));
        if !out.contains(&named) {
            out.push(named);
        }
    }
    Some(out)
}

/// Whether a value sends something of its own once its references are
/// gone (they are followed on their own): not empty, not a stand-in.
fn has_own_text(reader: Reader, value: &str) -> bool {
    let own = crate::dotenv::expand(reader, value, &|_| None);
    let own = own.trim();
    !own.is_empty() && !crate::standin::is_standin(own)
}

/// Stands in a variable's value when a config is judged: random-looking,
/// alphanumeric (no syntax changes around it), in no token's format.
const MARKER: &str = "Qx7vN2kZ8mR4tW9pL3sBj6";

/// Where the config at `path` puts the variable `name` in a credential:
/// the rule and line of each finding its reference turns into once the
/// variable holds a literal.
fn credential_uses(path: &str, src: &[u8], name: &str) -> Vec<(Rule, usize)> {
    let Some((marked, at)) = mark(path, src, name, MARKER.as_bytes()) else {
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

/// What the config at `path` turns into an error once each reference to
/// `name` holds `value` (a registry URL with `user:password@`, say): the
/// findings that touch the value, as (rule, line, the secret found).
/// Values that would change the config's syntax are not tried.
fn value_uses(path: &str, src: &[u8], name: &str, value: &str) -> Vec<(Rule, usize, String)> {
    if value.trim().is_empty()
        || value
            .bytes()
            .any(|b| matches!(b, b'\n' | b'\r' | b'"' | b'\'' | b'\\' | b'#' | b'$'))
    {
        return Vec::new();
    }
    let Some((marked, at)) = mark(path, src, name, value.as_bytes()) else {
        return Vec::new();
    };
    crate::files::detect_file(path, &marked)
        .into_iter()
        .filter(|d| d.finding.severity == Severity::Error)
        .filter(|d| {
            at.iter()
                .any(|m| d.finding.span.start < m.end && m.start < d.finding.span.end)
        })
        .map(|d| {
            let secret = d
                .secret
                .as_ref()
                .or(d.finding.secret.as_ref())
                .map(|s| s.expose().to_string())
                .unwrap_or_default();
            (d.finding.rule, d.finding.line, secret)
        })
        .collect()
}

/// `src` with each reference to `name` (in the syntax the tools that
/// expand env files into `path` use) replaced by `with`, and where the
/// replacements are; `None` when it has none.
fn mark(path: &str, src: &[u8], name: &str, with: &[u8]) -> Option<(Vec<u8>, Vec<Range<usize>>)> {
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
                at.push(out.len()..out.len() + with.len());
                out.extend_from_slice(with);
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
        // (A `.npmrc`'s settings fill the references of the configs npm
        // loads with it: [`crate::named_settings`].)
        return memchr::memchr(b'$', src).is_some()
            || memchr::memmem::find(src, b"injectEnvironmentFiles").is_some()
            || crate::select::is_npmrc_name(split(path).1.as_bytes());
    }
    // A file read for no reading of its own may be one a `.yarnrc.yml`
    // injects (any name): kept when it could hold an assignment. Not a
    // file of a kind read anyway (a lockfile's every version in a history
    // would be held to the end).
    !crate::select::is_default_name(split(path).1.as_bytes())
        && memchr::memchr2(b'=', b':', src).is_some()
}

/// The variables bun reads for itself from its environment (which its env
/// files fill), with the setting each one is, as a `.npmrc` line the
/// detector judges: `bun install` (1.4.5) reads the token names as the
/// default registry's token, the registry names as the default registry
/// (a URL with `user:password@` sends Basic auth) and the proxy names as
/// its proxy (`Proxy-Authorization`).
const BUN_OWN: &[(&str, &str, &str)] = &[
    (
        "BUN_CONFIG_TOKEN",
        "//registry.npmjs.org/:_authToken=",
        "its registry token",
    ),
    (
        "NPM_CONFIG_TOKEN",
        "//registry.npmjs.org/:_authToken=",
        "its registry token",
    ),
    (
        "npm_config_token",
        "//registry.npmjs.org/:_authToken=",
        "its registry token",
    ),
    ("BUN_CONFIG_REGISTRY", "registry=", "its registry"),
    ("NPM_CONFIG_REGISTRY", "registry=", "its registry"),
    ("npm_config_registry", "registry=", "its registry"),
    ("HTTP_PROXY", "proxy=", "its proxy"),
    ("http_proxy", "proxy=", "its proxy"),
    ("HTTPS_PROXY", "proxy=", "its proxy"),
    ("https_proxy", "proxy=", "its proxy"),
    // Read with the four above (review 5, #1).
    ("ALL_PROXY", "proxy=", "its proxy"),
    ("all_proxy", "proxy=", "its proxy"),
];

/// An env file as one tool reads it.
struct EnvRead<'a> {
    index: usize,
    path: &'a str,
    loader: Loader,
    assigns: Vec<Assign>,
}

/// Where a variable of an env file ends up: a credential of a config
/// (`config` and its `line`), or one of bun's own settings (`what`).
struct Root {
    name: String,
    rule: Rule,
    config: String,
    line: usize,
    what: Option<&'static str>,
    /// The secret the detector found, when the value is only part of it.
    secret: Option<String>,
}

/// The folder of each yarn config among `files` and the repository paths
/// of the files its `injectEnvironmentFiles` names.
fn injectors<'a>(files: &[(&'a str, &'a [u8])]) -> Vec<(&'a str, Vec<String>)> {
    files
        .iter()
        .filter(|(p, _)| config_loaders(p).contains(&Loader::Yarn))
        .map(|(p, src)| {
            let dir = split(p).0;
            let named = injected_files(src)
                .iter()
                .filter_map(|f| beside(dir, f))
                .collect();
            (dir, named)
        })
        .collect()
}

/// Whether a run of `r`'s tool in some folder of the project loads the env
/// file `r` and expands it into the config at `config`: bun reads both
/// from the folder it runs in; yarn reads `.env.yarn` from the folder it
/// runs in and merges every `.yarnrc.yml` from there up, and it loads what
/// `injectEnvironmentFiles` names for a run in that config's folder or
/// below, whose merged configs are the ones above and below it.
fn loads(r: &EnvRead, config: &str, injectors: &[(&str, Vec<String>)]) -> bool {
    let (edir, ename) = split(r.path);
    let cdir = split(config).0;
    let loaders = config_loaders(config);
    match r.loader {
        Loader::Bun => {
            loaders.contains(&Loader::Bun) && cdir == edir && loader_of(ename) == Some(Loader::Bun)
        }
        Loader::Yarn => {
            loaders.contains(&Loader::Yarn)
                && ((ename == YARN_ENV && edir.starts_with(cdir))
                    || injectors.iter().any(|(idir, named)| {
                        named.iter().any(|n| n == r.path)
                            && (idir.starts_with(cdir) || cdir.starts_with(idir))
                    }))
        }
    }
}

/// Findings in every env file of `files` (path, content), each judged with
/// the configs among `files` its tool expands it into, with the index of
/// its env file.
pub fn detect_all<P: AsRef<str>, B: AsRef<[u8]>>(files: &[(P, B)]) -> Vec<(usize, Detected)> {
    let all: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_ref(), b.as_ref()))
        .collect();
    let injectors = injectors(&all);
    let configs: Vec<(&str, &[u8])> = all
        .iter()
        .copied()
        .filter(|(p, b)| !config_loaders(p).is_empty() && memchr::memchr(b'$', b).is_some())
        .collect();
    let mut reads = Vec::new();
    for (index, (path, src)) in all.iter().enumerate() {
        let mut loaders: Vec<Loader> = loader_of(split(path).1).into_iter().collect();
        let injected = injectors
            .iter()
            .any(|(_, named)| named.iter().any(|n| n == path));
        if injected && !loaders.contains(&Loader::Yarn) {
            loaders.push(Loader::Yarn);
        }
        for loader in loaders {
            reads.push(EnvRead {
                index,
                path,
                loader,
                assigns: crate::dotenv::assignments(loader.reader(), src),
            });
        }
    }
    let mut memo = std::collections::HashMap::new();
    let mut out: Vec<(usize, Detected)> = Vec::new();
    let mut reported = std::collections::HashSet::new();
    for (k, r) in reads.iter().enumerate() {
        // The other env files the same run loads (bun: those beside it).
        // The other env files the same run loads (bun: those beside it),
        // when a reference of this one may lead there (a history holds
        // many versions of each).
        let own: std::collections::HashSet<&str> =
            r.assigns.iter().map(|a| a.name.as_str()).collect();
        let reaches_out = r.assigns.iter().any(|a| {
            crate::dotenv::references(r.loader.reader(), &a.value)
                .iter()
                .any(|rf| !own.contains(rf.name.as_str()))
        });
        let group: Vec<&EnvRead> = reads
            .iter()
            .enumerate()
            .filter(|(j, o)| {
                *j == k
                    || (reaches_out
                        && o.loader == r.loader
                        && o.path != r.path
                        && split(o.path).0 == split(r.path).0)
            })
            .map(|(_, o)| o)
            .collect();
        let paired: Vec<(usize, &str, &[u8])> = configs
            .iter()
            .enumerate()
            .filter(|(_, (c, _))| loads(r, c, &injectors))
            .map(|(i, (c, b))| (i, *c, *b))
            .collect();
        for (index, d) in detect_read(r, &group, &paired, &mut memo) {
            if reported.insert((index, d.finding.span.clone())) {
                out.push((index, d));
            }
        }
    }
    // The configs npm loads together fill one another's references too.
    out.extend(crate::named_settings::detect_all(&all));
    out
}

/// The value of `name` for a run that loads `group` (the first read is
/// the file judged, whose last assignment wins), expanded as its tool
/// expands it; bounded: a cycle or a value past [`MAX_VALUE`] stops.
fn resolve(
    group: &[&EnvRead],
    name: &str,
    seen: &mut Vec<String>,
    cache: &mut std::collections::HashMap<String, Option<String>>,
) -> Option<String> {
    if let Some(v) = cache.get(name) {
        return v.clone();
    }
    if seen.iter().any(|s| s == name) || seen.len() > 32 {
        return None;
    }
    let reader = group[0].loader.reader();
    let raw = group
        .iter()
        .find_map(|r| r.assigns.iter().rev().find(|a| a.name == name))?
        .value
        .clone();
    seen.push(name.to_string());
    let refs = crate::dotenv::references(reader, &raw);
    let mut values = std::collections::HashMap::new();
    for r in refs {
        if let std::collections::hash_map::Entry::Vacant(e) = values.entry(r.name) {
            let v = resolve(group, e.key(), seen, cache);
            e.insert(v);
        }
    }
    seen.pop();
    let mut v = crate::dotenv::expand(reader, &raw, &|n| values.get(n).cloned().flatten());
    v.truncate(
        (0..=MAX_VALUE.min(v.len()))
            .rev()
            .find(|&i| v.is_char_boundary(i))
            .unwrap_or(0),
    );
    cache.insert(name.to_string(), Some(v.clone()));
    Some(v)
}

/// A value expanded longer than this is cut: no secret needs more, and a
/// chain of doubling references stays cheap.
const MAX_VALUE: usize = 4096;

/// Findings in the env files `group` (the first, `r`, and those loaded
/// with it), with their index: each assignment whose own text a config
/// paired with `r` (or bun itself) ends up sending, directly or through
/// other variables.
fn detect_read(
    r: &EnvRead,
    group: &[&EnvRead],
    paired: &[(usize, &str, &[u8])],
    memo: &mut std::collections::HashMap<(usize, String), Vec<(Rule, usize)>>,
) -> Vec<(usize, Detected)> {
    let reader = r.loader.reader();
    let mut names: Vec<&str> = Vec::new();
    let mut named = std::collections::HashSet::new();
    for a in group.iter().flat_map(|g| &g.assigns) {
        if named.insert(a.name.as_str()) {
            names.push(&a.name);
        }
    }
    let mut cache = std::collections::HashMap::new();
    let mut value = |n: &str| resolve(group, n, &mut Vec::new(), &mut cache);
    let mut roots: Vec<Root> = Vec::new();
    for &(ci, cpath, csrc) in paired {
        for &n in &names {
            if memchr::memmem::find(csrc, n.as_bytes()).is_none() {
                continue;
            }
            let uses = memo
                .entry((ci, n.to_string()))
                .or_insert_with(|| credential_uses(cpath, csrc, n));
            // The variable in a credential, else its value making one.
            let found = match uses.first() {
                Some(&(rule, line)) => Some((rule, line, None)),
                None => value(n).and_then(|v| {
                    value_uses(cpath, csrc, n, &v)
                        .into_iter()
                        .next()
                        .map(|(rule, line, secret)| (rule, line, Some(secret)))
                }),
            };
            if let Some((rule, line, secret)) = found {
                roots.push(Root {
                    name: n.to_string(),
                    rule,
                    config: cpath.to_string(),
                    line,
                    what: None,
                    secret,
                });
            }
        }
    }
    if r.loader == Loader::Bun {
        for &(n, setting, what) in BUN_OWN {
            if !names.contains(&n) {
                continue;
            }
            let Some(v) = value(n).filter(|v| !v.contains(['\n', '\r'])) else {
                continue;
            };
            let line = format!("{setting}{v}\n");
            let at = setting.len()..setting.len() + v.len();
            if let Some(d) = crate::files::detect_file(".npmrc", line.as_bytes())
                .into_iter()
                .find(|d| {
                    d.finding.severity == Severity::Error
                        && d.finding.span.start < at.end
                        && at.start < d.finding.span.end
                })
            {
                let secret = d.secret.as_ref().or(d.finding.secret.as_ref());
                roots.push(Root {
                    name: n.to_string(),
                    rule: d.finding.rule,
                    config: String::new(),
                    line: 0,
                    what: Some(what),
                    secret: secret.map(|s| s.expose().to_string()),
                });
            }
        }
    }
    if roots.is_empty() {
        return Vec::new();
    }
    // Each name's assignments, in the order of `group` and of each file:
    // found once, not by a pass over every assignment for each name (a
    // chain of 40,000 references was quadratic).
    let mut by_name: std::collections::HashMap<&str, Vec<(&EnvRead, &Assign)>> =
        std::collections::HashMap::new();
    for g in group {
        for a in &g.assigns {
            by_name.entry(a.name.as_str()).or_default().push((g, a));
        }
    }
    let mut out: Vec<(usize, Detected)> = Vec::new();
    let mut reported = std::collections::HashSet::new();
    for root in &roots {
        // The assignments the value comes from: the variable's own, and
        // those its references lead to (each name once).
        let mut queue = vec![root.name.clone()];
        let mut seen = std::collections::HashSet::from([root.name.clone()]);
        while let Some(n) = queue.pop() {
            for &(g, a) in by_name.get(n.as_str()).map_or(&[][..], Vec::as_slice) {
                for rf in crate::dotenv::references(reader, &a.value) {
                    if seen.insert(rf.name.clone()) {
                        queue.push(rf.name);
                    }
                }
                if !has_own_text(reader, &a.value) {
                    continue;
                }
                let own = crate::dotenv::expand(reader, &a.value, &|_| None);
                let part = root.secret.as_deref().filter(|s| !s.is_empty());
                if part.is_some_and(|s| !own.contains(s) && !s.contains(own.trim())) {
                    continue;
                }
                if !reported.insert((g.index, a.span.clone())) {
                    continue;
                }
                out.push((g.index, finding(g, a, root, part)));
            }
        }
    }
    out
}

/// The finding for the assignment `a` of the env file `r`, whose value
/// ends up where `root` says.
fn finding(r: &EnvRead, a: &Assign, root: &Root, part: Option<&str>) -> Detected {
    let rule = crate::tokens::find_tokens(a.value.as_bytes())
        .iter()
        .find(|t| t.span == (0..a.value.len()))
        .map_or(root.rule, |t| crate::detect::token_rule(t.kind));
    let shown = match part {
        Some(s) if a.value.contains(s) => s.to_string(),
        _ => a.value.clone(),
    };
    // A token written where a name goes (`<token>=…` for a `${<token>}`)
    // is a secret too: shown masked, never whole.
    let shown_name = |n: &str| {
        if crate::standin::reads_as_a_written_name(n) {
            n.to_string()
        } else {
            crate::finding::mask(n)
        }
    };
    let (name, root_name) = (shown_name(&a.name), shown_name(&root.name));
    let via = if a.name == root.name {
        name.clone()
    } else {
        format!("{name} (through {root_name})")
    };
    let detail = match root.what {
        Some(what) => format!(
            "bun loads this file by itself and reads {} from it as {what}, so this value is sent: \
             remove it from the committed file (and from the history) and revoke it; set {} in the environment instead",
            via, root_name
        ),
        None => format!(
            "{} loads this file by itself and puts {via} into the credential at {}:{}, so this value is sent: \
             remove it from the committed file (and from the history) and revoke it; set {} in the environment instead",
            r.loader.name(),
            root.config,
            root.line,
            name
        ),
    };
    let secret = Secret::new(shown.clone());
    Detected {
        finding: Finding {
            rule,
            severity: rule.severity(),
            path: r.path.to_string(),
            line: a.line,
            column: a.column,
            key: Some(name),
            secret: Some(secret.clone()),
            fingerprint: Fingerprint::new(rule, r.path, &a.value),
            commit: None,
            fix: None,
            span: a.span.clone(),
            host: None,
            detail: Some(detail),
        },
        fix: None,
        secret: Some(secret),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_followed_with_bounded_work() {
        // A chain that doubles at each step, and two cycles.
        let mut env = String::from("A0=s3cr3tValueFromEnvFile9\n");
        for i in 1..200 {
            env += &format!("A{i}=${{A{}}}${{A{}}}\n", i - 1, i - 1);
        }
        env += "NPM_TOKEN=${A199}\nC1=${C2}\nC2=$C1\nR=http://${A199}\nD1=x$D2\nD2=y$D1\n";
        let npmrc = "registry=${R}\n@x:registry=https://${D1}/\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n//h.example/:_authToken=${C1}\n";
        let start = std::time::Instant::now();
        let found = detect_all(&[(".env", env.as_bytes()), (".npmrc", npmrc.as_bytes())]);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        let at: Vec<(Option<&str>, usize)> = found
            .iter()
            .map(|(_, d)| (d.finding.key.as_deref(), d.finding.line))
            .collect();
        // (D1 and D2 have text of their own, in no credential.)
        assert_eq!(at, [(Some("A0"), 1)]);
    }

    /// A chain of 40,000 references, each line a variable of its own:
    /// each name's assignments are looked up, not searched for (that was
    /// quadratic: 6.7 s for 545 KB in the release build).
    #[test]
    fn a_long_chain_is_followed_in_linear_time() {
        let mut env = String::from("A0=s3cr3tValueFromEnvFile9\n");
        for i in 1..40_000 {
            env += &format!("A{i}=${{A{}}}\n", i - 1);
        }
        env += "NPM_TOKEN=${A39999}\n";
        let yarnrc = "npmAuthToken: \"${NPM_TOKEN}\"\n";
        let start = std::time::Instant::now();
        let found = detect_all(&[
            (".env.yarn", env.as_bytes()),
            (".yarnrc.yml", yarnrc.as_bytes()),
        ]);
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
        let at: Vec<(Option<&str>, usize)> = found
            .iter()
            .map(|(_, d)| (d.finding.key.as_deref(), d.finding.line))
            .collect();
        assert_eq!(at, [(Some("A0"), 1)]);
    }

    #[test]
    fn references_are_marked_in_each_tools_syntax() {
        let npmrc = b"a=${T}\nb=${T?}\nc=$T\nd=$TX\ne=${TX}\n";
        let (out, at) = mark(".npmrc", npmrc, "T", MARKER.as_bytes()).unwrap();
        assert_eq!(at.len(), 3);
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("d=$TX\ne=${TX}"), "{out}");
        let yarn = b"a: ${T:-x${U}y}\nb: $T\n";
        let (out, at) = mark(".yarnrc.yml", yarn, "T", MARKER.as_bytes()).unwrap();
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
            ["a/.yarnrc.yml", ".yarnrc.yml"]
        );
        let p = partners(
            ".yarnrc.yml",
            b"injectEnvironmentFiles:\n  - .env.ci?\n  - ../x\nnpmAuthToken: ${T}\n",
        );
        assert_eq!(
            p,
            [".env.yarn", "**/.env.yarn", "**/.yarnrc.yml", ".env.ci"]
        );
        assert!(partners(".npmrc", b"a=${X}").contains(&".env.local".to_string()));
        assert!(partners(".npmrc", b"a=b").contains(&".env".to_string()));
        assert!(partners(".env", b"").contains(&"bunfig.toml".to_string()));
        assert!(partners("x/package.json", b"").is_empty());
        assert!(read_below("a/.yarnrc.yml", "a/b/.env.yarn"));
        assert!(read_below(".yarnrc.yml", "app/.yarnrc.yml"));
        assert!(!read_below("a/.yarnrc.yml", "b/.env.yarn"));
        assert!(!read_below(".npmrc", "a/.env.yarn"));
        assert_eq!(
            partners("a/b/.env.yarn", b""),
            ["a/b/.yarnrc.yml", "a/.yarnrc.yml", ".yarnrc.yml"]
        );
        assert_eq!(
            partners("a/.yarnrc.yml", b""),
            [
                "a/.env.yarn",
                ".yarnrc.yml",
                "a/**/.env.yarn",
                "a/**/.yarnrc.yml"
            ]
        );
    }

    #[test]
    fn a_value_of_its_own_is_judged_by_where_the_config_puts_it() {
        let env =
            b"NPM_TOKEN=s3cr3tValueFromEnvFile9\nREGISTRY=https://registry.npmjs.org/\nP=$OTHER\n";
        let npmrc: &[u8] = b"registry=${REGISTRY}\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n//h/:_authToken=${P}\n";
        let detect = |p: &str, e: &[u8], c: &str, n: &[u8]| -> Vec<Detected> {
            detect_all(&[(p, e), (c, n)])
                .into_iter()
                .map(|(_, d)| d)
                .collect()
        };
        let found = detect(".env", env, ".npmrc", npmrc);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].finding.key.as_deref(), Some("NPM_TOKEN"));
        assert_eq!(found[0].finding.line, 1);
        assert_eq!(found[0].finding.column, 11);
        // In another folder, or for a tool that does not load it: nothing.
        assert!(detect(".env", env, "sub/.npmrc", npmrc).is_empty());
        assert!(detect(".env.yarn", env, ".npmrc", npmrc).is_empty());
    }
}
