#!/usr/bin/env python3
"""What the npm launcher costs: `scan --staged` run three ways, in the same
repository, alternately, medians.

    python3 bench/launcher.py [N_FILES ...]     # default: 1000 100000

    binary   node_modules/@npmrc-guard/<platform>/bin/npmrc-guard (what the
             hook `npx npmrc-guard install` writes calls)
    .bin     node_modules/.bin/npmrc-guard (node + the launcher)
    npx      npx npmrc-guard (npm's start-up + node + the launcher)

The packages come from npm/pack.cjs on the release binary ($NPMRC_GUARD,
default target/release/npmrc-guard); repositories from bench/make-repo.sh
with a safe staged .npmrc, so every run exits 0. Work goes under $BENCH_DIR
(default /tmp/npmrc-guard-bench/launcher). Not a test: absolute times on
shared machines move.
"""

import glob
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("NPMRC_GUARD", os.path.join(ROOT, "target", "release", "npmrc-guard"))
WORK = os.environ.get("BENCH_DIR", os.path.join("/tmp/npmrc-guard-bench", "launcher"))
RUNS = int(os.environ.get("RUNS", "15"))
SAFE = "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}"


def sh(args, **kw):
    subprocess.run(args, check=True, **kw)


def packages():
    out = os.path.join(WORK, "tgz")
    shutil.rmtree(out, ignore_errors=True)
    sh(["node", os.path.join(ROOT, "npm", "pack.cjs"), "--out", out,
        "--binary", f"linux-x64-gnu={BIN}"], stdout=subprocess.DEVNULL)
    return sorted(glob.glob(os.path.join(out, "*.tgz")))


def repo(n):
    path = os.path.join(WORK, f"repo-{n}")
    if not os.path.isdir(os.path.join(path, ".git")):
        shutil.rmtree(path, ignore_errors=True)
        env = dict(os.environ, STAGED_CONTENT=SAFE)
        sh(["bash", os.path.join(ROOT, "bench", "make-repo.sh"), str(n), "1", path],
           env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        with open(os.path.join(path, ".git", "info", "exclude"), "a") as f:
            f.write("node_modules/\n")
    # The synthetic monorepo's workspace:* dependencies are not installable:
    # the packages are installed beside it, and linked in as its node_modules.
    link = os.path.join(path, "node_modules")
    if not os.path.islink(link):
        os.symlink(os.path.join(WORK, "deps", "node_modules"), link)
    return path


def install(tgz):
    deps = os.path.join(WORK, "deps")
    shutil.rmtree(deps, ignore_errors=True)
    os.makedirs(deps)
    with open(os.path.join(deps, "package.json"), "w") as f:
        f.write('{"name": "bench", "private": true}\n')
    sh(["npm", "install", "-D", "--no-audit", "--no-fund", *tgz], cwd=deps,
       stdout=subprocess.DEVNULL)


def timed(cmd, cwd):
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"{cmd} exited {r.returncode} in {cwd}")
    return dt


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 100000]
    os.makedirs(WORK, exist_ok=True)
    install(packages())
    print(f"{'files':>7}  {'binary':>9}  {'.bin':>9}  {'npx':>9}  (median of {RUNS}, ms)")
    for n in sizes:
        path = repo(n)
        ways = {
            "binary": [os.path.join(path, "node_modules", "@npmrc-guard", "linux-x64-gnu",
                                    "bin", "npmrc-guard"), "scan", "--staged"],
            ".bin": [os.path.join(path, "node_modules", ".bin", "npmrc-guard"), "scan", "--staged"],
            "npx": ["npx", "npmrc-guard", "scan", "--staged"],
        }
        for cmd in ways.values():  # warm the caches once
            timed(cmd, path)
        times = {k: [] for k in ways}
        for _ in range(RUNS):
            for k, cmd in ways.items():
                times[k].append(timed(cmd, path))
        m = {k: statistics.median(v) * 1000 for k, v in times.items()}
        print(f"{n:>7}  {m['binary']:>9.1f}  {m['.bin']:>9.1f}  {m['npx']:>9.1f}", flush=True)


if __name__ == "__main__":
    main()
