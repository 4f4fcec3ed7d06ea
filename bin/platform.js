#!/usr/bin/env node
// The `platform` command. It runs the compiled CLI from dist/, which `npm install` builds; when
// a source file is newer than the last build (someone edited an app definition), it rebuilds
// first, so the output never lags behind the code. See docs/decisions/0002-cli-runs-compiled-js.md.
"use strict";
// Node 22 keeps the compiled code of the modules on disk: later starts skip most of the parsing.
require("node:module").enableCompileCache?.();
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const stamp = path.join(root, "dist", ".build-stamp");
const sourceDirs = ["apps", "cli", "environments", "infra"];

function newestSource() {
  let newest = fs.statSync(path.join(root, "index.ts")).mtimeMs;
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const dir of sourceDirs) visit(path.join(root, dir));
  return newest;
}

function builtAt() {
  try {
    return fs.statSync(stamp).mtimeMs;
  } catch {
    return -1;
  }
}

if (builtAt() < newestSource()) {
  const tsc = require.resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" });
  fs.writeFileSync(stamp, "");
}

require(path.join(root, "dist", "cli", "main.js"))
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
