import { appNames, type AppName } from "../../apps/catalog";
import { environmentNames, environments, type EnvironmentName } from "../../environments";
import type { ImageVersion } from "../../apps/image-reference";
import { createGit, GitError, repositoryPrefix } from "../git";
import { pinnedDigest, readImageHistory, rollbackStep, type ImageHistory } from "../image-history";
import { readImages, type StackImages } from "../stack-file/read-images";
import { readStackFile, stackFileName } from "../stack-file/files";
import type { RegisterCommand } from "../command";

/** One app's row of the status: its entry per environment and what stands out. */
export interface AppStatus {
  readonly app: AppName;
  readonly versions: Readonly<Record<EnvironmentName, ImageVersion | null>>;
  /** Environments whose entry differs from their upstream's: a promotion is pending. */
  readonly pendingPromotion: readonly EnvironmentName[];
  /** Environments whose entry has a tag but no digest. */
  readonly withoutDigest: readonly EnvironmentName[];
  /**
   * Per environment, the version `platform rollback` would go to: null when there is none,
   * "unknown" without git history (not a clone, or the file differs from its last commit).
   */
  readonly rollback: Readonly<Record<EnvironmentName, ImageVersion | null | "unknown">>;
}

/** Whether an entry differs from its upstream's; digests count only where both have one. */
function differs(upstream: ImageVersion | undefined, entry: ImageVersion | undefined): boolean {
  if (upstream === undefined || entry === undefined) return upstream !== entry;
  if (upstream.tag !== entry.tag) return true;
  return upstream.digest !== undefined && entry.digest !== undefined && upstream.digest !== entry.digest;
}

/** The version a rollback of `app` in `env` would go to, by the histories (pure). */
function rollbackTarget(
  app: AppName,
  env: EnvironmentName,
  current: ImageVersion | undefined,
  histories: Readonly<Record<EnvironmentName, ImageHistory | undefined>> | undefined,
): ImageVersion | null | "unknown" {
  if (current === undefined) return null;
  const own = histories?.[env];
  if (own === undefined) return "unknown";
  const step = rollbackStep({
    environment: env,
    app,
    records: own[app] ?? [],
    current,
    choice: { kind: "previous" },
  });
  if ("refuse" in step) return step.refuse.includes("no earlier version") ? null : "unknown";
  if ("same" in step) return null;
  const { tag, digest } = step.to.version;
  const known = Object.values(histories!).filter((history): history is ImageHistory => history !== undefined);
  const pinned = digest ?? pinnedDigest(known, app, tag);
  return pinned === undefined ? { tag } : { tag, digest: pinned };
}

/** The status of every app across the environments (pure). */
export function imageStatus(
  images: Readonly<Record<EnvironmentName, StackImages>>,
  histories?: Readonly<Record<EnvironmentName, ImageHistory | undefined>>,
): AppStatus[] {
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
    const rollback = Object.fromEntries(
      environmentNames.map((env) => [env, rollbackTarget(app, env, images[env][app], histories)]),
    ) as Record<EnvironmentName, ImageVersion | null | "unknown">;
    return { app, versions, pendingPromotion, withoutDigest, rollback };
  });
}

const shortVersion = (version: ImageVersion | null): string => {
  if (version === null) return "-";
  if (version.digest === undefined) return `${version.tag} (no digest)`;
  return `${version.tag}@${version.digest.slice(0, "sha256:".length + 12)}`;
};

/** The status as a table: one row per app, one column per environment, then notes. */
export function formatStatus(rows: readonly AppStatus[]): string {
  const header = ["APP", ...environmentNames.flatMap((env) => [env.toUpperCase(), "ROLLBACK TO"]), "NOTES"];
  const target = (version: ImageVersion | null | "unknown") =>
    version === "unknown" ? "unknown" : version === null ? "none" : shortVersion(version);
  const body = rows.map((row) => [
    row.app,
    ...environmentNames.flatMap((env) =>
      row.versions[env] === null ? ["-", "-"] : [shortVersion(row.versions[env]), target(row.rollback[env])],
    ),
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
 * The image histories of every environment's stack file along HEAD's first-parent chain:
 * undefined when `cwd` is not in a git repository, and for a stack file that differs from HEAD's
 * (its history would not end with what the file says).
 */
async function localHistories(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  texts: Readonly<Record<EnvironmentName, string>>,
): Promise<Record<EnvironmentName, ImageHistory | undefined> | undefined> {
  const git = createGit(cwd, env);
  try {
    const prefix = await repositoryPrefix(git);
    const entries = await Promise.all(
      environmentNames.map(async (name) => {
        const file = `${prefix}${stackFileName(name)}`;
        const committed = await git.run(["show", `HEAD:${file}`]).catch(() => undefined);
        if (committed !== texts[name]) return [name, undefined] as const;
        return [name, await readImageHistory(git, "HEAD", file)] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<EnvironmentName, ImageHistory | undefined>;
  } catch (error) {
    if (error instanceof GitError) return undefined;
    throw error;
  }
}

/**
 * `platform status [--json]`: the image entries of every app in every environment's stack file,
 * marking pending promotions and entries without digest, and the version `platform rollback`
 * would go to (by the history of HEAD; "unknown" outside a clone or for an uncommitted file).
 * Exit 0, or 2 for a missing or invalid stack file.
 */
export const registerStatus: RegisterCommand = (program, context) => {
  program
    .command("status")
    .description(
      "Show each app's tag and digest per environment, its rollback target, and pending promotions",
    )
    .option("--json", "print JSON instead of a table")
    .action(async (options: { json?: boolean }) => {
      const texts = Object.fromEntries(
        await Promise.all(
          environmentNames.map(async (env) => [env, await readStackFile(context.cwd, env)] as const),
        ),
      ) as Record<EnvironmentName, string>;
      const images = Object.fromEntries(
        environmentNames.map((env) => [env, readImages(texts[env], stackFileName(env))]),
      ) as Record<EnvironmentName, StackImages>;
      const rows = imageStatus(images, await localHistories(context.cwd, context.env, texts));
      if (options.json) {
        context.stdout(`${JSON.stringify({ environments: environmentNames, apps: rows }, null, 2)}\n`);
      } else {
        context.stdout(formatStatus(rows));
      }
    });
};
