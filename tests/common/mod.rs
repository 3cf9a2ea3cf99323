//! Shared test helpers: fabricated tokens and a hermetic command runner.
//!
//! Every token the tests use is made here. The random part starts with
//! `FAKE` so a fabricated token is recognisable at a glance; the checksum is
//! computed, so the tool treats it as certain.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The zlib CRC-32, written out again here so the tests do not trust the
/// code they test.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn checksum(random: &str) -> String {
    let mut n = crc32(random.as_bytes());
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(out.to_vec()).expect("ascii")
}

/// 30 base62 characters derived from `seed`, starting with `FAKE`.
fn random_part(seed: u64) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    let mut s = String::from("FAKE");
    while s.len() < 30 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.push(BASE62[(x % 62) as usize] as char);
    }
    s
}

/// A fabricated npm token with a valid checksum.
pub fn npm_token(seed: u64) -> String {
    let r = random_part(seed);
    format!("npm_{r}{}", checksum(&r))
}

/// A fabricated GitHub classic token (`ghp_`, `gho_`, ...) with a valid checksum.
pub fn github_token(prefix: &str, seed: u64) -> String {
    let r = random_part(seed);
    format!("{prefix}_{r}{}", checksum(&r))
}

/// The same token with its last character changed: the checksum no longer holds.
pub fn break_checksum(token: &str) -> String {
    let mut t = token.to_string();
    let last = t.pop().expect("non-empty");
    t.push(if last == 'A' { 'B' } else { 'A' });
    t
}

/// A fabricated fine-grained GitHub token.
pub fn github_pat(seed: u64) -> String {
    let a = random_part(seed);
    let b = format!("{}{}", random_part(seed + 1), random_part(seed + 2));
    format!("github_pat_{}_{}", &a[..22], &b[..59])
}

/// A fabricated token of no known format: a UUID (GitLab's deploy and
/// job tokens, many registries' API keys), 32 hex digits from `seed`.
pub fn uuid_token(seed: u64) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5DEE_CE66_D1CE_4E5B;
    let mut hex = String::new();
    while hex.len() < 32 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        hex.push(char::from_digit((x % 16) as u32, 16).expect("hex"));
    }
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A fabricated GitLab personal access token (classic form).
pub fn gitlab_token(seed: u64) -> String {
    format!("glpat-{}", &random_part(seed)[..20])
}

/// The tool, with a hermetic environment (see [`hermetic`]) and a home of
/// its own that lives as long as the returned command.
pub fn npmrc_guard(dir: &Path) -> Tool {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_npmrc-guard"));
    hermetic(&mut cmd, home.path()).current_dir(dir);
    Tool { cmd, home }
}

/// A command and the temporary home it runs with; derefs to the command.
/// Keep it alive until the process has finished (a `spawn`ed child
/// outliving it would lose its home).
#[derive(Debug)]
pub struct Tool {
    cmd: Command,
    home: tempfile::TempDir,
}

impl Tool {
    /// The temporary `HOME` the process gets.
    pub fn home(&self) -> &Path {
        self.home.path()
    }
}

impl std::ops::Deref for Tool {
    type Target = Command;
    fn deref(&self) -> &Command {
        &self.cmd
    }
}

impl std::ops::DerefMut for Tool {
    fn deref_mut(&mut self) -> &mut Command {
        &mut self.cmd
    }
}

/// Make `cmd` unable to touch the developer's machine or terminal: no
/// inherited variables but `PATH`; `HOME`, `XDG_CONFIG_HOME`, npm's user
/// config and git's global config all under `home`, git's system config
/// off; standard input closed; and its own session, so it has no
/// controlling terminal (`/dev/tty` cannot be opened). Every process a test
/// starts goes through here, but the terminal tests, which say so.
pub fn hermetic<'a>(cmd: &'a mut Command, home: &Path) -> &'a mut Command {
    cmd.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("NPM_CONFIG_USERCONFIG", home.join(".npmrc"))
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(std::process::Stdio::null());
    own_session(cmd)
}

