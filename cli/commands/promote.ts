import { appNames, type AppName } from "../../apps/catalog";
import { environmentNames, environments, type EnvironmentName } from "../../environments";
import { parseApp, parseEnvironment } from "../arguments";
import { InputError, PlatformError } from "../errors";
import { deploySkew } from "../deploy-skew";
import { createGitHub, gitHubSettings } from "../github";
import { promotionChange, refuseMovingTags } from "../promotion/moves";
import { formatVersion } from "../stack-file/read-images";
import { stackOutputsReader } from "../deployed-images";
import { runImageChange } from "./image-change";
import type { RegisterCommand } from "../command";

/** Checks that `to` takes promotions from `from`. @throws InputError */
export function checkDirection(from: EnvironmentName, to: EnvironmentName): void {
  const upstream = environments[to].upstream;
  if (upstream === undefined) {
    throw new InputError(
      `cannot promote into ${to}: it is the first environment of the pipeline and takes releases; use: platform release <app> <tag>`,
    );
  }
  if (from !== upstream) {
    throw new InputError(
      `cannot promote from ${from} to ${to}: ${to} promotes only from ${upstream} (pipeline: ${environmentNames.join(" → ")})`,
    );
  }
}

/**
 * `platform promote <from> <to> [--app <app>]... [--outputs <file>] [--pr]`: copies the tag and
 * digest each app runs in `<from>` (its stack outputs) into `<to>`'s stack file. Exit 0 when
 * done or nothing to promote, 2 for bad input, 1 when outputs, git or GitHub fail, when
 * `<from>` deployed a moving tag (one without a digit, or a floating `2`/`1.5`), or when the
 * stack file is locked.
 */
export const registerPromote: RegisterCommand = (program, context) => {
  program
    .command("promote")
    .description("Copy the images an environment has deployed into the next environment's stack file")
    .argument("<from>", "the environment whose deployed images are copied")
    .argument("<to>", "the environment that takes them (from's downstream)")
    .option("--app <app>", `an app to promote (repeatable): ${appNames.join(", ")}; default all`, collect)
    .option(
      "--outputs <file>",
      "a file holding `pulumi stack output --json --stack <from>` (default: run it)",
    )
    .option("--pr", "propose the change as a pull request instead of editing the working tree")
    .action(
      async (
        fromArgument: string,
        toArgument: string,
        options: { app?: string[]; outputs?: string; pr?: boolean },
      ) => {
        const from = parseEnvironment(fromArgument);
        const to = parseEnvironment(toArgument);
        checkDirection(from, to);
        const named = (options.app ?? []).map(parseApp);
        const apps: readonly AppName[] | "all" = named.length === 0 ? "all" : named;
        const github = options.pr ? createGitHub(gitHubSettings(context.env)) : undefined;
        const deployed = await stackOutputsReader(context.cwd, context.env, options.outputs)(from);
        const missing = named.filter((app) => deployed[app] === undefined);
        if (missing.length > 0) {
          throw new PlatformError(
            `${from} has not deployed ${missing.join(", ")} (no images.${missing[0]} in its stack outputs); release and deploy it there first`,
          );
        }
        const skipped = apps === "all" ? appNames.filter((app) => deployed[app] === undefined) : [];
        const appFlags = named.map((app) => ` --app ${app}`).join("");
        await runImageChange(context, {
          environment: to,
          command: `platform promote ${from} ${to}${appFlags}${options.pr ? " --pr" : ""}`,
          changeFrom: (current) => {
            const { change } = promotionChange({ from, to, deployed, current, apps });
            refuseMovingTags(change);
            return change;
          },
          notes: skipped.map((app) => `${app}: not deployed in ${from}; skipped`),
          nothingToDo: () => {
            const runs = appNames
              .filter((app) => deployed[app] !== undefined && (apps === "all" || apps.includes(app)))
              .map((app) => `${app} ${formatVersion(deployed[app])}`);
            return `nothing to promote: ${to} already runs what ${from} deployed (${runs.join(", ") || "no app"})`;
          },
          github,
          skew: (git, baseCommit) => deploySkew(git, to, baseCommit),
        });
      },
    );
};

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
