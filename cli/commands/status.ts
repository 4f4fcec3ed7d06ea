import { appNames, type AppName } from "../../apps/catalog";
import { environmentNames, environments, type EnvironmentName } from "../../environments";
import type { ImageVersion } from "../../apps/image-reference";
import { describeNext, windowVerdict } from "../../environments/promotion-policy";
import { now } from "../clock";
import { createGit, GitError, repositoryPrefix } from "../git";
import { soakOf } from "../promotion/gate";
import { rollbackTarget } from "../promotion/rollback-target";
import { fetchRecords, readRecords, type VerifiedRecord } from "../verified-records";
import { readImages, sameVersion, type StackImages } from "../stack-file/read-images";
import { readStackFile, stackFileName } from "../stack-file/files";
import type { RegisterCommand } from "../command";
import { textTable } from "../../lib/text-table";

/** Where an app's version stands in an environment's verification records. */
export interface Verification {
  /** The newest record of the environment holding this version; null: none does. */
  readonly record: string | null;
  /** When that record was made (ISO 8601). */
  readonly at: string | null;
  /**
   * Soak toward the downstream (its `promotion.soakMinutes`): minutes left, 0 once soaked;
   * null when there is no downstream, no soak, or the version was never verified here.
   */
  readonly soakMinutesLeft: number | null;
}

/** One app's row of the status: its entry per environment and what stands out. */
export interface AppStatus {
  readonly app: AppName;
  readonly versions: Readonly<Record<EnvironmentName, ImageVersion | null>>;
  /** Environments whose entry differs from their upstream's: a promotion is pending. */
  readonly pendingPromotion: readonly EnvironmentName[];
  /** Environments whose entry has a tag but no digest. */
  readonly withoutDigest: readonly EnvironmentName[];
  /** Per environment, whether this version is in a verification record of it, and its soak. */
  readonly verified: Readonly<Record<EnvironmentName, Verification | null | "unknown">>;
  /**
   * Per environment, this app's version in the set `platform rollback` would go back to (the
   * newest record before the current set): null when there is none, "unknown" without records
   * (not a clone).
   */
  readonly rollback: Readonly<Record<EnvironmentName, ImageVersion | null | "unknown">>;
}

/** Whether each environment takes promotions now (its promotion windows and freezes). */
export interface EnvironmentWindow {
  readonly environment: EnvironmentName;
  readonly frozen: boolean;
  readonly why: string;
}

/** Whether an entry differs from its upstream's; digests count only where both have one. */
function differs(upstream: ImageVersion | undefined, entry: ImageVersion | undefined): boolean {
  if (upstream === undefined || entry === undefined) return upstream !== entry;
  if (upstream.tag !== entry.tag) return true;
  return upstream.digest !== undefined && entry.digest !== undefined && upstream.digest !== entry.digest;
}

/** The environment that promotes from `env`, if any. */
const downstreamOf = (env: EnvironmentName): EnvironmentName | undefined =>
  environmentNames.find((other) => environments[other].upstream === env);

/** Where `version` of `app` stands in `records` of `env` at `time` (pure). */
function verificationOf(
  app: AppName,
  env: EnvironmentName,
  version: ImageVersion | undefined,
  records: readonly VerifiedRecord[],
  time: number,
): Verification | null {
  if (version === undefined) return null;
  // An entry without digest (acceptance builds its tags) is the record's when the tag is.
  const holds = (record: VerifiedRecord) =>
    version.digest === undefined
      ? record.images[app]?.tag === version.tag
      : sameVersion(record.images[app], version);
  const newest = [...records].reverse().find(holds);
  if (newest === undefined) return { record: null, at: null, soakMinutesLeft: null };
  const downstream = downstreamOf(env);
  const soak = downstream === undefined ? 0 : (environments[downstream].promotion?.soakMinutes ?? 0);
  const state = soak > 0 ? soakOf(records, holds, soak, time) : undefined;
  const left =
    state === undefined
      ? null
      : state.soaked
        ? 0
        : "readyAt" in state
          ? Math.ceil((state.readyAt - time) / 60_000)
          : null;
  return { record: newest.name, at: new Date(newest.verifiedAt).toISOString(), soakMinutesLeft: left };
}

/** Each environment's promotion windows and freezes at `time` (pure). */
export function environmentWindows(time: number): EnvironmentWindow[] {
  return environmentNames.flatMap((environment) => {
    const policy = environments[environment].promotion;
    if (policy === undefined) return [];
    const verdict = windowVerdict(policy, time);
    return [
      verdict.open
        ? { environment, frozen: false, why: verdict.why }
        : {
            environment,
            frozen: true,
            why: `${verdict.why}; promotions open from ${describeNext(verdict.next, policy.timeZone)} (a rollback to a verified set may go at any time)`,
          },
    ];
  });
}

/**
 * The status of every app across the environments (pure). `records`: each environment's
 * verification records, oldest first; undefined outside a clone.
 */
