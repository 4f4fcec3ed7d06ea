import type { Command } from "commander";
import type { Context } from "../context";

/** Adds one command to the program; its action reports the exit code through `setExitCode`. */
export type RegisterCommand = (
  program: Command,
  context: Context,
  setExitCode: (code: number) => void,
) => void;

/** A command of the CLI, and how to load it. */
export interface CommandModule {
  readonly name: string;
  readonly load: () => Promise<RegisterCommand>;
}

/**
 * Every command of the CLI, in the order `platform --help` lists them. Each is loaded only when
 * it runs (or for help), so that `platform render` does not pay for the GitHub client.
 */
export const commands: readonly CommandModule[] = [
  { name: "render", load: async () => (await import("./render")).registerRender },
  { name: "plan", load: async () => (await import("./plan")).registerPlan },
  { name: "diff", load: async () => (await import("./diff")).registerDiff },
  { name: "set-image", load: async () => (await import("./set-image")).registerSetImage },
  { name: "status", load: async () => (await import("./status")).registerStatus },
  { name: "release", load: async () => (await import("./release")).registerRelease },
  { name: "promote", load: async () => (await import("./promote")).registerPromote },
  { name: "gate", load: async () => (await import("./gate")).registerGate },
];
