// The benchmark: measures, side by side in one run, what this project does against the way it
// replaces. `npm run bench` runs every part; `npm run bench -- start tests` runs the parts named.
// Figures vary on a shared machine: compare the columns of one run, not runs of different days,
// and prefer the CPU column (user + system, children included) when the machine is busy. Each
// figure is the median of several runs (BENCH_REPEATS, default 5), the test suite's of one.
// `--quick` runs each part once at its smallest size (scripts/bench.test.ts runs every part so in
// npm test, so that a refactor that breaks the benchmark fails CI); its figures mean nothing.
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const { mkdtempSync, mkdirSync, writeFileSync, existsSync, readFileSync, rmSync } = require("node:fs");
const { loadavg, tmpdir } = require("node:os");
const path = require("node:path");
const { scaleProject } = require("./bench-scale");
const { emptyCaches } = require("./bench-caches");
const { exactSuitePatterns, failedTests, suitesAt } = require("./bench-suites");

const root = path.join(__dirname, "..");
const node = process.execPath;
const quick = process.argv.includes("--quick");
const stacks = quick ? ["acceptance"] : ["acceptance", "production"];
const repeats = Number(process.env.BENCH_REPEATS ?? (quick ? 1 : 5));
const time = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

const parts = {
  program: "the program's start-up under the mock engine, compiled against ts-node (about 1 min)",
  render: "platform render against kubectl kustomize (about 30 s)",
  plan: "platform plan per environment (about 15 s)",
  start: "the README's main command against node bin/platform.js, warm and first run (about 1 min)",
  tests:
    "npm test and its checks alone, jest per suite (1-2 min; BENCH_BASE=<git ref> measures that commit first, BENCH_TESTS=base runs only its suites in both)",
  scale:
    "render, plan, status, promote and gate in project copies of 3, 100 and 300 apps, and 100 apps in 5 environments, side by side (about 3 min; BENCH_BASE=<git ref> measures that commit too)",
  mutation:
    "Stryker over the gate's files (stryker.config.json; 20-40 min on 2 cores, only when named; npm run mutation -- --mutate <file> for one file)",
};

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One run of a command: wall and CPU seconds (user + system, children included) and peak MB. */
function runOnce(command, args, options = {}, check = true) {
  if (!time) {
    const start = process.hrtime.bigint();
    spawnSync(command, args, { cwd: root, stdio: "ignore", ...options });
    return { seconds: Number(process.hrtime.bigint() - start) / 1e9, cpu: NaN, mb: NaN };
  }
  const result = spawnSync(time, ["-f", "%e %U %S %M", command, ...args], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
    ...options,
  });
  const last = result.stderr.trim().split("\n").pop();
  const [wall, user, system, kilobytes] = last.split(" ").map(Number);
  if (check && result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr}`);
  return { seconds: wall, cpu: user + system, mb: kilobytes / 1024, status: result.status };
}

const summarize = (runs) => ({
  seconds: median(runs.map((r) => r.seconds)),
  cpu: median(runs.map((r) => r.cpu)),
  mb: Math.round(median(runs.map((r) => r.mb))),
});

/** Wall seconds and peak memory (MB) of a command, median of `repeats` runs. */
function measureCommand(command, args, options = {}) {
  return summarize(Array.from({ length: repeats }, () => runOnce(command, args, options)));
}

/** A script of ours that reports its own time and memory as JSON, median of `repeats` runs. */
function measureScript(script, args) {
  const runs = [];
  for (let run = 0; run < repeats; run += 1) {
    const output = execFileSync(node, [path.join(__dirname, script), ...args], {
      cwd: root,
      encoding: "utf8",
    });
    runs.push(JSON.parse(output.trim().split("\n").pop()));
  }
  return {
    seconds: median(runs.map((r) => r.seconds)),
    mb: Math.round(median(runs.map((r) => r.maxRssMb))),
    resources: runs[0].resources,
  };
}

/** A kustomize overlay of `count` apps (Deployment + Service each, an images: entry per app). */
function kustomizeOverlay(count) {
  const dir = mkdtempSync(path.join(tmpdir(), `bench-kustomize-${count}-`));
  mkdirSync(path.join(dir, "base"));
  const names = Array.from({ length: count }, (_, index) => `app-${String(index + 1).padStart(3, "0")}`);
  for (const name of names) {
    writeFileSync(
      path.join(dir, "base", `${name}.yaml`),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name} }\nspec:\n  replicas: 2\n  selector: { matchLabels: { app: ${name} } }\n  template:\n    metadata: { labels: { app: ${name} } }\n    spec:\n      containers:\n        - name: ${name}\n          image: ${name}\n          ports: [{ containerPort: 8080 }]\n---\napiVersion: v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  selector: { app: ${name} }\n  ports: [{ port: 80, targetPort: 8080 }]\n`,
    );
  }
  writeFileSync(
    path.join(dir, "base", "kustomization.yaml"),
    `resources:\n${names.map((n) => `  - ${n}.yaml\n`).join("")}`,
  );
  writeFileSync(
    path.join(dir, "kustomization.yaml"),
    `resources: [base]\nimages:\n${names.map((n, i) => `  - name: ${n}\n    newName: registry.example.com/${n}\n    newTag: "1.0.0"\n    digest: sha256:${(i + 1).toString(16).padStart(64, "0")}\n`).join("")}`,
  );
  return dir;
}

