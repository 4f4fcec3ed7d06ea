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
