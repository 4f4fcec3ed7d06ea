import { main } from "../cli/main";

/** What one run of the CLI printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `platform <argv>` as a user would, in `cwd`, with exactly `env` as its environment. */
export async function runCli(
  argv: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>>,
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    cwd,
    env,
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { code, stdout, stderr };
}

/** The variables of a `--pr` run against the local GitHub server, retries without waiting. */
export function gitHubEnv(server: { url: string; token: string }): Record<string, string> {
  return {
    GITHUB_TOKEN: server.token,
    GITHUB_REPOSITORY: "acme/platform",
    GITHUB_API_URL: server.url,
    GITHUB_SERVER_URL: "https://github.test",
    GITHUB_RUN_ID: "4242",
    PLATFORM_GITHUB_DELAY_UNIT_MS: "0",
  };
}
