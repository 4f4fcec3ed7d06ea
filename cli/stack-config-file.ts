import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { bootstrapStack, parseBootstrapConfig, type BootstrapConfig } from "../bootstrap/config";
import type { EnvironmentName } from "../environments/settings";
import { parseStackConfig, StackConfigError, type StackConfig } from "../environments/stack-config";
import { InputError } from "./errors";
import { readStackData } from "./stack-file/parse-yaml";
import { readStackFile, stackFileName } from "./stack-file/files";

/**
 * The `config:` map of a stack file's text, read as Pulumi reads it (`readStackData`, the one
 * reader of stack files).
 *
 * @throws StackConfigError for text that is not YAML (a duplicate key, say) and a file without
 *   a `config:` map.
 */
export function configMap(text: string, source: string): Record<string, unknown> {
  const root = readStackData(text, source);
  const config =
    typeof root === "object" && root !== null ? (root as { config?: unknown }).config : undefined;
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new StackConfigError(source, [
      "config: missing; a stack file holds its settings under a `config:` map",
    ]);
  }
  return config as Record<string, unknown>;
}

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
  return parseStackConfig(environment, configMap(text, source), source);
}

/** Reads and parses the stack file of `environment` in `cwd`. */
export async function readStackConfigFile(cwd: string, environment: EnvironmentName): Promise<StackConfig> {
  return parseStackFile(await readStackFile(cwd, environment), environment, stackFileName(environment));
}

/** The bootstrap stack's file, relative to the repository directory. */
export const bootstrapStackFile = `bootstrap/Pulumi.${bootstrapStack}.yaml`;

/**
 * Reads and parses the bootstrap stack's file in `cwd`: the shared registry every environment
 * pulls from.
 *
 * @throws InputError when it does not exist; StackConfigError when it is not valid.
 */
export async function readBootstrapConfig(cwd: string): Promise<BootstrapConfig> {
  let text: string;
  try {
    text = await readFile(path.join(cwd, bootstrapStackFile), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new InputError(
        `${bootstrapStackFile} not found in ${cwd}; run platform in the repository's top directory`,
      );
    }
    throw error;
  }
  return parseBootstrapConfig(configMap(text, bootstrapStackFile), bootstrapStackFile);
}
