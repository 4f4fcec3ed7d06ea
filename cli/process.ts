// The one way the CLI starts a child process: git, pulumi, az, tar and the plan runner all go
// through `runProcess`, which never uses a shell and always reports the exit status and stderr.
import { spawn } from "node:child_process";
import { InterruptedError } from "./errors";

/** How a child process ended. */
export interface ProcessResult {
  readonly stdout: string;
  readonly stderr: string;
  /** The exit code; null when a signal ended the process or it never started. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /**
   * Why the process did not run to its own end, if it did not: it could not start (`ENOENT`:
   * not installed or not on PATH), took longer than its time limit (`ETIMEDOUT`), or printed
   * more than the buffer holds (`EMAXBUFFER`).
   */
  readonly stopped?: { readonly code: string; readonly message: string };
}

/** How to run a child process. */
export interface ProcessOptions {
  readonly cwd: string;
  /** The whole environment of the process (default: this process's). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Written to its stdin; without it stdin is /dev/null, so a prompt ends at once. */
  readonly input?: string;
  /** Stops the process (SIGTERM, then SIGKILL) after this long: `stopped.code` "ETIMEDOUT". */
  readonly timeoutSeconds?: number;
  /** The most stdout and stderr together may hold (default 64 MiB); more kills the process. */
  readonly maxBytes?: number;
  /**
   * Stops the process (SIGTERM, then SIGKILL) when this aborts, as the command's interruption
   * does (`processInterruption`): `stopped.code` "INTERRUPTED". Only for a process whose end
   * nothing needs (pulumi stack output, az): a cleanup step must not pass it.
   */
  readonly interrupt?: AbortSignal;
}

/** How long a process stopped with SIGTERM has before SIGKILL. */
const killGraceMs = 5000;

/** Runs `file` with `args`, never through a shell, and resolves to how it ended; never rejects. */
export function runProcess(
  file: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<ProcessResult> {
  const { cwd, env = process.env, input, timeoutSeconds, maxBytes = 64 * 1024 * 1024, interrupt } = options;
  return new Promise((resolve) => {
    const child = spawn(file, [...args], {
      cwd,
      env,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let stopped: ProcessResult["stopped"];
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString("utf8");
    const settle = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      interrupt?.removeEventListener("abort", onInterrupt);
      resolve({
        stdout: text(stdout),
        stderr: text(stderr),
        exitCode,
        signal,
        ...(stopped ? { stopped } : {}),
      });
    };
    const stop = (code: string, message: string) => {
      stopped ??= { code, message };
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), killGraceMs).unref();
      child.once("exit", () => clearTimeout(kill));
      // A child of the process may hold its output open after it ends: stop reading.
      child.stdout?.destroy();
      child.stderr?.destroy();
      settle(null, null);
    };
    const collect = (chunks: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > maxBytes) stop("EMAXBUFFER", `it printed more than ${maxBytes} bytes`);
    };
    const onInterrupt = () => stop("INTERRUPTED", "the command was interrupted");
    if (interrupt?.aborted) queueMicrotask(onInterrupt);
    else interrupt?.addEventListener("abort", onInterrupt, { once: true });
    child.stdout?.on("data", collect(stdout));
    child.stderr?.on("data", collect(stderr));
    if (timeoutSeconds !== undefined) {
      timer = setTimeout(
        () => stop("ETIMEDOUT", `after ${timeoutSeconds} s, its time limit`),
        timeoutSeconds * 1000,
      );
    }
    if (child.stdin) {
      // The process may exit before reading its input (it failed); that shows in its exit code.
      child.stdin.on("error", () => undefined);
      child.stdin.end(input);
    }
    child.on("error", (error: NodeJS.ErrnoException) => {
      stopped ??= { code: error.code ?? "ERROR", message: error.message };
      settle(null, null);
    });
    child.on("close", (code, signal) => settle(code, signal));
  });
}

/** A process that could not start, did not exit with 0, or was stopped; with what it said. */
export class ProcessFailure extends Error {
  constructor(
    readonly file: string,
    readonly result: ProcessResult,
  ) {
    const said = result.stderr.trim();
    // The end of stderr, where the cause is, for a failure nobody catches.
    super(`${file} ${howItEnded(result)}${said === "" ? "" : `: ${said.slice(-2000)}`}`);
    this.name = "ProcessFailure";
  }

  /** `ENOENT`, `ETIMEDOUT`, `EMAXBUFFER`, the exit code, or the signal that ended it. */
  get code(): string | number | undefined {
    return this.result.stopped?.code ?? this.result.exitCode ?? this.result.signal ?? undefined;
  }

  get stderr(): string {
    return this.result.stderr;
  }
}

/** How a process ended, for messages: "exited with code 2", "was ended by SIGKILL", why it was stopped. */
export function howItEnded(result: ProcessResult): string {
  if (result.stopped) return `was stopped (${result.stopped.message})`;
  if (result.signal) return `was ended by ${result.signal}`;
  return result.exitCode === 0 ? "ended" : `exited with code ${String(result.exitCode)}`;
}

/** Runs a program and resolves to its stdout: the adapter commands take, so that tests can replace it. */
export type RunProgram = (file: string, args: readonly string[], options: ProcessOptions) => Promise<string>;

/**
 * `processOutput` over `run`, a way of starting processes with `runProcess`'s contract (the
 * tests start theirs from their jest worker's process server, test/worker-processes.ts).
 */
export function processOutputVia(run: typeof runProcess): RunProgram {
  return async (file, args, options) => {
    const result = await run(file, args, options);
    if (result.exitCode !== 0 || result.stopped) {
      // A Ctrl-C reaches the child too, which may end before the interruption is seen here.
      const reason: unknown = options.interrupt?.aborted ? options.interrupt.reason : undefined;
      if (reason instanceof InterruptedError) throw reason;
      throw new ProcessFailure(file, result);
    }
    return result.stdout;
  };
}

/**
 * Runs a program (as `runProcess`) and resolves to its stdout.
 *
 * @throws ProcessFailure when it could not start, exited non-zero, or was stopped;
 *   InterruptedError (the interruption's reason) when `options.interrupt` stopped it.
 */
export const processOutput: RunProgram = processOutputVia(runProcess);
