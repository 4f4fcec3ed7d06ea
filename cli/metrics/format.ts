// `platform metrics`' text: every figure, then the events it counted (pure).
import type { AppMetrics, DeployOutcome, LeadTime, Metrics, Stage } from "./figures";
import { stages } from "./figures";

/** `45 min`, `3 h 05 min`, `2 d 4 h`: a duration in minutes as the figures print it. */
export function formatMinutes(minutes: number | undefined): string {
  if (minutes === undefined) return "n/a";
  const sign = minutes < 0 ? "-" : "";
  const total = Math.abs(minutes);
  if (total < 60) return `${sign}${total} min`;
  if (total < 24 * 60) return `${sign}${Math.floor(total / 60)} h ${String(total % 60).padStart(2, "0")} min`;
  return `${sign}${Math.floor(total / 1440)} d ${Math.floor((total % 1440) / 60)} h`;
}

/** `2026-01-02 10:00`: a time as the figures print it (UTC). */
export const formatTime = (iso: string | undefined): string =>
  iso === undefined ? "-" : `${iso.slice(0, 16).replace("T", " ")}`;

const pr = (number: number | undefined) => (number === undefined ? "" : ` #${number}`);

const deployLine = (deploy: DeployOutcome) =>
  `${formatTime(deploy.mergedAt)} ${deploy.commit.slice(0, 7)} ${deploy.kind}${pr(deploy.pullRequest)} ${deploy.version}` +
  (deploy.verifiedAt === undefined ? "" : ` verified ${formatTime(deploy.verifiedAt)}`) +
  (deploy.failure === undefined ? "" : `: ${deploy.failure}`);

const stageText = (values: Readonly<Record<Stage, number | undefined>>, join: string) =>
  stages
    .filter((stage) => values[stage] !== undefined)
    .map((stage) => `${stage} ${formatMinutes(values[stage])}`)
    .join(join);

const leadLine = (lead: LeadTime) =>
  `${lead.version}: released ${formatTime(lead.releasedAt)}, verified ${formatTime(lead.verifiedAt)}: ${formatMinutes(lead.minutes)} = ${stageText(lead.stages, " + ")}`;

function appBlock(metrics: AppMetrics): string[] {
  const { deployFrequency: freq, leadTime: lead, changeFailureRate: cfr, timeToRestore: ttr } = metrics;
  const indent = (lines: readonly string[]) => lines.map((line) => `    ${line}`);
  return [
    `${metrics.app} in ${metrics.environment}`,
    `  deploy frequency: ${freq.deploys} verified deploy(s) in ${freq.weeks} week(s)${freq.perWeek === undefined ? "" : ` (${freq.perWeek} a week)`}`,
    ...indent(freq.events.map(deployLine)),
    `  lead time: ${lead.count === 0 ? "no release verified here in the period" : `median ${formatMinutes(lead.medianMinutes)} of ${lead.count} release(s) (${stageText(lead.stageMedians, ", ")})`}`,
    ...indent(lead.events.map(leadLine)),
    `  change failure rate: ${cfr.rate === undefined ? "no deploy judged in the period" : `${cfr.failures} of ${cfr.deploys} deploy(s) (${Math.round(cfr.rate * 100)}%)`}`,
    ...indent(cfr.events.map(deployLine)),
    `  time to restore: ${ttr.events.length === 0 ? "no failure in the period" : `median ${formatMinutes(ttr.medianMinutes)} of ${ttr.count} restored failure(s)`}`,
    ...indent(
      ttr.events.map(
        (restore) =>
          `${restore.version} (${restore.commit.slice(0, 7)}) failed ${formatTime(restore.failedAt)}: ${restore.restoredBy === undefined ? "not restored yet" : `restored by ${restore.restoredBy}, ${formatMinutes(restore.minutes)}`}`,
      ),
    ),
  ];
}

/** The whole report: the period, the notes, and one block per app and environment. */
export function formatMetrics(metrics: Metrics): string {
  const records = Object.entries(metrics.records)
    .map(([environment, count]) => `${environment} ${count}`)
    .join(", ");
  return [
    `Delivery metrics from git history, ${formatTime(metrics.since)} to ${formatTime(metrics.until)} UTC; verification records: ${records}`,
    "Definitions: docs/metrics.md",
    ...metrics.notes.map((note) => `note: ${note}`),
    "",
    ...metrics.apps.flatMap((app) => [...appBlock(app), ""]),
  ].join("\n");
}
