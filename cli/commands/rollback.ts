import { appNames, apps, persistentNames, type AppName } from "../../apps/catalog";
import type { ImageVersion } from "../../apps/image-reference";
import { environmentNames, environments, type EnvironmentName } from "../../environments";
import { parseApp, parseEnvironment } from "../arguments";
import { deployedRef, deploySkew, deployedTag, describeSkew, lastDeployedCommit } from "../deploy-skew";
import { InputError, PlatformError } from "../errors";
import {
  ensureFullHistory,
  fetchBranch,
  fetchRefs,
  GitError,
  type FetchedRefs,
  isAncestor,
  readFileAt,
  remoteDefaultBranch,
  repositoryPrefix,
  createGit,
  type Git,
} from "../git";
import { createGitHub, gitHubSettings } from "../github";
import type { ImageChange, ImageMove } from "../promotion/moves";
import { rollbackTarget, runsRecord } from "../promotion/rollback-target";
import { describeRecord, readRecords, recordRefspec, type VerifiedRecord } from "../verified-records";
import { azureRegistry, type RegistryLookup } from "../registry";
import { formatVersion, readImages, sameVersion, type StackImages } from "../stack-file/read-images";
import { readStackFile, stackFileName } from "../stack-file/files";
import { bootstrapStackFile } from "../stack-file/read-config";
import { runImageChange } from "./image-change";
import type { Context } from "../context";
import type { RegisterCommand } from "../command";

/** Runs a git step that needs origin; its failure says what rollback reads there. */
async function fromOrigin<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    throw new PlatformError(
      `rollback reads the environment's history from origin's default branch, but ${what} failed: ${error.stderr.trim()}`,
    );
  }
}

/** The default branch's state a rollback starts from. */
interface Origin {
  readonly branch: string;
  readonly tip: string;
  readonly file: string;
  readonly images: StackImages;
  /** The deployed tag and the records, fetched with the branch (undefined: their readers fetch them). */
  readonly fetched: FetchedRefs | undefined;
}

/**
 * Fetches the default branch, the deployed tag and the records in one round trip. When that
 * fails, only the branch is fetched (its failure is then its own) and `fetched` is undefined:
 * the tag and the records are fetched by their readers, which fall back to the clone's.
 */
async function fetchOrigin(
  git: Git,
  environment: EnvironmentName,
  branch: string,
): Promise<{ tip: string; fetched: FetchedRefs | undefined }> {
  const ref = `refs/heads/${branch}`;
  try {
    const fetched = await fetchRefs(git, "origin", {
      required: [ref],
      optional: [deployedRef(environment)],
      mirror: [recordRefspec],
    });
    return { tip: fetched.get(ref)!, fetched };
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
  }
  return {
    tip: await fromOrigin(`fetching ${branch}`, () => fetchBranch(git, "origin", branch)),
    fetched: undefined,
  };
}

async function readOrigin(
  git: Git,
  environment: EnvironmentName,
  branch: string,
  prefix: string,
): Promise<Origin> {
  const { tip, fetched } = await fetchOrigin(git, environment, branch);
  // A shallow clone has no history to read the versions from.
  await fromOrigin(`fetching the history of ${branch}`, async () => {
    if (!(await ensureFullHistory(git, "origin"))) {
      throw new GitError(
        ["fetch", "--unshallow", "origin"],
        1,
        "the clone is shallow and its history could not be fetched",
      );
    }
  });
  const file = `${prefix}${stackFileName(environment)}`;
  const text = await readFileAt(git, tip, file);
  if (text === undefined)
    throw new PlatformError(`${stackFileName(environment)} does not exist on ${branch}`);
  const images = readImages(text, `${stackFileName(environment)} on ${branch}`);
  // A deploy recorded on a commit the branch no longer contains: the branch was rewritten, and
  // its history of the stack file is not what the environment ran.
  const deployed = await lastDeployedCommit(git, environment, fetched);
  if (deployed !== undefined && !(await isAncestor(git, deployed, tip))) {
    throw new PlatformError(
      `the history of ${branch} was rewritten: ${environment} last deployed ${deployed.slice(0, 7)} (tag ${deployedTag(environment)}), which is no longer in ${branch}'s history, so ${branch}'s history of ${stackFileName(environment)} is not what ${environment} ran; find out what happened to ${branch} (a force-push?) and restore it, or roll back by hand with platform set-image`,
    );
  }
  return { branch, tip, file, images, fetched };
}

