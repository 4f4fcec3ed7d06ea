// Prints the suite's result as one plain closing line ("jest: 120 passed, 0 failed"), which CI
// reads to count the tests that ran.
"use strict";

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed`;
    process.stdout.write(`${line}${skipped > 0 ? `, ${skipped} skipped` : ""}\n`);
  }
}

module.exports = SummaryReporter;
