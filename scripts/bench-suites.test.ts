import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { throwawayGitConfig, throwawayGitIdentity } from "../test/throwaway-git-config";
import { processOutputSync } from "../test/worker-processes";

// BENCH_TESTS=base (scripts/bench-suites.js): the suites a commit has, as jest path patterns that
// select exactly them in either tree.
interface BenchSuites {
  exactSuitePatterns: (dir: string, files: readonly string[]) => string[];
  failedTests: (report: unknown, dir: string, lines?: number) => string[];
  suitesAt: (root: string, commit: string) => string[];
}
const { exactSuitePatterns, failedTests, suitesAt } = jest.requireActual<BenchSuites>("./bench-suites");

let repo: string;
let first: string;
beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), "platform-bench-suites-"));
  const git = (...args: string[]) =>
    processOutputSync("git", args, {
      cwd: repo,
      env: { ...process.env, ...throwawayGitIdentity },
    }).trim();
  const write = (file: string) => {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), "");
  };
  git("init", "--quiet", "--initial-branch=main");
  appendFileSync(path.join(repo, ".git", "config"), throwawayGitConfig);
  ["index.ts", "index.test.ts", "bootstrap/index.test.ts", "cli/a b.test.ts", "docs/c.test.md"].forEach(
    write,
  );
  git("add", "--all");
  git("commit", "--quiet", "-m", "first");
  first = git("rev-parse", "HEAD");
  write("cli/added-since.test.ts");
  git("add", "--all");
  git("commit", "--quiet", "-m", "second");
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

test("a commit's suites are its *.test.ts files: not other files, nor a suite added since", () => {
  expect(suitesAt(repo, first).sort()).toEqual([
    "bootstrap/index.test.ts",
    "cli/a b.test.ts",
    "index.test.ts",
  ]);
});

test("the patterns select exactly the suites named, as jest matches them (absolute path, any case)", () => {
  const patterns = exactSuitePatterns(repo, ["index.test.ts", "cli/a b.test.ts"]).map(
    (pattern) => new RegExp(pattern, "i"),
  );
  const candidates = [
    "index.test.ts",
    "cli/a b.test.ts",
    "bootstrap/index.test.ts",
    "index.test.ts.orig",
    "indexXtest.ts",
    "cli/a b.test.tsx",
  ];
  const root = realpathSync(repo);
  expect(
    candidates.filter((file) => patterns.some((pattern) => pattern.test(path.join(root, file)))),
  ).toEqual(["index.test.ts", "cli/a b.test.ts"]);
});

test("a directory reached through a symbolic link gets the patterns of its real path, which jest matches", () => {
  const link = path.join(mkdtempSync(path.join(tmpdir(), "platform-bench-link-")), "tree");
  symlinkSync(repo, link, "dir");
  try {
    expect(exactSuitePatterns(link, ["index.test.ts"])).toEqual(exactSuitePatterns(repo, ["index.test.ts"]));
    expect(exactSuitePatterns(link, ["index.test.ts"])[0]).toContain(
      realpathSync(repo).replaceAll(".", "\\."),
    );
  } finally {
    rmSync(path.dirname(link), { recursive: true, force: true });
  }
});

test("a measured npm test that failed names each failed test and its message's first lines", () => {
  // The fields of jest's --json report that a failure shows in.
  const report = {
    testResults: [
      {
        name: "/tree/cli/a.test.ts",
        status: "failed",
        message: "",
        assertionResults: [
          { fullName: "a passes", status: "passed", failureMessages: [] },
          { fullName: "a › fails", status: "failed", failureMessages: ["Error: one\ntwo\nthree"] },
        ],
      },
      {
        name: "/tree/b.test.ts",
        status: "failed",
        message: "Cannot find module 'x'\nstack",
        assertionResults: [],
      },
      { name: "/tree/c.test.ts", status: "passed", message: "", assertionResults: [] },
    ],
  };
  expect(failedTests(report, "/tree", 2)).toEqual([
    "cli/a.test.ts › a › fails\nError: one\ntwo",
    "b.test.ts (did not run)\nCannot find module 'x'\nstack",
  ]);
  expect(failedTests({ testResults: [report.testResults[2]] }, "/tree")).toEqual([]);
});
