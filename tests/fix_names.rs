//! The names the fixer gives secrets (review 7): never one another config
//! of the repository or of the user sends elsewhere (#11), proved with the
//! real pnpm on a capture server.

mod common;

use std::path::Path;
use std::process::Command;

use common::capture::{capture_server, Seen};
use common::npm::{installed_once, run};
use common::{npm_token, text, TestRepo};

/// The `Authorization` headers the server has seen, then forgets them.
fn headers(seen: &Seen) -> Vec<String> {
    let mut seen = seen.lock().expect("lock");
    let out = seen.iter().filter_map(|(_, a)| a.clone()).collect();
    seen.clear();
    out
}

/// `pnpm view @corp/x` in `dir`, with `home` and the variables `env`.
fn pnpm_view(tools: &Path, dir: &Path, home: &Path, env: &[(String, String)]) {
    let mut cmd = Command::new("node");
    common::hermetic(&mut cmd, home).current_dir(dir);
    cmd.arg(tools.join("node_modules/pnpm/bin/pnpm.cjs"))
        .args(["view", "@corp/x", "--fetch-retries=0"])
        .envs(env.iter().map(|(k, v)| (k, v)));
    // pnpm fails on the 404; what it sent is what counts.
    let _ = run("pnpm view", &mut cmd, 120);
}

/// The `NAME='value'` lines of the env file the fix saved.
fn saved(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once('=')?;
            Some((k.to_string(), v.trim_matches('\'').to_string()))
        })
        .collect()
}

