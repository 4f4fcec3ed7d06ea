import { Command, CommanderError } from "commander";
import { StackConfigError } from "../stack-config/schema";
import { commands, exitCodesHelp, outputsFileHelp, planTimeoutHelp, pullRequestHelp } from "./commands";
import { processContext, receivedInterruption, type Context } from "./context";
import { PlatformError } from "./errors";

/**
 * Builds the `platform` command line for `argv`: only the command it names, or all of them
 * when it names none (help, a typo). Each command's action reports its exit code.
 */
export async function buildProgram(
  argv: readonly string[],
  context: Context,
  setExitCode: (code: number) => void,
): Promise<Command> {
  const program = new Command("platform")
    .description("Render, plan and promote the platform's environments")
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeOut: context.stdout, writeErr: context.stderr })
    .addHelpText("afterAll", exitCodesHelp);
  const named = commands.filter((command) => command.name === argv[0]);
  for (const command of named.length > 0 ? named : commands) {
    (await command.load())(program, context, setExitCode);
  }
  for (const command of program.commands) {
    if (command.options.some((option) => option.long === "--outputs")) {
      command.addHelpText("after", outputsFileHelp);
    }
    if (command.options.some((option) => option.long === "--pr")) {
      command.addHelpText("after", pullRequestHelp);
    }
    if (command.name() === "plan" || command.name() === "diff") command.addHelpText("after", planTimeoutHelp);
  }
  return program;
}

/** Names of environment variables that hold credentials: `GITHUB_TOKEN`, `GH_TOKEN`, `*_SECRET`… */
const credentialName = /(^|_)(TOKEN|SECRET|PASSWORD|PASSPHRASE|KEY|CREDENTIALS?)$/i;

/**
 * The credentials in an environment: the values of GITHUB_TOKEN, GH_TOKEN and of every variable
 * named like a credential (`*_TOKEN`, `*_SECRET`, `*_PASSWORD`, `*_PASSPHRASE`, `*_KEY`),
 * longest first. Values shorter than 8 characters are left out: they are words, not secrets,
 * and hiding them would garble messages.
 */
export function credentialsIn(env: Readonly<Record<string, string | undefined>>): string[] {
  const values = Object.entries(env)
    .filter(([name, value]) => credentialName.test(name) && value !== undefined)
    .map(([, value]) => value!.trim())
    .filter((value) => value.length >= 8);
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

/**
 * `text` with every credential replaced by `***`: the given values, the user information of
 * URLs (`https://x-access-token:<token>@github.com/…` → `https://***@github.com/…`) and
 * anything shaped like a GitHub token (`ghp_…`, `ghs_…`, `github_pat_…`).
 */
export function redact(text: string, credentials: readonly string[]): string {
  let result = text;
  for (const credential of credentials) result = result.split(credential).join("***");
  return result
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, "$1***@")
    .replace(/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g, "***");
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code. The one
 * error boundary: known errors become a message on stderr and their exit code. Nothing written
 * to stderr, by a command or here, shows a credential (see `redact`).
 */
export async function main(argv: readonly string[], context: Context = processContext()): Promise<number> {
  const credentials = credentialsIn(context.env);
  const stderr = (text: string) => context.stderr(redact(text, credentials));
  let exitCode = 0;
  try {
    const program = await buildProgram(argv, { ...context, stderr }, (code) => (exitCode = code));
    await program.parseAsync([...argv], { from: "user" });
    // A signal held back while a step finished (a stack file edit): the command still says so.
    const interrupted = receivedInterruption();
    if (interrupted !== undefined) {
      stderr(
        `error: interrupted by ${interrupted.signal}; what the command had started was finished first\n`,
      );
      return interrupted.exitCode;
    }
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof StackConfigError) {
      stderr(`error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof PlatformError) {
      stderr(`error: ${error.message}\n`);
      return error.exitCode;
    }
    stderr(
      `error: unexpected failure, please report it: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 70;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
