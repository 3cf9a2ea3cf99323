//! One test per class of disagreement the verdict differential
//! (tests/npm_verdict.rs) found between the detector and npm, each decided
//! by what npm sends.

mod common;

use npmrc_guard::detect::detect;

/// The (rule, severity) of every finding in `src`.
fn findings(src: &str) -> Vec<(String, String)> {
    detect(".npmrc", src.as_bytes())
        .into_iter()
        .map(|d| {
            (
                d.finding.rule.id().to_string(),
                d.finding.severity.to_string(),
            )
        })
        .collect()
}

fn errors(src: &str) -> Vec<String> {
    findings(src)
        .into_iter()
        .filter(|(_, sev)| sev == "error")
        .map(|(rule, _)| rule)
        .collect()
}

/// A warning about a broken reference holds no secret: it must not hide a
/// certain token written in the same value.
#[test]
fn a_broken_reference_does_not_hide_a_token_beside_it() {
    let tok = common::npm_token(41);
    let gl = common::gitlab_token(42);
    for src in [
        format!("//r.example/:note=$NPM_TOKEN {tok}\n"),
        format!("//r1.example/:email[]=\\\\${{B}}{gl}${{P}}\n"),
    ] {
        let got = findings(&src);
        assert!(
            got.iter()
                .any(|(r, s)| s == "error" && r.ends_with("-token")),
            "{got:?} for {src:?}"
        );
    }
}

/// npm sends a JSON object value as `[object Object]`: a token written
/// inside one is not what npm sends (a certain token is still reported, as
/// anywhere in a file).
#[test]
fn a_token_inside_a_json_object_is_not_sent() {
    let broken = common::break_checksum(&common::npm_token(43));
    let src = format!("//r.example/:_authToken='{{\"a\":\"${broken}\"}}'\n");
    assert_eq!(errors(&src), Vec::<String>::new(), "{src:?}");
    let src = format!("//r.example/:_authToken='{{\"a\":\"{broken}\"}}'\n");
    assert_eq!(errors(&src), Vec::<String>::new(), "{src:?}");
    let certain = common::npm_token(44);
    let src = format!("//r.example/:_authToken='{{\"a\":\"{certain}\"}}'\n");
    assert_eq!(errors(&src), vec!["npm-token".to_string()], "{src:?}");
    // In an array npm sends the string inside.
    let src = format!("//r.example/:_authToken='[\"{broken}\"]'\n");
    assert_eq!(errors(&src), vec!["npm-token".to_string()], "{src:?}");
}

/// A URL's password or username that is a whole reference npm does not
/// expand is a broken reference, not a secret.
#[test]
fn a_url_part_that_is_a_whole_reference_is_no_secret() {
    for src in [
        "registry=https://alice:$NPM_PASSWORD@npm.corp.example/\n",
        "registry=https://alice:%NPM_PASSWORD%@npm.corp.example/\n",
        // `\\${A}`: ini reads `\${A}`, npm leaves `${A}` as text.
        "k1=http://\\\\${A}@npm.corp.example/\n",
    ] {
        assert_eq!(errors(src), Vec::<String>::new(), "{src:?}");
    }
    let got = findings("registry=https://alice:$NPM_PASSWORD@npm.corp.example/\n");
    assert!(
        got.iter().any(|(r, _)| r == "broken-interpolation"),
        "{got:?}"
    );
    // A password with a `$` inside is a secret all the same.
    assert_eq!(
        errors("registry=https://alice:Pa$sw0rd2024@npm.corp.example/\n"),
        vec!["url-credentials".to_string()]
    );
}

/// A username is no credential beside a password npm takes from the
/// environment, however the reference is written and wherever the value
/// comes from.
#[test]
fn a_username_beside_a_password_from_the_environment() {
    for src in [
        // `?` ends a URL's authority: the raw value parses otherwise.
        "k1=https://alice:${NPM_PASSWORD?}@npm.corp.example/\n",
        // A JSON value: npm expands nothing, the password is the text `${P}`.
        "@acme:email='[\"https:///alice@corp:${P}@registry.npmjs.org/\"]'\n",
        "k2='[\"http://alice:[token]@npm.corp.example/npm/\",\"second\"]'\n",
        // A reference before the scheme decides whether it is a URL at all.
        "//r.example/:username=${U}https:\\\\alice@corp:{{P}}@h.example:8080\n",
    ] {
        assert_eq!(errors(src), Vec::<String>::new(), "{src:?}");
    }
    // A username alone is still a credential.
    assert_eq!(
        errors("registry=https://Zq81mXkL0pAa@npm.corp.example/\n"),
        vec!["url-credentials".to_string()]
    );
}

/// `$NAME` and an unclosed `${NAME` name a variable only when NAME is
/// written in one case; otherwise they are a secret that starts with `$`.
#[test]
fn a_secret_that_starts_with_a_dollar() {
    let broken = common::break_checksum(&common::npm_token(45));
    for src in [
        "//r.example/:_authToken=$ecretPassw0rd\n".to_string(),
        format!("//r.example/:_authToken=${{B{broken}\n"),
        format!("//r.example/:_authToken=$NPM_TOKEN{broken}\n"),
        format!("//r.example/:_authtoken=${broken}a\n"),
    ] {
        assert!(!errors(&src).is_empty(), "{src:?}");
    }
    for src in [
        "//r.example/:_authToken=$NPM_TOKEN\n",
        "//r.example/:_authToken=$npm_token\n",
        "//r.example/:_authToken=${NPM_TOKEN\n",
    ] {
        assert_eq!(errors(src), Vec::<String>::new(), "{src:?}");
        assert!(
            findings(src)
                .iter()
                .any(|(r, _)| r == "broken-interpolation"),
            "{src:?}"
        );
    }
}

/// parse-field reads `true`, `false`, `null` and `undefined` after
/// trimming, also when quoted; in a `key[]=` list npm sends the string of
/// the list (`false`), which is no secret.
#[test]
fn true_false_null_are_no_secrets() {
    for src in [
        "//r.example/:_authToken=\" null\"\n",
        "//r.example/:_authToken=\"true \"\n",
        "//r.example/:_authToken[]=false\n",
        "_authToken[]=null\n",
    ] {
        assert_eq!(errors(src), Vec::<String>::new(), "{src:?}");
    }
}

/// npm decodes `_password` as base64 and Node stops at the first `=`: a
/// value that decodes to nothing sends nothing, a token written after the
/// `=` included (a certain token is still reported, as anywhere).
#[test]
fn a_password_that_decodes_to_nothing_sends_nothing() {
    let broken = common::break_checksum(&common::npm_token(46));
    let src = format!("//b.example/:username=alice\n//b.example/:_password==%P%{broken}\n");
    assert_eq!(errors(&src), Vec::<String>::new(), "{src:?}");
    let certain = common::npm_token(47);
    let src = format!("//b.example/:username=alice\n//b.example/:_password==%P%{certain}\n");
    assert_eq!(errors(&src), vec!["npm-token".to_string()], "{src:?}");
    // Decoding that yields bytes: a secret.
    let src = format!("//b.example/:username=alice\n//b.example/:_password={broken}\n");
    assert_eq!(errors(&src), vec!["npm-token".to_string()], "{src:?}");
}
