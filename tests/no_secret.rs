//! Secrets never leave: every output format over every fixture, and no
//! whole fixture secret in standard output or standard error, neither as
//! written nor in any escaped form (JSON, SARIF, GitHub workflow commands,
//! percent-encoding).

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use common::*;

#[test]
fn no_output_format_contains_a_secret() {
    let (dir, names, all) = all_fixture_files();
    let mut runs = 0;
    for format in ["human", "json", "sarif", "github"] {
        for color in ["always", "never"] {
            let out = npmrc_guard(dir.path())
                .args(["check", "--format", format, "--color", color])
                .args(&names)
                .arg("missing.npmrc")
                .output()
                .expect("runs");
            assert_eq!(
                out.status.code(),
                Some(2),
                "{format}: missing file fails the run"
            );
            assert!(!out.stdout.is_empty());
            assert_no_leak(&out, &all, &format!("check --format {format}"));
            runs += 1;
        }
    }
    assert_eq!(runs, 8);
}

#[test]
fn every_fixture_is_found() {
    // The no-leak test above means nothing if the fixtures were not found.
    let dir = tempfile::tempdir().expect("tempdir");
    for f in all_fixtures() {
        fs::write(dir.path().join(".npmrc"), &f.content).expect("write");
        let out = npmrc_guard(dir.path())
            .args(["check", "--format", "json"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{}", f.name);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let errors = json["findings"]
            .as_array()
            .expect("array")
            .iter()
            .filter(|f| f["severity"] == "error")
            .count();
        assert_eq!(errors, f.errors, "{}: {json:#}", f.name);
    }
}

#[test]
fn debug_and_display_show_only_the_mask() {
    for f in all_fixtures() {
        let found = npmrc_guard::app::scan_bytes(
            &f.name,
            f.content.as_bytes(),
            &npmrc_guard::config::Config::default(),
        );
        let text = format!("{found:?}");
        if let Some(leak) = leak_in(&text, &f.secrets) {
            panic!("{}: Debug leaks a secret ({leak})", f.name);
        }
    }
}

/// Every file under `dir` but git's object store (zlib-compressed, and git
/// itself put the staged secrets there), with its content.
fn files_but_objects(dir: &std::path::Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_under(dir, |p| p.ends_with(".git/objects"))
}

/// One command run over one fixture: what it runs, and the file it was
/// told to keep the secrets in, if any.
struct Case {
    args: Vec<String>,
    env: Vec<(&'static str, &'static str)>,
    store: Option<&'static str>,
    /// Run `git` rather than the tool (the installed hooks).
    git: bool,
    /// The exit status the run must end with, where it does not depend on
    /// the fixture.
    status: Option<i32>,
}

fn cases() -> Vec<Case> {
    let tool = |args: &[&str]| Case {
        args: args.iter().map(|s| s.to_string()).collect(),
        env: Vec::new(),
        store: None,
        git: false,
        status: None,
    };
    let mut out = Vec::new();
    for format in ["human", "json", "sarif", "github"] {
        for args in [
            &["check"][..],
            &["check", ".npmrc", "missing.npmrc"][..],
            &["check", "-"][..],
            &["scan"][..],
            &["scan", "--staged"][..],
            &["scan", "--history"][..],
            &["scan", "--range", "nope..main", "--history"][..],
            &["scan", "--staged", "--config", "broken.toml"][..],
            &["fix"][..],
        ] {
            let mut c = tool(args);
            c.args.extend(["--format".to_string(), format.to_string()]);
            if args.contains(&"broken.toml") {
                // A config file that does not parse is bad input.
                c.status = Some(2);
            }
            out.push(c);
        }
    }
    for args in [
        &["check"][..],
        &["scan", "--staged"][..],
        &["scan", "--history"][..],
    ] {
        let mut c = tool(args);
        c.env = vec![("NPMRC_GUARD_TEST_PANIC", "1"), ("RUST_BACKTRACE", "1")];
        out.push(c);
    }
    for (args, store) in [
        (&["fix", "--save-env", "../kept.env"][..], Some("kept.env")),
        (
            &["fix", "--staged", "--save-env", "../kept.env"][..],
            Some("kept.env"),
        ),
        (&["fix", "--discard-secrets"][..], None),
        (&["fix", "--move-to-user-config"][..], Some(".npmrc")),
        (
            &["fix", "--save-env", "/nonexistent/folder/x.env"][..],
            None,
        ),
        (&["fix", "--save-env", "in-repo.env"][..], None),
        (&["scan", "--fix", "--discard-secrets"][..], None),
        (
            &["check", "--fix", "--save-env", "../kept.env"][..],
            Some("kept.env"),
        ),
        (&["fix"][..], None),
    ] {
        let mut c = tool(args);
        c.store = store;
        out.push(c);
    }
    out.push(Case {
        git: true,
        ..tool(&["commit", "-m", "through the hook"])
    });
    out.push(Case {
        git: true,
        ..tool(&["push", "-q", "origin", "main"])
    });
    out
}

#[test]
fn no_secret_anywhere_from_any_command() {
    let fixtures = all_fixtures();
    let all: Vec<String> = fixtures.iter().flat_map(|f| f.secrets.clone()).collect();
    let mut runs = 0;
    for f in &fixtures {
        for case in cases() {
            let repo = TestRepo::new();
            // History holds the file; the index holds it once more, changed.
            repo.write(".npmrc", &f.content);
            repo.git(&["add", ".npmrc"]);
            repo.commit_setup("the leak");
            repo.write(".npmrc", &format!("{}save-exact=true\n", f.content));
            repo.git(&["add", ".npmrc"]);
            repo.write("broken.toml", "include = [\n");
            let bare = repo.dir.path().join("remote.git");
            repo.git(&["init", "-q", "--bare", bare.to_str().expect("utf8")]);
            repo.git(&["remote", "add", "origin", bare.to_str().expect("utf8")]);
            for hook in ["pre-commit", "pre-push"] {
                assert_eq!(
                    repo.tool(&["install", "--hook", hook]).status.code(),
                    Some(0)
                );
            }
            let before = files_but_objects(repo.dir.path());

            let mut cmd = if case.git {
                repo.git_cmd(&[])
            } else {
                repo.command(env!("CARGO_BIN_EXE_npmrc-guard"))
            };
            cmd.args(&case.args).envs(case.env.iter().copied());
            cmd.stdin(fs::File::open(repo.root.join(".npmrc")).expect("open"));
            let out = cmd.output().expect("runs");
            let what = format!("{} over {}", case.args.join(" "), f.name);
            assert!(out.status.code().is_some(), "{what}: killed by a signal");
            if case.env.iter().any(|(k, _)| *k == "NPMRC_GUARD_TEST_PANIC") {
                assert_eq!(out.status.code(), Some(2), "{what}: a panic fails closed");
                assert!(text(&out.stderr).contains("internal error"), "{what}");
            }
            if let Some(status) = case.status {
                assert_eq!(
                    out.status.code(),
                    Some(status),
                    "{what}: {}",
                    text(&out.stderr)
                );
            }
            assert_no_leak(&out, &all, &what);

            // Files: a new one holds no secret; a changed one holds only
            // secrets it held before (a token in a comment stays until the
            // user removes it); the chosen store is the exception.
            let store = case.store.map(|s| repo.dir.path().join(s));
            for (path, content) in files_but_objects(repo.dir.path()) {
                if Some(&path) == store.as_ref() || before.get(&path) == Some(&content) {
                    continue;
                }
                let was = before.get(&path).map(|c| text(c)).unwrap_or_default();
                let now = text(&content);
                for s in &all {
                    assert!(
                        !now.contains(s.as_str()) || was.contains(s.as_str()),
                        "{what}: {} now holds a secret ({} characters)",
                        path.display(),
                        s.len()
                    );
                }
            }
            runs += 1;
        }
    }
    assert_eq!(runs, fixtures.len() * cases().len());
}

/// A file to run every command over: its content, every form of every
/// secret it holds (as written, and as npm decodes it), and how many errors
/// the tool must report in it.
struct Leaky {
    name: String,
    content: String,
    secrets: Vec<String>,
    errors: usize,
}

/// The shared fixtures, then every fixture token in every place on a line,
/// then passwords made of the characters an escaping would change.
fn all_fixtures() -> Vec<Leaky> {
    let mut out: Vec<Leaky> = fixtures()
        .into_iter()
        .map(|f| Leaky {
            name: f.name.to_string(),
            content: f.content,
            errors: f.secrets.len(),
            secrets: f.secrets,
        })
        .collect();
    out.push(placements());
    out.push(escapes());
    out
}

/// Every token of the shared fixtures alone on a line, as a key, as a
/// value, and at the start, in the middle and at the end of a line.
fn placements() -> Leaky {
    let tokens = [
        npm_token(101),
        github_token("ghp", 102),
        github_pat(103),
        gitlab_token(104),
    ];
    // Each token must be one of the shared fixtures' secrets.
    let shared: Vec<String> = fixtures().into_iter().flat_map(|f| f.secrets).collect();
    assert!(tokens.iter().all(|t| shared.contains(t)));
    let mut content = String::new();
    let mut errors = 0;
    for (i, t) in tokens.iter().enumerate() {
        for line in [
            t.to_string(),
            format!("{t}=1"),
            format!("{t} tail words"),
            format!("key {t} tail"),
            format!("key {t}"),
            format!("key: {t}"),
            format!("# note {t}"),
            format!("; {t}"),
            format!("note={t}"),
            format!("//r{i}.example/:_authToken={t}"),
        ] {
            content.push_str(&line);
            content.push('\n');
            errors += 1;
        }
    }
    Leaky {
        name: "placements".to_string(),
        content,
        secrets: tokens.to_vec(),
        errors,
    }
}

/// Passwords holding `%`, `"`, `\`, `,` and `:`: plain, in base64 (`_auth`,
/// `_password`), quoted, and in a URL. An escaping of any of them in a
/// report would hide a leak from a plain substring search.
fn escapes() -> Leaky {
    let plain = r#"p%41ss"w\o,r:d-9Zq"#.to_string();
    let auth_pw = r#"s3%cr"t\pw,x:y-Q7"#.to_string();
    let auth = base64(&format!("deploy:{auth_pw}"));
    let pw = r#"Tr%2"ck\y,pa:ss-K4"#.to_string();
    let pw64 = base64(&pw);
    let url_pw = r#"p"ss,w:rd%41-M2"#.to_string();
    let quoted = r#"q%u\"o\\t,e:d-W8"#.to_string();
    let content = format!(
        "//e1.example/:_password={plain}\n\
         //e2.example/:_auth={auth}\n\
         //e3.example/:_password={pw64}\n\
         registry=https://deploy:{url_pw}@e4.example/\n\
         //e5.example/:_password=\"{quoted}\"\n"
    );
    Leaky {
        name: "escapes".to_string(),
        content,
        secrets: vec![
            plain,
            auth,
            auth_pw,
            pw64,
            pw,
            url_pw,
            // The URL password as a URL parser serialises and decodes it.
            "p%22ss,w:rd%41-M2".to_string(),
            "p\"ss,w:rdA-M2".to_string(),
            quoted,
            // The quoted value as npm JSON-decodes it.
            r#"q%u"o\t,e:d-W8"#.to_string(),
        ],
        errors: 5,
    }
}

/// Standard base64 with padding, written out here so the test does not
/// trust the code it tests.
fn base64(s: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in s.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Every fixture as `NAME.npmrc` in a temporary folder; their names and
/// all their secrets.
fn all_fixture_files() -> (tempfile::TempDir, Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut names = Vec::new();
    let mut secrets = Vec::new();
    for f in all_fixtures() {
        let name = format!("{}.npmrc", f.name);
        fs::write(dir.path().join(&name), &f.content).expect("write");
        names.push(name);
        secrets.extend(f.secrets);
    }
    (dir, names, secrets)
}

/// The forms a report could give a secret in: as written, JSON-escaped
/// (JSON and SARIF), JSON with every non-alphanumeric character as
/// `\uXXXX`, GitHub workflow-command escaped (message and property), and
/// percent-encoded (upper and lower case hex).
fn escaped_forms(secret: &str) -> Vec<(&'static str, String)> {
    let json = serde_json::to_string(secret).expect("json");
    let json = json[1..json.len() - 1].to_string();
    let json_all = |upper: bool| -> String {
        secret
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    return c.to_string();
                }
                let mut buf = [0u16; 2];
                c.encode_utf16(&mut buf)
                    .iter()
                    .map(|u| {
                        if upper {
                            format!("\\u{u:04X}")
                        } else {
                            format!("\\u{u:04x}")
                        }
                    })
                    .collect()
            })
            .collect()
    };
    let data = secret
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    let property = data.replace(':', "%3A").replace(',', "%2C");
    let percent = |upper: bool| -> String {
        secret
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else if upper {
                    format!("%{b:02X}")
                } else {
                    format!("%{b:02x}")
                }
            })
            .collect()
    };
    let mut forms = vec![
        ("as written", secret.to_string()),
        ("JSON-escaped", json),
        ("JSON \\u-escaped", json_all(false)),
        ("JSON \\u-escaped (upper hex)", json_all(true)),
        ("GitHub message-escaped", data),
        ("GitHub property-escaped", property),
        ("percent-encoded", percent(true)),
        ("percent-encoded (lower hex)", percent(false)),
    ];
    forms.dedup_by(|a, b| a.1 == b.1);
    forms
}

