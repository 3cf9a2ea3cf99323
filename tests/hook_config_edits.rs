//! The line editor for lefthook's and pre-commit's YAML, tested hard:
//! hundreds of generated block-style configs (indent 2 or 4, comments at
//! any indentation, blank lines, block scalars, CRLF, no final newline,
//! sequences at the key's own indentation), each edited by `install`'s
//! pure editor and read back by a real YAML parser (PyYAML, which
//! pre-commit brings): the result must be the same data plus our entry and
//! nothing else, and `uninstall`'s editor must give back the exact bytes.

mod common;

use std::process::Command;

use common::{hermetic, output_with_stdin, required, text};
use npmrc_guard::hook::HookKind;
use npmrc_guard::managers::edit::{Added, Removed};
use npmrc_guard::managers::{snippet, yaml};

/// A small deterministic generator (xorshift): the same cases every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }
    fn coin(&mut self) -> bool {
        self.below(2) == 0
    }
}

/// Blank lines and comments, at any indentation, between entries.
fn noise(r: &mut Rng, out: &mut Vec<String>, indent: usize) {
    for _ in 0..r.below(3) {
        match r.below(3) {
            0 => out.push(String::new()),
            1 => out.push(format!("{}# note {}", " ".repeat(indent), r.below(100))),
            _ => out.push(format!("{}# deeper", " ".repeat(indent + 2))),
        }
    }
}

fn command(r: &mut Rng, out: &mut Vec<String>, at: usize, u: usize, name: &str) {
    let pad = " ".repeat(at);
    let inner = " ".repeat(at + u);
    out.push(format!("{pad}{name}:"));
    if r.coin() {
        out.push(format!("{inner}run: echo {name} # why"));
    } else {
        out.push(format!("{inner}run: |"));
        for k in 0..=r.below(2) {
            out.push(format!("{inner}{}echo {name} {k}", " ".repeat(u)));
        }
    }
    if r.coin() {
        out.push(format!("{inner}glob: \"*.{{js,ts}}\""));
    }
}

fn finish(r: &mut Rng, lines: &[String]) -> String {
    let eol = if r.below(4) == 0 { "\r\n" } else { "\n" };
    let mut text = lines.join(eol);
    if !lines.is_empty() && r.below(5) != 0 {
        text.push_str(eol);
    }
    text
}

fn lefthook_config(r: &mut Rng) -> String {
    let u = if r.coin() { 2 } else { 4 };
    let mut out = Vec::new();
    let mut sections = vec!["colors", "pre-push", "pre-commit", "output"];
    // Shuffle, and sometimes leave pre-commit out.
    for i in (1..sections.len()).rev() {
        sections.swap(i, r.below(i as u64 + 1));
    }
    for s in sections {
        noise(r, &mut out, 0);
        match s {
            "colors" if r.coin() => out.push("colors: false".to_string()),
            "output" if r.coin() => {
                out.push("output:".to_string());
                out.push(format!("{}- summary", " ".repeat(u * r.below(2))));
            }
            "pre-push" if r.coin() => {
                out.push("pre-push:".to_string());
                out.push(format!("{}commands:", " ".repeat(u)));
                command(r, &mut out, 2 * u, u, "test");
            }
            "pre-commit" if r.below(5) != 0 => {
                out.push("pre-commit:".to_string());
                if r.below(6) == 0 {
                    continue; // null: `pre-commit:` alone
                }
                if r.coin() {
                    out.push(format!("{}parallel: true", " ".repeat(u)));
                }
                noise(r, &mut out, u);
                if r.below(4) != 0 {
                    out.push(format!("{}commands:", " ".repeat(u)));
                    for n in 0..=r.below(3) {
                        noise(r, &mut out, 2 * u);
                        command(r, &mut out, 2 * u, u, &format!("lint{n}"));
                    }
                }
                if r.coin() {
                    out.push(format!("{}scripts:", " ".repeat(u)));
                    out.push(format!("{}\"check.sh\":", " ".repeat(2 * u)));
                    out.push(format!("{}runner: bash", " ".repeat(3 * u)));
                }
            }
            _ => {}
        }
    }
    noise(r, &mut out, 0);
    finish(r, &out)
}

fn pre_commit_config(r: &mut Rng) -> String {
    let d = if r.coin() { 0 } else { 2 };
    let pad = " ".repeat(d);
    let mut out = Vec::new();
    noise(r, &mut out, 0);
    if r.coin() {
        out.push("default_stages: [pre-commit]".to_string());
    }
    out.push("repos:".to_string());
    for n in 0..=r.below(3) {
        noise(r, &mut out, d);
        out.push(format!("{pad}- repo: https://example.com/r{n}"));
        out.push(format!("{pad}  rev: v{n}.0.0"));
        out.push(format!("{pad}  hooks:"));
        out.push(format!("{pad}  - id: hook{n}"));
        if r.coin() {
            out.push(format!("{pad}    args: [--fix]"));
        }
    }
    noise(r, &mut out, 0);
    if r.coin() {
        out.push("ci:".to_string());
        out.push("  autofix_prs: false".to_string());
    }
    finish(r, &out)
}

