//! The git2 adapter: all of git lives here. Opens the repository the way git
//! describes it to a hook, and lists what to scan (the staged blobs that
//! differ from HEAD, the work tree, the history); writes fixed blobs back
//! into the index.

use std::fs;
use std::path::{Path, PathBuf};

use git2::{ErrorCode, Repository, StatusOptions, Tree};

use crate::inputs::{self, Input, MAX_FILE_BYTES};
use crate::select::Selector;

pub mod index;
pub mod links;
pub mod plumbing;
pub mod rawtree;

const MODE_SYMLINK: u32 = 0o120000;
const MODE_GITLINK: u32 = 0o160000;
/// A regular file (`100644` or `100755`: the type bits).
const MODE_FILE: u32 = 0o100000;
const STAGE_MASK: u16 = 0x3000;
/// `GIT_INDEX_ENTRY_INTENT_TO_ADD`, in libgit2's extended flags.
const INTENT_TO_ADD: u16 = 1 << 13;

/// Open the repository as git would: `GIT_DIR`, `GIT_WORK_TREE`,
/// `GIT_INDEX_FILE` (what `git commit -a` and `git commit PATH` set for the
/// hook), `GIT_OBJECT_DIRECTORY`; otherwise discovered from the current
/// directory, linked worktrees and `.git` files included.
pub fn open() -> Result<Repository, String> {
    // Like git, trust the object database on read (fsck verifies it):
    // hashing every tree on the way to a path costs more than the lookup.
    git2::opts::strict_hash_verification(false);
    Repository::open_from_env().map_err(|e| match e.code() {
        ErrorCode::NotFound => {
            let here = std::env::current_dir().unwrap_or_default();
            format!(
                "not a git repository (or any parent): {}",
                inputs::shown(&here)
            )
        }
        _ => format!("cannot open the repository: {}", e.message()),
    })
}

/// What the scan found to read, and notes for standard error.
#[derive(Debug, Default)]
pub struct Listing {
    pub inputs: Vec<Input>,
    pub notes: Vec<String>,
    /// Files that `.npmrc` files left out of `inputs` (unchanged in a
    /// staged listing) name as npm's user or global config: a commit that
    /// changes only such a file is still one npm reads.
    pub named: Vec<String>,
    /// In a staged listing read through libgit2: the unchanged index
    /// entries an env file and a config pair by ([`crate::envfiles`]), so
    /// the other side of a staged one is found without reading the index
    /// again.
    pub unchanged_pairs: Vec<(String, git2::Oid)>,
}

fn path_str(path: &[u8]) -> String {
    inputs::shown_path(path)
}

/// Whether the file at `path` is one that can name a user or global
/// config: a `.npmrc`, or an env file bun loads (`NPM_CONFIG_USERCONFIG`).
pub(crate) fn names_configs(path: &[u8]) -> bool {
    let base = memchr::memrchr(b'/', path).map_or(path, |i| &path[i + 1..]);
    crate::select::is_npmrc_name(base)
        || std::str::from_utf8(base).is_ok_and(crate::envfiles::may_name_config)
}

/// Add to `named` the files the `.npmrc` at `path`, holding `bytes`, names.
pub(crate) fn add_named(named: &mut Vec<String>, path: &str, bytes: &[u8]) {
    let (configs, patterns) = crate::files::named_paths(path, bytes);
    for p in configs.into_iter().chain(patterns) {
        if !named.contains(&p) {
            named.push(p);
        }
    }
}

/// libgit2 answering [`crate::ci::Base::choose`].
impl crate::ci::Commits for Repository {
    fn commit(&self, rev: &str) -> Option<String> {
        let c = self.revparse_single(rev).and_then(|o| o.peel_to_commit());
        c.ok().map(|c| c.id().to_string())
    }

    fn merge_base(&self, a: &str, b: &str) -> Option<String> {
        let (a, b) = (git2::Oid::from_str(a).ok()?, git2::Oid::from_str(b).ok()?);
        Repository::merge_base(self, a, b)
            .ok()
            .map(|id| id.to_string())
    }

    fn parents(&self, id: &str) -> Vec<String> {
        let commit = git2::Oid::from_str(id).and_then(|id| self.find_commit(id));
        commit.map_or_else(
            |_| Vec::new(),
            |c| c.parent_ids().map(|p| p.to_string()).collect(),
        )
    }

    fn ancestors(&self, id: &str) -> std::collections::HashSet<String> {
        let walk = git2::Oid::from_str(id).and_then(|id| {
            let mut walk = self.revwalk()?;
            walk.push(id)?;
            Ok(walk)
        });
        walk.map(|w| w.filter_map(Result::ok).map(|c| c.to_string()).collect())
            .unwrap_or_default()
    }
}

fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>, String> {
    match repo.head() {
        Ok(head) => head
            .peel_to_tree()
            .map(Some)
            .map_err(|e| format!("cannot read HEAD's tree: {}", e.message())),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(format!("cannot read HEAD: {}", e.message())),
    }
}

/// The index entries at matching paths, conflict stages included, and the
/// directory entries of a sparse index (paths ending in `/`): read by
/// [`index::entries`] when it can, by libgit2 otherwise; `None` when
/// neither can read it (a split index), for git's plumbing to answer. The
/// index is the one git will commit: `GIT_INDEX_FILE` when set (relative to
/// the current directory, as git sets it for hooks), else the repository's
/// own.
fn index_entries(repo: &Repository, sel: &Selector) -> Result<Option<index::Index>, String> {
    index_entries_where(repo, |p: &[u8]| p.last() == Some(&b'/') || sel.matches(p))
}

/// The index entries whose path is `wanted`, as [`index_entries`] reads them
/// (with no cache-tree when libgit2 read them).
fn index_entries_where(
    repo: &Repository,
    wanted: impl Fn(&[u8]) -> bool,
) -> Result<Option<index::Index>, String> {
    let path = match std::env::var_os("GIT_INDEX_FILE") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => repo.path().join("index"),
    };
    let cannot =
        |e: &dyn std::fmt::Display| format!("cannot read the index {}: {e}", inputs::shown(&path));
    let file = match fs::File::open(&path) {
        Ok(f) => f,
        // No index yet: nothing has been staged.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Some(index::Index::default()))
        }
        Err(e) => return Err(cannot(&inputs::describe(&e))),
    };
    let len = file
        .metadata()
        .map_err(|e| cannot(&inputs::describe(&e)))?
        .len();
    match index::read_from(file, len, &wanted) {
        Ok(read) => return Ok(Some(read)),
        Err(index::Error::Corrupt(msg)) => return Err(format!("{msg} ({})", inputs::shown(&path))),
        Err(index::Error::Io(msg)) => return Err(cannot(&msg)),
        Err(index::Error::Unsupported(_)) => {}
    }
    let Ok(index) = repo.index() else {
        return Ok(None);
    };
    let entries = index
        .iter()
        .filter(|e| wanted(&e.path))
        .map(|e| {
            let mut id = [0u8; 20];
            let raw = e.id.as_bytes();
            id[..raw.len().min(20)].copy_from_slice(&raw[..raw.len().min(20)]);
            index::Entry {
                path: e.path,
                mode: e.mode,
                id,
                stage: ((e.flags & STAGE_MASK) >> 12) as u8,
                intent_to_add: e.flags_extended & INTENT_TO_ADD != 0,
            }
        })
        .collect();
    Ok(Some(index::Index {
        entries,
        trees: Default::default(),
    }))
}

