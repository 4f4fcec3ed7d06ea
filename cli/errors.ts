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