/** Fails unless the module at `file` (from the root) exports each of `names` as a function. */
function checkExports(file, names) {
  const loaded = require(path.join(root, file));
  const missing = names.filter((name) => typeof loaded[name] !== "function");
  if (missing.length > 0) throw new Error(`bench: ${file} no longer exports ${missing.join(", ")}`);
}

const cell = (m) => `${m.seconds.toFixed(2)} s / ${m.mb} MB`;
const timing = (m) => `${m.seconds.toFixed(2)} s (cpu ${m.cpu.toFixed(2)} s)`;

function benchProgram() {
  const rows = stacks.map((stack) => {
    const project = measureScript("bench-program.js", [stack, "project"]);
    // Quick: not the 10 s of type-checking; the loader it uses is there.
    const pulumiDefault = quick ? undefined : measureScript("bench-program.js", [stack, "default"]);
    if (quick) checkExports(path.join("dist", "engine", "typescript-loader.js"), ["registerTypeScript"]);
    return {
      stack,
      resources: project.resources,
      "this project (compiled)": cell(project),
      "Pulumi default (type-check)": pulumiDefault ? cell(pulumiDefault) : "not run (--quick)",
      speedup: pulumiDefault ? `${(pulumiDefault.seconds / project.seconds).toFixed(1)}x` : "",
    };
  });
  console.log(
    "\nProgram start to last registration under the mock engine (target: <= 1.5 s, <= 250 MB, >= 5x)",
  );
  console.table(rows);
}

function benchRender() {
  const hasKubectl = spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status === 0;
  const rows = [];
  for (const stack of stacks) {
    rows.push({
      what: `platform render ${stack}`,
      "platform render": cell(measureCommand(node, ["bin/platform.js", "render", stack])),
      "kustomize build": "",
    });
  }
  for (const count of quick ? [3] : [3, 100, 300]) {
    const ours = measureCommand(node, ["scripts/bench-render.js", String(count)]);
    const overlay = hasKubectl ? kustomizeOverlay(count) : undefined;
    const theirs = overlay ? measureCommand("kubectl", ["kustomize", overlay]) : undefined;
    if (overlay) rmSync(overlay, { recursive: true, force: true });
    rows.push({
      what: `synthetic, ${count} apps`,
      "platform render": cell(ours),
      "kustomize build": theirs ? cell(theirs) : "n/a (kubectl not installed)",
      ratio: theirs ? `${(theirs.seconds / ours.seconds).toFixed(1)}x` : "",
    });
  }
  console.log("\nRender (target: no slower than kustomize at 3 apps, >= 5x faster at 100, linear)");
  console.log(
    "platform render prints ~13 objects per app (workloads, policies, PDB, HPA...); the kustomize overlay 2.",
  );
  console.table(rows);
}

