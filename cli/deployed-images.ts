import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { isAppName, type AppName } from "../apps/catalog";
import { digestPattern, digestRule, tagPattern, tagRule } from "../apps/image-reference";
import type { EnvironmentName } from "../environments";
import { isRecord } from "../lib/values";
import { processInterruption } from "./context";
import { InputError, InterruptedError, PlatformError } from "./errors";
import { processOutput, type ProcessFailure, type RunProgram } from "./process";

/** What an environment has deployed of one app: its `images.<app>` stack output. */
export interface DeployedImage {
  readonly tag: string;
  readonly digest: string;
  /** The full reference the workloads run, `registry/app:tag@sha256:...`. */
  readonly image?: string;
}

/** An environment's deployed images, by app. */
export type DeployedImages = Readonly<Partial<Record<AppName, DeployedImage>>>;

/** Reads what an environment has deployed. */
export type StackOutputsReader = (environment: EnvironmentName) => Promise<DeployedImages>;

/**
 * Whose outputs these are: the stack's `environmentName` output (index.ts exports it) must be
 * the environment the command reads. Without this check acceptance's outputs, handed to a
 * command about staging, would pass as what staging deployed, and production could skip staging.
 *
 * @returns the problem, or `undefined` when the outputs are `environment`'s.
 */
export function outputsEnvironmentProblem(
  outputs: unknown,
  environment: EnvironmentName,
): string | undefined {
  const found = isRecord(outputs) ? outputs["environmentName"] : undefined;
  if (typeof found !== "string") {
    return `has no 'environmentName' output (found ${kindOf(found)}), so nothing shows they are ${environment}'s outputs`;
  }
  if (found !== environment) {
    // A name is no secret, but a stray value could be anything: quote it only when it looks like one.
    const shown = /^[a-z][a-z0-9-]{0,39}$/.test(found) ? found : kindOf(found);
    return `holds the outputs of ${shown} (its environmentName), not of ${environment}`;
  }
  return undefined;
}

/**
 * Parses the JSON of `pulumi stack output --json` of `environment`'s stack and returns its
 * `images` output. Apps the catalog does not know are ignored (a removed app may still be
 * deployed). Outputs of another environment are refused ({@link outputsEnvironmentProblem}).
 *
 * @returns the images, or the problems that make the JSON unusable.
 */
export function parseStackOutputs(
  json: string,
  environment: EnvironmentName,
): { images: DeployedImages } | { problem: string } {
  let outputs: unknown;
  try {
    outputs = JSON.parse(json);
  } catch (error) {
    // JSON.parse quotes the text it read; stack outputs may hold secrets: only say where.
    const at = /line (\d+) column (\d+)/.exec((error as Error).message);
    return { problem: `is not JSON${at ? ` (line ${at[1]}, column ${at[2]})` : ""}` };
  }
  // A stack never deployed has no outputs at all: that, not whose they are, is the news.
  if (!isRecord(outputs) || !("images" in outputs)) return { problem: "has no 'images' output" };
  const images = outputs["images"];
  if (!isRecord(images))
    return {
      problem: `has 'images' ${kindOf(images)}, expected a map of app name to { tag, digest, image }`,
    };
  const result: Partial<Record<AppName, DeployedImage>> = {};
  const problems: string[] = [];
  for (const [app, entry] of Object.entries(images)) {
    if (!isAppName(app)) continue;
    if (!isRecord(entry)) {
      problems.push(`images.${app}: expected { tag, digest, image }, found ${kindOf(entry)}`);
      continue;
    }
    const { tag, digest, image } = entry;
    const before = problems.length;
    if (typeof tag !== "string" || !tagPattern.test(tag))
      problems.push(`images.${app}.tag: ${kindOf(tag)}, not a valid image tag (${tagRule})`);
    if (typeof digest !== "string" || !digestPattern.test(digest)) {
      problems.push(`images.${app}.digest: ${kindOf(digest)}, not a sha256 digest (${digestRule})`);
    }
    if (problems.length === before) {
      result[app] = {
        tag: tag as string,
        digest: digest as string,
        ...(typeof image === "string" ? { image } : {}),
      };
    }
  }
  if (problems.length > 0) return { problem: `is not valid: ${problems.join("; ")}` };
  const foreign = outputsEnvironmentProblem(outputs, environment);
  if (foreign !== undefined) return { problem: foreign };
  return { images: result };
}

/**
 * What a value is, without showing it (outputs may hold secrets): "a string of 9 characters",
 * "an array", "a number", "null", "nothing".
 */
