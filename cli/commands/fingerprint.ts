import { writeFile } from "node:fs/promises";
import { environmentArgumentHelp, parseEnvironment } from "../arguments";
import { InputError, PlatformError } from "../errors";
import { createGitHub, gitHubSettings } from "../github";
import {
  compareOperations,
  fingerprintDocument,
  fingerprintOf,
  formatFingerprint,
  formatOperations,
} from "../fingerprint/operations";
import {
  mergedPullRequestOf,
  overrideLabel,
  previewedFingerprint,
  readPlannedOperations,
  type PreviewedFingerprint,
} from "../fingerprint/previews";
import type { RegisterCommand } from "../command";
import type { Context } from "../context";

/** Prints an override so that nobody misses it: a banner, and an annotation in GitHub Actions. */
function announceOverride(context: Context, environment: string, reason: string, what: string): void {
  const line = `FINGERPRINT OVERRIDE: deploying ${environment} although ${what}; override: ${reason}`;
  const rule = "!".repeat(72);
  context.stdout(`${rule}\n${line}\n${rule}\n`);
  if (context.env["GITHUB_ACTIONS"] === "true")
    context.stdout(`::warning title=Fingerprint override::${line}\n`);
}

/**
 * `platform fingerprint show|check`: the operations of a real `pulumi preview --json` and their
 * fingerprint, and the deploy's check that they are the ones its pull request previewed
 * (docs/decisions/0042).
 */
export const registerFingerprint: RegisterCommand = (program, context) => {
  const fingerprint = program
    .command("fingerprint")
    .description("Fingerprint a preview's operations; check a deploy against its pull request's preview");

  fingerprint
    .command("show")
    .description("Print the operations of a pulumi preview --json and their fingerprint")
    .argument("<environment>", environmentArgumentHelp)
    .requiredOption("--preview <file>", "the output of pulumi preview --json (or a fingerprint document)")
    .option("--out <file>", "also write the fingerprint document (JSON) to this file")
    .action(async (name: string, options: { preview: string; out?: string }) => {
      const environment = parseEnvironment(name);
      const document = fingerprintDocument(
        environment,
        await readPlannedOperations(options.preview, environment),
      );
      context.stdout(formatFingerprint(document));
      if (options.out !== undefined) await writeFile(options.out, `${JSON.stringify(document, null, 2)}\n`);
    });

  fingerprint
    .command("check")
    .description(
      "Refuse a deploy whose preview differs from the last successful preview of the pull request merged as --commit",
    )
    .argument("<environment>", environmentArgumentHelp)
    .requiredOption("--preview <file>", "the deploy's pulumi preview --json of the merge commit")
    .requiredOption("--commit <sha>", "the commit being deployed (GITHUB_SHA)")
    .option(
      "--override <reason>",
      `deploy even when the fingerprint differs or no preview is found, saying why (printed; the label ${overrideLabel} on the pull request does the same)`,
    )
    .action(async (name: string, options: { preview: string; commit: string; override?: string }) => {
      const environment = parseEnvironment(name);
      if (!/^[0-9a-f]{40}$/.test(options.commit)) {
        throw new InputError(`--commit '${options.commit}' is not a full commit SHA (40 lowercase hex)`);
      }
      const override = options.override?.trim();
      if (options.override !== undefined && !override) {
        throw new InputError(
          "--override needs a reason (who decided, and why), for example 'incident 123: hotfix'",
        );
      }
      // The deploy's own preview first: a failed or malformed one refuses even with an override.
      const planned = await readPlannedOperations(options.preview, environment);
      const fingerprintNow = fingerprintOf(planned);
      context.stdout(`${environment}: the deploy plans ${fingerprintNow}\n`);
      const github = createGitHub(
        gitHubSettings(context.env, {
          who: "platform fingerprint check",
          token:
            "a token that may read pull requests and Actions artifacts (pull-requests: read, actions: read)",
        }),
      );
      let previewed: PreviewedFingerprint;
      let labelled: boolean;
      try {
        const pullRequest = await mergedPullRequestOf(github, options.commit);
        labelled = pullRequest.labels.includes(overrideLabel);
        previewed = await previewedFingerprint(github, environment, pullRequest);
      } catch (error) {
        if (!(error instanceof InputError) || override === undefined) throw error;
        announceOverride(context, environment, override, `its preview cannot be compared: ${error.message}`);
        return;
      }
      const { pullRequest, document, artifact } = previewed;
      const source = `pull request #${pullRequest.number}'s preview (commit ${pullRequest.headSha.slice(0, 12)}, run ${artifact.runId})`;
      if (document.fingerprint === fingerprintNow) {
        context.stdout(`${environment}: matches ${source}: ${document.fingerprint}\n`);
        return;
      }
      const { added, missing } = compareOperations(document.operations, planned);
      const difference =
        `${environment}: the deploy's preview (${fingerprintNow}) differs from ${source} (${document.fingerprint}):\n` +
        `added (not previewed):\n${formatOperations(added)}` +
        `missing (previewed, not planned any more):\n${formatOperations(missing)}`;
      const reason =
        override ?? (labelled ? `label ${overrideLabel} on pull request #${pullRequest.number}` : undefined);
      if (reason !== undefined) {
        context.stdout(difference);
        announceOverride(
          context,
          environment,
          reason,
          "its operations differ from what was previewed (above)",
        );
        return;
      }
      context.stdout(difference);
      throw new PlatformError(
        `${environment}: deploy refused: it would apply operations that pull request #${pullRequest.number} did not preview (listed above); get them reviewed in a pull request of their own, or deploy anyway with the label ${overrideLabel} on #${pullRequest.number} or the deploy workflow's override-fingerprint input`,
      );
    });
};
