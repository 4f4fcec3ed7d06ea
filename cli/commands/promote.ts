import { appNames, type AppName } from "../../apps/catalog";
import { environmentNames, environments, type EnvironmentName } from "../../environments";
import { parseApp, parseEnvironment } from "../arguments";
import { describeInstant } from "../../lib/zoned-time";
import { now } from "../clock";
import { InputError, PlatformError } from "../errors";
import { createGit } from "../git";
import { createGitHub, gitHubSettings } from "../github";
import { soakedSet } from "../promotion/gate";
import { promotionChange, refuseMovingTags } from "../promotion/moves";
import { formatVersion } from "../stack-file/read-images";
import { stackOutputsReader, type DeployedImages } from "../deployed-images";
import { describeRecord, describeSet, readRecords, sameSet } from "../verified-records";
import type { Context } from "../context";
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
 * digest each app runs in `<from>` (its stack outputs) into `<to>`'s stack file. Without
 * `--app` it proposes the newest set `<from>` verified that has soaked as long as `<to>`
 * requires (its verification records; docs/decisions/0047), which may be older than what
 * `<from>` runs, and only says why when there is none yet. Exit 0 when done or nothing to
 * promote, 2 for bad input, 1 when outputs, git or GitHub fail, when `<from>` has no
 * verification record, when `<from>` deployed a moving tag (one without a digit, or a floating `2`/`1.5`), or when the
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
        const running = await stackOutputsReader(context.cwd, context.env, options.outputs)(from);
        const proposal = named.length === 0 ? await soakedProposal(context, from, to, running) : running;
        if (proposal === undefined) return;
        const deployed: DeployedImages = proposal;
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
          notes: skipped.map(
            (app) =>
              `${app}: not ${proposal === running ? "deployed" : "in the set proposed"} in ${from}; skipped`,
          ),
          nothingToDo: () => {
            const runs = appNames
              .filter((app) => deployed[app] !== undefined && (apps === "all" || apps.includes(app)))
              .map((app) => `${app} ${formatVersion(deployed[app])}`);
            return `nothing to promote: ${to} already runs what ${from} deployed (${runs.join(", ") || "no app"})`;
          },
          github,
          skew: true,
        });
      },
    );
};

/**
 * The set a promotion of every app proposes: the newest one `from` verified that soaked as long
 * as `to` requires. Prints why when it is not what `from` runs, and when there is none yet
 * (undefined: nothing to do).
 *
 * @throws PlatformError when `from` has no verification record at all
 */
async function soakedProposal(
  context: Context,
  from: EnvironmentName,
  to: EnvironmentName,
  running: DeployedImages,
): Promise<DeployedImages | undefined> {
  const found = await readRecords(createGit(context.cwd, context.env), from);
  for (const line of found.ignored) context.stderr(`warning: ${line}\n`);
  if (!found.fresh)
    context.stderr(
      `warning: origin could not be asked for the records of ${from}; using those of the last fetch\n`,
    );
  const soak = environments[to].promotion?.soakMinutes ?? 0;
  const at = now(context.env).getTime();
  const zone = environments[to].promotion?.timeZone ?? "UTC";
  const choice = soakedSet(found.records, soak, at);
  if (choice.kind === "none") {
    throw new PlatformError(
      `${from} has no verification record, so it has no verified set to promote; a deploy of ${from} records one when platform verify passes (or promote chosen apps with --app, which the gate judges)`,
    );
  }
  if (choice.kind === "waiting") {
    context.stdout(
      `nothing to promote yet: no set ${from} verified has run ${soak} min there; the newest, ${describeRecord(choice.newest)}, ${choice.readyAt === undefined ? "was replaced before it soaked" : `may go from ${describeInstant(choice.readyAt, zone)}; run again then`}\n`,
    );
    return undefined;
  }
  const runningSet = Object.fromEntries(
    Object.entries(running).map(([app, image]) => [app, { tag: image.tag, digest: image.digest }]),
  );
  if (sameSet(runningSet, choice.record)) return running;
  context.stdout(
    `${from} runs ${describeSet(runningSet)}, which has not been verified and soaked ${soak} min there; proposing the newest set that has: ${describeRecord(choice.record)}\n`,
  );
  return choice.record.images;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
