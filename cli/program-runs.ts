import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, realpathSync } from "node:fs";
import * as path from "node:path";
import type { ProgramRun } from "../engine/mock-engine";
import type { PlanRequest, RunnerReceipt, RunnerReply, RunnerRequest } from "../engine/plan-runner";
import { InputError, PlatformError } from "./errors";
import { howItEnded, type ProcessResult } from "./process";

/** The compiled runner: beside this file's compiled copy, or in `dist/` when running from source (tests). */
const runnerPath = [
  path.join(__dirname, "..", "engine", "plan-runner.js"),
  path.join(__dirname, "..", "dist", "engine", "plan-runner.js"),
].find((candidate) => existsSync(candidate));

/**
 * How a runner answered one request: its reply, or how its process ended without one, with the
 * end of what it printed meanwhile (the program's own output).
 */
export type RunnerOutcome = ProcessResult & { readonly reply?: RunnerReply };

/** How many lines of the runner's stderr a failure shows: the end, where the cause is. */
export const stderrLines = 20;

/** The end of the runner's stderr, indented under the message; empty when it printed nothing. */
function stderrTail(stderr: string): string {
  const lines = stderr.trim() === "" ? [] : stderr.trim().split("\n");
  if (lines.length === 0) return "";
  const shown = lines.slice(-stderrLines).map((line) => `  ${line.trimEnd().slice(0, 500)}`);
  const heading = lines.length > stderrLines ? `its last ${stderrLines} lines on stderr` : "its stderr";
  return `; ${heading}:\n${shown.join("\n")}`;
}

/**
 * The plan in a runner's reply. A reply is one message, whole or absent: what the program
 * prints, on stdout or anywhere else, is never taken for one.
 *
 * @throws InputError for bad stack config; PlatformError for anything else.
 */
export function planOf(stack: string, outcome: RunnerOutcome): ProgramRun {
  const response = outcome.reply?.response;
  if (response?.ok) return response.run;
  if (response?.kind === "config") throw new InputError(response.error);
  if (response) throw new PlatformError(`the program failed for ${stack}: ${response.error}`);
  const line = outcome.stdout.trim().split("\n").pop() ?? "";
  const output = line ? `; its last line of output: ${line.slice(0, 500)}` : "";
  throw new PlatformError(
    `the program run for ${stack} ${howItEnded(outcome)} without a result${output}${stderrTail(outcome.stderr)}`,
  );
}

/** How long a program run may take before it counts as hung (`PLATFORM_PLAN_TIMEOUT_SECONDS`). */
export function planTimeoutSeconds(env: Readonly<Record<string, string | undefined>>): number {
  const seconds = Number(env["PLATFORM_PLAN_TIMEOUT_SECONDS"] ?? 120);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 120;
}

/** A runner process. Its output is kept from the start of its current request, the end only. */
interface Runner {
  readonly child: ChildProcess;
  /** Resolves when the process has ended and its output is closed, or it could not start. */
  readonly closed: Promise<Pick<ProcessResult, "exitCode" | "signal" | "stopped">>;
  stdout: string;
  stderr: string;
  idleTimer?: NodeJS.Timeout;
}

/** How much of a runner's stdout and stderr is kept per request: their ends, for messages. */
const keptOutput = 64 * 1024;
/**
 * How long an idle runner waits for another request before it is ended. The CLI's runners end
 * with the CLI; this is for a process that plans and goes on (tests end theirs with
 * {@link endIdleRunners}). Undefined after {@link keepIdleRunners}: until that call.
 */
let idleSeconds: number | undefined = 60;

/**
 * Keeps idle runners until {@link endIdleRunners}, instead of ending each after a minute, for a
 * process that calls it when it has no more plans to make: a jest worker, whose suites plan
 * minutes apart on a busy machine, and whose next plan in a fresh runner costs about 1 CPU-s
 * more (test/jest-environment.js, docs/decisions/0076).
 */
