import type { ProgramRun } from "../engine/mock-engine";
import type { PlanResponse } from "../engine/plan-runner";
import { syntheticProject } from "../test/synthetic-project";
import { InputError, PlatformError } from "./errors";
import { planOf, planTimeoutSeconds, runPlan, stderrLines, type RunnerOutcome } from "./program-runs";

// The fields the runner passes through untouched; their contents do not matter here.
const run = { registrations: [], invocations: [], outputs: { ready: true } } as unknown as ProgramRun;
const line = (response: PlanResponse): string => `\n${JSON.stringify(response)}\n`;
const outcome = (overrides: Partial<RunnerOutcome>): RunnerOutcome => ({
  stdout: line({ ok: true, run }),
  stderr: "",
  exitCode: 0,
  signal: null,
  ...overrides,
});

describe("planOf: a plan only from a runner that exited with 0 and said ok", () => {
  test("ok and exit code 0: the run", () => {
    expect(planOf("acceptance", outcome({}))).toEqual(run);
  });

  test("lines the program printed before the response do not matter", () => {
    const stdout = `info: [runtime] planning\n{"ok":false}\nprogress: 50%${line({ ok: true, run })}`;
    expect(planOf("acceptance", outcome({ stdout }))).toEqual(run);
  });

  test.each<[string, Partial<RunnerOutcome>, string]>([
    [
      "ok, then exit code 1",
      { exitCode: 1, stderr: "TypeError: x is not a function\n    at index.js:3\n" },
      "the program run for acceptance printed a plan but exited with code 1, so the plan may be partial; its stderr:\n  TypeError: x is not a function\n      at index.js:3",
    ],
    [
      "ok, then killed",
      { exitCode: null, signal: "SIGKILL" },
      "the program run for acceptance printed a plan but was ended by SIGKILL, so the plan may be partial",
    ],
    [
      "ok, then stopped at the time limit",
      {
        exitCode: null,
        signal: null,
        stopped: { code: "ETIMEDOUT", message: "after 150 s, its time limit" },
      },
      "the program run for acceptance printed a plan but was stopped (after 150 s, its time limit), so the plan may be partial",
    ],
    [
      "ok, but a line after it",
      { stdout: `${line({ ok: true, run })}done\n`, exitCode: 0 },
      "the program run for acceptance ended without a result; its last line of output: done",
    ],
    [
      "nothing printed, out of memory",
      { stdout: "", exitCode: 134, stderr: "\nFATAL ERROR: Reached heap limit Allocation failed\n\n" },
      "the program run for acceptance exited with code 134 without a result; its stderr:\n  FATAL ERROR: Reached heap limit Allocation failed",
    ],
    [
      "the response cut off",
      { stdout: '{"ok":true,"run":{"registr', exitCode: null, signal: "SIGKILL" },
      'the program run for acceptance was ended by SIGKILL without a result; its last line of output: {"ok":true,"run":{"registr',
    ],
    [
      "a program failure",
      { stdout: line({ ok: false, kind: "program", error: "the subnet layout does not fit" }), exitCode: 1 },
      "the program failed for acceptance: the subnet layout does not fit",
    ],
  ])("%s: a PlatformError", (_name, overrides, message) => {
    const failure = catchError(() => planOf("acceptance", outcome(overrides)));
    expect([failure?.constructor, failure?.message]).toEqual([PlatformError, message]);
  });

  test("bad stack config: an InputError with the program's message alone", () => {
    const stdout = line({ ok: false, kind: "config", error: "platform:images.web.tag: missing" });
    const failure = catchError(() => planOf("acceptance", outcome({ stdout, exitCode: 2 })));
    expect([failure?.constructor, failure?.message]).toEqual([
      InputError,
      "platform:images.web.tag: missing",
    ]);
  });

  test(`a long stderr: only its last ${stderrLines} lines`, () => {
    const stderr = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join("\n");
    const failure = catchError(() => planOf("acceptance", outcome({ stdout: "", exitCode: 1, stderr })));
    const shown = Array.from({ length: stderrLines }, (_, i) => `  line ${i + 51 - stderrLines}`);
    expect(failure?.message).toBe(
      `the program run for acceptance exited with code 1 without a result; its last ${stderrLines} lines on stderr:\n${shown.join("\n")}`,
    );
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
      const planned = await runPlan({
        dir: project.dir,
        stack: "acceptance",
        config: {},
        timeoutSeconds: 60,
      });
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
      await expect(
        runPlan({ dir: project.dir, stack: "acceptance", config: {}, timeoutSeconds: 60 }),
      ).rejects.toThrow(
        new PlatformError(
          'the program failed for acceptance: error serializing property "subnet": no subnet left; never registered: test:index:Thing pool',
        ),
      );
    } finally {
      project.remove();
    }
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