/// The index entries (stage 0) at matching paths whose blob differs from
/// HEAD: new, modified, renamed or copied files. Deletions are not in the
/// index; symlinks and gitlinks are not files and are skipped. Blobs are read
/// from the object database, never from the work tree.
pub fn staged(repo: &Repository, sel: &Selector) -> Result<Listing, String> {
    let Some(index::Index { entries, trees }) = index_entries(repo, sel)? else {
        return plumbing::staged(sel);
    };
    let conflicts: Vec<String> = entries
        .iter()
        .filter(|e| e.stage != 0)
        .map(|e| path_str(&e.path))
        .fold(Vec::new(), |mut v, p| {
            if !v.contains(&p) {
                v.push(p);
            }
            v
        });
    if !conflicts.is_empty() {
        return Err(format!(
            "unmerged (conflicted) in the index: {}; resolve the conflict and `git add` the file first",
            conflicts.join(", ")
        ));
    }
    let head = if entries.is_empty() {
        None
    } else {
        head_tree(repo)?
    };
    // A sparse index keeps whole directories as one tree entry: what one
    // holds may be staged, or be a `.npmrc` that names a file the commit
    // changes; git lists them.
    if entries.iter().any(|e| e.mode & 0o170000 == 0o040000) {
        return plumbing::staged(sel);
    }
    let mut listing = Listing::default();
    let mut staged_links = Vec::new();
    let mut head_ids = TreeIds::new(repo, head.clone());
    for entry in entries {
        if entry.mode & 0o170000 == 0o040000 {
            continue;
        }
        let path = path_str(&entry.path);
        match entry.mode & 0o170000 {
            MODE_GITLINK => {
                listing.notes.push(format!(
                    "{path}: a submodule; not scanned here (run npmrc-guard in it)"
                ));
                continue;
            }
            MODE_SYMLINK => {
                staged_links.push(entry);
                continue;
            }
            _ => {}
        }
        // A folder whose cache-tree id is HEAD's tree there holds nothing
        // staged: one lookup in its parent instead of reading its tree
        // (a monorepo has a `package.json` in each of thousands of them).
        // `git add -N` entries are in no tree; they are compared below.
        let id = git2::Oid::from_bytes(&entry.id).map_err(|e| e.message().to_string())?;
        let unchanged = (!entry.intent_to_add && head_ids.same_folder(parent(&entry.path), &trees))
            || head_ids.id_at(&entry.path) == Some(id);
        if unchanged {
            if crate::envfiles::pair_name(&entry.path) {
                listing.unchanged_pairs.push((path.clone(), id));
            }
            // Unchanged, but it may name a file the commit changes. A blob
            // libgit2 cannot read (a partial clone): git fetches it.
            if names_configs(&entry.path) {
                match read_blob(repo, id) {
                    Ok(bytes) => add_named(&mut listing.named, &path, &bytes),
                    Err(_) => return plumbing::staged(sel),
                }
            }
            continue;
        }
        let content = read_blob(repo, id);
        listing.inputs.push(Input {
            path,
            name: entry.path,
            content,
            via: None,
        });
    }
    if !staged_links.is_empty()
        && index_links(repo, head.as_ref(), staged_links, &mut listing).is_err()
    {
        // What libgit2 could not read, git can (or says why not).
        return plumbing::staged(sel);
    }
    Ok(listing)
}

/// Staged `.npmrc` symbolic links: each read through to its target's blob
/// in the index (never the work tree), when the link or its target differs
/// from HEAD; a note for a link that leaves the repository or whose target
/// is not staged.
fn index_links(
    repo: &Repository,
    head: Option<&Tree<'_>>,
    staged_links: Vec<index::Entry>,
    listing: &mut Listing,
) -> Result<(), String> {
    let Some(index::Index { entries: all, .. }) =
        index_entries_where(repo, |p: &[u8]| p.last() != Some(&b'/'))?
    else {
        for link in staged_links {
            listing.notes.push(format!(
                "{}: a symbolic link (this index cannot be read here); not scanned, not followed",
                path_str(&link.path)
            ));
        }
        return Ok(());
    };
    let stage0: std::collections::HashMap<&[u8], &index::Entry> = all
        .iter()
        .filter(|e| e.stage == 0)
        .map(|e| (e.path.as_slice(), e))
        .collect();
    let in_head = |path: &[u8], id: git2::Oid| {
        head.and_then(|t| t.get_path(Path::new(&*crate::os::from_bytes(path))).ok())
            .is_some_and(|t| t.id() == id)
    };
    let oid = |e: &index::Entry| git2::Oid::from_bytes(&e.id).map_err(|e| e.message().to_string());
    let root = links::Root::of(repo.workdir());
    for link in staged_links {
        let path = path_str(&link.path);
        let link_id = oid(&link)?;
        let target = read_blob(repo, link_id)?;
        let followed = links::follow(
            &link.path,
            target,
            &root,
            |p| stage0.get(p).map(|e| (e.mode, *e)),
            |e| oid(e).ok().and_then(|id| read_blob(repo, id).ok()),
        );
        match followed {
            Ok((target, entry)) => {
                let id = oid(entry)?;
                if in_head(&link.path, link_id) && in_head(&target, id) {
                    // Unchanged, but it may name a file the commit changes.
                    if names_configs(&link.path) {
                        let bytes = read_blob(repo, id)?;
                        add_named(&mut listing.named, &path, &bytes);
                    }
                    continue;
                }
                let via = path_str(&target);
                listing.notes.push(format!(
                    "{path}: a symbolic link to {via}; its staged target is scanned, reported at the link"
                ));
                listing.inputs.push(Input {
                    path,
                    name: link.path,
                    content: read_blob(repo, id),
                    via: Some(via),
                });
            }
            Err(why) => listing.notes.push(format!(
                "{path}: a symbolic link ({}); not scanned, not followed",
                why.describe("in the index")
            )),
        }
    }
    Ok(())
}

fn read_blob(repo: &Repository, id: git2::Oid) -> Result<Vec<u8>, String> {
    let blob = repo
        .find_blob(id)
        .map_err(|e| format!("cannot read blob {id}: {}", e.message()))?;
    if blob.size() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "blob {id} is larger than {} MiB; not scanned",
            MAX_FILE_BYTES / 1024 / 1024
        ));
    }
    let content = blob.content();
    if crate::lfs::pointer(content).is_none() {
        return Ok(content.to_vec());
    }
    let configured = repo
        .config()
        .ok()
        .and_then(|c| c.get_path("lfs.storage").ok());
    let storage = crate::lfs::storage(repo.commondir(), configured.as_deref());
    crate::lfs::resolve(&storage, content.to_vec(), MAX_FILE_BYTES)
}

/// The work tree: tracked files and untracked ones git does not ignore, at
/// matching paths, read from disk. Symbolic links are not followed.
pub fn worktree(repo: &Repository, sel: &Selector) -> Result<Listing, String> {
    let root = repo
        .workdir()
        .ok_or("a bare repository has no work tree; use --staged or --history")?
        .to_path_buf();
    let mut listing = Listing::default();
    for p in worktree_paths(repo, |p| sel.matches(p))? {
        let path = path_str(&p);
        let full: PathBuf = root.join(&*crate::os::from_bytes(&p));
        match fs::symlink_metadata(&full) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Ok(m) if m.file_type().is_symlink() => worktree_link(&root, &full, p, &mut listing),
            _ => {
                let mut input = inputs::read_named(&full);
                input.path = path;
                input.name = p;
                listing.inputs.push(input);
            }
        }
    }
    Ok(listing)
}

