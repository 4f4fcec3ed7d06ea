import { InputError, PlatformError } from "../cli/errors";
import type { runPlan as RunPlan } from "../cli/program-runs";
import { decodeRun, encodeRun } from "./program";

/** The compiled `runPlan` of this jest worker (test/jest-environment.js), when there is one. */
declare const platformWorkerRunPlan: typeof RunPlan | undefined;

/**
 * An error of the worker's compiled CLI as this suite's own class: the CLI tells a user's
 * mistake (exit 2) from a failed plan (exit 1) by `instanceof`.
 */
function ownError(error: unknown): unknown {
  // Of another realm: not `instanceof Error` here.
  if (typeof error !== "object" || error === null || !("name" in error) || !("message" in error))
    return error;
  const message = String(error.message);
  if (error.name === "InputError") return new InputError(message);
  if (error.name === "PlatformError") {
    const exitCode = "exitCode" in error && typeof error.exitCode === "number" ? error.exitCode : 1;
    return new PlatformError(message, exitCode);
  }
  return error;
}

/**
 * `runPlan` through the plan runners of this jest worker, shared by the suites it runs, or
 * `ownRunPlan` (this suite's own runners) where the worker has none. The plan and the error
 * are made anew in this suite: jest compares objects of one realm, and the CLI checks errors
 * by class.
 */
export function workerRunPlan(ownRunPlan: typeof RunPlan): typeof RunPlan {
  const worker = typeof platformWorkerRunPlan === "function" ? platformWorkerRunPlan : undefined;
  if (worker === undefined) return ownRunPlan;
  return async (request) => {
    try {
      return decodeRun(encodeRun(await worker(request)));
    } catch (error) {
      throw ownError(error);
    }
  };
}
