// Which suites `npm run bench -- tests` has jest run: with BENCH_TESTS=base, the suites the base
// commit (BENCH_BASE) has, in both trees, so that "before" and "after" run the same suites and the
// suites added since are left out (what the same work costs now). jest takes path patterns:
// regular expressions, matched case-insensitively against each suite's absolute path, so a bare
// `index.test.ts` would also pick `bootstrap/index.test.ts`; these patterns are anchored.
"use strict";
const { execFileSync } = require("node:child_process");
const { realpathSync } = require("node:fs");
const path = require("node:path");

/** The suites of `commit` in the repository at `root`: its files jest.config's testMatch takes (`**\/*.test.ts`). */
function suitesAt(root, commit) {
  return execFileSync("git", ["ls-tree", "-r", "-z", "--name-only", commit], { cwd: root, encoding: "utf8" })
    .split("\0")
    .filter((file) => file.endsWith(".test.ts"));
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * jest path patterns that select exactly `files` (relative to `dir`), and nothing else, in `dir`:
 * each file's absolute path, escaped and anchored. jest resolves its root's symbolic links, so the
 * patterns name the real directory.
 */
function exactSuitePatterns(dir, files) {
  const real = realpathSync(dir);
  return files.map((file) => `^${escapeRegExp(path.join(real, file))}$`);
}

/**
 * What failed in a jest JSON report (`--json`), one entry per failed test: its suite (relative to
 * `dir`) › its full name, then the first `lines` lines of its messages; a suite that failed without
 * a failed test (it did not load) with its own message.
 */
function failedTests(report, dir, lines = 8) {
  const head = (message) => message.split("\n").slice(0, lines).join("\n");
  return report.testResults.flatMap((suite) => {
    const file = path.relative(dir, suite.name);
    const failed = suite.assertionResults.filter((test) => test.status === "failed");
    if (failed.length > 0) {
      return failed.map((test) => `${file} › ${test.fullName}\n${head(test.failureMessages.join("\n"))}`);
    }
    return suite.status === "failed" ? [`${file} (did not run)\n${head(suite.message)}`] : [];
  });
}

module.exports = { exactSuitePatterns, failedTests, suitesAt };
