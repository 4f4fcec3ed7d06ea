import type { ClusterSnapshot } from "./cluster-snapshot";
import { judge, type Finding } from "./judge";
import type { Expectations } from "./expectations";

/** How long verify waits between two looks at the cluster while something is still rolling out. */
export const pollIntervalSeconds = 5;

/** What `verifyWithin` needs of the world; tests pass a fake clock. */
export interface VerifyClock {
  /** Milliseconds since some fixed point. */
  readonly now: () => number;
  readonly sleep: (milliseconds: number) => Promise<void>;
}

/** The real clock. */
export const systemClock: VerifyClock = {
  now: () => Date.now(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

/**
 * Looks at the cluster until it passes, a final finding shows (a rollout past its deadline, a
 * failed Job) or `waitSeconds` have passed, as `kubectl rollout status --timeout` waits: right
 * after `pulumi up`, an old pod may still be terminating.
 *
 * @returns the last look's findings (empty: passed) and the snapshot they were judged on.
 */
export async function verifyWithin(options: {
  readonly expectations: Expectations;
  readonly read: () => Promise<ClusterSnapshot>;
  readonly waitSeconds: number;
  readonly clock?: VerifyClock;
}): Promise<{ findings: Finding[]; snapshot: ClusterSnapshot; looks: number }> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + options.waitSeconds * 1000;
  for (let looks = 1; ; looks++) {
    const snapshot = await options.read();
    const findings = judge(options.expectations, snapshot);
    const left = deadline - clock.now();
    const hopeless = findings.some((finding) => finding.final === true);
    if (findings.length === 0 || hopeless || left <= 0) return { findings, snapshot, looks };
    await clock.sleep(Math.min(pollIntervalSeconds * 1000, left));
  }
}
