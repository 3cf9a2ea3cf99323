//! Fix orchestration: plan the edits of each file (pure, in `fix`), put the
//! secrets where the user chose, then write the files back.
//!
//! The order matters: the secrets are stored first, the files rewritten
//! after, so a failure in between can lose nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::detect::Detected;
use crate::finding::{Finding, Severity};
use crate::fix::plan::{self as fix, Names, Plan, Strategy};
use crate::fix::{ci_names, store, write, yarn_move};
use crate::git;
use crate::inputs::shown;

/// Where the removed secrets go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Append `NAME=value` lines to this dotenv file.
    SaveEnv(PathBuf),
    /// Drop them: the user will revoke them.
    Discard,
    /// Move the whole credential lines to this npm user config.
    MoveToUserConfig(PathBuf),
}

impl Disposition {
    pub fn strategy(&self) -> Strategy {
        match self {
            Disposition::MoveToUserConfig(_) => Strategy::MoveLines,
            _ => Strategy::Interpolate,
        }
    }
}

/// The user's npm config file, as npm finds it.
pub fn user_config_path() -> PathBuf {
    // npm takes `npm_config_*` from the environment in any case
    // (`Npm_Config_Userconfig` too; review 4, #6).
    let mut set: Vec<(String, std::ffi::OsString)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v)))
        .filter(|(k, v)| k.eq_ignore_ascii_case("npm_config_userconfig") && !v.is_empty())
        .collect();
    // The usual spellings first, as before.
    set.sort_by_key(|(k, _)| match k.as_str() {
        "NPM_CONFIG_USERCONFIG" => 0,
        "npm_config_userconfig" => 1,
        _ => 2,
    });
    if let Some((_, p)) = set.into_iter().next() {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME").unwrap_or_default();
    Path::new(&home).join(".npmrc")
}

/// One file's fix, planned.
#[derive(Debug)]
pub struct FilePlan {
    /// The path as reports show it.
    pub path: String,
    pub plan: Plan,
    pub fixed: Vec<u8>,
    /// Error findings the fix cannot rewrite (a token in a comment).
    pub remaining: Vec<Finding>,
    /// How many findings the plan rewrites.
    pub rewritten: usize,
}

/// Plan the fix of `src`. `names` carries secret → variable across files, so
/// one secret gets one name, two secrets never share one, and no name the
/// files reference or the store holds otherwise is given to a secret.
pub fn plan_file(
    path: &str,
    src: &[u8],
    strategy: Strategy,
    var: Option<&str>,
    vars: &HashMap<String, String>,
    names: &mut Names,
) -> Result<FilePlan, String> {
    let mut found = crate::files::detect_file(path, src);
    names
        .referenced
        .extend(crate::files::referenced_names(path, src));
    if let Some(tool) = crate::files::foreign_tool(path) {
        if tool == crate::yarnrc::TOOL {
            if let Some(d) = found.iter().find(|d| d.finding.severity == Severity::Error) {
                return Err(format!(
                    "{path}:{}: {}; nothing was changed",
                    d.finding.line,
                    crate::yarnrc::ADVICE
                ));
            }
        }
        if strategy == Strategy::MoveLines && found.iter().any(|d| d.fix.is_some()) {
            if tool == crate::yarnrc_yml::TOOL {
                return yarn_move_plan(path, src, &found);
            }
            // bun merges its user file (`$XDG_CONFIG_HOME/.bunfig.toml` or
            // `~/.bunfig.toml`) under the project's shallowly: a registry
            // (`install.registry`, one `install.scopes` entry) is one value,
            // its url and token together, so the token cannot move alone,
            // and the whole registry would change every project's.
            return Err(format!(
                "{path}: --move-to-user-config does not move the credentials of {tool}: bun holds a registry's url and token in one value, and in the user's .bunfig.toml the whole registry would apply to every project; choose --save-env or --discard-secrets"
            ));
        }
    }
    let chosen = fix::assign_vars_with(&mut found, vars, var, names);
    let mut plan = fix::plan(src, &found, &chosen, strategy);
    if let Some(refused) = plan.refused.first() {
        return Err(refused.message(path));
    }
    plan.edits = crate::files::in_syntax(path, src, plan.edits);
    let fixed = fix::apply(src, &plan.edits);
    if !crate::files::reads_alike(path, src, &fixed) {
        return Err(format!(
            "{path}: the rewrite would change how the file reads; nothing was written (please report this)"
        ));
    }
    let remaining = verify(path, &fixed)?;
    let rewritten = found.iter().filter(|d| d.fix.is_some()).count();
    Ok(FilePlan {
        path: path.to_string(),
        plan,
        fixed,
        remaining,
        rewritten,
    })
}