function kindOf(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return `a string of ${value.length} characters`;
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

const outputsCommand = (environment: EnvironmentName) => `pulumi stack output --json --stack ${environment}`;

/** Reads `images` from a file holding `pulumi stack output --json`. @throws InputError */
export async function readOutputsFile(
  cwd: string,
  file: string,
  environment: EnvironmentName,
): Promise<DeployedImages> {
  const hint = `write it with: ${outputsCommand(environment)} > ${file}`;
  let json: string;
  try {
    json = await readFile(path.resolve(cwd, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === "ENOENT"
        ? `outputs file '${file}' not found; ${hint}`
        : `cannot read outputs file '${file}' (${(error as Error).message}); ${hint}`,
    );
  }
  const parsed = parseStackOutputs(json, environment);
  if ("problem" in parsed) throw new InputError(`outputs file '${file}' ${parsed.problem}; ${hint}`);
  return parsed.images;
}

/** The variable that sets how long `pulumi stack output` may take. */
export const pulumiTimeoutVariable = "PLATFORM_PULUMI_TIMEOUT_SECONDS";

/** How long `pulumi stack output` may take when the variable is not set. */
export const defaultPulumiTimeoutSeconds = 120;

/**
 * The time limit of the Pulumi CLI, from `PLATFORM_PULUMI_TIMEOUT_SECONDS` (default 120).
 *
 * @throws InputError when the variable is set to anything but a positive number of seconds.
 */
export function pulumiTimeoutSeconds(env: Readonly<Record<string, string | undefined>>): number {
  const value = env[pulumiTimeoutVariable];
  if (value === undefined || value.trim() === "") return defaultPulumiTimeoutSeconds;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InputError(
      `${pulumiTimeoutVariable}: '${value}' is not a number of seconds; set a positive number such as ${defaultPulumiTimeoutSeconds}, or unset it for ${defaultPulumiTimeoutSeconds}`,
    );
  }
  return seconds;
}

/**
 * Reads `images` with `pulumi stack output --json --stack <environment>`, run with no input and
 * stopped after `PLATFORM_PULUMI_TIMEOUT_SECONDS` (default 120), or at once on SIGINT or SIGTERM
 * (then InterruptedError: exit 130 or 143).
 *
 * @throws PlatformError when it cannot run, fails, times out or prints no usable images;
 *   InputError for a bad `PLATFORM_PULUMI_TIMEOUT_SECONDS`.
 */
export async function readPulumiOutputs(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  environment: EnvironmentName,
  run: RunProgram = processOutput,
  interrupt: AbortSignal = processInterruption(),
): Promise<DeployedImages> {
  const command = outputsCommand(environment);
  const timeoutSeconds = pulumiTimeoutSeconds(env);
  let json: string;
  try {
    json = await run("pulumi", ["stack", "output", "--json", "--stack", environment], {
      cwd,
      env,
      timeoutSeconds,
      interrupt,
    });
  } catch (error) {
    if (error instanceof InterruptedError) {
      throw new InterruptedError(
        error.signal,
        `running '${command}', which was stopped; nothing was changed`,
      );
    }
    const failure = error as Partial<ProcessFailure>;
    if (failure.code === "ENOENT") {
      throw new PlatformError(
        `cannot run '${command}': the pulumi CLI is not installed or not on PATH; install it, or pass --outputs <file> holding that command's output`,
      );
    }
    if (failure.code === "ETIMEDOUT") {
      throw new PlatformError(
        `'${command}' did not finish within ${timeoutSeconds} s and was stopped; check that the stack's backend is reachable and you are logged in (pulumi login), set ${pulumiTimeoutVariable} to wait longer, or pass --outputs <file>`,
      );
    }
    const said = (failure.stderr ?? "").trim() || failure.message;
    throw new PlatformError(
      `'${command}' failed: ${said}; log in to the stack's backend (pulumi login) or pass --outputs <file>`,
    );
  }
  const parsed = parseStackOutputs(json, environment);
  if ("problem" in parsed) {
    throw new PlatformError(
      `the outputs of stack ${environment} (${command}) ${parsed.problem}; deploy ${environment} first`,
    );
  }
  return parsed.images;
}

/** The outputs reader of a command: the `--outputs` file when given, else the Pulumi CLI. */
export function stackOutputsReader(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  file: string | undefined,
): StackOutputsReader {
  return (environment) =>
    file !== undefined ? readOutputsFile(cwd, file, environment) : readPulumiOutputs(cwd, env, environment);
}
