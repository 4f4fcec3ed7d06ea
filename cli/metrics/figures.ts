// The four delivery metrics (DORA's), per app and environment, from deploys and verification
// records: pure functions. The definitions are docs/metrics.md's; docs/decisions/0055 says why.
import { appNames, type AppName } from "../../apps/catalog";
import type { ImageVersion } from "../../apps/image-reference";
import { environmentNames, type EnvironmentName } from "../../environments";
import type { VerifiedRecord } from "../verified-records";
import type { ChangeKind, DeployEvent } from "./events";

/** What git history holds, read once: the deploys and each environment's records, placed on the chain. */
export interface DeliveryHistory {
  readonly deploys: readonly DeployEvent[];
  readonly records: readonly VerifiedRecord[];
  /** The first-parent position of each commit (records on other commits are not counted). */
  readonly commitIndex: ReadonlyMap<string, number>;
}

/** What became of a deploy. */
export type DeployStatus =
  /** A record of the environment holds its version, on its commit or a later one before the next change. */
  | "verified"
  /** No record before the app changed again, or a later record without it: verification (or `up`) failed. */
  | "failed"
  /** The latest change, no record yet: still deploying, or failed and not yet followed by anything. */
  | "pending"
  /** Before the environment's first record: cannot be told apart from a failed deploy. */
  | "unrecorded";

/** A deploy with its outcome. */
export interface DeployOutcome {
  readonly environment: EnvironmentName;
  readonly app: AppName;
  readonly version: string;
  readonly previous: string | undefined;
  readonly kind: ChangeKind;
  readonly commit: string;
  readonly title: string;
  readonly pullRequest: number | undefined;
  readonly openedAt: string | undefined;
  readonly mergedAt: string;
  readonly status: DeployStatus;
  /** The record that verified it. */
  readonly record: string | undefined;
  readonly verifiedAt: string | undefined;
  /** The Actions run of that record. */
  readonly run: string | undefined;
  /** Why it counts as a change failure, when it does. */
  readonly failure: string | undefined;
}

/** One release's way to an environment, stage by stage (minutes; undefined when git cannot tell). */
export interface LeadTime {
  readonly version: string;
  readonly releasedAt: string;
  readonly verifiedAt: string;
  readonly minutes: number;
  readonly stages: Readonly<Record<Stage, number | undefined>>;
}

/** The stages of a lead time (docs/metrics.md). */
export const stages = ["review", "deploy", "soak", "promotion"] as const;
export type Stage = (typeof stages)[number];

/** A change failure and how long until the environment ran a verified set without it. */
export interface Restore {
  readonly version: string;
  readonly commit: string;
  readonly failedAt: string;
  /** The record that restored it; undefined when none yet. */
  readonly restoredBy: string | undefined;
  readonly restoredAt: string | undefined;
  readonly minutes: number | undefined;
}

/** The four figures for one app in one environment, each with the events it counted. */
export interface AppMetrics {
  readonly app: AppName;
  readonly environment: EnvironmentName;
  readonly deployFrequency: {
    readonly deploys: number;
    readonly weeks: number;
    readonly perWeek: number | undefined;
    readonly events: readonly DeployOutcome[];
  };
  readonly leadTime: {
    readonly count: number;
    readonly medianMinutes: number | undefined;
    readonly stageMedians: Readonly<Record<Stage, number | undefined>>;
    readonly events: readonly LeadTime[];
  };
  readonly changeFailureRate: {
    readonly deploys: number;
    readonly failures: number;
    readonly rate: number | undefined;
    readonly events: readonly DeployOutcome[];
  };
  readonly timeToRestore: {
    readonly count: number;
    readonly medianMinutes: number | undefined;
    readonly events: readonly Restore[];
  };
}

/** Every figure, the period they cover and why some could not be counted. */
export interface Metrics {
  readonly since: string;
  readonly until: string;
  readonly records: Readonly<Record<EnvironmentName, number>>;
  readonly apps: readonly AppMetrics[];
  /** Every deploy with its outcome, newest first (the page's list). */
  readonly deploys: readonly DeployOutcome[];
  /** Why figures are zero or missing: no records, nothing in the period. */
  readonly notes: readonly string[];
}

const iso = (time: number) => new Date(time).toISOString();
const minutesBetween = (from: number, to: number) => Math.round((to - from) / 60000);
const week = 7 * 24 * 3600 * 1000;

/** The tag (and digest, when pinned) of a version as figures print it. */
export const versionText = (version: ImageVersion): string =>
  version.digest === undefined ? version.tag : `${version.tag}@${version.digest.slice(0, 19)}`;

/** Whether a record's entry is a deploy's version: same tag, and same digest when the deploy pins one. */
const holds = (record: VerifiedRecord, app: AppName, version: ImageVersion): boolean => {
  const entry = record.images[app];
  return (
    entry !== undefined &&
    entry.tag === version.tag &&
    (version.digest === undefined || entry.digest === version.digest)
  );
};

