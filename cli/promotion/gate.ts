// The promotion gate: whether a change of a stack file's images may deploy, judged against the
// verification records (docs/decisions/0046, 0047).
import { appNames, describeRename, isAppName, renamesOf, type AppName } from "../../apps/catalog";
import { environments, type EnvironmentName } from "../../environments";
import { describeNext, windowVerdict } from "../../environments/promotion-policy";
import type { PromotionPolicy } from "../../environments/settings";
import { onlyTagAtDigest } from "../../stack-config/schema";
import { formatVersion, sameVersion, type StackImages } from "../stack-file/read-images";
import { describeInstant } from "../../lib/zoned-time";
import { describeRecord, describeSet, sameSet, type VerifiedRecord } from "../verified-records";

/** The label that lets a promotion mix versions its upstream never verified together. */
export const partialLabel = "promotion:partial";

/** The label that lifts soak, windows and freezes once two people with write access approved. */
export const breakGlassLabel = "promotion:break-glass";

/** The apps whose entry differs between two versions of a stack file, in catalog order. */
export function changedApps(base: StackImages, head: StackImages): AppName[] {
  return appNames.filter((app) => !sameVersion(base[app], head[app]));
}

/** The gate's verdict on one changed app, or on the change as a whole (`app` undefined). */
export interface GateVerdict {
  /** An app of the catalog, or one the base's stack file names and the catalog has dropped. */
  readonly app?: string;
  readonly passed: boolean;
  readonly line: string;
}

/** What the change is, and every verdict on it. */
export interface GateResult {
  /** `rollback`: the resulting set is one the environment verified before. */
  readonly kind: "unchanged" | "rollback" | "promotion";
  readonly verdicts: readonly GateVerdict[];
  readonly passed: boolean;
}

/** Whether break-glass is asked for (the label) and whether its approvals hold. */
export interface BreakGlass {
  readonly approved: boolean;
  /** Who approved, or why it does not hold. */
  readonly detail: string;
}

/** What the gate judges. */
export interface GateInput {
  readonly environment: EnvironmentName;
  readonly upstream: EnvironmentName | undefined;
  readonly base: StackImages;
  readonly head: StackImages;
  /** The upstream's verification records, oldest first. */
  readonly upstreamRecords: readonly VerifiedRecord[];
  /** The environment's own records, oldest first. */
  readonly ownRecords: readonly VerifiedRecord[];
  /** Labelled `promotion:partial`. */
  readonly partial: boolean;
  /** Labelled `promotion:break-glass`: whether two people with write access approved. */
  readonly breakGlass: BreakGlass | undefined;
  /** When the gate judges (ms since the epoch). */
  readonly now: number;
  /** Apps the base's stack file names that the catalog has dropped: removals, nothing to deploy. */
  readonly removedFromCatalog?: readonly string[];
  readonly policy: PromotionPolicy | undefined;
}

/** A run of consecutive records holding the same thing: from its first record to the next other one. */
interface Stint {
  readonly first: VerifiedRecord;
  /** When a record without it followed; undefined while it still runs. */
  readonly endedAt: number | undefined;
  readonly endedBy: VerifiedRecord | undefined;
}

/** The stints of records (oldest first) for which `holds` is true. */
export function stints(
  records: readonly VerifiedRecord[],
  holds: (record: VerifiedRecord) => boolean,
): Stint[] {
  const found: Stint[] = [];
  let first: VerifiedRecord | undefined;
  for (const record of records) {
    if (holds(record)) {
      first ??= record;
    } else if (first !== undefined) {
      found.push({ first, endedAt: record.verifiedAt, endedBy: record });
      first = undefined;
    }
  }
  if (first !== undefined) found.push({ first, endedAt: undefined, endedBy: undefined });
  return found;
}

const minutes = (ms: number): string => `${Math.floor(ms / 60_000)} min`;

/**
 * Whether what `holds` picks has soaked `soakMinutes` in the upstream by `now`: some stint of it
 * ran that long (a stint still running counts up to now).
 *
 * @returns `soaked`, or when it will (`readyAt`, a stint still running), or never (replaced too soon).
 */
export function soakOf(
  records: readonly VerifiedRecord[],
  holds: (record: VerifiedRecord) => boolean,
  soakMinutes: number,
  now: number,
):
  | { readonly soaked: true; readonly since: VerifiedRecord; readonly ran: number }
  | { readonly soaked: false; readonly readyAt: number; readonly since: VerifiedRecord }
  | { readonly soaked: false; readonly replaced: Stint }
  | undefined {
  const all = stints(records, holds);
  const need = soakMinutes * 60_000;
  const done = all.find((stint) => (stint.endedAt ?? now) - stint.first.verifiedAt >= need);
  if (done !== undefined)
    return { soaked: true, since: done.first, ran: (done.endedAt ?? now) - done.first.verifiedAt };
  const running = all.find((stint) => stint.endedAt === undefined);
  if (running !== undefined)
    return { soaked: false, readyAt: running.first.verifiedAt + need, since: running.first };
  const last = all[all.length - 1];
  return last === undefined ? undefined : { soaked: false, replaced: last };
}

