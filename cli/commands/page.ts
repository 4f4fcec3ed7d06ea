import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { environments } from "../../environments";
import { now } from "../clock";
import { InputError } from "../errors";
import { metricsOf } from "../metrics/figures";
import { parseSince } from "../metrics/since";
import { pipelinePage } from "../page/html";
import { jobSummary } from "../page/mermaid";
import { pipelineView } from "../page/pipeline";
import type { VerifiedRecord } from "../verified-records";
import type { RegisterCommand } from "../command";
import { deliveryHistoryIn } from "./metrics";

/** The files `platform page` writes into its directory. */
export const pageFiles = { page: "index.html", summary: "summary.md" } as const;

/**
 * The repository's web address for links to pull requests: GitHub Actions' variables, else the
 * address the records' run URLs share (`https://github.com/acme/platform/actions/runs/1`).
 */
export function repositoryUrl(
  env: Readonly<Record<string, string | undefined>>,
  records: readonly VerifiedRecord[],
): string | undefined {
  const server = env["GITHUB_SERVER_URL"];
  const repository = env["GITHUB_REPOSITORY"];
  if (
    server !== undefined &&
    repository !== undefined &&
    /^https:\/\//.test(server) &&
    /^[\w.-]+\/[\w.-]+$/.test(repository)
  )
    return `${server.replace(/\/$/, "")}/${repository}`;
  for (const record of [...records].reverse()) {
    const match = /^(https:\/\/[^/\s]+\/[\w.-]+\/[\w.-]+)\/actions\/runs\/\d+/.exec(record.run);
    if (match !== null) return match[1];
  }
  return undefined;
}

/** Whether `dir` may be written: absent (created), or a directory. @throws InputError otherwise */
async function checkDirectory(dir: string, argument: string): Promise<void> {
  const found = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw new InputError(`<dir>: cannot use '${argument}' (${error.message})`);
  });
  if (found !== undefined && !found.isDirectory())
    throw new InputError(
      `<dir>: '${argument}' is a file, not a directory; give a directory (it is created if absent)`,
    );
}

/**
 * `platform page <dir> [--since <date>]`: writes the pipeline page (`index.html`, one
 * self-contained file) and the job summary (`summary.md`, the pipeline as a Mermaid diagram) into
 * `<dir>`, from git history and the verification records. Exit 2 for bad input (a bad `--since`,
 * a `<dir>` that is a file), nothing written; 1 when git or the disk fails.
 */
export const registerPage: RegisterCommand = (program, context) => {
  program
    .command("page")
    .description("Write the pipeline page (one static HTML file) and a Mermaid job summary into a directory")
    .argument("<dir>", "the directory to write index.html and summary.md into (created if absent)")
    .option(
      "--since <date>",
      "count metrics from this date (YYYY-MM-DD, UTC, or an ISO 8601 time with a zone)",
    )
    .action(async (dirArgument: string, options: { since?: string }) => {
      const until = now(context.env).getTime();
      const since = options.since === undefined ? undefined : parseSince(options.since, until);
      const dir = path.resolve(context.cwd, dirArgument);
      await checkDirectory(dir, dirArgument);
      const history = await deliveryHistoryIn(context);
      const metrics = metricsOf(history, { ...(since === undefined ? {} : { since }), until });
      const view = pipelineView({
        current: history.current,
        records: history.records,
        settings: environments,
        now: until,
      });
      const html = pipelinePage(view, metrics, {
        repositoryUrl: repositoryUrl(context.env, history.records),
        generatedAt: new Date(until).toISOString(),
        commit: history.tip,
      });
      const summary = jobSummary(
        view,
        `The pipeline page, one self-contained file: \`${pageFiles.page}\` in this run's artifacts.`,
      );
      await mkdir(dir, { recursive: true });
      // Each file appears whole or not at all.
      for (const [name, text] of [
        [pageFiles.page, html],
        [pageFiles.summary, summary],
      ] as const) {
        const temporary = path.join(dir, `.${name}.${process.pid}.tmp`);
        await writeFile(temporary, text);
        await rename(temporary, path.join(dir, name));
      }
      context.stdout(
        `wrote ${path.join(dirArgument, pageFiles.page)} and ${path.join(dirArgument, pageFiles.summary)}\n`,
      );
    });
};
