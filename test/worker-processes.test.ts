import { tmpdir } from "node:os";
import { ProcessFailure } from "../cli/process";
import { processOutputSync, runProcessSync } from "./worker-processes";

// The suites' waiting process runs (git fixtures, workflow scripts) go to their jest worker's
// process server through a thread (test/jest-environment.js, docs/decisions/0079), or, where no
// build exists, start here; both ways end alike.
const cwd = tmpdir();
const sh = (script: string, options: { input?: string; env?: Record<string, string> } = {}) =>
  runProcessSync("/bin/sh", ["-c", script], { cwd, ...options });

const global = globalThis as { platformWorkerRunProcessSync?: unknown };
const server = global.platformWorkerRunProcessSync;

describe.each([
  ["through the worker's process server", server],
  ["started by this process (no build, no server)", undefined],
])("runProcessSync and processOutputSync (%s)", (_way, serverInThisWay) => {
  beforeAll(() => {
    if (serverInThisWay === undefined) delete global.platformWorkerRunProcessSync;
  });
  afterAll(() => {
    global.platformWorkerRunProcessSync = server;
  });

  test("stdout, stderr and the exit code", () => {
    expect(sh("echo out; echo err >&2; exit 3")).toEqual({
      stdout: "out\n",
      stderr: "err\n",
      exitCode: 3,
      signal: null,
    });
  });

  test("input reaches stdin; the environment is the one given, or else this process's", () => {
    expect(sh("cat", { input: "answer\n" }).stdout).toBe("answer\n");
    expect(sh("echo $PLATFORM_X-$HOME", { env: { PLATFORM_X: "given" } }).stdout).toBe("given-\n");
    expect(sh("echo $HOME").stdout).toBe(`${process.env["HOME"] ?? ""}\n`);
  });

  test("a program that is not installed could not start: ENOENT", () => {
    expect(runProcessSync("platform-no-such-program", [], { cwd }).stopped?.code).toBe("ENOENT");
  });

  test("processOutputSync: stdout, or a ProcessFailure naming the program, its exit and stderr", () => {
    expect(processOutputSync("/bin/sh", ["-c", "printf ok"], { cwd })).toBe("ok");
    expect(() => processOutputSync("/bin/sh", ["-c", "echo 'fatal: bad' >&2; exit 128"], { cwd })).toThrow(
      new ProcessFailure("/bin/sh", { stdout: "", stderr: "fatal: bad\n", exitCode: 128, signal: null }),
    );
  });

  test("whose child the process is", () => {
    const parent = Number(sh("echo $PPID").stdout);
    if (serverInThisWay === undefined) expect(parent).toBe(process.pid);
    else expect(parent).not.toBe(process.pid);
  });
});

test("npm test's workers have a process server", () => {
  expect(typeof server).toBe("function");
});
