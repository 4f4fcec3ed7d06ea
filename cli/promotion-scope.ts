import { isDeepStrictEqual } from "node:util";
import { isRecord } from "../lib/values";
import { imagesKey } from "./stack-file/read-images";

/** What a pull request changes, as the promotion checks see it. */
export interface ScopeInput {
  /** The environment's stack file, as a path in the repository (`Pulumi.production.yaml`). */
  readonly stackFile: string;
  /** Every path in the repository that differs between the base and the head. */
  readonly changedFiles: readonly string[];
  /** The stack file's document (all of it, not only `config:`) at the base; absent if new. */
  readonly base: unknown;
  readonly head: unknown;
  /** Whether removing an app from the environment is allowed (a flag the check prints). */
  readonly allowRemoval: boolean;
}

/** The verdict: does the change touch the stack file, and is it a promotion and nothing else? */
export interface PromotionScope {
  readonly touchesStackFile: boolean;
  /** True when only image versions change: no other file, no other key, no app removed unless allowed. */
  readonly isPromotion: boolean;
  /** Why it is not a promotion, one reason a line; empty for a promotion. */
  readonly reasons: readonly string[];
  /** Apps whose entry the change removes. */
  readonly removedApps: readonly string[];
  /** Apps whose entry the change adds (a promotion may: a downstream environment gets its apps so). */
  readonly addedApps: readonly string[];
}

/** A stack file document without its image versions: what a promotion must leave byte-identical. */
function withoutImages(document: unknown): Record<string, unknown> {
  if (!isRecord(document)) return { document };
  const { config, ...rest } = document;
  if (!isRecord(config)) return { ...rest, config };
  const { [imagesKey]: _images, ...others } = config;
  return { ...rest, config: others };
}

/** The keys (`config.<key>` or a top-level key) whose value differs between two documents. */
function changedKeys(base: Record<string, unknown>, head: Record<string, unknown>): string[] {
  const describe = (key: string, before: unknown, after: unknown): string =>
    before === undefined ? `${key} is added` : after === undefined ? `${key} is removed` : `${key} changes`;
  const keys = (a: Record<string, unknown>, b: Record<string, unknown>) => [
    ...new Set([...Object.keys(a), ...Object.keys(b)]),
  ];
  const changes: string[] = [];
  for (const key of keys(base, head).sort()) {
    if (key === "config" && isRecord(base[key]) && isRecord(head[key])) {
      const before = base[key];
      const after = head[key];
      for (const name of keys(before, after).sort()) {
        if (!isDeepStrictEqual(before[name], after[name]))
          changes.push(describe(name, before[name], after[name]));
      }
    } else if (!isDeepStrictEqual(base[key], head[key])) {
      changes.push(describe(key, base[key], head[key]));
    }
  }
  return changes;
}

const images = (document: unknown): Record<string, unknown> => {
  const config = isRecord(document) ? document["config"] : undefined;
  const value = isRecord(config) ? config[imagesKey] : undefined;
  return isRecord(value) ? value : {};
};

/**
 * Decides whether a change is a promotion of the environment: its stack file changes, and only
 * in image versions (every other key, and everything outside `config:`, is identical), no
 * other file changes, and no app is removed unless `allowRemoval`. Adding an app is a
 * promotion (an environment downstream gets its apps that way); the gate checks its digest.
 */
export function promotionScope(input: ScopeInput): PromotionScope {
  const touchesStackFile = input.changedFiles.includes(input.stackFile);
  if (!touchesStackFile) {
    return {
      touchesStackFile,
      isPromotion: false,
      reasons: [`${input.stackFile} does not change`],
      removedApps: [],
      addedApps: [],
    };
  }
  const reasons: string[] = [];
  const others = input.changedFiles.filter((file) => file !== input.stackFile).sort();
  if (others.length > 0) {
    const shown = others.slice(0, 10).join(", ");
    reasons.push(
      `other files change: ${shown}${others.length > 10 ? ` and ${others.length - 10} more` : ""}`,
    );
  }
  if (input.base === undefined) {
    reasons.push(`${input.stackFile} is new: a new environment is not a promotion`);
  } else {
    for (const change of changedKeys(withoutImages(input.base), withoutImages(input.head))) {
      reasons.push(`${input.stackFile}: ${change}`);
    }
  }
  const after = images(input.head);
  const removedApps = Object.keys(images(input.base)).filter((app) => !(app in after));
  if (removedApps.length > 0 && !input.allowRemoval) {
    reasons.push(
      `removes ${removedApps.join(", ")} (a promotion may remove an app only with --allow-removal)`,
    );
  }
  const before = images(input.base);
  const addedApps = Object.keys(after).filter((app) => !(app in before));
  return { touchesStackFile, isPromotion: reasons.length === 0, reasons, removedApps, addedApps };
}

/** The lines a check prints for a change that is not a promotion. */
export function notAPromotion(environment: string, scope: PromotionScope): string {
  return [
    `${environment}: not a promotion:`,
    ...scope.reasons.map((reason) => `  - ${reason}`),
    `A promotion pull request changes image versions in the stack file and nothing else. Anything else takes the ordinary review path: its own pull request, reviewed by the code owners.`,
  ]
    .map((line) => `${line}\n`)
    .join("");
}
