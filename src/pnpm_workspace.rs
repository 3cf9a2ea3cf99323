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
//! The YAML is read by [`crate::yarnrc_yml`]'s reader; each value is
//! judged by [`crate::foreign::judge`], so the rules, stand-ins and
//! masking are those of `.npmrc`. A certain token counts anywhere.

use crate::detect::Detected;
use crate::foreign::{self, Cred};
use crate::yarnrc_yml::{entries, item, read};

/// The file name pnpm reads.
pub const NAME: &str = "pnpm-workspace.yaml";

/// How notes name the file.
pub const TOOL: &str = "pnpm's pnpm-workspace.yaml";

/// Findings in one `pnpm-workspace.yaml`. A file without an `@` or a `_`
/// (no URL credentials, no `rawConfig` key, no token) costs one `memchr`
/// pass.
pub fn detect(path: &str, src: &[u8]) -> Vec<Detected> {
    if memchr::memchr2(b'@', b'_', src).is_none() {
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
    if let Some(root) = read(&text) {
        for (name, _, value) in entries(&root) {
            match name.as_str() {
                "registries" => {
                    for (scope, _, url) in entries(value) {
                        let key = format!("registries.{}", foreign::shown_name(&scope));
                        items.extend(item(url, key, Cred::Url, false));
                    }
                }
                "httpProxy" | "httpsProxy" | "proxy" => {
                    items.extend(item(value, name.clone(), Cred::Url, false));
                }
                "rawConfig" => {
                    for (key, _, v) in entries(value) {
                        let Some(cred) = npmrc_cred(&key) else {
                            continue;
                        };
                        let key = format!("rawConfig[{:?}]", foreign::shown_name(&key));
                        items.extend(item(v, key, cred, false));
                    }
                }
                _ => {}
            }
        }
    }
    foreign::judge(
        path,
        src,
        &items,
        TOOL,
        "pnpm expands nothing there: put the secret in the user's .npmrc as `${NPM_TOKEN}`",
    )
    .into_iter()
    .map(|mut d| {
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
        d
    })
    .collect()
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
