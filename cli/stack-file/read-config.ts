import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { bootstrapStackFile, parseBootstrapConfig, type BootstrapConfig } from "../../bootstrap/config";
import type { EnvironmentName } from "../../environments/settings";
import { configMap, parseStackFile } from "../../stack-config/from-file";
import type { StackConfig } from "../../stack-config/schema";
import { InputError } from "../errors";
import { readStackFile, stackFileName } from "./files";

// The CLI's side of reading stack files: from disk, with the CLI's errors for a missing or
// unreadable file. Parsing and checking are stack-config/from-file.ts's, shared with the tests.

/** Reads and parses the stack file of `environment` in `cwd`. */
export async function readStackConfigFile(cwd: string, environment: EnvironmentName): Promise<StackConfig> {
  return parseStackFile(await readStackFile(cwd, environment), environment, stackFileName(environment));
}

export { bootstrapStackFile };

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
