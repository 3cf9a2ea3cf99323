#!/usr/bin/env bash
# Adapted from the project's shared benchmark helpers (shared/bench/make-repo.sh,
# 2026-11-28); owned here so bench/bench.py runs from a fresh clone.
# make-repo.sh N_FILES N_COMMITS OUTDIR
#
# Builds a synthetic JS-monorepo-shaped git repository, deterministically
# (fixed seed, fixed author/committer dates), with git fast-import, then
# checks it out and STAGES one new .npmrc holding literal tokens.
#
#   N_FILES    number of tracked files in the first commit (>= 20)
#   N_COMMITS  total commits (>= 1); commits 2..N modify 1-5 random files
#   OUTDIR     must not exist (or be empty)
#
# Environment overrides (all optional):
#   SEED=42              random seed
#   STAGED_PATH=...      path (relative to repo) of the staged file;
#                        default packages/<first package>/.npmrc (a new file)
#   STAGED_CONTENT=...   exact content of the staged file (a trailing newline
#                        is added); default: registry lines + an npm_ token
#                        line + a GitHub Packages ghp_ token line.
#                        @NPM@ and @GHP@ in it are replaced by the repo's
#                        generated npm_ / ghp_ tokens.
#   NO_STAGE=1           build + check out only, stage nothing
#
# Prints the staged path and timings on stderr. Needs: git, python3.
# The tokens are synthetic (random, with a CRC32/base62 checksum tail in the
# style GitHub documents for its token format); they are not real credentials.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 N_FILES N_COMMITS OUTDIR" >&2
  exit 2
fi
N_FILES=$1
N_COMMITS=$2
OUT=$3
SEED=${SEED:-42}

case $N_FILES in ''|*[!0-9]*) echo "N_FILES must be an integer" >&2; exit 2;; esac
case $N_COMMITS in ''|*[!0-9]*) echo "N_COMMITS must be an integer" >&2; exit 2;; esac
[ "$N_FILES" -ge 20 ] || { echo "N_FILES must be >= 20" >&2; exit 2; }
[ "$N_COMMITS" -ge 1 ] || { echo "N_COMMITS must be >= 1" >&2; exit 2; }
if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
  echo "OUTDIR $OUT exists and is not empty" >&2
  exit 2
fi

t0=$(date +%s.%N)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# Keep the repo self-contained and deterministic regardless of user config.
export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL=/dev/null
git init -q -b main "$OUT"
git -C "$OUT" config user.name Bench
git -C "$OUT" config user.email bench@example.invalid
git -C "$OUT" config commit.gpgsign false

META="$OUT/.git/make-repo.meta"

python3 - "$N_FILES" "$N_COMMITS" "$SEED" "$META" <<'PY' | git -C "$OUT" fast-import --quiet --done
import random, sys, zlib, json

n_files, n_commits, seed, meta_path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = random.Random(seed)
out = sys.stdout.buffer

WORDS = ("alpha beta gamma delta util core api client server store cache queue "
         "router parser render theme icon button modal form table chart auth "
         "session user order cart price search filter sort page layout hook").split()