/// #11: `packages/a/.npmrc` (a file the fix does not touch) sends
/// `${NPM_TOKEN}` to the corp registry, and so does the user's pnpm
/// config `~/.config/pnpm/rc` references it too: pnpm sends whatever
/// NPM_TOKEN holds from the package's folder.
/// Fixing the root `.npmrc`'s npmjs.org token must not name it NPM_TOKEN,
/// or loading the saved env file sends it to the corp registry.
#[test]
fn the_fix_never_names_a_secret_after_a_variable_another_config_sends() {
    let Some(tools) = installed_once("pnpm-lockfile", "pnpm@10.34.2") else {
        return;
    };
    let (port, seen) = capture_server();
    let corp = format!(
        "@corp:registry=http://127.0.0.1:{port}/\n//127.0.0.1:{port}/:_authToken=${{NPM_TOKEN}}\n"
    );
    let token = npm_token(1101);
    for case in ["workspace package", "pnpm user config"] {
        let repo = TestRepo::new();
        let home = repo.dir.path();
        repo.write("package.json", r#"{"name":"root","private":true}"#);
        repo.write("pnpm-workspace.yaml", "packages:\n  - packages/*\n");
        repo.write(".gitignore", ".env.local\n");
        repo.write(
            "packages/a/package.json",
            r#"{"name":"a","version":"1.0.0"}"#,
        );
        let (config, run_in) = if case == "workspace package" {
            (
                "packages/a/.npmrc".to_string(),
                repo.root.join("packages/a"),
            )
        } else {
            (".config/pnpm/rc".to_string(), repo.root.clone())
        };
        let config = if case == "workspace package" {
            repo.root.join(config)
        } else {
            home.join(config)
        };
        std::fs::create_dir_all(config.parent().expect("parent")).expect("mkdir");
        std::fs::write(&config, &corp).expect("write");
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-qm", "init"]);
        // pnpm sends NPM_TOKEN's value to the corp registry from the
        // package's `.npmrc`. (pnpm 10.34 `view` sent nothing from the user
        // config here; it is the user config pnpm documents, so its names
        // are taken all the same.)
        let wire = case == "workspace package";
        if wire {
            let probe = "probe-value-1101".to_string();
            pnpm_view(
                &tools,
                &run_in,
                home,
                &[("NPM_TOKEN".into(), probe.clone())],
            );
            assert_eq!(headers(&seen), [format!("Bearer {probe}")], "{case}");
        }

        repo.write(
            ".npmrc",
            &format!("//registry.npmjs.org/:_authToken={token}\n"),
        );
        let out = repo.tool(&["fix", ".npmrc", "--save-env", ".env.local"]);
        assert_eq!(out.status.code(), Some(0), "{case}: {}", text(&out.stderr));
        let env = saved(&repo.root.join(".env.local"));
        assert_eq!(env.len(), 1, "{case}: {env:?}");
        assert_ne!(env[0].0, "NPM_TOKEN", "{case}");
        assert!(
            std::fs::read_to_string(repo.root.join(".npmrc"))
                .expect("read")
                .contains(&format!("${{{}}}", env[0].0)),
            "{case}"
        );
        // What the fix output says to do (`set -a; . ./.env.local`), then
        // pnpm where the other config applies: it sends nothing of ours.
        if wire {
            pnpm_view(&tools, &run_in, home, &env);
            let sent = headers(&seen);
            assert!(
                !sent.iter().any(|h| h.contains(&token)),
                "{case}: pnpm sent the npmjs.org token to the corp registry"
            );
        }
    }
}

/// #5: turbo sends TURBO_TOKEN to the remote cache a committed turbo.json
/// names, so the fixer must never store a registry's secret under that
/// name, whether `--var` or a committed `[vars]` asks for it.
#[test]
fn the_fix_never_stores_a_secret_under_a_name_turbo_sends() {
    let Some(tools) = installed_once("turbo", "turbo@2.11.13") else {
        return;
    };
    let (port, seen) = capture_server();
    let repo = TestRepo::new();
    let home = repo.dir.path();
    let mut npm = Command::new("npm");
    common::hermetic(&mut npm, home).arg("--version");
    let version = text(&run("npm --version", &mut npm, 60).stdout);
    repo.write(
        "package.json",
        &format!(
            r#"{{"name":"mono","private":true,"packageManager":"npm@{}","workspaces":["packages/*"]}}"#,
            version.trim()
        ),
    );
    repo.write(
        "packages/a/package.json",
        r#"{"name":"a","version":"1.0.0","scripts":{"build":"echo built > out.txt"}}"#,
    );
    repo.write(
        "turbo.json",
        &format!(
            r#"{{"remoteCache":{{"apiUrl":"http://127.0.0.1:{port}","teamId":"team_x","enabled":true}},"tasks":{{"build":{{"outputs":["out.txt"]}}}}}}"#
        ),
    );
    repo.write(".gitignore", ".env.local\nnode_modules\n.turbo\n");
    repo.write(
        ".npmrc-guard.toml",
        "[vars]\n\"corp.example\" = \"TURBO_TOKEN\"\n",
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "init"]);
    // turbo sends what TURBO_TOKEN holds to the host turbo.json names.
    let probe = "probe-value-0505";
    let mut turbo = repo.command("node");
    turbo
        .arg(tools.join("node_modules/turbo/bin/turbo"))
        .args(["run", "build", "--no-daemon"])
        .env("TURBO_TOKEN", probe)
        .env("TURBO_TELEMETRY_DISABLED", "1");
    let _ = run("turbo run build", &mut turbo, 120);
    assert!(
        headers(&seen).contains(&format!("Bearer {probe}")),
        "turbo did not send TURBO_TOKEN"
    );

    let token = common::uuid_token(505);
    repo.write(
        ".npmrc",
        &format!("registry=https://corp.example/npm/\n//corp.example/npm/:_authToken={token}\n"),
    );
    for args in [
        &["fix", ".npmrc", "--save-env", ".env.local"][..],
        &[
            "fix",
            ".npmrc",
            "--save-env",
            ".env.local",
            "--var",
            "TURBO_TOKEN",
        ],
    ] {
        let out = repo.tool(args);
        common::assert_no_secret(&out, std::slice::from_ref(&token));
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        assert!(
            text(&out.stderr).contains("TURBO_*"),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let saved = std::fs::read_to_string(repo.root.join(".env.local")).unwrap_or_default();
        assert!(!saved.contains("TURBO_TOKEN"), "{args:?}: {saved}");
    }
}
