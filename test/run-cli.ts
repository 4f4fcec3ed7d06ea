import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { main } from "../cli/main";
import { endIdleRunners } from "../cli/program-runs";

// The plan runners the CLI's runs leave idle end with the test file, not a minute later.
afterAll(endIdleRunners);

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

/** A run of `bin/platform.js` in a child process, as a shell or a CI runner starts it. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Resolves when the process has ended, with its exit code and what it printed. */
  readonly exited: Promise<CliRun & { readonly signal: NodeJS.Signals | null }>;
}

/**
 * Starts `platform <argv>` as a child process in `cwd`, with exactly `env` as its environment.
 * With `processGroup`, it leads a process group of its own, as a shell's foreground job does: a
 * terminal's Ctrl-C is `process.kill(-child.pid, "SIGINT")`, which reaches its children too.
 */
export function startCliProcess(
  argv: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>>,
  options: { readonly processGroup?: boolean } = {},
): CliProcess {
  const child = spawn(process.execPath, [path.join(__dirname, "..", "bin", "platform.js"), ...argv], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.processGroup ?? false,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<CliRun & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  return { child, exited };
}
