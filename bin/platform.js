#!/usr/bin/env node
// The `platform` command. It runs the compiled CLI from dist/, which `npm install` builds and
// bin/ensure-built.js rebuilds when a source is newer (docs/decisions/0002-cli-runs-compiled-js.md).
"use strict";
// Node 22 keeps the compiled code of the modules on disk: later starts skip most of the parsing.
require("node:module").enableCompileCache?.();
const path = require("node:path");
const { ensureBuilt, BuildError } = require("./ensure-built");

let dist;
try {
  dist = ensureBuilt();
} catch (error) {
  // A source that does not compile (an edit of index.ts, say): one line, exit 2, as cli/main.ts.
  if (!(error instanceof BuildError)) throw error;
  process.stderr.write(`error: ${error.message}
`);
  process.exitCode = 2;
}
let cli;
if (dist !== undefined) {
  try {
    cli = require(path.join(dist, "cli", "main.js"));
  } catch (error) {
    // The catalog refuses itself as it loads (an app whose name is not its key,
    // apps/catalog-check.ts): its problems, exit 2, as for any bad input.
    if (error?.name !== "CatalogError") throw error;
    process.stderr.write(`error: ${error.message}
`);
    process.exitCode = 2;
  }
}
if (cli !== undefined) {
  cli.main(process.argv.slice(2)).then(async (code) => {
    process.exitCode = code;
    // The plan runners a command started end with it, not after it (writing files meanwhile,
    // their CPU uncounted): loaded only by the commands that run programs.
    const runs = require.cache[require.resolve(path.join(dist, "cli", "program-runs.js"))];
    if (runs) await runs.exports.endIdleRunners();
  });
}