/**
 * The promotion gate. Every changed entry must carry a digest. A change whose resulting set is
 * one the environment verified before is a rollback: it passes, whatever the soak and the
 * windows say. Otherwise, downstream, every new `tag@digest` must be in a verified record of
 * the upstream, the resulting set must be one the upstream verified together (unless labelled
 * `promotion:partial`), it must have soaked there, and a promotion window must be open (both
 * lifted by an approved break-glass).
 */
export function checkGate(input: GateInput): GateResult {
  const { environment, upstream, head } = input;
  const changed = changedApps(input.base, head);
  const dropped = input.removedFromCatalog ?? [];
  if (changed.length === 0 && dropped.length === 0) return { kind: "unchanged", verdicts: [], passed: true };
  const verdicts: GateVerdict[] = [];
  const pass = (line: string, app?: string) => verdicts.push({ ...(app ? { app } : {}), passed: true, line });
  const fail = (line: string, app?: string) =>
    verdicts.push({ ...(app ? { app } : {}), passed: false, line });
  // One line per app in catalog order, then the apps the catalog dropped, then the lines on the set.
  const rank = (verdict: GateVerdict) =>
    verdict.app === undefined
      ? appNames.length + 1
      : isAppName(verdict.app)
        ? appNames.indexOf(verdict.app)
        : appNames.length;
  const done = (kind: GateResult["kind"]): GateResult => ({
    kind,
    verdicts: [...verdicts].sort((a, b) => rank(a) - rank(b)),
    passed: verdicts.every((verdict) => verdict.passed),
  });
  const copy = upstream !== undefined ? `; copy it with: platform promote ${upstream} ${environment}` : "";
  // An app the catalog dropped has nothing left to deploy or verify: its removal passes (N2).
  // A rename (an app that keeps the dropped one's persistent names) is no removal (decision 0068).
  const renames = new Map(renamesOf(dropped).map((rename) => [rename.from, rename]));
  for (const app of dropped) {
    const rename = renames.get(app);
    pass(
      rename === undefined
        ? `${app}: passed: removed from the catalog (apps/catalog.ts), nothing to deploy`
        : `${app}: passed: ${describeRename(rename)}`,
      app,
    );
  }
  if (changed.length === 0) return done("promotion");

  const pinned = changed.filter((app): app is AppName => {
    const entry = head[app];
    if (entry === undefined) {
      pass(`${app}: passed: removed from ${environment}, nothing to deploy`, app);
      return false;
    }
    if (entry.digest !== undefined) return true;
    const rule =
      onlyTagAtDigest(environments[environment], app) ?? `a gated change must pin tag@digest${copy}`;
    fail(`${app}: failed: ${entry.tag} has no digest; ${rule}`, app);
    return false;
  });

  // A rollback: the whole resulting set is one the environment itself verified before.
  const own = [...input.ownRecords].reverse().find((record) => sameSet(head, record));
  if (own !== undefined && verdicts.every((verdict) => verdict.passed)) {
    for (const app of pinned) {
      pass(
        `${app}: passed: ${formatVersion(head[app])} is in the set ${environment} verified in ${describeRecord(own)}`,
        app,
      );
    }
    pass(
      `rollback: ${environment} verified this set together in ${describeRecord(own)}; a rollback is allowed at any time, soak and windows do not apply`,
    );
    return done("rollback");
  }

  if (upstream === undefined) {
    for (const app of pinned) pass(`${app}: passed: ${formatVersion(head[app])} is pinned by digest`, app);
  } else {
    for (const app of pinned) {
      const entry = head[app]!;
      const holding = [...input.upstreamRecords]
        .reverse()
        .find((record) => sameVersion(record.images[app], entry));
      if (holding !== undefined) {
        pass(
          `${app}: passed: ${formatVersion(entry)} was verified by ${upstream} in ${describeRecord(holding)}`,
          app,
        );
      } else {
        const ranHere = input.ownRecords.some((record) => sameVersion(record.images[app], entry));
        fail(
          `${app}: failed: ${formatVersion(entry)} is in no verification record of ${upstream}${ranHere ? ` (${environment} verified it, but in another set: roll back the whole set with platform rollback ${environment})` : ""}${copy}`,
          app,
        );
      }
    }
    judgeTogether(input, upstream, pass, fail);
  }
  judgeTime(input, upstream, changed, pass, fail);
  return done("promotion");
}

type Report = (line: string) => void;

/** The resulting set must be one the upstream verified together, unless labelled partial. */
function judgeTogether(input: GateInput, upstream: EnvironmentName, pass: Report, fail: Report): void {
  const { environment, head } = input;
  const together = [...input.upstreamRecords].reverse().find((record) => sameSet(head, record));
  if (together !== undefined) {
    pass(`together: ${environment} will run the set ${upstream} verified in ${describeRecord(together)}`);
    return;
  }
  const nearest = nearestRecord(head, input.upstreamRecords);
  const differences =
    nearest === undefined
      ? `${upstream} has no verification record`
      : `the nearest, ${describeRecord(nearest)}, has ${appNames
          .filter((app) => !sameVersion(nearest.images[app], head[app]))
          .map((app) => `${app} ${formatVersion(nearest.images[app])}`)
          .join(", ")}`;
  const combination = `${environment} would run ${describeSet(head)}, a combination ${upstream} never verified together (${differences})`;
  if (input.partial) pass(`together: ${partialLabel}: ${combination}`);
  else
    fail(
      `together: failed: ${combination}; promote a whole verified set, or label the pull request ${partialLabel}`,
    );
}

