// What a release, promotion or rollback changes in an environment's stack file: the moves of
// image entries, worked out from the current entries, and their application to the file's text.
import { appNames, type AppName } from "../../apps/catalog";
import { isMovingTag, movingTagRuleFor } from "../../apps/image-reference";
import type { EnvironmentName } from "../../environments";
import type { ImageVersion } from "../../apps/image-reference";
import { PlatformError } from "../errors";
import type { VerifiedRecord } from "../verified-records";
import { setImages } from "../stack-file/edit-images";
import { sameVersion, type StackImages } from "../stack-file/read-images";
import type { DeployedImages } from "../deployed-images";

/** One app's entry changing in an environment's stack file. */
export interface ImageMove {
  readonly app: AppName;
  /** The entry now; undefined when the app is not deployed there yet. */
  readonly from: ImageVersion | undefined;
  readonly to: ImageVersion;
  /** A rollback's: the record of the environment whose set it goes back to. */
  readonly verified?: VerifiedRecord;
}

/** A change of image versions in one environment: what a release or promotion does. */
export interface ImageChange {
  readonly kind: "release" | "promote" | "rollback";
  /** The environment whose stack file changes. */
  readonly environment: EnvironmentName;
  /** A promotion's source: the upstream environment whose deployed images are copied. */
  readonly source?: EnvironmentName;
  /** The apps asked for (`all` when none was named): names the branch, so reruns reuse it. */
  readonly requested: readonly AppName[] | "all";
  /** Entries that change; empty when the environment already has them. */
  readonly moves: readonly ImageMove[];
}

/**
 * The change a promotion makes: for each requested app the upstream has deployed, the tag and digest it
 * runs, where the target's entry differs. Apps the upstream has not deployed are listed apart.
 */
export function promotionChange(input: {
  readonly from: EnvironmentName;
  readonly to: EnvironmentName;
  readonly deployed: DeployedImages;
  readonly current: StackImages;
  readonly apps: readonly AppName[] | "all";
}): { change: ImageChange; notDeployed: AppName[] } {
  const apps = input.apps === "all" ? appNames : appNames.filter((app) => input.apps.includes(app));
  const moves: ImageMove[] = [];
  const notDeployed: AppName[] = [];
  for (const app of apps) {
    const deployed = input.deployed[app];
    if (deployed === undefined) {
      notDeployed.push(app);
      continue;
    }
    const to = { tag: deployed.tag, digest: deployed.digest };
    if (!sameVersion(input.current[app], to)) moves.push({ app, from: input.current[app], to });
  }
  const requested = input.apps === "all" || apps.length === appNames.length ? "all" : apps;
  return {
    change: { kind: "promote", environment: input.to, source: input.from, requested, moves },
    notDeployed,
  };
}

/**
 * Refuses a promotion that would copy a moving tag (`latest`, a floating `2` or `1.5`): the digest
 * is pinned, but the tag would not say which version runs, and a later build may move it.
 *
 * @throws PlatformError naming each app, what the upstream deployed, and the rule.
 */
export function refuseMovingTags(change: ImageChange): void {
  const moving = change.moves.filter((move) => isMovingTag(move.to.tag));
  if (moving.length === 0) return;
  const deployed = moving.map((move) => `${move.app} as '${move.to.tag}'`).join(", ");
  const rules = [...new Set(moving.map((move) => movingTagRuleFor(move.to.tag)))].join("; ");
  throw new PlatformError(
    `${change.source ?? "the upstream"} deployed ${deployed}, a moving tag: ${rules}; release a version tag to ${change.source ?? "it"} and deploy it, then promote`,
  );
}

/** The change a release makes: the app's tag, without digest, in the first environment of the pipeline. */
export function releaseChange(input: {
  readonly environment: EnvironmentName;
  readonly app: AppName;
  readonly tag: string;
  readonly current: StackImages;
}): ImageChange {
  const to = { tag: input.tag };
  const from = input.current[input.app];
  const moves = sameVersion(from, to) ? [] : [{ app: input.app, from, to }];
  return { kind: "release", environment: input.environment, requested: [input.app], moves };
}

/** Applies a change to a stack file's text. */
export function applyChange(text: string, change: ImageChange, source: string): string {
  return setImages(
    text,
    change.moves.map((move) => [move.app, move.to] as const),
    source,
  );
}
