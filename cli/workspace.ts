import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { EnvironmentName } from "../environments";
import { InputError, PlatformError } from "./errors";

/** The stack config file of an environment, relative to the repository directory. */
export function stackFileName(environment: EnvironmentName): string {
  return `Pulumi.${environment}.yaml`;
}

/** Reads an environment's stack file from `cwd`. @throws InputError when it does not exist. */
export async function readStackFile(cwd: string, environment: EnvironmentName): Promise<string> {
  const name = stackFileName(environment);
  try {
    return await fs.readFile(path.join(cwd, name), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new InputError(
        `${name} not found in ${cwd}; run platform in the directory that holds the stack files`,
      );
    }
    throw new PlatformError(`cannot read ${name}: ${(error as Error).message}`);
  }
}

/** The file operations an atomic write needs; tests pass failing ones. */
export type AtomicWriteFs = Pick<typeof fs, "open" | "rename" | "rm" | "stat">;

/**
 * Replaces a file's content atomically: writes a temporary file beside it, flushes it, and
 * renames it over the original, keeping the original's mode. A failure at any step removes the
 * temporary file and leaves the original as it was.
 *
 * @throws PlatformError saying the file is unchanged.
 */
export async function writeFileAtomic(file: string, text: string, files: AtomicWriteFs = fs): Promise<void> {
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`,
  );
  try {
    const { mode } = await files.stat(file);
    const handle = await files.open(temporary, "wx", mode & 0o777);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await files.rename(temporary, file);
  } catch (error) {
    await files.rm(temporary, { force: true }).catch(() => undefined);
    throw new PlatformError(
      `cannot write ${path.basename(file)} (${(error as Error).message}); the file is unchanged`,
    );
  }
}
