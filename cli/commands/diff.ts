import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { environmentArgumentHelp, parseEnvironment } from "../arguments";
import { InputError } from "../errors";
import { promotionScopeSince } from "../changed-files";
import { createGit, readFileAt, repositoryPrefix, resolveCommit } from "../git";
import { notAPromotion, type PromotionScope } from "../promotion-scope";
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
 * `--only-images` it is the blast-radius check every pull request runs: a change that leaves
 * the stack file alone is no promotion and passes at once; one that changes it fails unless it
 * is a promotion (only image versions; no other file, key or removed app, unless
 * `--allow-removal`) whose plan differs from the base only in image references.
 */
export const registerDiff: RegisterCommand = (program, context, setExitCode) => {
  program
    .command("diff")
    .description("show what changes between the environment at a git ref and the working tree")
    .argument("<environment>", environmentArgumentHelp)
    .requiredOption("--base <ref>", "the git ref to compare with (a branch, tag or commit)")
    .option("--only-images", "fail when anything other than image references changes")
    .option("--allow-removal", "with --only-images: let a promotion remove an app (printed in the output)")
    .action(async (name: string, options: { base: string; onlyImages?: boolean; allowRemoval?: boolean }) => {
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
      let scope: PromotionScope | undefined;
      if (options.onlyImages) {
        const prefix = await repositoryPrefix(git);
        const baseText = await readFileAt(git, commit, `${prefix}${file}`);
        scope = await promotionScopeSince(
          git,
          commit,
          `${prefix}${file}`,
          { base: baseText, head: headText },
          options.allowRemoval ?? false,
        );
        if (!scope.touchesStackFile) {
          context.stdout(
            `${environment}: ${file} does not change between ${options.base} and the working tree: not a promotion, nothing to check (the ordinary review applies)\n`,
          );
          return;
        }
        if (!scope.isPromotion) {
          context.stdout(notAPromotion(environment, scope));
          setExitCode(1);
        } else if (scope.removedApps.length > 0) {
          context.stdout(
            `${environment}: removal of ${scope.removedApps.join(", ")} allowed by --allow-removal\n`,
          );
        }
      }

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
          if (isEmptyDiff(beyond) && scope?.isPromotion) {
            context.stdout("only image references change\n");
          } else if (isEmptyDiff(beyond)) {
            context.stdout(
              "the plan changes only image references, but the change is not a promotion (see above)\n",
            );
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
