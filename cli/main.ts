import { Command, CommanderError } from "commander";
import { StackConfigError } from "../environments/stack-config";
import { commands } from "./commands";
import { processContext, type Context } from "./context";
import { PlatformError } from "./errors";

/** Builds the `platform` command line; each command's action resolves to its exit code. */
export function buildProgram(context: Context, setExitCode: (code: number) => void): Command {
  const program = new Command("platform")
    .description("Render, plan and promote the platform's environments")
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeOut: context.stdout, writeErr: context.stderr });
  for (const register of commands) register(program, context, setExitCode);
  return program;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code. The one
 * error boundary: known errors become a message on stderr and their exit code.
 */
export async function main(argv: readonly string[], context: Context = processContext()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(context, (code) => (exitCode = code));
  try {
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
    context.stderr(`error: unexpected failure, please report it: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 70;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