export function keepIdleRunners(): void {
  idleSeconds = undefined;
  for (const runners of idle.values()) runners.forEach((runner) => clearTimeout(runner.idleTimer));
}
/** How long a runner stopped with SIGTERM has before SIGKILL. */
const killGraceMs = 5000;

/** Idle runners, by the `@pulumi/pulumi` they have loaded: a process holds one copy only. */
const idle = new Map<string, Runner[]>();

/** Every runner started whose process has not ended yet, idle or not, and its end. */
const live = new Map<Runner, Promise<void>>();

/** The `@pulumi/pulumi` the program in `dir` loads; `dir` itself when none resolves. */
function sdkOf(dir: string): string {
  try {
    return realpathSync(require.resolve("@pulumi/pulumi", { paths: [dir] }));
  } catch {
    return dir;
  }
}

/** Keeps (`true`) or stops keeping (`false`) this process alive for a runner. */
function hold(runner: Runner, held: boolean): void {
  const { child } = runner;
  const handles = [child, child.channel, child.stdout, child.stderr] as (
    | {
        ref?(): void;
        unref?(): void;
      }
    | null
    | undefined
  )[];
  for (const handle of handles) {
    if (held) handle?.ref?.();
    else handle?.unref?.();
  }
}

/**
 * The runner's Node flags. None of this process's (a debugger's, a test runner's), and a young
 * generation of up to 64 MB: a run makes promises and outputs by the hundred thousand, and with
 * Node's default a third of a run's CPU went to collecting them (15% less CPU per run,
 * docs/decisions/0064).
 */
const runnerNodeFlags: readonly string[] = ["--max-semi-space-size=64"];

function startRunner(runner: string): Runner {
  const child = fork(runner, [], {
    execArgv: [...runnerNodeFlags],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const started: Runner = {
    child,
    closed: new Promise((resolve) => {
      child.on("error", (error: NodeJS.ErrnoException) =>
        resolve({
          exitCode: null,
          signal: null,
          stopped: { code: error.code ?? "ERROR", message: error.message },
        }),
      );
      child.on("close", (exitCode, signal) => resolve({ exitCode, signal }));
    }),
    stdout: "",
    stderr: "",
  };
  const keep = (stream: "stdout" | "stderr") => (chunk: string) => {
    started[stream] = (started[stream] + chunk).slice(-keptOutput);
  };
  child.stdout?.setEncoding("utf8").on("data", keep("stdout"));
  child.stderr?.setEncoding("utf8").on("data", keep("stderr"));
  // Its end, not its output's ('close' need not come once the channel was disconnected here).
  const exited = new Promise<void>((resolve) => {
    child.on("exit", () => resolve());
    child.on("error", () => resolve());
  });
  live.set(started, exited);
  void exited.then(() => live.delete(started));
  return started;
}

/** An idle runner for `key` that is still there (one may have ended since it was released). */
function takeIdle(key: string): Runner | undefined {
  const runners = idle.get(key) ?? [];
  for (let runner = runners.pop(); runner; runner = runners.pop()) {
    clearTimeout(runner.idleTimer);
    const { child } = runner;
    if (child.connected && child.exitCode === null && child.signalCode === null) return runner;
  }
  return undefined;
}

/** Puts a runner that said it can take another request among the idle ones. */
function release(key: string, runner: Runner): void {
  const runners = idle.get(key) ?? [];
  idle.set(key, runners);
  runners.push(runner);
  hold(runner, false);
  if (idleSeconds === undefined) return;
  // One that ends meanwhile stays listed until takeIdle passes over it.
  runner.idleTimer = setTimeout(() => {
    const index = runners.indexOf(runner);
    if (index >= 0) runners.splice(index, 1);
    end(runner);
  }, idleSeconds * 1000).unref();
}

/** Ends an idle runner: without its channel, it exits. */
function end(runner: Runner): void {
  clearTimeout(runner.idleTimer);
  if (runner.child.connected) runner.child.disconnect();
}

/**
 * Ends every idle runner, for a process that has no more plans to make, and resolves when every
 * runner it started has ended: a runner writes Node's compile cache as it exits, and its CPU
 * counts as the command's only when the command waits for it (bin/platform.js does).
 */
export async function endIdleRunners(): Promise<void> {
  for (const runners of idle.values()) runners.splice(0).forEach(end);
  // Held, so that this process waits for them.
  for (const runner of live.keys()) hold(runner, true);
  await Promise.all(live.values());
}

/**
 * Sends one request and waits for the reply, the end of the process, or `limitSeconds`.
 * `received`: whether the runner said it had the request (its receipt) before its outcome.
 */
function ask(
  runner: Runner,
  request: PlanRequest,
  limitSeconds: number,
): Promise<RunnerOutcome & { readonly received: boolean }> {
  const { child } = runner;
  const id = randomUUID();
  runner.stdout = "";
  runner.stderr = "";
  hold(runner, true);
  return new Promise((resolve) => {
    let settled = false;
    let received = false;
    const settle = (how: Omit<RunnerOutcome, "stdout" | "stderr">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve({ ...how, stdout: runner.stdout, stderr: runner.stderr, received });
    };
    const onMessage = (message: unknown) => {
      const receipt = message as Partial<RunnerReceipt> | undefined;
      if (!received && receipt?.id === id && receipt.received === true) {
        received = true;
        return;
      }
      const reply = message as RunnerReply | undefined;
      if (reply?.id === id && typeof reply.response?.ok === "boolean") {
        settle({ reply, exitCode: null, signal: null });
        return;
      }
      // Only the runner writes to its channel, a receipt and a reply per request: anything else
      // is not a plan.
      child.kill("SIGKILL");
      settle({
        exitCode: null,
        signal: null,
        stopped: { code: "EPROTO", message: "it sent a message that is not its reply" },
      });
    };
    child.on("message", onMessage);
    void runner.closed.then(settle);
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), killGraceMs).unref();
      settle({
        exitCode: null,
        signal: null,
        stopped: { code: "ETIMEDOUT", message: `after ${limitSeconds} s, its time limit` },
      });
    }, limitSeconds * 1000);
    const message: RunnerRequest = { id, request };
    // A process that is gone cannot take it: its end settles the outcome.
    child.send(message, (error) => void error);
  });
}

