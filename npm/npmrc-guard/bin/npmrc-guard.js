#!/usr/bin/env node
// The npmrc-guard launcher: runs the native binary that npm installed from
// this machine's platform package (@npmrc-guard/<platform>, an optional
// dependency), with the arguments and standard streams passed through
// unchanged; forwards signals; exits with the binary's status, or dies of
// the signal that killed it. No dependencies: only node's own modules.
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const platforms = require("../lib/platforms.json");

const FROM_SOURCE = "cargo install --locked npmrc-guard";

// One line on standard error, exit 2: the tool could not do its job.
function fail(message) {
  process.stderr.write(`npmrc-guard: ${message}\n`);
  process.exit(2);
}

// "glibc" or "musl" on Linux (node reports the glibc it runs on, and none
// on musl), null elsewhere.
function libc() {
  if (process.platform !== "linux") return null;
  try {
    return process.report.getReport().header.glibcVersionRuntime ? "glibc" : "musl";
  } catch {
    return "glibc";
  }
}

// The platform packages that can run here, best first: on glibc Linux the
// static musl build runs too, so it is the fallback.
function candidates() {
  const here = libc();
  const fits = (p) =>
    p.os === process.platform &&
    p.cpu === process.arch &&
    (here === null || p.libc === here || (here === "glibc" && p.libc === "musl"));
  return Object.keys(platforms)
    .filter((key) => fits(platforms[key]))
    .sort((a, b) => (platforms[b].libc === here) - (platforms[a].libc === here));
}

function binary() {
  const keys = candidates();
  const known = Object.keys(platforms).join(", ");
  if (keys.length === 0) {
    const here = [process.platform, process.arch, libc()].filter(Boolean).join("-");
    fail(
      `no prebuilt binary for this platform (${here}); there are: ${known}. ` +
        `Install it from source instead: ${FROM_SOURCE}`,
    );
  }
  const exe = process.platform === "win32" ? "npmrc-guard.exe" : "npmrc-guard";
  for (const key of keys) {
    let manifest;
    try {
      manifest = require.resolve(`@npmrc-guard/${key}/package.json`);
    } catch {
      continue;
    }
    const file = path.join(path.dirname(manifest), "bin", exe);
    if (fs.existsSync(file)) return file;
  }
  fail(
    `the package @npmrc-guard/${keys[0]}, which holds the binary for this platform, ` +
      `is not installed (npm leaves it out with --omit=optional or --no-optional). ` +
      `Install again with optional dependencies (npm install), or from source: ${FROM_SOURCE}. ` +
      `Prebuilt platforms: ${known}`,
  );
}

// SIGUSR1 is node's debugger signal; SIGKILL and SIGSTOP cannot be caught.
const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR2"];

function main() {
  const file = binary();
  // Listening before the binary starts: from its first output on, a signal
  // sent to the launcher reaches it.
  let child = null;
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  child = spawn(file, process.argv.slice(2), { stdio: "inherit" });
  child.on("error", (err) => fail(`cannot run ${file}: ${err.message}`));
  child.on("exit", (code, signal) => {
    for (const s of FORWARDED) process.removeListener(s, forward);
    if (signal) {
      // Die of the same signal, so the caller sees what the binary saw; if
      // node survives it, the shell's convention 128 + n.
      try {
        process.kill(process.pid, signal);
      } catch {
        // fall through
      }
      process.exit(128 + (os.constants.signals[signal] || 0));
    }
    process.exit(code === null ? 2 : code);
  });
}

main();
