#!/usr/bin/env python3
"""Benchmarks for npmrc-guard: the tool against the floor, in one run, as ratios.

    python3 bench/bench.py check      # one small file vs `cat`; 100 MB throughput; one-line files
    python3 bench/bench.py staged     # scan --staged vs `git diff --cached --name-only`
    python3 bench/bench.py history    # scan --history vs `git rev-list --objects --all`, a 10-commit
                                      # --range vs `git rev-list --objects A..B`; REAL_REPO=path adds a real one
    python3 bench/bench.py fix        # fix --save-env of large .yarnrc.yml files at n and 2n (linear: ×2)
    python3 bench/bench.py startup    # binary size; --version vs `true`

Commands are run alternately (tool, floor, tool, floor, ...) so machine noise
hits both alike; each figure is the median of the runs. Peak memory is the
resident set of one more run under GNU time (/usr/bin/time -f %M), since
a child's ru_maxrss would include the Python process it was forked from.
Synthetic
repositories come from bench/make-repo.sh (override with MAKE_REPO=path). Everything is written under $BENCH_DIR (default
/tmp/npmrc-guard-bench). Not a test: absolute times on shared machines move.
"""

import os
import statistics
import subprocess
import sys
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("NPMRC_GUARD", os.path.join(ROOT, "target", "release", "npmrc-guard"))
WORK = os.environ.get("BENCH_DIR", "/tmp/npmrc-guard-bench")
MAKE_REPO = os.environ.get("MAKE_REPO", os.path.join(ROOT, "bench", "make-repo.sh"))
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def fake_token(prefix, i):
    body = ("FAKEbench" + str(i).rjust(21, "0"))[:30]
    n = zlib.crc32(body.encode())
    tail = ""
    for _ in range(6):
        tail = B62[n % 62] + tail
        n //= 62
    return prefix + body + tail


def run_once(cmd, cwd=None, env=None):
    """Wall time and exit status of one run; output discarded."""
    start = time.perf_counter()
    code = subprocess.call(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, code


def peak_kib(cmd, cwd=None, env=None):
    """Peak resident set (KiB) of one run, measured by GNU time."""
    if not os.path.exists("/usr/bin/time"):
        return float("nan")
    p = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *cmd], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    return int(p.stderr.strip().splitlines()[-1])


def timed(named_cmds, runs, cwd=None, env=None, warmup=3):
    """Run each command `runs` times, interleaved; return {name: (times, peak_kib, codes)}."""
    for _ in range(warmup):
        for _, cmd in named_cmds:
            run_once(cmd, cwd, env)
    times = {name: [] for name, _ in named_cmds}
    codes = {name: set() for name, _ in named_cmds}
    for _ in range(runs):
        for name, cmd in named_cmds:
            t, code = run_once(cmd, cwd, env)
            times[name].append(t)
            codes[name].add(code)
    return {n: (times[n], peak_kib(cmd, cwd, env), sorted(codes[n])) for n, cmd in named_cmds}


def compare(named_cmds, runs, cwd=None, env=None, warmup=3):
    """Run each command `runs` times, interleaved; return {name: (median, peak_kib, codes)}."""
    return {n: (statistics.median(t), peak, codes) for n, (t, peak, codes) in timed(named_cmds, runs, cwd, env, warmup).items()}


def report(results, floor):
    base = results[floor][0]
    for name, (med, peak, codes) in results.items():
        print(f"  {name:<44} {med * 1000:9.2f} ms  ×{med / base:5.2f}  peak {peak / 1024:7.1f} MiB  exit {codes}")


def ensure_binary():
    """Build the release binary (a no-op when it is up to date), unless
    NPMRC_GUARD names another one."""
    if "NPMRC_GUARD" not in os.environ:
        subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)


