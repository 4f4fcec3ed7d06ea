import { now } from "../clock";
import { createGit, GitError } from "../git";
import { PlatformError } from "../errors";
import { metricsOf } from "../metrics/figures";
import { formatMetrics } from "../metrics/format";
import { readDeliveryHistory, type ReadHistory } from "../metrics/read-history";
import { parseSince } from "../metrics/since";
import type { RegisterCommand } from "../command";
import type { Context } from "../context";

/**
 * The delivery history of the repository at `context.cwd`, its warnings printed.
 * @throws PlatformError when git cannot read it
 */
export async function deliveryHistoryIn(context: Context): Promise<ReadHistory> {
  const history = await readDeliveryHistory(createGit(context.cwd, context.env)).catch((error: unknown) => {
    if (error instanceof GitError)
      throw new PlatformError(`cannot read the history of ${context.cwd}: ${error.stderr.trim()}`);
    throw error;
  });
  for (const warning of history.warnings) context.stderr(`warning: ${warning}\n`);
  return history;
}

/**
 * `platform metrics [--since <date>] [--json]`: deploy frequency, lead time by stage, change
 * failure rate and time to restore per app and environment, from git history alone (the default
 * branch's stack file changes and the verification records; docs/metrics.md). Each figure is
 * printed with the events it counted. Exit 2 for a bad `--since` (not a date, in the future),
 * 1 when git fails.
 */
export const registerMetrics: RegisterCommand = (program, context) => {
  program
    .command("metrics")
    .description("Delivery metrics per app and environment, from git history and the verification records")
    .option(
      "--since <date>",
      "count events from this date (YYYY-MM-DD, UTC, or an ISO 8601 time with a zone)",
    )
    .option("--json", "print the figures and their events as JSON")
    .action(async (options: { since?: string; json?: boolean }) => {
      const until = now(context.env).getTime();
      const since = options.since === undefined ? undefined : parseSince(options.since, until);
      const history = await deliveryHistoryIn(context);
      const metrics = metricsOf(history, { ...(since === undefined ? {} : { since }), until });
      context.stdout(options.json ? `${JSON.stringify(metrics, null, 2)}\n` : formatMetrics(metrics));
    });
};
