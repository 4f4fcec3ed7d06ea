// Reads the CI environment: which GitHub Actions run is making the change.

/**
 * `text` with the user information of every URL in it removed:
 * `https://user:token@github.example/acme` → `https://github.example/acme`. A URL the CLI
 * prints or writes (a pull request body, a commit message) never carries a credential.
 */
export function withoutUserinfo(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, "$1");
}

/** The link to the running GitHub Actions run, when the variables Actions sets are there. */
export function runUrl(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const server = env["GITHUB_SERVER_URL"];
  const repository = env["GITHUB_REPOSITORY"];
  const run = env["GITHUB_RUN_ID"];
  if (!server || !repository || !run) return undefined;
  return `${withoutUserinfo(server.trim()).replace(/\/+$/, "")}/${repository}/actions/runs/${run}`;
}
