import { fork } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { ProgramRun } from "../engine/mock-engine";
import type { PlanRequest, PlanResponse } from "../engine/plan-runner";
import { root, stackConfig } from "../test/program";
import { startCliProcess, waitUntil } from "../test/run-cli";
import { syntheticProject } from "../test/synthetic-project";
import { InputError, PlatformError } from "./errors";
import {
  endIdleRunners,
  keepIdleRunners,
  planOf,
  planTimeoutSeconds,
  runPlan,
  stderrLines,
  type RunnerOutcome,
} from "./program-runs";

// The runner itself is under test: no plan shared with other suites (test/share-plans.setup.ts).
jest.unmock("./program-runs");

afterAll(endIdleRunners);

/** Whether a process with this id runs (a zombie too: one its parent has not waited for). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

// The fields the runner passes through untouched; their contents do not matter here.
const run = { registrations: [], invocations: [], outputs: { ready: true } } as unknown as ProgramRun;
const replied = (response: PlanResponse, overrides: Partial<RunnerOutcome> = {}): RunnerOutcome => ({
  reply: { id: "0", response, reusable: true },
  stdout: "",
  stderr: "",
  exitCode: null,
  signal: null,
  ...overrides,
});
const ended = (overrides: Partial<RunnerOutcome>): RunnerOutcome => ({
  stdout: "",
  stderr: "",
  exitCode: null,
  signal: null,
  ...overrides,
});

describe("planOf: a plan only from the runner's reply, never from what the program prints", () => {
  test("an ok reply: the run, whatever the program printed", () => {
    const stdout = `info: [runtime] planning\n{"ok":false}\nprogress: 50%`;
    expect(planOf("acceptance", replied({ ok: true, run }, { stdout }))).toEqual(run);
  });

  test.each<[string, RunnerOutcome, string]>([
    [
      "a program failure",
      replied({ ok: false, kind: "program", error: "the subnet layout does not fit" }),
      "the program failed for acceptance: the subnet layout does not fit",
    ],
    [
      "the program's time limit",
      replied({
        ok: false,
        kind: "timeout",
        error: "the program did not finish within 2 s; still waiting: x",
      }),
      "the program failed for acceptance: the program did not finish within 2 s; still waiting: x",
    ],
    [
      "an ok line on stdout, then exit code 1, no reply",
      ended({
        stdout: `${JSON.stringify({ ok: true, run })}\n`,
        exitCode: 1,
        stderr: "TypeError: x is not a function\n    at index.js:3\n",
      }),
      `the program run for acceptance exited with code 1 without a result; its last line of output: ${JSON.stringify({ ok: true, run })}; its stderr:\n  TypeError: x is not a function\n      at index.js:3`,
    ],
    [
      "killed, nothing printed",
      ended({ signal: "SIGKILL" }),
      "the program run for acceptance was ended by SIGKILL without a result",
    ],
    [
      "stopped at the runner's time limit",
      ended({ stopped: { code: "ETIMEDOUT", message: "after 150 s, its time limit" } }),
      "the program run for acceptance was stopped (after 150 s, its time limit) without a result",
    ],
    [
      "out of memory",
      ended({ exitCode: 134, stderr: "\nFATAL ERROR: Reached heap limit Allocation failed\n\n" }),
      "the program run for acceptance exited with code 134 without a result; its stderr:\n  FATAL ERROR: Reached heap limit Allocation failed",
    ],
  ])("%s: a PlatformError", (_name, outcome, message) => {
    const failure = catchError(() => planOf("acceptance", outcome));
    expect([failure?.constructor, failure?.message]).toEqual([PlatformError, message]);
  });

  test("bad stack config: an InputError with the program's message alone", () => {
    const outcome = replied({ ok: false, kind: "config", error: "platform:images.web.tag: missing" });
    const failure = catchError(() => planOf("acceptance", outcome));
    expect([failure?.constructor, failure?.message]).toEqual([
      InputError,
      "platform:images.web.tag: missing",
    ]);
  });

  test(`a long stderr: only its last ${stderrLines} lines`, () => {
    const stderr = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join("\n");
    const failure = catchError(() => planOf("acceptance", ended({ exitCode: 1, stderr })));
    const shown = Array.from({ length: stderrLines }, (_, i) => `  line ${i + 51 - stderrLines}`);
    expect(failure?.message).toBe(
      `the program run for acceptance exited with code 1 without a result; its last ${stderrLines} lines on stderr:\n${shown.join("\n")}`,
    );
  });
});

/** `runPlan` of a synthetic project's acceptance stack, with no config. */
const planProject = (dir: string): Promise<ProgramRun> =>
  runPlan({ dir, stack: "acceptance", config: {}, timeoutSeconds: 60 });

