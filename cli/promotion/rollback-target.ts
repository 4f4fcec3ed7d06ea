// What a rollback goes back to: a set the environment itself verified, read from its
// verification records (docs/decisions/0046), never from the stack file's git history, where a
// rebase merge leaves every intermediate commit of a pull request (issue 21, point 3).
import type { EnvironmentName } from "../../environments";
import { appNames } from "../../apps/catalog";
import { describeRecord, describeSet, type VerifiedRecord } from "../verified-records";
import { sameVersion, type StackImages } from "../stack-file/read-images";

/**
 * Whether a stack file's images are a record's set. An entry without digest (acceptance builds
 * its tags, and its record pins what the build pushed) is the record's when the tag is.
 */
export function runsRecord(images: StackImages, record: VerifiedRecord): boolean {
  return appNames.every((app) => {
    const entry = images[app];
    const recorded = record.images[app];
    if (entry === undefined || recorded === undefined) return entry === recorded;
    return entry.digest === undefined ? entry.tag === recorded.tag : sameVersion(entry, recorded);
  });
}

/** The record a rollback goes to, or why there is none (`refuse`, exit 1) or what `--to` is not (`bad`, exit 2). */
export type RollbackTarget =
  { readonly record: VerifiedRecord } | { readonly refuse: string } | { readonly bad: string };

/**
 * Picks the rollback target among an environment's records (oldest first).
 *
 * Without `to`: the newest record older than the newest record of the current set whose set
 * differs from it (when the current set was never verified, as after a deploy whose
 * verification failed: the newest record). With `to`: the record of that tag name
 * (`verified/<env>/<time>-<commit>`), or the newest record of that commit (full or at least 7
 * hex characters); anything else is refused.
 */
export function rollbackTarget(input: {
  readonly environment: EnvironmentName;
  readonly records: readonly VerifiedRecord[];
  readonly current: StackImages;
  readonly to: string | undefined;
}): RollbackTarget {
  const { environment, records, current, to } = input;
  const newestFirst = [...records].reverse();
  if (to !== undefined) {
    const byName = to.replace(/^refs\/tags\//, "");
    const named = newestFirst.find((record) => record.name === byName);
    if (named !== undefined) return { record: named };
    const byCommit = /^[0-9a-f]{7,40}$/.test(to)
      ? newestFirst.find((record) => record.commit.startsWith(to))
      : undefined;
    if (byCommit !== undefined) return { record: byCommit };
    return {
      bad: `--to ${to}: not a verification record of ${environment}: pass a record's tag name (verified/${environment}/<time>-<commit>) or the commit one was made for; ${records.length === 0 ? `${environment} has no record yet` : `the newest is ${describeRecord(newestFirst[0]!)}`} (all of them: platform status, or git ls-remote origin 'refs/tags/verified/${environment}/*')`,
    };
  }
  if (records.length === 0) {
    return {
      refuse: `${environment} has no verification record, so there is no set it verified to roll back to; roll back by hand with platform set-image (the gate then judges it as a promotion)`,
    };
  }
  const currentAt = newestFirst.findIndex((record) => runsRecord(current, record));
  const earlier = newestFirst.slice(Math.max(currentAt, 0)).find((record) => !runsRecord(current, record));
  if (earlier === undefined) {
    return {
      refuse: `${environment} has verified only the set it runs now (${describeSet(current)}, ${describeRecord(newestFirst[currentAt]!)}); there is no earlier verified set to roll back to`,
    };
  }
  return { record: earlier };
}
