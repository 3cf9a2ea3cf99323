//! pnpm's `pnpm-workspace.yaml` (pure).
//!
//! pnpm 10 copies every camelCase top-level key of the file into its
//! config (`addSettingsFromWorkspaceManifestToConfig`), after the
//! registries were taken from `.npmrc`. Checked with pnpm 10.34 on the
//! wire: `registries.default` and `registries.<@scope>` are sent with the
//! URL's `user:password@` (`Authorization: Basic`); `httpProxy`,
//! `httpsProxy` and `proxy` with theirs (`Proxy-Authorization`); and
//! `rawConfig`, the `.npmrc` settings pnpm takes credentials from, is
//! replaced by the file's own, so `rawConfig: {"//host/:_authToken": …}`
//! is sent (`Bearer`). Ignored there: `registry`, `//host/:_authToken` and
//! other `.npmrc` keys at the top level, `authToken`, kebab-case keys,
//! anything under `settings:`. Values are used as written (no `${…}`).
//!
//! The file also holds dependency specs, whose URLs pnpm fetches with
//! their `user:password@` (checked on the wire): `catalog`, `catalogs`,
//! `overrides`, `packageExtensions` and `configDependencies` (a `tarball`
//! there). Every string under those keys is read as a `package.json`
//! dependency spec is ([`crate::dep_urls`]).
//!
//! pnpm reads the file with js-yaml's default schema, which applies the
//! merge key: a plain `<<: *anchor` (or a list of them) puts the anchored
//! mapping's members into the mapping it stands in. So they are read here
//! too, in every mapping; every member is judged, the ones a merge would
//! not take (a key already there) as well, as every duplicate is.
//!
//! The YAML is read by [`crate::yarnrc_yml`]'s reader (double-quoted
//! escapes decoded: `\x40` is an `@`); each setting is judged by
//! [`crate::foreign::judge`], so the rules, stand-ins and masking are
//! those of `.npmrc`. A certain token counts anywhere.

use std::collections::HashSet;

use crate::dep_urls::{self, Spec};
use crate::detect::Detected;
use crate::foreign::{self, Cred};
use crate::yarnrc_yml::{entries, item, read, Node};

/// The file name pnpm reads.
pub const NAME: &str = "pnpm-workspace.yaml";

/// How notes name the file.
pub const TOOL: &str = "pnpm's pnpm-workspace.yaml";

/// The top-level keys whose strings are dependency specs pnpm fetches.
const SPEC_KEYS: &[&str] = &[
    "catalog",
    "catalogs",
    "overrides",
    "packageExtensions",
    "configDependencies",
];

/// Findings in one `pnpm-workspace.yaml`. A file without an `@`, a `?`,
/// a `_`, a `\\` or a Gemfury host (no URL credentials in a user name, a
/// query or a path, no `rawConfig` key, no token, no escape that could
/// spell one) costs three passes.
pub fn detect(path: &str, src: &[u8]) -> Vec<Detected> {
    if !dep_urls::may_hold_url_credentials(src) && memchr::memchr(b'_', src).is_none() {
        return Vec::new();
    }
    // Byte for byte, so places stay: each byte that is not UTF-8 a `?`
    // (pnpm reads U+FFFD there; no setting name or URL holds one).
    let mut text = String::with_capacity(src.len());
    for chunk in src.utf8_chunks() {
        text.push_str(chunk.valid());
        text.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    let mut items = Vec::new();
    let mut specs = Vec::new();
    if let Some(root) = read(&text) {
        let mut walk = Walk::new(&text);
        for (name, value) in walk.members(&root, Role::Top) {
            match name.as_str() {
                "registries" => {
                    for (scope, url) in walk.members(value, Role::Registries) {
                        let key = format!("registries.{}", foreign::shown_name(&scope));
                        items.extend(item(url, key, Cred::Url, false));
                    }
                }
                "httpProxy" | "httpsProxy" | "proxy" => {
                    items.extend(item(value, name.clone(), Cred::Url, false));
                }
                "rawConfig" => {
                    for (key, v) in walk.members(value, Role::RawConfig) {
                        let Some(cred) = npmrc_cred(&key) else {
                            continue;
                        };
                        let key = format!("rawConfig[{:?}]", foreign::shown_name(&key));
                        items.extend(item(v, key, cred, false));
                    }
                }
                n if SPEC_KEYS.contains(&n) => walk.strings(value, n, &mut specs),
                _ => {}
            }
        }
    } else {
        // A file this reader refuses may be one pnpm's js-yaml reads (a
        // quoted scalar's line under-indented): every URL with
        // credentials in it counts, as in a lockfile.
        let note = "in pnpm-workspace.yaml (which this guard's YAML reader could not read; \
                    pnpm's may), whose registry and dependency URLs pnpm sends with their \
                    credentials: remove them from the URL (give them in the user's .npmrc) \
                    and revoke them";
        let mut found = dep_urls::detect_unread_yaml(path, src, note);
        foreign::retain_allowed(src, &mut found);
        if !found.is_empty() {
            return found;
        }
    }
    let note = "in pnpm-workspace.yaml, whose dependency URLs pnpm fetches with these credentials \
                (catalogs, overrides, packageExtensions, configDependencies): \
                remove them from the URL (give them in the user's .npmrc) and revoke them";
    let mut found = dep_urls::detect_specs(path, src, &specs, note);
    foreign::retain_allowed(src, &mut found);
    let settings = foreign::judge(
        path,
        src,
        &items,
        TOOL,
        "pnpm expands nothing there: put the secret in the user's .npmrc as `${NPM_TOKEN}`",
    );
    for mut d in settings {
        // A certain token a spec's finding already covers is not reported
        // twice.
        let covered = found.iter().any(|f| {
            f.finding.span.start < d.finding.span.end && d.finding.span.start < f.finding.span.end
        });
        if covered && d.finding.key.is_none() {
            continue;
        }
        // pnpm expands no reference in this file (checked: `${X}` in a
        // registry URL is sent as the text): no fix.
        d.fix = None;
        if d.finding.severity == crate::finding::Severity::Error {
            d.finding.detail = Some(
                "in pnpm-workspace.yaml, whose settings pnpm 10 uses as written (no `${…}`): \
                 remove the credential, give it in the user's .npmrc, and revoke it"
                    .to_string(),
            );
        }
        found.push(d);
    }
    found.sort_by_key(|d| (d.finding.line, d.finding.column, d.finding.rule));
    found
}

/// Every string holding an `@`, a `?` or a Gemfury host under the top-level keys `keys`
/// of the document `root` (merge keys applied, aliases walked once), as
/// specs named by their dotted path: pnpm's `package.yaml` manifest is
/// read so ([`crate::manifests`]).
pub(crate) fn spec_strings(text: &str, root: &Node, keys: &[&str]) -> Vec<Spec> {
    let mut specs = Vec::new();
    let mut walk = Walk::new(text);
    for (name, value) in walk.members(root, Role::Top) {
        if keys.contains(&name.as_str()) {
            walk.strings(value, &name, &mut specs);
        }
    }
    specs
}

/// What a mapping is to pnpm, so each is walked once in each role.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Role {
    Top,
    Registries,
    RawConfig,
    Specs,
    SpecMap,
}

