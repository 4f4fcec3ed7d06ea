import { appNames, type AppName } from "../apps/catalog";
import { environments, type EnvironmentName } from "../environments";
import { isMovingTag, movingTagRule } from "../apps/image-reference";
import { onlyTagAtDigest, type ImageVersion } from "../environments/stack-config";
import { PlatformError } from "./errors";
import { skewSection, type DeploySkew } from "./deploy-skew";
import {
  describeCommit,
  formatDate,
  ranBefore,
  type ImageHistory,
  type VersionRecord,
} from "./image-history";
import { formatVersion, sameVersion, type StackImages } from "./stack-file/read-images";
import { setImage } from "./stack-file/edit-images";
import type { DeployedImages } from "./stack-outputs";

/** One app's entry changing in an environment's stack file. */
export interface ImageMove {
  readonly app: AppName;
  /** The entry now; undefined when the app is not deployed there yet. */
  readonly from: ImageVersion | undefined;
  readonly to: ImageVersion;
  /** A rollback's: the commits that set the current version and the one rolled back to. */
  readonly history?: { readonly from: VersionRecord; readonly to: VersionRecord };
}

/** A change of image versions in one environment: what a release or promotion does. */
export interface ImageChange {
  readonly kind: "release" | "promote" | "rollback";
  /** The environment whose stack file changes. */
  readonly environment: EnvironmentName;
  /** A promotion's source: the upstream environment whose deployed images are copied. */
  readonly source?: EnvironmentName;
  /** The apps asked for (`all` when none was named): names the branch, so reruns reuse it. */
  readonly requested: readonly AppName[] | "all";
  /** Entries that change; empty when the environment already has them. */
  readonly moves: readonly ImageMove[];
}

/** The trailer that marks a commit the CLI made; only branches made of such commits are overwritten. */
export const generatedTrailer = "Generated-by: platform";

/**
 * Plans a promotion: for each requested app the upstream has deployed, the tag and digest it
 * runs, where the target's entry differs. Apps the upstream has not deployed are listed apart.
 */
export function planPromotion(input: {
  readonly from: EnvironmentName;
  readonly to: EnvironmentName;
  readonly deployed: DeployedImages;
  readonly current: StackImages;
  readonly apps: readonly AppName[] | "all";
}): { change: ImageChange; notDeployed: AppName[] } {
  const apps = input.apps === "all" ? appNames : appNames.filter((app) => input.apps.includes(app));
  const moves: ImageMove[] = [];
  const notDeployed: AppName[] = [];
  for (const app of apps) {
    const deployed = input.deployed[app];
    if (deployed === undefined) {
      notDeployed.push(app);
      continue;
    }
    const to = { tag: deployed.tag, digest: deployed.digest };
    if (!sameVersion(input.current[app], to)) moves.push({ app, from: input.current[app], to });
  }
  const requested = input.apps === "all" || apps.length === appNames.length ? "all" : apps;
  return {
    change: { kind: "promote", environment: input.to, source: input.from, requested, moves },
    notDeployed,
  };
}

/**
 * Refuses a promotion that would copy a moving tag (one without a digit, `latest`): the digest
 * is pinned, but the tag would not say which version runs, and a later build may move it.
 *
 * @throws PlatformError naming each app, what the upstream deployed, and the rule.
 */
export function refuseMovingTags(change: ImageChange): void {
  const moving = change.moves.filter((move) => isMovingTag(move.to.tag));
  if (moving.length === 0) return;
  const deployed = moving.map((move) => `${move.app} as '${move.to.tag}'`).join(", ");
  throw new PlatformError(
    `${change.source ?? "the upstream"} deployed ${deployed}, a moving tag: ${movingTagRule}; release a version tag to ${change.source ?? "it"} and deploy it, then promote`,
  );
}

/** Plans a release: the app's tag, without digest, in the first environment of the pipeline. */
export function planRelease(input: {
  readonly environment: EnvironmentName;
  readonly app: AppName;
  readonly tag: string;
  readonly current: StackImages;
}): ImageChange {
  const to = { tag: input.tag };
  const from = input.current[input.app];
  const moves = sameVersion(from, to) ? [] : [{ app: input.app, from, to }];
  return { kind: "release", environment: input.environment, requested: [input.app], moves };
}

