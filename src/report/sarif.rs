//! `--format sarif`: SARIF 2.1.0, for code-scanning uploads.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::Report;
use crate::finding::{Rule, Severity};

pub const INFORMATION_URI: &str = "https://crates.io/crates/npmrc-guard";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn help(rule: Rule) -> &'static str {
    match rule {
        Rule::NpmToken | Rule::GithubToken | Rule::GitlabToken | Rule::AuthToken => {
            "A literal registry token in .npmrc lets anyone who can read the repository publish as its owner. Replace it with ${NPM_TOKEN} interpolation (`npmrc-guard fix`), set the variable in your environment and CI secrets, and revoke the token if it was ever committed."
        }
        Rule::BasicAuth => {
            "A literal `_auth` or `_password` value is a credential. Replace it with ${NPM_AUTH} / ${NPM_PASSWORD} interpolation (`npmrc-guard fix`) and rotate the password if it was ever committed."
        }
        Rule::UrlCredentials => {
            "A registry URL of the form https://user:password@host/ carries a password. Replace the password with ${NPM_PASSWORD} (`npmrc-guard fix`) and rotate it if it was ever committed."
        }
        Rule::PrivateKey => {
            "A PEM private key inline in .npmrc (npm's `key` setting, the TLS client key) lets anyone who can read the repository authenticate as its owner. Move it out of the repository (a `keyfile` outside it) and replace the key pair."
        }
        Rule::BrokenInterpolation => {
            "npm only expands ${NAME} and ${NAME?}. `$NAME`, `$<NAME>`, `%NAME%`, `{{NAME}}`, an unclosed `${NAME` or an escaped `\\${NAME}` are sent literally, so authentication fails."
        }
        Rule::ConfigChanged => {
            "A commit under review changes .npmrc-guard.toml. The scan used the base side's version, so a pull request cannot switch off its own scan; review the config change on its own."
        }
        Rule::UnscopedCredential => {
            "npm 9 and later ignore credentials that are not scoped to a registry. Write `//registry.example/:_authToken=${NPM_TOKEN}` instead of `_authToken=…`."
        }
    }
}

fn rules() -> Vec<Value> {
    Rule::ALL
        .iter()
        .map(|&r| {
            json!({
                "id": r.id(),
                "name": r.id(),
                "shortDescription": { "text": r.summary() },
                "fullDescription": { "text": help(r) },
                "help": { "text": help(r) },
                "helpUri": INFORMATION_URI,
                "defaultConfiguration": { "level": level(r.severity()) },
            })
        })
        .collect()
}

/// A relative URI reference for a path as reports show it: its real bytes,
/// percent-encoded but for unreserved characters and `/`.
fn uri(shown: &str) -> String {
    let mut out = String::new();
    for b in crate::inputs::path_bytes(shown) {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn emit(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let rule_index = Rule::ALL.iter().position(|r| *r == f.rule).unwrap_or(0);
            let end_column = f.column + f.span.len().max(1);
            let region = json!({
                "startLine": f.line,
                "startColumn": f.column,
                "endLine": f.line,
                "endColumn": end_column,
            });
            let location = json!({ "uri": uri(&f.path), "uriBaseId": "SRCROOT" });
            let mut result = json!({
                "ruleId": f.rule.id(),
                "ruleIndex": rule_index,
                "level": level(f.severity),
                "message": { "text": super::message(f) },
                "locations": [{
                    "physicalLocation": { "artifactLocation": location, "region": region }
                }],
                "partialFingerprints": { "npmrcGuardFingerprint/v1": f.fingerprint.get() },
            });
            if let Some(fix) = &f.fix {
                result["fixes"] = json!([{
                    "description": { "text": format!("Replace the secret with {fix}") },
                    "artifactChanges": [{
                        "artifactLocation": location,
                        "replacements": [{
                            "deletedRegion": region,
                            "insertedContent": { "text": fix },
                        }],
                    }],
                }]);
            }
            if let Some(commit) = &f.commit {
                result["properties"] = json!({ "commit": commit });
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "npmrc-guard",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules(),
                }
            },
            "originalUriBaseIds": { "SRCROOT": { "description": { "text": "The repository root." } } },
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}
