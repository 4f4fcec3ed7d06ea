// Before the suites: builds dist/ once (the CLI's end-to-end tests run `bin/platform.js`, which
// runs the compiled code, and parallel suites must not each rebuild it at the same time), and
// gives every Node process the tests start (the plan runners, the CLI) Node's compile cache, as
// bin/platform.js gives it the CLI: the dozens of program runs then parse @pulumi/pulumi and
// TypeScript (which it loads) once, not each time. Set here, before jest starts its workers, so
// that they and their children inherit it. It also makes the directory where the suites share
// their runs of index.ts (test/program.ts, runStack); test/global-teardown.js removes it.
"use strict";
const { execFileSync } = require("node:child_process");
const { mkdtempSync } = require("node:fs");
const { tmpdir } = require("node:os");
const path = require("node:path");

module.exports = () => {
  process.env.NODE_COMPILE_CACHE ??= path.join(tmpdir(), "node-compile-cache");
  process.env.PLATFORM_TEST_SHARED_RUNS = mkdtempSync(path.join(tmpdir(), "platform-test-runs-"));
  execFileSync(process.execPath, [path.join(__dirname, "..", "bin", "platform.js"), "--help"], {
    stdio: "ignore",
  });
};