/// `--move-to-user-config` of a `.yarnrc.yml`: its credential settings
/// leave it for `~/.yarnrc.yml` ([`yarn_move`]).
fn yarn_move_plan(path: &str, src: &[u8], found: &[Detected]) -> Result<FilePlan, String> {
    let (edits, settings) = yarn_move::take_out(path, src, found)?;
    let fixed = fix::apply(src, &edits);
    let remaining = verify(path, &fixed)?;
    Ok(FilePlan {
        path: path.to_string(),
        rewritten: found.iter().filter(|d| d.fix.is_some()).count(),
        plan: Plan {
            edits,
            settings,
            ..Plan::default()
        },
        fixed,
        remaining,
    })
}

/// The user's yarn 2+ config, as yarn 4 finds it: `~/.yarnrc.yml` under
/// `os.homedir()` (`$HOME`), whatever `YARN_RC_FILENAME` says (that names
/// the project files only; `Configuration.find` reads the home one as
/// `Filename.rc`). Refused when `YARN_RC_FILENAME` names another file
/// (yarn would not read the `.yarnrc.yml` being fixed) or `HOME` is unset.
pub fn yarn_user_config_path() -> Result<PathBuf, String> {
    for (name, value) in std::env::vars_os() {
        if name.to_string_lossy().to_lowercase() == "yarn_rc_filename" && value != yarn_move_name()
        {
            return Err(format!(
                "{} is set to {:?}: yarn reads that file in projects, not .yarnrc.yml; move the credentials by hand, or choose --save-env",
                name.to_string_lossy(),
                value.to_string_lossy()
            ));
        }
    }
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(home) => Ok(Path::new(&home).join(crate::yarnrc_yml::NAME)),
        None => Err(
            "HOME is not set: the user's ~/.yarnrc.yml cannot be found; choose --save-env".into(),
        ),
    }
}

fn yarn_move_name() -> &'static std::ffi::OsStr {
    std::ffi::OsStr::new(crate::yarnrc_yml::NAME)
}

/// The rc files yarn reads between the user file and the `.yarnrc.yml` at
/// `file` (those of its parent folders, up to the root) must not set what
/// moves: they would win over the user file. Nor may `file` be the user
/// file itself.
pub fn check_yarn_chain(file: &Path, settings: &[yarn_move::Setting]) -> Result<(), String> {
    if settings.is_empty() {
        return Ok(());
    }
    let home = yarn_user_config_path()?;
    let file = std::path::absolute(file).map_err(|e| format!("{}: {e}", shown(file)))?;
    if file == home {
        return Err(format!(
            "{}: this is the user's yarn config: it has no other place to go; choose --save-env",
            shown(&file)
        ));
    }
    let mut dir = file.parent().and_then(Path::parent);
    while let Some(d) = dir {
        let rc = d.join(crate::yarnrc_yml::NAME);
        if rc != home {
            if let Ok(bytes) = std::fs::read(&rc) {
                if let Some(why) = yarn_move::overridden_by(&bytes, settings) {
                    return Err(format!(
                        "{}: yarn also reads {} ({why}): after the move it would decide; nothing was changed: move the credentials by hand, or choose --save-env",
                        shown(&file),
                        shown(&rc)
                    ));
                }
            }
        }
        dir = d.parent();
    }
    Ok(())
}

