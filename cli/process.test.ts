import { tmpdir } from "node:os";
import { InterruptedError } from "./errors";
import * as served from "./process";
import { ProcessFailure, type ProcessOptions } from "./process";

// The suites' CLI code starts its processes from their jest worker's process server
// (test/worker-processes.setup.ts, docs/decisions/0079), which runs the compiled runProcess:
// each case holds both ways, so that the server passes on every option and every ending.
const own = jest.requireActual<typeof import("./process")>("./process");
const ways = [
  ["started by this process", own],
  ["started by the jest worker's process server", served],
] as const;

const cwd = tmpdir();

describe.each(ways)(
  "runProcess reports how the process ended, never rejecting (%s)",
  (_way, { runProcess }) => {
    const sh = (script: string, options: Partial<ProcessOptions> = {}) =>
      runProcess("/bin/sh", ["-c", script], { cwd, ...options });

    test("stdout, stderr and exit code 0", async () => {
      expect(await sh("echo out; echo err >&2")).toEqual({
        stdout: "out\n",
        stderr: "err\n",
        exitCode: 0,
        signal: null,
      });
    });

    test("a non-zero exit code, with what the process said on stderr", async () => {
      expect(await sh("echo partial; echo 'fatal: bad' >&2; exit 3")).toEqual({
        stdout: "partial\n",
        stderr: "fatal: bad\n",
        exitCode: 3,
        signal: null,
      });
    });

    test("a process ended by a signal has no exit code", async () => {
      const result = await sh("kill -TERM $$");
      expect([result.exitCode, result.signal]).toEqual([null, "SIGTERM"]);
    });

    test("a program that is not installed could not start: ENOENT", async () => {
      const result = await runProcess("platform-no-such-program", [], { cwd });
      expect([result.exitCode, result.stopped?.code]).toEqual([null, "ENOENT"]);
    });

    test("input reaches stdin; without it stdin is empty, so a prompt ends at once", async () => {
      expect((await sh("cat", { input: "answer\n" })).stdout).toBe("answer\n");
      expect(await sh("cat; echo done")).toMatchObject({ stdout: "done\n", exitCode: 0 });
    });

    test("output beyond maxBytes stops the process: EMAXBUFFER", async () => {
      const result = await sh("while :; do echo xxxxxxxxxxxxxxxx; done", { maxBytes: 1024 });
      expect(result.stopped).toEqual({ code: "EMAXBUFFER", message: "it printed more than 1024 bytes" });
    });

    test("the environment is exactly the one given, or else this process's", async () => {
      expect((await sh("echo $PLATFORM_X-$HOME", { env: { PLATFORM_X: "given" } })).stdout).toBe("given-\n");
      expect((await sh("echo $HOME")).stdout).toBe(`${process.env["HOME"] ?? ""}\n`);
    });

    test("a process past its time limit is stopped: ETIMEDOUT", async () => {
      const result = await sh("sleep 20", { timeoutSeconds: 0.2 });
      expect([result.exitCode, result.stopped]).toEqual([
        null,
        { code: "ETIMEDOUT", message: "after 0.2 s, its time limit" },
      ]);
    });

    test("an interruption stops the process, before or after it started: INTERRUPTED", async () => {
      const interruption = new AbortController();
      const running = sh("sleep 20", { interrupt: interruption.signal });
      setTimeout(() => interruption.abort(), 100);
      const stopped = { code: "INTERRUPTED", message: "the command was interrupted" };
      expect((await running).stopped).toEqual(stopped);
      expect((await sh("sleep 20", { interrupt: interruption.signal })).stopped).toEqual(stopped);
    });
  },
);

describe.each(ways)(
  "processOutput resolves to stdout or throws ProcessFailure (%s)",
  (_way, { processOutput }) => {
    test("stdout of a process that exited with 0", async () => {
      expect(await processOutput("/bin/sh", ["-c", "printf ok"], { cwd })).toBe("ok");
    });

    test("a failure names the program, how it ended and its stderr, and carries the exit code", async () => {
      const failure = await processOutput("/bin/sh", ["-c", "echo 'fatal: bad' >&2; exit 3"], { cwd }).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ProcessFailure);
      expect((failure as ProcessFailure).message).toBe("/bin/sh exited with code 3: fatal: bad");
      expect([(failure as ProcessFailure).code, (failure as ProcessFailure).stderr]).toEqual([
        3,
        "fatal: bad\n",
      ]);
    });

    test("a program that is not installed fails with code ENOENT", async () => {
      await expect(processOutput("platform-no-such-program", [], { cwd })).rejects.toMatchObject({
        code: "ENOENT",
      });
    });

    test("an interruption throws its reason, not a ProcessFailure", async () => {
      const interruption = new AbortController();
      interruption.abort(new InterruptedError("SIGINT", "reading"));
      await expect(
        processOutput("/bin/sh", ["-c", "sleep 20"], { cwd, interrupt: interruption.signal }),
      ).rejects.toThrow(new InterruptedError("SIGINT", "reading"));
    });
  },
);

test("the suites' processes are children of the process server, not of the jest worker", async () => {
  const parent = async (run: typeof own.runProcess) =>
    Number((await run("/bin/sh", ["-c", "echo $PPID"], { cwd })).stdout);
  expect(await parent(own.runProcess)).toBe(process.pid);
  expect(await parent(served.runProcess)).not.toBe(process.pid);
});