/** The upstream record that differs from `images` in the fewest apps (the newest of those). */
function nearestRecord(images: StackImages, records: readonly VerifiedRecord[]): VerifiedRecord | undefined {
  let best: { record: VerifiedRecord; differences: number } | undefined;
  for (const record of [...records].reverse()) {
    const differences = appNames.filter((app) => !sameVersion(record.images[app], images[app])).length;
    if (best === undefined || differences < best.differences) best = { record, differences };
  }
  return best?.record;
}

/** Soak and windows: when the promotion may deploy. */
function judgeTime(
  input: GateInput,
  upstream: EnvironmentName | undefined,
  changed: readonly AppName[],
  pass: Report,
  fail: Report,
): void {
  const { policy, now, breakGlass } = input;
  if (policy === undefined) return;
  const zone = policy.timeZone;
  const glass = breakGlass?.approved === true;
  if (breakGlass !== undefined) {
    pass(
      `break-glass: ${breakGlass.approved ? `in effect (${breakGlass.detail}): soak, windows and freezes are lifted` : `not in effect: ${breakGlass.detail}`}`,
    );
  }
  const soak = policy.soakMinutes ?? 0;
  if (upstream !== undefined && soak > 0) {
    const subjects: { what: string; holds: (record: VerifiedRecord) => boolean }[] = input.partial
      ? changed
          .filter((app) => input.head[app]?.digest !== undefined)
          .map((app) => ({
            what: `${app} ${formatVersion(input.head[app])}`,
            holds: (record: VerifiedRecord) => sameVersion(record.images[app], input.head[app]),
          }))
      : [{ what: "the set", holds: (record: VerifiedRecord) => sameSet(input.head, record) }];
    for (const { what, holds } of subjects) {
      const state = soakOf(input.upstreamRecords, holds, soak, now);
      if (state === undefined) continue; // not verified: failed above
      if (state.soaked) {
        pass(
          `soak: ${what} ran verified in ${upstream} for ${minutes(state.ran)} since ${describeRecord(state.since)} (${soak} min required)`,
        );
      } else if (glass) {
        pass(`soak: ${what} has not soaked ${soak} min in ${upstream}; lifted by ${breakGlassLabel}`);
      } else if ("readyAt" in state) {
        fail(
          `soak: failed: ${what} has run verified in ${upstream} for ${minutes(now - state.since.verifiedAt)} since ${describeRecord(state.since)}; ${input.environment} requires ${soak} min: it may go from ${describeInstant(state.readyAt, zone)} (in ${minutes(state.readyAt - now + 59_999)}); run the gate again then`,
        );
      } else {
        fail(
          `soak: failed: ${what} ran verified in ${upstream} for only ${minutes(state.replaced.endedAt! - state.replaced.first.verifiedAt)} (from ${describeRecord(state.replaced.first)} until ${describeRecord(state.replaced.endedBy!)} replaced it); ${input.environment} requires ${soak} min: promote a set that soaked`,
        );
      }
    }
  }
  const window = windowVerdict(policy, now);
  if (window.open) pass(`window: open: ${window.why}`);
  else if (glass) pass(`window: ${window.why}; lifted by ${breakGlassLabel}`);
  else
    fail(
      `window: failed: ${describeInstant(now, zone)} is ${window.why}; the promotion may deploy from ${describeNext(window.next, zone)}, or at once with ${breakGlassLabel} and two approvals`,
    );
}

/** What a promotion without `--app` may propose: the newest upstream set verified and soaked. */
export type SoakedSet =
  | { readonly kind: "soaked"; readonly record: VerifiedRecord }
  | { readonly kind: "waiting"; readonly newest: VerifiedRecord; readonly readyAt: number | undefined }
  | { readonly kind: "none" };

/**
 * The newest record (of `records`, oldest first) whose set has run verified `soakMinutes` by
 * `now`; else the newest record and when it will have soaked (undefined: it was replaced too soon).
 */
export function soakedSet(records: readonly VerifiedRecord[], soakMinutes: number, now: number): SoakedSet {
  const newestFirst = [...records].reverse();
  const newest = newestFirst[0];
  if (newest === undefined) return { kind: "none" };
  for (const candidate of newestFirst) {
    const state = soakOf(records, (record) => sameSet(candidate.images, record), soakMinutes, now);
    if (state?.soaked === true) return { kind: "soaked", record: candidate };
  }
  const state = soakOf(records, (record) => sameSet(newest.images, record), soakMinutes, now);
  return {
    kind: "waiting",
    newest,
    readyAt: state !== undefined && !state.soaked && "readyAt" in state ? state.readyAt : undefined,
  };
}
