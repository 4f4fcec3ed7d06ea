// The entry Pulumi runs for the bootstrap project (Pulumi.yaml `main`): bootstrap/index.ts,
// compiled, rebuilt first when a source is newer (docs/decisions/0001).
"use strict";
require("node:module").enableCompileCache?.();
const path = require("node:path");
const { ensureBuilt } = require("../bin/ensure-built");

module.exports = require(path.join(ensureBuilt(), "bootstrap", "index.js"));
