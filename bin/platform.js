#!/usr/bin/env node
// The `platform` command. It runs the compiled CLI from dist/, which `npm install` builds and
// bin/ensure-built.js rebuilds when a source is newer (docs/decisions/0002-cli-runs-compiled-js.md).
"use strict";
// Node 22 keeps the compiled code of the modules on disk: later starts skip most of the parsing.
require("node:module").enableCompileCache?.();
const path = require("node:path");
const { ensureBuilt } = require("./ensure-built");

const dist = ensureBuilt();
require(path.join(dist, "cli", "main.js"))
  .main(process.argv.slice(2))
  .then(async (code) => {
    process.exitCode = code;
    // The plan runners a command started end with it, not after it (writing files meanwhile,
    // their CPU uncounted): loaded only by the commands that run programs.
    const runs = require.cache[require.resolve(path.join(dist, "cli", "program-runs.js"))];
    if (runs) await runs.exports.endIdleRunners();
  });
