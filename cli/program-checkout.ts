import { existsSync } from "node:fs";
import { rm, symlink } from "node:fs/promises";
import * as path from "node:path";
import { repositoryPrefix, type Git } from "./git";
import { processOutput } from "./process";

/**
 * Writes the program as it is at `commit` into `dir` (its tree under the repository prefix),
 * beside this checkout's dependencies, and compiles it once, before runs start side by side.
 */
export async function checkOutProgram(git: Git, commit: string, dir: string, cwd: string): Promise<void> {
  const prefix = await repositoryPrefix(git);
  const archive = path.join(dir, "program.tar");
  await git.run(["archive", "--format=tar", "-o", archive, `${commit}:${prefix}`]);
  await processOutput("tar", ["-xf", archive, "-C", dir], { cwd });
  await rm(archive);
  await symlink(path.join(cwd, "node_modules"), path.join(dir, "node_modules"), "dir");
  const builder = path.join(dir, "bin", "ensure-built.js");
  if (existsSync(builder)) await processOutput(process.execPath, [builder], { cwd: dir });
}
