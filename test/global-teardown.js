// After the suites: removes the directory of shared runs test/global-setup.js made.
"use strict";
const { rmSync } = require("node:fs");

module.exports = () => {
  const shared = process.env.PLATFORM_TEST_SHARED_RUNS;
  if (shared) rmSync(shared, { recursive: true, force: true });
};