/// The user's `~/.yarnrc.yml` and its new content with `settings` (`None`
/// when it holds them already), checked as a store: not a link, not
/// where git would publish it, and read as yarn reads it.
fn yarn_store(settings: &[yarn_move::Setting]) -> Result<(PathBuf, Option<Vec<u8>>), String> {
    let path = yarn_user_config_path()?;
    check_store(&Disposition::MoveToUserConfig(path.clone()))?;
    let meta = std::fs::symlink_metadata(&path).ok();
    if meta.as_ref().is_some_and(|m| m.file_type().is_symlink()) {
        return Err(format!(
            "{}: a symbolic link; not written (links are not followed): move the credentials by hand",
            shown(&path)
        ));
    }
    if meta.as_ref().is_some_and(|m| !m.is_file()) {
        return Err(format!("{}: not a regular file; not written", shown(&path)));
    }
    let existing = match meta {
        Some(_) => Some(
            std::fs::read(&path)
                .map_err(|e| format!("{}: {}", shown(&path), crate::inputs::describe(&e)))?,
        ),
        None => None,
    };
    let new = yarn_move::put_in(existing.as_deref(), settings)?;
    Ok((path, new))
}

/// The fix must leave nothing it could have fixed: check, do not assume.
/// Returns the error findings a fix cannot rewrite (a token in a comment).
pub fn verify(path: &str, fixed: &[u8]) -> Result<Vec<Finding>, String> {
    let left: Vec<Detected> = crate::files::detect_file(path, fixed);
    if left.iter().any(|d| d.fix.is_some()) {
        return Err(format!(
            "{path}: the rewrite left a literal credential behind; nothing was written (please report this)"
        ));
    }
    Ok(left
        .into_iter()
        .filter(|d| d.finding.severity == Severity::Error)
        .map(|d| d.finding)
        .collect())
}

/// The names the store of `disposition` already holds, with their values.
pub fn store_names(disposition: &Disposition) -> HashMap<String, String> {
    match disposition {
        Disposition::SaveEnv(file) => store::read_env(file),
        _ => HashMap::new(),
    }
}

/// Refuse a store git could publish: tracked, or in the repository and not
/// ignored. The user config the credentials move to is such a store too (a
/// dotfiles repository at `$HOME`, a team's tracked `userconfig`).
pub fn check_store(disposition: &Disposition) -> Result<(), String> {
    let (Disposition::SaveEnv(file) | Disposition::MoveToUserConfig(file)) = disposition else {
        return Ok(());
    };
    if git::tracked(file)? {
        return Err(format!(
            "{} is tracked by git: the secrets would be published by the next commit. Choose an untracked, git-ignored file (or `git rm --cached` it first)",
            shown(file)
        ));
    }
    if git::ignored(file)? == Some(false) {
        return Err(format!(
            "{} is inside a repository and not ignored by git: the secrets would be committed next. Add it to .gitignore, or choose a file outside the repository",
            shown(file)
        ));
    }
    Ok(())
}

