import { InterruptedError, PlatformError } from "./errors";
import {
  changesBetween,
  commitFile,
  commitShape,
  fetchBranch,
  fetchRefs,
  GitError,
  mergeBase,
  pushBranch,
  readFileAt,
  type FetchedRefs,
  remoteBranchCommit,
  repositoryPrefix,
  uncommittedChanges,
  type Git,
} from "./git";
import { openOrUpdatePullRequest, type GitHub, type PullRequest } from "./github";
import { generatedTrailer } from "./promotion/messages";

/** A stack file edit to propose, made from the file as the default branch has it. */
export interface ProposedEdit {
  /** The new content of the file. */
  readonly text: string;
  readonly branch: string;
  readonly title: string;
  readonly body: string;
  readonly commitMessage: string;
}

/** What a `--pr` run did. */
export interface Proposal {
  readonly action: "opened" | "updated";
  readonly pullRequest: PullRequest;
  readonly branch: string;
  /** The branch the pull request goes into. */
  readonly base: string;
}

/** The adapters the flow needs. */
export interface ProposeDeps {
  /** Git in the user's repository (the command's cwd). */
  readonly git: Git;
  readonly github: GitHub;
}

const remote = "origin";

/**
 * Proposes an edit of one file as a pull request: makes it from the file on the default
 * branch, commits it on a deterministic branch, pushes it to `origin` and opens a pull request,
 * or updates the open one of that branch. The user's working tree, index and branches are never
 * touched: the commit is built in a temporary index on top of the fetched default branch. If
 * GitHub fails after the push, or the command is interrupted (SIGINT, SIGTERM), the branch is put
 * back as it was (deleted if it was new), unless a pull request was opened from it after all.
 *
 * @param file the file, relative to the git adapter's directory.
 * @param makeEdit the edit, from the file's text on the default branch (and a name for messages, the
 *   branch's commit, and the refs of `alsoFetch` as origin had them, when fetched with the branch);
 *   undefined when nothing changes, then nothing is pushed or opened.
 * @param alsoFetch refs of origin the edit reads (`refs/tags/deployed/production`), fetched in the
 *   same round trip as the default branch; origin may lack them.
 * @returns undefined when there was nothing to propose.
 * @throws PlatformError for uncommitted changes to `file` (others are left alone), a branch of someone else's, a rejected push
 *   or a GitHub failure; nothing is left behind.
 */
export async function proposeEdit(
  { git, github }: ProposeDeps,
  file: string,
  makeEdit: (
    text: string,
    source: string,
    baseCommit: string,
    fetched: FetchedRefs | undefined,
  ) => ProposedEdit | undefined | Promise<ProposedEdit | undefined>,
  alsoFetch: readonly string[] = [],
): Promise<Proposal | undefined> {
  const prefix = await step(
    `${git.cwd} is not in a git repository; --pr needs a clone of the repository`,
    () => repositoryPrefix(git),
  );
  const path = `${prefix}${file}`;
  // Other changes stay where they are, untouched; one to this file would silently not be in the
  // proposal, which is made from the default branch's file.
  const dirty = (await uncommittedChanges(git)).filter((line) => {
    const entry = line.slice(3);
    return entry === path || entry.endsWith(` -> ${path}`);
  });
  if (dirty.length > 0) {
    throw new PlatformError(
      `${file} has uncommitted changes, which --pr would leave out (it proposes an edit of ${file} as the default branch has it); commit or stash them, then run again with --pr`,
    );
  }
  const base = await github.defaultBranch();
  const { baseCommit, fetched } = await step(`cannot fetch ${base} from ${remote}`, () =>
    fetchBase(git, base, alsoFetch),
  );
  const text = await readFileAt(git, baseCommit, path);
  if (text === undefined) {
    throw new PlatformError(`${file} does not exist on ${base}; add it there first, then run again`);
  }
  const edit = await makeEdit(text, `${file} on ${base}`, baseCommit, fetched);
  if (edit === undefined) return undefined;

  const previous = await step(`cannot read branch ${edit.branch} of ${remote}`, () =>
    remoteBranchCommit(git, remote, edit.branch),
  );
  if (previous !== undefined) await ensureGenerated(git, edit.branch, previous, baseCommit, path);
  const existing = await github.findOpenPullRequest(edit.branch);

  const commit = await commitFile(git, {
    parent: baseCommit,
    path,
    content: edit.text,
    message: edit.commitMessage,
  });
  const unchanged = previous !== undefined && (await sameChange(git, previous, commit));
  if (!unchanged) {
    await step(
      `git push to ${remote} was rejected for branch ${edit.branch}`,
      () => pushBranch(git, remote, { branch: edit.branch, commit, expected: previous }),
      "check that you may push branches to origin and that no rule protects this branch, then run again",
    );
  }
  try {
    const { action, pullRequest } = await openOrUpdatePullRequest(
      github,
      { branch: edit.branch, base, title: edit.title, body: edit.body },
      existing,
    );
    return { action, pullRequest, branch: edit.branch, base };
  } catch (error) {
    if (!unchanged) {
      await cleanUp({ git, github }, edit.branch, { pushed: commit, previous, existing }, error);
    }
    throw error;
  }
}