/// What a report decodes to under each escaping a reader might undo: the
/// text itself, JSON string escapes undone, GitHub escapes undone,
/// percent-decoded, and JSON then percent.
fn decoded_views(text: &str) -> Vec<(&'static str, String)> {
    let json = json_unescape(text);
    let github = text
        .replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%");
    let percent = percent_decode(text);
    let json_percent = percent_decode(&json);
    vec![
        ("output", text.to_string()),
        ("output JSON-unescaped", json),
        ("output GitHub-unescaped", github),
        ("output percent-decoded", percent),
        ("output JSON-unescaped then percent-decoded", json_percent),
    ]
}

fn json_unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(d) => out.push(d),
                    None => {
                        out.push_str("\\u");
                        out.push_str(&hex);
                    }
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Which escaped form of which secret shows in `text` (under which
/// decoding), described without the secret; `None` when none does.
fn leak_in(text: &str, secrets: &[String]) -> Option<String> {
    let views = decoded_views(text);
    for s in secrets {
        for (form, needle) in escaped_forms(s) {
            for (view, haystack) in &views {
                if haystack.contains(needle.as_str()) {
                    return Some(format!(
                        "a secret of {} characters starting {:?}, {form}, in the {view}",
                        s.chars().count(),
                        s.chars().take(4).collect::<String>()
                    ));
                }
            }
        }
    }
    None
}

/// Panics when any form of any of `secrets` shows in the output.
fn assert_no_leak(out: &std::process::Output, secrets: &[String], what: &str) {
    let all = format!("{}\n{}", text(&out.stdout), text(&out.stderr));
    if let Some(leak) = leak_in(&all, secrets) {
        panic!("{what}: output holds {leak}");
    }
    assert_at_most_the_mask(&all, secrets, what);
}

/// Nothing of a secret beyond the mask's first 4 and last 2 characters: no
/// run of 7 of its characters shows in `text`.
fn assert_at_most_the_mask(text: &str, secrets: &[String], what: &str) {
    for s in secrets {
        let c: Vec<char> = s.chars().collect();
        for w in c.windows(7) {
            let w: String = w.iter().collect();
            assert!(
                !text.contains(&w),
                "{what} showed 7 characters of a secret of {} characters",
                c.len()
            );
        }
    }
}

#[test]
fn the_leak_search_sees_every_escaped_form() {
    // The search above means nothing if it misses an escaped secret.
    let secrets: Vec<String> = all_fixtures().into_iter().flat_map(|f| f.secrets).collect();
    for s in &secrets {
        for (form, needle) in escaped_forms(s) {
            let wrapped = format!("message: {needle} (end)");
            assert!(leak_in(&wrapped, &secrets).is_some(), "{form} missed");
        }
        let json = serde_json::json!({ "secret": s }).to_string();
        assert!(leak_in(&json, &secrets).is_some(), "JSON missed");
    }
    // And it does not cry wolf over a masked secret.
    let masked: Vec<String> = secrets
        .iter()
        .map(|s| {
            let c: Vec<char> = s.chars().collect();
            let head: String = c[..4].iter().collect();
            let tail: String = c[c.len() - 2..].iter().collect();
            format!("{head}…{tail}")
        })
        .collect();
    assert_eq!(leak_in(&masked.join("\n"), &secrets), None);
}

/// Run `command_line` in the repository under a pseudo-terminal
/// (util-linux `script`), typing `answers` at its questions. `None` (a skip)
/// when `script` is missing outside CI. This test is about the terminal:
/// the process gets one on purpose.
fn on_a_terminal(
    repo: &TestRepo,
    command_line: &str,
    answers: &str,
) -> Option<std::process::Output> {
    if repo.command("script").arg("--version").output().is_err() {
        assert!(
            !required(),
            "util-linux `script` is needed for the terminal tests"
        );
        return None;
    }
    Some(output_with_stdin(
        repo.command("script")
            .args(["-qec", command_line, "/dev/null"]),
        answers.as_bytes(),
    ))
}

#[test]
fn the_hook_prompt_on_a_terminal_shows_no_secret() {
    for f in all_fixtures() {
        let repo = TestRepo::new();
        assert_eq!(repo.tool(&["install"]).status.code(), Some(0));
        repo.write(".npmrc", &f.content);
        repo.git(&["add", ".npmrc"]);
        let Some(out) = on_a_terminal(&repo, "git commit -m from-a-terminal", "n\n") else {
            return;
        };
        let screen = format!("{}\n{}", text(&out.stdout), text(&out.stderr));
        assert_eq!(repo.head(), None, "{}: the commit went on", f.name);
        assert!(
            screen.contains("[y/N]"),
            "{}: the prompt was not reached",
            f.name
        );
        if let Some(leak) = leak_in(&screen, &f.secrets) {
            panic!("{}: the terminal showed {leak}", f.name);
        }
        assert_at_most_the_mask(&screen, &f.secrets, &format!("{}: the terminal", f.name));
    }
}

/// A token written where a variable's name goes, in a `.npmrc`
/// (`${<token>}`) and in the env file bun fills it from (`<token>=<token>`):
/// the env file's finding names the variable, and that name is a secret
/// too (review 3, #17). No format shows it whole.
#[test]
fn a_token_written_as_an_env_variable_name_is_never_shown() {
    let t = npm_token(171);
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join(".npmrc"),
        format!("//r.example/:_authToken=${{{t}}}\n"),
    )
    .expect("write");
    fs::write(dir.path().join(".env"), format!("{t}={t}\n")).expect("write");
    for format in ["human", "json", "sarif", "github"] {
        let out = npmrc_guard(dir.path())
            .args(["check", "--format", format, ".npmrc", ".env"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert!(
            text(&out.stdout).contains(".env"),
            "{format}: the env file's finding"
        );
        assert_no_leak(&out, std::slice::from_ref(&t), format);
    }
}
