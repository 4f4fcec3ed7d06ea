import type { Git } from "./git";
import { promotionScope, type PromotionScope } from "./promotion-scope";
import { readStackData } from "../stack-config/from-file";

/**
 * Every path in the repository (relative to its top) that differs between `commit` and the
 * working tree: committed, staged or not, and files git does not track yet (unless ignored).
 * On a pull request's merge commit with `commit` = the base, exactly the pull request's files.
 */
export async function changedFiles(git: Git, commit: string): Promise<string[]> {
  // From any directory of the checkout, without asking for its top first: diff names files
  // from the top (whatever diff.relative says), and ls-files does with --full-name over the
  // `:(top)` pathspec.
  const tracked = await git.run(["diff", "--name-only", "--no-relative", "--no-renames", "-z", commit, "--"]);
  const untracked = await git.run([
    "ls-files",
    "--others",
    "--exclude-standard",
    "--full-name",
    "-z",
    "--",
    ":(top)",
  ]);
  return [
    ...new Set([...tracked.split("\0"), ...untracked.split("\0")].filter((file) => file !== "")),
  ].sort();
}

/**
 * Whether the change from `commit` to the working tree is a promotion of the stack file
 * `stackFile` (a repository path), read with the stack files' one reader.
 */
export async function promotionScopeSince(
  git: Git,
  commit: string,
  stackFile: string,
  texts: { readonly base: string | undefined; readonly head: string },
  allowRemoval: boolean,
): Promise<PromotionScope> {
  return promotionScope({
    stackFile,
    changedFiles: await changedFiles(git, commit),
    base: texts.base === undefined ? undefined : readStackData(texts.base, `${stackFile} at ${commit}`),
    head: readStackData(texts.head, stackFile),
    allowRemoval,
  });
}