/// What a fix of `files` (their real paths and contents) must not name a
/// secret after, beyond the files themselves: a name the user's own
/// configs reference (`${NPM_TOKEN}` for registry.npmjs.org in
/// `~/.npmrc`), or one an env file beside a fixed config assigns, git
/// ignored or not (yarn and bun load it: [`crate::envfiles`]). Either way
/// the tool would send that other value to this registry.
pub fn names_taken_outside<'a>(
    files: impl Iterator<Item = (&'a Path, &'a [u8])>,
) -> std::collections::HashSet<String> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let xdg = std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from);
    let mut configs = vec![user_config_path()];
    if let Some(h) = &home {
        configs.push(h.join(".yarnrc.yml"));
        configs.push(h.join(".bunfig.toml"));
    }
    if let Some(x) = &xdg {
        configs.push(x.join(".bunfig.toml"));
    }
    configs.extend(pnpm_user_configs(home.as_deref(), xdg.as_deref()));
    configs.extend(global_configs(home.as_deref()));
    let fixed: Vec<(&Path, &[u8])> = files.collect();
    // Every config and env file of the repository a fixed file is in, at
    // any depth (review 7, #11): pnpm, npm or bun run in a workspace
    // package reads that package's `.npmrc`, whose `${NPM_TOKEN}` for
    // another registry would then get this secret.
    let sel = repository_configs();
    // The repository's CI definitions: a job giving `NPM_TOKEN` another
    // registry's token runs the tools on the fixed config (review 9, #9).
    let ci_sel = ci_definitions();
    // A path as the kernel would take it from here: a fixed file's path is
    // often relative (`.yarnrc.yml`), and its folders go on above the
    // working directory.
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    // One listing of each repository: a fixed file a listing already
    // found is in a repository listed.
    let (mut listed, mut ci_files) = (std::collections::HashSet::new(), Vec::new());
    for &(path, _) in &fixed {
        if !listed.contains(&absolute(path)) {
            let [repo_files, ci] = git::worktree_files_beside(path, [&sel, &ci_sel]);
            listed.extend(repo_files);
            ci_files.extend(ci);
        }
    }
    configs.extend(listed);
    for &(path, _) in &fixed {
        // The configs a tool reads with this one: bun reads `bunfig.toml`
        // and `.npmrc` of the folder it runs in, yarn merges every
        // `.yarnrc.yml` up to the root, above the repository too (review
        // 8, #10). (npm reads no `.npmrc` above the project's; yarn 1 does.)
        let dir = absolute(path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for name in [".npmrc", ".yarnrc", crate::bunfig::NAME] {
            configs.push(dir.join(name));
        }
        // yarn 1 reads `.npmrc` and `.yarnrc` of every folder up to the
        // root too (review 9, #7).
        let mut up = Some(dir);
        while let Some(d) = up {
            for name in [".yarnrc.yml", ".npmrc", ".yarnrc"] {
                configs.push(d.join(name));
            }
            up = d.parent().map(Path::to_path_buf);
        }
    }
    // The files being fixed are judged as themselves (`Names::referenced`),
    // and the staged blob's work-tree file is the same file.
    let fixed_at: Vec<PathBuf> = fixed.iter().map(|(p, _)| absolute(p)).collect();
    configs.retain(|c| !fixed_at.contains(&absolute(c)));
    let mut taken = std::collections::HashSet::new();
    let read = |path: &Path, bytes: &[u8], taken: &mut std::collections::HashSet<String>| {
        taken.extend(any_reference(bytes));
        // A name an env file of the repository assigns is loaded where
        // yarn or bun runs beside it.
        if crate::envfiles::is_env_file(&path.to_string_lossy()) {
            taken.extend(crate::envfiles::assigned_names(bytes));
        }
        // The env files the tools load for this config (yarn's
        // `injectEnvironmentFiles`, bun's `.env*` beside it), git ignored
        // or not.
        let mut envs: Vec<PathBuf> = crate::envfiles::partners(&path.to_string_lossy(), bytes)
            .into_iter()
            .map(PathBuf::from)
            .collect();
        // An absolute `injectEnvironmentFiles` entry (a user's own secrets
        // file, named from `~/.yarnrc.yml`) is read where it is.
        if path.file_name().is_some_and(|n| n == ".yarnrc.yml") {
            envs.extend(
                crate::envfiles::injected_files(bytes)
                    .into_iter()
                    .map(PathBuf::from)
                    .filter(|p| p.is_absolute()),
            );
        }
        // One read a file, however often a config names it.
        envs.sort();
        envs.dedup();
        for env in envs {
            if let Some(src) = read_regular(&env) {
                taken.extend(crate::envfiles::assigned_names(&src));
            }
        }
    };
    for &(path, bytes) in &fixed {
        read(path, bytes, &mut taken);
    }
    configs.sort();
    configs.dedup();
    for path in configs {
        if let Some(bytes) = read_regular(&path) {
            read(&path, &bytes, &mut taken);
        }
    }
    ci_files.sort();
    ci_files.dedup();
    for path in ci_files {
        if let Some(bytes) = read_regular(&path) {
            taken.extend(ci_names::names(&bytes));
        }
    }
    taken
}

/// A file's bytes when it is a regular file (through links) within the
/// size bound: a repository's `.npmrc` linked to `/dev/zero`, or a FIFO,
/// must not stop the fix ([`crate::inputs::read_named`]).
fn read_regular(path: &Path) -> Option<Vec<u8>> {
    crate::inputs::read_named(path).content.ok()
}

