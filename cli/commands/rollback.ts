import { appNames, type AppName } from "../../apps/catalog";
import { tagPattern } from "../../apps/image-reference";
import { environmentNames, environments, type EnvironmentName } from "../../environments";
import { parseApp, parseEnvironment } from "../arguments";
import { deploySkew, deployedTag, describeSkew, lastDeployedCommit } from "../deploy-skew";
import { InputError, PlatformError } from "../errors";
import {
  ensureFullHistory,
  fetchBranch,
  GitError,
  isAncestor,
  readFileAt,
  remoteDefaultBranch,
  repositoryPrefix,
  resolveCommit,
  createGit,
  type Git,
} from "../git";
import { createGitHub, gitHubSettings } from "../github";
import {
  pinnedDigest,
  readImageHistory,
  rollbackStep,
  type ImageHistory,
  type RollbackChoice,
  type RollbackStep,
  type VersionRecord,
} from "../image-history";
import type { ImageChange, ImageMove } from "../promotion/moves";
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
  readonly history: ImageHistory;
}

async function readOrigin(
  git: Git,
  environment: EnvironmentName,
  branch: string,
  prefix: string,
): Promise<Origin> {
  const tip = await fromOrigin(`fetching ${branch}`, () => fetchBranch(git, "origin", branch));
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
  const deployed = await lastDeployedCommit(git, environment);
  if (deployed !== undefined && !(await isAncestor(git, deployed, tip))) {
    throw new PlatformError(
      `the history of ${branch} was rewritten: ${environment} last deployed ${deployed.slice(0, 7)} (tag ${deployedTag(environment)}), which is no longer in ${branch}'s history, so ${branch}'s history of ${stackFileName(environment)} is not what ${environment} ran; find out what happened to ${branch} (a force-push?) and restore it, or roll back by hand with platform set-image`,
    );
  }
  return { branch, tip, file, images, history: await readImageHistory(git, tip, file) };
}

/** A commit's id, whole or abbreviated, as `git log` prints it. */
const commitId = /^[0-9a-fA-F]{4,40}$/;

/**
 * What `--to` names: a tag one of the apps ran before, else a commit of the branch's
 * first-parent history (the version each app had there).
 */
async function choiceOf(
  git: Git,
  origin: Origin,
  apps: readonly AppName[],
  environment: EnvironmentName,
  to: string | undefined,
): Promise<(app: AppName) => RollbackChoice> {
  if (to === undefined) return () => ({ kind: "previous" });
  const ranTag = apps.some((app) => (origin.history[app] ?? []).some((record) => record.version?.tag === to));
  if (tagPattern.test(to) && ranTag) return () => ({ kind: "tag", tag: to });
  // Only what the option documents: a commit's id, never a branch, a git tag or `HEAD~1`, which
  // git would resolve too, to something nobody meant.
  const commit = commitId.test(to) ? await resolveCommit(git, to) : undefined;
  if (commit === undefined || !commit.startsWith(to.toLowerCase())) {
    throw new InputError(
      `--to ${to}: neither a tag that ${apps.join(", ")} ran in ${environment} nor the id of a commit of this repository (--to takes one of those two, not a branch, a git tag or a revision such as HEAD~1); see the versions with: platform status`,
    );
  }
  const chain = (await git.run(["rev-list", "--first-parent", origin.tip])).split("\n").filter(Boolean);
  const position = chain.indexOf(commit);
  if (position < 0) {
    throw new InputError(
      `--to ${to}: commit ${commit.slice(0, 7)} is not in the first-parent history of ${origin.branch} (the commits ${origin.branch} itself was at): a pull request's own commit, or a branch that was rewritten; pass a commit of ${origin.branch}`,
    );
  }
  // The version each app had at that commit: the last change of its entry at or before it.
  const rank = new Map(chain.map((sha, index) => [sha, index]));
  return (app) => ({
    kind: "commit",
    commit,
    record: [...(origin.history[app] ?? [])]
      .reverse()
      .find((record: VersionRecord) => (rank.get(record.commit.sha) ?? -1) >= position),
  });
}

/** Pins a built version (acceptance's, a tag alone) to the digest its tag was deployed as. */
function pinned(
  step: RollbackStep,
  environment: EnvironmentName,
  histories: readonly ImageHistory[],
): RollbackStep {
  if (step.to.version.digest !== undefined) return step;
  const digest = pinnedDigest(histories, step.app, step.to.version.tag);
  if (digest === undefined) {
    throw new PlatformError(
      `${step.app}: ${environment} ran ${step.to.version.tag} built from its tag, and no history records its digest (it never reached ${environmentNames.filter((env) => env !== environment).join(", ")}); pin it by hand: platform set-image ${environment} ${step.app} ${step.to.version.tag}@sha256:<digest> (the digest: az acr repository show --name <registry> --image ${step.app}:${step.to.version.tag})`,
    );
  }
  return { ...step, to: { ...step.to, version: { tag: step.to.version.tag, digest } } };
}

