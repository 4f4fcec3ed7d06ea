/** A failure the user can fix: printed as its message alone, never with a stack trace. */
export class PlatformError extends Error {
  constructor(
    message: string,
    /** The process exit code: 1 for a failed check or operation, 2 for bad input. */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "PlatformError";
  }
}

/** Bad arguments or input files: exit code 2. */
export class InputError extends PlatformError {
  constructor(message: string) {
    super(message, 2);
    this.name = "InputError";
  }
}

/** The signals that interrupt a command, with the exit code each gives (128 + its number). */
export const interruptExitCodes = { SIGINT: 130, SIGTERM: 143 } as const;

/** The signals that interrupt a command. */
export type InterruptSignal = keyof typeof interruptExitCodes;

/** The command was interrupted (Ctrl-C, a cancelled CI job): exit 130 for SIGINT, 143 for SIGTERM. */
export class InterruptedError extends PlatformError {
  constructor(
    readonly signal: InterruptSignal,
    /** What the command was doing, for the message ("opening a pull request from …"). */
    readonly during?: string,
  ) {
    super(
      `interrupted by ${signal}${during === undefined ? "" : ` while ${during}`}`,
      interruptExitCodes[signal],
    );
    this.name = "InterruptedError";
  }
}
