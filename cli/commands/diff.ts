import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parseEnvironment } from "../arguments";
import { InputError } from "../errors";
import { createGit, repositoryPrefix, resolveCommit } from "../git";
import { diffPlans, formatDiff, isEmptyDiff } from "../plan";
import { pulumiConfig, runPlan } from "../program-runs";
import { parseStackFile } from "../stack-config-file";
import { readStackFile, stackFileName } from "../workspace";
import type { RegisterCommand } from "./index";
import { planTimeoutSeconds } from "./plan";

const run = promisify(execFile);

/**
 * `platform diff <environment> --base <ref>`: plans the environment as it is at `ref` (program
 * and stack file) and as it is in the working tree, and prints what changes. With
 * `--only-images` it fails when anything but image references changes: the blast-radius check
 * of a promotion pull request.
 */
export const registerDiff: RegisterCommand = (program, context, setExitCode) => {
  program
    .command("diff")
    .description("show what changes between the environment at a git ref and the working tree")
    .argument("<environment>", "acceptance or production")
    .requiredOption("--base <ref>", "the git ref to compare with (a branch, tag or commit)")
    .option("--only-images", "fail when anything other than image references changes")
    .action(async (name: string, options: { base: string; onlyImages?: boolean }) => {
      const environment = parseEnvironment(name);
      const file = stackFileName(environment);
      const headText = await readStackFile(context.cwd, environment);
      parseStackFile(headText, environment, file);
      const git = createGit(context.cwd, context.env);
      const commit = await resolveCommit(git, options.base);
      if (!commit)
        throw new InputError(
          `git ref '${options.base}' does not exist; name a branch, tag or commit of this repository`,
        );

      const baseDir = await mkdtemp(path.join(tmpdir(), "platform-diff-"));
      try {
        // The program as it was: the tree of that commit, beside this checkout's dependencies.
        const prefix = await repositoryPrefix(git);
        const archive = path.join(baseDir, "base.tar");
        await git.run(["archive", "--format=tar", "-o", archive, `${commit}:${prefix}`]);
        await run("tar", ["-xf", archive, "-C", baseDir]);
        await symlink(path.join(context.cwd, "node_modules"), path.join(baseDir, "node_modules"), "dir");
        const baseText = await readFile(path.join(baseDir, file), "utf8").catch(() => {
          throw new InputError(`${file} does not exist at ${options.base}; nothing to compare with`);
        });
        parseStackFile(baseText, environment, `${file} at ${options.base}`);
        // Compile the base's program once, before its runs start side by side.
        const builder = path.join(baseDir, "bin", "ensure-built.js");
        if (existsSync(builder)) await run(process.execPath, [builder], { cwd: baseDir });

        const headConfig = pulumiConfig(headText);
        const baseConfig = pulumiConfig(baseText);
        const plan = (dir: string, config: Record<string, string>) =>
          runPlan({ dir, stack: environment, config, timeoutSeconds: planTimeoutSeconds(context.env) });
        const [before, after, beforeWithNewImages] = await Promise.all([
          plan(baseDir, baseConfig),
          plan(context.cwd, headConfig),
          // The base with the new image versions: what remains different is not about images.
          options.onlyImages
            ? plan(baseDir, { ...baseConfig, "platform:images": headConfig["platform:images"] ?? "{}" })
            : undefined,
        ]);
        context.stdout(
          `${environment}: ${options.base} → working tree\n${formatDiff(diffPlans(before, after))}`,
        );
        if (beforeWithNewImages) {
          const beyond = diffPlans(beforeWithNewImages, after);
          if (isEmptyDiff(beyond)) {
            context.stdout("only image references change\n");
          } else {
            context.stdout(
              `\nchanges beyond image references (not allowed in a promotion):\n${formatDiff(beyond)}`,
            );
            setExitCode(1);
          }
        }
      } finally {
        await rm(baseDir, { recursive: true, force: true });
      }
    });
};