/// The files of a repository whose names a fix must not reuse: every one
/// the default include selects but the lockfiles, which reference no
/// variable and can be hundreds of megabytes.
fn repository_configs() -> crate::select::Selector {
    let include: Vec<String> = crate::select::DEFAULT_INCLUDE
        .iter()
        .filter(|g| !crate::dep_urls::is_lockfile(g.trim_start_matches("**/")))
        .map(|g| g.to_string())
        .collect();
    crate::select::Selector::new(&include, &[]).expect("the default include is valid")
}

/// A repository's CI definitions ([`ci_names::DEFINITIONS`]), from
/// its root.
fn ci_definitions() -> crate::select::Selector {
    let include: Vec<String> = ci_names::DEFINITIONS
        .iter()
        .map(|g| g.to_string())
        .collect();
    crate::select::Selector::new(&include, &[]).expect("the CI definitions' globs are valid")
}

/// Where pnpm's user config (`rc`, ini as `.npmrc`) may be: its config
/// folder under `XDG_CONFIG_HOME`, else `~/.config/pnpm` (Linux),
/// `~/Library/Preferences/pnpm` (macOS); reading one too many only takes
/// a name more.
fn pnpm_user_configs(home: Option<&Path>, xdg: Option<&Path>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = xdg.iter().map(|x| x.join("pnpm/rc")).collect();
    if let Some(h) = home {
        out.push(h.join(".config/pnpm/rc"));
        out.push(h.join("Library/Preferences/pnpm/rc"));
    }
    if let Some(local) = std::env::var_os("LOCALAPPDATA") {
        out.push(PathBuf::from(local).join("pnpm/config/rc"));
    }
    out
}

/// Every name `src` may reference in any tool's syntax (`${NAME}`,
/// `${NAME:-x}`, `$NAME`): generous, since taking one name too many only
/// gives a secret another.
fn any_reference(src: &[u8]) -> std::collections::HashSet<String> {
    static REF: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)").expect("valid pattern")
    });
    REF.captures_iter(src)
        .map(|c| String::from_utf8_lossy(&c[1]).into_owned())
        .collect()
}

/// Where npm's global config may be (npm reads `$PREFIX/etc/npmrc`): the
/// `globalconfig` and `prefix` the environment or the user config give
/// (`prefix=~/.npm-global`, npm's own advice), and the usual prefixes.
/// Reading one too many only takes a name more.
fn global_configs(home: Option<&Path>) -> Vec<PathBuf> {
    let env = |names: [&str; 2]| {
        names
            .iter()
            .find_map(|n| std::env::var_os(n).filter(|v| !v.is_empty()))
            .map(PathBuf::from)
    };
    let expand = |v: &str| match (v.strip_prefix("~/"), home) {
        (Some(rest), Some(h)) => h.join(rest),
        _ => PathBuf::from(v),
    };
    let mut out: Vec<PathBuf> = ["/usr/local", "/usr", "/opt/homebrew", "/"]
        .iter()
        .map(|p| Path::new(p).join("etc/npmrc"))
        .collect();
    out.extend(env(["NPM_CONFIG_GLOBALCONFIG", "npm_config_globalconfig"]));
    let mut prefixes: Vec<PathBuf> = env(["NPM_CONFIG_PREFIX", "npm_config_prefix"])
        .into_iter()
        .collect();
    if let Ok(bytes) = std::fs::read(user_config_path()) {
        for (key, value) in store::top_level(&bytes) {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                match key.as_str() {
                    "prefix" => prefixes.push(expand(&v)),
                    "globalconfig" => out.push(expand(&v)),
                    _ => {}
                }
            }
        }
    }
    out.extend(prefixes.into_iter().map(|p| p.join("etc/npmrc")));
    out
}

/// The environment of this run, for [`Names::set`].
pub fn environment() -> HashMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