/// The paths `wanted` takes in the work tree: tracked files and untracked
/// ones git does not ignore, sorted.
fn worktree_paths(
    repo: &Repository,
    wanted: impl Fn(&[u8]) -> bool,
) -> Result<Vec<Vec<u8>>, String> {
    let index = repo
        .index()
        .map_err(|e| format!("cannot read the index: {}", e.message()))?;
    let mut paths: Vec<Vec<u8>> = index
        .iter()
        .filter(|e| e.mode & 0o170000 != MODE_GITLINK && wanted(&e.path))
        .map(|e| e.path)
        .collect();
    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .include_unmodified(false)
        .exclude_submodules(true);
    let statuses = repo
        .statuses(Some(&mut opts))
        .map_err(|e| format!("cannot list the work tree: {}", e.message()))?;
    for s in statuses.iter() {
        if s.status().is_wt_new() && wanted(s.path_bytes()) {
            paths.push(s.path_bytes().to_vec());
        }
    }
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// The files each of `sels` matches in the work tree of the repository
/// that holds `path` (as [`worktree`] lists them), as full paths, from one
/// listing of it; none outside a repository or when it cannot be listed.
pub fn worktree_files_beside<const N: usize>(
    path: &Path,
    sels: [&Selector; N],
) -> [Vec<PathBuf>; N] {
    let mut out = std::array::from_fn(|_| Vec::new());
    let Ok(Some((repo, _))) = in_work_tree(path) else {
        return out;
    };
    let Some(root) = repo.workdir().map(Path::to_path_buf) else {
        return out;
    };
    let any = |p: &[u8]| sels.iter().any(|s| s.matches(p));
    for p in worktree_paths(&repo, any).unwrap_or_default() {
        for (sel, files) in sels.iter().zip(out.iter_mut()) {
            if sel.matches(&p) {
                files.push(root.join(&*crate::os::from_bytes(&p)));
            }
        }
    }
    out
}

/// A `.npmrc` symbolic link in the work tree: read through when its target
/// is a file inside the work tree, reported at the link; else a note.
pub(super) fn worktree_link(root: &Path, full: &Path, name: Vec<u8>, listing: &mut Listing) {
    let path = path_str(&name);
    match links::in_worktree(root, full) {
        Ok((target, rel)) => {
            let via = path_str(&rel);
            listing.notes.push(format!(
                "{path}: a symbolic link to {via}; its target is scanned, reported at the link"
            ));
            let mut input = inputs::read_named(&target);
            input.path = path;
            input.name = name;
            input.via = Some(via);
            listing.inputs.push(input);
        }
        Err(why) => listing.notes.push(format!(
            "{path}: a symbolic link ({why}); not scanned, not followed"
        )),
    }
}

/// One staged file's new content.
#[derive(Debug)]
pub struct Restage {
    /// The path's bytes in the index.
    pub name: Vec<u8>,
    /// The path as messages show it.
    pub path: String,
    pub content: Vec<u8>,
}

/// Replace the staged content of `files`: new blobs in
/// the object database, the same index entries (mode, flags) pointing at
/// them, and the index written back to the file git will commit from.
pub fn restage(repo: &Repository, files: &[Restage]) -> Result<(), String> {
    let Ok(mut index) = repo.index() else {
        // An index libgit2 cannot read (split): git's own plumbing can.
        return plumbing::restage(files);
    };
    for Restage {
        name,
        path,
        content,
    } in files
    {
        let id = repo
            .blob(content)
            .map_err(|e| format!("cannot write a blob for {path}: {}", e.message()))?;
        let mut entry = index
            .get_path(Path::new(&*crate::os::from_bytes(name)), 0)
            .ok_or_else(|| format!("{path} is no longer in the index"))?;
        entry.id = id;
        entry.file_size = u32::try_from(content.len()).unwrap_or(u32::MAX);
        index
            .add(&entry)
            .map_err(|e| format!("cannot stage {path}: {}", e.message()))?;
    }
    index
        .write()
        .map_err(|e| format!("cannot write the index: {}", e.message()))
}

/// Where named paths lead when a folder on the way is a symbolic link
/// (`userconfig=lnk/npmrc`, `lnk -> real`: npm and bun read
/// `real/npmrc`), resolved in one store ([`links::named`]: `lookup` and
/// `read_link` read the index, a commit's tree or the work tree): the
/// real paths, to read as the named ones; and a note for each name that
/// loops or leaves the repository (`where_` says in which store).
pub(crate) fn through_links<T>(
    named: &[String],
    root: &links::Root,
    mut lookup: impl FnMut(&[u8]) -> Option<(u32, T)>,
    mut read_link: impl FnMut(&T) -> Option<Vec<u8>>,
    where_: &str,
) -> (Vec<String>, Vec<String>) {
    let mut paths = Vec::new();
    let mut notes = Vec::new();
    // A pattern (`**/conf/npmrc`) is no one path to walk.
    for name in named.iter().filter(|n| !n.contains("**/")) {
        match links::named(name.as_bytes(), root, &mut lookup, &mut read_link) {
            Ok(Some(real)) => {
                let real = path_str(&real);
                if !named.contains(&real) && !paths.contains(&real) {
                    paths.push(real);
                }
            }
            Ok(None) => {}
            Err(why) => notes.push(format!(
                "{name}: named as a config, through a symbolic link ({}); not read",
                why.describe(where_)
            )),
        }
    }
    (paths, notes)
}

/// [`through_links`] in the work tree at `root`, as the file system
/// resolves it.
pub(crate) fn worktree_through(root: &Path, named: &[String]) -> (Vec<String>, Vec<String>) {
    through_links(
        named,
        &links::Root::of(Some(root)),
        |p| links::disk_entry(root, p),
        links::disk_link,
        "in the work tree",
    )
}

/// [`through_links`] in the tree of `commit` (a commit id; anything else,
/// a ref naming a blob, leads nowhere).
pub(crate) fn tree_through(
    repo: &Repository,
    commit: &str,
    named: &[String],
) -> (Vec<String>, Vec<String>) {
    let tree = git2::Oid::from_str(commit)
        .and_then(|id| repo.find_commit(id))
        .and_then(|c| c.tree());
    let Ok(tree) = tree else {
        return Default::default();
    };
    through_links(
        named,
        &links::Root::of(repo.workdir()),
        |p| {
            tree.get_path(Path::new(&*crate::os::from_bytes(p)))
                .ok()
                .map(|e| (e.filemode() as u32, e.id()))
        },
        |id| read_blob(repo, *id).ok(),
        "in that commit",
    )
}

/// [`through_links`] in the index: the entries on the named paths' way
/// first (most names go through no link), every entry only when one is a
/// link.
fn index_through(
    repo: &Repository,
    named: &[String],
) -> Result<(Vec<String>, Vec<String>), String> {
    let names: Vec<&[u8]> = named
        .iter()
        .filter(|n| !n.contains("**/"))
        .map(|n| n.as_bytes())
        .collect();
    if names.is_empty() {
        return Ok(Default::default());
    }
    let on_the_way = |p: &[u8]| {
        names
            .iter()
            .any(|n| n.starts_with(p) && (n.len() == p.len() || n[p.len()] == b'/'))
    };
    let Some(index::Index { entries, .. }) = index_entries_where(repo, on_the_way)? else {
        return plumbing::index_through(named);
    };
    if !entries
        .iter()
        .any(|e| e.stage == 0 && e.mode & 0o170000 == MODE_SYMLINK)
    {
        return Ok(Default::default());
    }
    let Some(index::Index { entries, .. }) =
        index_entries_where(repo, |p: &[u8]| p.last() != Some(&b'/'))?
    else {
        return plumbing::index_through(named);
    };
    let stage0: std::collections::HashMap<&[u8], &index::Entry> = entries
        .iter()
        .filter(|e| e.stage == 0)
        .map(|e| (e.path.as_slice(), e))
        .collect();
    Ok(through_links(
        named,
        &links::Root::of(repo.workdir()),
        |p| stage0.get(p).map(|e| (e.mode, e.id)),
        |id| {
            git2::Oid::from_bytes(id)
                .ok()
                .and_then(|id| read_blob(repo, id).ok())
        },
        "in the index",
    ))
}

/// The repository files the `.npmrc` inputs name as npm's user or global
/// config (SPEC.md, "Files read"): npm reads them, so they are scanned.
pub fn named_by<'a>(inputs: impl Iterator<Item = &'a Input>) -> Vec<String> {
    let mut named = Vec::new();
    for input in inputs {
        if let Ok(bytes) = &input.content {
            let partners = crate::envfiles::partners(&input.path, bytes);
            let (configs, patterns) = crate::files::named_paths(&input.path, bytes);
            for p in configs.into_iter().chain(patterns).chain(partners) {
                if !named.contains(&p) {
                    named.push(p);
                }
            }
        }
    }
    named
}