/// PyYAML, from `.venv` (as `.ci/run` makes it) or PATH.
fn python_with_yaml() -> Option<Command> {
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let program = if venv.exists() {
        venv.into_os_string()
    } else {
        "python3".into()
    };
    let home = tempfile::tempdir().expect("tempdir");
    let found = hermetic(&mut Command::new(&program), home.path())
        .args(["-c", "import yaml"])
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(!required(), "PyYAML is missing (bash .ci/run installs it)");
        eprintln!("skipped: PyYAML is missing (bash .ci/run installs it)");
        return None;
    }
    Some(Command::new(program))
}

/// For each (before, after) pair: whether `after` reads as `before` plus
/// our entry, as the Python expression `expect` (over `o`, the data of
/// `before`) builds it.
fn same_plus_ours(pairs: &[(String, String)], expect: &str, ours: &serde_json::Value) -> Vec<bool> {
    let Some(mut python) = python_with_yaml() else {
        return vec![true; pairs.len()];
    };
    let script = format!(
        "import json, sys, yaml\n\
         data = json.load(sys.stdin)\n\
         ours = data['ours']\n\
         out = []\n\
         for before, after in data['pairs']:\n\
         \x20   o = yaml.safe_load(before) or {{}}\n\
         \x20   {expect}\n\
         \x20   out.append(o == yaml.safe_load(after))\n\
         print(json.dumps(out))\n"
    );
    let home = tempfile::tempdir().expect("tempdir");
    hermetic(&mut python, home.path()).args(["-c", &script]);
    let input = serde_json::json!({ "pairs": pairs, "ours": ours });
    let out = output_with_stdin(&mut python, input.to_string().as_bytes());
    assert!(out.status.success(), "python: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("a list of booleans")
}

fn edited(result: Result<Added, String>, before: &str) -> String {
    match result {
        Ok(Added::Changed(e)) => e.text,
        other => panic!("{before:?}: {other:?}"),
    }
}

fn restored(removed: Removed) -> String {
    match removed {
        Removed::Text(t, _) => t,
        other => panic!("{other:?}"),
    }
}

#[test]
fn lefthook_edits_add_exactly_our_command() {
    let mut r = Rng(0x5eed_1ef7_400c);
    let mut pairs = Vec::new();
    for _ in 0..300 {
        let before = lefthook_config(&mut r);
        let after = edited(yaml::lefthook_add(&before, HookKind::PreCommit), &before);
        assert_eq!(
            yaml::lefthook_add(&after, HookKind::PreCommit),
            Ok(Added::Already)
        );
        assert_eq!(
            restored(yaml::lefthook_remove(&after, HookKind::PreCommit)),
            before
        );
        pairs.push((before, after));
    }
    let run = format!("{}\n", snippet::lines(HookKind::PreCommit).join("\n"));
    let ok = same_plus_ours(
        &pairs,
        "pc = o.get('pre-commit') or {}; o['pre-commit'] = pc; cm = pc.get('commands') or {}; pc['commands'] = cm; cm['npmrc-guard'] = {'run': ours}",
        &serde_json::Value::String(run),
    );
    for (ok, (before, after)) in ok.iter().zip(&pairs) {
        assert!(ok, "before:\n{before}\nafter:\n{after}");
    }
}

#[test]
fn pre_commit_edits_add_exactly_our_repo() {
    let mut r = Rng(0x9e3779b97f4a7c15);
    let mut pairs = Vec::new();
    for _ in 0..300 {
        let before = pre_commit_config(&mut r);
        let after = edited(yaml::pre_commit_add(&before), &before);
        assert_eq!(yaml::pre_commit_add(&after), Ok(Added::Already));
        assert_eq!(restored(yaml::pre_commit_remove(&after)), before);
        pairs.push((before, after));
    }
    let ours = serde_json::json!({
        "repo": "local",
        "hooks": [{
            "id": "npmrc-guard",
            "name": "npmrc-guard",
            "entry": snippet::pre_commit_entry(),
            "language": "system",
            "always_run": true,
            "pass_filenames": false,
            "stages": ["pre-commit", "pre-merge-commit"],
        }],
    });
    let ok = same_plus_ours(&pairs, "o['repos'].append(ours)", &ours);
    for (ok, (before, after)) in ok.iter().zip(&pairs) {
        assert!(ok, "before:\n{before}\nafter:\n{after}");
    }
}
