import { parse } from "yaml";
import type { EnvironmentName } from "../environments";
import { describeCommit, formatDate } from "./image-history";
import {
  ensureFullHistory,
  fetchRefs,
  GitError,
  type FetchedRefs,
  isAncestor,
  logCommits,
  readFileAt,
  resolveCommit,
  type CommitInfo,
  type Git,
} from "./git";
import { stackFileName } from "./stack-file/files";

/** The tag the deploy workflow moves to the commit an environment last deployed successfully. */
export const deployedTag = (environment: EnvironmentName): string => `deployed/${environment}`;

/** The file that says which paths deploy which stack (read by the workflows' path filter too). */
export const stackFiltersFile = ".github/stack-filters.yml";

/** How far the default branch's program is ahead of what an environment last deployed. */
export type DeploySkew =
  | { readonly kind: "unrecorded"; readonly environment: EnvironmentName }
  /** A shallow clone whose history could not be fetched. */
  | { readonly kind: "shallow"; readonly environment: EnvironmentName }
  | { readonly kind: "rewritten"; readonly environment: EnvironmentName; readonly deployed: string }
  | {
      readonly kind: "known";
      readonly environment: EnvironmentName;
      readonly deployed: CommitInfo;
      /** The commits since the deploy that change the program's inputs, newest first. */
      readonly commits: readonly CommitInfo[];
    };

/** The ref of {@link deployedTag}, to fetch it with other refs. */
export const deployedRef = (environment: EnvironmentName): string => `refs/tags/${deployedTag(environment)}`;

/**
 * The commit an environment last deployed: the tag `deployed/<environment>` as origin has it now
 * (the workflow moves it; a clone never moves a tag it fetched once), else as this clone has it
 * (CI checks the repository out with its tags, and may not be allowed to fetch again).
 *
 * @param fetched refs fetched from origin just now; the tag is fetched unless they hold it.
 */
export async function lastDeployedCommit(
  git: Git,
  environment: EnvironmentName,
  fetched?: FetchedRefs,
): Promise<string | undefined> {
  const ref = deployedRef(environment);
  if (fetched?.has(ref)) return fetched.get(ref) ?? fetched.inClone(ref);
  try {
    const fetchedNow = await fetchRefs(git, "origin", { optional: [ref] });
    return fetchedNow.get(ref) ?? (await fetchedNow.inClone(ref));
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
  }
  return resolveCommit(git, ref);
}

/**
 * The paths whose change deploys an environment besides its own stack file, as git pathspecs:
 * the environment's filter in `.github/stack-filters.yml` at `commit` without its stack file (so
 * neither the other environments' stack files nor docs count). Without the file: everything but
 * stack files and Markdown.
 */
export async function programPathspecs(
  git: Git,
  commit: string,
  environment: EnvironmentName,
): Promise<string[]> {
  const text = await readFileAt(git, commit, stackFiltersFile);
  const filters = text === undefined ? undefined : (parse(text) as Record<string, unknown> | null);
  const patterns = filters?.[environment];
  if (!Array.isArray(patterns)) {
    return [":(top,glob)**", `:(top,exclude,glob)${stackFileName("*")}`, ":(top,exclude,glob)**/*.md"];
  }
  const own = stackFileName(environment);
  return (patterns.flat(Infinity) as unknown[])
    .filter((pattern): pattern is string => typeof pattern === "string" && pattern !== own)
    .map((pattern) => (pattern.includes("*") ? `:(top,glob)${pattern}` : `:(top,literal)${pattern}`));
}

/**
 * The program changes on `tip` that `environment` has not deployed: the commits (merges left
 * out, they carry no change of their own) since its last deploy that change its program inputs.
 * `fetched`: as for {@link lastDeployedCommit}.
 */
export async function deploySkew(
  git: Git,
  environment: EnvironmentName,
  tip: string,
  fetched?: FetchedRefs,
): Promise<DeploySkew> {
  const deployed = await lastDeployedCommit(git, environment, fetched);
  if (deployed === undefined) return { kind: "unrecorded", environment };
  if (!(await ensureFullHistory(git, "origin"))) return { kind: "shallow", environment };
  if (!(await isAncestor(git, deployed, tip))) return { kind: "rewritten", environment, deployed };
  const [info] = await logCommits(git, ["-1", deployed]);
  const commits = await logCommits(git, [
    "--no-merges",
    `${deployed}..${tip}`,
    "--",
    ...(await programPathspecs(git, tip, environment)),
  ]);
  return { kind: "known", environment, deployed: info!, commits };
}

const commitLine = (commit: CommitInfo) => `${commit.sha.slice(0, 7)} ${commit.title} (${commit.author})`;

/** The skew as command output lines. */
export function describeSkew(skew: DeploySkew): string[] {
  const env = skew.environment;
  if (skew.kind === "unrecorded") {
    return [
      `${env}'s last deploy is not recorded (no tag ${deployedTag(env)}): the program changes a deploy of ${env} would also ship are unknown`,
    ];
  }
  if (skew.kind === "shallow") {
    return [
      `this clone is shallow and its history could not be fetched: the program changes a deploy of ${env} would also ship are unknown (fetch with: git fetch --unshallow origin)`,
    ];
  }
  if (skew.kind === "rewritten") {
    return [
      `${env} last deployed ${skew.deployed.slice(0, 7)} (tag ${deployedTag(env)}), which is not in this branch's history (rewritten?): the program changes a deploy would also ship are unknown`,
    ];
  }
  const since = `${env} last deployed ${describeCommit(skew.deployed)}; program changes since then`;
  if (skew.commits.length === 0) return [`${since}: none`];
  return [`${since}, which a deploy of ${env} also ships:`, ...skew.commits.map((c) => `  ${commitLine(c)}`)];
}

/** The skew as a section of a pull request body (Markdown). */
export function skewSection(skew: DeploySkew): string[] {
  const env = skew.environment;
  const heading = `### Program changes since ${env}'s last deploy`;
  if (skew.kind !== "known") return [heading, "", describeSkew(skew)[0]!, ""];
  const intro = `${env} last deployed \`${skew.deployed.sha.slice(0, 7)}\` (${formatDate(skew.deployed.date)}). Merging deploys the program as the default branch has it`;
  if (skew.commits.length === 0)
    return [heading, "", `${intro}: none of its inputs changed since, so only the images above change.`, ""];
  return [
    heading,
    "",
    `${intro}, so this deploy also ships these commits (see \`platform diff ${env}\` in the checks for the resources they change):`,
    "",
    ...skew.commits.map((c) => `- \`${c.sha.slice(0, 7)}\` ${c.title} (${c.author})`),
    "",
  ];
}