/// Start `cmd` in a new session (setsid(2)): it has no controlling
/// terminal, so nothing it starts can prompt on `/dev/tty` or be stopped by
/// the terminal.
#[allow(unsafe_code)]
pub fn own_session(cmd: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    extern "C" {
        fn setsid() -> i32;
    }
    // SAFETY: the closure runs in the child between fork and exec, where
    // only async-signal-safe calls are allowed; setsid(2) is one, and the
    // closure allocates nothing and touches no shared state. EPERM means
    // the child already leads its process group (a second call): still no
    // terminal, so it is not an error.
    unsafe {
        cmd.pre_exec(|| {
            if setsid() == -1 {
                let err = std::io::Error::last_os_error();
                if err.raw_os_error() != Some(1) {
                    return Err(err);
                }
            }
            Ok(())
        });
    }
    cmd
}

/// The variables a toolchain or package installer started by a test needs
/// to find what is already installed (cargo and rustup homes, pyenv, pip's
/// settings) once `HOME` is temporary. Nothing here is written to.
pub fn installer_env(cmd: &mut Command) -> &mut Command {
    let real_home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    for (var, default) in [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")] {
        match (std::env::var_os(var), &real_home) {
            (Some(v), _) => {
                cmd.env(var, v);
            }
            (None, Some(h)) => {
                cmd.env(var, h.join(default));
            }
            (None, None) => {}
        }
    }
    for (var, value) in std::env::vars_os() {
        let name = var.to_string_lossy();
        if name == "RUSTUP_TOOLCHAIN" || name.starts_with("PYENV") || name.starts_with("PIP_") {
            cmd.env(&var, value);
        }
    }
    cmd
}

/// Copy an executable so that it can be run at once: the copy is written
/// by `cp` (its file descriptor never lives in this multi-threaded process,
/// where a child forked by another test could inherit it and make `exec`
/// fail with "Text file busy"), to a temporary name, then renamed.
pub fn copy_executable(from: &Path, to: &Path) {
    let mut name = to.file_name().expect("file name").to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    let tmp = to.with_file_name(name);
    let home = tempfile::tempdir().expect("tempdir");
    let cp = hermetic(&mut Command::new("cp"), home.path())
        .arg("--")
        .arg(from)
        .arg(&tmp)
        .status()
        .expect("cp runs");
    assert!(cp.success(), "cp failed");
    std::fs::rename(&tmp, to).expect("rename");
}

/// Hold an exclusive lock on `path` (created if need be) until the value
/// is dropped: for installing a tool the tests share, once, whatever the
/// number of test threads and processes.
pub struct FileLock(std::fs::File);

impl FileLock {
    #[allow(unsafe_code)]
    pub fn acquire(path: &Path) -> Self {
        use std::os::unix::io::AsRawFd;
        extern "C" {
            fn flock(fd: i32, operation: i32) -> i32;
        }
        const LOCK_EX: i32 = 2;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .expect("open the lock file");
        loop {
            // SAFETY: flock(2) on a descriptor this File owns and keeps
            // open; no memory is shared with the call.
            if unsafe { flock(file.as_raw_fd(), LOCK_EX) } == 0 {
                return FileLock(file);
            }
            let err = std::io::Error::last_os_error();
            assert!(
                err.kind() == std::io::ErrorKind::Interrupted,
                "flock: {err}"
            );
        }
    }
}

/// Whether the run must not rewrite expected files (`NPMRC_GUARD_BLESS`):
/// under `CI=true` a test that would rewrite its expectations fails instead.
pub fn bless() -> bool {
    let asked = std::env::var_os("NPMRC_GUARD_BLESS").is_some();
    assert!(
        !(asked && required()),
        "NPMRC_GUARD_BLESS rewrites expectations; it is refused under CI=true"
    );
    asked
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Panics when any of `secrets` appears whole in the output.
pub fn assert_no_secret(out: &Output, secrets: &[String]) {
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    for s in secrets {
        assert!(
            !all.contains(s.as_str()),
            "output contains a whole secret ({} characters, starting {:?})",
            s.len(),
            &s[..s.len().min(4)]
        );
    }
}

/// A temporary folder holding one `.npmrc` with `content`.
pub fn npmrc_dir(content: impl AsRef<[u8]>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(".npmrc"), content).expect("write");
    dir
}

/// Every entry under `dir` but the folders `skip` names: files with their
/// content, anything else (links, sockets) with none. To see what a run
/// wrote.
pub fn files_under(
    dir: &Path,
    skip: impl Fn(&Path) -> bool,
) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let p = entry.expect("entry").path();
            let m = std::fs::symlink_metadata(&p).expect("metadata");
            if m.is_dir() {
                if !skip(&p) {
                    stack.push(p);
                }
            } else {
                let content = if m.is_file() {
                    std::fs::read(&p).expect("read")
                } else {
                    Vec::new()
                };
                out.insert(p, content);
            }
        }
    }
    out
}

