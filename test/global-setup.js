// Builds dist/ once before the suites: the CLI's end-to-end tests run `bin/platform.js`, which
// runs the compiled code, and parallel suites must not each rebuild it at the same time.
"use strict";
const { execFileSync } = require("node:child_process");
const path = require("node:path");

module.exports = () => {
  execFileSync(process.execPath, [path.join(__dirname, "..", "bin", "platform.js"), "--help"], {
    stdio: "ignore",
  });
};
