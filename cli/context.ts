import { InterruptedError, interruptExitCodes, type InterruptSignal } from "./errors";

/** What a command may touch of the outside world; tests pass their own. */
export interface Context {
  /** The repository the command works in (where the `Pulumi.<env>.yaml` files are). */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** The context of the running process. */
export function processContext(): Context {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
  };
}

let interruption: AbortController | undefined;

/**
 * A signal that the first SIGINT or SIGTERM of the process aborts, with an `InterruptedError` as
 * its reason, so that a step that leaves something behind (a pushed branch) can clean up and the
 * command can end with 130 or 143. The handlers are installed on the first call, by the step that
 * needs them (the GitHub adapter of `--pr`): until then the signals end the process at once, as
 * they always did. Later signals are ignored while the cleanup runs.
 */
export function processInterruption(): AbortSignal {
  if (interruption === undefined) {
    const controller = new AbortController();
    for (const signal of Object.keys(interruptExitCodes) as InterruptSignal[]) {
      process.on(signal, () => {
        if (!controller.signal.aborted) controller.abort(new InterruptedError(signal));
      });
    }
    interruption = controller;
  }
  return interruption.signal;
}

/**
 * The interruption (SIGINT, SIGTERM) the process received, if its handlers are installed and one
 * came: a command that ran to its end while they held the signal back still ends with 130 or 143.
 */
export function receivedInterruption(): InterruptedError | undefined {
  const reason: unknown = interruption?.signal.aborted ? interruption.signal.reason : undefined;
  return reason instanceof InterruptedError ? reason : undefined;
}
