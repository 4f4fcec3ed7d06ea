// The entry Pulumi runs (Pulumi.yaml `main`): the program of index.ts, compiled. Pulumi then
// loads no TypeScript compiler at all; bin/ensure-built.js rebuilds dist/ first when a source is
// newer, so `pulumi up` never runs stale code (docs/decisions/0001).
"use strict";
require("node:module").enableCompileCache?.();
const path = require("node:path");
const { ensureBuilt } = require("./ensure-built");

module.exports = require(path.join(ensureBuilt(), "index.js"));