/** The median of numbers (the mean of the middle two for an even count); undefined for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}

interface Linked {
  readonly deploy: DeployEvent;
  readonly next: DeployEvent | undefined;
  readonly record: VerifiedRecord | undefined;
  readonly status: DeployStatus;
}

/** Each deploy's record and status (docs/metrics.md, "Which deploys count"). */
function link(history: DeliveryHistory): Linked[] {
  const placed = history.records
    .map((record) => ({ record, index: history.commitIndex.get(record.commit) }))
    .filter((entry): entry is { record: VerifiedRecord; index: number } => entry.index !== undefined)
    .sort((a, b) => a.record.verifiedAt - b.record.verifiedAt);
  const linked: Linked[] = [];
  for (const environment of environmentNames) {
    const records = placed.filter((entry) => entry.record.environment === environment);
    const firstIndex = records.length === 0 ? Infinity : Math.min(...records.map((entry) => entry.index));
    for (const app of appNames) {
      const deploys = history.deploys.filter((d) => d.environment === environment && d.app === app);
      deploys.forEach((deploy, position) => {
        const next = deploys[position + 1];
        const end = next?.index ?? Infinity;
        const record = records.find(
          (entry) =>
            entry.index >= deploy.index && entry.index < end && holds(entry.record, app, deploy.version),
        )?.record;
        const later = records.some((entry) => entry.index >= deploy.index);
        const status: DeployStatus =
          record !== undefined
            ? "verified"
            : end <= firstIndex
              ? "unrecorded"
              : next !== undefined || later
                ? "failed"
                : "pending";
        linked.push({ deploy, next, record, status });
      });
    }
  }
  return linked;
}