/** Refuses a target the registry no longer holds (or holds at another digest); warns when it cannot ask. */
async function checkRegistry(
  steps: readonly RollbackStep[],
  registry: RegistryLookup | undefined,
  warn: (line: string) => void,
): Promise<void> {
  const problems: string[] = [];
  for (const { app, to } of steps) {
    const { tag, digest } = to.version;
    if (registry === undefined) {
      warn(
        `${app}: cannot check that ${tag}@${digest} is still in the registry (no ${bootstrapStackFile}); the preview checks it`,
      );
      continue;
    }
    const answer = await registry.lookup(app, tag);
    if (answer.kind === "unavailable") {
      warn(
        `${app}: cannot check that ${app}:${tag} is still in ${registry.server} (${answer.detail}); the pull request's preview and the deploy check it before any workload changes`,
      );
    } else if (answer.kind === "missing") {
      problems.push(
        `${app}: ${app}:${tag}@${digest} no longer exists in ${registry.server}, so it cannot be rolled back to; pick another version with --to`,
      );
    } else if (answer.digest !== digest) {
      problems.push(
        `${app}: in ${registry.server}, ${app}:${tag} is ${answer.digest}, not ${digest} as when it ran; a release tag was moved: pick another version with --to`,
      );
    }
  }
  if (problems.length > 0) throw new PlatformError(problems.join("\n"));
}

/**
 * `platform rollback <environment> [<app>...] [--to <tag|commit>] [--pr]`: sets each app (all
 * deployed apps by default) back to the `tag@digest` the environment ran before its current one,
 * by the first-parent history of its stack file on origin's default branch, or to the version
 * `--to` names. Exit 0 when done, 1 when there is no earlier version, the history was rewritten,
 * the target is gone from the registry, or git or GitHub fail, 2 for bad arguments.
 */
export const registerRollback: RegisterCommand = (program, context) => {
  program
    .command("rollback")
    .description("Set apps back to a version the environment ran before (by its stack file's history)")
    .argument("<environment>", environmentNames.join(" | "))
    .argument("[apps...]", `apps to roll back: ${appNames.join(", ")}; default every deployed app`)
    .option(
      "--to <tag|commit>",
      "a tag the app ran before, or a commit of the default branch (the version then)",
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

  const choose = await choiceOf(git, origin, apps, environment, options.to);
  const otherHistories = await Promise.all(
    environmentNames
      .filter((env) => env !== environment)
      .map((env) => readImageHistory(git, origin.tip, `${prefix}${stackFileName(env)}`)),
  );
  const steps: RollbackStep[] = [];
  const refusals: string[] = [];
  const notes: string[] = [];
  for (const app of apps) {
    const outcome = rollbackStep({
      environment,
      app,
      records: origin.history[app] ?? [],
      current: origin.images[app],
      choice: choose(app),
    });
    if ("refuse" in outcome) {
      // Rolling back every app: one that has nothing earlier stays as it is.
      if (named.length === 0 && /no earlier version|never ran|did not run/.test(outcome.refuse)) {
        notes.push(`${outcome.refuse}; left as it is`);
      } else {
        refusals.push(outcome.refuse);
      }
    } else if ("same" in outcome) {
      notes.push(`${outcome.same}; nothing to change`);
    } else {
      steps.push(pinned(outcome, environment, [origin.history, ...otherHistories]));
    }
  }
  if (refusals.length > 0) throw new PlatformError(refusals.join("\n"));
  if (steps.length === 0) {
    context.stdout(notes.map((line) => `${line}\n`).join(""));
    if (notes.some((note) => note.includes("left as it is"))) {
      throw new PlatformError(`nothing to roll back in ${environment}`);
    }
    return;
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
        if (!sameVersion(current[step.app], step.from.version)) {
          throw new PlatformError(
            `${name} changed while the rollback was being prepared (${step.app} is now ${formatVersion(current[step.app])}); run again`,
          );
        }
        return {
          app: step.app,
          from: step.from.version,
          to: step.to.version,
          history: { from: step.from, to: step.to },
        };
      });
      return { kind: "rollback", environment, requested, moves };
    },
    notes,
    nothingToDo: () => `${environment} already runs the versions asked for`,
    github,
    // A rollback deploys the program as the default branch has it, too.
    skew: (git, baseCommit) => deploySkew(git, environment, baseCommit),
  });
  if (github === undefined) {
    // The deploy of the rollback ships the default branch's program too: say so when it differs.
    const skew = await deploySkew(git, environment, origin.tip);
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
