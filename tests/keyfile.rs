//! A TLS client key committed in the repository and named by a `.npmrc`
//! as `//host/:keyfile=`: npm presents it to that registry (mutual TLS),
//! proved here against a Node TLS server that asks for a client
//! certificate; every mode reads the named file and reports the key
//! (review of issue 10, finding 11). A key encrypted with a passphrase is
//! never presented (npm has no passphrase setting) and is not reported.
//! Needs `npm` and `openssl` (to make throwaway keys); under `CI=true`
//! their absence fails.

mod common;

use common::npm::{have, run};
use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// A TLS server on 127.0.0.1 that asks every client for a certificate
/// (accepting any), answers 404, and prints the subject CN of each one.
const SERVER: &str = r#"
const tls = require('tls'), fs = require('fs')
const [key, cert] = process.argv.slice(1)
const server = tls.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert),
  requestCert: true, rejectUnauthorized: false }, (s) => {
  const peer = s.getPeerCertificate()
  console.log('CN=' + (peer && peer.subject ? peer.subject.CN : ''))
  s.on('data', () => s.end('HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}'))
  s.on('error', () => {})
})
server.listen(0, '127.0.0.1', () => console.log('PORT=' + server.address().port))
"#;

struct TlsServer {
    child: std::process::Child,
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
    _home: tempfile::TempDir,
}

impl TlsServer {
    fn start(key: &std::path::Path, cert: &std::path::Path) -> Self {
        let home = tempfile::tempdir().expect("tempdir");
        let mut child = hermetic(&mut Command::new("node"), home.path())
            .arg("-e")
            .arg(SERVER)
            .arg(key)
            .arg(cert)
            .stdout(Stdio::piped())
            .spawn()
            .expect("node runs");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = lines.next().expect("a line").expect("read");
        let port = first
            .strip_prefix("PORT=")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the server said {first:?}"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                log.lock().expect("lock").push(line);
            }
        });
        TlsServer {
            child,
            port,
            seen,
            _home: home,
        }
    }

    /// The client certificates' CNs seen so far, emptied.
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().expect("lock"))
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn openssl(dir: &std::path::Path, args: &[&str]) {
    let home = tempfile::tempdir().expect("tempdir");
    let out = hermetic(&mut Command::new("openssl"), home.path())
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        text(&out.stderr)
    );
}

/// A throwaway self-signed EC key pair at `key` and `cert` under `dir`,
/// the key encrypted with `pass` when one is given.
fn key_pair(dir: &std::path::Path, key: &str, cert: &str, cn: &str, pass: Option<&str>) {
    let subject = format!("/CN={cn}");
    let mut args = vec![
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-keyout",
        key,
        "-out",
        cert,
        "-subj",
        &subject,
        "-days",
        "1",
    ];
    let passout = pass.map(|p| format!("pass:{p}"));
    match &passout {
        Some(p) => args.extend(["-passout", p]),
        None => args.push("-nodes"),
    }
    openssl(dir, &args);
}

fn have_openssl() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(!required(), "openssl is missing");
        eprintln!("skipped: openssl is missing");
    }
    ok
}

/// What the server saw when npm ran `npm view somepkg` in `repo`.
fn npm_view_presents(repo: &TestRepo, server: &TlsServer) -> (Vec<String>, String) {
    server.take();
    let home = tempfile::tempdir().expect("tempdir");
    let out = run(
        "npm view",
        hermetic(&mut Command::new("npm"), home.path())
            .current_dir(&repo.root)
            .args([
                "view",
                "somepkg",
                "--fetch-retries=0",
                "--no-update-notifier",
            ]),
        60,
    );
    // The server's log line comes from another process: give it a moment.
    std::thread::sleep(std::time::Duration::from_millis(300));
    (server.take(), text(&out.stderr))
}

#[test]
fn a_committed_key_that_a_npmrc_names_as_keyfile_is_reported() {
    if !have("npm") || !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    key_pair(dir.path(), "srv.key", "srv.crt", "127.0.0.1", None);
    let server = TlsServer::start(&dir.path().join("srv.key"), &dir.path().join("srv.crt"));
    let host = format!("127.0.0.1:{}", server.port);
    let npmrc = format!(
        "registry=https://{host}/\nstrict-ssl=false\n//{host}/:certfile=certs/client.crt\n//{host}/:keyfile=certs/client.key\n"
    );

    let repo = TestRepo::new();
    repo.write("package.json", "{\"name\":\"x\",\"version\":\"1.0.0\"}\n");
    repo.write(".npmrc", &npmrc);
    std::fs::create_dir_all(repo.root.join("certs")).expect("mkdir");
    key_pair(
        &repo.root,
        "certs/client.key",
        "certs/client.crt",
        "committed-client-key",
        None,
    );
    let (seen, stderr) = npm_view_presents(&repo, &server);
    assert!(
        seen.contains(&"CN=committed-client-key".to_string()),
        "npm presented no client key: {seen:?} {stderr}"
    );
    let key = std::fs::read_to_string(repo.root.join("certs/client.key")).expect("read");
    // A line of the key's body: what must never be shown.
    let body = key.lines().nth(1).expect("a body line").to_string();
    let reported = |out: &std::process::Output, what: &str| {
        assert_eq!(out.status.code(), Some(1), "{what}: {}", text(&out.stdout));
        assert!(
            text(&out.stdout).contains("certs/client.key:1:1 error[private-key]"),
            "{what}: {}",
            text(&out.stdout)
        );
        assert_no_secret(out, std::slice::from_ref(&body));
    };
    repo.git(&["add", "-A"]);
    reported(&repo.tool(&["scan", "--staged"]), "scan --staged");
    reported(&repo.tool(&["check", ".npmrc"]), "check");
    reported(&repo.tool(&["scan"]), "scan");
    repo.commit_setup("mutual TLS");
    reported(&repo.tool(&["scan", "--history"]), "scan --history");

    // Encrypted with a passphrase: npm cannot use it (ERR_OSSL_BAD_DECRYPT)
    // and presents nothing; not reported.
    let repo = TestRepo::new();
    repo.write("package.json", "{\"name\":\"x\",\"version\":\"1.0.0\"}\n");
    repo.write(".npmrc", &npmrc);
    std::fs::create_dir_all(repo.root.join("certs")).expect("mkdir");
    key_pair(
        &repo.root,
        "certs/client.key",
        "certs/client.crt",
        "committed-client-key",
        Some("a passphrase"),
    );
    let (seen, stderr) = npm_view_presents(&repo, &server);
    assert!(
        !seen.contains(&"CN=committed-client-key".to_string()),
        "npm presented the encrypted key: {seen:?}"
    );
    assert!(stderr.contains("BAD_DECRYPT"), "{stderr}");
    repo.git(&["add", "-A"]);
    let out = repo.tool(&["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}
