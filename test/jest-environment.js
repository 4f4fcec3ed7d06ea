// The environment of every suite: jest's Node environment, plus the plan runners of this jest
// worker (docs/decisions/0066). jest gives each suite its own copy of every module, so each
// suite's cli/program-runs kept its own runners and started fresh ones: about 1.5 CPU-s each
// (Node, @pulumi/pulumi, the SDKs and a first program run with nothing compiled yet). This
// module is loaded by Node, once per worker, so the copy of the compiled program-runs it loads
// serves every suite the worker runs, and its idle runners serve the next suite's plans.
"use strict";
const { existsSync } = require("node:fs");
const path = require("node:path");
const { TestEnvironment } = require("jest-environment-node");

// Built by test/global-setup.js before the workers start; absent where no build ran (a Stryker
// sandbox), and then each suite keeps its own runners.
const compiled = path.join(__dirname, "..", "dist", "cli", "program-runs.js");
let programRuns;

class PlatformEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    if (programRuns === undefined && existsSync(compiled)) {
      programRuns = require(compiled);
      // Idle runners wait for the worker's next suite, not a minute: they end with the worker.
      programRuns.keepIdleRunners();
      // When the worker has run its last suite, it ends its runners and waits for them: none
      // outlives the test run, and their CPU counts as its own (/usr/bin/time, npm run bench).
      process.once("beforeExit", () => void programRuns.endIdleRunners());
    }
    if (programRuns !== undefined) this.global.platformWorkerRunPlan = programRuns.runPlan;
  }
}

module.exports = PlatformEnvironment;