/// Whether a test that needs an external tool must fail rather than skip.
pub fn required() -> bool {
    std::env::var_os("CI").is_some_and(|v| v == "true" || v == "1")
}

#[test]
fn fabricated_tokens_are_valid_and_distinct() {
    // The public vector from SPEC.md checks our helper's checksum.
    assert_eq!(checksum("M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq"), "11T4V4");
    assert_ne!(npm_token(1), npm_token(2));
    assert_eq!(npm_token(1).len(), 40);
    assert_eq!(github_pat(1).len(), 93);
}

/// A fixture file: a name, its content, and the whole secrets it holds.
pub struct Fixture {
    pub name: &'static str,
    pub content: String,
    pub secrets: Vec<String>,
}

/// One fixture per kind of secret, in the shapes people write them.
pub fn fixtures() -> Vec<Fixture> {
    let npm = npm_token(101);
    let ghp = github_token("ghp", 102);
    let pat = github_pat(103);
    let glpat = gitlab_token(104);
    let bad = break_checksum(&npm_token(105));
    let uuid = "3f2c1a9e-6b7d-4e21-9a8f-0c5d7e9b1a24".to_string();
    let auth = "ZGVwbG95OmNvcnJlY3QtaG9yc2UtYmF0dGVyeQ==".to_string();
    let pass = "correct-horse-battery".to_string();
    let short = "hunter2".to_string();
    vec![
        Fixture {
            name: "npm",
            content: format!("registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={npm}\n"),
            secrets: vec![npm.clone()],
        },
        Fixture {
            name: "github",
            content: format!("@acme:registry=https://npm.pkg.github.com\n//npm.pkg.github.com/:_authToken=\"{ghp}\"\n; backup {pat}\n"),
            secrets: vec![ghp.clone(), pat.clone()],
        },
        Fixture {
            name: "gitlab",
            content: format!("//gitlab.example.com/api/v4/packages/npm/:_authToken = {glpat} ; ci\r\n"),
            secrets: vec![glpat.clone()],
        },
        Fixture {
            name: "legacy",
            content: format!("\u{feff}_authToken={uuid}\r//r.example/:_authToken={bad}"),
            secrets: vec![uuid.clone(), bad.clone()],
        },
        Fixture {
            name: "basic",
            content: format!("//r.example/:_auth={auth}\n//r.example/:_password='{pass}'\nregistry=https://deploy:{short}@r.example/\n"),
            secrets: vec![auth.clone(), pass.clone(), short.clone()],
        },
    ]
}

/// A temporary folder holding every fixture as `NAME.npmrc`; their file
/// names and all their secrets.
pub fn fixture_files() -> (tempfile::TempDir, Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut names = Vec::new();
    let mut secrets = Vec::new();
    for f in fixtures() {
        let name = format!("{}.npmrc", f.name);
        std::fs::write(dir.path().join(&name), &f.content).expect("write");
        names.push(name);
        secrets.extend(f.secrets);
    }
    (dir, names, secrets)
}

/// A temporary git repository driven by the real `git` binary, with the
/// user's and the system's git config blanked.
pub struct TestRepo {
    pub dir: tempfile::TempDir,
    /// The work tree (may be a sub-folder of `dir`, e.g. with spaces).
    pub root: std::path::PathBuf,
}

impl TestRepo {
    pub fn new() -> Self {
        Self::named("repo")
    }

    /// A repository in a folder called `name` (spaces, quotes welcome).
    pub fn named(name: &str) -> Self {
        Self::named_os(std::ffi::OsStr::new(name))
    }

    /// A repository in a folder whose name is any bytes (newlines, not UTF-8).
    pub fn named_os(name: &std::ffi::OsStr) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join(name);
        std::fs::create_dir_all(&root).expect("mkdir");
        let repo = TestRepo { dir, root };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    fn env(&self, cmd: &mut Command) {
        hermetic(cmd, self.dir.path())
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com");
    }