/**
 * The arguments of `platform plan <stack>`, one list for the plan part and scale's copies: quick
 * scale plans no copy, and the plan part's run checks the arguments for both.
 */
const planArgs = (stack) => ["plan", stack];

function benchPlan() {
  const rows = stacks.map((stack) => ({
    stack,
    // Quick: the run of the same command that start's direct column shows, done once for both.
    "platform plan": quick
      ? timing(quickRun(directCommand(planArgs(stack).join(" "))))
      : cell(measureCommand(node, ["bin/platform.js", ...planArgs(stack)])),
  }));
  console.log(
    "\nplatform plan, whole command (target: <= 2 s, <= 300 MB per environment; the program runs in a child process)",
  );
  if (quick) console.log("--quick: one run on the project's Node 22, which start's warm row shows too");
  console.table(rows);
}

/** The main command exactly as README's "Try it" writes it after `npm ci &&`. */
function readmeMainCommand() {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const match = /^npm ci && (.+?)\s*(#.*)?$/m.exec(readme);
  if (!match) throw new Error("README.md: no `npm ci && <command>` line in the Try it section");
  return match[1];
}

/**
 * The environment of a newcomer's shell: without what `npm run bench` adds (node_modules/.bin on
 * PATH, npm_* variables), so that `node` and `npx` are the system's, as they are after `npm ci`.
 */
function shellEnv(extra = {}) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("npm_") || key === "NODE") delete env[key];
  env.PATH = (env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => !dir.endsWith(`node_modules${path.sep}.bin`) && !dir.includes("node-gyp-bin"))
    .join(path.delimiter);
  return { ...env, ...extra };
}

/**
 * A first run after `npm ci`: dist/ is built (`prepare`), but no cache a command fills on its first
 * start exists yet. Empty, per run: Node's compile cache (NODE_COMPILE_CACHE, which
 * bin/platform.js enables) and npm's cache (npm_config_cache, holding npx's install directory).
 */
function firstRunEnv() {
  const scratch = mkdtempSync(path.join(tmpdir(), "bench-first-run-"));
  return {
    scratch,
    env: shellEnv({
      NODE_COMPILE_CACHE: path.join(scratch, "compile-cache"),
      npm_config_cache: path.join(scratch, "npm-cache"),
    }),
  };
}

/** `platform <args>` run directly on the project's Node 22 (npm installs it there), not the system's. */
function directCommand(args) {
  const projectNode = path.join("node_modules", ".bin", "node");
  const nodeCommand = existsSync(path.join(root, projectNode)) ? projectNode : node;
  return `${nodeCommand} bin/platform.js ${args}`;
}

/** One first run of a shell command (firstRunEnv), its caches removed after it. */
function firstRunOnce(command) {
  const { scratch, env } = firstRunEnv();
  const run = runOnce("sh", ["-c", command], { env });
  // Fails (ENOTEMPTY) when a process the command started still writes there: its figures
  // would leave out that process's work.
  rmSync(scratch, { recursive: true, force: true });
  return run;
}

/** Quick: the one run of a command in a newcomer's shell, shared by the parts that show it. */
const quickRuns = new Map();
function quickRun(command) {
  if (!quickRuns.has(command)) quickRuns.set(command, runOnce("sh", ["-c", command], { env: shellEnv() }));
  return quickRuns.get(command);
}

