//! pnpm's other manifests, `package.yaml` and `package.json5` (pure).
//!
//! pnpm takes either instead of `package.json` (`@pnpm/read-project-manifest`
//! tries `package.json`, then `package.json5`, then `package.yaml`), and
//! fetches the URLs of their dependency specs with their `user:password@`
//! and query (checked with pnpm 10 on the wire). Every one committed is
//! read, whichever pnpm would take: the same keys as `package.json`
//! ([`crate::dep_urls`]: dependencies of every kind, `overrides`,
//! `resolutions`, `pnpm.overrides`, catalogs), each string judged as a
//! dependency spec is, and a certain token anywhere. `package.yaml` is
//! read as `pnpm-workspace.yaml` is (js-yaml's merge keys, aliases walked
//! once, [`crate::pnpm_workspace::spec_strings`]); `package.json5` by
//! [`crate::json5`] (comments, single quotes, unquoted keys, escapes).

use crate::dep_urls::{self, Spec, DEPENDENCY_KEYS};
use crate::detect::Detected;
use crate::foreign;

/// The YAML manifest pnpm reads.
pub const PACKAGE_YAML: &str = "package.yaml";

/// The JSON5 manifest pnpm reads.
pub const PACKAGE_JSON5: &str = "package.json5";

/// Whether the file name `name` is one of pnpm's other manifests.
pub fn is_manifest_name(name: &str) -> bool {
    name.eq_ignore_ascii_case(PACKAGE_YAML) || name.eq_ignore_ascii_case(PACKAGE_JSON5)
}

/// Findings in one `package.yaml` or `package.json5` (by `path`'s name).
pub fn detect(path: &str, src: &[u8]) -> Vec<Detected> {
    // Byte for byte, so places stay: each byte that is not UTF-8 a `?`
    // (pnpm reads U+FFFD there; no key or URL holds one).
    let mut text = String::with_capacity(src.len());
    for chunk in src.utf8_chunks() {
        text.push_str(chunk.valid());
        text.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    let yaml = crate::select::ends_with_caseless(path, PACKAGE_YAML);
    let note = "in a pnpm manifest (package.yaml, package.json5), whose dependency URLs pnpm \
                fetches with these credentials; the fixer does not rewrite it: \
                remove them from the URL (give them in the user's .npmrc) and revoke them";
    let mut found = if !dep_urls::may_hold_url_credentials(src) {
        Vec::new()
    } else if yaml {
        match crate::yarnrc_yml::read(&text) {
            Some(root) => {
                let specs = crate::pnpm_workspace::spec_strings(&text, &root, DEPENDENCY_KEYS);
                dep_urls::detect_specs(path, src, &specs, note)
            }
            // Refused here (nested past `yarnrc_yml::MAX_DEPTH`, or YAML
            // saphyr does not read) but maybe read by pnpm's js-yaml:
            // every URL with credentials counts, as in a lockfile.
            None => dep_urls::detect_unread_yaml(path, src, note),
        }
    } else {
        dep_urls::detect_specs(path, src, &json5_specs(&text), note)
    };
    foreign::certain_tokens(path, src, &mut found);
    if yaml {
        foreign::retain_allowed(src, &mut found);
    }
    found.sort_by_key(|d| (d.finding.line, d.finding.column, d.finding.rule));
    found
}

/// The dependency specs of a `package.json5`: its strings under
/// [`DEPENDENCY_KEYS`] that could hold a URL with credentials.
fn json5_specs(text: &str) -> Vec<Spec> {
    crate::json5::strings(text)
        .into_iter()
        .filter(|s| {
            s.path
                .first()
                .is_some_and(|k| DEPENDENCY_KEYS.contains(&k.as_str()))
                && s.text.contains(['@', '?'])
        })
        .map(|s| Spec {
            key: s
                .path
                .iter()
                .map(|k| foreign::shown_name(k))
                .collect::<Vec<_>>()
                .join("."),
            text: s.text,
            span: s.span,
            verbatim: s.verbatim,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(path: &str, src: &str) -> Vec<(String, usize, usize, Option<String>)> {
        detect(path, src.as_bytes())
            .into_iter()
            .map(|d| {
                let f = d.finding;
                (f.rule.id().to_string(), f.line, f.column, f.key)
            })
            .collect()
    }

    #[test]
    fn both_manifests_are_read_as_package_json() {
        let key = |k: &str| Some(k.to_string());
        let yaml = "name: x\nbase: &b\n  priv: http://alice:Summer2024xyz@h/p.tgz\ndependencies:\n  <<: *b\npnpm:\n  overrides:\n    q: \"http://h/q.tgz?private_token=f9c452a8-1a4a-4144-828e-6d170876d1d5\"\n";
        assert_eq!(
            found(PACKAGE_YAML, yaml),
            [
                ("url-credentials".into(), 3, 22, key("dependencies.priv")),
                ("url-credentials".into(), 8, 38, key("pnpm.overrides.q")),
            ]
        );
        let json5 = "// c\n{name: 'x', devDependencies: {priv: 'http://alice:Summer2024xyz@h/p.tgz',},\n optionalDependencies: {\"e\": \"http://bob:Winter2024xyz\\u0040h/e.tgz\"}}\n";
        assert_eq!(
            found(PACKAGE_JSON5, json5),
            [
                ("url-credentials".into(), 2, 51, key("devDependencies.priv")),
                (
                    "url-credentials".into(),
                    3,
                    30,
                    key("optionalDependencies.e")
                ),
            ]
        );
        // Elsewhere (a description, a script) a URL is not fetched.
        assert!(found(PACKAGE_JSON5, "{description: 'http://a:Summer2024xyz@h/'}").is_empty());
        assert!(found(PACKAGE_YAML, "homepage: http://a:Summer2024xyz@h/\n").is_empty());
    }

    /// A `package.yaml` this reader refuses (nested past
    /// `yarnrc_yml::MAX_DEPTH`; js-yaml reads about 2,000 deep) still has
    /// its dependency URLs read, as a lockfile's.
    #[test]
    fn a_manifest_too_deep_to_read_has_its_urls_read() {
        let deep = format!(
            "x: {}{}\ndependencies:\n  priv: http://alice:Summer2024xyz@h/p.tgz\n",
            "[".repeat(crate::yarnrc_yml::MAX_DEPTH + 1),
            "]".repeat(crate::yarnrc_yml::MAX_DEPTH + 1)
        );
        assert_eq!(
            found(PACKAGE_YAML, &deep)
                .iter()
                .map(|f| (f.0.as_str(), f.1))
                .collect::<Vec<_>>(),
            [("url-credentials", 3)]
        );
    }
}
