import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { environmentNames, type EnvironmentName } from "../../environments";
import { isRecord, quote } from "../../lib/values";
import { parseEnvironment } from "../arguments";
import { now } from "../clock";
import { outputsEnvironmentProblem } from "../deployed-images";
import { InputError, PlatformError } from "../errors";
import { createGit, resolveCommit } from "../git";
import { runUrl } from "../promotion/run-url";
import { recordImageProblems, writeRecord } from "../verified-records";
import type { AppName } from "../../apps/catalog";
import type { RegisterCommand } from "../command";

/**
 * The set a record holds, from `pulumi stack output --json`: every `images.<app>` as
 * `tag@digest`. Unlike the promotion's reader, an app the catalog does not know is refused:
 * a record holds exactly what ran, in `environment` (another environment's outputs are refused).
 * @throws InputError naming every problem
 */
export function recordImagesFromOutputs(
  json: string,
  file: string,
  environment: EnvironmentName,
): Record<string, string> {
  let outputs: unknown;
  try {
    outputs = JSON.parse(json);
  } catch (error) {
    throw new InputError(`outputs file '${file}' is not JSON (${(error as Error).message})`);
  }
  const images = isRecord(outputs) ? outputs["images"] : undefined;
  if (!isRecord(images))
    throw new InputError(`outputs file '${file}' has no 'images' map, found ${quote(images)}`);
  const set: Record<string, string> = {};
  for (const [app, entry] of Object.entries(images)) {
    set[app] = isRecord(entry) ? `${String(entry["tag"])}@${String(entry["digest"])}` : String(entry);
  }
  const foreign = outputsEnvironmentProblem(outputs, environment);
  const problems = [...recordImageProblems(set, "images"), ...(foreign === undefined ? [] : [foreign])];
  if (problems.length > 0) {
    throw new InputError(
      `outputs file '${file}' cannot be recorded; no record written:\n  ${problems.join("\n  ")}`,
    );
  }
  return set;
}

/**
 * `platform record <environment> --outputs <file> --commit <sha>`: run by the deploy workflow
 * after `platform verify` passed, it records the set of images the environment runs, verified,
 * as an annotated tag `verified/<environment>/<time>-<commit>` pushed to origin (which only the
 * recorder's identity may create, docs/decisions/0046). Exit 2 for bad input (nothing written),
 * 1 when git fails.
 */
export const registerRecord: RegisterCommand = (program, context) => {
  program
    .command("record")
    .description("Record the verified set of images an environment runs (deploy workflow, after verify)")
    .argument("<environment>", environmentNames.join(" | "))
    .requiredOption("--outputs <file>", "a file holding `pulumi stack output --json --stack <environment>`")
    .requiredOption("--commit <sha>", "the commit the deploy ran")
    .option(
      "--run-url <url>",
      "the Actions run (default: from GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID)",
    )
    .action(
      async (environmentArgument: string, options: { outputs: string; commit: string; runUrl?: string }) => {
        const environment = parseEnvironment(environmentArgument);
        const verifiedAt = now(context.env).getTime();
        const run = options.runUrl ?? runUrl(context.env);
        if (run === undefined || !/^https:\/\/\S+$/.test(run))
          throw new InputError(
            `--run-url: ${quote(run)} is not the https URL of the run; pass --run-url or run in GitHub Actions`,
          );
        let json: string;
        try {
          json = await readFile(path.resolve(context.cwd, options.outputs), "utf8");
        } catch (error) {
          throw new InputError(`cannot read outputs file '${options.outputs}' (${(error as Error).message})`);
        }
        const set = recordImagesFromOutputs(json, options.outputs, environment);
        const git = createGit(context.cwd, context.env);
        const commit = await resolveCommit(git, options.commit);
        if (commit === undefined)
          throw new InputError(`--commit: '${options.commit}' is not a commit of this repository`);
        const images = Object.fromEntries(
          Object.entries(set).map(([app, ref]) => {
            const at = ref.lastIndexOf("@");
            return [app as AppName, { tag: ref.slice(0, at), digest: ref.slice(at + 1) }];
          }),
        );
        const name = await writeRecord(git, { environment, commit, verifiedAt, run, images }).catch(
          (error: unknown) => {
            throw new PlatformError(`recording ${environment} failed: ${(error as Error).message}`);
          },
        );
        context.stdout(
          `recorded ${name}: ${
            Object.entries(set)
              .map(([app, ref]) => `${app} ${ref}`)
              .join(", ") || "no app"
          }\n`,
        );
      },
    );
};