/// A walk over the document, each node visited at most once in each role:
/// aliases share nodes, so a file of a few lines can name a node a
/// million times ("billion laughs"); a node met again adds nothing new.
struct Walk<'t> {
    text: &'t str,
    seen: HashSet<(*const Node, Role)>,
}

impl<'t> Walk<'t> {
    fn new(text: &'t str) -> Self {
        Walk {
            text,
            seen: HashSet::new(),
        }
    }

    /// The members of the mapping `node` as pnpm's reader has them: each
    /// merge key replaced by the members of the mapping (or mappings) it
    /// names, themselves merged; duplicates kept. Walked with a stack, not
    /// by recursion: a chain of merges may be long.
    fn members<'n>(&mut self, node: &'n Node, role: Role) -> Vec<(String, &'n Node)> {
        let mut out = Vec::new();
        let mut todo = vec![node];
        while let Some(map) = todo.pop() {
            if !self.seen.insert((std::ptr::from_ref(map), role)) {
                continue;
            }
            for (name, key, value) in entries(map) {
                if !is_merge(self.text, &name, &key) {
                    out.push((name, value));
                    continue;
                }
                match value {
                    Node::Map(_) => todo.push(value),
                    Node::Seq(items) => todo.extend(items.iter().rev().map(|i| &**i)),
                    Node::Scalar { .. } => {}
                }
            }
        }
        out
    }

    /// Every string scalar under `node` (mappings, merged, and sequences
    /// walked), as a spec named by its dotted path from `key`.
    fn strings(&mut self, node: &Node, key: &str, out: &mut Vec<Spec>) {
        let mut todo = vec![(node, key.to_string())];
        while let Some((node, key)) = todo.pop() {
            if !self.seen.insert((std::ptr::from_ref(node), Role::Specs)) {
                continue;
            }
            match node {
                Node::Scalar {
                    value,
                    span,
                    verbatim,
                } => {
                    if value.contains(['@', '?'])
                        || crate::path_token::mentions(value.as_bytes())
                            .next()
                            .is_some()
                    {
                        out.push(Spec {
                            key,
                            text: value.clone(),
                            span: span.clone(),
                            verbatim: *verbatim,
                        });
                    }
                }
                Node::Map(_) => {
                    for (name, value) in self.members(node, Role::SpecMap) {
                        let name = foreign::shown_name(&name);
                        todo.push((value, format!("{key}.{name}")));
                    }
                }
                Node::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        todo.push((&**item, format!("{key}[{i}]")));
                    }
                }
            }
        }
    }
}

