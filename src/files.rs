//! Which reading each file gets (pure): SPEC.md, "Files read".
//!
//! A `.npmrc` (any name the selector let through) is read as npm reads it;
//! one in UTF-16 with a byte-order mark is decoded first; a `package.json`
//! is read for its `publishConfig`, the URLs of its dependency specs and
//! any certain token, a
//! lockfile for the URLs it is fetched from ([`crate::dep_urls`]); a
//! `pnpm-workspace.yaml` for the settings pnpm sends ([`crate::pnpm_workspace`]);
//! pnpm's `package.yaml` and `package.json5` as `package.json`'s
//! dependency specs are ([`crate::manifests`]).

use std::sync::LazyLock;

use memchr::memmem::Finder;

use crate::decode;
use crate::detect::{self, Detected};
use crate::npmrc::{self, LineKind};
use crate::sift::{self, Sift, Trigger};

/// The manifest npm reads `publishConfig` from.
pub const PACKAGE_JSON: &str = "package.json";

/// Findings in one file, `path` as reports show it.
pub fn detect_file(path: &str, bytes: &[u8]) -> Vec<Detected> {
    let name = path.rsplit('/').next().unwrap_or(path);
    // The kind by the name in any ASCII case, as the tool opens it
    // ([`crate::select::caseless_name`]).
    let name = crate::select::caseless_name(name.as_bytes()).unwrap_or(name);
    if name == PACKAGE_JSON {
        let mut out = crate::publish_config::detect(path, bytes);
        out.extend(crate::dep_urls::detect_package_json(path, bytes));
        // A certain token anywhere else (a script's `NPM_TOKEN=npm_…`), as
        // in every file read (SPEC.md, `npm-token`): not one a finding
        // above already covers.
        let before = out.len();
        crate::foreign::certain_tokens(path, bytes, &mut out);
        for d in &mut out[before..] {
            d.finding.detail = Some(
                "in package.json outside publishConfig (a script, a config value): \
                 `npm run` sends what a script holds; remove it and revoke it"
                    .to_string(),
            );
        }
        out.sort_by_key(|d| (d.finding.line, d.finding.column, d.finding.rule));
        return out;
    }
    if crate::manifests::is_manifest_name(name) {
        return crate::manifests::detect(path, bytes);
    }
    if name == crate::pnpm_workspace::NAME {
        return crate::pnpm_workspace::detect(path, bytes);
    }
    if crate::dep_urls::is_lockfile(name) {
        return crate::dep_urls::detect_lockfile(path, bytes);
    }
    if crate::envfiles::is_env_file(path) {
        // Judged with the configs beside it ([`crate::envfiles::detect`]):
        // alone, no tool sends what it holds.
        return Vec::new();
    }
    match tool_name(path) {
        Some(crate::bunfig::NAME) => return crate::bunfig::detect(path, bytes),
        Some(crate::yarnrc_yml::NAME) => return crate::yarnrc_yml::detect(path, bytes),
        Some(crate::yarnrc::NAME) => return crate::yarnrc::detect(path, bytes),
        _ => {}
    }
    if let Some((kind, text)) = decode::utf16(bytes) {
        return utf16_findings(path, &text, kind);
    }
    // Both read where `-----BEGIN` is: one pass over the file finds it
    // with the rest the detector looks up across the file.
    let survey = crate::survey::survey(bytes);
    let mut found = detect::detect_at(path, bytes, &survey);
    // The key file a `.npmrc` names as `//host/:keyfile` is read here too.
    found.extend(crate::pem::private_keys_at(path, bytes, &survey.pem_begins));
    found
}

/// The findings an allow comment (`; npmrc-guard: allow`) in `bytes`
/// exempts: those the file gives with every such comment made inert.
/// A review asks where each exemption came from (SPEC.md, "Config": the
/// commits under review cannot switch off their own scan).
pub fn allowed(path: &str, bytes: &[u8]) -> Vec<Detected> {
    const MARK: &[u8] = b"npmrc-guard";
    // Every review reads each blob here: a vector search for its first
    // letter, not a comparison at every byte.
    let at: Vec<usize> = memchr::memchr2_iter(b'n', b'N', bytes)
        .filter(|&i| {
            bytes
                .get(i..i + MARK.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(MARK))
        })
        .collect();
    if at.is_empty() {
        return Vec::new();
    }
    // Same length, so every finding keeps its place.
    let mut inert = bytes.to_vec();
    for i in at {
        inert[i + 5] = b'_';
    }
    let kept: Vec<crate::finding::Fingerprint> = detect_file(path, bytes)
        .into_iter()
        .map(|d| d.finding.fingerprint)
        .collect();
    detect_file(path, &inert)
        .into_iter()
        .filter(|d| !kept.contains(&d.finding.fingerprint))
        .collect()
}