/** Applies a change to a stack file's text. */
export function applyChange(text: string, change: ImageChange, source: string): string {
  return change.moves.reduce((result, move) => setImage(result, move.app, move.to, source), text);
}

/** The branch of a change's pull request: `promote/production/main-api`, `promote/production/all`. */
export function branchName(change: ImageChange): string {
  const apps = change.requested === "all" ? "all" : change.requested.join("+");
  return `${change.kind}/${change.environment}/${apps}`;
}

const arrow = (move: ImageMove, format: (version: ImageVersion) => string = formatVersion) =>
  `${move.from === undefined ? "(not deployed)" : format(move.from)} → ${format(move.to)}`;

const tagOnly = (version: ImageVersion) => version.tag;

/** The pull request title: `Promote to production: main-api 1.4.0 → 1.5.0`, `Roll back production: web 2.0.2 → 2.0.1`. */
export function pullRequestTitle(change: ImageChange): string {
  const verb = { release: "Release to", promote: "Promote to", rollback: "Roll back" }[change.kind];
  return `${verb} ${change.environment}: ${change.moves.map((move) => `${move.app} ${arrow(move, tagOnly)}`).join(", ")}`;
}

/** One line per move, as commands print them. */
export function describeMoves(change: ImageChange): string[] {
  const origin = change.source !== undefined ? ` (deployed in ${change.source})` : "";
  return change.moves.map((move) => {
    const ran = move.history !== undefined ? ` (ran from ${describeCommit(move.history.to.commit)})` : origin;
    return `${change.environment}: ${move.app} ${arrow(move)}${ran}`;
  });
}

/**
 * The pull request body: every move with old and new tag and digest, where the new version
 * comes from, and a link to the run that deployed it when known.
 */
export function pullRequestBody(
  change: ImageChange,
  context: { readonly command: string; readonly runUrl?: string; readonly skew?: DeploySkew },
): string {
  if (change.kind === "rollback") return rollbackBody(change, context);
  const code = (version: ImageVersion | undefined) =>
    version === undefined ? "not deployed" : `\`${formatVersion(version)}\``;
  const rows = change.moves.map((move) => `| ${move.app} | ${code(move.from)} | ${code(move.to)} |`);
  const file = `Pulumi.${change.environment}.yaml`;
  const intro =
    change.kind === "release"
      ? `Releases to **${change.environment}**, the first environment of the pipeline. Merging builds each image from its tag, pushes it and deploys it pinned by digest.`
      : `Promotes to **${change.environment}** the images that **${change.source}** has deployed (its \`images\` stack outputs). Merging deploys exactly these digests.`;
  const run = change.kind === "release" ? "Release run" : `Upstream deployment (${change.source})`;
  return [
    intro,
    "",
    `| App | ${change.environment} now | after merge |`,
    "|---|---|---|",
    ...rows,
    "",
    ...(context.runUrl !== undefined ? [`${run}: ${context.runUrl}`, ""] : []),
    `Changes only \`${file}\`.`,
    "",
    ...(context.skew !== undefined ? skewSection(context.skew) : []),
    `<sub>Opened by \`${context.command}\`; running it again updates this pull request.</sub>`,
    "",
  ].join("\n");
}

/**
 * A rollback's pull request body: per app, from which version to which, and the commit that
 * set each and when, so that a reviewer sees what is undone without opening the history.
 */
function rollbackBody(
  change: ImageChange,
  context: { readonly command: string; readonly runUrl?: string; readonly skew?: DeploySkew },
): string {
  const code = (version: ImageVersion | undefined) => `\`${formatVersion(version)}\``;
  const set = (record: VersionRecord | undefined) =>
    record === undefined ? "" : ` (${record.commit.sha.slice(0, 7)}, ${formatDate(record.commit.date)})`;
  const rows = change.moves.map(
    (move) =>
      `| ${move.app} | ${code(move.from)}${set(move.history?.from)} | ${code(move.to)}${set(move.history?.to)} |`,
  );
  const file = `Pulumi.${change.environment}.yaml`;
  return [
    `Rolls **${change.environment}** back to versions it ran before (the history of \`${file}\` on the default branch). Merging deploys exactly these digests; the gate accepts them because ${change.environment} ran them.`,
    "",
    `| App | ${change.environment} now (set by) | rolled back to (first set by) |`,
    "|---|---|---|",
    ...rows,
    "",
    ...(context.runUrl !== undefined ? [`Run: ${context.runUrl}`, ""] : []),
    `Changes only \`${file}\`.`,
    "",
    ...(context.skew !== undefined ? skewSection(context.skew) : []),
    `<sub>Opened by \`${context.command}\`; running it again updates this pull request.</sub>`,
    "",
  ].join("\n");
}