/// A listing by `list`, and again with the files its `.npmrc` files name
/// as npm's user or global config when the selector did not take them;
/// again while those name more (a user config may name a global config),
/// at most [`NAMED_ROUNDS`] times.
///
/// `through` says where named paths lead through a folder that is a
/// symbolic link in the store `list` reads ([`through_links`]).
pub fn with_named(
    sel: &Selector,
    list: impl Fn(&Selector) -> Result<Listing, String>,
    through: impl Fn(&[String]) -> Result<(Vec<String>, Vec<String>), String>,
) -> Result<Listing, String> {
    let mut listing = list(sel)?;
    let mut sel = sel.clone();
    let mut notes: Vec<String> = Vec::new();
    for _ in 0..NAMED_ROUNDS {
        let mut named = named_by(listing.inputs.iter());
        for p in &listing.named {
            if !named.contains(p) {
                named.push(p.clone());
            }
        }
        let (real, why) = through(&named)?;
        named.extend(real);
        for note in why {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        match sel.also(&named) {
            Some(wider) => {
                listing = list(&wider)?;
                sel = wider;
            }
            None => break,
        }
    }
    listing.notes.extend(notes);
    Ok(listing)
}

/// How far a chain of named configs is followed: a project `.npmrc` names
/// a user config, which names a global config; npm reads no further. One
/// more round than that, for a file named twice over.
pub const NAMED_ROUNDS: usize = 4;

/// The stage-0 regular files of the index at `paths`, read from the object
/// database.
fn index_files(repo: &Repository, paths: &[String]) -> Result<Vec<Input>, String> {
    let wanted = |p: &[u8]| {
        paths
            .iter()
            .any(|q| crate::select::named_match(q.as_bytes(), p))
    };
    let Some(index::Index { entries, .. }) = index_entries_where(repo, wanted)? else {
        return plumbing::index_files(paths);
    };
    let mut out = Vec::new();
    for e in entries {
        if e.stage != 0 || e.mode & 0o170000 != MODE_FILE {
            continue;
        }
        let id = git2::Oid::from_bytes(&e.id).map_err(|e| e.message().to_string())?;
        out.push(Input {
            path: path_str(&e.path),
            name: e.path,
            content: read_blob(repo, id),
            via: None,
        });
    }
    Ok(out)
}

/// The repository a staged fix reads and rewrites: through libgit2, or
/// through git's plumbing where libgit2 cannot open it (SHA-256).
pub enum Staging<'r> {
    Lib(&'r Repository),
    Plumbing,
}

impl std::fmt::Debug for Staging<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Staging::Lib(_) => "Staging::Lib",
            Staging::Plumbing => "Staging::Plumbing",
        })
    }
}

impl Staging<'_> {
    /// What is staged at matching paths, as [`staged`] lists it, and the
    /// files `.npmrc` files name as npm's user or global config.
    pub fn staged(&self, sel: &Selector) -> Result<Listing, String> {
        let mut listing = match self {
            Staging::Lib(repo) => with_named(sel, |sel| staged(repo, sel), |n| self.through(n))?,
            Staging::Plumbing => with_named(sel, plumbing::staged, |n| self.through(n))?,
        };
        // A file a staged `.npmrc` names is what npm reads once the commit
        // lands, changed or not: an earlier commit may have brought it in,
        // named by nothing then.
        let mut tried: Vec<String> = Vec::new();
        for _ in 0..NAMED_ROUNDS {
            // And what yarn reads with a staged `.yarnrc.yml` for a run
            // in any folder below it.
            let below = listing.unchanged_pairs.iter().map(|(p, _)| p).filter(|p| {
                listing
                    .inputs
                    .iter()
                    .any(|i| crate::envfiles::read_below(&i.path, p))
            });
            let mut missing: Vec<String> = named_by(listing.inputs.iter())
                .into_iter()
                .chain(below.cloned().collect::<Vec<_>>())
                .filter(|p| {
                    !tried.contains(p)
                        && !listing.inputs.iter().any(|i| &i.path == p)
                        && !sel.is_excluded(p.as_bytes())
                })
                .collect();
            let (real, notes) = self.through(&missing)?;
            missing.extend(real.into_iter().filter(|p| !sel.is_excluded(p.as_bytes())));
            for note in notes {
                if !listing.notes.contains(&note) {
                    listing.notes.push(note);
                }
            }
            missing.sort();
            missing.dedup();
            if missing.is_empty() {
                break;
            }
            tried.extend(missing.iter().cloned());
            let found = match self {
                Staging::Lib(repo) => {
                    // The other side of an env file or config is among the
                    // unchanged entries the listing kept, or not in the
                    // index at all; only other named files need it read.
                    let mut found = Vec::new();
                    let mut rest = Vec::new();
                    for p in missing {
                        if let Some((_, id)) = listing.unchanged_pairs.iter().find(|(q, _)| *q == p)
                        {
                            found.push(Input {
                                name: p.as_bytes().to_vec(),
                                content: read_blob(repo, *id),
                                path: p,
                                via: None,
                            });
                        } else if !(crate::envfiles::pair_name(p.as_bytes())
                            && sel.matches(p.as_bytes()))
                        {
                            rest.push(p);
                        }
                    }
                    if !rest.is_empty() {
                        found.extend(index_files(repo, &rest)?);
                    }
                    found
                }
                Staging::Plumbing => plumbing::index_files(&missing)?,
            };
            let found: Vec<Input> = found
                .into_iter()
                .filter(|f| !listing.inputs.iter().any(|i| i.path == f.path))
                .collect();
            if found.is_empty() {
                break;
            }
            listing.inputs.extend(found);
        }
        Ok(listing)
    }

    /// Where named paths lead through a linked folder in the index
    /// ([`through_links`]).
    pub fn through(&self, named: &[String]) -> Result<(Vec<String>, Vec<String>), String> {
        match self {
            Staging::Lib(repo) => index_through(repo, named),
            Staging::Plumbing => plumbing::index_through(named),
        }
    }

    /// Replace the staged content of `files`, as [`restage`] does.
    pub fn restage(&self, files: &[Restage]) -> Result<(), String> {
        match self {
            Staging::Lib(repo) => restage(repo, files),
            Staging::Plumbing => plumbing::restage(files),
        }
    }

    /// Have git ignore `pattern` in this clone only (`info/exclude`).
    pub fn exclude_locally(&self, pattern: &str) -> Result<(), String> {
        let common = match self {
            Staging::Lib(repo) => repo.commondir().to_path_buf(),
            Staging::Plumbing => plumbing::common_dir()?,
        };
        exclude_locally(&common, pattern)
    }
}

/// The work tree of `repo`, or an error for a bare repository.
pub fn workdir(repo: &Repository) -> Result<PathBuf, String> {
    repo.workdir()
        .map(Path::to_path_buf)
        .ok_or_else(|| "a bare repository has no work tree".to_string())
}

/// The repository whose work tree holds `path`, and the path relative to
/// its root; `None` outside any work tree.
fn in_work_tree(path: &Path) -> Result<Option<(Repository, PathBuf)>, String> {
    let abs = std::path::absolute(path).map_err(|e| e.to_string())?;
    let dir = abs.parent().unwrap_or(Path::new("/"));
    let Ok(repo) = Repository::discover(dir) else {
        return Ok(None);
    };
    let Some(root) = repo.workdir() else {
        return Ok(None);
    };
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let Ok(rel_dir) = dir.strip_prefix(&root) else {
        return Ok(None);
    };
    let rel = rel_dir.join(abs.file_name().unwrap_or_default());
    Ok(Some((repo, rel)))
}

/// The folder holding `path` and the file's name there, for git's own
/// plumbing: asked when libgit2 finds no repository it can open (it cannot
/// open a SHA-256 one, and a store must never be taken for a file outside
/// every repository because of that).
fn folder_and_name(path: &Path) -> Result<(PathBuf, std::ffi::OsString), String> {
    let abs = std::path::absolute(path).map_err(|e| e.to_string())?;
    let dir = abs.parent().unwrap_or(Path::new("/")).to_path_buf();
    let name = abs.file_name().unwrap_or_default().to_os_string();
    Ok((dir, name))
}