function outcome(entry: Linked): DeployOutcome {
  const { deploy, record, status, next } = entry;
  const failure =
    status === "failed"
      ? `no verification record of ${deploy.environment} holds it before ${next === undefined ? "a later record" : `the next change (${next.commit.slice(0, 7)})`}`
      : status === "verified" && next?.kind === "rollback"
        ? `rolled back by ${next.commit.slice(0, 7)}${next.pullRequest === undefined ? "" : ` (#${next.pullRequest})`}`
        : undefined;
  return {
    environment: deploy.environment,
    app: deploy.app,
    version: versionText(deploy.version),
    previous: deploy.previous === undefined ? undefined : versionText(deploy.previous),
    kind: deploy.kind,
    commit: deploy.commit,
    title: deploy.title,
    pullRequest: deploy.pullRequest,
    openedAt: deploy.openedAt === undefined ? undefined : iso(deploy.openedAt),
    mergedAt: iso(deploy.mergedAt),
    status,
    record: record?.name,
    verifiedAt: record === undefined ? undefined : iso(record.verifiedAt),
    run: record?.run,
    failure,
  };
}

/**
 * The four metrics per app and environment over `[since, until]` (ms; `since` undefined: from the
 * first deploy). Each figure lists the events it counted.
 */
export function metricsOf(history: DeliveryHistory, period: { since?: number; until: number }): Metrics {
  const linked = link(history);
  const first = Math.min(...history.deploys.map((deploy) => deploy.mergedAt), period.until);
  const since = period.since ?? first;
  const weeks = Math.round(((period.until - since) / week) * 10) / 10;
  const inPeriod = (time: number) => time >= since && time <= period.until;
  const byEnvironment = (environment: EnvironmentName) =>
    history.records.filter(
      (record) => record.environment === environment && history.commitIndex.has(record.commit),
    );
  const apps: AppMetrics[] = [];
  for (const environment of environmentNames) {
    const records = byEnvironment(environment).sort((a, b) => a.verifiedAt - b.verifiedAt);
    for (const app of appNames) {
      const mine = linked.filter(
        (entry) => entry.deploy.environment === environment && entry.deploy.app === app,
      );
      const counted = mine.filter((entry) => inPeriod(entry.deploy.mergedAt));
      const verified = counted.filter((entry) => entry.status === "verified").map(outcome);
      const judged = counted
        .filter((entry) => entry.status === "verified" || entry.status === "failed")
        .map(outcome);
      const failures = judged.filter((entry) => entry.failure !== undefined);
      const restores = failures.map((failure): Restore => {
        const deploy = mine.find((entry) => entry.deploy.commit === failure.commit)!;
        const start = deploy.record?.verifiedAt ?? deploy.deploy.mergedAt;
        const by = records.find(
          (record) =>
            history.commitIndex.get(record.commit)! >= deploy.deploy.index &&
            record.verifiedAt > start &&
            !holds(record, app, deploy.deploy.version),
        );
        return {
          version: failure.version,
          commit: failure.commit,
          failedAt: iso(start),
          restoredBy: by?.name,
          restoredAt: by === undefined ? undefined : iso(by.verifiedAt),
          minutes: by === undefined ? undefined : minutesBetween(start, by.verifiedAt),
        };
      });
      const leads = leadTimes(linked, app, environment).filter((lead) =>
        inPeriod(Date.parse(lead.releasedAt)),
      );
      const restored = restores.flatMap((restore) =>
        restore.minutes === undefined ? [] : [restore.minutes],
      );
      apps.push({
        app,
        environment,
        deployFrequency: {
          deploys: verified.length,
          weeks,
          perWeek: weeks > 0 ? Math.round((verified.length / weeks) * 10) / 10 : undefined,
          events: verified,
        },
        leadTime: {
          count: leads.length,
          medianMinutes: median(leads.map((lead) => lead.minutes)),
          stageMedians: Object.fromEntries(
            stages.map((stage) => [
              stage,
              median(leads.flatMap((lead) => (lead.stages[stage] === undefined ? [] : [lead.stages[stage]]))),
            ]),
          ) as Record<Stage, number | undefined>,
          events: leads,
        },
        changeFailureRate: {
          deploys: judged.length,
          failures: failures.length,
          rate: judged.length === 0 ? undefined : Math.round((failures.length / judged.length) * 1000) / 1000,
          events: failures,
        },
        timeToRestore: { count: restored.length, medianMinutes: median(restored), events: restores },
      });
    }
  }
  const notes: string[] = [];
  for (const environment of environmentNames) {
    const count = byEnvironment(environment).length;
    const unrecorded = linked.filter(
      (entry) => entry.deploy.environment === environment && entry.status === "unrecorded",
    ).length;
    if (count === 0)
      notes.push(
        `${environment}: no verification record yet (the deploy workflow writes one per verified deploy), so no deploy of ${environment} is counted; ${unrecorded} change(s) of its stack file are listed as unrecorded`,
      );
    else if (unrecorded > 0)
      notes.push(
        `${environment}: ${unrecorded} change(s) before its first record are not counted (a deploy without a record cannot be told from a failed one)`,
      );
  }
  if (history.deploys.length === 0)
    notes.push("no stack file on the default branch changed an app's version");
  return {
    since: iso(since),
    until: iso(period.until),
    records: Object.fromEntries(
      environmentNames.map((environment) => [environment, byEnvironment(environment).length]),
    ) as Record<EnvironmentName, number>,
    apps,
    deploys: linked
      .map(outcome)
      .sort((a, b) => b.mergedAt.localeCompare(a.mergedAt) || a.app.localeCompare(b.app)),
    notes,
  };
}

/**
 * Lead times of an app's releases to an environment: from the release pull request's opening (its
 * merge when git cannot tell) to the environment's verification, through every environment
 * before it. Stages: review (the release pull request open → merged), deploy (each merge →
 * verified), soak (verified upstream → the promotion pull request opened), promotion (the
 * promotion pull request open → merged).
 */
function leadTimes(linked: readonly Linked[], app: AppName, environment: EnvironmentName): LeadTime[] {
  const chain = environmentNames.slice(0, environmentNames.indexOf(environment) + 1);
  const firstDeploy = (env: EnvironmentName, tag: string) =>
    linked.find(
      (entry) =>
        entry.deploy.environment === env &&
        entry.deploy.app === app &&
        entry.deploy.version.tag === tag &&
        entry.deploy.kind !== "rollback",
    );
  const seen = new Set<string>();
  const leads: LeadTime[] = [];
  for (const release of linked) {
    const { deploy } = release;
    if (deploy.environment !== chain[0] || deploy.app !== app || deploy.kind === "rollback") continue;
    if (seen.has(deploy.version.tag)) continue;
    seen.add(deploy.version.tag);
    const steps = chain.map((env) => firstDeploy(env, deploy.version.tag));
    if (steps.some((step) => step?.record === undefined)) continue;
    // Each environment after the one before it: a version set everywhere at once did not travel.
    if (
      steps.some((step, position) => position > 0 && step!.deploy.index <= steps[position - 1]!.deploy.index)
    )
      continue;
    const start = deploy.openedAt ?? deploy.mergedAt;
    const times = { review: 0, deploy: 0, soak: 0, promotion: 0 } as Record<Stage, number>;
    const unknown = new Set<Stage>();
    steps.forEach((step, position) => {
      const { deploy: here, record } = step!;
      const opened = here.openedAt ?? here.mergedAt;
      if (position === 0) {
        if (here.openedAt === undefined) unknown.add("review");
        times.review += here.mergedAt - opened;
      } else {
        const upstream = steps[position - 1]!.record!.verifiedAt;
        times.soak += opened - upstream;
        if (here.openedAt === undefined) unknown.add("promotion");
        times.promotion += here.mergedAt - opened;
      }
      times.deploy += record!.verifiedAt - here.mergedAt;
    });
    const end = steps[steps.length - 1]!.record!.verifiedAt;
    leads.push({
      version: deploy.version.tag,
      releasedAt: iso(start),
      verifiedAt: iso(end),
      minutes: minutesBetween(start, end),
      stages: Object.fromEntries(
        stages.map((stage) => [
          stage,
          unknown.has(stage) || (stage !== "review" && stage !== "deploy" && chain.length === 1)
            ? undefined
            : Math.round(times[stage] / 60000),
        ]),
      ) as Record<Stage, number | undefined>,
    });
  }
  return leads;
}
