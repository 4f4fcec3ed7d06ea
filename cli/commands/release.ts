import { appNames } from "../../apps/catalog";
import { environmentNames } from "../../environments";
import { parseApp, parseTag } from "../arguments";
import { createGitHub, gitHubSettings } from "../github";
import { releaseChange } from "../promotion/moves";
import { formatVersion } from "../stack-file/read-images";
import { runImageChange } from "./image-change";
import type { RegisterCommand } from "../command";

/**
 * `platform release <app> <tag> [--pr]`: sets the app's tag (without digest) in the first
 * environment of the pipeline, which builds it. Exit 0 when done or already so, 2 for bad
 * input (a moving tag such as `latest`, one without a digit, too), 1 when git or GitHub fail or
 * the stack file is locked by another command.
 */
export const registerRelease: RegisterCommand = (program, context) => {
  const first = environmentNames[0];
  program
    .command("release")
    .description(`Release an app's tag into ${first}, the first environment of the pipeline`)
    .argument("<app>", appNames.join(" | "))
    .argument("<tag>", "the image tag to build and deploy, for example 1.5.0")
    .option("--pr", "propose the change as a pull request instead of editing the working tree")
    .action(async (appArgument: string, tagArgument: string, options: { pr?: boolean }) => {
      const app = parseApp(appArgument);
      const tag = parseTag(tagArgument);
      const github = options.pr ? createGitHub(gitHubSettings(context.env)) : undefined;
      await runImageChange(context, {
        environment: first,
        command: `platform release ${app} ${tag}${options.pr ? " --pr" : ""}`,
        changeFrom: (current) => releaseChange({ environment: first, app, tag, current }),
        notes: [],
        nothingToDo: () => `nothing to release: ${first} already has ${app} ${formatVersion({ tag })}`,
        github,
      });
    });
};