/** One app going back to the target record's version. */
interface RollbackStep {
  readonly app: AppName;
  readonly from: ImageVersion;
  readonly to: Required<ImageVersion>;
}

/** Refuses a target the registry no longer holds (or holds at another digest); warns when it cannot ask. */
async function checkRegistry(
  steps: readonly RollbackStep[],
  registry: RegistryLookup | undefined,
  warn: (line: string) => void,
): Promise<void> {
  const problems: string[] = [];
  for (const { app, to } of steps) {
    const { tag, digest } = to;
    if (registry === undefined) {
      warn(
        `${app}: cannot check that ${tag}@${digest} is still in the registry (no ${bootstrapStackFile}); the preview checks it`,
      );
      continue;
    }
    // The app's repository, which a renamed app keeps (apps/persistent-names.ts).
    const repository = persistentNames(apps[app]).imageRepository;
    const answer = await registry.lookup(repository, tag);
    if (answer.kind === "unavailable") {
      warn(
        `${app}: cannot check that ${repository}:${tag} is still in ${registry.server} (${answer.detail}); the pull request's preview and the deploy check it before any workload changes`,
      );
    } else if (answer.kind === "missing") {
      problems.push(
        `${app}: ${repository}:${tag}@${digest} no longer exists in ${registry.server}, so it cannot be rolled back to; pick another version with --to`,
      );
    } else if (answer.digest !== digest) {
      problems.push(
        `${app}: in ${registry.server}, ${repository}:${tag} is ${answer.digest}, not ${digest} as when it ran; a release tag was moved: pick another version with --to`,
      );
    }
  }
  if (problems.length > 0) throw new PlatformError(problems.join("\n"));
}

/**
 * `platform rollback <environment> [<app>...] [--to <record>] [--pr]`: sets the environment (every
 * app by default) back to a set it verified before, read from its own verification records on
 * origin (docs/decisions/0046), never from the stack file's history: by default the newest
 * record before the current set, or the record `--to` names (its tag name or its commit).
 * Exit 0 when done, 1 when there is no earlier verified set, the history was rewritten, the
 * target is gone from the registry, or git or GitHub fail, 2 for bad arguments.
 */
export const registerRollback: RegisterCommand = (program, context) => {
  program
    .command("rollback")
    .description("Set the environment back to a set it verified before (by its verification records)")
    .argument("<environment>", environmentNames.join(" | "))
    .argument("[apps...]", `apps to roll back: ${appNames.join(", ")}; default every deployed app`)
    .option(
      "--to <record>",
      "a verification record of the environment: its tag name (verified/<env>/<time>-<commit>) or its commit",
    )
    .option("--pr", "propose the change as a pull request instead of editing the working tree")
    .action(
      async (environmentArgument: string, appArguments: string[], options: { to?: string; pr?: boolean }) => {
        await rollback(context, environmentArgument, appArguments, options);
      },
    );
};

