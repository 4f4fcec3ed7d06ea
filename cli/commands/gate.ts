import { environmentNames, environments } from "../../environments";
import { promotionPolicyProblems } from "../../environments/promotion-policy";
import { parseEnvironment } from "../arguments";
import { now } from "../clock";
import { InputError, PlatformError } from "../errors";
import { promotionScopeSince } from "../changed-files";
import { commitOfRef, createGit, GitError, readFileAt, repositoryPrefix } from "../git";
import { createGitHub, gitHubSettings } from "../github";
import { notAPromotion } from "../promotion-scope";
import { readBreakGlass } from "../promotion/break-glass";
import { breakGlassLabel, checkGate, partialLabel, type BreakGlass } from "../promotion/gate";
import { readBaseImages, readImages } from "../stack-file/read-images";
import { readStackFile, stackFileName } from "../stack-file/files";
import { fetchRecords, readRecords } from "../verified-records";
import type { Context } from "../context";
import type { RegisterCommand } from "../command";

/**
 * `platform gate <environment> --base <git-ref> [--pr <number>] [--label <name>]... [--allow-removal]`:
 * the required check on every pull request, and again in the deploy job before `up`. It decides
 * itself whether the change is a promotion: a change that leaves the stack file alone has
 * nothing to gate; one that changes it must be a promotion and nothing else. A promotion is
 * judged against the verification records on origin (docs/decisions/0046, 0047): a set the
 * environment verified before is a rollback and passes at any time; otherwise every new digest
 * must be in a record of the upstream, the set one the upstream verified together (unless
 * labelled `promotion:partial`), soaked, and inside a promotion window (unless break-glass).
 * Exit 1 when anything fails, 2 for bad input or settings.
 */
export const registerGate: RegisterCommand = (program, context) => {
  program
    .command("gate")
    .description(
      "Check that a promotion deploys only what the upstream verified together and soaked, in a window (or a set the environment verified before)",
    )
    .argument("<environment>", environmentNames.join(" | "))
    .requiredOption("--base <git-ref>", "the commit the change is compared with, for example origin/main")
    .option("--pr <number>", "the pull request: its labels and, for break-glass, its approvals (GitHub API)")
    .option("--label <name>", `a label to judge with (repeatable): ${partialLabel}`, collect)
    .option("--allow-removal", "let a promotion remove an app from the environment (printed in the output)")
    .action(
      async (
        environmentArgument: string,
        options: { base: string; pr?: string; label?: string[]; allowRemoval?: boolean },
      ) => {
        await gate(context, environmentArgument, options);
      },
    );
};

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

async function gate(
  context: Context,
  environmentArgument: string,
  options: { base: string; pr?: string; label?: string[]; allowRemoval?: boolean },
): Promise<void> {
  const environment = parseEnvironment(environmentArgument);
  const settings = environments[environment];
  const upstream = settings.upstream;
  const policy = settings.promotion;
  const problems =
    policy === undefined ? [] : promotionPolicyProblems(policy, `environments.${environment}.promotion`);
  if (problems.length > 0)
    throw new InputError(`gate ${environment}: bad promotion settings:\n  ${problems.join("\n  ")}`);
  if (options.pr !== undefined && !/^[1-9]\d*$/.test(options.pr))
    throw new InputError(`--pr: '${options.pr}' is not a pull request number`);
  const at = now(context.env).getTime();
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
  // The base may name an app this checkout's catalog has dropped: that is a removal to report (N2).
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

  const labels = new Set(options.label ?? []);
  let breakGlass: BreakGlass | undefined;
  if (options.pr !== undefined) {
    const github = createGitHub(gitHubSettings(context.env));
    const pull = await github.pullRequestReviews(Number(options.pr));
    for (const label of pull.labels) labels.add(label);
    if (labels.has(breakGlassLabel)) breakGlass = await readBreakGlass(github, pull);
  } else if (labels.has(breakGlassLabel)) {
    breakGlass = { approved: false, detail: "its approvals are read from GitHub: pass --pr <number>" };
  }
  // One fetch brings every environment's records: the upstream's and the environment's own.
  let fetchedRecords: Promise<boolean> | undefined;
  const read = async (env: typeof environment) => {
    fetchedRecords ??= fetchRecords(git);
    const found = await readRecords(git, env, { fresh: await fetchedRecords });
    for (const line of found.ignored) context.stderr(`warning: ${line}\n`);
    if (!found.fresh)
      context.stderr(
        `warning: origin could not be asked for the records of ${env}; judging with those of the last fetch\n`,
      );
    return found.records;
  };
  const result = checkGate({
    environment,
    upstream,
    base,
    head,
    upstreamRecords: upstream === undefined ? [] : await read(upstream),
    ownRecords: await read(environment),
    partial: labels.has(partialLabel),
    breakGlass,
    now: at,
    policy,
    removedFromCatalog,
  });
  if (result.kind === "unchanged") {
    if (!scope.isPromotion) throw new PlatformError(`gate ${environment}: not a promotion`);
    context.stdout(
      `gate ${environment}: no image changes between ${options.base} and the working tree; nothing to check\n`,
    );
    return;
  }
  context.stdout(result.verdicts.map((verdict) => `${verdict.line}\n`).join(""));
  const failed = result.verdicts.filter((verdict) => !verdict.passed);
  if (failed.length > 0) {
    const what = failed.map((verdict) => verdict.app ?? verdict.line.split(":")[0]).join(", ");
    throw new PlatformError(
      `gate ${environment}: ${failed.length} check${failed.length === 1 ? "" : "s"} failed (${what})${scope.isPromotion ? "" : "; and it is not a promotion"}`,
    );
  }
  if (!scope.isPromotion) throw new PlatformError(`gate ${environment}: not a promotion`);
  const apps = result.verdicts.filter((verdict) => verdict.app !== undefined).length;
  context.stdout(
    `gate ${environment}: ${result.kind === "rollback" ? "a rollback, " : ""}${apps} changed app${apps === 1 ? "" : "s"} passed\n`,
  );
}