FILES_PER_PKG = 50
n_pkgs = max(1, n_files // FILES_PER_PKG)
pkgs = []
seen = set()
while len(pkgs) < n_pkgs:
    name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{len(pkgs):04d}"
    if name not in seen:
        seen.add(name); pkgs.append(name)

def js_file(pkg, path, i):
    fn = rng.choice(WORDS) + rng.choice(WORDS).capitalize()
    dep = rng.choice(WORDS)
    body = [
        f"// {pkg}/{path}",
        f"import {{ {dep} }} from '../{dep}.js';",
        "",
        f"export function {fn}{i}(input, opts = {{}}) {{",
        f"  const limit = opts.limit ?? {rng.randint(1, 999)};",
        f"  const key = '{rng.choice(WORDS)}:' + String(input).slice(0, limit);",
        f"  return {dep}(key, {{ retries: {rng.randint(0, 5)}, tag: '{rng.choice(WORDS)}' }});",
        "}",
        "",
    ]
    return "\n".join(body) + "\n"

def pkg_json(pkg):
    deps = sorted({rng.choice(pkgs) for _ in range(rng.randint(0, 4))} - {pkg})
    d = {
        "name": f"@acme/{pkg}",
        "version": f"{rng.randint(0, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
        "private": True,
        "type": "module",
        "main": "src/index.js",
        "scripts": {"test": "node --test test/"},
        "dependencies": {f"@acme/{x}": "workspace:*" for x in deps},
    }
    return json.dumps(d, indent=2) + "\n"

BENIGN_NPMRC = [
    "registry=https://registry.npmjs.org/\nsave-exact=true\n",
    "@acme:registry=https://npm.pkg.github.com\n//npm.pkg.github.com/:_authToken=${GITHUB_TOKEN}\n",
    "engine-strict=true\nfund=false\n",
]

# ---- build the file list of the first commit -------------------------------
files = {}   # path -> content
files["package.json"] = json.dumps({
    "name": "acme-monorepo", "private": True,
    "workspaces": ["packages/*"], "packageManager": "npm@10.9.0"}, indent=2) + "\n"
files[".gitignore"] = "node_modules/\ndist/\n.env\n"
files["README.md"] = "# acme monorepo (synthetic benchmark fixture)\n"
files[".pre-commit-config.yaml"] = """\
# local 'system' hooks only: nothing is fetched
repos:
  - repo: local
    hooks:
      - id: detect-secrets
        name: detect-secrets
        entry: detect-secrets-hook
        language: system
      - id: secretlint
        name: secretlint
        entry: secretlint
        language: system
      - id: ripsecrets
        name: ripsecrets
        entry: ripsecrets --strict-ignore
        language: system
      - id: git-secrets
        name: git-secrets
        entry: git secrets --pre_commit_hook
        language: system
        pass_filenames: false
"""
files[".secretlintrc.json"] = json.dumps(
    {"rules": [{"id": "@secretlint/secretlint-rule-preset-recommend"}]}, indent=2) + "\n"
staged_pkg = pkgs[0]
npmrc_pkgs = set()
for k, pkg in enumerate(pkgs[1:], 1):
    if k % 97 == 1:            # a few committed, benign .npmrc files
        npmrc_pkgs.add(pkg)
SUBDIRS = ["src", "src/lib", "src/lib/internal", "src/components", "src/components/{w}",
           "src/hooks", "src/utils/{w}/{v}", "test", "test/fixtures"]
remaining = n_files - len(files)
per_pkg_base = remaining // len(pkgs)
extra = remaining - per_pkg_base * len(pkgs)
for k, pkg in enumerate(pkgs):
    quota = per_pkg_base + (1 if k < extra else 0)
    base = f"packages/{pkg}"
    if quota <= 0:
        continue
    files[f"{base}/package.json"] = pkg_json(pkg); quota -= 1
    if quota > 0 and pkg in npmrc_pkgs:
        files[f"{base}/.npmrc"] = rng.choice(BENIGN_NPMRC); quota -= 1
    if quota > 0:
        files[f"{base}/src/index.js"] = js_file(pkg, "src/index.js", 0); quota -= 1
    i = 1
    while quota > 0:
        sub = rng.choice(SUBDIRS).format(w=rng.choice(WORDS), v=rng.choice(WORDS))
        name = f"{rng.choice(WORDS)}-{i}.js"
        path = f"{base}/{sub}/{name}"
        if path in files:
            i += 1; continue
        files[path] = js_file(pkg, f"{sub}/{name}", i)
        quota -= 1; i += 1

paths = sorted(files)

def data(b):
    out.write(b"data %d\n" % len(b)); out.write(b); out.write(b"\n")

when = 1700000000
def commit(msg, mods):
    global when
    when += 3600
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Bench <bench@example.invalid> %d +0000\n" % when)
    data(msg.encode())
    for p, c in mods:
        out.write(b"M 100644 inline " + p.encode() + b"\n")
        data(c.encode())

commit("initial import\n", [(p, files[p]) for p in paths])
for c in range(2, n_commits + 1):
    k = rng.randint(1, 5)
    mods = []
    for p in rng.sample(paths, k):
        if p.endswith(".js"):
            files[p] = files[p] + f"// rev {c}: {rng.choice(WORDS)}\n"
        elif p.endswith("package.json") and p != "package.json":
            d = json.loads(files[p]); v = d["version"].split(".")
            d["version"] = f"{v[0]}.{v[1]}.{int(v[2]) + 1}"
            files[p] = json.dumps(d, indent=2) + "\n"
        else:
            files[p] = files[p] + f"# rev {c}\n"
        mods.append((p, files[p]))
    commit(f"change {c}: touch {k} file(s)\n", mods)
out.write(b"done\n")

# ---- synthetic tokens (deterministic) --------------------------------------
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
def b62(n, width):
    s = ""
    while n:
        n, r = divmod(n, 62); s = B62[r] + s
    return s.rjust(width, "0")
def token(prefix):
    body = "".join(rng.choice(B62) for _ in range(30))
    return prefix + body + b62(zlib.crc32(body.encode()), 6)
with open(meta_path, "w") as f:
    json.dump({"staged_pkg": staged_pkg, "npm_token": token("npm_"),
               "ghp_token": token("ghp_"), "n_files": len(paths),
               "n_commits": n_commits, "seed": seed}, f)
PY

t1=$(date +%s.%N)
# Populate index + work tree from the imported branch.
git -C "$OUT" reset -q --hard main
t2=$(date +%s.%N)

read -r STAGED_PKG NPM_TOKEN GHP_TOKEN < <(python3 -c '
import json,sys; m=json.load(open(sys.argv[1])); print(m["staged_pkg"], m["npm_token"], m["ghp_token"])' "$META")

if [ "${NO_STAGE:-0}" != 1 ]; then
  STAGED_PATH=${STAGED_PATH:-packages/$STAGED_PKG/.npmrc}
  if [ -z "${STAGED_CONTENT+x}" ]; then
    STAGED_CONTENT="registry=https://registry.npmjs.org/
@acme:registry=https://npm.pkg.github.com
//registry.npmjs.org/:_authToken=$NPM_TOKEN
//npm.pkg.github.com/:_authToken=$GHP_TOKEN"
  fi
  STAGED_CONTENT=${STAGED_CONTENT//@NPM@/$NPM_TOKEN}
  STAGED_CONTENT=${STAGED_CONTENT//@GHP@/$GHP_TOKEN}
  mkdir -p "$OUT/$(dirname "$STAGED_PATH")"
  printf '%s\n' "$STAGED_CONTENT" > "$OUT/$STAGED_PATH"
  git -C "$OUT" add -- "$STAGED_PATH"
  echo "staged: $STAGED_PATH" >&2
fi
t3=$(date +%s.%N)
awk -v n="$(git -C "$OUT" ls-files | wc -l)" -v c="$N_COMMITS" -v o="$OUT" \
    -v a="$t0" -v b="$t1" -v d="$t2" -v e="$t3" 'BEGIN {
  printf "make-repo: %d tracked files, %d commits -> %s (import %.1fs, checkout %.1fs, stage %.1fs)\n", n, c, o, b-a, d-b, e-d }' >&2