/**
 * After a failure to open or update the pull request, puts the pushed branch back as it was
 * (deletes it if it was new), unless a pull request was opened from it after all: GitHub may
 * have opened it before an interruption cut the request short, and deleting its branch would
 * close it. What was done is added to the message of an interruption; a failure to do it is
 * added to any error.
 */
async function cleanUp(
  { git, github }: ProposeDeps,
  branch: string,
  state: { pushed: string; previous: string | undefined; existing: PullRequest | undefined },
  error: unknown,
): Promise<void> {
  // Any other failure of GitHub's already looked for the pull request when it was uncertain.
  if (error instanceof InterruptedError && state.existing === undefined) {
    const opened = await github.findOpenPullRequest(branch, { interruptible: false }).catch(() => undefined);
    if (opened !== undefined) {
      error.message += `; pull request #${opened.number} was opened before the interruption and branch ${branch} is kept: ${opened.url}`;
      return;
    }
  }
  const restored = await restoreBranch(git, branch, state.pushed, state.previous, error);
  if (restored && error instanceof InterruptedError) {
    error.message +=
      state.previous === undefined
        ? `; branch ${branch} was deleted from ${remote} again`
        : `; branch ${branch} was put back on ${remote} as it was`;
  }
}

/**
 * Fetches the default branch, and `alsoFetch` in the same round trip. When that fetch fails, the
 * branch is fetched alone, so that its failure is the branch's own and the others are left to
 * their readers (`fetched` undefined), as each would have fetched them.
 */
async function fetchBase(
  git: Git,
  base: string,
  alsoFetch: readonly string[],
): Promise<{ baseCommit: string; fetched: FetchedRefs | undefined }> {
  if (alsoFetch.length === 0) return { baseCommit: await fetchBranch(git, remote, base), fetched: undefined };
  const ref = `refs/heads/${base}`;
  try {
    const fetched = await fetchRefs(git, remote, { required: [ref], optional: alsoFetch });
    return { baseCommit: fetched.get(ref)!, fetched };
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    return { baseCommit: await fetchBranch(git, remote, base), fetched: undefined };
  }
}

/** Runs a git step; its failure becomes a PlatformError with git's own words. */
async function step<T>(what: string, run: () => Promise<T>, advice?: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    const said = error.stderr
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("hint:") && !line.startsWith("To "))
      .join("; ");
    throw new PlatformError(`${what}: ${said}${advice ? `; ${advice}` : ""}`);
  }
}

/**
 * Refuses to overwrite a branch that holds anything but the CLI's own commits on this file:
 * someone's work would be lost by the force-push.
 */
async function ensureGenerated(
  git: Git,
  branch: string,
  tip: string,
  baseCommit: string,
  path: string,
): Promise<void> {
  await step(`cannot fetch branch ${branch} from ${remote}`, () => fetchBranch(git, remote, branch));
  // CI checks out one commit deep; without history no merge base can be found.
  if ((await git.run(["rev-parse", "--is-shallow-repository"])).trim() === "true") {
    await step(`cannot fetch the history of ${remote}`, () =>
      git.run(["fetch", "--quiet", "--no-tags", "--unshallow", remote]),
    );
    await step(`cannot fetch branch ${branch} from ${remote}`, () => fetchBranch(git, remote, branch));
  }
  const fork = await mergeBase(git, baseCommit, tip);
  const refuse = (why: string) =>
    new PlatformError(
      `branch ${branch} already exists on ${remote} with other content (${why}); delete it (git push origin --delete ${branch}) or merge its pull request, then run again`,
    );
  if (fork === undefined) throw refuse("no history in common with the default branch");
  const { files, commits } = await changesBetween(git, fork, tip);
  const foreignFile = files.find((file) => file !== path);
  if (foreignFile !== undefined) throw refuse(`it changes ${foreignFile}`);
  const foreignCommit = commits.find((commit) => !commit.message.includes(generatedTrailer));
  if (foreignCommit !== undefined) {
    throw refuse(
      `commit ${foreignCommit.sha.slice(0, 7)} '${foreignCommit.message.split("\n")[0]}' was not made by platform`,
    );
  }
}

/** Whether the branch already holds this change: same tree on the same parent. */
async function sameChange(git: Git, previous: string, commit: string): Promise<boolean> {
  const [before, after] = await Promise.all([commitShape(git, previous), commitShape(git, commit)]);
  return before.tree === after.tree && before.parent === after.parent;
}

/**
 * Puts the branch back as it was before the push; a failure to do so is added to the error.
 * @returns whether the branch was put back.
 */
async function restoreBranch(
  git: Git,
  branch: string,
  pushed: string,
  previous: string | undefined,
  error: unknown,
): Promise<boolean> {
  try {
    await pushBranch(git, remote, { branch, commit: previous, expected: pushed });
    return true;
  } catch (cleanup) {
    if (error instanceof Error) {
      const undo =
        previous === undefined
          ? `git push origin --delete ${branch}`
          : `git push --force origin ${previous}:refs/heads/${branch}`;
      error.message += `; also could not put branch ${branch} back (${(cleanup as Error).message.split("\n")[0]}): run ${undo}`;
    }
    return false;
  }
}
