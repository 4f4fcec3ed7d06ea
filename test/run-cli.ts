import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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

/**
 * A stand-in for `command` in a new directory under `dir`: it writes its pid, then sleeps for a
 * minute, as a hanging backend or a login waiting for a browser does. `env` is `base` with that
 * directory first on PATH; `pid()` is the stand-in's pid once it runs.
 */
export function hangingCommand(
  dir: string,
  command: string,
  base: Record<string, string | undefined>,
): { env: Record<string, string>; pid: () => number | undefined } {
  const bin = mkdtempSync(path.join(dir, `hanging-${command}-`));
  const pidFile = path.join(bin, `${command}.pid`);
  writeFileSync(
    path.join(bin, command),
    `#!${process.execPath}\nrequire("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nsetTimeout(() => undefined, 60_000);\n`,
  );
  chmodSync(path.join(bin, command), 0o755);
  const env = Object.fromEntries(
    Object.entries({ ...base, PATH: `${bin}:${base["PATH"] ?? ""}` }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  return { env, pid: () => (existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8")) : undefined) };
}

/** True while a process with that pid exists. */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once `check` holds, polling every 20 ms; fails after 10 s. */
export async function waitUntil(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > 10_000) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
