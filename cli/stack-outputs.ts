import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { isAppName, type AppName } from "../apps/catalog";
import { digestPattern, digestRule, tagPattern, tagRule } from "../apps/image-reference";
import type { EnvironmentName } from "../environments";
import { InputError, PlatformError } from "./errors";

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

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const quote = (value: unknown): string =>
  typeof value === "string" ? `'${value}'` : (JSON.stringify(value) ?? "nothing");

/**
 * Parses the JSON of `pulumi stack output --json` and returns its `images` output. Apps the
 * catalog does not know are ignored (a removed app may still be deployed).
 *
 * @returns the images, or the problems that make the JSON unusable.
 */
export function parseStackOutputs(json: string): { images: DeployedImages } | { problem: string } {
  let outputs: unknown;
  try {
    outputs = JSON.parse(json);
  } catch (error) {
    return { problem: `is not JSON (${(error as Error).message.replace(/\s+/g, " ").trim()})` };
  }
  if (!isRecord(outputs) || !("images" in outputs)) return { problem: "has no 'images' output" };
  const images = outputs["images"];
  if (!isRecord(images))
    return { problem: `has 'images' ${quote(images)}, expected a map of app name to { tag, digest, image }` };
  const result: Partial<Record<AppName, DeployedImage>> = {};
  const problems: string[] = [];
  for (const [app, entry] of Object.entries(images)) {
    if (!isAppName(app)) continue;
    if (!isRecord(entry)) {
      problems.push(`images.${app}: expected { tag, digest, image }, found ${quote(entry)}`);
      continue;
    }
    const { tag, digest, image } = entry;
    const before = problems.length;
    if (typeof tag !== "string" || !tagPattern.test(tag))
      problems.push(`images.${app}.tag: ${quote(tag)} is not a valid image tag (${tagRule})`);
    if (typeof digest !== "string" || !digestPattern.test(digest)) {
      problems.push(`images.${app}.digest: ${quote(digest)} is not a sha256 digest (${digestRule})`);
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
  return { images: result };
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
  const parsed = parseStackOutputs(json);
  if ("problem" in parsed) throw new InputError(`outputs file '${file}' ${parsed.problem}; ${hint}`);
  return parsed.images;
}

/** Runs a program without a shell and resolves to its stdout; the adapter tests can replace. */
export type RunProgram = (
  file: string,
  args: readonly string[],
  options: { cwd: string; env: Readonly<Record<string, string | undefined>> },
) => Promise<string>;

/** A program that could not start (`code` "ENOENT") or exited non-zero, with what it said. */
export class ProgramFailure extends Error {
  constructor(
    message: string,
    readonly code: string | number | undefined,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "ProgramFailure";
  }
}

export const runProgram: RunProgram = (file, args, { cwd, env }) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new ProgramFailure(error.message, error.code ?? undefined, stderr));
    });
  });

/** Reads `images` with `pulumi stack output --json --stack <environment>`. @throws PlatformError */
export async function readPulumiOutputs(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  environment: EnvironmentName,
  run: RunProgram = runProgram,
): Promise<DeployedImages> {
  const command = outputsCommand(environment);
  let json: string;
  try {
    json = await run("pulumi", ["stack", "output", "--json", "--stack", environment], { cwd, env });
  } catch (error) {
    const failure = error as Partial<ProgramFailure>;
    if (failure.code === "ENOENT") {
      throw new PlatformError(
        `cannot run '${command}': the pulumi CLI is not installed or not on PATH; install it, or pass --outputs <file> holding that command's output`,
      );
    }
    const said = (failure.stderr ?? "").trim() || failure.message;
    throw new PlatformError(
      `'${command}' failed: ${said}; log in to the stack's backend (pulumi login) or pass --outputs <file>`,
    );
  }
  const parsed = parseStackOutputs(json);
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