/// Whether a mapping key is YAML's merge key as js-yaml reads it: the
/// plain scalar `<<` (perhaps tagged `!!merge`); a quoted `"<<"` is a
/// string key.
fn is_merge(text: &str, name: &str, key: &Node) -> bool {
    let Node::Scalar { span, .. } = key else {
        return false;
    };
    name == "<<" && text.get(span.start..).is_some_and(|t| t.starts_with("<<"))
}

/// The credential an `.npmrc` key holds, as pnpm reads `rawConfig`.
fn npmrc_cred(key: &str) -> Option<Cred> {
    if key.ends_with("_authToken") {
        Some(Cred::Token)
    } else if key.ends_with("_auth") {
        Some(Cred::Ident)
    } else if key.ends_with("_password") {
        Some(Cred::Password)
    } else if key == "registry"
        || key.ends_with(":registry")
        || matches!(key, "proxy" | "https-proxy" | "http-proxy")
    {
        Some(Cred::Url)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(src: &str) -> Vec<(String, usize, usize, Option<String>)> {
        detect(NAME, src.as_bytes())
            .into_iter()
            .map(|d| {
                let f = d.finding;
                (f.rule.id().to_string(), f.line, f.column, f.key)
            })
            .collect()
    }

    #[test]
    fn the_settings_pnpm_sends() {
        let src = "packages:\n  - 'a/*'\nregistries:\n  default: http://alice:Summer2024xyz@h/\n  '@corp': https://tok9f8e7d6c5b4a@h/corp/\nhttpsProxy: http://bob:Winter2024xyz@p/\n";
        assert_eq!(
            rules(src),
            [
                (
                    "url-credentials".into(),
                    4,
                    25,
                    Some("registries.default".into())
                ),
                (
                    "url-credentials".into(),
                    5,
                    20,
                    Some("registries.@corp".into())
                ),
                ("url-credentials".into(), 6, 24, Some("httpsProxy".into())),
            ]
        );
        let src = "rawConfig:\n  '//h/:_authToken': 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\n";
        assert_eq!(
            rules(src),
            [(
                "auth-token".into(),
                2,
                22,
                Some("rawConfig[\"//h/:_authToken\"]".into())
            )]
        );
    }

    #[test]
    fn places_stay_in_a_file_that_is_not_utf8() {
        let src = b"# \xff\xfe\xfd\nregistries:\n  default: https://alice:Summer2024xyz@h/\n";
        let found = detect(NAME, src);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].finding.line, found[0].finding.column), (3, 26));
    }

    #[test]
    fn dependency_urls_merges_and_escapes() {
        // Dependency specs, at the password; a flow mapping too.
        let src = "catalog:\n  a: http://alice:Summer2024xyz@h/a.tgz\ncatalogs:\n  x: {b: 'git+https://bob:Winter2024xyz@h/b.git'}\noverrides:\n  c: npm:c@1\n";
        assert_eq!(
            rules(src),
            [
                ("url-credentials".into(), 2, 19, Some("catalog.a".into())),
                ("url-credentials".into(), 4, 27, Some("catalogs.x.b".into())),
            ]
        );
        // A merge key, plain or in a list, at the top and inside a mapping;
        // a quoted `'<<'` is a key like any other.
        let r = "r: &r\n  registries:\n    default: http://alice:Summer2024xyz@h/\n";
        for merge in ["<<: *r\n", "<<: [*r]\n", "!!merge <<: *r\n"] {
            let found = rules(&format!("{r}{merge}"));
            assert_eq!(found.len(), 1, "{merge}: {found:?}");
            assert_eq!(found[0].3.as_deref(), Some("registries.default"));
        }
        assert!(rules(&format!("{r}'<<': *r\n")).is_empty());
        let src = "d: &d\n  default: http://alice:Summer2024xyz@h/\nregistries:\n  <<: *d\n";
        assert_eq!(rules(src).len(), 1);
        // An escaped `@` (and nothing else that would let the file in).
        for at in ["\\x40", "\\u0040", "\\U00000040"] {
            let src = format!("registries:\n  default: \"http://alice:Summer2024xyz{at}h/\"\n");
            assert_eq!(rules(&src).len(), 1, "{src}");
        }
    }

    #[test]
    fn aliases_are_walked_once() {
        // Ten levels of ten aliases each: 10^10 paths, each node once.
        let mut src = "a0: &a0 {p: http://alice:Summer2024xyz@h/x.tgz}\n".to_string();
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            src.push_str(&format!("a{i}: &a{i} {{<<: [{refs}], q: [{refs}]}}\n"));
        }
        src.push_str("catalog: *a9\noverrides: {<<: *a9}\ncatalogs: {x: *a9, y: *a9}\n");
        let found = rules(&src);
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn what_pnpm_ignores_passes() {
        for src in [
            "'//h/:_authToken': 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\n",
            "authToken: 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\n",
            "registries:\n  default: https://registry.npmjs.org/\n",
            "registries:\n  default: https://USER:PASSWORD@h/\n",
            "packages: ['@a/*']\n",
        ] {
            assert!(rules(src).is_empty(), "{src}");
        }
    }
}
