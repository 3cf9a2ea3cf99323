//! What npm really sends, for the cases the verdict differential
//! (tests/npm_verdict.rs) had to decide: the `Authorization` header of a real
//! `npm view` against a server on 127.0.0.1, and the tool's verdict on the
//! same project `.npmrc`. Needs `npm`; under `CI=true` its absence fails.

mod common;

use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

/// Serve 404 to every request on 127.0.0.1 and report the `Authorization`
/// header of each (`None` when absent). Returns the port and the reports.
fn server() -> (u16, mpsc::Receiver<Option<String>>) {
    common::capture::header_server("authorization")
}

/// The `Authorization` header npm sends for `npm view somepkg` in a
/// project whose `.npmrc` is `npmrc` (no variable set).
fn npm_sends(npmrc: &str, rx: &mpsc::Receiver<Option<String>>) -> Option<String> {
    let project = tempfile::tempdir().expect("tempdir");
    std::fs::write(project.path().join(".npmrc"), npmrc).expect("write");
    // npm's project is the nearest folder with a package.json or a
    // node_modules: this one, whatever a folder above holds.
    std::fs::write(project.path().join("package.json"), "{}").expect("write");
    let home = tempfile::tempdir().expect("tempdir");
    while rx.try_recv().is_ok() {}
    let _ = common::hermetic(&mut Command::new("npm"), home.path())
        .current_dir(project.path())
        .args([
            "view",
            "somepkg",
            "--fetch-retries=0",
            "--no-update-notifier",
            "--no-audit",
        ])
        .output()
        .expect("npm runs");
    rx.recv_timeout(Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("npm asked the registry for {npmrc:?}: {e}"))
}

fn base64_decode(s: &str) -> String {
    let bytes = npmrc_guard::eval::base64_lenient(s);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The tool's error rules for the same file.
fn errors(npmrc: &str) -> Vec<String> {
    npmrc_guard::detect::detect(".npmrc", npmrc.as_bytes())
        .into_iter()
        .filter(|d| d.finding.severity.to_string() == "error")
        .map(|d| d.finding.rule.id().to_string())
        .collect()
}

#[test]
fn what_npm_sends_decides() {
    if common::npm_root().is_none() {
        assert!(!common::required(), "npm is required under CI=true");
        eprintln!("skipped: npm is not installed");
        return;
    }
    let (port, rx) = server();
    let host = format!("127.0.0.1:{port}");
    let token = common::npm_token(61);
    let broken = common::break_checksum(&common::npm_token(62));
    // A legacy npm token (a UUID) and an Azure DevOps PAT's shape.
    let uuid = "6392b473-3c3e-419e-b5e3-66afc87e9423";
    let pat = "ecgw2b6vj3lgtrjtc7ti7xwtuoe5wm67pcyxeap2fxiayigp2fnt";
    // (the project .npmrc, what npm sends, whether the tool reports an error)
    let cases: Vec<(String, Option<String>, bool)> = vec![
        // A JSON object: npm sends no token at all.
        (
            format!("registry=http://{host}/\n//{host}/:_authToken='{{\"a\":\"{broken}\"}}'\n"),
            None,
            false,
        ),
        // A JSON array: the string inside.
        (
            format!("registry=http://{host}/\n//{host}/:_authToken='[\"{token}\"]'\n"),
            Some(format!("Bearer {token}")),
            true,
        ),
        // `key[]=false`: the string of the list, no secret.
        (
            format!("registry=http://{host}/\n//{host}/:_authToken[]=false\n"),
            Some("Bearer false".to_string()),
            false,
        ),
        // `" null"`: null after trimming, nothing sent.
        (
            format!("registry=http://{host}/\n//{host}/:_authToken=\" null\"\n"),
            None,
            false,
        ),
        // `$ecretPassw0rd` is sent as it is: a secret.
        (
            format!("registry=http://{host}/\n//{host}/:_authToken=$ecretPassw0rd\n"),
            Some("Bearer $ecretPassw0rd".to_string()),
            true,
        ),
        // A URL password that is a broken reference: sent literally, but it
        // is no secret (a warning).
        (
            format!("registry=http://alice:$NPM_PASSWORD@{host}/\n"),
            Some("Basic alice:$NPM_PASSWORD".to_string()),
            false,
        ),
        (
            format!("registry=http://alice:Pa$sw0rd2024@{host}/\n"),
            Some("Basic alice:Pa$sw0rd2024".to_string()),
            true,
        ),
        // A secret written where a variable's name goes: no environment
        // holds a variable called that, so npm sends the text, secret and
        // all (review, 2026-12-05). A name stays a name.
        (
            format!("registry=http://{host}/\n//{host}/:_authToken=${{NPM_TOKEN:-{uuid}}}\n"),
            Some(format!("Bearer ${{NPM_TOKEN:-{uuid}}}")),
            true,
        ),
        (
            format!("registry=http://{host}/\n//{host}/:_authToken=${{{pat}}}\n"),
            Some(format!("Bearer ${{{pat}}}")),
            true,
        ),
        (
            format!("registry=http://{host}/\n//{host}/:_authToken={{{{{pat}}}}}\n"),
            Some(format!("Bearer {{{{{pat}}}}}")),
            true,
        ),
        (
            format!("registry=http://{host}/\n//{host}/:_authToken=%{pat}%\n"),
            Some(format!("Bearer %{pat}%")),
            true,
        ),
        (
            format!("registry=http://{host}/\n//{host}/:_authToken=${pat}\n"),
            Some(format!("Bearer ${pat}")),
            true,
        ),
        // `?`: unset is nothing, whatever the name.
        (
            format!("registry=http://{host}/\n//{host}/:_authToken=${{{pat}?}}\n"),
            None,
            false,
        ),
        (
            format!("registry=http://{host}/\n//{host}/:_authToken={{{{NPM_TOKEN}}}}\n"),
            Some("Bearer {{NPM_TOKEN}}".to_string()),
            false,
        ),
        (
            format!("registry=http://{host}/\n//{host}/:_authToken=${{NPM_TOKEN:-}}\n"),
            Some("Bearer ${NPM_TOKEN:-}".to_string()),
            false,
        ),
        // A CI's expression copied from a workflow (review 5, #11): npm
        // sends the text; no secret, a warning. A token inside is one.
        (
            format!("registry=http://{host}/\n//{host}/:_authToken=${{{{ secrets.NPM_TOKEN }}}}\n"),
            Some("Bearer ${{ secrets.NPM_TOKEN }}".to_string()),
            false,
        ),
        (
            format!("registry=http://{host}/\n//{host}/:_authToken=$(NPM_TOKEN)\n"),
            Some("Bearer $(NPM_TOKEN)".to_string()),
            false,
        ),
        (
            format!("registry=http://{host}/\n//{host}/:_authToken=${{{{ {pat} }}}}\n"),
            Some(format!("Bearer ${{{{ {pat} }}}}")),
            true,
        ),
        // `\\${A}`: ini reads `\${A}`, npm sends `${A}` as text.
        (
            format!("registry=http://\\\\${{A}}@{host}/\n"),
            Some("Basic $%7BA%7D:".to_string()),
            false,
        ),
    ];
    for (npmrc, want, error) in &cases {
        let got = npm_sends(npmrc, &rx).map(|h| match h.strip_prefix("Basic ") {
            Some(b) => format!("Basic {}", base64_decode(b)),
            None => h,
        });
        assert_eq!(&got, want, "npm sent another header for {npmrc:?}");
        assert_eq!(
            !errors(npmrc).is_empty(),
            *error,
            "{npmrc:?}: {:?}",
            errors(npmrc)
        );
    }
}