/// `--move-to-user-config` moves credentials to the user config npm reads,
/// `$NPM_CONFIG_USERCONFIG` or `~/.npmrc`; a project `.npmrc` among
/// `files` that sets `userconfig=` sends npm to another file, where the
/// moved lines would never be read: refused, before anything is written.
pub fn check_user_config_applies<'a>(
    disposition: &Disposition,
    mut files: impl Iterator<Item = (&'a str, &'a [u8])>,
) -> Result<(), String> {
    let Disposition::MoveToUserConfig(target) = disposition else {
        return Ok(());
    };
    let named = files.find(|(path, bytes)| {
        let name = path.rsplit('/').next().unwrap_or(path);
        crate::select::is_npmrc_name(name.as_bytes()) && store::sets_userconfig(bytes)
    });
    match named {
        Some((path, _)) => Err(format!(
            "{path} sets userconfig=, so npm reads its user config from there, not from {}; nothing was changed: choose --save-env or --discard-secrets",
            shown(target)
        )),
        None => Ok(()),
    }
}

/// Each variable the plans move a secret to, once, where it is first
/// moved (a hash set: a file with thousands of secrets stays linear).
pub fn moved<'a>(plans: impl IntoIterator<Item = &'a FilePlan>) -> Vec<&'a fix::Moved> {
    let mut seen = std::collections::HashSet::new();
    plans
        .into_iter()
        .flat_map(|p| &p.plan.moved)
        .filter(|m| seen.insert(m.var.as_str()))
        .collect()
}

/// Store the secrets the plans remove, where `disposition` says, before any
/// file is rewritten. Returns a sentence for the user, or `None` when there
/// is nothing to say yet (discarding: see [`after_fix`]).
pub fn dispose(plans: &[&FilePlan], disposition: &Disposition) -> Result<Option<String>, String> {
    match disposition {
        Disposition::Discard => Ok(None),
        Disposition::SaveEnv(file) => {
            check_store(disposition)?;
            let vars: Vec<(String, String)> = moved(plans.iter().copied())
                .into_iter()
                .map(|m| (m.var.clone(), m.value.expose().to_string()))
                .collect();
            let saved = store::save_env(file, &vars)?;
            let names: Vec<&str> = vars.iter().map(|(n, _)| n.as_str()).collect();
            let mut msg = if saved.written.is_empty() {
                format!("{} already in {}", names.join(", "), shown(file))
            } else {
                format!("saved {} to {}", saved.written.join(", "), shown(file))
            };
            msg.push_str(&match saved.tightened_from {
                Some(mode) => format!(" (its mode was {mode:04o}: tightened to 0600)"),
                None => " (mode 0600)".to_string(),
            });
            Ok(Some(msg))
        }
        Disposition::MoveToUserConfig(file) => {
            let lines: Vec<Vec<u8>> = plans
                .iter()
                .flat_map(|p| p.plan.lines.iter().cloned())
                .collect();
            let settings: Vec<yarn_move::Setting> = plans
                .iter()
                .flat_map(|p| p.plan.settings.iter().cloned())
                .collect();
            // Both stores are checked before either is written.
            let yarn = if settings.is_empty() {
                None
            } else {
                Some(yarn_store(&settings)?)
            };
            let mut said = Vec::new();
            if !lines.is_empty() || settings.is_empty() {
                let moved = store::move_to_user_config(file, &lines)?;
                let (added, there) = (moved.added, moved.already);
                let mut msg = format!(
                    "moved {added} credential line{} to {} (npm, pnpm, yarn 1 and bun read it)",
                    if added == 1 { "" } else { "s" },
                    shown(file)
                );
                if there > 0 {
                    msg.push_str(&format!(
                        "; {there} {} already there",
                        if there == 1 { "was" } else { "were" }
                    ));
                }
                said.push(msg);
            }
            if let Some((path, new)) = yarn {
                let mut seen = std::collections::HashSet::new();
                let distinct: Vec<&yarn_move::Setting> =
                    settings.iter().filter(|s| seen.insert(&s.path)).collect();
                let n = distinct.len();
                let names: Vec<String> = distinct
                    .iter()
                    .map(|s| yarn_move::shown_path(&s.path))
                    .collect();
                match new {
                    Some(content) => {
                        if path.exists() {
                            write::replace_file(&path, &content)?;
                        } else {
                            write::write_atomically(&path, &content, 0o600)?;
                        }
                        said.push(format!(
                            "moved {n} yarn setting{} to {} (yarn 2+ reads it in every project): {}",
                            if n == 1 { "" } else { "s" },
                            shown(&path),
                            names.join(", ")
                        ));
                    }
                    None => said.push(format!("{} already in {}", names.join(", "), shown(&path))),
                }
            }
            Ok(Some(said.join("\n")))
        }
    }
}