/** The commit message: the title, the moves, and the trailer that marks the commit as generated. */
export function commitMessage(change: ImageChange): string {
  return `${pullRequestTitle(change)}\n\n${describeMoves(change).join("\n")}\n\n${generatedTrailer} ${change.kind}\n`;
}

/** The link to the running GitHub Actions run, when the variables Actions sets are there. */
export function runUrl(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const server = env["GITHUB_SERVER_URL"];
  const repository = env["GITHUB_REPOSITORY"];
  const run = env["GITHUB_RUN_ID"];
  if (!server || !repository || !run) return undefined;
  return `${server.replace(/\/+$/, "")}/${repository}/actions/runs/${run}`;
}

/** The apps whose entry differs between two versions of a stack file, in catalog order. */
export function changedApps(base: StackImages, head: StackImages): AppName[] {
  return appNames.filter((app) => !sameVersion(base[app], head[app]));
}

/** The gate's verdict on one changed app, with the line it prints. */
export interface GateVerdict {
  readonly app: AppName;
  readonly passed: boolean;
  readonly line: string;
}

/**
 * The promotion gate: every changed entry must carry a digest, and in a downstream environment
 * must be exactly what the upstream has deployed (tag and digest). A removed entry deploys
 * nothing and passes.
 */
export function checkGate(input: {
  readonly environment: EnvironmentName;
  readonly upstream: EnvironmentName | undefined;
  readonly base: StackImages;
  readonly head: StackImages;
  readonly deployed: DeployedImages;
  /** The environment's own history at the base: a digest it ran before passes as a rollback. */
  readonly history?: ImageHistory;
}): GateVerdict[] {
  const { environment, upstream } = input;
  return changedApps(input.base, input.head).map((app): GateVerdict => {
    const entry = input.head[app];
    const pass = (why: string) => ({ app, passed: true, line: `${app}: passed: ${why}` });
    const fail = (why: string) => ({ app, passed: false, line: `${app}: failed: ${why}` });
    const copy =
      upstream !== undefined
        ? `; copy it with: platform promote ${upstream} ${environment} --app ${app}`
        : "";
    if (entry === undefined) return pass(`removed from ${environment}, nothing to deploy`);
    if (entry.digest === undefined) {
      const rule =
        onlyTagAtDigest(environments[environment], app) ?? `a gated change must pin tag@digest${copy}`;
      return fail(`${entry.tag} has no digest; ${rule}`);
    }
    if (upstream === undefined) return pass(`${formatVersion(entry)} is pinned by digest`);
    const deployed = input.deployed[app];
    if (deployed?.digest === entry.digest && deployed.tag === entry.tag) {
      return pass(`${formatVersion(entry)} is what ${upstream} deployed`);
    }
    const ran = ranBefore(input.history?.[app], entry);
    if (ran !== undefined) {
      return pass(
        `${formatVersion(entry)} is a rollback: ${environment} ran it, set by ${describeCommit(ran.commit)}`,
      );
    }
    if (deployed === undefined) {
      return fail(
        `${upstream} has not deployed ${app} (no images.${app} in its stack outputs); release and deploy it there first`,
      );
    }
    if (deployed.digest !== entry.digest) {
      return fail(
        `${entry.digest} is not what ${upstream} deployed (${upstream} runs ${deployed.tag}@${deployed.digest})${copy}`,
      );
    }
    if (deployed.tag !== entry.tag) {
      return fail(
        `tag ${entry.tag} does not match the tag ${upstream} deployed ${entry.digest} as (${deployed.tag})${copy}`,
      );
    }
    return pass(`${formatVersion(entry)} is what ${upstream} deployed`);
  });
}
