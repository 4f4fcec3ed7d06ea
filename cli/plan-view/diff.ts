// What differs between two Pulumi plans of one environment, as a reviewer reads it.
import type { ProgramRun, Registration } from "../../engine/mock-engine";
import { show } from "./tree";
import { compareText } from "../../lib/values";

/** One changed input of a resource. */
export interface InputChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** What differs between two plans of one environment. */
export interface PlanDiff {
  readonly added: readonly Registration[];
  readonly removed: readonly Registration[];
  readonly changed: readonly { readonly resource: Registration; readonly changes: readonly InputChange[] }[];
}

/** Every leaf of a value, by dotted path. */
function leaves(value: unknown, prefix = ""): Map<string, unknown> {
  const result = new Map<string, unknown>();
  const walk = (node: unknown, path: string): void => {
    if (
      typeof node === "object" &&
      node !== null &&
      (Array.isArray(node) ? node.length > 0 : Object.keys(node).length > 0)
    ) {
      for (const [key, item] of Object.entries(node)) walk(item, path === "" ? key : `${path}.${key}`);
    } else {
      result.set(path, node);
    }
  };
  walk(value, prefix);
  return result;
}

/**
 * What a diff compares of a resource: its inputs, and the options that decide what Pulumi may do
 * to it (a pull request that drops `protect` from the database changes more than images).
 */
function reviewed(registration: Registration): Record<string, unknown> {
  return {
    ...registration.inputs,
    "(protect)": registration.protect,
    "(retainOnDelete)": registration.retainOnDelete,
    "(provider)": registration.provider?.split("::").slice(0, -1).join("::"),
  };
}

/** Compares two plans resource by resource (by URN), input by input and option by option. */
export function diffPlans(before: ProgramRun, after: ProgramRun): PlanDiff {
  const old = new Map(before.registrations.filter((r) => r.custom).map((r) => [r.urn, r]));
  const now = new Map(after.registrations.filter((r) => r.custom).map((r) => [r.urn, r]));
  const byUrn = (a: Registration, b: Registration) => compareText(a.urn, b.urn);
  const changed = [...now.values()]
    .filter((r) => old.has(r.urn))
    .sort(byUrn)
    .map((resource) => {
      const a = leaves(reviewed(old.get(resource.urn)!));
      const b = leaves(reviewed(resource));
      const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
      const changes = paths
        .filter((path) => JSON.stringify(a.get(path)) !== JSON.stringify(b.get(path)))
        .map((path) => ({ path, before: a.get(path), after: b.get(path) }));
      return { resource, changes };
    })
    .filter((entry) => entry.changes.length > 0);
  return {
    added: [...now.values()].filter((r) => !old.has(r.urn)).sort(byUrn),
    removed: [...old.values()].filter((r) => !now.has(r.urn)).sort(byUrn),
    changed,
  };
}

/** Whether a diff has nothing in it. */
export const isEmptyDiff = (diff: PlanDiff): boolean =>
  diff.added.length + diff.removed.length + diff.changed.length === 0;

/**
 * What Pulumi's engine answers when a plan would delete a protected resource: it refuses, and the
 * preview or update fails. The wording of pulumi/pulumi's engine (its lifecycle tests expect it
 * verbatim: `pkg/engine/lifecycletest/pulumi_test.go`, the protect test).
 */
export function protectedDeleteRefusal(urn: string): string {
  return (
    `resource "${urn}" cannot be deleted\n` +
    "because it is protected. To unprotect the resource, either remove the `protect` flag " +
    "from the resource in your Pulumi program and run `pulumi up`, or use the command:\n" +
    `\`pulumi state unprotect '${urn}'\``
  );
}

/** The removed resources the engine refuses to delete: protected ones. */
export const refusedDeletes = (diff: PlanDiff): readonly Registration[] =>
  diff.removed.filter((resource) => resource.protect);

/**
 * A diff as a reviewer reads it: `+` added, `-` removed, `~` changed with `old → new` per input.
 * A removed resource says what really happens to it: a protected one stops the update with the
 * engine's refusal; one retained on delete stays in its service, only Pulumi forgets it.
 */
export function formatDiff(diff: PlanDiff): string {
  const lines: string[] = [];
  for (const resource of diff.added) lines.push(`+ ${resource.type} ${resource.name}`);
  for (const resource of diff.removed) {
    lines.push(`- ${resource.type} ${resource.name}`);
    if (resource.protect) {
      const [first, ...rest] = protectedDeleteRefusal(resource.urn).split("\n");
      lines.push(`    refused, the update stops: ${first}`, ...rest.map((line) => `      ${line}`));
    }
    if (resource.retainOnDelete) {
      lines.push(
        "    retainOnDelete: once deleted from the stack it stays in its service; Pulumi only forgets it",
      );
    }
  }
  for (const { resource, changes } of diff.changed) {
    lines.push(`~ ${resource.type} ${resource.name}`);
    for (const change of changes)
      lines.push(
        `    ${change.path}: ${show(change.before ?? "(none)")} → ${show(change.after ?? "(none)")}`,
      );
  }
  if (lines.length === 0) lines.push("no changes");
  return `${lines.join("\n")}\n`;
}

/**
 * What a plan whose only differences beyond image references come from the new image versions
 * says of itself: "only image references change" only when no resource is created or deleted;
 * else how many are, and for which apps added or removed (the lines above list each).
 */
export function imageChangeSummary(
  change: PlanDiff,
  apps: { readonly added: readonly string[]; readonly removed: readonly string[] },
): string {
  const count = (n: number) => `${n} resource${n === 1 ? "" : "s"}`;
  const parts: string[] = [];
  if (change.added.length > 0) {
    const which = apps.added.length > 0 ? ` (adds ${apps.added.join(", ")})` : "";
    parts.push(`creates ${count(change.added.length)}${which}`);
  }
  if (change.removed.length > 0) {
    const which = apps.removed.length > 0 ? ` (removes ${apps.removed.join(", ")})` : "";
    parts.push(`deletes ${count(change.removed.length)}${which}`);
  }
  if (parts.length === 0) return "only image references change";
  return `not only image references change: the change also ${parts.join(" and ")}, listed above (+ created, - deleted)`;
}
