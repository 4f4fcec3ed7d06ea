import { fork } from "node:child_process";
import * as path from "node:path";
import type { CliRun } from "./run-cli";

/**
 * One Node process that runs `platform` commands one after another (test/cli-host-process.js), for the
 * suites whose commands need a process of their own (they load ES modules jest cannot, such as
 * @kubernetes/client-node) but not one process each: starting the CLI and loading what it loads
 * costs more than most commands themselves.
 */
export interface CliHost {
  /**
   * Runs `platform <argv>` in `cwd` with exactly `env` as its environment, as `main` runs it in
   * bin/platform.js; fails (and ends the host) after `limitSeconds`.
   */
  run(
    argv: readonly string[],
    cwd: string,
    env: Readonly<Record<string, string>>,
    limitSeconds?: number,
  ): Promise<CliRun>;
  /** Ends the process and resolves once it has exited. */
  close(): Promise<void>;
}

/** Starts the host process with `env` as its own environment (that of the commands' process). */
export function startCliHost(env: Readonly<Record<string, string>>): CliHost {
  const child = fork(path.join(__dirname, "cli-host-process.js"), [], {
    env,
    execArgv: [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => {
    child.on("exit", () => resolve());
    child.on("error", () => resolve());
  });
  const pending = new Map<number, { resolve: (run: CliRun) => void; reject: (error: Error) => void }>();
  const failAll = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  child.on("message", ({ id, ...run }: CliRun & { id: number }) => {
    pending.get(id)?.resolve(run);
    pending.delete(id);
  });
  child.on("exit", (code, signal) => failAll(new Error(`the CLI host ended (${signal ?? code})`)));
  child.on("error", failAll);
  let next = 0;
  return {
    run(argv, cwd, commandEnv, limitSeconds = 60) {
      const id = next++;
      return new Promise<CliRun>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new Error(`platform ${argv.join(" ")} did not finish within ${limitSeconds} s`));
        }, limitSeconds * 1000);
        pending.set(id, {
          resolve: (run) => (clearTimeout(timer), resolve(run)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        });
        child.send({ id, argv, cwd, env: commandEnv });
      });
    },
    async close() {
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}