/// How the tool that reads `path` spells a reference to the variable
/// `name`, as a fix writes it: `${NAME}` for npm and yarn, `$NAME` for bun
/// (which expands nothing else, see [`crate::bunfig`]).
pub fn reference(path: &str, name: &str) -> String {
    if tool_name(path) == Some(crate::bunfig::NAME) {
        format!("${name}")
    } else {
        format!("${{{name}}}")
    }
}

/// The tool whose own syntax the file at `path` is in (not an npm
/// config), for messages: `None` for a `.npmrc`.
pub fn foreign_tool(path: &str) -> Option<&'static str> {
    match tool_name(path)? {
        crate::yarnrc_yml::NAME => Some(crate::yarnrc_yml::TOOL),
        crate::bunfig::NAME => Some(crate::bunfig::TOOL),
        crate::yarnrc::NAME => Some(crate::yarnrc::TOOL),
        _ => None,
    }
}

/// The name the tool opens that the file at `path` has, in any ASCII case
/// (see [`crate::select::caseless_name`]).
fn tool_name(path: &str) -> Option<&'static str> {
    let file = path.rsplit('/').next().unwrap_or(path);
    if file.eq_ignore_ascii_case(crate::bunfig::USER_NAME) {
        return Some(crate::bunfig::NAME);
    }
    crate::select::caseless_name(file.as_bytes())
}

/// `edits` (a fix of `src`, read as `path`) as its file's syntax needs
/// them: a YAML plain scalar in a flow collection gets quotes.
pub fn in_syntax(path: &str, src: &[u8], edits: Vec<crate::fix::Edit>) -> Vec<crate::fix::Edit> {
    if tool_name(path) == Some(crate::yarnrc_yml::NAME) {
        return crate::yarnrc_yml::quote_edits(src, edits);
    }
    edits
}

/// Whether `fixed` still reads as `src` does, setting for setting, where
/// the file has a syntax of its own (a `.yarnrc.yml`, a `bunfig.toml`):
/// a rewrite that broke the syntax would leave no item to judge, and so
/// nothing the re-check could catch.
pub fn reads_alike(path: &str, src: &[u8], fixed: &[u8]) -> bool {
    let file = tool_name(path);
    let keys = if file == Some(crate::yarnrc_yml::NAME) {
        crate::yarnrc_yml::keys
    } else if file == Some(crate::bunfig::NAME) {
        crate::bunfig::keys
    } else {
        return true;
    };
    keys(src) == keys(fixed)
}

/// The variable names `src` (read as `path`) already refers to, in the
/// syntax of its tool: no fix gives one of them to a secret.
pub fn referenced_names(path: &str, src: &[u8]) -> std::collections::HashSet<String> {
    let mut names = crate::fix::referenced_names(src);
    let file = tool_name(path);
    if file == Some(crate::yarnrc_yml::NAME) {
        // `${NAME:-fallback}` and `${NAME-fallback}` name NAME too.
        static YARN: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
            regex::bytes::Regex::new(r"\$\{([A-Za-z][A-Za-z0-9_]*)(?::?-|\})").expect("valid regex")
        });
        names.extend(
            YARN.captures_iter(src)
                .map(|c| String::from_utf8_lossy(&c[1]).into_owned()),
        );
    }
    if file == Some(crate::bunfig::NAME) {
        static BUN: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
            regex::bytes::Regex::new(r"\$([A-Za-z_][A-Za-z0-9_]*)").expect("valid regex")
        });
        names.extend(
            BUN.captures_iter(src)
                .map(|c| String::from_utf8_lossy(&c[1]).into_owned()),
        );
    }
    names
}

