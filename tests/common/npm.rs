//! npm-side helpers: the npm packages built from the test binary, the
//! tools the registry tests install (Verdaccio, pnpm), a Verdaccio started
//! on a free port of 127.0.0.1, and commands run with a time-out.

use super::{hermetic, required, text, FileLock};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Whether `program --version` runs; under CI=true a missing one fails the
/// test, otherwise the test says it skips.
pub fn have(program: &str) -> bool {
    let home = tempfile::tempdir().expect("tempdir");
    let ok = hermetic(&mut Command::new(program), home.path())
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !required(),
            "{program} is missing (CI needs Node.js and npm)"
        );
        eprintln!("skipped: {program} is missing");
    }
    ok
}

#[allow(unsafe_code)]
fn kill(pid: i32, signal: i32) {
    extern "C" {
        fn kill(pid: i32, sig: i32) -> i32;
    }
    // SAFETY: kill(2) takes two integers and touches no memory of ours.
    unsafe {
        kill(pid, signal);
    }
}

const SIGTERM: i32 = 15;
const SIGKILL: i32 = 9;

/// Run `cmd` (started in a session of its own, as [`hermetic`] does) for at
/// most `secs` seconds; on time-out its whole process group is killed and
/// the test fails, naming `what`.
pub fn run(what: &str, cmd: &mut Command, secs: u64) -> Output {
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = cmd
        .stdout(std::fs::File::create(&out).expect("create"))
        .stderr(std::fs::File::create(&err).expect("create"))
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            kill_group(&mut child);
            panic!(
                "{what}: no answer after {secs} s; killed. stderr: {}",
                text(&std::fs::read(&err).unwrap_or_default())
            );
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    Output {
        status,
        stdout: std::fs::read(&out).expect("read"),
        stderr: std::fs::read(&err).expect("read"),
    }
}

/// Kill the process group `child` leads, and reap it.
fn kill_group(child: &mut std::process::Child) {
    kill_group_gently(child, Duration::ZERO);
}

/// SIGTERM to the group `child` leads, SIGKILL after `grace`; reaped.
fn kill_group_gently(child: &mut std::process::Child, grace: Duration) {
    let group = -(child.id() as i32);
    if !grace.is_zero() {
        kill(group, SIGTERM);
        let until = Instant::now() + grace;
        while Instant::now() < until {
            if child.try_wait().ok().flatten().is_some() {
                kill(group, SIGKILL);
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
    kill(group, SIGKILL);
    let _ = child.wait();
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// This machine's npm platform package (`linux-x64-gnu`, ...).
pub fn host_platform() -> &'static str {
    if cfg!(all(
        target_os = "linux",
        target_arch = "x86_64",
        target_env = "gnu"
    )) {
        "linux-x64-gnu"
    } else if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        "linux-x64-musl"
    } else if cfg!(all(
        target_os = "linux",
        target_arch = "aarch64",
        target_env = "gnu"
    )) {
        "linux-arm64-gnu"
    } else if cfg!(all(target_os = "linux", target_arch = "aarch64")) {
        "linux-arm64-musl"
    } else if cfg!(all(target_os = "macos", target_arch = "x86_64")) {
        "darwin-x64"
    } else {
        "darwin-arm64"
    }
}

/// The npm packages `npm/pack.cjs` builds from the binary under test
/// (stripped of its debug information when `strip` exists, so the package
/// is a few MB, not 80), once per test process: the folder of `.tgz` files.
pub fn packed() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        // What runs that ended a day ago left behind.
        for entry in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() > 86_400));
            if old && entry.file_name().to_string_lossy().starts_with("npm-pack-") {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = tmp.join(format!("npm-pack-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let binary = dir.join("npmrc-guard");
        super::copy_executable(Path::new(env!("CARGO_BIN_EXE_npmrc-guard")), &binary);
        let home = tempfile::tempdir().expect("tempdir");
        let _ = hermetic(&mut Command::new("strip"), home.path())
            .arg(&binary)
            .status();
        let out = dir.join("tgz");
        let pack = run(
            "node npm/pack.cjs",
            hermetic(&mut Command::new("node"), home.path())
                .arg(manifest_dir().join("npm/pack.cjs"))
                .arg("--out")
                .arg(&out)
                .arg("--binary")
                .arg(format!("{}={}", host_platform(), binary.display())),
            300,
        );
        assert!(
            pack.status.success(),
            "npm/pack.cjs failed: {}{}",
            text(&pack.stdout),
            text(&pack.stderr)
        );
        let _ = std::fs::remove_file(&binary);
        out
    })
}

