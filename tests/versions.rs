//! What the README says about versions is derived: `rust-version` is at
//! least the highest `rust-version` of any locked dependency, and the README
//! names it and the C compiler libgit2 needs.

use std::process::Command;

fn parse(v: &str) -> Vec<u64> {
    v.split('.')
        .map(|p| p.parse().unwrap_or_else(|_| panic!("bad version {v:?}")))
        .collect()
}

#[test]
fn rust_version_covers_every_locked_dependency() {
    // Not `--offline`: a fresh machine's build downloaded only its own
    // platform's crates, and the metadata of every locked one (Windows'
    // too) is what is asked; crates.io is reachable where the tests run.
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let packages = meta["packages"].as_array().expect("packages");
    let ours = packages
        .iter()
        .find(|p| p["name"] == "npmrc-guard")
        .expect("our package");
    let ours = ours["rust_version"].as_str().expect("rust-version is set");
    let (highest, who) = packages
        .iter()
        .filter(|p| p["name"] != "npmrc-guard")
        .filter_map(|p| {
            let v = p["rust_version"].as_str()?;
            Some((parse(v), format!("{} {}", p["name"], p["version"])))
        })
        .max()
        .expect("some dependency declares a rust-version");
    assert!(
        parse(ours) >= highest,
        "Cargo.toml says rust-version = {ours:?}, but {who} needs {highest:?}"
    );

    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&format!("Rust {ours} or later")),
        "README.md must say \"Rust {ours} or later\""
    );
    assert!(
        readme.contains("C compiler"),
        "README.md must name the C compiler (libgit2 is built from source)"
    );
}
