// The entry Pulumi runs for the policy pack (PulumiPolicy.yaml `main`): policy/index.ts,
// compiled, rebuilt first when a source is newer (docs/decisions/0001).
"use strict";
require("node:module").enableCompileCache?.();
const path = require("node:path");
const { ensureBuilt } = require("../bin/ensure-built");

module.exports = require(path.join(ensureBuilt(), "policy", "index.js"));