def bench_check():
    os.makedirs(WORK, exist_ok=True)
    small = os.path.join(WORK, "small.npmrc")
    with open(small, "w") as f:
        f.write("registry=https://registry.npmjs.org/\n")
        f.write("@acme:registry=https://npm.pkg.github.com\n")
        f.write("//npm.pkg.github.com/:_authToken=${GITHUB_TOKEN}\n")
        f.write(f"//registry.npmjs.org/:_authToken={fake_token('npm_', 1)}\n")
    print("check: one small file, whole process (floor: cat FILE)")
    res = compare([("npmrc-guard check FILE", [BIN, "check", small]), ("cat FILE", ["cat", small])], runs=200)
    report(res, "cat FILE")

    big = os.path.join(WORK, "big.npmrc")
    target = 100 * 1024 * 1024
    if not os.path.exists(big) or os.path.getsize(big) < target:
        lines = [
            "registry=https://registry.npmjs.org/",
            "; a comment line with some words in it",
            "@scope-{i}:registry=https://npm.pkg.github.com/",
            "//npm.pkg.github.com/:_authToken=${{GITHUB_TOKEN}}",
            "# another comment, hashed",
            "save-exact=true",
            "//registry-{i}.example.com/:always-auth=true",
            "cache=/home/user/.npm-cache-{i}",
        ]
        with open(big, "w") as f:
            size, i = 0, 0
            while size < target:
                line = lines[i % len(lines)].format(i=i) + "\n"
                if i % 100_000 == 0:
                    line = f"//r{i}.example/:_authToken={fake_token('npm_', i)}\n"
                f.write(line)
                size += len(line)
                i += 1
    mb = os.path.getsize(big) / 1e6
    print(f"check: parse+detect throughput on a {mb:.0f} MB file (whole process, one core)")
    res = compare(
        [("npmrc-guard check BIG --format json", [BIN, "check", "--format", "json", big]), ("cat BIG", ["cat", big])],
        runs=7,
        warmup=1,
    )
    report(res, "cat BIG")
    med, peak, _ = res["npmrc-guard check BIG --format json"]
    print(f"  throughput {mb / med:.0f} MB/s; peak memory {peak / 1024:.0f} MiB = {peak * 1024 / os.path.getsize(big):.2f}× the file")
    # Linear time whatever the shape: one line of valid tokens back to back
    # (as a credential's value, where each token is judged, which was once
    # quadratic; and alone), and 100 MB on one line.
    piece = {"tokens": lambda i: fake_token("npm_", i) + " ", "ordinary": lambda i: f"/home/user/.npm-cache-{i}/"}
    for label, name, target, head, kind in [
        ("one 6.6 MB line of valid tokens, as an _authToken value", "line-6m-key.npmrc", 6_600_000, "//r.example/:_authToken=", "tokens"),
        ("one 6.6 MB line of valid tokens, no key", "line-6m.npmrc", 6_600_000, "", "tokens"),
        ("one 100 MB line, an ordinary value", "line-100m.npmrc", 100_000_000, "cache=", "ordinary"),
    ]:
        path = os.path.join(WORK, name)
        if not os.path.exists(path) or os.path.getsize(path) < target:
            with open(path, "w") as f:
                f.write(head)
                size, i = len(head), 0
                while size < target:
                    p = piece[kind](i)
                    f.write(p)
                    size += len(p)
                    i += 1
                f.write("\n")
        mb = os.path.getsize(path) / 1e6
        print(f"check: {label} (whole process)")
        res = compare([("npmrc-guard check LINE --format json", [BIN, "check", "--format", "json", path]), ("cat LINE", ["cat", path])], runs=3, warmup=1)
        report(res, "cat LINE")
        med = res["npmrc-guard check LINE --format json"][0]
        print(f"  throughput {mb / med:.0f} MB/s ({mb:.1f} MB in {med:.2f} s)")
    # The shapes that were quadratic (issue 10): many tokens in a credential
    # value npm decodes or expands first (quoted, escaped, interpolated),
    # and `glpat-` glued together. Each at 1 and 2 MB: linear time doubles.
    # (A token costs a 1,000-round fingerprint: ~24,000 of them a MB.)
    shapes = [
        ("tokens in a quoted _authToken value", '//r.example/:_authToken="', lambda i: fake_token("npm_", i) + " ", '"'),
        ("tokens in an escaped _authToken value", "//r.example/:_authToken=", lambda i: fake_token("npm_", i) + "\\;", ""),
        ("tokens in an interpolated _authToken value", "//r.example/:_authToken=", lambda i: fake_token("npm_", i) + "${X?}", ""),
        ("glpat- glued together", "cache=", lambda i: "glpat-", ""),
    ]
    for label, head, piece_of, tail in shapes:
        times = []
        for size in (1_000_000, 2_000_000):
            path = os.path.join(WORK, f"shape-{abs(zlib.crc32(label.encode()))}-{size}.npmrc")
            if not os.path.exists(path):
                with open(path, "w") as f:
                    f.write(head)
                    n, i = len(head), 0
                    while n < size:
                        p = piece_of(i)
                        f.write(p)
                        n += len(p)
                        i += 1
                    f.write(tail + "\n")
            res = compare([("check", [BIN, "check", "--format", "json", path]), ("cat", ["cat", path])], runs=3, warmup=0)
            times.append(res["check"][0])
        print(f"check: one line of {label}: 1 MB {times[0]:.2f} s, 2 MB {times[1]:.2f} s (×{times[1] / times[0]:.2f}; linear ×2)")
    print("  in-process, stage by stage (cargo bench --bench throughput):")
    subprocess.run(["cargo", "bench", "-q", "--bench", "throughput", "--", big], cwd=ROOT, check=True)


