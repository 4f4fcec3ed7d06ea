import type { EnvironmentName } from "../../environments";
import type { Context } from "../context";
import { deployedRef, deploySkew } from "../deploy-skew";
import { createGit } from "../git";
import type { GitHub } from "../github";
import { applyChange, type ImageChange } from "../promotion/moves";
import {
  branchName,
  commitMessage,
  describeMoves,
  pullRequestBody,
  pullRequestTitle,
} from "../promotion/messages";
import { runUrl, withoutUserinfo } from "../promotion/run-url";
import { proposeEdit } from "../pull-request";
import { parseStackFile } from "../../stack-config/from-file";
import { readImages, type StackImages } from "../stack-file/read-images";
import { editStackFile, stackFileName } from "../stack-file/files";

/** How `release`, `promote` and `rollback` carry out a change of image versions in one environment. */
export interface ImageChangeRun {
  readonly environment: EnvironmentName;
  /** The command line, for the pull request body. */
  readonly command: string;
  /** The change, from the environment's current entries. */
  readonly changeFrom: (current: StackImages) => ImageChange;
  /** Printed before the outcome once the change is known, for example apps skipped. */
  readonly notes: readonly string[];
  /** What to print when the environment already has the versions. */
  readonly nothingToDo: (change: ImageChange) => string;
  /** With `--pr`: the GitHub adapter (settings checked before any work). */
  readonly github: GitHub | undefined;
  /**
   * With `--pr`: what the default branch ships besides the images, for the pull request body
   * ({@link deploySkew} of the environment).
   */
  readonly skew?: boolean;
}

/**
 * Without `--pr`, edits the stack file in the working tree atomically, under its lock. With `--pr`, starts from
 * the default branch and proposes the edit as a pull request, leaving the working tree as it is.
 */
export async function runImageChange(context: Context, run: ImageChangeRun): Promise<void> {
  const name = stackFileName(run.environment);
  const print = (lines: readonly string[]) => context.stdout(lines.map((line) => `${line}\n`).join(""));
  const edit = (text: string, source: string) => {
    const change = run.changeFrom(readImages(text, source));
    if (change.moves.length === 0) return { change, text };
    const result = applyChange(text, change, source);
    // Never write a file the program would reject: read it back as the program would.
    readImages(result, source);
    parseStackFile(result, run.environment, `${source} as it would be written`);
    return { change, text: result };
  };

  if (run.github === undefined) {
    let change: ImageChange | undefined;
    await editStackFile(
      context.cwd,
      run.environment,
      (current) => {
        const edited = edit(current, name);
        change = edited.change;
        return edited.text;
      },
      undefined,
      (line) => context.stderr(`note: ${line}\n`),
    );
    print(run.notes);
    if (change!.moves.length === 0) return print([run.nothingToDo(change!)]);
    return print(describeMoves(change!));
  }

  // The change is made inside the flow, from the file on the default branch.
  let proposed: ImageChange | undefined;
  const git = createGit(context.cwd, context.env);
  const proposal = await proposeEdit(
    { git, github: run.github },
    name,
    async (baseText, source, baseCommit, fetched) => {
      const { change, text } = edit(baseText, source);
      proposed = change;
      if (change.moves.length === 0) return undefined;
      const skew = run.skew ? await deploySkew(git, run.environment, baseCommit, fetched) : undefined;
      return {
        text,
        branch: branchName(change),
        title: pullRequestTitle(change),
        body: pullRequestBody(change, { command: run.command, runUrl: runUrl(context.env), skew }),
        commitMessage: commitMessage(change),
      };
    },
    // The deployed tag comes with the default branch, in one round trip.
    run.skew ? [deployedRef(run.environment)] : [],
  );
  if (proposed === undefined) return;
  print(run.notes);
  if (proposal === undefined) return print([run.nothingToDo(proposed)]);
  const { action, pullRequest, branch, base } = proposal;
  print([
    ...describeMoves(proposed),
    `${action} pull request #${pullRequest.number}: ${withoutUserinfo(pullRequest.url)} (${branch} into ${base})`,
  ]);
}
