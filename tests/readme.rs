//! The README's `console` blocks are test cases.
//!
//! Each block is run in a fresh temporary repository made by the setup its
//! HTML comment names (`<!-- readme-test: NAME -->` just above the block;
//! invisible on GitHub), with a temporary HOME, the user's git config blanked,
//! fixed commit dates, no terminal, and the tool first on PATH. Every line
//! starting with `$ ` is a command (run by `sh`, standard error merged into
//! standard output); the lines up to the next command are its expected
//! output. In expected output `[..]` matches any text within a line, a line
//! `...` any number of lines, `[ROOT]` the repository's path and `[HOME]` the
//! home folder; a command that exits non-zero ends with `[exit status: N]`.
//!
//! When the tool's behaviour changes, this test fails until the README shows
//! the new behaviour. `README_SHOW=1` prints what each command printed.

mod common;

use common::{npm_token, text, TestRepo};
use std::path::Path;

const README: &str = include_str!("../README.md");

#[derive(Debug)]
struct Block {
    setup: String,
    /// 1-based line of the opening fence, for messages.
    line: usize,
    commands: Vec<(String, Vec<String>)>,
}

/// Every `console` block, with the setup its comment names.
fn blocks(markdown: &str) -> Vec<Block> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != "```console" {
            i += 1;
            continue;
        }
        let setup = i
            .checked_sub(1)
            .and_then(|j| lines[j].trim().strip_prefix("<!-- readme-test:"))
            .and_then(|s| s.strip_suffix("-->"))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|| {
                panic!(
                    "README.md:{}: a console block needs `<!-- readme-test: SETUP -->` just above it",
                    i + 1
                )
            });
        let line = i + 1;
        let mut commands: Vec<(String, Vec<String>)> = Vec::new();
        i += 1;
        while i < lines.len() && lines[i].trim_end() != "```" {
            if let Some(cmd) = lines[i].strip_prefix("$ ") {
                commands.push((cmd.to_string(), Vec::new()));
            } else {
                let (_, expected) = commands.last_mut().unwrap_or_else(|| {
                    panic!("README.md:{}: output before the first `$ ` command", i + 1)
                });
                expected.push(lines[i].to_string());
            }
            i += 1;
        }
        assert!(i < lines.len(), "README.md:{line}: unclosed console block");
        out.push(Block {
            setup,
            line,
            commands,
        });
        i += 1;
    }
    out
}

/// Whether one line matches one expected line (`[..]` is any text).
fn line_matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split("[..]").collect();
    if parts.len() == 1 {
        return expected == actual;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !actual.starts_with(first) || actual.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &actual[first.len()..];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// Whether the actual lines match the expected ones (`...` is any lines).
fn lines_match(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e == "..." => {
            (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..]))
        }
        Some((e, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| line_matches(e, a) && lines_match(rest, more)),
    }
}

#[test]
fn matching_rules() {
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert!(line_matches("a [..] c", "a b c"));
    assert!(line_matches("a[..]", "a"));
    assert!(!line_matches("a [..] c", "a b d"));
    assert!(!line_matches("abc", "abd"));
    assert!(lines_match(
        &v(&["x", "...", "z"]),
        &v(&["x", "y", "y", "z"])
    ));
    assert!(lines_match(&v(&["x", "..."]), &v(&["x"])));
    assert!(!lines_match(&v(&["x", "z"]), &v(&["x", "y", "z"])));
    assert!(!lines_match(&v(&["x"]), &v(&["x", "y"])));
}

/// The npm token the README's examples hold (fabricated, valid checksum).
fn token() -> String {
    npm_token(2026)
}

/// Put the repository in the state the named setup describes.
fn setup(repo: &TestRepo, name: &str) {
    repo.write(
        "package.json",
        "{ \"name\": \"my-app\", \"private\": true }\n",
    );
    repo.git(&["add", "package.json"]);
    repo.commit_setup("initial");
    let leaked = format!(
        "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={}\n",
        token()
    );
    match name {
        // A fresh project: nothing but package.json.
        "clean" => {}
        // A project .npmrc holding a token, not yet added.
        "leaked-npmrc" => repo.write(".npmrc", &leaked),
        // The same, and the token was committed once and removed since.
        "leaked-history" => {
            repo.write(".npmrc", &leaked);
            repo.git(&["add", ".npmrc"]);
            repo.commit_setup("add registry");
            repo.write(".npmrc", common::SAFE_NPMRC);
            repo.git(&["add", ".npmrc"]);
            repo.commit_setup("use NPM_TOKEN");
        }
        other => panic!("README uses an unknown readme-test setup {other:?}"),
    }
}