def make_repo(name, files, commits, **env):
    """A synthetic repository from make-repo.sh, built once and kept."""
    path = os.path.join(WORK, name)
    if not os.path.exists(os.path.join(path, ".git")):
        subprocess.run(["rm", "-rf", path], check=True)
        subprocess.run(["bash", MAKE_REPO, str(files), str(commits), path], check=True, env={**os.environ, **env})
    return path


def bench_staged():
    files, commits = int(os.environ.get("FILES", 100_000)), int(os.environ.get("COMMITS", 1000))
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    for label, name, extra in [
        ("one .npmrc staged", f"repo-{files}-{commits}", {}),
        ("nothing staged", f"repo-{files}-{commits}-clean", {"NO_STAGE": "1"}),
    ]:
        repo = make_repo(name, files, commits, **extra)
        print(f"scan --staged, {files} files / {commits} commits, {label} (floor: git diff --cached --name-only)")
        cmds = [
            ("npmrc-guard scan --staged", [BIN, "scan", "--staged"]),
            ("git diff --cached --name-only", ["git", "diff", "--cached", "--name-only"]),
        ]
        peers = os.environ.get("PEERS", "/tmp/peers")
        rip = os.path.join(peers, "bin", "ripsecrets")
        if os.path.exists(rip):
            cmds.append(("ripsecrets --strict-ignore (its hook line)", [rip, "--strict-ignore"]))
        res = compare(cmds, runs=int(os.environ.get("RUNS", 20)), cwd=repo, env=env)
        report(res, "git diff --cached --name-only")


def spread(xs):
    """The spread of a list of times: (min, max)."""
    return min(xs), max(xs)


def compare_pairs(named_cmds, runs, cwd=None, env=None, warmup=1):
    """Like `compare`, and also the spread (min, max) of each command's times."""
    return {
        n: (statistics.median(t), peak, codes, spread(t))
        for n, (t, peak, codes) in timed(named_cmds, runs, cwd, env, warmup).items()
    }


def report_spread(results, floor):
    base = results[floor][0]
    for name, (med, peak, codes, (lo, hi)) in results.items():
        print(
            f"  {name:<44} {med * 1000:9.2f} ms  ×{med / base:5.2f}  "
            f"(spread {lo * 1000:.0f}–{hi * 1000:.0f} ms)  peak {peak / 1024:7.1f} MiB  exit {codes}"
        )
    return results


