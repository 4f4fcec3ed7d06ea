// Reads the CI environment: which GitHub Actions run is making the change.

/** The link to the running GitHub Actions run, when the variables Actions sets are there. */
export function runUrl(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const server = env["GITHUB_SERVER_URL"];
  const repository = env["GITHUB_REPOSITORY"];
  const run = env["GITHUB_RUN_ID"];
  if (!server || !repository || !run) return undefined;
  return `${server.replace(/\/+$/, "")}/${repository}/actions/runs/${run}`;
}
