// Keeps dist/ (the compiled program and CLI) in step with the sources: rebuilds it when a source
// file is newer than the last build, so that nothing ever runs code older than what is on disk.
// Used by bin/platform.js and bin/pulumi-program.js; `node bin/ensure-built.js` builds if needed.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const dist = path.join(root, "dist");
const stamp = path.join(dist, ".build-stamp");
// Every folder tsconfig.build.json compiles into dist/ (policy/ too: policy/program.js runs dist/policy).
const sourceDirs = [
  "apps",
  "bootstrap",
  "cli",
  "engine",
  "environments",
  "infra",
  "lib",
  "policy",
  "stack-config",
];

function newestSource() {
  let newest = fs.statSync(path.join(root, "index.ts")).mtimeMs;
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const dir of sourceDirs) if (fs.existsSync(path.join(root, dir))) visit(path.join(root, dir));
  return newest;
}

function builtAt() {
  try {
    return fs.statSync(stamp).mtimeMs;
  } catch {
    return -1;
  }
}

/** Builds dist/ when it is missing or older than a source; returns its path. */
function ensureBuilt() {
  if (builtAt() < newestSource()) {
    const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
    // Build output goes to stderr: stdout may be a command's result (render, plan --json).
    execFileSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], {
      stdio: ["ignore", 2, 2],
    });
    fs.writeFileSync(stamp, "");
  }
  return dist;
}

module.exports = { ensureBuilt };

if (require.main === module) ensureBuilt();