const notePid =
  'require("node:fs").writeFileSync(require("node:path").join(__dirname, "pid"), String(process.pid));';
/**
 * Plans a synthetic program (`module: true`: as an ES module) that notes its process: that
 * process's id, and what it planned, if it planned.
 */
async function runnerOf(
  program: string,
  options: { readonly module?: boolean } = {},
): Promise<{ pid: string; planned?: string[] }> {
  const header = 'const { pulumi, Thing } = require("./resources");\n';
  const project = syntheticProject(`${header}${notePid}\n${program}\n`);
  if (options.module) {
    const esm =
      'import { createRequire } from "node:module";\nconst require = createRequire(import.meta.url);\nconst __dirname = import.meta.dirname;\n';
    writeFileSync(path.join(project.dir, "index.mjs"), `${esm}${header}${notePid}\n${program}\n`);
    const yaml = readFileSync(path.join(project.dir, "Pulumi.yaml"), "utf8");
    writeFileSync(path.join(project.dir, "Pulumi.yaml"), yaml.replace("main: index.js", "main: index.mjs"));
  }
  try {
    const run = await planProject(project.dir).catch(() => undefined);
    const planned = run?.registrations.map((registration) => registration.name);
    return { pid: readFileSync(path.join(project.dir, "pid"), "utf8"), ...(planned ? { planned } : {}) };
  } finally {
    project.remove();
  }
}
// A project module that counts the runs that loaded it: 1 when it loads afresh.
const counted = (name: string) =>
  `const resources = require("./resources"); resources.runs = (resources.runs ?? 0) + 1;\nnew Thing(\`${name}-\${resources.runs}\`, {});`;

// First among the tests that plan: its fresh runner is the file's first, so no runner that
// served other tests is ended to get one (each runner costs about 0.4 CPU-s to start).
describe("runPlan: the shipped stacks", () => {
  test("the shipped stacks planned one after another in one runner, after a failed run, are exactly a fresh runner's plan", async () => {
    const request = (stack: string): PlanRequest => ({
      dir: root,
      stack,
      config: stackConfig(stack),
      timeoutSeconds: 120,
    });
    // With no runner idle (there is none yet, unless the tests were reordered), the first plan
    // is a fresh runner's first run.
    await endIdleRunners();
    const fresh = await runPlan(request("acceptance"));
    const before = await runnerOf(counted("before"));
    // A failed run in between, as a refused plan leaves its runner.
    const failed = await runnerOf(
      'new Thing("pool", { subnet: pulumi.output("x").apply(() => { throw new Error("no subnet"); }) });',
    );
    await runPlan(request("production"));
    const reused = await runPlan(request("acceptance"));
    expect([failed.planned, failed.pid, (await runnerOf(counted("after"))).pid]).toEqual([
      undefined,
      before.pid,
      before.pid,
    ]);
    expect(reused).toStrictEqual(fresh);
  });
});