function benchStart() {
  const readme = readmeMainCommand();
  if (!existsSync(path.join(root, "node_modules", ".bin", "platform"))) {
    throw new Error("node_modules/.bin/platform is missing: run npm ci (docs/decisions/0019)");
  }
  // The project's Node 22, not the system's: the stricter baseline.
  const direct = directCommand(readme.replace(/^\S+ platform /, ""));
  const commands = { readme, direct };
  const warm = { readme: [], direct: [] };
  const first = { readme: [], direct: [] };
  if (quick) {
    // Quick: the direct command once, warm, for real: the run plan shows too, which checks the
    // README's arguments. The first-run path once, through the README's command in its cheapest
    // form, its own --help (docs/decisions/0075): npx finds the bin with its install directory
    // empty, and the CLI starts with an empty compile cache, which is removed after it. That a
    // plan ends after its runner (whose late writes once made that removal fail, decision 0051)
    // is cli/program-runs.test.ts's "platform plan, as a process, ends after its runner".
    first.readme.push(firstRunOnce(`${readme} --help`));
    warm.direct.push(quickRun(direct));
  } else {
    for (const which of ["readme", "direct"]) runOnce("sh", ["-c", commands[which]], { env: shellEnv() });
    // Interleaved, so that both columns see the same load.
    for (let run = 0; run < repeats; run += 1) {
      for (const which of ["readme", "direct"]) {
        warm[which].push(runOnce("sh", ["-c", commands[which]], { env: shellEnv() }));
        first[which].push(firstRunOnce(commands[which]));
      }
    }
  }
  const row = (label, runs) => {
    if (runs.readme.length === 0 || runs.direct.length === 0) {
      const shown = (which) =>
        runs[which].length === 0
          ? "not run (--quick)"
          : `${timing(summarize(runs[which]))}${which === "readme" ? " (--quick: --help)" : ""}`;
      return { run: label, [readme]: shown("readme"), [direct]: shown("direct"), ratio: "" };
    }
    const readmeRun = summarize(runs.readme);
    const directRun = summarize(runs.direct);
    return {
      run: label,
      [readme]: timing(readmeRun),
      [direct]: timing(directRun),
      ratio: `${(readmeRun.seconds / directRun.seconds).toFixed(2)}x (cpu ${(readmeRun.cpu / directRun.cpu).toFixed(2)}x)`,
    };
  };
  console.log(
    "\nThe README's main command against the CLI run directly on the project's Node 22 (target: ratio <= 1.5x, first run included)",
  );
  console.log(
    "first run: empty Node compile cache and empty npm cache (npx's install directory) per run; dist/ built, as after npm ci",
  );
  console.table([row("warm", warm), row("first run", first)]);
}

/**
 * A checkout of `ref` in a temporary directory beside this one's dependencies, built as `npm ci`
 * builds it (its own `npm run build`): the "before" of `BENCH_BASE=<ref> npm run bench -- tests`.
 */
/** The commit a git ref names in this repository. */
const commitOf = (ref) =>
  execFileSync("git", ["rev-parse", "--verify", `${ref}^{commit}`], { cwd: root, encoding: "utf8" }).trim();

function checkoutOf(ref) {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-base-"));
  execFileSync("git", ["clone", "--quiet", "--no-checkout", "--shared", root, dir], { stdio: "inherit" });
  // The commit, resolved here: a branch name in the clone would be its origin's (`main` failed).
  execFileSync("git", ["checkout", "--quiet", "--detach", commitOf(ref)], { cwd: dir, stdio: "inherit" });
  execFileSync("ln", ["-s", path.join(root, "node_modules"), path.join(dir, "node_modules")]);
  execFileSync("npm", ["run", "build", "--silent"], { cwd: dir, stdio: "inherit" });
  return dir;
}

/**
 * npm test's checks, each alone, then `npm test` itself as CI runs it (the checks beside jest),
 * once each, in `dir`; jest's JSON report gives its suites' times. Returns the table's rows.
 * `tested`: the jest path patterns npm test gets in `dir` (none: every suite) and how the table
 * names them.
 */
