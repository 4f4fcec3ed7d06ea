import type { Command } from "commander";
import type { Context } from "./context";

/** Adds one command to the program; its action reports the exit code through `setExitCode`. */
export type RegisterCommand = (
  program: Command,
  context: Context,
  setExitCode: (code: number) => void,
) => void;