export function imageStatus(
  images: Readonly<Record<EnvironmentName, StackImages>>,
  records?: Readonly<Record<EnvironmentName, readonly VerifiedRecord[]>>,
  time: number = Date.now(),
): AppStatus[] {
  const targets = Object.fromEntries(
    environmentNames.map((env) => {
      if (records === undefined) return [env, "unknown"];
      const target = rollbackTarget({
        environment: env,
        records: records[env],
        current: images[env],
        to: undefined,
      });
      return [env, "record" in target ? target.record : null];
    }),
  ) as Record<EnvironmentName, VerifiedRecord | null | "unknown">;
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
    const verified = Object.fromEntries(
      environmentNames.map((env) => [
        env,
        records === undefined ? "unknown" : verificationOf(app, env, images[env][app], records[env], time),
      ]),
    ) as Record<EnvironmentName, Verification | null | "unknown">;
    const rollback = Object.fromEntries(
      environmentNames.map((env) => {
        const target = targets[env];
        if (images[env][app] === undefined) return [env, null];
        return [env, target === "unknown" || target === null ? target : (target.images[app] ?? null)];
      }),
    ) as Record<EnvironmentName, ImageVersion | null | "unknown">;
    return { app, versions, pendingPromotion, withoutDigest, verified, rollback };
  });
}

const shortVersion = (version: ImageVersion | null): string => {
  if (version === null) return "-";
  if (version.digest === undefined) return `${version.tag} (no digest)`;
  return `${version.tag}@${version.digest.slice(0, "sha256:".length + 12)}`;
};

/** `verified 2026-12-01 08:00` / `not verified` / `unknown`. */
const verifiedCell = (verification: Verification | null | "unknown"): string =>
  verification === "unknown"
    ? "unknown"
    : verification === null
      ? "-"
      : verification.at === null
        ? "no"
        : verification.at.slice(0, 16).replace("T", " ");

/** Soak toward the downstream: `soaked`, `25 min left`, `-`. */
const soakCell = (verification: Verification | null | "unknown"): string =>
  verification === "unknown" || verification === null || verification.soakMinutesLeft === null
    ? "-"
    : verification.soakMinutesLeft === 0
      ? "soaked"
      : `${verification.soakMinutesLeft} min left`;

/**
 * The status as a table: one row per app; per environment its version, when it was verified
 * (UTC), its soak toward the next environment and the rollback target; then notes, and one line
 * per environment with promotion windows: open or frozen.
 */
export function formatStatus(rows: readonly AppStatus[], windows: readonly EnvironmentWindow[] = []): string {
  const header = [
    "APP",
    ...environmentNames.flatMap((env) => [env.toUpperCase(), "VERIFIED (UTC)", "SOAK", "ROLLBACK TO"]),
    "NOTES",
  ];
  const target = (version: ImageVersion | null | "unknown") =>
    version === "unknown" ? "unknown" : version === null ? "none" : shortVersion(version);
  const body = rows.map((row) => [
    row.app,
    ...environmentNames.flatMap((env) =>
      row.versions[env] === null
        ? ["-", "-", "-", "-"]
        : [
            shortVersion(row.versions[env]),
            verifiedCell(row.verified[env]),
            soakCell(row.verified[env]),
            target(row.rollback[env]),
          ],
    ),
    row.pendingPromotion
      .map((env) => `${env} differs from ${environments[env].upstream} (pending promotion)`)
      .join("; "),
  ]);
  const table = textTable([header, ...body]);
  return (
    table +
    windows
      .map(
        (window) => `${window.environment}: ${window.frozen ? "frozen" : "promotions open"}: ${window.why}\n`,
      )
      .join("")
  );
}

/**
 * Every environment's verification records as origin has them; undefined when `cwd` is not in a
 * git repository. Warnings (ignored tags, origin unreachable) go to `warn`.
 */
async function localRecords(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  warn: (line: string) => void,
): Promise<Record<EnvironmentName, readonly VerifiedRecord[]> | undefined> {
  const git = createGit(cwd, env);
  try {
    await repositoryPrefix(git);
    const entries: [EnvironmentName, readonly VerifiedRecord[]][] = [];
    // One fetch brings every environment's records.
    const fetched = { fresh: await fetchRecords(git) };
    for (const name of environmentNames) {
      const found = await readRecords(git, name, fetched);
      for (const line of found.ignored) warn(line);
      entries.push([name, found.records]);
    }
    return Object.fromEntries(entries) as Record<EnvironmentName, readonly VerifiedRecord[]>;
  } catch (error) {
    if (error instanceof GitError) return undefined;
    throw error;
  }
}

/**
 * `platform status [--json]`: the image entries of every app in every environment's stack file,
 * marking pending promotions and entries without digest; per environment whether the version
 * is verified there and when, its soak toward the next environment, and the version
 * `platform rollback` would go to (by the verification records; "unknown" outside a clone);
 * and whether each environment with promotion windows is frozen now. Exit 0, or 2 for a missing
 * or invalid stack file.
 */
export const registerStatus: RegisterCommand = (program, context) => {
  program
    .command("status")
    .description(
      "Show each app's version per environment, whether verified and when, soak, rollback target, and freezes",
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
      const time = now(context.env).getTime();
      const records = await localRecords(context.cwd, context.env, (line) =>
        context.stderr(`warning: ${line}\n`),
      );
      const rows = imageStatus(images, records, time);
      const windows = environmentWindows(time);
      if (options.json) {
        context.stdout(
          `${JSON.stringify({ environments: environmentNames, apps: rows, windows }, null, 2)}\n`,
        );
      } else {
        context.stdout(formatStatus(rows, windows));
      }
    });
};
