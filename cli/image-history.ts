import { appNames, type AppName } from "../apps/catalog";
import type { EnvironmentName } from "../environments";
import type { ImageVersion } from "../apps/image-reference";
import { logCommits, readFileAt, type CommitInfo, type Git } from "./git";
import { formatVersion, inspectImages, sameVersion, type StackImages } from "./stack-file/read-images";

/** One version an app had in an environment: its entry, and the commit that set it. */
export interface VersionRecord {
  /** Undefined when the commit removed the app from the environment. */
  readonly version: ImageVersion | undefined;
  readonly commit: CommitInfo;
}

/** Every version each app had in an environment, oldest first; an app never deployed has none. */
export type ImageHistory = Readonly<Partial<Record<AppName, readonly VersionRecord[]>>>;

/** The stack file's image entries at one commit of the history (undefined: absent or unreadable). */
export interface Snapshot {
  readonly commit: CommitInfo;
  readonly images: StackImages | undefined;
}

/**
 * The versions of every app, from the stack file at each commit that changed it (oldest
 * first): a record wherever an app's entry differs from the commit before. A commit whose file
 * the program could not read deployed nothing, and is skipped.
 */
export function historyOf(snapshots: readonly Snapshot[]): ImageHistory {
  const history: Partial<Record<AppName, VersionRecord[]>> = {};
  let previous: StackImages = {};
  for (const { commit, images } of snapshots) {
    if (images === undefined) continue;
    for (const app of appNames) {
      if (sameVersion(previous[app], images[app])) continue;
      (history[app] ??= []).push({ version: images[app], commit });
    }
    previous = images;
  }
  return history;
}

/** `2026-11-30 21:09 UTC`: when a commit landed, as the pull request body and messages say it. */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** `1a2b3c4 (2026-11-30 21:09 UTC)`: a commit as messages name it. */
export const describeCommit = (commit: CommitInfo): string =>
  `${commit.sha.slice(0, 7)} (${formatDate(commit.date)})`;

/**
 * Reads the history of a stack file along the first-parent chain of `tip` (the commits the
 * branch itself was at, not those of merged branches), each version read with the stack files'
 * one reader. A file with some bad entries keeps its readable ones (the program refuses the
 * file, so nothing of it was deployed, but `inspectImages` is the same reader).
 */
export async function readImageHistory(git: Git, tip: string, file: string): Promise<ImageHistory> {
  const commits = (await logCommits(git, ["--first-parent", tip, "--", file])).reverse();
  const read = async (commit: CommitInfo): Promise<Snapshot> => {
    const text = await readFileAt(git, commit.sha, file);
    if (text === undefined) return { commit, images: {} };
    try {
      const { versions, problems } = inspectImages(text, `${file} at ${commit.sha.slice(0, 7)}`);
      return { commit, images: problems.length > 0 ? undefined : versions };
    } catch {
      return { commit, images: undefined };
    }
  };
  // A few git processes at a time: a long history must not start hundreds at once.
  const snapshots: Snapshot[] = [];
  for (let start = 0; start < commits.length; start += 8) {
    snapshots.push(...(await Promise.all(commits.slice(start, start + 8).map(read))));
  }
  return historyOf(snapshots);
}

/** What a rollback goes to: the version before the current one, a tag, or a commit's version. */
export type RollbackChoice =
  | { readonly kind: "previous" }
  | { readonly kind: "tag"; readonly tag: string }
  /** `records`: the version the app had at that commit, and the record that set it. */
  | { readonly kind: "commit"; readonly commit: string; readonly record: VersionRecord | undefined };

/** One app's rollback: from the current version to an earlier one, with the commits that set each. */
export interface RollbackStep {
  readonly app: AppName;
  readonly from: VersionRecord & { readonly version: ImageVersion };
  readonly to: VersionRecord & { readonly version: ImageVersion };
}

/**
 * Finds an app's rollback in its history. The current entry must be the history's last version:
 * otherwise the file was changed outside the history read (rewritten), and nothing is decided.
 *
 * @returns the step, or why there is none (`refuse`: the command must stop; `same`: the app
 *   already runs the target).
 */
export function rollbackStep(input: {
  readonly environment: EnvironmentName;
  readonly app: AppName;
  readonly records: readonly VersionRecord[];
  readonly current: ImageVersion | undefined;
  readonly choice: RollbackChoice;
}): RollbackStep | { readonly refuse: string } | { readonly same: string } {
  const { environment, app, records, current, choice } = input;
  if (current === undefined)
    return { refuse: `${app}: not deployed in ${environment}; nothing to roll back` };
  const last = records[records.length - 1];
  if (last === undefined || !sameVersion(last.version, current)) {
    return {
      refuse: `${app}: ${environment}'s stack file has ${formatVersion(current)}, but its history on the default branch ends with ${formatVersion(last?.version)}; the history was rewritten or the file changed outside it: check the default branch, then run again`,
    };
  }
  const from = { ...last, version: current };
  const earlier = records
    .slice(0, -1)
    .reverse()
    .filter((record): record is VersionRecord & { version: ImageVersion } => record.version !== undefined);
  let to: (VersionRecord & { version: ImageVersion }) | undefined;
  if (choice.kind === "previous") {
    to = earlier.find((record) => !sameVersion(record.version, current));
    if (to === undefined) {
      return {
        refuse: `${app}: ${environment} has run only ${formatVersion(current)} (since ${describeCommit(last.commit)}); there is no earlier version to roll back to`,
      };
    }
  } else if (choice.kind === "tag") {
    if (current.tag === choice.tag)
      return { same: `${app}: ${environment} already runs ${formatVersion(current)}` };
    to = earlier.find((record) => record.version.tag === choice.tag);
    if (to === undefined) {
      const ran = [...new Set(earlier.map((record) => record.version.tag))];
      return {
        refuse: `${app}: ${environment} never ran ${choice.tag} before its current version ${current.tag}; earlier versions: ${ran.join(", ") || "none"}`,
      };
    }
  } else {
    const record = choice.record;
    if (record?.version === undefined) {
      return { refuse: `${app}: ${environment} did not run ${app} at ${choice.commit.slice(0, 7)}` };
    }
    if (sameVersion(record.version, current)) {
      return {
        same: `${app}: ${environment} already runs ${formatVersion(current)}, as at ${choice.commit.slice(0, 7)}`,
      };
    }
    to = { ...record, version: record.version };
  }
  return { app, from, to };
}

/**
 * The digest a release tag was deployed as, from any history that pinned it (production's
 * promotions, acceptance's earlier rollbacks): release tags are never moved, so one pin of a tag
 * names its image for good.
 */
export function pinnedDigest(
  histories: readonly ImageHistory[],
  app: AppName,
  tag: string,
): string | undefined {
  for (const history of histories) {
    const pinned = [...(history[app] ?? [])]
      .reverse()
      .find((record) => record.version?.tag === tag && record.version.digest !== undefined);
    if (pinned !== undefined) return pinned.version!.digest;
  }
  return undefined;
}

/** Whether an environment ran exactly this `tag@digest` before its current entry, and when. */
export function ranBefore(
  records: readonly VersionRecord[] | undefined,
  version: ImageVersion,
): VersionRecord | undefined {
  if (version.digest === undefined) return undefined;
  return [...(records ?? [])].reverse().find((record) => sameVersion(record.version, version));
}
