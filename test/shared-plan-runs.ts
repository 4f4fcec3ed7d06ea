import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type * as ProgramRuns from "../cli/program-runs";
import type { runPlan as RunPlan } from "../cli/program-runs";
import { decodeRun, encodeRun, sharedRunsVariable } from "./program";
import { workerRunPlan } from "./worker-plan-runs";

// The CLI's plans, shared across the suites of one jest invocation (docs/decisions/0063), as
// test/program.ts shares the in-process runs of index.ts. A plan is a pure function of the
// program's files and the request: the world (what exists outside) travels in the request or
// is derived from the project's files; the program reads no environment and no file outside
// its package. `platform diff` plans the same base in most of its tests, and fingerprint and
// plan plan copies identical to it.

/**
 * What a plan can depend on beside the request: every file of the program's package, its tests
 * and docs too (cheaper to hash than to tell apart), but not what is derived or not its own:
 * node_modules (a link to this checkout's, shared by every run), the built dist/, .git.
 */
const notProjectFiles = new Set(["node_modules", "dist", ".git", ".stryker-tmp", "reports", "test-output"]);

function hashTree(hash: ReturnType<typeof createHash>, dir: string, relative: string): void {
  const entries = readdirSync(path.join(dir, relative), { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    const file = path.join(relative, entry.name);
    if (entry.isDirectory()) {
      if (!notProjectFiles.has(entry.name)) hashTree(hash, dir, file);
    } else if (entry.isFile()) {
      hash
        .update(`${file}\0`)
        .update(readFileSync(path.join(dir, file)))
        .update("\0");
    } else if (entry.isSymbolicLink() && !notProjectFiles.has(entry.name)) {
      hash.update(`${file} -> \0`);
    }
  }
}

/**
 * The package a program belongs to: the nearest directory up from `dir` with a package.json. A
 * program may read beyond its own directory there (bootstrap/ runs ../dist and reads
 * ../.github/required-checks.json).
 */
function packageOf(dir: string): string {
  for (let current = dir; ; current = path.dirname(current)) {
    if (existsSync(path.join(current, "package.json"))) return current;
    if (path.dirname(current) === current) return dir;
  }
}

/**
 * The key of a plan: the files of the program's package, where in it the program is, and every
 * field of the request but its time limit.
 */
export function planKey(request: Parameters<typeof RunPlan>[0]): string {
  const hash = createHash("sha256");
  const projectPackage = packageOf(request.dir);
  hashTree(hash, projectPackage, "");
  const { dir, timeoutSeconds: _timeout, ...rest } = request;
  hash.update(
    JSON.stringify({
      ...rest,
      dir: path.relative(projectPackage, dir),
      world: rest.world ?? null,
      preview: rest.preview ?? false,
    }),
  );
  return hash.digest("hex");
}

/**
 * `runPlan`, its successful plans shared through the directory of shared runs. A plan that fails
 * is never kept: each test that expects a failure sees its own run fail.
 */
export function sharedRunPlan(runPlan: typeof RunPlan): typeof RunPlan {
  return async (request) => {
    const shared = process.env[sharedRunsVariable];
    if (!shared || !existsSync(request.dir)) return runPlan(request);
    const file = path.join(shared, `plan-${planKey(request)}.json`);
    if (existsSync(file)) return decodeRun(readFileSync(file, "utf8"));
    const run = await runPlan(request);
    // Another worker may write the same plan at the same time: each writes whole, then renames.
    writeFileSync(`${file}.${process.pid}`, encodeRun(run));
    renameSync(`${file}.${process.pid}`, file);
    return run;
  };
}

/**
 * cli/program-runs as the suites get it (test/share-plans.setup.ts): `runPlan` through the plan
 * runners of the jest worker (test/worker-plan-runs.ts), its successful plans shared.
 */
export function sharedProgramRuns(actual: typeof ProgramRuns): typeof ProgramRuns {
  return { ...actual, runPlan: sharedRunPlan(workerRunPlan(actual.runPlan)) };
}
