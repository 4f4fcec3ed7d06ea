import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";

// Every part of `npm run bench` in its quick mode (one run, smallest sizes; `tests` runs one small
// suite, not npm test): a refactor that breaks the benchmark fails here, not on the day someone
// needs its figures. The figures themselves are not asserted: this machine runs other suites.
// One bench process runs every part, as `npm run bench` does: one build check, and the one run
// of `platform plan acceptance` that plan and start's direct column share (start's first run is
// the README's command with --help, scale plans no copy: docs/decisions/0075).
const root = path.join(__dirname, "..");

/** Each part, and the heading and row labels its table must show. */
const parts: readonly [string, readonly string[]][] = [
  ["program", ["Program start to last registration", "'acceptance'", "this project (compiled)"]],
  ["render", ["Render (target", "'platform render acceptance'", "'synthetic, 3 apps'"]],
  ["plan", ["platform plan, whole command", "'acceptance'"]],
  ["start", ["The README's main command", "npx platform plan acceptance", "'warm'", "'first run'"]],
  ["tests", ["this tree: jest ran", "lib/values.test.ts", "'passed'"]],
  [
    "scale",
    [
      "platform at scale",
      "load average before",
      "4 apps, 3 environments",
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

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const bench = (args: string[], env: NodeJS.ProcessEnv = outer): Promise<Run> =>
  promisify(execFile)(process.execPath, [path.join(root, "scripts", "bench.js"), ...args], {
    cwd: root,
    env,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: Run) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

let quick: Promise<Run>;
beforeAll(() => {
  quick = bench(["--quick", ...parts.map(([part]) => part)], { ...outer, BENCH_REPEATS: "1" });
});

/** What bench.js printed under the part's heading (`## <part>: <what it measures>`). */
const section = (stdout: string, part: string): string | undefined =>
  stdout.split(/^## /m).find((chunk) => chunk.startsWith(`${part}: `));

test("npm run bench -- --quick <every part> exits 0, each part under its heading, in order", async () => {
  const { code, stdout, stderr } = await quick;
  // On a failure, jest shows what bench printed on stderr.
  expect(code === 0 ? "exit 0" : `exit ${code}:\n${stderr}`).toBe("exit 0");
  expect(stdout).toContain(
    `--quick: smallest sizes, figures not meaningful; parts: ${parts.map(([part]) => part).join(", ")}\n`,
  );
  expect([...stdout.matchAll(/^## (\w+): /gm)].map((match) => match[1])).toEqual(parts.map(([part]) => part));
});

test.each(parts)("npm run bench -- --quick %s runs and prints its table", async (part, labels) => {
  const { stdout, stderr } = await quick;
  // A part that throws is reported on stderr and the others run on: its error, shown here.
  const failure = stderr
    .split(/^(?=bench: part )/m)
    .find((chunk) => chunk.startsWith(`bench: part ${part} `));
  expect(failure).toBeUndefined();
  const printed = section(stdout, part);
  expect(printed).toBeDefined();
  for (const label of labels) expect(printed).toContain(label);
  // console.table's frame: a table was printed.
  expect(printed).toMatch(/┌─+┬/);
});

test("an unknown part exits 2 and lists the parts, scale among them", async () => {
  const failure = await bench(["speed"]);
  expect(failure).toMatchObject({ code: 2 });
  expect(failure.stderr).toMatch(/^bench: unknown part speed; the parts are:\n/);
  expect(failure.stderr).toContain("\n  scale    ");
});

test("BENCH_TESTS=base without BENCH_BASE: the tests part fails saying what to set, before it measures anything", async () => {
  const failure = await bench(["--quick", "tests"], { ...outer, BENCH_TESTS: "base" });
  expect(failure.code).toBe(1);
  expect(failure.stderr).toMatch(
    /^bench: part tests failed: Error: BENCH_TESTS=base runs the suites of BENCH_BASE: set BENCH_BASE=<git ref> too\n/,
  );
  // Only its heading: no jest run, no table.
  expect(section(failure.stdout, "tests")).toMatch(/^tests: npm test and its checks alone[^\n]*\n+$/);
});