/// For a path inside some repository's work tree: whether git ignores it.
/// `None` when the path is in no repository. git itself answers
/// (`check-ignore`): libgit2 takes `info/exclude` over a `.gitignore`'s
/// `!` that un-ignores the path, where git does the reverse (review 8,
/// #11: a secret stored in a file `git status` lists). libgit2 answers
/// only where git cannot be run.
pub fn ignored(path: &Path) -> Result<Option<bool>, String> {
    let (dir, name) = folder_and_name(path)?;
    let asked = plumbing::ignored(&dir, &name);
    if asked.is_ok() {
        return asked;
    }
    let Some((repo, rel)) = in_work_tree(path)? else {
        return asked;
    };
    repo.is_path_ignored(&rel).map(Some).map_err(|e| {
        format!(
            "cannot ask git whether {} is ignored: {}",
            inputs::shown(path),
            e.message()
        )
    })
}

/// Have git ignore `pattern` in the clone whose common git folder is
/// `common` (its `info/exclude`).
fn exclude_locally(common: &Path, pattern: &str) -> Result<(), String> {
    let file = common.join("info").join("exclude");
    let existing = fs::read_to_string(&file).unwrap_or_default();
    if existing.lines().any(|l| l.trim() == pattern) {
        return Ok(());
    }
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir)
            .map_err(|e| format!("{}: {}", inputs::shown(dir), inputs::describe(&e)))?;
    }
    let sep = if existing.is_empty() || existing.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    fs::write(&file, format!("{existing}{sep}{pattern}\n")).map_err(|e| {
        format!(
            "cannot write {}: {}",
            inputs::shown(&file),
            inputs::describe(&e)
        )
    })
}

/// One blob to scan from history, and the first commit (or ref) that
/// holds it.
#[derive(Debug)]
pub struct HistoryInput {
    pub input: Input,
    pub commit: String,
}

/// What a history walk found.
#[derive(Debug, Default)]
pub struct History {
    /// How many distinct (path, blob) pairs at matching paths were handed
    /// to the sink.
    pub files: usize,
    pub commits: usize,
    pub shallow: bool,
    /// Walked commits at the edge of a shallow clone: their parents are
    /// not here, so what they changed cannot be seen.
    pub cut_off: Vec<String>,
    /// Each distinct blob id of the config file at the root of a walked
    /// commit (`None`: no such file), with the first commit that has it.
    pub configs: Vec<(Option<git2::Oid>, String)>,
}

/// Which commits a history scan walks.
#[derive(Debug, Clone)]
pub enum Range {
    /// Everything reachable from any ref (and HEAD), and the trees and
    /// blobs refs name directly.
    All,
    /// `A..B`, as git reads it.
    Spec(String),
    /// Reachable from `tip` but from none of `hide` (pre-push).
    Tips {
        tip: git2::Oid,
        hide: Vec<git2::Oid>,
    },
}

/// The commit a range is reviewed against: `A` of `A..B` (the merge base
/// for `A...B`). `None` when the range has no base side.
pub fn range_base(repo: &Repository, spec: &str) -> Result<Option<git2::Oid>, String> {
    let rs = repo
        .revparse(spec)
        .map_err(|e| format!("bad range {spec:?}: {}", e.message()))?;
    let peel = |o: Option<&git2::Object<'_>>| -> Result<Option<git2::Oid>, String> {
        o.map(|o| o.peel_to_commit().map(|c| c.id()))
            .transpose()
            .map_err(|e| format!("bad range {spec:?}: {}", e.message()))
    };
    let from = peel(rs.from())?;
    if rs.mode().contains(git2::RevparseMode::MERGE_BASE) {
        if let (Some(a), Some(b)) = (from, peel(rs.to())?) {
            return repo
                .merge_base(a, b)
                .map(Some)
                .map_err(|e| format!("bad range {spec:?}: {}", e.message()));
        }
    }
    Ok(from)
}

/// The blob id and content of `name` at the root of `commit`'s tree;
/// `None` when there is no such file.
/// The content of the regular file at `path` (a repository path) in
/// `commit`; `None` when there is none or it cannot be read.
pub fn blob_at(repo: &Repository, commit: git2::Oid, path: &str) -> Option<Vec<u8>> {
    let tree = repo.find_commit(commit).and_then(|c| c.tree()).ok()?;
    let entry = tree.get_path(Path::new(path)).ok()?;
    if entry.filemode() as u32 & 0o170000 != 0o100000 {
        return None;
    }
    read_blob(repo, entry.id()).ok()
}

pub fn file_at(
    repo: &Repository,
    commit: git2::Oid,
    name: &str,
) -> Result<Option<(git2::Oid, Vec<u8>)>, String> {
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(|e| format!("cannot read commit {commit}: {}", e.message()))?;
    let Some(entry) = tree.get_name(name) else {
        return Ok(None);
    };
    if entry.filemode() as u32 & 0o170000 != 0o100000 {
        return Ok(None);
    }
    let content = read_blob(repo, entry.id())?;
    Ok(Some((entry.id(), content)))
}

/// The commits at the edge of a shallow clone (`$GIT_DIR/shallow`).
fn shallow_edge(repo: &Repository) -> Vec<git2::Oid> {
    fs::read_to_string(repo.path().join("shallow"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| git2::Oid::from_str(l.trim()).ok())
        .collect()
}

/// The state shared by every tree walked in one history scan: what was
/// seen, and what was found.
struct Walker<'r, 's, 'k, 'o> {
    repo: &'r Repository,
    /// Trees are read from here as raw bytes and parsed in place
    /// ([`rawtree`]).
    odb: &'o git2::Odb<'r>,
    /// The root tree of each commit walked (or known): a child is compared
    /// with its first parent's tree, entry by entry, when the parent was
    /// walked in this run.
    roots: std::collections::HashMap<git2::Oid, git2::Oid>,
    trees: TreeCache<'o>,
    /// Takes each input as it is read: a history holds tens of megabytes
    /// of matching blobs (npm/cli: 48 MiB of `package.json`), never all
    /// kept at once.
    sink: &'k mut dyn FnMut(HistoryInput),
    sel: &'s Selector,
    seen_trees: std::collections::HashSet<(u64, git2::Oid)>,
    /// Keys the path hashes of `seen_trees` with a key of this run's own:
    /// with a fixed one, two paths whose 64-bit hashes collide can be
    /// found ahead (a birthday search, minutes of CPU), and a tree placed
    /// under an excluded path would hide the same tree under the other.
    path_keys: std::collections::hash_map::RandomState,
    seen_blobs: std::collections::HashSet<(Vec<u8>, git2::Oid)>,
    /// The paths of the `.npmrc` symbolic links met so far.
    links: Vec<Vec<u8>>,
    /// Where an absolute link target leads into the repository: the work
    /// tree's root now, at scan time. A link holds the absolute path of
    /// whoever made it, and a commit does not say where its work tree was;
    /// the root the history is read in is the one known, and a clone at
    /// the same path (the author's own, a CI runner's fixed folder) is
    /// where npm reads the repository's file through that link.
    root: links::Root,
    out: History,
}

/// The last tree read at each folder path: a commit's tree at a path is
/// its child's base there, so each tree is read once (as a new tree), not
/// again as the next change's base. Bounded: two generations of at most
/// half of [`TreeCache::LIMIT`] each (the bytes and an estimate of what
/// keeping each costs); when the newer is full it becomes the older and
/// the older is dropped, so what was used in the last generation stays.
/// A miss costs one more read, never a different answer.
struct TreeCache<'o> {
    now: Generation<'o>,
    before: Generation<'o>,
}

/// Keyed by the path's hash from [`Walker::path_key`] (already computed
/// for the seen-set): two paths with one hash share a slot, which costs a
/// miss, never a wrong tree (a hit needs the very object id).
type Generation<'o> = (
    std::collections::HashMap<u64, (git2::Oid, std::rc::Rc<git2::OdbObject<'o>>)>,
    usize,
);

