import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describeRename, isAppName, renamesOf } from "../../apps/catalog";
import { environmentArgumentHelp, parseEnvironment } from "../arguments";
import { InputError, PlatformError } from "../errors";
import { promotionScopeSince } from "../changed-files";
import { deploySkew, describeSkew } from "../deploy-skew";
import { commitOfRef, createGit, readFileAt, repositoryPrefix } from "../git";
import { notAPromotion, type PromotionScope } from "../promotion-scope";
import { diffPlans, formatDiff, imageChangeSummary, isEmptyDiff, refusedDeletes } from "../plan-view/diff";
import { planTimeoutSeconds, runPlan } from "../program-runs";
import { checkOutProgram } from "../program-checkout";
import { parseStackFile, pulumiConfig } from "../../stack-config/from-file";
import { readStackFile, stackFileName } from "../stack-file/files";
import type { RegisterCommand } from "../command";
import type { Context } from "../context";
import type { ProgramRun } from "../../engine/mock-engine";
import { lockedDeletes, plannedOperations } from "../../engine/azure-operations";
import { projectWorld } from "../../engine/world";

/** The `platform:images` map of a stack config as Pulumi passes it; empty when it is not one. */
function imagesOf(config: Readonly<Record<string, string>>): Record<string, unknown> {
  try {
    const images: unknown = JSON.parse(config["platform:images"] ?? "{}");
    return typeof images === "object" && images !== null ? (images as Record<string, unknown>) : {};
  } catch {
    return {}; // The program reports the bad config.
  }
}

/**
 * Prints the resources a change replaces (Azure creates them anew, then deletes the old ones), and
 * the deletes Azure would refuse under a management lock. False when there is one: `pulumi up`
 * would fail there.
 */
function replacementsAllowed(
  before: ProgramRun,
  after: ProgramRun,
  locks: readonly string[],
  context: Pick<Context, "stdout">,
): boolean {
  const operations = plannedOperations(before, after);
  const replaced = operations.filter((operation) => operation.kind === "replace");
  if (replaced.length > 0)
    context.stdout(
      `replaced (created anew, then the old one deleted):\n${replaced
        .map(
          ({ resource, createOnlyChanges }) =>
            `  ${resource.type} ${resource.name} (${createOnlyChanges?.join(", ")})\n`,
        )
        .join("")}`,
    );
  const refused = lockedDeletes(operations, locks);
  if (refused.length === 0) return true;
  context.stdout(`pulumi up would fail; Azure refuses:\n${refused.map((line) => `  ${line}\n`).join("")}`);
  return false;
}

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
    .description("Show what changes between the environment at a git ref and the working tree")
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
      const commit = await commitOfRef(git, options.base);
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
      let deployedDir: string | undefined;
      try {
        // The program as it was: the tree of that commit, beside this checkout's dependencies.
        await checkOutProgram(git, commit, baseDir, context.cwd);
        const baseText = await readFile(path.join(baseDir, file), "utf8").catch(() => {
          throw new InputError(`${file} does not exist at ${options.base}; nothing to compare with`);
        });
        // The base is checked by the base's own program when it plans, not by this checkout's
        // schema: the base may name an app the working tree's catalog no longer has.
        const headConfig = pulumiConfig(headText, file);
        const baseConfig = pulumiConfig(baseText, `${file} at ${options.base}`);
        const plan = (dir: string, config: Record<string, string>) =>
          runPlan({ dir, stack: environment, config, timeoutSeconds: planTimeoutSeconds(context.env) });
        const [before, after, beforeWithNewImages] = await Promise.all([
          plan(baseDir, baseConfig),
          plan(context.cwd, headConfig),
          // The base with the new image versions: what remains different is not about images.
          // Planned in a promotion too, where no other file changes and it should equal the
          // working tree's plan: a check of the plans that does not trust the list of changed
          // files, the gate's second line against a change that list misses.
          options.onlyImages
            ? plan(baseDir, { ...baseConfig, "platform:images": headConfig["platform:images"] ?? "{}" })
            : undefined,
        ]);
        const change = diffPlans(before, after);
        // An app the base names and the working tree's catalog lacks, whose persistent names an app
        // of the catalog keeps, is a rename, not a removal plus an addition (decision 0068).
        const renames = renamesOf(Object.keys(imagesOf(baseConfig)).filter((app) => !isAppName(app)));
        const renamed = renames.map((rename) => `${environment}: ${describeRename(rename)}\n`).join("");
        context.stdout(`${renamed}${environment}: ${options.base} → working tree\n${formatDiff(change)}`);
        const refused = refusedDeletes(change);
        if (refused.length > 0) {
          context.stdout(
            `\npulumi up of ${environment} would stop: protected resources leave the program: ${refused.map((r) => r.name).join(", ")} (the refusal above); the engine deletes nothing then. To keep managing one, keep it in the program; to let it go, unprotect it as above before the deploy (one retained on delete stays in its service, Pulumi only forgets it)\n`,
          );
        }
        if (!replacementsAllowed(before, after, projectWorld(context.cwd, headConfig).locks ?? [], context))
          setExitCode(1);
        // What merging also ships: the program changes on the base the environment has not deployed.
        const skew = await deploySkew(git, environment, commit);
        context.stdout(`\n${describeSkew(skew).join("\n")}\n`);
        if (skew.kind === "known" && skew.commits.length > 0) {
          deployedDir = await mkdtemp(path.join(tmpdir(), "platform-diff-deployed-"));
          await checkOutProgram(git, skew.deployed.sha, deployedDir, context.cwd);
          const heading = `resources they change in ${environment} (the program at ${skew.deployed.sha.slice(0, 7)} → at ${options.base}, both with ${file} at ${options.base})`;
          try {
            const deployed = await plan(deployedDir, baseConfig);
            context.stdout(`${heading}:\n${formatDiff(diffPlans(deployed, before))}`);
          } catch (error) {
            if (!(error instanceof PlatformError)) throw error;
            context.stdout(`${heading}: cannot plan the deployed program: ${error.message}\n`);
          }
        }
        if (beforeWithNewImages) {
          const beyond = diffPlans(beforeWithNewImages, after);
          const summary = imageChangeSummary(change, {
            added: scope?.addedApps ?? [],
            removed: scope?.removedApps ?? [],
          });
          if (isEmptyDiff(beyond) && scope?.isPromotion) {
            context.stdout(`${summary}\n`);
          } else if (isEmptyDiff(beyond)) {
            context.stdout(
              summary === "only image references change"
                ? "the plan changes only image references, but the change is not a promotion (see above)\n"
                : `${summary}; and the change is not a promotion (see above)\n`,
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
        if (deployedDir !== undefined) await rm(deployedDir, { recursive: true, force: true });
      }
    });
};
