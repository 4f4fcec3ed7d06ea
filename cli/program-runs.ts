import { existsSync } from "node:fs";
import * as path from "node:path";
import type { ProgramRun } from "../engine/mock-engine";
import type { PlanRequest, PlanResponse } from "../engine/plan-runner";
import { InputError, PlatformError } from "./errors";
import { howItEnded, runProcess, type ProcessResult } from "./process";

/** The compiled runner: beside this file's compiled copy, or in `dist/` when running from source (tests). */
const runnerPath = [
  path.join(__dirname, "..", "engine", "plan-runner.js"),
  path.join(__dirname, "..", "dist", "engine", "plan-runner.js"),
].find((candidate) => existsSync(candidate));

/** How the runner's process ended. */
export type RunnerOutcome = ProcessResult;

/** The runner's last line of output: its response, unless it ended before printing one. */
const lastLine = (stdout: string): string => stdout.trim().split("\n").pop() ?? "";

function responseOf(stdout: string): PlanResponse | undefined {
  const line = lastLine(stdout);
  try {
    const response = JSON.parse(line) as unknown;
    return typeof response === "object" && response !== null && "ok" in response
      ? (response as PlanResponse)
      : undefined;
  } catch {
    return undefined;
  }
}

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
 * The plan a runner's process produced, accepted only when the process exited with 0 and its
 * last line of output says ok: a program may print lines of its own, and a process that printed
 * a plan and then failed (an error thrown after the plan, a kill) may have printed a partial one.
 *
 * @throws InputError for bad stack config; PlatformError for anything else.
 */
export function planOf(stack: string, outcome: RunnerOutcome): ProgramRun {
  const response = responseOf(outcome.stdout);
  const exitedCleanly = outcome.exitCode === 0 && !outcome.signal && !outcome.stopped;
  if (response?.ok && exitedCleanly) return response.run;
  if (response?.ok) {
    throw new PlatformError(
      `the program run for ${stack} printed a plan but ${howItEnded(outcome)}, so the plan may be partial${stderrTail(outcome.stderr)}`,
    );
  }
  if (response?.kind === "config") throw new InputError(response.error);
  if (response) throw new PlatformError(`the program failed for ${stack}: ${response.error}`);
  const line = lastLine(outcome.stdout);
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

/**
 * Runs the Pulumi program in `dir` for `stack` under the mock engine, in a child process of its
 * own, and returns what it registered (secrets masked).
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
  // The runner stops the program itself after timeoutSeconds; this limit is for the runner.
  const limitSeconds = request.timeoutSeconds + 30;
  const outcome = await runProcess(process.execPath, [runnerPath, JSON.stringify(request)], {
    cwd: request.dir,
    maxBytes: 256 * 1024 * 1024,
    timeoutSeconds: limitSeconds,
  });
  return planOf(request.stack, outcome);
}