function measureTests(dir, label, tested) {
  const bin = (name) => path.join(dir, "node_modules", ".bin", name);
  const report = mkdtempSync(path.join(tmpdir(), "bench-jest-"));
  const jestJson = path.join(report, "jest.json");
  const suiteFilter = tested.patterns;
  const phases = quick
    ? quickPhases(dir, bin, jestJson, suiteFilter)
    : [
        ["type-check alone (tsc -p tsconfig.check.json)", bin("tsc"), ["-p", "tsconfig.check.json"]],
        ["ESLint alone (eslint .)", bin("eslint"), ["."]],
        ["Prettier alone (prettier --check .)", bin("prettier"), ["--check", "."]],
        // What npm test runs instead of the first two, since docs/decisions/0025.
        ...(existsSync(path.join(dir, "scripts", "typecheck-and-lint.mjs"))
          ? [
              [
                "type-check and ESLint on one program",
                node,
                [path.join(dir, "scripts", "typecheck-and-lint.mjs")],
              ],
            ]
          : []),
        [
          `npm test${suiteFilter.length > 0 ? ` -- ${tested.shown}` : ""} (checks beside jest)`,
          "npm",
          ["test", "--", "--json", `--outputFile=${jestJson}`, ...suiteFilter],
          { prettier: true },
        ],
      ];
  // A failing part is reported, not fatal: its time is the figure wanted here. npm test and jest
  // start with the caches they fill empty (a phase's fourth field), in either tree, as on CI's
  // clean clone.
  const rows = phases.map(([what, command, args, fills]) => {
    const caches = fills ? emptyCaches(dir, process.env, fills) : undefined;
    try {
      const run = runOnce(command, args, { cwd: dir, env: caches?.env ?? process.env }, false);
      return {
        tree: label,
        what,
        ...timingColumns(run),
        result: run.status === 0 ? "passed" : `exit ${run.status}`,
      };
    } finally {
      caches?.remove();
    }
  });

  const results = JSON.parse(readFileSync(jestJson, "utf8"));
  rmSync(report, { recursive: true, force: true });
  const suites = results.testResults
    .map((suite) => ({
      suite: path.relative(dir, suite.name),
      tests: suite.assertionResults.length,
      seconds: (suite.endTime - suite.startTime) / 1000,
    }))
    .sort((a, b) => b.seconds - a.seconds);
  const total = suites.reduce((sum, suite) => sum + suite.seconds, 0);
  const lastEnd = Math.max(...results.testResults.map((suite) => suite.endTime));
  console.log(
    `\n${label}: jest ran ${results.numTotalTests} tests in ${suites.length} suites, ${((lastEnd - results.startTime) / 1000).toFixed(1)} s from start to the last suite's end; the suites' own times add up to ${total.toFixed(1)} s`,
  );
  // A failed run's figures still count, but not unexplained.
  for (const failure of failedTests(results, dir)) console.log(`${label}: FAILED ${failure}`);
  console.table(
    suites.slice(0, 12).map((s) => ({
      ...s,
      seconds: s.seconds.toFixed(1),
      share: `${Math.round((100 * s.seconds) / total)}%`,
    })),
  );
  return rows;
}

/** The one small suite jest runs in the quick mode of `tests`. */
const quickSuite = "lib/values.test.ts";

/**
 * The quick mode of `tests`: not npm test (the checks alone are half a minute of CPU, and the
 * whole suite would run itself): the checks' programs only shown to be there, and jest, as npm
 * test starts it, on one small suite.
 */
function quickPhases(dir, bin, jestJson, suites) {
  const programs = [bin("tsc"), bin("eslint"), bin("prettier"), path.join(dir, "scripts", "test.js")];
  const missing = programs.filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`bench tests: missing ${missing.join(", ")}`);
  return [
    [
      `jest ${suites.join(" ")} (--quick: the checks not run)`,
      node,
      [
        path.join(dir, "node_modules", "jest", "bin", "jest.js"),
        "--json",
        `--outputFile=${jestJson}`,
        ...suites,
      ],
      // Not Prettier's: jest alone does not fill it, and in npm test (scripts/bench.test.ts) its
      // own Prettier check uses it.
      { prettier: false },
    ],
  ];
}

/**
 * The suites jest runs in a tree (jest path patterns, and their name in the table), by
 * BENCH_TESTS: unset, every suite (one small suite in --quick); space-separated jest path
 * patterns, the suites they match; `base`, the suites the commit BENCH_BASE names has, and only
 * those, in both trees: the same work measured before and after, the suites added since left out
 * (scripts/bench-suites.js).
 */