describe("runPlan", () => {
  test("the registrations are exactly the resources the program constructed", async () => {
    const project = syntheticProject(
      [
        'const { pulumi, Thing, Group } = require("./resources");',
        'const network = new Thing("network", { cidr: "10.0.0.0/16" });',
        'new Group("pool", 2, { dependsOn: [network] });',
        'network.id.apply((id) => new Thing("route", { network: id }));',
        "",
      ].join("\n"),
    );
    try {
      const planned = await planProject(project.dir);
      expect(planned.registrations.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
        [
          "test:index:Thing network",
          "test:index:Group pool",
          "test:index:Thing pool-0",
          "test:index:Thing pool-1",
          "test:index:Thing route",
        ].sort(),
      );
      expect(planned.registrations).toHaveLength(project.constructed().length);
    } finally {
      project.remove();
    }
  });

  test("an apply that throws: a PlatformError with the program's message, naming what is missing", async () => {
    const project = syntheticProject(
      [
        'const { pulumi, Thing } = require("./resources");',
        'const network = new Thing("network", {});',
        'new Thing("pool", { subnet: network.id.apply(() => { throw new Error("no subnet left"); }) });',
        "",
      ].join("\n"),
    );
    try {
      await expect(planProject(project.dir)).rejects.toThrow(
        new PlatformError(
          'the program failed for acceptance: error serializing property "subnet": no subnet left; never registered: test:index:Thing pool',
        ),
      );
    } finally {
      project.remove();
    }
  });
});

