//! Every file name of the default include is matched ignoring ASCII case
//! (review 7, #12): on macOS and Windows, whose file systems ignore case,
//! `npm ci` opening `package-lock.json` reads a committed
//! `PACKAGE-LOCK.JSON`, bun opening `.env` reads `.ENV`. Each mode
//! (staged, work tree, history, pre-push) finds the credential in each,
//! read as the file its name is in lower case.

mod common;

use common::{output_with_stdin, text, TestRepo};

/// A fabricated password: random-looking, not a stand-in.
const PW: &str = "q7Rw2LxZp9VkT4mNc8Ye";

/// (file name in capitals, content holding `user:PW@` in a URL the tool
/// that opens the lower-case name sends).
fn cases() -> Vec<(&'static str, String)> {
    let url = format!("http://alice:{PW}@127.0.0.1:9/p.tgz");
    vec![
        (
            "PACKAGE.JSON",
            format!(r#"{{"name":"x","dependencies":{{"p":"{url}"}}}}"#),
        ),
        (
            "Package.json",
            format!(r#"{{"name":"x","dependencies":{{"p":"{url}"}}}}"#),
        ),
        (
            ".ENV",
            format!("NPM_CONFIG_REGISTRY=http://alice:{PW}@127.0.0.1:9/\n"),
        ),
        (
            ".Env.local",
            format!("NPM_CONFIG_REGISTRY=http://alice:{PW}@127.0.0.1:9/\n"),
        ),
        (
            "YARN.LOCK",
            format!("p@1.0.0:\n  version \"1.0.0\"\n  resolved \"{url}#abc\"\n"),
        ),
        (
            "PACKAGE-LOCK.JSON",
            format!(
                r#"{{"name":"x","lockfileVersion":3,"packages":{{"node_modules/p":{{"version":"1.0.0","resolved":"{url}"}}}}}}"#
            ),
        ),
        (
            "BUN.LOCK",
            format!(
                r#"{{"lockfileVersion":1,"workspaces":{{"":{{"name":"x","dependencies":{{"p":"1.0.0"}}}}}},"packages":{{"p":["p@1.0.0","{url}",{{}},"sha512-abc"]}}}}"#
            ),
        ),
        (
            "PNPM-WORKSPACE.YAML",
            format!("registries:\n  default: http://alice:{PW}@127.0.0.1:9/\n"),
        ),
        (
            "PNPM-LOCK.YAML",
            format!("packages:\n  p@1.0.0:\n    resolution: {{tarball: '{url}'}}\n"),
        ),
        (
            "Package.Yaml",
            format!("name: x\ndependencies:\n  p: {url}\n"),
        ),
    ]
}

#[test]
fn every_default_name_in_capitals_is_read_in_every_mode() {
    for (name, content) in cases() {
        let repo = TestRepo::new();
        repo.write(name, &content);
        repo.git(&["add", "-f", name]);
        let mut seen = Vec::new();
        seen.push(("scan --staged", repo.tool(&["scan", "--staged"])));
        seen.push(("scan", repo.tool(&["scan"])));
        repo.git(&["commit", "-qm", "x", "--no-verify"]);
        seen.push(("scan --history", repo.tool(&["scan", "--history"])));
        let head = repo.git(&["rev-parse", "HEAD"]);
        let line = format!(
            "refs/heads/main {} refs/heads/main {}\n",
            head.trim(),
            "0".repeat(40)
        );
        let mut cmd = repo.command(env!("CARGO_BIN_EXE_npmrc-guard"));
        cmd.args(["pre-push", "origin", "url"]);
        seen.push(("pre-push", output_with_stdin(&mut cmd, line.as_bytes())));
        for (mode, out) in seen {
            common::assert_no_secret(&out, &[PW.to_string()]);
            let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
            assert_eq!(out.status.code(), Some(1), "{name}, {mode}: {said}");
            assert!(said.contains(name), "{name}, {mode}: {said}");
        }
    }
}
