const swc = [
  "@swc/jest",
  { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } },
];

/** Tests sit beside the code; swc strips the types (tsc checks them separately). */
module.exports = {
  // Node's, with the plan runners of each jest worker shared by its suites (decision 0066).
  testEnvironment: "<rootDir>/test/jest-environment.js",
  roots: ["<rootDir>"],
  testMatch: ["**/*.test.ts"],
  // .stryker-tmp: the sandboxes of a mutation run (npm run mutation), copies of the project.
  testPathIgnorePatterns: ["/node_modules/", "/dist/", "/.stryker-tmp/"],
  modulePathIgnorePatterns: ["<rootDir>/.stryker-tmp/"],
  transform: {
    "^.+\\.ts$": swc,
    // Octokit ships ES modules only; Node 22 loads them with require(), jest needs them compiled.
    "^.+\\.js$": swc,
  },
  transformIgnorePatterns: [
    "/node_modules/(?!(@octokit|universal-user-agent|before-after-hook|json-with-bigint|content-type|fast-content-type-parse)/)",
  ],
  // A guard against a hung test, not a speed check: no test may fail for being slow on a busy
  // machine (a `diff` test, four program runs, took 15 s with other work on this 2-core machine;
  // one once failed the former 30 s limit). The CLI's own limits (PLATFORM_PLAN_TIMEOUT_SECONDS,
  // PLATFORM_PULUMI_TIMEOUT_SECONDS) stop a hung child.
  testTimeout: 300000,
  // One worker per core, not jest's default of one less: the CLI suites wait on the programs and
  // git they start, and npm test's checks beside jest end early (`npm run bench -- tests`).
  maxWorkers: "100%",
  // The CLI's successful plans shared across the suites (decision 0063).
  setupFiles: ["<rootDir>/test/share-plans.setup.ts", "<rootDir>/test/worker-processes.setup.ts"],
  globalSetup: "<rootDir>/test/global-setup.js",
  globalTeardown: "<rootDir>/test/global-teardown.js",
  reporters: ["default", "<rootDir>/test/summary-reporter.js"],
};
