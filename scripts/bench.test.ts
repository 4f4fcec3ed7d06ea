import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";

// Every part of `npm run bench` in its quick mode (one run, smallest sizes; `tests` runs one small
// suite, not npm test): a refactor that breaks the benchmark fails here, not on the day someone
// needs its figures. The figures themselves are not asserted: this machine runs other suites.
const root = path.join(__dirname, "..");

/** Each part, and the heading and row labels its table must show. */
const parts: readonly [string, readonly string[]][] = [
  ["program", ["Program start to last registration", "'acceptance'", "this project (compiled)"]],
  ["render", ["Render (target", "'platform render acceptance'", "'synthetic, 3 apps'"]],
  ["plan", ["platform plan, whole command", "'acceptance'"]],
  ["start", ["The README's main command", "npx platform plan acceptance", "'first run'"]],
  ["tests", ["this tree: jest ran", "lib/values.test.ts", "'passed'"]],
  [
    "scale",
    [
      "platform at scale",
      "load average before",
      "4 apps",
      "'plan acceptance'",
      "'status'",
      "'promote acceptance production'",
      "'gate production (refuses: no records)'",
    ],
  ],
];

// The quick parts measure this tree alone: a BENCH_BASE (or BENCH_TESTS) of an outer
// `npm run bench -- tests`, which runs this suite, must not reach them.
const { BENCH_BASE: _base, BENCH_TESTS: _tests, ...outer } = process.env;

test.each(parts)("npm run bench -- --quick %s exits 0 and prints its table", async (part, labels) => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(root, "scripts", "bench.js"), "--quick", part],
    { cwd: root, env: { ...outer, BENCH_REPEATS: "1" }, maxBuffer: 16 * 1024 * 1024 },
  );
  expect(stdout).toContain(`--quick: smallest sizes, figures not meaningful; parts: ${part}\n`);
  for (const label of labels) expect(stdout).toContain(label);
  // console.table's frame: a table was printed.
  expect(stdout).toMatch(/┌─+┬/);
});

test("an unknown part exits 2 and lists the parts, scale among them", async () => {
  const failure = await promisify(execFile)(
    process.execPath,
    [path.join(root, "scripts", "bench.js"), "speed"],
    {
      cwd: root,
    },
  ).catch((error: { code: number; stderr: string }) => error);
  expect(failure).toMatchObject({ code: 2 });
  expect((failure as { stderr: string }).stderr).toMatch(/^bench: unknown part speed; the parts are:\n/);
  expect((failure as { stderr: string }).stderr).toContain("\n  scale    ");
});