/// A UTF-16 file, decoded to `text`: its findings are at the lines and
/// columns of the decoded text (characters, for the ASCII an `.npmrc`
/// holds). They have no automatic fix: the fixer edits bytes, and npm never
/// read this file anyway.
fn utf16_findings(path: &str, text: &[u8], kind: decode::Utf16) -> Vec<Detected> {
    let mut found = detect::detect(path, text);
    for d in &mut found {
        d.fix = None;
        let note = format!(
            "the file is {}: npm cannot read it, but what it holds is committed; \
             delete the secret (or save the file as UTF-8 and run the fix) and revoke it",
            kind.name()
        );
        d.finding.detail = Some(match d.finding.detail.take() {
            Some(detail) => format!("{detail}; {note}"),
            None => note,
        });
    }
    found
}

/// The repository files a project `.npmrc` at `path` makes npm read as its
/// user or global config (`userconfig=`, `globalconfig=`), or as the TLS
/// client key it presents to a registry (`//host/:keyfile=`, read for PEM
/// private keys by [`detect_file`]): npm resolves a relative path against
/// the folder it runs in, the project's, which is the `.npmrc`'s. Paths
/// outside the repository (absolute, `~/…` for a config, or climbing above
/// the root) and values that depend on the environment are not files the
/// repository holds.
pub fn named_configs(path: &str, src: &[u8]) -> Vec<String> {
    named_paths(path, src).0
}

/// [`named_configs`] and [`named_patterns`] of one `.npmrc`, from one
/// reading of its names (a history reads every version of every `.npmrc`).
pub fn named_paths(path: &str, src: &[u8]) -> (Vec<String>, Vec<String>) {
    let all = names(path, src);
    let mut configs: Vec<String> = Vec::new();
    for (v, _) in all.iter().filter(|(_, absolute)| !absolute) {
        if let Some(p) = repo_path(path, v) {
            if !configs.contains(&p) {
                configs.push(p);
            }
        }
    }
    (configs, patterns(path, &all))
}

/// `config`, which both keys end with.
static CONFIG: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"config"));
/// `prefix`: npm's global config is `<prefix>/etc/npmrc` unless
/// `globalconfig` says otherwise, and a project `.npmrc` may set it (npm
/// warns that it should not, and reads the file all the same).
static PREFIX: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"prefix"));
/// `keyfile`: `//host/:keyfile=certs/client.key` names the private key npm
/// proves possession of to that registry (npm-registry-fetch reads it when
/// the same host has a `certfile` too, from any config). A bare `keyfile=`
/// is no setting npm 11 has ("Unknown project config"): not a name.
static KEYFILE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"keyfile"));
/// `fi`, in `config`, `prefix` and `keyfile`: one search of the file finds the
/// lines that may hold either (two searches cost twice as much).
static FI: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"fi"));

/// Every path the file at `path` names as a file to read, and whether it
/// is absolute: a `.npmrc`'s (or a file it names) `userconfig=` and the
/// like, an env file's `NPM_CONFIG_USERCONFIG` ([`crate::envfiles`]).
fn names(path: &str, src: &[u8]) -> Vec<(String, bool)> {
    if let Some(named) = crate::envfiles::named_configs(path, src) {
        return named;
    }
    if !may_name(path) {
        return Vec::new();
    }
    named_all(src)
}

/// The relative paths the file at `path` names ([`names`]), as written.
pub fn named_relative(path: &str, src: &[u8]) -> Vec<String> {
    names(path, src)
        .into_iter()
        .filter_map(|(v, absolute)| (!absolute).then_some(v))
        .collect()
}

/// The relative paths a `.npmrc` gives as `userconfig=`, `globalconfig=`,
/// `prefix=` (its `etc/npmrc`) or `//host/:keyfile=` (not absolute, not in
/// the home folder, not depending on the environment).
pub fn named_values(src: &[u8]) -> Vec<String> {
    named_all(src)
        .into_iter()
        .filter_map(|(v, absolute)| (!absolute).then_some(v))
        .collect()
}