def bench_history():
    """scan --history against `git rev-list --objects --all`, and a
    10-commit --range against `git rev-list --objects A..B`, on the
    synthetic repositories (FILES x COMMITS, default 20,000 and 100,000
    files x 5,000 commits) and, when REAL_REPO names one (a work tree or a
    bare git directory), a real repository."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    runs = int(os.environ.get("RUNS", 5))
    commits = int(os.environ.get("COMMITS", 5000))
    sizes = [int(f) for f in os.environ.get("FILES", "20000,100000").split(",")]
    ratios = []
    scan = [BIN, "scan", "--history", "--format", "json"]
    rev_list = ["git", "rev-list", "--objects"]
    for files in sizes:
        repo = make_repo(f"hist-{files}-{commits}", files, commits, NO_STAGE="1")
        print(f"scan --history, {files} files / {commits} commits (floor: git rev-list --objects --all)")
        res = report_spread(
            compare_pairs([("npmrc-guard scan --history", scan), ("git rev-list --objects --all", rev_list + ["--all"])], runs, repo, env),
            "git rev-list --objects --all",
        )
        ratios.append((f"history {files}x{commits}", res["npmrc-guard scan --history"], res["git rev-list --objects --all"]))
    # The range case, in the largest repository: the last 10 commits.
    files = max(sizes)
    repo = make_repo(f"hist-{files}-{commits}", files, commits, NO_STAGE="1")
    spec = "HEAD~10..HEAD"
    print(f"scan --range {spec}, {files} files / {commits} commits (floor: git rev-list --objects {spec})")
    res = report_spread(
        compare_pairs([("npmrc-guard scan --range", [*scan, "--range", spec]), (f"git rev-list --objects {spec}", rev_list + [spec])], runs * 2, repo, env),
        f"git rev-list --objects {spec}",
    )
    ratios.append((f"range {spec} {files}x{commits}", res["npmrc-guard scan --range"], res[f"git rev-list --objects {spec}"]))
    real = os.environ.get("REAL_REPO")
    if real:
        # --missing=allow-any: a snapshot that lacks a few blobs (a partial
        # clone) is still listed whole; the guard reads only the blobs at
        # matching paths and fails closed when one of those is missing.
        floor = rev_list + ["--all", "--missing=allow-any"]
        print(f"scan --history, {real} (floor: {' '.join(floor)})")
        res = report_spread(
            compare_pairs([("npmrc-guard scan --history", scan), ("git rev-list --objects --all", floor)], runs, real, env),
            "git rev-list --objects --all",
        )
        ratios.append((f"history {os.path.basename(real.rstrip('/'))}", res["npmrc-guard scan --history"], res["git rev-list --objects --all"]))
    print("summary (median ratio to the floor; peak memory; target <= 1.00x and <= 64 MiB):")
    for label, (med, peak, _, _), (fmed, fpeak, _, _) in ratios:
        ok = med <= fmed and peak <= 64 * 1024
        print(f"  {label:<40} ×{med / fmed:5.2f}  peak {peak / 1024:5.1f} MiB (git {fpeak / 1024:5.1f} MiB)  {'ok' if ok else 'NOT MET'}")


def bench_fix():
    """`fix --save-env` on configs that were quadratic (issue 10): a
    `.yarnrc.yml` with n scoped registries, each with its own token (n
    variables, an env file of n names), and one naming an env file n
    times. Each at n and 2n: linear time doubles. A fix rewrites its file,
    so each run starts from a fresh copy in a fresh repository."""
    shapes = [
        (
            "a .yarnrc.yml with n scoped registries",
            16000,
            lambda n: "npmScopes:\n"
            + "".join(
                f'  s{i}:\n    npmRegistryServer: "https://r{i}.example/"\n    npmAuthToken: "{fake_token("npm_", i)}"\n'
                for i in range(n)
            ),
        ),
        (
            "a .yarnrc.yml naming one env file n times",
            20000,
            lambda n: "injectEnvironmentFiles:\n" + "  - .env\n" * n + f'npmAuthToken: "{fake_token("npm_", 0)}"\n',
        ),
    ]
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    for label, n, make in shapes:
        times = []
        for size in (n, 2 * n):
            src = make(size)
            runs = []
            for r in range(3):
                d = os.path.join(WORK, f"fix-{abs(zlib.crc32(label.encode()))}-{size}-{r}")
                subprocess.run(["rm", "-rf", d], check=True)
                os.makedirs(os.path.join(d, "repo"))
                subprocess.run(["git", "init", "-q"], cwd=os.path.join(d, "repo"), check=True, env=env)
                with open(os.path.join(d, "repo", ".yarnrc.yml"), "w") as f:
                    f.write(src)
                with open(os.path.join(d, "repo", ".env"), "w") as f:
                    f.write("A=1\n")
                t, code = run_once(
                    [BIN, "fix", "--save-env", os.path.join(d, "saved.env"), ".yarnrc.yml"],
                    cwd=os.path.join(d, "repo"),
                    env={**env, "HOME": d},
                )
                if code != 0:
                    sys.exit(f"fix: {label}, n={size}: exit {code}")
                runs.append(t)
                subprocess.run(["rm", "-rf", d], check=True)
            times.append(statistics.median(runs))
        print(
            f"fix --save-env: {label}: n={n} {times[0]:.2f} s, n={2 * n} {times[1]:.2f} s (×{times[1] / times[0]:.2f}; linear ×2)"
        )


def bench_startup():
    size = os.path.getsize(BIN)
    print(f"startup: release binary {size / 1e6:.2f} MB ({size} bytes; LTO, stripped)")
    print("startup: --version (floor: true; git --version for scale)")
    res = compare(
        [("npmrc-guard --version", [BIN, "--version"]), ("git --version", ["git", "--version"]), ("true", ["true"])],
        runs=300,
    )
    report(res, "true")


def main():
    ensure_binary()
    what = sys.argv[1:] or ["check"]
    for w in what:
        {"check": bench_check, "staged": bench_staged, "history": bench_history, "fix": bench_fix, "startup": bench_startup}[w]()


if __name__ == "__main__":
    main()
