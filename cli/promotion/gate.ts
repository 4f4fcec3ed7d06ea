// The promotion gate: whether each changed entry of a stack file may deploy.
import { appNames, type AppName } from "../../apps/catalog";
import { environments, type EnvironmentName } from "../../environments";
import { onlyTagAtDigest } from "../../stack-config/schema";
import { describeCommit, ranBefore, type ImageHistory } from "../image-history";
import { formatVersion, sameVersion, type StackImages } from "../stack-file/read-images";
import type { DeployedImages } from "../deployed-images";

/** The apps whose entry differs between two versions of a stack file, in catalog order. */
export function changedApps(base: StackImages, head: StackImages): AppName[] {
  return appNames.filter((app) => !sameVersion(base[app], head[app]));
}

/** The gate's verdict on one changed app, with the line it prints. */
export interface GateVerdict {
  /** An app of the catalog, or one the base's stack file names and the catalog has dropped. */
  readonly app: string;
  readonly passed: boolean;
  readonly line: string;
}

/**
 * The promotion gate: every changed entry must carry a digest, and in a downstream environment
 * must be exactly what the upstream has deployed (tag and digest). A removed entry deploys
 * nothing and passes.
 */
export function checkGate(input: {
  readonly environment: EnvironmentName;
  readonly upstream: EnvironmentName | undefined;
  readonly base: StackImages;
  readonly head: StackImages;
  readonly deployed: DeployedImages;
  /** The environment's own history at the base: a digest it ran before passes as a rollback. */
  readonly history?: ImageHistory;
  /** Apps the base's stack file names that the catalog has dropped: removals, nothing to deploy. */
  readonly removedFromCatalog?: readonly string[];
}): GateVerdict[] {
  const { environment, upstream } = input;
  const dropped = (input.removedFromCatalog ?? []).map((app): GateVerdict => ({
    app,
    passed: true,
    line: `${app}: passed: removed from the catalog (apps/catalog.ts), nothing to deploy`,
  }));
  return [
    ...changedApps(input.base, input.head).map((app): GateVerdict => {
      const entry = input.head[app];
      const pass = (why: string) => ({ app, passed: true, line: `${app}: passed: ${why}` });
      const fail = (why: string) => ({ app, passed: false, line: `${app}: failed: ${why}` });
      const copy =
        upstream !== undefined
          ? `; copy it with: platform promote ${upstream} ${environment} --app ${app}`
          : "";
      if (entry === undefined) return pass(`removed from ${environment}, nothing to deploy`);
      if (entry.digest === undefined) {
        const rule =
          onlyTagAtDigest(environments[environment], app) ?? `a gated change must pin tag@digest${copy}`;
        return fail(`${entry.tag} has no digest; ${rule}`);
      }
      if (upstream === undefined) return pass(`${formatVersion(entry)} is pinned by digest`);
      const deployed = input.deployed[app];
      if (deployed?.digest === entry.digest && deployed.tag === entry.tag) {
        return pass(`${formatVersion(entry)} is what ${upstream} deployed`);
      }
      const ran = ranBefore(input.history?.[app], entry);
      if (ran !== undefined) {
        return pass(
          `${formatVersion(entry)} is a rollback: ${environment} ran it, set by ${describeCommit(ran.commit)}`,
        );
      }
      if (deployed === undefined) {
        return fail(
          `${upstream} has not deployed ${app} (no images.${app} in its stack outputs); release and deploy it there first`,
        );
      }
      if (deployed.digest !== entry.digest) {
        return fail(
          `${entry.digest} is not what ${upstream} deployed (${upstream} runs ${deployed.tag}@${deployed.digest})${copy}`,
        );
      }
      if (deployed.tag !== entry.tag) {
        return fail(
          `tag ${entry.tag} does not match the tag ${upstream} deployed ${entry.digest} as (${deployed.tag})${copy}`,
        );
      }
      return pass(`${formatVersion(entry)} is what ${upstream} deployed`);
    }),
    ...dropped,
  ];
}
