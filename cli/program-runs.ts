import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { ProgramRun } from "../engine/mock-engine";
import type { PlanRequest, PlanResponse } from "../engine/plan-runner";
import { InputError, PlatformError } from "./errors";

/** The stack config of a stack file's text as Pulumi hands it to a program: key → string. */
export function pulumiConfig(stackFileText: string): Record<string, string> {
  const config = (parse(stackFileText) as { config?: Record<string, unknown> } | null)?.config ?? {};
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

/** The compiled runner: beside this file's compiled copy, or in `dist/` when running from source (tests). */
const runnerPath = [
  path.join(__dirname, "..", "engine", "plan-runner.js"),
  path.join(__dirname, "..", "dist", "engine", "plan-runner.js"),
].find((candidate) => existsSync(candidate));

/**
 * Runs the Pulumi program in `dir` for `stack` under the mock engine, in a child process of its
 * own, and returns what it registered (secrets masked).
 *
 * @throws InputError for bad stack config; PlatformError when the program fails or does not
 *   finish within `timeoutSeconds` (naming the resources still waiting).
 */
export async function runPlan(request: PlanRequest): Promise<ProgramRun> {
  if (!existsSync(path.join(request.dir, "Pulumi.yaml"))) {
    throw new InputError(
      `no Pulumi project (Pulumi.yaml) in ${request.dir}; run platform in the repository's top directory`,
    );
  }
  if (!runnerPath) throw new PlatformError("the compiled plan runner is missing; run npm run build");
  const output = await new Promise<string>((resolve) => {
    execFile(
      process.execPath,
      [runnerPath, JSON.stringify(request)],
      { cwd: request.dir, maxBuffer: 256 * 1024 * 1024, timeout: (request.timeoutSeconds + 30) * 1000 },
      (_error, stdout) => resolve(stdout),
    );
  });
  const line = output.trim().split("\n").pop() ?? "";
  let response: PlanResponse;
  try {
    response = JSON.parse(line) as PlanResponse;
  } catch {
    throw new PlatformError(
      `the program run for ${request.stack} ended without a result${line ? `: ${line.slice(0, 500)}` : ""}`,
    );
  }
  if (response.ok) return response.run;
  if (response.kind === "config") throw new InputError(response.error);
  throw new PlatformError(`the program failed for ${request.stack}: ${response.error}`);
}