/// What the user does next so that the next `npm install` works, once
/// `rewritten` files were really rewritten. `vars` are the variables the
/// files now reference.
pub fn after_fix(disposition: &Disposition, rewritten: usize, vars: &[String]) -> Option<String> {
    if rewritten == 0 {
        return None;
    }
    let list = vars.join(", ");
    match disposition {
        Disposition::Discard => {
            let first = vars.first().map(String::as_str).unwrap_or("NPM_TOKEN");
            Some(format!(
                "the removed secrets were not kept: revoke them, then set {list} to new ones (in this shell: `export {first}=…`; in CI: a secret)"
            ))
        }
        Disposition::MoveToUserConfig(_) => None,
        Disposition::SaveEnv(file) => {
            let f = shown(file);
            let first = vars.first().map(String::as_str).unwrap_or("NPM_TOKEN");
            // Commands to paste into a shell, built from the path's real
            // bytes and quoted, so a folder named `$(…)` is a name, not a
            // command. A path no shell line can hold (not UTF-8, a control
            // character) is named for loading by hand instead.
            let q = crate::report::shell_quote;
            let local = match file.to_str().filter(|p| !p.chars().any(char::is_control)) {
                Some(raw) => {
                    let dot = q(&if raw.contains('/') {
                        raw.to_string()
                    } else {
                        format!("./{raw}")
                    });
                    let envrc = q(&format!("dotenv {}", q(raw)));
                    format!(
                        "\n  this shell:      set -a; . {dot}; set +a\n  direnv:          echo {envrc} >> .envrc && direnv allow"
                    )
                }
                None => {
                    format!(" (load {f} by hand: its path cannot be written as a shell command)")
                }
            };
            Some(format!(
                "npm does not read {f}: before the next npm install, export {list}{local}\n  \
                 GitHub Actions:  store it as a repository secret; with actions/setup-node, give the step `env: {first}: ${{{{ secrets.{first} }}}}` (setup-node's registry-url writes its own .npmrc that reads NODE_AUTH_TOKEN instead)\n  \
                 GitLab CI:       Settings > CI/CD > Variables: add {list} (masked, protected)"
            ))
        }
    }
}

/// Whether the repository at `root` uses pnpm, whose 10.34.2 / 11.5.3
/// releases stopped expanding `${…}` in credentials of a project `.npmrc`
/// (GHSA-3qhv-2rgh-x77r).
pub fn uses_pnpm(root: &Path) -> bool {
    if root.join("pnpm-lock.yaml").exists() {
        return true;
    }
    std::fs::read_to_string(root.join("package.json")).is_ok_and(|pkg| {
        serde_json::from_str::<serde_json::Value>(&pkg).is_ok_and(|v| {
            v["packageManager"]
                .as_str()
                .is_some_and(|pm| pm.starts_with("pnpm@"))
        })
    })
}

pub const PNPM_NOTE: &str = "this repository uses pnpm, and pnpm 10.34.2 and 11.5.3 no longer expand ${…} in credentials of a project .npmrc (GHSA-3qhv-2rgh-x77r): prefer --move-to-user-config (pnpm reads the credentials in your user config)";

/// The three choices, for a non-interactive run that made none.
pub const CHOICES: &str = "say where the secrets go (they are removed from the file):\n  --save-env FILE          append NAME=value lines to a dotenv file (mode 0600; git must ignore it)\n  --move-to-user-config    move the credential lines to your user npm config (~/.npmrc; a .yarnrc.yml registry's to ~/.yarnrc.yml)\n  --discard-secrets        drop them: you will revoke them";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_refuses_a_rewrite_that_left_a_literal() {
        let left = b"//registry.npmjs.org/:_authToken=abcdefgh-literal-1234\n";
        let err = verify("f", left).expect_err("a literal is left");
        assert!(err.contains("left a literal credential"), "{err}");
        assert!(!err.contains("abcdefgh"), "{err}");
        assert!(
            verify("f", b"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n")
                .expect("clean")
                .is_empty()
        );
    }
}