impl<'o> TreeCache<'o> {
    /// Measured against the 64 MiB a history scan may take: npm/cli peaks
    /// at 62.3 MiB with 2 MiB, 63.8 with 4 MiB (61.4 before there was a
    /// cache; a 100,000-file tree alone is 48,000 trees, 17 MiB kept
    /// whole); on 20k x 5k, 2 MiB costs 5% more instructions than 8 MiB.
    const LIMIT: usize = 2 * 1024 * 1024;
    /// What keeping one tree costs beyond its bytes: the map's slot,
    /// libgit2's object and the allocations' headers. (At 200, npm/cli
    /// peaked at 64.4 to 64.7 MiB.)
    const OVERHEAD: usize = 300;

    fn new() -> Self {
        TreeCache {
            now: Default::default(),
            before: Default::default(),
        }
    }

    fn cost(tree: &git2::OdbObject<'_>) -> usize {
        tree.len() + Self::OVERHEAD
    }

    /// The tree `id`, if it is the last one read at `path`.
    fn get(&mut self, path: u64, id: git2::Oid) -> Option<std::rc::Rc<git2::OdbObject<'o>>> {
        if let Some((have, t)) = self.now.0.get(&path) {
            return (*have == id).then(|| t.clone());
        }
        let (have, t) = self.before.0.get(&path)?;
        if *have != id {
            return None;
        }
        let t = t.clone();
        self.put(path, id, t.clone());
        Some(t)
    }

    fn put(&mut self, path: u64, id: git2::Oid, tree: std::rc::Rc<git2::OdbObject<'o>>) {
        if self.now.1 > Self::LIMIT / 2 {
            self.before = std::mem::take(&mut self.now);
        }
        self.now.1 += Self::cost(&tree);
        if let Some(old) = self.now.0.insert(path, (id, tree)) {
            self.now.1 -= Self::cost(&old.1);
        }
    }
}

fn git_err(what: &str, e: git2::Error) -> String {
    format!("{what}: {}", e.message())
}

impl<'o> Walker<'_, '_, '_, 'o> {
    fn path_key(&self, p: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        self.path_keys.hash_one(p)
    }

    /// Every matching blob under the tree `tree` not seen at its path yet,
    /// each attributed to `origin` (a commit id, or a ref's name). `base`
    /// is the first parent's root tree, when that commit was walked: only
    /// what differs from it is looked at (what it holds was seen with it).
    /// A subtree already seen at the same path is not walked again.
    fn tree(
        &mut self,
        tree: git2::Oid,
        base: Option<git2::Oid>,
        origin: &str,
    ) -> Result<(), String> {
        self.walk_tree(tree, base, Some(origin))
    }

    /// Mark everything under `tree` as seen, reading no blob: what the
    /// destination of a push has already is not new there.
    fn known(&mut self, tree: git2::Oid) -> Result<(), String> {
        self.walk_tree(tree, None, None)
    }

    /// Hand `input` to the sink.
    fn emit(&mut self, input: HistoryInput) {
        self.out.files += 1;
        (self.sink)(input);
    }

    /// The raw tree object `id`, found at `path` (`""`: a root), whose
    /// [`Walker::path_key`] is `key`.
    fn read_tree(
        &mut self,
        id: git2::Oid,
        path: &[u8],
        key: u64,
    ) -> Result<std::rc::Rc<git2::OdbObject<'o>>, String> {
        if let Some(t) = self.trees.get(key, id) {
            return Ok(t);
        }
        let cannot = |why: &str| format!("cannot read tree {id} ({}): {why}", path_str(path));
        let odb: &'o git2::Odb<'_> = self.odb;
        let object = odb.read(id).map_err(|e| cannot(e.message()))?;
        if object.kind() != git2::ObjectType::Tree {
            return Err(cannot("not a tree"));
        }
        let object = std::rc::Rc::new(object);
        self.trees.put(key, id, object.clone());
        Ok(object)
    }

    fn walk_tree(
        &mut self,
        tree: git2::Oid,
        base: Option<git2::Oid>,
        origin: Option<&str>,
    ) -> Result<(), String> {
        let root_key = self.path_key(b"");
        if !self.seen_trees.insert((root_key, tree)) {
            return Ok(());
        }
        let repo = self.repo;
        // Each folder to walk (its path, and the path's key), with the
        // first parent's tree at its path.
        let mut stack: Vec<(Vec<u8>, u64, git2::Oid, Option<git2::Oid>)> =
            vec![(Vec::new(), root_key, tree, base)];
        while let Some((prefix, key, id, base)) = stack.pop() {
            // The base first: it is the tree last read at this path, which
            // the new one then replaces.
            // A base that cannot be read is compared with nothing: the
            // seen-sets alone then decide, as for a first commit.
            let old = base.and_then(|b| self.read_tree(b, &prefix, key).ok());
            let new = self.read_tree(id, &prefix, key)?;
            let corrupt = || format!("cannot read tree {id} ({}): corrupt", path_str(&prefix));
            // One buffer for every entry's path in this tree.
            let mut path = prefix.clone();
            for item in rawtree::changed(new.data(), old.as_ref().map(|o| o.data())) {
                let (entry, was) = item.map_err(|_| corrupt())?;
                let entry_id = git2::Oid::from_bytes(entry.id).map_err(|_| corrupt())?;
                path.truncate(prefix.len());
                path.extend_from_slice(entry.name);
                match entry.mode & 0o170000 {
                    0o040000 => {
                        path.push(b'/');
                        // Seen at this path already: all below it was walked.
                        let key = self.path_key(&path);
                        if !self.seen_trees.insert((key, entry_id)) {
                            continue;
                        }
                        let was = was
                            .filter(rawtree::Entry::is_tree)
                            .and_then(|w| git2::Oid::from_bytes(w.id).ok());
                        stack.push((path.clone(), key, entry_id, was));
                    }
                    0o100000 if self.sel.matches(&path) => {
                        if !self.seen_blobs.insert((path.clone(), entry_id)) {
                            continue;
                        }
                        let Some(origin) = origin else {
                            continue;
                        };
                        let content = read_blob(repo, entry_id)
                            .map_err(|e| format!("{e} ({} in {origin})", path_str(&path)))?;
                        self.emit(HistoryInput {
                            input: Input {
                                path: path_str(&path),
                                name: path.clone(),
                                content: Ok(content),
                                via: None,
                            },
                            commit: origin.to_string(),
                        });
                    }
                    0o120000 if self.sel.matches(&path) && !self.links.contains(&path) => {
                        self.links.push(path.clone());
                    }
                    // Gitlinks, non-matching files.
                    _ => {}
                }
            }
        }
        if self.links.is_empty() {
            return Ok(());
        }
        let root = repo
            .find_tree(tree)
            .map_err(|e| git_err(&format!("cannot read tree {tree}"), e))?;
        self.read_links(&root, origin)
    }

    /// Every `.npmrc` symbolic link met so far, read through in the tree
    /// `root` of one commit: its target at that commit, when it stays
    /// inside the tree. A link that is unchanged in a commit whose target
    /// changed is read again.
    fn read_links(&mut self, root: &Tree<'_>, origin: Option<&str>) -> Result<(), String> {
        let repo = self.repo;
        let entry_at = |p: &[u8]| {
            root.get_path(Path::new(&*crate::os::from_bytes(p)))
                .ok()
                .map(|e| (e.filemode() as u32, e.id()))
        };
        let mut read = Vec::new();
        for link in &self.links {
            let Some((mode, link_id)) = entry_at(link) else {
                continue;
            };
            if mode & 0o170000 != MODE_SYMLINK {
                continue;
            }
            let Ok(target) = read_blob(repo, link_id) else {
                continue;
            };
            let Ok((target, id)) = links::follow(link, target, &self.root, entry_at, |id| {
                read_blob(repo, *id).ok()
            }) else {
                continue;
            };
            if !self.seen_blobs.insert((link.clone(), id)) {
                continue;
            }
            let Some(origin) = origin else {
                continue;
            };
            let content = read_blob(repo, id)
                .map_err(|e| format!("{e} ({} in {origin})", path_str(&target)))?;
            read.push(HistoryInput {
                input: Input {
                    path: path_str(link),
                    name: link.clone(),
                    content: Ok(content),
                    via: Some(path_str(&target)),
                },
                commit: origin.to_string(),
            });
        }
        for input in read {
            self.emit(input);
        }
        Ok(())
    }
}

