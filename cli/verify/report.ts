import { textTable } from "../../lib/text-table";
import type { EnvironmentName } from "../../environments";
import type { ClusterSnapshot } from "./cluster-snapshot";
import type { Expectations } from "./expectations";
import type { Finding } from "./judge";

/** The findings as a table: APP, CHECK, OBJECT, EXPECTED, FOUND; one row per finding. */
export function formatFindings(findings: readonly Finding[]): string {
  const header = ["APP", "CHECK", "OBJECT", "EXPECTED", "FOUND"];
  const rows = findings.map((finding) => [
    finding.app,
    finding.check,
    finding.object,
    finding.expected,
    finding.found,
  ]);
  return textTable([header, ...rows]);
}

/** What a pass checked, in one line per kind of check. */
export function formatPassed(environment: EnvironmentName, expectations: Expectations): string {
  const pods = Object.entries(expectations.digests)
    .map(([app, digest]) => `${app} ${digest}`)
    .join(", ");
  const deep = expectations.smoke.filter((smoke) => smoke.deep !== undefined).length;
  return [
    `verify ${environment}: passed`,
    `  rollouts   ${expectations.deployments.length} Deployments rolled out`,
    `  digests    every pod runs its pinned digest: ${pods === "" ? "no app deployed" : pods}`,
    `  jobs       ${expectations.jobs.length} Jobs complete (${expectations.jobs.map((job) => job.name).join(", ") || "none"})`,
    `  smoke      ${expectations.smoke.length} apps healthy through their Service, ${deep} with their data paths`,
  ]
    .map((line) => `${line}\n`)
    .join("");
}

/** The JSON of `--json`: the verdict, every finding, and what was expected. */
export function verificationJson(
  environment: EnvironmentName,
  expectations: Expectations,
  findings: readonly Finding[],
  snapshot: ClusterSnapshot | undefined,
): string {
  return `${JSON.stringify(
    {
      environment,
      passed: findings.length === 0,
      findings: findings.map(({ final, ...finding }) => ({ ...finding, final: final === true })),
      digests: expectations.digests,
      deployments: expectations.deployments,
      jobs: expectations.jobs,
      smoke: expectations.smoke.map((smoke) => smoke.app),
      checkedPods: snapshot?.pods.length ?? 0,
    },
    null,
    2,
  )}\n`;
}