function testedSuites(base) {
  const only = process.env.BENCH_TESTS;
  if (only === "base") {
    if (!base)
      throw new Error("BENCH_TESTS=base runs the suites of BENCH_BASE: set BENCH_BASE=<git ref> too");
    const files = suitesAt(root, commitOf(base));
    return (dir) => ({
      patterns: exactSuitePatterns(dir, files),
      shown: `<the ${files.length} suites of ${base}>`,
    });
  }
  const patterns = (only ?? (quick ? quickSuite : "")).split(" ").filter(Boolean);
  const shown = patterns.length > 3 ? `<${patterns.length} path patterns>` : patterns.join(" ");
  return () => ({ patterns, shown });
}

/**
 * npm test and its parts in this tree; with BENCH_BASE=<git ref>, first in a checkout of that
 * ref too, in the same run, so that "before" and "after" see the same machine.
 */
function benchTests() {
  const base = process.env.BENCH_BASE;
  const suitesIn = testedSuites(base);
  const rows = [];
  if (base) {
    const dir = checkoutOf(base);
    try {
      rows.push(...measureTests(dir, `base ${base}`, suitesIn(dir)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  rows.push(...measureTests(root, "this tree", suitesIn(root)));
  console.log("\nnpm test, one run each (reported, not asserted; the aim is npm test under 1 min)");
  console.table(rows);
}

/**
 * The commands of `platform` that grow with the number of apps, in project copies of 3, 100 and
 * 300 apps (scripts/bench-scale.js), interleaved so that every column sees the same load. Each
 * repeat promotes every app from acceptance to production, gates that, and puts it back.
 */
function benchScale() {
  // Each copy: apps, environments. Quick: one copy, with one app added to the catalog's and one
  // environment inserted, so that the recipe that inserts them cannot rot unseen (it did once:
  // the 5-environment copy lacked the reviewers decision 0041 requires).
  const sizes = quick
    ? [[4, 3]]
    : [
        [3, 2],
        [100, 2],
        [300, 2],
        [100, 5],
      ];
  const label = ([apps, environments]) =>
    `${apps} apps${environments > 2 ? `, ${environments} environments` : ""}`;
  const commands = [
    ["render acceptance", () => ["render", "acceptance"]],
    // Not in quick: the plan part runs these arguments (planArgs), and a copy's plan is the
    // cost of a whole program run (docs/decisions/0075).
    ["plan acceptance", () => planArgs("acceptance"), { quick: false }],
    ["status", () => ["status"]],
    // Every app named: without --app, promote proposes a set from acceptance's verification
    // records, which the copies do not have (they have no origin to read them from).
    [
      // From production's upstream: acceptance, or the last environment inserted before production.
      "promote acceptance production",
      (p) => [
        "promote",
        p.upstream,
        "production",
        ...p.names.flatMap((app) => ["--app", app]),
        "--outputs",
        p.outputs,
      ],
    ],
    // Judged against the records: with none in the copy the gate refuses every app (exit 1), after
    // reading and checking both stack files, which is the work that grows with the apps.
    ["gate production (refuses: no records)", () => ["gate", "production", "--base", "main"]],
  ];
  const load = () =>
    loadavg()
      .map((figure) => figure.toFixed(2))
      .join(" ");
  const loadBefore = load();
  // With BENCH_BASE=<git ref>, copies of that commit too, measured in the same run.
  const base = process.env.BENCH_BASE;
  const baseDir = base ? checkoutOf(base) : undefined;
  const trees = [
    ...(baseDir ? [{ label: `base ${base}`, dir: baseDir }] : []),
    { label: "this tree", dir: root },
  ];
  const projects = [];
  const rows = [];
  try {
    for (const tree of trees) {
      for (const size of sizes) {
        // A commit before environments/pipeline.ts cannot take more environments.
        if (size[1] > 2 && !existsSync(path.join(tree.dir, "environments", "pipeline.ts"))) continue;
        projects.push({ tree, size, ...scaleProject(size[0], tree.dir, size[1]) });
      }
    }
    const runs = projects.map(() => commands.map(() => []));
    for (let run = 0; run < repeats; run += 1) {
      projects.forEach((project, p) => {
        commands.forEach(([, argv, only], c) => {
          if (quick && only?.quick === false) return;
          const cli = [path.join(project.dir, "bin", "platform.js"), ...argv(project)];
          // The gate exits 1 here (see above); every other command must succeed.
          runs[p][c].push(runOnce(node, cli, { cwd: project.dir }, !argv(project).includes("gate")));
        });
        // The copies go after the last run: restored only for the next.
        if (run < repeats - 1) project.restore();
      });
    }
    for (const tree of trees) {
      for (const [c, [what]] of commands.entries()) {
        const row = { tree: tree.label, command: what };
        let first;
        projects.forEach((project, p) => {
          if (project.tree !== tree) return;
          if (runs[p][c].length === 0) {
            row[label(project.size)] = "not run (--quick: the plan part runs its arguments)";
            return;
          }
          const m = summarize(runs[p][c]);
          first ??= m;
          row[label(project.size)] =
            m === first ? timing(m) : `${timing(m)} ${(m.seconds / first.seconds).toFixed(1)}x`;
        });
        rows.push(row);
      }
    }
  } finally {
    for (const project of projects) project.remove();
    if (baseDir) rmSync(baseDir, { recursive: true, force: true });
  }
  console.log(
    `\nplatform at scale: acceptance and production (and environments between them) with N apps, wall (cpu, children included), the ratio to ${label(sizes[0])}`,
  );
  console.log(
    "targets at 100 apps: plan <= 2x its 3-app figure, render < 1 s, status/promote/gate < 5 s (with 5 environments too); at 300, less than linear; promote and gate read production's upstream",
  );
  console.log(`load average before: ${loadBefore}; after: ${load()}`);
  console.table(rows);
}

const timingColumns = (m) => ({
  wall: `${m.seconds.toFixed(1)} s`,
  cpu: `${m.cpu.toFixed(1)} s`,
  MB: Math.round(m.mb),
});

/** The mutation score of the gate's files: Stryker's own report (reports/mutation/). */
function benchMutation() {
  const result = spawnSync("npx", ["stryker", "run", "stryker.config.json"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exitCode = result.status ?? 1;
}

const runners = {
  mutation: benchMutation,
  program: benchProgram,
  render: benchRender,
  plan: benchPlan,
  start: benchStart,
  tests: benchTests,
  scale: benchScale,
};
const selected = process.argv.slice(2).filter((arg) => arg !== "--quick");
const unknown = selected.filter((name) => !(name in parts));
if (unknown.length > 0) {
  console.error(
    `bench: unknown part ${unknown.join(", ")}; the parts are:\n${Object.entries(parts)
      .map(([name, what]) => `  ${name.padEnd(8)} ${what}`)
      .join("\n")}`,
  );
  process.exit(2);
}
// The mutation run takes half an hour: only when named.
const chosen = selected.length > 0 ? selected : Object.keys(parts).filter((name) => name !== "mutation");

// Quick (in npm test, beside suites that run dist/): built only if a source is newer.
execFileSync(node, [path.join(root, "bin", "ensure-built.js"), ...(quick ? [] : ["--rebuild"])], {
  cwd: root,
  stdio: "inherit",
});
console.log(
  `node ${process.version}, ${repeats} runs each, median${quick ? ", --quick: smallest sizes, figures not meaningful" : ""}; parts: ${chosen.join(", ")}` +
    (selected.length > 0
      ? ""
      : " (tests takes minutes: `npm run bench -- program render plan start` skips it)"),
);
// Each part under a heading; one that fails is reported and the others still run (exit 1).
for (const name of chosen) {
  console.log(`\n## ${name}: ${parts[name]}`);
  try {
    runners[name]();
  } catch (error) {
    console.error(`bench: part ${name} failed: ${error?.stack ?? error}`);
    process.exitCode = 1;
  }
}
