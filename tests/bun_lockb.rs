//! bun's binary lockfile, `bun.lockb`: bun 1.4.5 writes one with
//! `saveTextLockfile = false` (bun before 1.2 always did) and, on
//! `install --frozen-lockfile`, fetches the tarball URL it holds,
//! `user:password@` included, whatever the registry now says. Proved here
//! on the wire with a small registry on 127.0.0.1; then the guard must
//! block the committed `bun.lockb`, in every format, without showing the
//! password, with no key named (the bytes before a URL there are another
//! string's). Needs node and npm (bun is installed under target/ once);
//! under `CI=true` their absence fails.

mod common;

use common::npm::{installed_once, run};
use common::TestRepo;
use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// A fabricated password: random-looking, not a stand-in.
const PW: &str = "Vn4qZ8rKt2WxL7bYp3Hs";

/// What the registry saw: (path, `Authorization` header).
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A registry for two packages, `alongpackagename@1.0.0` and
/// `somepkg@1.0.0`: the metadata of `somepkg` names its tarball URL with
/// `alice:PW@` while `creds` is set, without after; the tarballs are
/// `tgz` (by name).
fn registry(
    tgz: std::collections::HashMap<String, Vec<u8>>,
    creds: Arc<AtomicBool>,
) -> (u16, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let tgz = Arc::new(tgz);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (log, tgz, creds) = (Arc::clone(&log), Arc::clone(&tgz), Arc::clone(&creds));
            std::thread::spawn(move || {
                let Some((path, auth)) = common::capture::read_request(&stream) else {
                    return;
                };
                log.lock().expect("lock").push((path.clone(), auth));
                let name = path.trim_matches('/');
                let (kind, body) = if let Some(t) =
                    name.strip_suffix("-1.0.0.tgz").and_then(|n| tgz.get(n))
                {
                    ("application/octet-stream", t.clone())
                } else if tgz.contains_key(name) {
                    let user = if name == "somepkg" && creds.load(Ordering::SeqCst) {
                        format!("alice:{PW}@")
                    } else {
                        String::new()
                    };
                    let meta = format!(
                        "{{\"name\":\"{name}\",\"dist-tags\":{{\"latest\":\"1.0.0\"}},\"versions\":{{\"1.0.0\":{{\"name\":\"{name}\",\"version\":\"1.0.0\",\"dist\":{{\"tarball\":\"http://{user}127.0.0.1:{port}/{name}-1.0.0.tgz\"}}}}}}}}"
                    );
                    ("application/json", meta.into_bytes())
                } else {
                    let _ = stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                    return;
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            });
        }
    });
    (port, seen)
}

/// `NAME-1.0.0.tgz`, made by `tar`.
fn tarball(name: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tempdir");
    let pkg = dir.path().join("package");
    std::fs::create_dir_all(&pkg).expect("mkdir");
    std::fs::write(
        pkg.join("package.json"),
        format!(r#"{{"name":"{name}","version":"1.0.0"}}"#),
    )
    .expect("write");
    let tgz = dir.path().join("p.tgz");
    let out = Command::new("tar")
        .arg("-czf")
        .arg(&tgz)
        .arg("-C")
        .arg(dir.path())
        .arg("package")
        .output()
        .expect("tar runs");
    assert!(out.status.success(), "tar: {}", common::text(&out.stderr));
    std::fs::read(tgz).expect("read")
}

fn bun_install(bun: &Path, dir: &Path, frozen: bool) {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(bun);
    common::hermetic(&mut cmd, home.path()).current_dir(dir);
    cmd.arg("install");
    if frozen {
        cmd.arg("--frozen-lockfile");
    }
    let out = run("bun install", &mut cmd, 120);
    assert!(
        out.status.success(),
        "bun install failed: {}",
        common::text(&out.stderr)
    );
}

#[test]
fn bun_sends_a_bun_lockb_url_password_and_the_guard_blocks_it() {
    let Some(tools) = installed_once("bun", "@oven/bun-linux-x64@1.4.5") else {
        return;
    };
    let bun = tools.join("node_modules/@oven/bun-linux-x64/bin/bun");
    let creds = Arc::new(AtomicBool::new(true));
    // Two packages: bun stores the first's name and the second's URL back
    // to back in its string buffer (review 6, #4).
    let tgz = ["alongpackagename", "somepkg"]
        .map(|n| (n.to_string(), tarball(n)))
        .into_iter()
        .collect();
    let (port, seen) = registry(tgz, Arc::clone(&creds));

    // bun writes bun.lockb from metadata whose tarball URL holds the
    // password.
    let repo = TestRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"x","version":"1.0.0","dependencies":{"alongpackagename":"1.0.0","somepkg":"1.0.0"}}"#,
    );
    repo.write(
        "bunfig.toml",
        &format!("[install]\nsaveTextLockfile = false\nregistry = \"http://127.0.0.1:{port}/\"\n"),
    );
    bun_install(&bun, &repo.root, false);
    let lockb = std::fs::read(repo.root.join("bun.lockb")).expect("bun wrote bun.lockb");
    assert!(
        !repo.root.join("bun.lock").exists(),
        "bun wrote a text lockfile"
    );

    // The registry forgets the password; a fresh install from the lockfile
    // still sends it: it came from bun.lockb.
    creds.store(false, Ordering::SeqCst);
    seen.lock().expect("lock").clear();
    std::fs::remove_dir_all(repo.root.join("node_modules")).expect("rm node_modules");
    bun_install(&bun, &repo.root, true);
    let basic = |(path, auth): &(String, Option<String>)| {
        let b64 = auth.as_deref()?.strip_prefix("Basic ")?;
        path.ends_with(".tgz")
            .then(|| common::text(&npmrc_guard::eval::base64_lenient(b64)))
    };
    let sent: Vec<String> = seen
        .lock()
        .expect("lock")
        .iter()
        .filter_map(basic)
        .collect();
    assert_eq!(
        sent,
        [format!("alice:{PW}")],
        "bun did not send bun.lockb's credentials: {:?}",
        seen.lock().expect("lock")
    );

    // The guard: the staged bun.lockb, alone of the files, in every format.
    std::fs::remove_dir_all(repo.root.join("node_modules")).expect("rm node_modules");
    repo.git(&["add", "-A"]);
    let secrets = [PW.to_string()];
    for format in ["human", "github", "sarif"] {
        let out = repo.tool(&["scan", "--staged", "--format", format]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            common::text(&out.stdout)
        );
        common::assert_no_secret(&out, &secrets);
    }
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    common::assert_no_secret(&out, &secrets);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let at = lockb
        .windows(PW.len())
        .position(|w| w == PW.as_bytes())
        .expect("the password is in bun.lockb");
    let line = lockb[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let start = lockb[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let found: Vec<_> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
                f["key"].clone(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "url-credentials".to_string(),
            "bun.lockb".to_string(),
            line,
            (at - start + 1) as u64,
            serde_json::Value::Null
        )]
    );
    // `check` reads it too, and a commit of it alone is blocked by the
    // default include.
    let out = repo.tool(&["check", "bun.lockb"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::text(&out.stdout));
    common::assert_no_secret(&out, &secrets);
}
