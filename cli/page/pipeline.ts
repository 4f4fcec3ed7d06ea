// What the pipeline page and the job summary's diagram show, from the stack files at the tip and
// the verification records (pure): each environment's versions, verified or not, the soak left
// before each can move on, the promotion windows and freezes, and the pending promotions.
import { appNames, type AppName } from "../../apps/catalog";
import type { ImageVersion } from "../../apps/image-reference";
import { environmentNames, type EnvironmentName, type EnvironmentSettings } from "../../environments";
import { describeNext, describeWindows, windowVerdict } from "../../environments/promotion-policy";
import type { StackImages } from "../stack-file/read-images";
import type { VerifiedRecord } from "../verified-records";
import { versionText } from "../metrics/figures";

/** One app in one environment. */
export interface AppCell {
  readonly app: AppName;
  /** `1.4.0@sha256:1a2b3c4d…`, or undefined when the app is not deployed there. */
  readonly version: string | undefined;
  /** The environment's latest record holds this version. */
  readonly verified: boolean;
  /** Minutes before this version may move to the next environment (its soak); undefined: no next one, or not verified. */
  readonly soakLeftMinutes: number | undefined;
}

/** One environment of the pipeline. */
export interface EnvironmentView {
  readonly name: EnvironmentName;
  readonly upstream: EnvironmentName | undefined;
  readonly apps: readonly AppCell[];
  readonly latestRecord:
    { readonly name: string; readonly verifiedAt: string; readonly run: string } | undefined;
  /** The promotion policy into this environment, as words; undefined when it has none. */
  readonly policy:
    | {
        readonly soakMinutes: number;
        readonly windows: string;
        /** Whether a promotion may deploy now, and why (or from when). */
        readonly now: string;
        readonly open: boolean;
        readonly freezes: readonly { readonly from: string; readonly to: string; readonly reason: string }[];
      }
    | undefined;
}

/** A set verified upstream that the downstream environment does not run yet. */
export interface PendingPromotion {
  readonly from: EnvironmentName;
  readonly to: EnvironmentName;
  readonly app: AppName;
  readonly version: string;
  readonly current: string | undefined;
  readonly verifiedAt: string;
  readonly soakLeftMinutes: number;
}

/** The whole picture. */
export interface PipelineView {
  readonly environments: readonly EnvironmentView[];
  readonly pending: readonly PendingPromotion[];
}

const holds = (record: VerifiedRecord | undefined, app: AppName, version: ImageVersion | undefined) => {
  const entry = record?.images[app];
  return (
    entry !== undefined &&
    version !== undefined &&
    entry.tag === version.tag &&
    (version.digest === undefined || entry.digest === version.digest)
  );
};

/**
 * When the stint of an app's version in an environment began: the first of the consecutive
 * latest records that hold it (decision 0047's soak, per app).
 */
function stintStart(
  records: readonly VerifiedRecord[],
  app: AppName,
  version: ImageVersion,
): number | undefined {
  let start: number | undefined;
  for (let index = records.length - 1; index >= 0 && holds(records[index], app, version); index--)
    start = records[index]!.verifiedAt;
  return start;
}

/** The pipeline at `now` (ms): environments in order, their versions and records, the pending promotions. */
export function pipelineView(input: {
  readonly current: Readonly<Record<EnvironmentName, StackImages>>;
  readonly records: readonly VerifiedRecord[];
  readonly settings: Readonly<Record<EnvironmentName, EnvironmentSettings>>;
  readonly now: number;
}): PipelineView {
  const { current, settings, now } = input;
  const recordsOf = (environment: EnvironmentName) =>
    input.records
      .filter((record) => record.environment === environment && record.verifiedAt <= now)
      .sort((a, b) => a.verifiedAt - b.verifiedAt);
  const soakLeft = (
    environment: EnvironmentName,
    app: AppName,
    version: ImageVersion,
  ): number | undefined => {
    const next = environmentNames[environmentNames.indexOf(environment) + 1];
    if (next === undefined) return undefined;
    const start = stintStart(recordsOf(environment), app, version);
    if (start === undefined) return undefined;
    const soak = settings[next].promotion?.soakMinutes ?? 0;
    return Math.max(0, Math.ceil(soak - (now - start) / 60000));
  };
  const views = environmentNames.map((name): EnvironmentView => {
    const records = recordsOf(name);
    const latest = records[records.length - 1];
    const policy = settings[name].promotion;
    const verdict = policy === undefined ? undefined : windowVerdict(policy, now);
    return {
      name,
      upstream: settings[name].upstream,
      apps: appNames.map((app) => {
        const version = current[name][app];
        const verified = holds(latest, app, version);
        return {
          app,
          version: version === undefined ? undefined : versionText(version),
          verified,
          soakLeftMinutes: verified ? soakLeft(name, app, version!) : undefined,
        };
      }),
      latestRecord:
        latest === undefined
          ? undefined
          : { name: latest.name, verifiedAt: new Date(latest.verifiedAt).toISOString(), run: latest.run },
      policy:
        policy === undefined || verdict === undefined
          ? undefined
          : {
              soakMinutes: policy.soakMinutes ?? 0,
              windows: (policy.windows ?? []).length === 0 ? "any time" : describeWindows(policy),
              open: verdict.open,
              now: verdict.open
                ? `open: ${verdict.why}`
                : `closed: ${verdict.why}; next opening ${describeNext(verdict.next, policy.timeZone)}`,
              freezes: (policy.freezes ?? []).map((freeze) => ({
                from: `${freeze.from} ${policy.timeZone}`,
                to: `${freeze.to} ${policy.timeZone}`,
                reason: freeze.reason,
              })),
            },
    };
  });
  const pending: PendingPromotion[] = [];
  for (const view of views) {
    if (view.upstream === undefined) continue;
    const upstreamRecords = recordsOf(view.upstream);
    const latest = upstreamRecords[upstreamRecords.length - 1];
    if (latest === undefined) continue;
    for (const app of appNames) {
      const version = latest.images[app];
      if (version === undefined || holds(latest, app, current[view.name][app])) continue;
      const here = current[view.name][app];
      pending.push({
        from: view.upstream,
        to: view.name,
        app,
        version: versionText(version),
        current: here === undefined ? undefined : versionText(here),
        verifiedAt: new Date(stintStart(upstreamRecords, app, version) ?? latest.verifiedAt).toISOString(),
        soakLeftMinutes: soakLeft(view.upstream, app, version) ?? 0,
      });
    }
  }
  return { environments: views, pending };
}