    /// `program`, started in the work tree with the hermetic environment.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        self.env(&mut cmd);
        cmd.current_dir(&self.root);
        cmd
    }

    /// A `git` command in the work tree.
    pub fn git_cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.command("git");
        cmd.args(args);
        cmd
    }

    /// Run git; panic unless it succeeds. Returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_cmd(args).output().expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// Run git and return its whole output, whatever the status.
    pub fn git_out(&self, args: &[&str]) -> Output {
        self.git_cmd(args).output().expect("git runs")
    }

    /// The tool, started in the work tree with the same environment.
    pub fn tool(&self, args: &[&str]) -> Output {
        self.tool_cmd(args).output().expect("tool runs")
    }

    /// [`TestRepo::tool`] as a command, for a test to add to.
    pub fn tool_cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_npmrc-guard"));
        self.env(&mut cmd);
        cmd.current_dir(&self.root).args(args);
        cmd
    }

    pub fn write(&self, path: &str, content: &str) {
        let p = self.root.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    /// Write a file whose path is any bytes.
    pub fn write_bytes(&self, path: &[u8], content: &[u8]) {
        use std::os::unix::ffi::OsStrExt;
        let p = self.root.join(std::ffi::OsStr::from_bytes(path));
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    pub fn head(&self) -> Option<String> {
        let out = self.git_out(&["rev-parse", "-q", "--verify", "HEAD"]);
        out.status
            .success()
            .then(|| text(&out.stdout).trim().to_string())
    }

    /// Leave `path` unmerged in the index: a base commit, a branch `other`
    /// and `main` each change it, and `git merge other` stops on the
    /// conflict.
    pub fn conflict(&self, path: &str) {
        self.write(path, "a=1\n");
        self.git(&["add", path]);
        self.commit_setup("base");
        self.git(&["checkout", "-q", "-b", "other"]);
        self.write(path, "a=2\n");
        self.git(&["commit", "-q", "--no-verify", "-am", "other"]);
        self.git(&["checkout", "-q", "main"]);
        self.write(path, "a=3\n");
        self.git(&["commit", "-q", "--no-verify", "-am", "main"]);
        let merge = self.git_out(&["merge", "other"]);
        assert!(!merge.status.success(), "expected a conflict at {path}");
    }

    /// Commit everything staged, bypassing hooks (to set up history).
    pub fn commit_setup(&self, msg: &str) {
        self.git(&["commit", "-q", "--no-verify", "--allow-empty", "-m", msg]);
    }
}

pub fn literal_npmrc(token: &str) -> String {
    format!("registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={token}\n")
}

pub const SAFE_NPMRC: &str =
    "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n";

/// Run `cmd` with `input` on its standard input; its whole output.
pub fn output_with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write");
    child.wait_with_output().expect("wait")
}

/// Run `node SCRIPT ARG` with `input` on standard input; its standard output.
pub fn node_json(script: &str, arg: &str, input: &[u8]) -> Vec<u8> {
    let home = tempfile::tempdir().expect("tempdir");
    let mut node = Command::new("node");
    hermetic(&mut node, home.path()).arg(script).arg(arg);
    let out = output_with_stdin(&mut node, input);
    assert!(
        out.status.success(),
        "node {script} failed: {}",
        text(&out.stderr)
    );
    out.stdout
}

/// The folder of the npm that `node` runs, when it has `@npmcli/config`
/// (the oracle the npm tests load), asked of `npm root -g` hermetically.
pub fn npm_root() -> Option<String> {
    let home = tempfile::tempdir().ok()?;
    let out = hermetic(&mut Command::new("npm"), home.path())
        .args(["root", "-g"])
        .output()
        .ok()?;
    let root = String::from_utf8(out.stdout).ok()?;
    let dir = format!("{}/npm", root.trim());
    Path::new(&dir)
        .join("node_modules/@npmcli/config")
        .exists()
        .then_some(dir)
}
pub mod capture;
pub mod npm;

impl TestRepo {
    /// A repository whose objects are named by `format` (`sha1`, `sha256`):
    /// libgit2 cannot open a SHA-256 one, so the tool asks git's plumbing.
    pub fn with_format(format: &str) -> Self {
        let repo = TestRepo::new();
        std::fs::remove_dir_all(repo.root.join(".git")).expect("rm .git");
        repo.git(&[
            "init",
            "-q",
            "-b",
            "main",
            &format!("--object-format={format}"),
            ".",
        ]);
        repo
    }
}