/// Every path a `.npmrc` names, and whether it is absolute.
fn named_all(src: &[u8]) -> Vec<(String, bool)> {
    // A key spells `…config` outright, or through `${X?}` or an escape: only
    // lines holding one of those are decoded, found by vector search (a
    // large file has few). Keys after a section header are `section.key`,
    // not settings.
    let mut sections = sift::Sections::default();
    let triggers = [Trigger::Text(&FI), Trigger::Bytes([b'$', b'\\', b'$'])];
    // A trigger with `=` just before it, as in the common
    // `//host/:_authToken=${NAME}`, is past the raw key (up to the first
    // `=`), where `key_may_name` looks: the sift passes over it.
    let mut sift = Sift::new(src, triggers).keys_only();
    let mut out = Vec::new();
    while let Some(hit) = sift.next_hit() {
        let span = sift.line_at(hit);
        if sections.before(src, span.start) {
            break;
        }
        // The raw key, as `named_value` cuts it: skip what it would.
        let line = &src[span.clone()];
        if !key_may_name(&line[..memchr::memchr(b'=', line).unwrap_or(line.len())]) {
            continue;
        }
        // (Line numbers are not needed here: none are counted.)
        out.extend(named_value(&sift::line(src, 0, span)));
    }
    out
}

/// [`named_values`] by walking every line: the reference its sifting is
/// tested against.
#[doc(hidden)]
pub fn named_values_every_line(src: &[u8]) -> Vec<String> {
    npmrc::lines(src)
        .take_while(|line| !matches!(line.kind, LineKind::Section(_)))
        .filter_map(|line| named_value(&line))
        .filter_map(|(v, absolute)| (!absolute).then_some(v))
        .collect()
}

/// Whether a raw key could spell `userconfig`, `globalconfig`, `prefix` or
/// `//host/:keyfile`.
fn key_may_name(raw: &[u8]) -> bool {
    memchr::memchr2(b'$', b'\\', raw).is_some()
        || (raw.windows(2).any(|w| w == b"fi")
            && (CONFIG.find(raw).is_some()
                || PREFIX.find(raw).is_some()
                || KEYFILE.find(raw).is_some()))
}

/// The path a `userconfig=` or `globalconfig=` line names, if it names one
/// in the repository.
fn named_value(line: &npmrc::Line<'_>) -> Option<(String, bool)> {
    // Decode only a key that could spell one of them: most lines of a
    // large file are not.
    let LineKind::Entry { key: raw, .. } = &line.kind else {
        return None;
    };
    let raw = &line.bytes()[raw.start - line.span.start..raw.end - line.span.start];
    if !key_may_name(raw) {
        return None;
    }
    let (key, _) = line.key()?;
    let key = crate::eval::residue(&key).text;
    let file_in = match key.as_str() {
        "userconfig" | "globalconfig" => "",
        "prefix" => "/etc/npmrc",
        k if k.starts_with("//") && k.ends_with(":keyfile") => "",
        _ => return None,
    };
    // A typed path setting expands `~/` to the home folder (parse-field);
    // `//host/:keyfile` has no type, so npm opens `~/x` as it is, relative.
    let home_expands = !key.ends_with(":keyfile");
    let entry = line.entry()?;
    let value = crate::eval::value_residue(&entry.value, entry.array)?;
    // npm runs in the project's folder: `${PWD}/x` (a shell sets `PWD`)
    // and `/proc/self/cwd/x` are `x` there.
    let span = entry.value_span.start - line.span.start..entry.value_span.end - line.span.start;
    let pwd = value.refs == 1 && line.bytes()[span].starts_with(b"${PWD}/");
    // Any other reference: the path npm reads when it gives nothing
    // (`conf/${X?}npmrc` is `conf/npmrc` with X unset).
    let text = if pwd {
        value.text.trim_start_matches('/')
    } else {
        match value.text.strip_prefix("/proc/self/cwd/") {
            Some(rest) => rest.trim_start_matches('/'),
            None => &value.text,
        }
    };
    // npm expands only `~/` to the home folder (parse-field): `~ci/u`
    // is a relative path. A home folder may be the repository itself (a
    // dotfiles repository: `prefix=~/.local` names `.local/etc/npmrc`
    // there; review 6, #3): outside this folder, like an absolute path.
    if text.is_empty() {
        return None;
    }
    let home = home_expands && text.starts_with("~/");
    Some((format!("{text}{file_in}"), home || text.starts_with('/')))
}

/// Whether the file at `path` is read as an npm config, and so may name
/// others: a `.npmrc`, or a file of no other kind (one a `.npmrc` names).
/// A lockfile or `package.json` is not searched for names (a history
/// holds thousands of their versions).
pub fn may_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).as_bytes();
    crate::select::is_npmrc_name(name) || !crate::select::is_default_name(name)
}

