import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { runProgram, type ProgramRun, type Registration } from "../engine/mock-engine";

/** The repository root. */
export const root = path.join(__dirname, "..");

/**
 * The `config:` map of a stack file as Pulumi hands it to the program: every value a string,
 * objects as JSON.
 */
export function stackConfig(
  stack: string,
  text = readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8"),
): Record<string, string> {
  const config = (parse(text) as { config?: Record<string, unknown> }).config ?? {};
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

/**
 * Runs `index.ts` for `stack` under the mock engine, in a module registry of its own so that
 * every run starts from a fresh `@pulumi/pulumi`.
 */
export async function runStack(
  stack: string,
  config: Record<string, string> = stackConfig(stack),
  preview = false,
): Promise<ProgramRun> {
  let run: ProgramRun | undefined;
  await jest.isolateModulesAsync(async () => {
    const pulumi = (await import("@pulumi/pulumi")) as typeof import("@pulumi/pulumi");
    run = await runProgram({ stack, config, preview, pulumi, load: () => import("../index") });
  });
  if (!run) throw new Error("the program did not run");
  return run;
}

/** The registrations of one resource type. */
export function ofType(run: ProgramRun, type: string): Registration[] {
  return run.registrations.filter((registration) => registration.type === type);
}

/** The single registration of a type (and name suffix); fails when there are none or several. */
export function only(run: ProgramRun, type: string, name?: string): Registration {
  const found = ofType(run, type).filter((registration) => name === undefined || registration.name === name);
  if (found.length !== 1)
    throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
  return found[0]!;
}
