import { tmpdir } from "node:os";
import { processOutput, ProcessFailure, runProcess } from "./process";

const cwd = tmpdir();
const sh = (script: string, options: { input?: string; maxBytes?: number } = {}) =>
  runProcess("/bin/sh", ["-c", script], { cwd, ...options });

describe("runProcess reports how the process ended, never rejecting", () => {
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
});

describe("processOutput resolves to stdout or throws ProcessFailure", () => {
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
});