/// Run one command as the README's reader would; its output, with the exit
/// status appended when it is not 0.
fn run(repo: &TestRepo, bin_dir: &Path, command: &str) -> Vec<String> {
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The hermetic command runs in its own session: no controlling
    // terminal, so the hook never prompts. (Not the `setsid` program: in a
    // process that already leads its group it forks and exits 0 at once,
    // and every exit status would read as 0.)
    let mut cmd = repo.command("sh");
    cmd.args(["-c", &format!("exec 2>&1\n{command}")])
        .env("PATH", path)
        .env("GIT_AUTHOR_DATE", "2026-11-28T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-28T12:00:00Z")
        .stdin(std::process::Stdio::null());
    let out = cmd.output().expect("setsid sh runs");
    let root = repo.root.display().to_string();
    let home = repo.dir.path().display().to_string();
    let mut lines: Vec<String> = text(&out.stdout)
        .replace(&root, "[ROOT]")
        .replace(&home, "[HOME]")
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect();
    match out.status.code() {
        Some(0) => {}
        Some(n) => lines.push(format!("[exit status: {n}]")),
        None => lines.push("[killed by a signal]".to_string()),
    }
    lines
}

/// Run every block of `markdown`; the mismatches, described.
fn failures(markdown: &str) -> Vec<String> {
    let bin = Path::new(env!("CARGO_BIN_EXE_npmrc-guard"));
    let bin_dir = bin.parent().expect("bin dir");
    let mut failures = Vec::new();
    for block in blocks(markdown) {
        let repo = TestRepo::new();
        setup(&repo, &block.setup);
        for (command, expected) in &block.commands {
            let actual = run(&repo, bin_dir, command);
            if std::env::var_os("README_SHOW").is_some() {
                eprintln!("$ {command}\n{}", actual.join("\n"));
            }
            assert!(
                !actual.join("\n").contains(&token()),
                "README.md:{}: the output holds the whole token",
                block.line
            );
            if !lines_match(expected, &actual) {
                failures.push(format!(
                    "README.md:{} ({}): $ {command}\n--- expected\n{}\n--- actual\n{}\n",
                    block.line,
                    block.setup,
                    expected.join("\n"),
                    actual.join("\n")
                ));
                break;
            }
        }
    }
    failures
}

#[test]
fn readme_console_examples_run() {
    let found = blocks(README);
    assert!(
        found.len() >= 5,
        "expected the README's console examples, found {}",
        found.len()
    );
    let failures = failures(README);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The test can fail: a README whose example output is edited does.
#[test]
fn an_edited_example_fails() {
    let first = blocks(README)
        .into_iter()
        .find(|b| b.commands.iter().any(|(_, e)| !e.is_empty()))
        .expect("a console block with output");
    let (cmd, expected) = first
        .commands
        .iter()
        .find(|(_, e)| !e.is_empty())
        .expect("a command with output");
    let mut edited = format!("<!-- readme-test: {} -->\n```console\n", first.setup);
    for (c, e) in &first.commands {
        edited.push_str(&format!("$ {c}\n"));
        let mut e = e.clone();
        if c == cmd && e == *expected {
            e[0].push_str(" (edited)");
        }
        for line in e {
            edited.push_str(&line);
            edited.push('\n');
        }
        if c == cmd {
            break;
        }
    }
    edited.push_str("```\n");
    assert_eq!(failures(&edited).len(), 1, "{edited}");
}

/// The README's stand-in paragraph lists exactly the words of the one table
/// the detector uses (`npmrc_guard::standin::VOCABULARY`), in its order.
#[test]
fn the_stand_in_vocabulary_is_the_detectors() {
    let start = README
        .find("A stand-in is made only of these words")
        .expect("the stand-in paragraph");
    let list = &README[start..];
    let list = &list[list.find("apart): ").expect("the word list") + "apart): ".len()..];
    let list = &list[..list.find("; and the separators").expect("the list's end")];
    let words: Vec<String> = list
        .split(',')
        .map(|w| w.trim().trim_matches('`').to_string())
        .collect();
    assert_eq!(words, npmrc_guard::standin::VOCABULARY);
}
