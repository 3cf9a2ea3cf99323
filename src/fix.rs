//! Fixes as data (pure): which `${VAR}` replaces each literal secret, and
//! one function that applies byte-range edits to a file.

use std::collections::HashMap;
use std::ops::Range;

use crate::detect::{Detected, Field};

/// Replace `span` of the input with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Range<usize>,
    pub text: String,
}

/// A secret a fix removes from the file, and the variable that now names it.
#[derive(Clone, PartialEq, Eq)]
pub struct Moved {
    pub var: String,
    pub value: crate::finding::Secret,
}

impl std::fmt::Debug for Moved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Moved({}={})", self.var, self.value)
    }
}

/// Variable names for the fixable findings of one file (SPEC.md, "Fix"):
/// `NPM_TOKEN` / `NPM_AUTH` / `NPM_PASSWORD` when the file holds one
/// distinct secret; otherwise one per registry, `NPM_TOKEN_<HOST>`; the same
/// secret always gets the same name. `vars` maps a registry host to a name
/// the user chose; `single` overrides the name when there is one secret.
pub fn assign_vars(found: &mut [Detected], vars: &HashMap<String, String>, single: Option<&str>) {
    let mut distinct: Vec<&str> = Vec::new();
    for d in found.iter() {
        if let (Some(_), Some(s)) = (&d.fix, &d.secret) {
            if !distinct.contains(&s.expose()) {
                distinct.push(s.expose());
            }
        }
    }
    let several = distinct.len() > 1;
    let mut by_secret: HashMap<String, String> = HashMap::new();
    let mut taken: Vec<String> = Vec::new();
    for d in found.iter_mut() {
        let (Some(site), Some(secret)) = (&d.fix, &d.secret) else {
            continue;
        };
        let name = match by_secret.get(secret.expose()) {
            Some(name) => name.clone(),
            None => {
                let host = d.finding.host.as_deref();
                let wanted = host
                    .and_then(|h| vars.get(h).cloned())
                    .or_else(|| (!several).then(|| single.map(str::to_string)).flatten())
                    .unwrap_or_else(|| default_name(site.field, host, several));
                let name = unique(wanted, &taken);
                taken.push(name.clone());
                by_secret.insert(secret.expose().to_string(), name.clone());
                name
            }
        };
        d.finding.fix = Some(format!("${{{name}}}"));
    }
}

fn default_name(field: Field, host: Option<&str>, several: bool) -> String {
    let base = field.var_base();
    match host {
        Some(host) if several => {
            let suffix: String = host
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            format!("{base}_{suffix}")
        }
        _ => base.to_string(),
    }
}

fn unique(wanted: String, taken: &[String]) -> String {
    if !taken.contains(&wanted) {
        return wanted;
    }
    (2..)
        .map(|n| format!("{wanted}_{n}"))
        .find(|c| !taken.contains(c))
        .expect("an unused name exists")
}

/// The edits that rewrite every fixable finding, and the secrets they move.
pub fn edits(found: &[Detected]) -> (Vec<Edit>, Vec<Moved>) {
    let mut edits = Vec::new();
    let mut moved: Vec<Moved> = Vec::new();
    for d in found {
        let (Some(site), Some(secret), Some(text)) = (&d.fix, &d.secret, &d.finding.fix) else {
            continue;
        };
        edits.push(Edit {
            span: site.span.clone(),
            text: text.clone(),
        });
        let var = text
            .trim_start_matches("${")
            .trim_end_matches('}')
            .to_string();
        if !moved.iter().any(|m| m.var == var) {
            moved.push(Moved {
                var,
                value: secret.clone(),
            });
        }
    }
    (edits, moved)
}

/// Apply `edits` to `src`. Edits are applied in order of position (ties in
/// the order given); one that
/// overlaps an earlier one is skipped. Bytes outside the edits are copied
/// unchanged.
pub fn apply(src: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| e.span.start);
    let mut out = Vec::with_capacity(src.len());
    let mut pos = 0;
    for e in sorted {
        if e.span.start < pos || e.span.end > src.len() {
            continue;
        }
        out.extend_from_slice(&src[pos..e.span.start]);
        out.extend_from_slice(e.text.as_bytes());
        pos = e.span.end;
    }
    out.extend_from_slice(&src[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_keeps_other_bytes() {
        let src = b"\xEF\xBB\xBFa=1\r\nb=22\rc=3";
        let e = [
            Edit {
                span: 15..16,
                text: "X".into(),
            },
            Edit {
                span: 10..12,
                text: "${Y}".into(),
            },
            Edit {
                span: 10..11,
                text: "overlap".into(),
            },
        ];
        assert_eq!(apply(src, &e), b"\xEF\xBB\xBFa=1\r\nb=${Y}\rc=X".to_vec());
    }
}
