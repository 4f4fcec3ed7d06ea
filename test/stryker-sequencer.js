// Stryker's jest runs (stryker.jest.config.js) stop at the first failing suite (bail): run the
// unit suites, which kill most mutants in milliseconds, before the CLI suites that build git
// repositories, instead of jest's slowest-first order.
"use strict";
const Sequencer = require("@jest/test-sequencer").default;

class UnitFirst extends Sequencer {
  sort(tests) {
    // break-glass.test.ts runs the CLI against git fixtures and a fake GitHub server too.
    const slow = (test) =>
      test.path.includes("/cli/commands/") || test.path.endsWith("/cli/promotion/break-glass.test.ts")
        ? 1
        : 0;
    return [...tests].sort((a, b) => slow(a) - slow(b) || a.path.localeCompare(b.path));
  }
}

module.exports = UnitFirst;
