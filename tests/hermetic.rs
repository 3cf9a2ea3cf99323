//! The test helpers keep every process a test starts off the developer's
//! machine: a temporary home for everything that reads one, no inherited
//! variables, standard input closed, and a session of its own (no
//! controlling terminal, so no prompt on `/dev/tty` can hang a run).

mod common;

use std::path::Path;

use common::*;

/// What a shell started through the helpers sees: its variables, whether
/// it leads its own session, whether `/dev/tty` opens, what stdin holds.
const PROBE: &str = r#"
printf 'HOME=%s\n' "$HOME"
printf 'XDG_CONFIG_HOME=%s\n' "$XDG_CONFIG_HOME"
printf 'NPM_CONFIG_USERCONFIG=%s\n' "$NPM_CONFIG_USERCONFIG"
printf 'GIT_CONFIG_GLOBAL=%s\n' "$GIT_CONFIG_GLOBAL"
printf 'GIT_CONFIG_NOSYSTEM=%s\n' "$GIT_CONFIG_NOSYSTEM"
printf 'LEAK=%s\n' "$CARGO_MANIFEST_DIR"
set -- $(cat /proc/$$/stat)
if [ "$6" = "$$" ]; then echo 'session=own'; else echo 'session=shared'; fi
if (: </dev/tty) 2>/dev/null; then echo 'tty=yes'; else echo 'tty=no'; fi
printf 'stdin=%s\n' "$(cat)"
"#;

fn probe(cmd: &mut std::process::Command) -> String {
    let out = cmd.args(["-c", PROBE]).output().expect("sh runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

fn assert_hermetic(seen: &str, home: &Path) {
    // cargo sets this for the test process: it must not reach the child.
    assert!(std::env::var_os("CARGO_MANIFEST_DIR").is_some());
    let h = home.display();
    for want in [
        format!("HOME={h}\n"),
        format!("XDG_CONFIG_HOME={h}/.config\n"),
        format!("NPM_CONFIG_USERCONFIG={h}/.npmrc\n"),
        format!("GIT_CONFIG_GLOBAL={h}/.gitconfig\n"),
        "GIT_CONFIG_NOSYSTEM=1\n".to_string(),
        "LEAK=\n".to_string(),
        "session=own\n".to_string(),
        "tty=no\n".to_string(),
        "stdin=\n".to_string(),
    ] {
        assert!(seen.contains(&want), "expected {want:?} in:\n{seen}");
    }
    let real = std::env::var_os("HOME").unwrap_or_default();
    assert_ne!(home.as_os_str(), real, "the real HOME");
}

#[test]
fn a_repository_command_is_hermetic() {
    let repo = TestRepo::new();
    let seen = probe(&mut repo.command("sh"));
    assert_hermetic(&seen, repo.dir.path());
}

#[test]
fn the_hermetic_helper_is_hermetic() {
    let home = tempfile::tempdir().expect("tempdir");
    let seen = probe(hermetic(&mut std::process::Command::new("sh"), home.path()));
    assert_hermetic(&seen, home.path());
}

#[test]
fn the_tool_gets_a_home_of_its_own() {
    // `--move-to-user-config` writes to the user config: it must be the
    // temporary one, never the developer's ~/.npmrc.
    let t = npm_token(1601);
    let dir = npmrc_dir(literal_npmrc(&t));
    let mut tool = npmrc_guard(dir.path());
    let out = tool
        .args(["fix", "--move-to-user-config", ".npmrc"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let user = std::fs::read_to_string(tool.home().join(".npmrc")).expect("user config");
    assert!(user.contains(&t), "the line went to the temporary home");
    assert_ne!(
        tool.home().as_os_str(),
        std::env::var_os("HOME").unwrap_or_default()
    );
}

#[test]
fn a_copied_binary_runs_at_once() {
    // Copy and run many times while other threads start processes: no
    // "Text file busy".
    let dir = tempfile::tempdir().expect("tempdir");
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let target = dir.path().join(format!("npmrc-guard-{i}"));
            std::thread::spawn(move || {
                for _ in 0..5 {
                    copy_executable(env!("CARGO_BIN_EXE_npmrc-guard").as_ref(), &target);
                    let home = tempfile::tempdir().expect("tempdir");
                    let out = hermetic(&mut std::process::Command::new(&target), home.path())
                        .arg("--version")
                        .output()
                        .expect("the copy runs");
                    assert!(out.status.success());
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
}
