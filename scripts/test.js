// `npm test`: the type-check, ESLint and Prettier run beside jest instead of before it, all
// started at once: jest runs one worker per core (jest.config.js), and the checks (about 35-40 s of
// CPU together, measured by `npm run bench -- tests`) end while its suites still run.
// jest's output streams as usual; each check's result is printed (on stderr) when it ends, with
// its output if it failed.
// Arguments go to jest (`npm test -- cli/commands`). Exit code: jest's, or 1 when a check failed.
"use strict";
const { spawn } = require("node:child_process");
const { accessSync, constants, statfsSync } = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.join(__dirname, "..");
// The checks run single-threaded: beside jest, which keeps both cores busy, V8's helper threads
// (parallel garbage collection, background compiles) cost more CPU than they save, about 3-4
// CPU-s of 30 for the type-check and 1-1.5 of 12 for Prettier; the checks still end long before
// jest (docs/decisions/0080).
const checkNodeFlags = ["--single-threaded"];
const checks = [
  // tsc's type-check and ESLint on one TypeScript program (docs/decisions/0025). A larger young
  // generation spares TypeScript's compiler some garbage collection: about 1 s of 20.
  [
    "type-check and eslint",
    process.execPath,
    [...checkNodeFlags, "--max-semi-space-size=64", path.join(__dirname, "typecheck-and-lint.mjs")],
  ],
  // Prettier skips the files whose content it already found formatted (node_modules/.cache).
  [
    "prettier",
    process.execPath,
    [
      ...checkNodeFlags,
      path.join(root, "node_modules", "prettier", "bin", "prettier.cjs"),
      ...["--check", "--cache", "--cache-strategy", "content", "."],
    ],
  ],
];

/**
 * Where jest's processes keep scratch files (TMPDIR): the suites make and delete hundreds of git
 * repositories, project copies and builds, a few MB at a time. On this machine's disk that cost
 * about 10 s of system CPU a run, which memory does not (docs/decisions/0025). So: /dev/shm,
 * when TMPDIR is not set, and /dev/shm is a directory this user can write with 256 MB free
 * (Docker's default is 64 MB). jest's transform cache and Node's compile cache live there too,
 * and stay.
 */
function scratchDir(env = process.env) {
  if (env.TMPDIR) return undefined;
  try {
    accessSync("/dev/shm", constants.W_OK);
    const { bavail, bsize } = statfsSync("/dev/shm");
    return bavail * bsize >= 256 * 1024 * 1024 ? "/dev/shm" : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Node's flags for jest: jest-circus runs every test inside an AsyncLocalStorage (its test
 * context), which on Node 22 turns on async hooks for every promise the suites make. With
 * AsyncContextFrame (Node 24's default) the context travels without them: about 13% less CPU
 * for the suites that run programs (decision 0027). jest's workers inherit the flag; the
 * processes the suites start do not. A Node that no longer knows the flag gets none.
 */
const asyncContextFrame = "--experimental-async-context-frame";
/**
 * And a young generation of up to 64 MB, as the plan runners have (decision 0064): the suites
 * that run programs in-process make as many short-lived promises as a runner does.
 */
const jestNodeFlags = [
  ...(process.allowedNodeEnvironmentFlags.has(asyncContextFrame) ? [asyncContextFrame] : []),
  "--max-semi-space-size=64",
];

/** Runs a command; resolves with its exit code and, when `capture`, its output. */
function run(command, args, capture, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env,
      stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    const chunks = [];
    if (capture) {
      for (const stream of [child.stdout, child.stderr]) {
        stream.setEncoding("utf8");
        stream.on("data", (chunk) => chunks.push(chunk));
      }
    }
    child.on("error", (error) => resolve({ code: 127, output: `${error.message}\n` }));
    child.on("close", (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), output: chunks.join("") }),
    );
  });
}

const seconds = (start) => `${((Date.now() - start) / 1000).toFixed(1)} s`;

async function main() {
  const start = Date.now();
  const timings = [];
  const checked = checks.map(async ([name, command, args]) => {
    const result = await run(command, args, true);
    const verdict = result.code === 0 ? "passed" : `FAILED (exit ${result.code})`;
    timings.push(`${name} ${seconds(start)}`);
    process.stderr.write(
      `\n${name}: ${verdict}, ${seconds(start)}\n${result.code === 0 ? "" : result.output}`,
    );
    return result.code === 0;
  });
  const scratch = scratchDir();
  const jestEnv = scratch ? { ...process.env, TMPDIR: scratch } : process.env;
  const jestArgs = [
    ...jestNodeFlags,
    path.join(root, "node_modules", "jest", "bin", "jest.js"),
    ...process.argv.slice(2),
  ];
  const jest = run(process.execPath, jestArgs, false, jestEnv).then((result) => {
    timings.push(`jest ${seconds(start)}`);
    return result.code;
  });
  const [passed, jestCode] = await Promise.all([Promise.all(checked), jest]);
  const failed = checks.filter((_, index) => !passed[index]).map(([name]) => name);
  // stderr, like the checks' blocks: jest's summary line stays the last line of stdout.
  // Where the scratch files went: on a disk rather than in memory, the suites take about 25 s
  // more system time (docs/testing.md), a difference worth seeing in the figures it explains.
  const scratchNote = scratch
    ? `scratch in ${scratch}`
    : `scratch in ${os.tmpdir()} (TMPDIR set, or /dev/shm missing or under 256 MB free; on a disk about 25 s more system time)`;
  process.stderr.write(
    `npm test: ${failed.length > 0 ? `${failed.join(", ")} failed` : "checks passed"}; ${scratchNote}; finished: ${timings.join(", ")}\n`,
  );
  process.exitCode = jestCode !== 0 ? jestCode : failed.length > 0 ? 1 : 0;
}

// scripts/bench-caches.js reads where the scratch files go.
if (require.main === module) main();

module.exports = { scratchDir };
