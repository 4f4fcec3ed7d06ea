import { existsSync } from "node:fs";
import { cp, readFile, rm, symlink, utimes } from "node:fs/promises";
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
  if (!existsSync(builder)) return;
  await seedBuild(cwd, dir);
  await processOutput(process.execPath, [builder], { cwd: dir });
}

/**
 * Gives the checkout in `dir` the compiled program of the one in `cwd` as the start of its own
 * build, when both build with the same bin/ensure-built.js: it then compiles only the sources
 * that differ and removes the outputs of those it lacks (decision 0078). Its stamp is made as old
 * as can be, so that the build compares every source. Another builder builds from nothing.
 */
async function seedBuild(cwd: string, dir: string): Promise<void> {
  const builder = (root: string) =>
    readFile(path.join(root, "bin", "ensure-built.js"), "utf8").catch(() => null);
  const built = path.join(cwd, "dist");
  const [ours, theirs] = await Promise.all([builder(cwd), builder(dir)]);
  if (ours === null || ours !== theirs || !existsSync(path.join(built, ".build-stamp"))) return;
  await cp(built, path.join(dir, "dist"), { recursive: true });
  await utimes(path.join(dir, "dist", ".build-stamp"), 0, 0);
}