async function rollback(
  context: Context,
  environmentArgument: string,
  appArguments: readonly string[],
  options: { to?: string; pr?: boolean },
): Promise<void> {
  const environment = parseEnvironment(environmentArgument);
  const named = [...new Set(appArguments.map(parseApp))];
  const github = options.pr ? createGitHub(gitHubSettings(context.env)) : undefined;
  const git = createGit(context.cwd, context.env);
  const prefix = await repositoryPrefix(git).catch(() => {
    throw new PlatformError(
      `${context.cwd} is not in a git repository; rollback reads the stack file's history`,
    );
  });
  const branch =
    github !== undefined
      ? await github.defaultBranch()
      : await fromOrigin("asking origin for its default branch", async () => {
          const name = await remoteDefaultBranch(git, "origin");
          if (name === undefined)
            throw new GitError(
              ["ls-remote", "--symref", "origin", "HEAD"],
              1,
              "origin names no default branch",
            );
          return name;
        });
  const origin = await readOrigin(git, environment, branch, prefix);
  const name = stackFileName(environment);

  const deployedApps = appNames.filter((app) => origin.images[app] !== undefined);
  const apps = named.length > 0 ? named : deployedApps;
  if (apps.length === 0)
    throw new PlatformError(`${environment} runs no app on ${branch}; nothing to roll back`);

  if (github === undefined) {
    // The edit lands in the working tree: it must hold what the environment runs.
    const local = readImages(await readStackFile(context.cwd, environment), name);
    const stale = apps.filter((app) => !sameVersion(local[app], origin.images[app]));
    if (stale.length > 0) {
      const which = stale.map(
        (app) =>
          `${app} ${formatVersion(local[app])} here, ${formatVersion(origin.images[app])} on ${branch}`,
      );
      throw new PlatformError(
        `${name} in the working tree is not what ${branch} on origin has (${which.join("; ")}); check out ${branch} and pull it (or stash your change), then run again, or use --pr`,
      );
    }
  }

  const found = await readRecords(git, environment, origin.fetched ? { fresh: true } : undefined);
  for (const line of found.ignored) context.stderr(`warning: ${line}\n`);
  if (!found.fresh)
    context.stderr(
      `warning: origin could not be asked for the records of ${environment}; using those of the last fetch\n`,
    );
  const target = rollbackTarget({
    environment,
    records: found.records,
    current: origin.images,
    to: options.to,
  });
  if ("bad" in target) throw new InputError(target.bad);
  if ("refuse" in target) throw new PlatformError(target.refuse);
  const record: VerifiedRecord = target.record;
  const steps: RollbackStep[] = [];
  const refusals: string[] = [];
  const notes: string[] = [];
  for (const app of apps) {
    const to = record.images[app];
    const from = origin.images[app];
    if (to === undefined) {
      // Removing an app is not a rollback's to do: it stays, and the set is then not the record's.
      notes.push(`${app}: ${describeRecord(record)} has no ${app}; left as it is (${formatVersion(from)})`);
    } else if (from === undefined) {
      refusals.push(
        `${app}: ${environment} does not run ${app} on ${branch}, and a rollback adds no app; add it with platform set-image ${environment} ${app} ${formatVersion(to)}`,
      );
    } else if (sameVersion(from, to) || (from.digest === undefined && from.tag === to.tag)) {
      // An entry without digest (acceptance builds its tags) runs what its record pinned.
      notes.push(
        `${app}: ${environment} already runs ${formatVersion(to)}, as in ${describeRecord(record)}; nothing to change`,
      );
    } else {
      steps.push({ app, from, to });
    }
  }
  if (refusals.length > 0) throw new PlatformError(refusals.join("\n"));
  if (steps.length === 0) {
    context.stdout(notes.map((line) => `${line}\n`).join(""));
    throw new PlatformError(`nothing to roll back in ${environment}`);
  }
  // The gate takes a rollback only as a whole set the environment verified (docs/decisions/0047).
  const result: StackImages = {
    ...origin.images,
    ...Object.fromEntries(steps.map((step) => [step.app, step.to])),
  };
  if (!runsRecord(result, record)) {
    context.stderr(
      `warning: ${environment} would not run the whole set of ${describeRecord(record)}, so the gate will judge the change as a promotion, not a rollback; roll back every app to pass it as one\n`,
    );
  }
  const registry = await azureRegistry(context.cwd, context.env);
  await checkRegistry(steps, registry, (line) => context.stderr(`warning: ${line}\n`));

  const requested: ImageChange["requested"] = named.length === 0 ? "all" : named;
  const appWords = named.map((app) => ` ${app}`).join("");
  await runImageChange(context, {
    environment,
    command: `platform rollback ${environment}${appWords}${options.to !== undefined ? ` --to ${options.to}` : ""}${options.pr ? " --pr" : ""}`,
    changeFrom: (current) => {
      const moves: ImageMove[] = steps.map((step) => {
        if (!sameVersion(current[step.app], step.from)) {
          throw new PlatformError(
            `${name} changed while the rollback was being prepared (${step.app} is now ${formatVersion(current[step.app])}); run again`,
          );
        }
        return { app: step.app, from: step.from, to: step.to, verified: record };
      });
      return { kind: "rollback", environment, requested, moves };
    },
    notes,
    nothingToDo: () => `${environment} already runs the versions asked for`,
    github,
    // A rollback deploys the program as the default branch has it, too.
    skew: true,
  });
  if (github === undefined) {
    // The deploy of the rollback ships the default branch's program too: say so when it differs.
    const skew = await deploySkew(git, environment, origin.tip, origin.fetched);
    if (skew.kind === "known" && skew.commits.length > 0) {
      context.stdout(
        describeSkew(skew)
          .map((line) => `${line}\n`)
          .join(""),
      );
    }
  }
  if (environments[environment].upstream === undefined) {
    context.stdout(
      `${environment} deploys these digests as they are and builds nothing; a release of a new tag replaces them\n`,
    );
  }
}