/// What the registry tests install from npm, once, into target/test-tools.
/// In this workplace's npm mirror the `cjs` dist-tag of `node-fetch` is
/// missing, and Verdaccio 5 and 6 (through a dependency that asks for
/// `node-fetch@cjs`) install only with the override below. Verdaccio 6.8.0
/// is the last 6.x that runs on Node.js 20 (6.9 and later want 22).
fn tools_package_json() -> String {
    format!(
        r#"{{
  "//": "Installed by tests/common/npm.rs for the registry tests. The override: this workplace's npm mirror lacks the cjs dist-tag of node-fetch, and Verdaccio installs only with it.",
  "name": "npmrc-guard-test-tools",
  "private": true,
  "dependencies": {{
    "pnpm": "{PNPM_VERSION}",
    "verdaccio": "6.8.0"
  }},
  "overrides": {{
    "node-fetch@cjs": "2.7.0"
  }}
}}
"#
    )
}

/// The pnpm the tests install (a project says `"packageManager":
/// "pnpm@PNPM_VERSION"`, and pnpm would fetch any other version).
pub const PNPM_VERSION: &str = "10.34.2";

/// The folder holding `node_modules/` with Verdaccio and pnpm, installed
/// on first use under a lock; `None` (the test skips) when npm is missing
/// outside CI.
pub fn test_tools() -> Option<PathBuf> {
    if !have("node") || !have("npm") {
        return None;
    }
    let dir = manifest_dir().join("target/test-tools");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let _lock = FileLock::acquire(&manifest_dir().join("target/test-tools.lock"));
    let manifest = dir.join("package.json");
    let done = dir.join("node_modules/.installed");
    let wanted = tools_package_json();
    let current = std::fs::read_to_string(&manifest).ok();
    if current.as_deref() != Some(wanted.as_str()) || !done.exists() {
        let _ = std::fs::remove_file(&done);
        std::fs::write(&manifest, &wanted).expect("write");
        let home = tempfile::tempdir().expect("tempdir");
        let out = run(
            "npm install (Verdaccio, pnpm)",
            hermetic(&mut Command::new("npm"), home.path())
                .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir),
            900,
        );
        assert!(
            out.status.success(),
            "installing the test tools failed: {}",
            text(&out.stderr)
        );
        std::fs::write(&done, &wanted).expect("write");
    }
    Some(dir)
}

/// A Verdaccio 6 on 127.0.0.1, with htpasswd auth and no uplink (nothing
/// is fetched from the internet); killed with its process group when
/// dropped, also when the test panics.
pub struct Verdaccio {
    child: std::process::Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl Verdaccio {
    pub fn start(tools: &Path) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config.yaml");
        std::fs::write(
            &config,
            "storage: ./storage\n\
             auth:\n  htpasswd:\n    file: ./htpasswd\n\
             uplinks: {}\n\
             packages:\n  '**':\n    access: $authenticated\n    publish: $authenticated\n    unpublish: $authenticated\n\
             max_body_size: 200mb\n\
             log: { type: stdout, format: pretty, level: warn }\n",
        )
        .expect("write");
        let bin = tools.join("node_modules/verdaccio/bin/verdaccio");
        let log = dir.path().join("log");
        // A free port: asked of the kernel, then given to Verdaccio; if
        // another process takes it in between, Verdaccio exits and we try
        // again with another.
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let file = std::fs::File::create(&log).expect("create");
            let mut cmd = Command::new("node");
            hermetic(&mut cmd, dir.path())
                .arg(&bin)
                .arg("--config")
                .arg(&config)
                .arg("--listen")
                .arg(format!("127.0.0.1:{port}"))
                .current_dir(dir.path())
                .stdout(file.try_clone().expect("clone"))
                .stderr(file);
            let mut child = cmd.spawn().expect("node starts Verdaccio");
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                if child.try_wait().expect("wait").is_some() {
                    break;
                }
                if http(port, "GET", "/-/ping", "").is_ok_and(|(s, _)| s == 200) {
                    return Verdaccio { child, port, dir };
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            kill_group_gently(&mut child, Duration::from_secs(3));
            let said = std::fs::read_to_string(&log).unwrap_or_default();
            assert!(
                said.contains("EADDRINUSE"),
                "Verdaccio did not start: {said}"
            );
        }
        panic!("Verdaccio found no free port in five tries");
    }

