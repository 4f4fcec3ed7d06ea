#!/usr/bin/env node
// The `platform` command. It runs the compiled CLI from dist/, which `npm install` builds and
// bin/ensure-built.js rebuilds when a source is newer (docs/decisions/0002-cli-runs-compiled-js.md).
"use strict";
// Node 22 keeps the compiled code of the modules on disk: later starts skip most of the parsing.
require("node:module").enableCompileCache?.();
const path = require("node:path");
const { ensureBuilt } = require("./ensure-built");

require(path.join(ensureBuilt(), "cli", "main.js"))
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
