import { load } from "js-yaml";
import type { EnvironmentName } from "../environments/settings";
import { parseStackConfig, StackConfigError, type StackConfig } from "../environments/stack-config";
import { readStackFile, stackFileName } from "./workspace";

/**
 * Parses a stack file's text into the checked stack config of `environment`, as the program
 * would see it. Values Pulumi keeps encrypted (`secure:`) stay opaque. (Reading only: edits go
 * through `stack-file.ts`, which keeps comments and layout.)
 *
 * @throws StackConfigError for text that is not YAML (a duplicate key, say), a file without a
 *   `config:` map, and every problem `parseStackConfig` finds.
 */
export function parseStackFile(
  text: string,
  environment: string,
  source = `Pulumi.${environment}.yaml`,
): StackConfig {
  let root: unknown;
  try {
    root = load(text, { filename: source });
  } catch (error) {
    const reason =
      error instanceof Error
        ? (error as Error & { reason?: string; mark?: { line: number; column: number } })
        : undefined;
    const where = reason?.mark ? `line ${reason.mark.line + 1}, column ${reason.mark.column + 1}: ` : "";
    throw new StackConfigError(source, [`${where}not valid YAML: ${reason?.reason ?? String(error)}`]);
  }
  const config =
    typeof root === "object" && root !== null ? (root as { config?: unknown }).config : undefined;
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new StackConfigError(source, [
      "config: missing; a stack file holds its settings under a `config:` map",
    ]);
  }
  return parseStackConfig(environment, config as Record<string, unknown>, source);
}

/** Reads and parses the stack file of `environment` in `cwd`. */
export async function readStackConfig(cwd: string, environment: EnvironmentName): Promise<StackConfig> {
  return parseStackFile(await readStackFile(cwd, environment), environment, stackFileName(environment));
}