    /// `http://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// The `.npmrc` key prefix of this registry: `//127.0.0.1:PORT/`.
    pub fn nerf(&self) -> String {
        format!("//127.0.0.1:{}/", self.port)
    }

    /// One HTTP/1.1 request; the status and the body.
    pub fn http(&self, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
        http(self.port, method, path, body)
    }

    /// Create a user through the registry's own API
    /// (`PUT /-/user/org.couchdb.user:NAME`, what `npm adduser` calls);
    /// the token it answers with.
    pub fn add_user(&self, name: &str, password: &str) -> String {
        let body = serde_json::json!({ "name": name, "password": password }).to_string();
        let (status, answer) = self
            .http("PUT", &format!("/-/user/org.couchdb.user:{name}"), &body)
            .expect("Verdaccio answers");
        assert_eq!(status, 201, "creating {name}: {answer}");
        let start = answer.find('{').expect("a JSON body");
        let end = answer.rfind('}').expect("a JSON body");
        let json: serde_json::Value = serde_json::from_str(&answer[start..=end]).expect("JSON");
        json["token"].as_str().expect("a token").to_string()
    }
}

impl Drop for Verdaccio {
    fn drop(&mut self) {
        kill_group_gently(&mut self.child, Duration::from_secs(3));
    }
}

impl std::fmt::Debug for Verdaccio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Verdaccio on port {}", self.port)
    }
}

/// One HTTP/1.1 request to 127.0.0.1:`port`; the status and the body.
fn http(port: u16, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    s.set_write_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: application/json\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        port,
        body.len()
    )?;
    let mut response = String::new();
    s.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no HTTP status"))?;
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok((status, body))
}

/// `PATH` without any folder that holds an `npmrc-guard`: the hooks must
/// find the tool where the test puts it, or not at all. `.venv/bin` (for
/// lefthook and pre-commit) goes first.
pub fn clean_path() -> String {
    let venv = manifest_dir().join(".venv/bin");
    let mut dirs = vec![venv.display().to_string()];
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if !d.join("npmrc-guard").exists() {
                dirs.push(d.display().to_string());
            }
        }
    }
    dirs.join(":")
}

/// Skip (or, under CI, fail) when a tool is missing.
pub fn missing<T>(what: &str) -> Option<T> {
    assert!(!required(), "{what} is missing (bash .ci/run installs it)");
    eprintln!("skipped: {what} is missing (bash .ci/run installs it)");
    None
}

/// `node_modules` with Husky 9 and simple-git-hooks, installed once from
/// npm under a lock; a run killed half-way is redone (the `installed`
/// marker is written last).
pub fn hook_manager_modules() -> Option<PathBuf> {
    let dir = manifest_dir().join("target/test-tools/hook-managers");
    std::fs::create_dir_all(&dir).expect("target/test-tools");
    let _lock = FileLock::acquire(&dir.join("lock"));
    let modules = dir.join("node_modules");
    let done = dir.join("installed");
    if !done.exists() {
        let home = tempfile::tempdir().expect("tempdir");
        let _ = std::fs::remove_dir_all(&modules);
        std::fs::write(dir.join("package.json"), "{\"private\": true}\n").expect("package.json");
        let ok = hermetic(&mut Command::new("npm"), home.path())
            .current_dir(&dir)
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--no-package-lock",
                "husky@9.1.7",
                "simple-git-hooks@2.14.0",
            ])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return missing("npm (to install husky and simple-git-hooks)");
        }
        std::fs::write(&done, "").expect("marker");
    }
    Some(modules)
}

