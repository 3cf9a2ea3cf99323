//! The settings committed npm configs export to one another (pure).
//!
//! npm exports every setting it loaded (the project `.npmrc` and the
//! `userconfig=`/`globalconfig=` files it names) to the npm a script
//! starts as `npm_config_<key>`. A credential written
//! `${npm_config_corp_token}` in one of them is filled from a literal
//! `corp-token=` in another (review 8, #3): each file of such a group is
//! judged with the settings of the others ([`detect::detect_with_settings`]),
//! and what that adds is reported. Within one file, [`detect`] sees it.

use std::collections::{HashMap, HashSet};

use crate::detect::{self, Detected};

/// Where a reference to another file's setting may start.
const SETTING_REFERENCE: &[u8] = b"${npm_config_";

/// The findings each file of `files` (path, content) gets only from the
/// settings of the files npm loads with it, with the index of its file:
/// a project `.npmrc` and the repository files it names as configs
/// ([`crate::files::named_configs`]). In a history, every version of a
/// path counts (as env files do, [`crate::envfiles::detect_all`]).
pub fn detect_all(files: &[(&str, &[u8])]) -> Vec<(usize, Detected)> {
    let mut out = Vec::new();
    let mut reported = HashSet::new();
    for (i, (path, src)) in files.iter().enumerate() {
        let name = path.rsplit('/').next().unwrap_or(path);
        if !crate::select::is_npmrc_name(name.as_bytes()) {
            continue;
        }
        let named = crate::files::named_configs(path, src);
        if named.is_empty() {
            continue;
        }
        let group: Vec<usize> = std::iter::once(i)
            .chain(
                files
                    .iter()
                    .enumerate()
                    .filter(|(_, (p, _))| named.iter().any(|n| n == p))
                    .map(|(j, _)| j),
            )
            .collect();
        for &m in &group {
            let (mpath, msrc) = files[m];
            if memchr::memmem::find(msrc, SETTING_REFERENCE).is_none() {
                continue;
            }
            let outside = settings_of(files, group.iter().filter(|&&o| files[o].0 != mpath));
            if outside.is_empty() {
                continue;
            }
            // (The same bytes: a finding is its place and rule.)
            let place = |d: &Detected| (d.finding.span.clone(), d.finding.rule);
            let own: HashSet<_> = detect::detect(mpath, msrc).iter().map(place).collect();
            for d in detect::detect_with_settings(mpath, msrc, &outside) {
                if !own.contains(&place(&d)) && reported.insert((m, place(&d))) {
                    out.push((m, d));
                }
            }
        }
    }
    out
}

/// The settings the files at `indices` export, each with where it is set.
fn settings_of<'a>(
    files: &[(&str, &[u8])],
    indices: impl Iterator<Item = &'a usize>,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for &o in indices {
        let (path, src) = files[o];
        for (name, line) in detect::exported_settings(src) {
            out.entry(name).or_insert_with(|| format!("{path}:{line}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn errors(files: &[(&str, &str)]) -> Vec<(usize, String)> {
        let files: Vec<(&str, &[u8])> = files.iter().map(|(p, s)| (*p, s.as_bytes())).collect();
        detect_all(&files)
            .into_iter()
            .filter(|(_, d)| d.finding.severity == Severity::Error)
            .map(|(i, d)| (i, d.finding.rule.id().to_string()))
            .collect()
    }

    /// `${npm_config_corp_token}` in a project `.npmrc` whose named
    /// `userconfig=`/`globalconfig=` file sets `corp-token=` literally,
    /// and the other way round, is an error; not when the file is not
    /// named, the setting is a reference, or the key differs.
    #[test]
    fn a_setting_of_a_named_config_fills_a_reference_in_the_other() {
        let reference = "//r.example/:_authToken=${npm_config_corp_token}\n";
        let literal = "corp-token=Kq7vRmZpLxWd2NsTb4Hc\n";
        for key in ["userconfig", "globalconfig"] {
            let project = format!("{key}=conf/npmrc\n{reference}");
            assert_eq!(
                errors(&[(".npmrc", &project), ("conf/npmrc", literal)]),
                [(0, "auth-token".to_string())],
                "{key}"
            );
            let project = format!("{key}=conf/npmrc\n{literal}");
            assert_eq!(
                errors(&[(".npmrc", &project), ("conf/npmrc", reference)]),
                [(1, "auth-token".to_string())],
                "{key}"
            );
        }
        let project = format!("userconfig=conf/npmrc\n{reference}");
        for (files, why) in [
            (
                vec![(".npmrc", reference), ("conf/npmrc", literal)],
                "not named",
            ),
            (
                vec![
                    (".npmrc", project.as_str()),
                    ("conf/npmrc", "corp-token=${T}\n"),
                ],
                "a reference",
            ),
            (
                vec![
                    (".npmrc", project.as_str()),
                    ("conf/npmrc", "corp-tokens=Kq7vRmZpLxWd2NsTb4Hc\n"),
                ],
                "another key",
            ),
            (
                vec![(".npmrc", project.as_str()), ("other/npmrc", literal)],
                "another file",
            ),
        ] {
            assert!(errors(&files).is_empty(), "{why}");
        }
        // Within one file, the file's own reading reports it: not twice.
        let both = format!("userconfig=conf/npmrc\n{literal}{reference}");
        assert!(errors(&[(".npmrc", &both), ("conf/npmrc", literal)]).is_empty());
    }
}