/// Every distinct blob at a matching path in every commit of `range`,
/// handed to `sink` as it is read, each (path, blob) read once and
/// attributed to the first commit, parents before children, that holds it. A subtree already seen at the same path is not
/// walked again, so the cost follows the distinct objects, not commits ×
/// files. A missing or corrupt object is an error that names it.
///
/// With [`Range::All`], refs that name a tree (`git tag t $(git
/// write-tree)`) or a blob directly are scanned too, as `git rev-list
/// --objects --all` lists them: a tree's files at their paths inside it; a
/// blob, which has no path, as if it were a matching file, shown under its
/// ref's name (a blob hidden behind a ref is a file somebody kept).
pub fn history(
    repo: &Repository,
    sel: &Selector,
    range: &Range,
    progress: &mut dyn FnMut(usize, usize),
    sink: &mut dyn FnMut(HistoryInput),
) -> Result<History, String> {
    // Each object is read once: libgit2's object cache would only cost memory.
    git2::opts::enable_caching(false);
    limit_pack_windows();
    let mut walk = repo
        .revwalk()
        .map_err(|e| git_err("cannot walk history", e))?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
        .map_err(|e| git_err("cannot walk history", e))?;
    // Refs naming a tree or a blob directly, peeled through tags.
    let mut direct: Vec<(String, git2::Object<'_>)> = Vec::new();
    match range {
        Range::Spec(spec) => walk
            .push_range(spec)
            .map_err(|e| git_err(&format!("bad range {spec:?}"), e))?,
        Range::Tips { tip, hide } => {
            walk.push(*tip)
                .map_err(|e| git_err(&format!("commit {tip}"), e))?;
            for h in hide {
                // A remote tip we do not have locally cannot hide anything.
                let _ = walk.hide(*h);
            }
        }
        Range::All => {
            let refs = repo
                .references()
                .map_err(|e| git_err("cannot list refs", e))?;
            for r in refs {
                let r = r.map_err(|e| git_err("cannot read a ref", e))?;
                let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
                let target = r
                    .peel(git2::ObjectType::Any)
                    .map_err(|e| git_err(&format!("cannot read ref {name}"), e))?;
                match target.kind() {
                    Some(git2::ObjectType::Commit) => walk
                        .push(target.id())
                        .map_err(|e| git_err("cannot walk history", e))?,
                    Some(git2::ObjectType::Tree | git2::ObjectType::Blob) => {
                        direct.push((name, target));
                    }
                    _ => {}
                }
            }
            if let Ok(head) = repo.head() {
                if let Ok(c) = head.peel_to_commit() {
                    walk.push(c.id())
                        .map_err(|e| git_err("cannot walk history", e))?;
                }
            }
        }
    }
    let edge = if repo.is_shallow() {
        shallow_edge(repo)
    } else {
        Vec::new()
    };
    let odb = repo
        .odb()
        .map_err(|e| git_err("cannot open the object database", e))?;
    let mut w = Walker {
        repo,
        odb: &odb,
        roots: std::collections::HashMap::new(),
        trees: TreeCache::new(),
        sink,
        sel,
        seen_trees: std::collections::HashSet::new(),
        path_keys: std::collections::hash_map::RandomState::new(),
        seen_blobs: std::collections::HashSet::new(),
        links: Vec::new(),
        root: links::Root::of(repo.workdir()),
        out: History {
            shallow: repo.is_shallow(),
            ..History::default()
        },
    };
    if let Range::Tips { hide, .. } = range {
        // The files the destination has at the same path are not new to it:
        // a clean push on top of an old leak it already holds passes.
        for h in hide {
            if let Ok(tree) = repo.find_commit(*h).map(|c| c.tree_id()) {
                w.known(tree)?;
                w.roots.insert(*h, tree);
            }
        }
    }
    for oid in walk {
        let oid = oid.map_err(|e| git_err("cannot walk history", e))?;
        let commit = repo
            .find_commit(oid)
            .map_err(|e| git_err(&format!("cannot read commit {oid}"), e))?;
        let tree = commit.tree_id();
        w.out.commits += 1;
        if edge.contains(&oid) {
            w.out.cut_off.push(oid.to_string());
        }
        let base = commit
            .parent_ids()
            .next()
            .and_then(|p| w.roots.get(&p).copied());
        w.tree(tree, base, &oid.to_string())?;
        w.roots.insert(oid, tree);
        // The root was read (and kept) by the walk, unless seen before.
        let root_key = w.path_key(b"");
        let root = w
            .read_tree(tree, b"", root_key)
            .map_err(|e| format!("cannot read the tree of commit {oid}: {e}"))?;
        let config = rawtree::find(root.data(), crate::config::FILE_NAME.as_bytes())
            .map_err(|_| format!("cannot read the tree of commit {oid}: corrupt"))?
            .and_then(|e| git2::Oid::from_bytes(e.id).ok());
        if !w.out.configs.iter().any(|(c, _)| *c == config) {
            w.out.configs.push((config, oid.to_string()));
        }
        progress(w.out.commits, w.out.files);
    }
    for (name, target) in direct {
        match target.kind() {
            Some(git2::ObjectType::Tree) => {
                let tree = target
                    .peel_to_tree()
                    .map_err(|e| git_err(&format!("cannot read ref {name}"), e))?;
                w.tree(tree.id(), None, &name)?;
            }
            _ => {
                let path = name.clone().into_bytes();
                if !w.seen_blobs.insert((path.clone(), target.id())) {
                    continue;
                }
                let content =
                    read_blob(repo, target.id()).map_err(|e| format!("{e} (named by {name})"))?;
                w.emit(HistoryInput {
                    input: Input {
                        path: path_str(&path),
                        name: path,
                        content: Ok(content),
                        via: None,
                    },
                    commit: name,
                });
            }
        }
    }
    Ok(w.out)
}

/// Keep at most 32 MiB of pack files mapped (libgit2's default is 8 GiB on
/// 64-bit): a history walk touches every pack, and every mapped page it
/// touched would count against memory.
#[allow(unsafe_code)]
fn limit_pack_windows() {
    // SAFETY: these setters write process-global libgit2 options; they are
    // called before any pack is opened, from the one thread that uses git.
    unsafe {
        let _ = git2::opts::set_mwindow_size(4 * 1024 * 1024);
        let _ = git2::opts::set_mwindow_mapped_limit(32 * 1024 * 1024);
    }
}

/// What a `pre-push` hook must review, from the lines git writes to its
/// standard input (`<local ref> <local oid> <remote ref> <remote oid>`) and
/// the destination remote's name (`$1`): for each pushed ref, the commits
/// reachable from it and from none of the destination's refs (its
/// remote-tracking refs, and the remote oids git names when they are here).
/// A commit another remote already has is still new to this one.
#[derive(Debug)]
pub struct PrePush {
    pub ranges: Vec<Range>,
    /// The destination's commit the push builds on, when known: the
    /// base side the config is read from.
    pub base: Option<git2::Oid>,
}

pub fn pre_push(repo: &Repository, remote: Option<&str>, stdin: &str) -> Result<PrePush, String> {
    let mut lines = Vec::new();
    for line in stdin.lines().filter(|l| !l.trim().is_empty()) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [_, local, remote_ref, remote_oid] = parts[..] else {
            return Err(format!("unexpected pre-push input line: {line:?}"));
        };
        let local = git2::Oid::from_str(local).map_err(|e| e.message().to_string())?;
        let remote_oid = git2::Oid::from_str(remote_oid).map_err(|e| e.message().to_string())?;
        lines.push((local, remote_ref.to_string(), remote_oid));
    }
    // An annotated tag is pushed and held as its tag object: what it
    // brings (and what the remote has) is the commit it names.
    let peel = |oid: git2::Oid| -> Option<git2::Oid> {
        if oid.is_zero() {
            return None;
        }
        let object = repo.find_object(oid, None).ok()?;
        object.peel_to_commit().ok().map(|c| c.id())
    };
    let mut pushed = Vec::new();
    for (local, remote_ref, remote_oid) in lines {
        let local = if local.is_zero() {
            local
        } else {
            match peel(local) {
                Some(commit) => commit,
                None if repo.find_object(local, None).is_ok() => {
                    return Err(format!(
                        "{remote_ref}: the pushed object {local} is a tree or a blob, not a commit; it cannot be reviewed, so the push is refused (push it with --no-verify if it holds no credential)"
                    ))
                }
                None => local,
            }
        };
        pushed.push((local, remote_ref, peel(remote_oid).unwrap_or(remote_oid)));
    }
    let lines = pushed;
    let here = |oid: git2::Oid| !oid.is_zero() && repo.find_commit(oid).is_ok();
    let mut hide: Vec<git2::Oid> = lines
        .iter()
        .map(|(_, _, r)| *r)
        .filter(|r| here(*r))
        .collect();
    let mut remote_head = None;
    for dst in tracking_globs(repo, remote) {
        let refs = repo
            .references_glob(&dst)
            .map_err(|e| e.message().to_string())?;
        for r in refs.flatten() {
            if let Ok(c) = r.peel_to_commit() {
                if r.name_bytes().ends_with(b"/HEAD") {
                    remote_head = Some(c.id());
                }
                hide.push(c.id());
            }
        }
    }
    hide.sort();
    hide.dedup();
    let base = lines
        .iter()
        .map(|(_, _, r)| *r)
        .find(|r| here(*r))
        .or(remote_head);
    let ranges = lines
        .iter()
        // A deletion pushes no content.
        .filter(|(local, _, _)| !local.is_zero())
        .map(|(local, _, _)| Range::Tips {
            tip: *local,
            hide: hide.clone(),
        })
        .collect();
    Ok(PrePush { ranges, base })
}

