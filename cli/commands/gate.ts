import { environmentNames, environments } from "../../environments";
import { parseEnvironment } from "../arguments";
import { PlatformError } from "../errors";
import { promotionScopeSince } from "../changed-files";
import { commitOfRef, createGit, GitError, readFileAt, repositoryPrefix } from "../git";
import { readImageHistory } from "../image-history";
import { notAPromotion } from "../promotion-scope";
import { changedApps, checkGate } from "../promotion/gate";
import { readBaseImages, readImages } from "../stack-file/read-images";
import { stackOutputsReader } from "../deployed-images";
import { readStackFile, stackFileName } from "../stack-file/files";
import type { RegisterCommand } from "../command";

/**
 * `platform gate <environment> --base <git-ref> [--outputs <file>] [--allow-removal]`: the
 * required check on every pull request. It decides itself whether the change is a promotion: a
 * change that leaves the stack file alone has nothing to gate; one that changes it must be a
 * promotion and nothing else (image versions only, no other file or key, no app removed
 * unless allowed). Every image entry that differs must carry a digest, and downstream must be
 * what the upstream deployed, or a `tag@digest` the environment itself ran before (a rollback,
 * by the base branch's first-parent history of its stack file). One line per app; exit 1 when any fails, 2 for bad input.
 */
export const registerGate: RegisterCommand = (program, context) => {
  program
    .command("gate")
    .description(
      "Check that every changed image is pinned by digest and was deployed upstream (or ran here before)",
    )
    .argument("<environment>", environmentNames.join(" | "))
    .requiredOption("--base <git-ref>", "the commit the change is compared with, for example origin/main")
    .option(
      "--outputs <file>",
      "a file holding `pulumi stack output --json --stack <upstream>` (default: run it)",
    )
    .option("--allow-removal", "let a promotion remove an app from the environment (printed in the output)")
    .action(
      async (
        environmentArgument: string,
        options: { base: string; outputs?: string; allowRemoval?: boolean },
      ) => {
        const environment = parseEnvironment(environmentArgument);
        const upstream = environments[environment].upstream;
        const name = stackFileName(environment);
        const git = createGit(context.cwd, context.env);
        let prefix: string;
        try {
          prefix = await repositoryPrefix(git);
        } catch (error) {
          if (error instanceof GitError)
            throw new PlatformError(`${context.cwd} is not in a git repository; gate compares with --base`);
          throw error;
        }
        const baseCommit = await commitOfRef(git, options.base);
        const baseText = await readFileAt(git, baseCommit, `${prefix}${name}`);
        const headText = await readStackFile(context.cwd, environment);
        // The base may name an app this checkout's catalog has dropped: that is a removal to report.
        const { versions: base, removedFromCatalog } =
          baseText === undefined
            ? { versions: {}, removedFromCatalog: [] }
            : readBaseImages(baseText, `${name} at ${options.base}`);
        const head = readImages(headText, name);
        const scope = await promotionScopeSince(
          git,
          baseCommit,
          `${prefix}${name}`,
          { base: baseText, head: headText },
          options.allowRemoval ?? false,
        );
        if (!scope.touchesStackFile) {
          context.stdout(
            `gate ${environment}: ${name} does not change between ${options.base} and the working tree: not a promotion, nothing to gate (the ordinary review applies)\n`,
          );
          return;
        }
        if (scope.isPromotion) {
          context.stdout(`gate ${environment}: a promotion: only image versions in ${name} change\n`);
          if (scope.removedApps.length > 0) {
            context.stdout(
              `gate ${environment}: removal of ${scope.removedApps.join(", ")} allowed by --allow-removal\n`,
            );
          }
        } else {
          context.stdout(`gate ${notAPromotion(environment, scope)}`);
        }
        const changedInCatalog = changedApps(base, head);
        const changed = [...changedInCatalog, ...removedFromCatalog];
        if (changed.length === 0) {
          if (!scope.isPromotion) throw new PlatformError(`gate ${environment}: not a promotion`);
          context.stdout(
            `gate ${environment}: no image changes between ${options.base} and the working tree; nothing to check\n`,
          );
          return;
        }
        const needsOutputs =
          upstream !== undefined && changedInCatalog.some((app) => head[app]?.digest !== undefined);
        const deployed = needsOutputs
          ? await stackOutputsReader(context.cwd, context.env, options.outputs)(upstream)
          : {};
        // A digest the environment itself ran before, by the base's history, passes as a rollback.
        const history = needsOutputs ? await readImageHistory(git, baseCommit, `${prefix}${name}`) : {};
        const verdicts = checkGate({
          environment,
          upstream,
          base,
          head,
          deployed,
          history,
          removedFromCatalog,
        });
        context.stdout(verdicts.map((verdict) => `${verdict.line}\n`).join(""));
        const failed = verdicts.filter((verdict) => !verdict.passed);
        if (failed.length > 0) {
          throw new PlatformError(
            `gate ${environment}: ${failed.length} of ${verdicts.length} changed apps failed (${failed.map((v) => v.app).join(", ")})${scope.isPromotion ? "" : "; and it is not a promotion"}`,
          );
        }
        if (!scope.isPromotion) throw new PlatformError(`gate ${environment}: not a promotion`);
        context.stdout(
          `gate ${environment}: ${verdicts.length} changed app${verdicts.length === 1 ? "" : "s"} passed\n`,
        );
      },
    );
};
