import { spawnSync } from "node:child_process";
import {
  ProcessFailure,
  type ProcessOptions,
  type ProcessResult,
  type runProcess as RunProcess,
} from "../cli/process";

/** The process server of this jest worker (test/jest-environment.js), when there is one. */
declare const platformWorkerRunProcess:
  | ((
      file: string,
      args: readonly string[],
      options: object,
      interruptible: boolean,
    ) => { reply: Promise<string>; interrupt: () => void })
  | undefined;
declare const platformWorkerRunProcessSync:
  ((file: string, args: readonly string[], options: object) => string) | undefined;

/**
 * `runProcess` through the process server of this jest worker (docs/decisions/0079), or
 * `ownRunProcess` where the worker has none. The server runs the compiled `runProcess` itself,
 * with the suite's environment when the caller names none; an interruption is passed on.
 */
export function workerRunProcess(ownRunProcess: typeof RunProcess): typeof RunProcess {
  const server = typeof platformWorkerRunProcess === "function" ? platformWorkerRunProcess : undefined;
  if (server === undefined) return ownRunProcess;
  return async (file, args, { interrupt, env = process.env, ...options }) => {
    const { reply, interrupt: stop } = server(file, args, { ...options, env }, interrupt !== undefined);
    if (interrupt?.aborted) stop();
    else interrupt?.addEventListener("abort", stop, { once: true });
    try {
      // Parsed here: objects of this suite's realm, which jest compares.
      return (JSON.parse(await reply) as { result: ProcessResult }).result;
    } finally {
      interrupt?.removeEventListener("abort", stop);
    }
  };
}

/** The options of a process a suite waits for: no time limit, no interruption. */
type SyncOptions = Pick<ProcessOptions, "cwd" | "env" | "input">;

/** `runProcess` for a suite that waits for the process, as its git fixtures do: how it ended. */
export function runProcessSync(file: string, args: readonly string[], options: SyncOptions): ProcessResult {
  const { env = process.env, ...rest } = options;
  if (typeof platformWorkerRunProcessSync === "function") {
    const reply = platformWorkerRunProcessSync(file, args, { ...rest, env });
    return (JSON.parse(reply) as { result: ProcessResult }).result;
  }
  // Where the worker has no process server (no build: a Stryker sandbox), as runProcess would.
  const { input, cwd } = rest;
  const ran = spawnSync(file, [...args], {
    cwd,
    env,
    encoding: "utf8",
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
    ...(input === undefined ? {} : { input }),
  });
  if (ran.error) {
    const code = (ran.error as NodeJS.ErrnoException).code ?? "ERROR";
    return {
      stdout: "",
      stderr: "",
      exitCode: null,
      signal: null,
      stopped: { code, message: ran.error.message },
    };
  }
  return { stdout: ran.stdout, stderr: ran.stderr, exitCode: ran.status, signal: ran.signal };
}

/**
 * `processOutput` for a suite that waits: stdout.
 *
 * @throws ProcessFailure when the process could not start or did not exit with 0.
 */
export function processOutputSync(file: string, args: readonly string[], options: SyncOptions): string {
  const result = runProcessSync(file, args, options);
  if (result.exitCode !== 0 || result.stopped) throw new ProcessFailure(file, result);
  return result.stdout;
}
