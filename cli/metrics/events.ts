// The events the delivery metrics are computed from, as git history holds them: every change of
// an app's version in a stack file on the default branch's first-parent chain (a deploy), what
// kind of change it was (from the pull request title or branch `platform` gives it), and the
// verification records (docs/decisions/0046, 0055).
import { appNames, type AppName } from "../../apps/catalog";
import type { ImageVersion } from "../../apps/image-reference";
import { environmentNames, type EnvironmentName } from "../../environments";
import type { StackImages } from "../stack-file/read-images";
import { sameVersion } from "../stack-file/read-images";

/** What a change was, from its pull request: `platform release`, `promote`, `rollback`, or anything else. */
export type ChangeKind = "release" | "promotion" | "rollback" | "other";

/** One commit of the default branch's first-parent chain, as the adapter reads it. */
export interface HistoryCommit {
  readonly sha: string;
  /** Its parents; a merged pull request has two. */
  readonly parents: readonly string[];
  /** Committer time (when it landed on the default branch), ms since the epoch. */
  readonly committedAt: number;
  /** The whole message. */
  readonly message: string;
  /** For a merge: the committer time of the merged branch's first commit (when the pull request was opened). */
  readonly openedAt?: number;
  /** The image entries of each environment's stack file at this commit (undefined: absent or unreadable). */
  readonly images: Readonly<Partial<Record<EnvironmentName, StackImages | undefined>>>;
}

/** A change of one app's version in one environment's stack file, on the default branch. */
export interface DeployEvent {
  readonly environment: EnvironmentName;
  readonly app: AppName;
  readonly version: ImageVersion;
  readonly previous: ImageVersion | undefined;
  readonly commit: string;
  /** Position on the first-parent chain, 0 the oldest. */
  readonly index: number;
  readonly mergedAt: number;
  /** When its pull request was opened; undefined for a squash merge or a direct push. */
  readonly openedAt: number | undefined;
  readonly kind: ChangeKind;
  /** The pull request's (or commit's) title. */
  readonly title: string;
  readonly pullRequest: number | undefined;
}

const titleKinds: readonly [RegExp, ChangeKind][] = [
  [/^Release to ([a-z0-9-]+):/, "release"],
  [/^Promote to ([a-z0-9-]+):/, "promotion"],
  [/^Roll back ([a-z0-9-]+):/, "rollback"],
];
const branchKinds: Readonly<Record<string, ChangeKind>> = {
  release: "release",
  promote: "promotion",
  rollback: "rollback",
};

/**
 * The title, pull request number and kind of a commit on the default branch. GitHub's merge commit
 * says `Merge pull request #12 from acme/promote/production/all`, then the pull request's title;
 * a squash merge's subject is the title and ` (#12)`. The branch (`<kind>/<environment>/<apps>`,
 * cli/promotion/messages.ts) decides for a merge, else the title's verb.
 */
export function describeChange(message: string): {
  title: string;
  pullRequest: number | undefined;
  kind: ChangeKind;
} {
  const lines = message.split("\n");
  const subject = lines[0] ?? "";
  const merge = /^Merge pull request #(\d+) from [^/\s]+\/(\S+)$/.exec(subject);
  if (merge !== null) {
    const title = lines.slice(1).find((line) => line.trim() !== "") ?? subject;
    const branchKind = branchKinds[merge[2]!.split("/")[0]!];
    return { title, pullRequest: Number(merge[1]), kind: branchKind ?? kindOfTitle(title) };
  }
  const squash = /^(.*) \(#(\d+)\)$/.exec(subject);
  const title = squash === null ? subject : squash[1]!;
  return { title, pullRequest: squash === null ? undefined : Number(squash[2]), kind: kindOfTitle(title) };
}

const kindOfTitle = (title: string): ChangeKind =>
  titleKinds.find(([pattern]) => pattern.test(title))?.[1] ?? "other";

/**
 * Every deploy in a first-parent history (oldest first): each app whose entry in an environment's
 * stack file differs from the commit before. A file the program could not read deployed nothing
 * (skipped); an app removed is no deploy.
 */
export function deploysOf(commits: readonly HistoryCommit[]): DeployEvent[] {
  const deploys: DeployEvent[] = [];
  const previous: Partial<Record<EnvironmentName, StackImages>> = {};
  commits.forEach((commit, index) => {
    const change = describeChange(commit.message);
    for (const environment of environmentNames) {
      const images = commit.images[environment];
      if (images === undefined) continue;
      const before = previous[environment] ?? {};
      for (const app of appNames) {
        const version = images[app];
        if (version === undefined || sameVersion(before[app], version)) continue;
        deploys.push({
          environment,
          app,
          version,
          previous: before[app],
          commit: commit.sha,
          index,
          mergedAt: commit.committedAt,
          openedAt: commit.parents.length > 1 ? commit.openedAt : undefined,
          kind: change.kind,
          title: change.title,
          pullRequest: change.pullRequest,
        });
      }
      previous[environment] = images;
    }
  });
  return deploys;
}
