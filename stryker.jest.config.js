// jest as npm test runs it, for Stryker (stryker.config.json), with three changes: no global
// setup or teardown (the CLI build and the shared program runs would outlive a mutant, and runs
// shared across mutants would hide it; these suites run the CLI in-process), no custom reporter,
// and only the suites that exercise the gate's files (the heavy program suites would run for
// every mutant Stryker counts as statically covered).
"use strict";
const base = require("./jest.config.js");

const { globalSetup, globalTeardown, reporters, ...rest } = base;
void globalSetup;
void globalTeardown;
void reporters;

module.exports = {
  ...rest,
  // No bail and no test sequencer: Stryker's jest runner sets bail to false and runs every test
  // that covers a mutant, so neither saves time (docs/decisions/0070).
  // Stryker's jest runner wraps the environment and requires it by name, without expanding
  // jest.config.js's `<rootDir>/test/jest-environment.js` (the run failed to start on it); that
  // environment shares plan runners, which none of these suites starts, and the process server,
  // without which the suites start their processes themselves (test/worker-processes.ts).
  testEnvironment: "node",
  // Inside a sandbox every path holds /.stryker-tmp/, which jest.config.js ignores.
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  testMatch: [
    "<rootDir>/cli/promotion/{gate,break-glass,messages,moves}.test.ts",
    "<rootDir>/cli/promotion-scope.test.ts",
    "<rootDir>/cli/verified-records.test.ts",
    "<rootDir>/cli/commands/{gate,record}.test.ts",
    "<rootDir>/cli/stack-file/{read-images,edit-images}.test.ts",
    "<rootDir>/stack-config/{schema,from-file}.test.ts",
    "<rootDir>/apps/manifests/{image-transformer,image-transformer.kustomize,render-yaml}.test.ts",
    "<rootDir>/environments/promotion-policy.test.ts",
    "<rootDir>/bootstrap/config.test.ts",
  ],
};
