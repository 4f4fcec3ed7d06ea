import { appNames, type AppName } from "../../apps/catalog";
import { environmentNames, environments, type EnvironmentName } from "../../environments";
import type { ImageVersion } from "../../environments/stack-config";
import { readImages, type StackImages } from "../stack-file";
import { readStackFile, stackFileName } from "../workspace";
import type { RegisterCommand } from "./index";

/** One app's row of the status: its entry per environment and what stands out. */
export interface AppStatus {
  readonly app: AppName;
  readonly versions: Readonly<Record<EnvironmentName, ImageVersion | null>>;
  /** Environments whose entry differs from their upstream's: a promotion is pending. */
  readonly pendingPromotion: readonly EnvironmentName[];
  /** Environments whose entry has a tag but no digest. */
  readonly withoutDigest: readonly EnvironmentName[];
}

/** Whether an entry differs from its upstream's; digests count only where both have one. */
function differs(upstream: ImageVersion | undefined, entry: ImageVersion | undefined): boolean {
  if (upstream === undefined || entry === undefined) return upstream !== entry;
  if (upstream.tag !== entry.tag) return true;
  return upstream.digest !== undefined && entry.digest !== undefined && upstream.digest !== entry.digest;
}

/** The status of every app across the environments (pure). */
export function imageStatus(images: Readonly<Record<EnvironmentName, StackImages>>): AppStatus[] {
  return appNames.map((app) => {
    const versions = Object.fromEntries(
      environmentNames.map((env) => [env, images[env][app] ?? null]),
    ) as Record<EnvironmentName, ImageVersion | null>;
    const pendingPromotion = environmentNames.filter((env) => {
      const upstream = environments[env].upstream;
      return upstream !== undefined && differs(images[upstream][app], images[env][app]);
    });
    const withoutDigest = environmentNames.filter((env) => {
      const entry = images[env][app];
      return entry !== undefined && entry.digest === undefined;
    });
    return { app, versions, pendingPromotion, withoutDigest };
  });
}

const shortVersion = (version: ImageVersion | null): string => {
  if (version === null) return "-";
  if (version.digest === undefined) return `${version.tag} (no digest)`;
  return `${version.tag}@${version.digest.slice(0, "sha256:".length + 12)}`;
};

/** The status as a table: one row per app, one column per environment, then notes. */
export function formatStatus(rows: readonly AppStatus[]): string {
  const header = ["APP", ...environmentNames.map((env) => env.toUpperCase()), "NOTES"];
  const body = rows.map((row) => [
    row.app,
    ...environmentNames.map((env) => shortVersion(row.versions[env])),
    row.pendingPromotion
      .map((env) => `${env} differs from ${environments[env].upstream} (pending promotion)`)
      .join("; "),
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...body].map((cells) => cells[column]!.length)),
  );
  return [header, ...body]
    .map(
      (cells) =>
        cells
          .map((cell, column) => cell.padEnd(widths[column]!))
          .join("  ")
          .trimEnd() + "\n",
    )
    .join("");
}

/**
 * `platform status [--json]`: the image entries of every app in every environment's stack file,
 * marking pending promotions and entries without digest. Exit 0, or 2 for a missing or invalid
 * stack file.
 */
export const registerStatus: RegisterCommand = (program, context) => {
  program
    .command("status")
    .description("Show each app's tag and digest per environment, and pending promotions")
    .option("--json", "print JSON instead of a table")
    .action(async (options: { json?: boolean }) => {
      const entries = await Promise.all(
        environmentNames.map(
          async (env) =>
            [env, readImages(await readStackFile(context.cwd, env), stackFileName(env))] as const,
        ),
      );
      const rows = imageStatus(Object.fromEntries(entries) as Record<EnvironmentName, StackImages>);
      if (options.json) {
        context.stdout(`${JSON.stringify({ environments: environmentNames, apps: rows }, null, 2)}\n`);
      } else {
        context.stdout(formatStatus(rows));
      }
    });
};
