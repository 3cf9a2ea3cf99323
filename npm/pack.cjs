#!/usr/bin/env node
// Builds the npm packages into a folder of .tgz files (`npm pack`): the
// `npmrc-guard` launcher package and one @npmrc-guard/<platform> package per
// binary given. Every version is the one in Cargo.toml.
//
//   node npm/pack.cjs [--out DIR] [--binary PLATFORM=FILE]...
//
// Without --binary: `cargo build --release --locked`, and the release binary
// for this machine's platform (here, linux-x64-gnu). The release workflow
// passes one --binary per platform. DIR defaults to target/npm. No
// dependencies: only node's own modules and npm.
"use strict";

const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const NPM = __dirname;
const ROOT = path.dirname(NPM);
const platforms = require("./npmrc-guard/lib/platforms.json");

function die(message) {
  process.stderr.write(`pack: ${message}\n`);
  process.exit(2);
}

// The [package] version of Cargo.toml.
function cargoVersion() {
  const toml = fs.readFileSync(path.join(ROOT, "Cargo.toml"), "utf8");
  const section = toml.split(/^\[/m).find((s) => s.startsWith("package]"));
  const m = section && section.match(/^version\s*=\s*"([^"]+)"\s*$/m);
  if (!m) die("no version in the [package] section of Cargo.toml");
  return m[1];
}

// This machine's platform key, or null.
function hostPlatform() {
  let libc;
  if (process.platform === "linux") {
    libc = process.report.getReport().header.glibcVersionRuntime ? "glibc" : "musl";
  }
  const key = Object.keys(platforms).find((k) => {
    const p = platforms[k];
    return p.os === process.platform && p.cpu === process.arch && p.libc === libc;
  });
  return key || null;
}

function parseArgs(argv) {
  const args = { out: path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, "target"), "npm"), binaries: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) die(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--out") args.out = path.resolve(value());
    else if (a === "--binary") {
      const v = value();
      const eq = v.indexOf("=");
      const key = v.slice(0, eq);
      if (eq < 1 || !platforms[key]) {
        die(`--binary wants PLATFORM=FILE with PLATFORM one of: ${Object.keys(platforms).join(", ")}`);
      }
      args.binaries[key] = path.resolve(v.slice(eq + 1));
    } else if (a === "-h" || a === "--help") {
      process.stdout.write("usage: node npm/pack.cjs [--out DIR] [--binary PLATFORM=FILE]...\n");
      process.exit(0);
    } else die(`unknown argument ${JSON.stringify(a)}`);
  }
  return args;
}

// `package.json` of `dir` with its version, and the versions of its
// optional dependencies, set to `version`.
function stamp(dir, version) {
  const file = path.join(dir, "package.json");
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  pkg.version = version;
  for (const dep of Object.keys(pkg.optionalDependencies || {})) {
    pkg.optionalDependencies[dep] = version;
  }
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
}

// `npm pack` of `dir` into `out`; the file it wrote.
function pack(dir, out) {
  const json = execFileSync("npm", ["pack", "--json", "--pack-destination", out], {
    cwd: dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return path.join(out, JSON.parse(json)[0].filename);
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const version = cargoVersion();
  if (Object.keys(args.binaries).length === 0) {
    const key = hostPlatform();
    if (!key) die(`no npm platform package for ${process.platform}-${process.arch}`);
    execFileSync("cargo", ["build", "--release", "--locked"], { cwd: ROOT, stdio: "inherit" });
    const target = process.env.CARGO_TARGET_DIR || path.join(ROOT, "target");
    args.binaries[key] = path.join(target, "release", "npmrc-guard");
  }
  for (const binary of Object.values(args.binaries)) {
    if (!fs.statSync(binary, { throwIfNoEntry: false })?.isFile()) die(`no binary at ${binary}`);
  }
  fs.mkdirSync(args.out, { recursive: true });
  const staging = fs.mkdtempSync(path.join(args.out, ".staging-"));
  const made = [];
  try {
    for (const [key, binary] of Object.entries(args.binaries)) {
      const dir = path.join(staging, key);
      fs.cpSync(path.join(NPM, "@npmrc-guard", key), dir, { recursive: true });
      stamp(dir, version);
      const exe = platforms[key].os === "win32" ? "npmrc-guard.exe" : "npmrc-guard";
      fs.mkdirSync(path.join(dir, "bin"));
      fs.copyFileSync(binary, path.join(dir, "bin", exe));
      fs.chmodSync(path.join(dir, "bin", exe), 0o755);
      made.push(pack(dir, args.out));
    }
    const dir = path.join(staging, "npmrc-guard");
    fs.cpSync(path.join(NPM, "npmrc-guard"), dir, { recursive: true });
    stamp(dir, version);
    made.push(pack(dir, args.out));
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  for (const file of made) process.stdout.write(`${file}\n`);
}

main();