/**
 * Runs the Pulumi program in `dir` for `stack` under the mock engine, in a runner process
 * (engine/plan-runner.ts), and returns what it registered (secrets masked). A runner whose run
 * left nothing behind serves the next request for a program with the same `@pulumi/pulumi`;
 * one that stays idle for a minute ends.
 *
 * @throws InputError for bad stack config; PlatformError when the program fails (an error thrown
 *   anywhere, in an `apply` too, or a resource it constructed but never registered), when its
 *   process fails, or when it does not finish within `timeoutSeconds` (naming the resources
 *   still waiting).
 */
export async function runPlan(request: PlanRequest): Promise<ProgramRun> {
  if (!existsSync(path.join(request.dir, "Pulumi.yaml"))) {
    throw new InputError(
      `no Pulumi project (Pulumi.yaml) in ${request.dir}; run platform in the repository's top directory`,
    );
  }
  if (!runnerPath) throw new PlatformError("the compiled plan runner is missing; run npm run build");
  const key = sdkOf(request.dir);
  // The runner stops the program itself after timeoutSeconds; this limit is for the runner.
  const limitSeconds = request.timeoutSeconds + 30;
  const reused = takeIdle(key);
  let runner = reused ?? startRunner(runnerPath);
  let outcome = await ask(runner, request, limitSeconds);
  if (reused && !outcome.reply && !outcome.received && !outcome.stopped) {
    // A reused runner that ended without taking the request may have ended before it reached
    // it: the request once more, in a runner of its own. One that took it ended in the run:
    // running the program again would only end another runner (and repeat what it did).
    runner = startRunner(runnerPath);
    outcome = await ask(runner, request, limitSeconds);
  }
  if (outcome.reply?.reusable) release(key, runner);
  return planOf(request.stack, outcome);
}