describe("runPlan: a runner serves the next plan only when its run left nothing behind", () => {
  test("two clean runs: one process, each its own plan, the program's own modules loaded afresh", async () => {
    const first = await runnerOf(counted("first"));
    const second = await runnerOf(counted("second"));
    expect([first.planned, second.planned]).toEqual([["first-1"], ["second-1"]]);
    expect(second.pid).toBe(first.pid);
  });

  test.each([
    ["a timer", "setInterval(() => undefined, 60000);"],
    [
      "a timer that does not keep the process alive",
      'setInterval(() => new Thing("ghost", {}), 20).unref();',
    ],
    ["a listener on process", 'process.on("message", () => undefined);'],
    ["a global", "globalThis.leftOver = true;"],
    ["an environment variable", 'process.env["LEFT_OVER"] = "1";'],
  ])("a run that leaves %s behind plans, and is its process's last", async (_name, program) => {
    const first = await runnerOf(`new Thing("network", {});\n${program}`);
    expect(first.planned).toEqual(["network"]);
    const next = await runnerOf(counted("next"));
    expect([next.planned, next.pid === first.pid]).toEqual([["next-1"], false]);
  });

  test.each([
    [
      "whose apply throws",
      'new Thing("pool", { subnet: pulumi.output("x").apply(() => { throw new Error("no subnet"); }) });',
    ],
    ["whose program rejects", 'exports.vault = Promise.reject(new Error("the vault is sealed"));'],
  ])(
    "a failed run %s, once its program ended, serves the next plan: loaded afresh",
    async (_name, program) => {
      const first = await runnerOf(`new Thing("network", {});\n${program}`);
      expect(first.planned).toBeUndefined();
      const next = await runnerOf(counted("next"));
      expect([next.planned, next.pid]).toEqual([["next-1"], first.pid]);
    },
  );

  test.each([
    [
      "that fails while its program still waits on a value",
      'pulumi.output("x").apply(() => { throw new Error("no subnet"); });\nexports.never = new Promise(() => undefined);',
    ],
    // Node forgets a module that throws while it loads: whether it was CommonJS is not known.
    ["whose program throws while it loads", 'throw new Error("the vault is sealed");'],
    [
      "that fails and leaves a timer",
      'setTimeout(() => new Thing("ghost", {}), 60000);\nthrow new Error("sealed");',
    ],
    ["that writes to the runner's channel", "process.send({ response: { ok: true, run: {} } });"],
  ])("a run %s has no plan, and is its process's last", async (_name, program) => {
    const first = await runnerOf(`new Thing("network", {});\n${program}`);
    expect(first.planned).toBeUndefined();
    expect((await runnerOf(counted("next"))).pid).not.toBe(first.pid);
  });

  test("a runner that stays writes Node's compile cache after its run, not only when it ends", async () => {
    const cache = mkdtempSync(path.join(tmpdir(), "platform-compile-cache-"));
    const project = syntheticProject(
      'const { Thing } = require("./resources");\nnew Thing("network", {});\n',
    );
    const runner = fork(path.join(root, "dist", "engine", "plan-runner.js"), [], {
      env: { ...process.env, NODE_COMPILE_CACHE: cache },
      stdio: ["ignore", "ignore", "ignore", "ipc"],
    });
    try {
      // Its reply, after its receipt.
      const replied = new Promise((resolve) =>
        runner.on("message", (message: { response?: unknown }) => message.response && resolve(message)),
      );
      const request: PlanRequest = { dir: project.dir, stack: "acceptance", config: {}, timeoutSeconds: 60 };
      runner.send({ id: "1", request });
      expect(await replied).toMatchObject({ id: "1", reusable: true, response: { ok: true } });
      // Idle, still alive: what it compiled reaches the disk now, not when it ends.
      // (Node makes the cache's version directory as it starts; the entries are files in it.)
      const entries = () =>
        readdirSync(cache, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
      await waitUntil(() => entries().length > 0);
      expect(runner.exitCode).toBeNull();
    } finally {
      // Ended before its cache goes: it may still be writing it.
      const exited = new Promise((resolve) => runner.once("exit", resolve));
      if (runner.exitCode === null && runner.signalCode === null) {
        runner.kill();
        await exited;
      }
      project.remove();
      rmSync(cache, { recursive: true, force: true });
    }
  });

  test("endIdleRunners ends the idle runners and resolves once their processes have ended: the next plan starts a process of its own", async () => {
    const first = await runnerOf(counted("first"));
    await endIdleRunners();
    expect(processExists(Number(first.pid))).toBe(false);
    expect((await runnerOf(counted("second"))).pid).not.toBe(first.pid);
  });

  test("platform plan, as a process, ends after its runner: nothing it started goes on writing", async () => {
    const project = syntheticProject(`${notePid}
new (require("./resources").Thing)("network", {});
`);
    try {
      const cli = startCliProcess(["plan", "acceptance"], project.dir, { PATH: process.env["PATH"] ?? "" });
      const { code, stderr } = await cli.exited;
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(processExists(Number(readFileSync(path.join(project.dir, "pid"), "utf8")))).toBe(false);
    } finally {
      project.remove();
    }
  });

  // Last but one: from here on, this file's idle runners wait for endIdleRunners (afterAll).
  test("after keepIdleRunners, an idle runner waits for endIdleRunners, not a minute", async () => {
    jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate", "queueMicrotask"] });
    try {
      const first = await runnerOf(counted("first"));
      // Idle, to be ended a minute from now (the only timer left: its plan's time limit is gone).
      expect(jest.getTimerCount()).toBe(1);
      keepIdleRunners();
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(120_000);
      const second = await runnerOf(counted("second"));
      expect([second.planned, second.pid, jest.getTimerCount()]).toEqual([["second-1"], first.pid, 0]);
    } finally {
      jest.useRealTimers();
    }
  });

  test("an ES module program plans each time, in a process of its own", async () => {
    const first = await runnerOf(counted("first"), { module: true });
    const second = await runnerOf(counted("second"), { module: true });
    expect([first.planned, second.planned]).toEqual([["first-1"], ["second-1"]]);
    expect(second.pid).not.toBe(first.pid);
  });
});

function catchError(action: () => unknown): Error | undefined {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

describe("planTimeoutSeconds", () => {
  test.each([
    [undefined, 120],
    ["3", 3],
    ["0.5", 0.5],
    ["0", 120],
    ["-5", 120],
    ["soon", 120],
    ["", 120],
  ])("PLATFORM_PLAN_TIMEOUT_SECONDS=%p gives %p seconds", (value, seconds) => {
    expect(planTimeoutSeconds({ PLATFORM_PLAN_TIMEOUT_SECONDS: value })).toBe(seconds);
  });
});