/// The folder `target/test-tools-NAME` holding `node_modules/` with the npm
/// package `spec` (`name@version`), installed on first use under a lock and
/// again when `spec` changes; `None` (the test skips) when node or npm is
/// missing outside CI.
pub fn installed_once(name: &str, spec: &str) -> Option<PathBuf> {
    if !have("node") || !have("npm") {
        return None;
    }
    let root = manifest_dir().join("target");
    let dir = root.join(format!("test-tools-{name}"));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let _lock = FileLock::acquire(&root.join(format!("test-tools-{name}.lock")));
    let done = dir.join("node_modules/.installed");
    if std::fs::read_to_string(&done).ok().as_deref() != Some(spec) {
        let home = tempfile::tempdir().expect("tempdir");
        let mut npm = Command::new("npm");
        hermetic(&mut npm, home.path());
        // A machine's own certificate authorities (a proxy's), if it has one.
        if let Some(ca) = std::env::var_os("NODE_EXTRA_CA_CERTS") {
            npm.env("NODE_EXTRA_CA_CERTS", ca);
        }
        let out = npm
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .args(["--prefix", dir.to_str().expect("utf-8 path"), spec])
            .output()
            .expect("npm runs");
        assert!(
            out.status.success(),
            "installing {spec} failed: {}",
            text(&out.stderr)
        );
        std::fs::write(&done, spec).expect("write");
    }
    Some(dir)
}

/// A Verdaccio with one user, `alice`, whose token is returned, and the
/// private package `@private/secret-pkg@1.0.0` published by that user
/// (tests/registry.rs and the yarn and bun round trips).
pub fn private_registry(tools: &Path) -> (Verdaccio, String) {
    let registry = Verdaccio::start(tools);
    let token = registry.add_user("alice", "correct-horse-battery-staple");
    let home = tempfile::tempdir().expect("tempdir");
    let npmrc = format!(
        "registry={}\n{}:_authToken={token}\n",
        registry.url(),
        registry.nerf()
    );
    std::fs::write(home.path().join(".npmrc"), npmrc).expect("write");
    let pkg = home.path().join("pkg");
    std::fs::create_dir(&pkg).expect("mkdir");
    std::fs::write(
        pkg.join("package.json"),
        r#"{ "name": "@private/secret-pkg", "version": "1.0.0", "main": "index.js" }"#,
    )
    .expect("write");
    std::fs::write(pkg.join("index.js"), "module.exports = 42;\n").expect("write");
    let out = run(
        "npm publish @private/secret-pkg",
        hermetic(&mut Command::new("npm"), home.path())
            .args(["publish", "--loglevel=error"])
            .current_dir(&pkg),
        180,
    );
    assert!(out.status.success(), "npm publish: {}", text(&out.stderr));
    (registry, token)
}

/// The yarn 2+ the yarn tests run (`@yarnpkg/cli-dist`, with node),
/// installed once under target/test-tools-yarn.
pub const YARN4: &str = "@yarnpkg/cli-dist@4.18.1";

/// yarn 4's own reading of setting `key` in the project at `dir`: `yarn
/// config get KEY --json --no-redacted`, HOME being `home`, with `env`
/// set. `tools` is [`installed_once`]`("yarn", YARN4)`. The run must
/// succeed.
pub fn yarn_config_get(
    tools: &Path,
    dir: &Path,
    home: &Path,
    key: &str,
    env: &[(&str, &str)],
) -> serde_json::Value {
    let out = yarn_config(tools, dir, home, key, env);
    assert!(
        out.status.success(),
        "yarn config get {key}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// [`yarn_config_get`], its output as it is (the run may fail).
pub fn yarn_config(
    tools: &Path,
    dir: &Path,
    home: &Path,
    key: &str,
    env: &[(&str, &str)],
) -> Output {
    let mut cmd = Command::new("node");
    hermetic(&mut cmd, home)
        .arg(tools.join("node_modules/@yarnpkg/cli-dist/bin/yarn.js"))
        .args(["config", "get", key, "--json", "--no-redacted"])
        .current_dir(dir)
        .env("YARN_ENABLE_TELEMETRY", "0")
        .env("YARN_IGNORE_PATH", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(&format!("yarn config get {key}"), &mut cmd, 120)
}