/// The ref globs under which the remote `name` keeps its tracking refs
/// (the destinations of its fetch refspecs); none for a URL or an unknown
/// remote.
fn tracking_globs(repo: &Repository, name: Option<&str>) -> Vec<String> {
    let Some(remote) = name.and_then(|n| repo.find_remote(n).ok()) else {
        return Vec::new();
    };
    remote
        .refspecs()
        .filter(|spec| spec.direction() == git2::Direction::Fetch)
        .filter_map(|spec| spec.dst().ok().map(str::to_string))
        .filter(|dst| dst.starts_with("refs/"))
        .collect()
}

/// Whether git tracks `path` (it is in the index of the repository that
/// holds it). `false` outside a repository.
pub fn tracked(path: &Path) -> Result<bool, String> {
    let Some((repo, rel)) = in_work_tree(path)? else {
        let (dir, name) = folder_and_name(path)?;
        return Ok(plumbing::tracked(&dir, &name)?.unwrap_or(false));
    };
    let Ok(index) = repo.index() else {
        // An index libgit2 cannot read (split): git's own plumbing can.
        let (dir, name) = folder_and_name(path)?;
        return Ok(plumbing::tracked(&dir, &name)?.unwrap_or(false));
    };
    // Any stage: a file in a merge conflict is tracked too.
    Ok((0..=3).any(|stage| index.get_path(&rel, stage).is_some()))
}

/// The tip a range reviews: `B` of `A..B` (HEAD when `B` is left out), the
/// pushed commit for pre-push; `None` for every ref.
pub fn range_tip(repo: &Repository, range: &Range) -> Result<Option<git2::Oid>, String> {
    match range {
        Range::All => Ok(None),
        Range::Tips { tip, .. } => Ok(Some(*tip)),
        Range::Spec(spec) => {
            let rs = repo
                .revparse(spec)
                .map_err(|e| format!("bad range {spec:?}: {}", e.message()))?;
            let to = match rs.to() {
                Some(o) => o.clone(),
                None if rs.mode().contains(git2::RevparseMode::SINGLE) => match rs.from() {
                    Some(o) => o.clone(),
                    None => return Ok(None),
                },
                None => repo
                    .revparse_single("HEAD")
                    .map_err(|e| format!("bad range {spec:?}: {}", e.message()))?,
            };
            to.peel_to_commit()
                .map(|c| Some(c.id()))
                .map_err(|e| format!("bad range {spec:?}: {}", e.message()))
        }
    }
}

/// The files at matching paths in `commit`'s tree, read from the object
/// database (symbolic links and submodules left out).
pub fn files_at(
    repo: &Repository,
    commit: git2::Oid,
    sel: &Selector,
) -> Result<Vec<Input>, String> {
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(|e| git_err(&format!("cannot read commit {commit}"), e))?;
    let mut found: Vec<(Vec<u8>, git2::Oid)> = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) && entry.filemode() & 0o170000 == 0o100000 {
            let mut path = dir.as_bytes().to_vec();
            path.extend_from_slice(entry.name_bytes());
            if sel.matches(&path) {
                found.push((path, entry.id()));
            }
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(|e| git_err(&format!("cannot read commit {commit}"), e))?;
    Ok(found
        .into_iter()
        .map(|(path, id)| Input {
            path: path_str(&path),
            content: read_blob(repo, id),
            name: path,
            via: None,
        })
        .collect())
}

/// Object ids at paths of one tree, each folder's tree read once: libgit2
/// caches no tree larger than 4 KiB, so asking `get_path` for each of a
/// monorepo's thousands of `package.json` files parsed its large folders
/// (`packages/`) again every time (measured: 4× git's own floor).
/// The folder of a `/`-separated path (`""` at the root).
fn parent(path: &[u8]) -> &[u8] {
    memchr::memrchr(b'/', path).map_or(&path[..0], |i| &path[..i])
}

struct TreeIds<'r> {
    repo: &'r Repository,
    folders: std::collections::HashMap<Vec<u8>, Option<Tree<'r>>>,
}

impl<'r> TreeIds<'r> {
    fn new(repo: &'r Repository, root: Option<Tree<'r>>) -> Self {
        let mut folders = std::collections::HashMap::new();
        folders.insert(Vec::new(), root);
        TreeIds { repo, folders }
    }

    /// The tree of folder `dir` (`""` for the root), if there is one.
    fn folder(&mut self, dir: &[u8]) -> Option<Tree<'r>> {
        if let Some(t) = self.folders.get(dir) {
            return t.clone();
        }
        let (parent, name) = match memchr::memrchr(b'/', dir) {
            Some(i) => (&dir[..i], &dir[i + 1..]),
            None => (&dir[..0], dir),
        };
        let tree = self.folder(parent).and_then(|p| {
            let entry = p.get_name_bytes(name)?;
            (entry.kind() == Some(git2::ObjectType::Tree))
                .then(|| self.repo.find_tree(entry.id()).ok())
                .flatten()
        });
        self.folders.insert(dir.to_vec(), tree.clone());
        tree
    }

    /// Whether the cache-tree's id for folder `dir` is the id of HEAD's
    /// tree there.
    fn same_folder(
        &mut self,
        dir: &[u8],
        cache: &std::collections::HashMap<Vec<u8>, [u8; 20]>,
    ) -> bool {
        let Some(cached) = cache.get(dir) else {
            return false;
        };
        let head = if dir.is_empty() {
            self.folder(dir).map(|t| t.id())
        } else {
            self.id_at(dir)
        };
        head.is_some_and(|id| id.as_bytes() == cached)
    }

    /// The object id at `path`, if the tree has one there.
    fn id_at(&mut self, path: &[u8]) -> Option<git2::Oid> {
        let dir = parent(path);
        let name = &path[dir.len() + usize::from(!dir.is_empty())..];
        let folder = self.folder(dir)?;
        let id = folder.get_name_bytes(name).map(|e| e.id());
        id
    }
}
