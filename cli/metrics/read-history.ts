// The git adapter of the metrics and the page: reads the default branch's first-parent chain, the
// stack files at each of its commits and the verification records (through verified-records.ts).
import { environmentNames, type EnvironmentName } from "../../environments";
import { stackFileName } from "../../stack-config/stack-files";
import { ensureFullHistory, repositoryPrefix, type Git } from "../git";
import { inspectImages, type StackImages } from "../stack-file/read-images";
import { fetchRecords, readRecords, type VerifiedRecord } from "../verified-records";
import { deploysOf, type HistoryCommit } from "./events";
import type { DeliveryHistory } from "./figures";

/** The history, plus what the page needs besides it: the stack files at the tip, and warnings. */
export interface ReadHistory extends DeliveryHistory {
  readonly tip: string;
  readonly current: Readonly<Record<EnvironmentName, StackImages>>;
  /** Lines to print on stderr: records ignored, origin not reachable. */
  readonly warnings: readonly string[];
}

/**
 * Reads `ref`'s first-parent chain (one `git log`), every stack file along it (one
 * `git cat-file --batch`), when each merged pull request was opened (one `git log` per merge that
 * changed a version) and each environment's records as origin has them.
 */
export async function readDeliveryHistory(git: Git, ref = "HEAD"): Promise<ReadHistory> {
  const prefix = await repositoryPrefix(git);
  // CI checks out one commit: the history is fetched first (a no-op in a full clone).
  const whole = await ensureFullHistory(git, "origin");
  const log = await git.run(["log", "--first-parent", "--format=%H%x00%P%x00%ct%x00%B%x1e", ref]);
  const entries = log
    .split("\x1e")
    .map((entry) => entry.replace(/^\n/, ""))
    .filter((entry) => entry.includes("\x00"))
    .map((entry) => {
      const [sha = "", parents = "", time = "0", message = ""] = entry.split("\x00");
      return { sha, parents: parents.split(" ").filter(Boolean), committedAt: Number(time) * 1000, message };
    })
    .reverse();
  const files = await readBlobs(
    git,
    entries.flatMap((entry) => environmentNames.map((env) => `${entry.sha}:${prefix}${stackFileName(env)}`)),
  );
  const readAt = (sha: string, environment: EnvironmentName): StackImages | undefined => {
    const text = files.get(`${sha}:${prefix}${stackFileName(environment)}`);
    if (text === undefined) return undefined;
    try {
      const { versions, problems } = inspectImages(
        text,
        `${stackFileName(environment)} at ${sha.slice(0, 7)}`,
      );
      return problems.length > 0 ? undefined : versions;
    } catch {
      return undefined;
    }
  };
  const commits: HistoryCommit[] = entries.map((entry) => ({
    ...entry,
    images: Object.fromEntries(environmentNames.map((env) => [env, readAt(entry.sha, env)])),
  }));
  // When each merge's branch began: its oldest commit's committer time.
  const changed = new Set(deploysOf(commits).map((deploy) => deploy.commit));
  for (const [index, commit] of commits.entries()) {
    if (commit.parents.length < 2 || !changed.has(commit.sha)) continue;
    const times = (await git.run(["log", "--format=%ct", `${commit.parents[0]}..${commit.parents[1]}`]))
      .split("\n")
      .filter(Boolean)
      .map((time) => Number(time) * 1000);
    if (times.length > 0) commits[index] = { ...commit, openedAt: Math.min(...times) };
  }
  const warnings: string[] = whole
    ? []
    : [
        "this clone is shallow and origin's history could not be fetched; the figures cover the commits present",
      ];
  const records: VerifiedRecord[] = [];
  // One fetch brings every environment's records.
  const fetched = { fresh: await fetchRecords(git) };
  for (const environment of environmentNames) {
    const read = await readRecords(git, environment, fetched);
    records.push(...read.records);
    warnings.push(...read.ignored);
    if (!read.fresh && environment === environmentNames[0])
      warnings.push("origin could not be asked for verification records; using those of the last fetch");
  }
  const commitIndex = new Map(commits.map((commit, index) => [commit.sha, index]));
  const tip = commits[commits.length - 1];
  return {
    deploys: deploysOf(commits),
    records,
    commitIndex,
    tip: tip?.sha ?? "",
    current: Object.fromEntries(
      environmentNames.map((env) => [env, tip === undefined ? {} : (tip.images[env] ?? {})]),
    ) as Record<EnvironmentName, StackImages>,
    warnings,
  };
}

/** Reads many `<commit>:<path>` blobs with one `git cat-file --batch`; absent ones are left out. */
async function readBlobs(git: Git, names: readonly string[]): Promise<Map<string, string>> {
  const blobs = new Map<string, string>();
  if (names.length === 0) return blobs;
  const output = Buffer.from(
    await git.run(["cat-file", "--batch"], { input: `${names.join("\n")}\n` }),
    "utf8",
  );
  let offset = 0;
  for (const name of names) {
    const end = output.indexOf(0x0a, offset);
    const header = output.subarray(offset, end).toString("utf8");
    offset = end + 1;
    const [, type, size] = header.split(" ");
    if (
      type === undefined ||
      size === undefined ||
      header.endsWith(" missing") ||
      header.endsWith(" ambiguous")
    )
      continue;
    const length = Number(size);
    if (type === "blob") blobs.set(name, output.subarray(offset, offset + length).toString("utf8"));
    offset += length + 1;
  }
  return blobs;
}
