import { Command, CommanderError } from "commander";
import { StackConfigError } from "../environments/stack-config";
import { commands } from "./commands";
import { processContext, type Context } from "./context";
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
    .configureOutput({ writeOut: context.stdout, writeErr: context.stderr });
  const named = commands.filter((command) => command.name === argv[0]);
  for (const command of named.length > 0 ? named : commands) {
    (await command.load())(program, context, setExitCode);
  }
  return program;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code. The one
 * error boundary: known errors become a message on stderr and their exit code.
 */
export async function main(argv: readonly string[], context: Context = processContext()): Promise<number> {
  let exitCode = 0;
  try {
    const program = await buildProgram(argv, context, (code) => (exitCode = code));
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof StackConfigError) {
      context.stderr(`error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof PlatformError) {
      context.stderr(`error: ${error.message}\n`);
      return error.exitCode;
    }
    context.stderr(
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