/// What a relative `userconfig=`/`globalconfig=` of the `.npmrc` at
/// `path` may also name: npm resolves it against its working folder
/// (`path.resolve`), and npm run in any folder under the project reads
/// the project's `.npmrc`; so `conf/npmrc` is also `<folder>/**/conf/npmrc`
/// (a pattern [`crate::select::named_match`] reads), and with a leading
/// `..` the rest anywhere.
pub fn named_patterns(path: &str, src: &[u8]) -> Vec<String> {
    named_paths(path, src).1
}

/// [`named_patterns`] from the names `all` of the `.npmrc` at `path`.
fn patterns(path: &str, all: &[(String, bool)]) -> Vec<String> {
    let dir = path.rfind('/').map_or("", |i| &path[..=i]);
    let mut out: Vec<String> = Vec::new();
    for (v, _) in all.iter().filter(|(_, absolute)| !absolute) {
        let mut parts: Vec<&str> = Vec::new();
        let mut up = false;
        for part in v.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        up = true;
                    }
                }
                p => parts.push(p),
            }
        }
        let rest = parts.join("/");
        if rest.is_empty() || rest.contains(GLOB) {
            continue;
        }
        let p = if up {
            format!("**/{rest}")
        } else {
            format!("{dir}**/{rest}")
        };
        if !out.contains(&p) {
            out.push(p);
        }
    }
    // A path in the home folder, which may be the repository: that path
    // under any folder.
    for (v, _) in all.iter().filter(|(_, absolute)| *absolute) {
        if let Some(rest) = v.strip_prefix("~/") {
            let p = format!("**/{}", rest.trim_start_matches('/'));
            if !rest.is_empty() && !rest.contains(GLOB) && !out.contains(&p) {
                out.push(p);
            }
        }
    }
    // An absolute path may lead into the repository wherever it is
    // checked out (`/home/alice/app/conf/npmrc`): its file name anywhere.
    for (v, _) in all
        .iter()
        .filter(|(v, absolute)| *absolute && !v.starts_with("~/"))
    {
        let name = v.rsplit('/').next().unwrap_or("");
        let p = format!("**/{name}");
        if !name.is_empty() && !name.contains(GLOB) && !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// Characters a pattern of [`named_patterns`] may not hold (git's
/// `:(glob)` would read them).
const GLOB: [char; 7] = ['*', '?', '[', ']', '{', '}', '\\'];

/// `value` resolved against the folder of `npmrc`, both relative to the
/// repository root; `None` outside it.
fn repo_path(npmrc: &str, value: &str) -> Option<String> {
    let mut parts: Vec<&str> = npmrc.split('/').collect();
    parts.pop();
    for part in value.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_credential_is_found_in_every_file_read() {
        const T: &str = "f9c452a8-1a4a-4144-828e-6d170876d1d5";
        let url = format!("https://r.example/r/?v=1&Token={T}");
        let cases = [
            (".npmrc", format!("@corp:registry={url}\n")),
            (".yarnrc.yml", format!("npmRegistryServer: \"{url}\"\n")),
            (
                ".yarnrc.yml",
                format!("npmScopes:\n  corp:\n    npmRegistryServer: {url}\n"),
            ),
            (
                ".yarnrc.yml",
                format!("npmRegistries:\n  \"{url}\":\n    npmAlwaysAuth: true\n"),
            ),
            (".yarnrc", format!("registry \"{url}\"\n")),
            ("bunfig.toml", format!("[install]\nregistry = \"{url}\"\n")),
            (
                "pnpm-workspace.yaml",
                format!("registries:\n  default: {url}\n"),
            ),
            ("pnpm-workspace.yaml", format!("catalog:\n  a: {url}\n")),
            (
                "pnpm-lock.yaml",
                format!("packages:\n  a@1.0.0:\n    resolution: {{integrity: sha512-A, tarball: {url}}}\n"),
            ),
            (
                "yarn.lock",
                format!("\"a@{url}\":\n  resolution: \"a@{url}\"\n"),
            ),
            (
                "bun.lock",
                format!("{{\"packages\": {{\"a\": [\"a@1.0.0\", \"{url}\", {{}}],}}}}\n"),
            ),
            ("package.yaml", format!("dependencies:\n  a: {url}\n")),
            ("package.json5", format!("{{dependencies: {{a: '{url}'}}}}\n")),
        ];
        for (name, src) in cases {
            let found = detect_file(name, src.as_bytes());
            assert!(!found.is_empty(), "{name}: {src}");
            for d in &found {
                assert_eq!(
                    d.finding.rule,
                    crate::finding::Rule::UrlCredentials,
                    "{name}"
                );
                assert_eq!(&src[d.finding.span.clone()], T, "{name}: {src}");
            }
        }
    }

    #[test]
    fn named_patterns_take_npm_run_in_any_folder_under_the_project() {
        let src =
            b"userconfig=./ci/user.npmrc\nglobalconfig = ../shared/npmrc\nuserconfig=a/../b\n";
        assert_eq!(
            named_patterns("pkg/.npmrc", src),
            ["pkg/**/ci/user.npmrc", "**/shared/npmrc", "pkg/**/b"]
        );
        assert_eq!(
            named_patterns(".npmrc", b"userconfig=c/*\n"),
            Vec::<String>::new()
        );
        assert_eq!(
            named_patterns(
                ".npmrc",
                b"userconfig=/home/alice/app/conf/npmrc\nprefix=/usr\n"
            ),
            ["**/npmrc"]
        );
        // The home folder may be a dotfiles repository (review 6, #3).
        assert_eq!(
            named_patterns(
                ".npmrc",
                b"prefix=~/.local\nglobalconfig=~/.config/npm/npmrc\n"
            ),
            ["**/.local/etc/npmrc", "**/.config/npm/npmrc"]
        );
        let m = |n: &str, p: &str| crate::select::named_match(n.as_bytes(), p.as_bytes());
        assert!(m("pkg/**/ci/u", "pkg/ci/u"));
        assert!(m("pkg/**/ci/u", "pkg/scripts/x/ci/u"));
        assert!(!m("pkg/**/ci/u", "pkg/xci/u"));
        assert!(!m("pkg/**/ci/u", "other/ci/u"));
        assert!(m("**/ci/u", "ci/u") && m("**/ci/u", "a/ci/u"));
        assert!(m("a/b", "a/b") && !m("a/b", "x/a/b"));
    }

    #[test]
    fn named_configs_resolve_against_the_npmrc_folder() {
        let src = b"userconfig=./ci/user.npmrc\nglobalconfig = ../shared/npmrc\n";
        assert_eq!(
            named_configs("pkg/.npmrc", src),
            ["pkg/ci/user.npmrc", "shared/npmrc"]
        );
        assert_eq!(named_configs(".npmrc", b"userconfig=ci/u\n"), ["ci/u"]);
        assert_eq!(named_configs(".npmrc", b"userconfig=~ci/u\n"), ["~ci/u"]);
        for outside in [
            "userconfig=/etc/npmrc\n",
            "userconfig=~/.npmrc\n",
            "userconfig=../../x\n",
            "userconfig=${HOME}/x\n",
            "[s]\nuserconfig=x\n",
        ] {
            assert!(
                named_configs(".npmrc", outside.as_bytes()).is_empty(),
                "{outside}"
            );
        }
        assert_eq!(
            named_configs(".npmrc", b"userc${X?}onfig=\"u.rc\"\n"),
            ["u.rc"]
        );
        assert_eq!(named_configs(".npmrc", b"\"userconfi\\u0067\"=v\n"), ["v"]);
        assert_eq!(
            named_configs("pkg/.npmrc", b"prefix=tools\n"),
            ["pkg/tools/etc/npmrc"]
        );
        assert_eq!(
            named_configs(
                ".npmrc",
                b"userconfig=${PWD}/a\nglobalconfig=/proc/self/cwd/b\n"
            ),
            ["a", "b"]
        );
        assert_eq!(
            named_configs(
                "pkg/.npmrc",
                b"//r.example/:certfile=c.crt\n//r.example/:keyfile=certs/c.key\n//s/:keyfile=~/k\n"
            ),
            ["pkg/certs/c.key", "pkg/~/k"]
        );
        for not_a_key in ["keyfile=k\n", "//r/:KEYFILE=k\n", "//r/:keyfile=/etc/k\n"] {
            assert!(
                named_configs(".npmrc", not_a_key.as_bytes()).is_empty(),
                "{not_a_key}"
            );
        }
    }
}
