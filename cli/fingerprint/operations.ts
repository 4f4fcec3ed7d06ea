// The operations a deploy applies, read from a preview, and their fingerprint: what a pull
// request's preview publishes and what the deploy compares before `pulumi up` (docs/decisions/0042).
import { createHash } from "node:crypto";
import { compareText, isRecord, quote } from "../../lib/values";
import { InputError } from "../errors";

/**
 * A preview as `pulumi preview --json` prints it: Pulumi's `PreviewDigest`
 * (pulumi/pulumi `pkg/display/json.go`, rendered by `pkg/backend/display/json.go`
 * `ShowPreviewDigest`). Only the fields the fingerprint reads; `steps` is left out when empty.
 */
export interface PreviewDigest {
  readonly steps?: readonly PreviewStep[];
  readonly diagnostics?: readonly {
    readonly urn?: string;
    readonly message?: string;
    readonly severity?: string;
  }[];
}

/** One step of a preview (`PreviewStep` in pulumi/pulumi `pkg/display/json.go`). */
export interface PreviewStep {
  /** `same`, `create`, `update`, `delete`, `replace`, `create-replacement`, ... (`deploy.StepOps`). */
  readonly op: string;
  readonly urn: string;
  readonly oldState?: { readonly custom?: boolean };
  readonly newState?: { readonly custom?: boolean };
  /** The top-level keys that differ (`DiffReasons`). */
  readonly diffReasons?: readonly string[] | null;
  /** The top-level keys that force a replacement (`ReplaceReasons`). */
  readonly replaceReasons?: readonly string[] | null;
  /** Property path (`sku.name`, `containers[0].image`) → kind of change; null when the provider gave none. */
  readonly detailedDiff?: Readonly<
    Record<string, { readonly kind: string; readonly inputDiff?: boolean }>
  > | null;
}

/** What a deploy does to one resource, in words that do not depend on values or order. */
export type OperationKind = "create" | "update" | "replace" | "delete" | "import";

/** One operation of a fingerprint. */
export interface PlannedOperation {
  readonly op: OperationKind;
  readonly urn: string;
  /**
   * The property paths it changes, in Pulumi's property path syntax, sorted; empty for a create,
   * delete or import (they touch every property).
   */
  readonly paths: readonly string[];
}

/**
 * Every step op Pulumi knows (pulumi/pulumi `pkg/resource/deploy/step.go`, `StepOps`), and the
 * operation it counts as: null for the steps that change nothing in the cloud (`same`, reads,
 * refreshes, state-only removals). The replacement steps a `--show-replacement-steps` preview
 * lists count as the logical `replace`.
 */
const operationOfStep: Readonly<Record<string, OperationKind | null>> = {
  same: null,
  create: "create",
  update: "update",
  delete: "delete",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
  read: null,
  "read-replacement": null,
  refresh: null,
  discard: null,
  "discard-replaced": null,
  "remove-pending-replace": null,
  import: "import",
  "import-replacement": "replace",
  diff: null,
  "extend-parameterize": null,
};

const fingerprintPattern = /^sha256:[0-9a-f]{64}$/;

/**
 * The operations a preview plans, normalised: one per resource and operation (paths merged),
 * sorted by URN then operation, components and no-op steps left out. The one reader of both a
 * real `pulumi preview --json` and the mock engine's plan (`previewOfRuns`).
 *
 * @param stack the stack the preview must be of: every URN is `urn:pulumi:<stack>::…`
 * @param source names the preview in messages (a file name)
 * @throws InputError for a preview that is not a PreviewDigest, that failed (an error
 *   diagnostic), or that is of another stack
 */
export function operationsOf(preview: unknown, stack: string, source: string): PlannedOperation[] {
  if (!isRecord(preview)) {
    throw new InputError(
      `${source}: ${quote(preview)} is not a preview (pulumi preview --json prints an object)`,
    );
  }
  const diagnostics = Array.isArray(preview["diagnostics"]) ? (preview["diagnostics"] as unknown[]) : [];
  const errors = diagnostics.filter((d) => isRecord(d) && d["severity"] === "error") as {
    message?: unknown;
  }[];
  if (errors.length > 0) {
    throw new InputError(
      `${source}: the preview failed, so it plans nothing that can be compared:\n${errors
        .map((error) => `  ${typeof error.message === "string" ? error.message.trim() : ""}`)
        .join("\n")}`,
    );
  }
  const steps = preview["steps"] ?? [];
  if (!Array.isArray(steps)) throw new InputError(`${source}: steps is ${quote(steps)}, not a list of steps`);
  const byKey = new Map<string, { op: OperationKind; urn: string; paths: Set<string> }>();
  steps.forEach((step: unknown, index) => {
    const where = `${source}: steps[${index}]`;
    if (!isRecord(step)) throw new InputError(`${where} is ${quote(step)}, not a step`);
    const { op, urn } = step;
    if (typeof op !== "string" || !(op in operationOfStep)) {
      throw new InputError(
        `${where}.op is ${quote(op)}; expected one of Pulumi's step ops: ${Object.keys(operationOfStep).join(", ")}`,
      );
    }
    if (typeof urn !== "string" || !urn.startsWith("urn:pulumi:")) {
      throw new InputError(`${where}.urn is ${quote(urn)}, not a Pulumi URN (urn:pulumi:<stack>::…)`);
    }
    const operation = operationOfStep[op];
    // Components (and the stack itself) only group resources: their children carry the operations.
    const custom = [step["newState"], step["oldState"]].find(isRecord)?.["custom"];
    if (operation === null || operation === undefined || custom === false) return;
    if (!urn.startsWith(`urn:pulumi:${stack}::`)) {
      throw new InputError(`${where}.urn is ${quote(urn)}, a resource of another stack than ${stack}`);
    }
    const paths =
      operation === "update" || operation === "replace" ? changedPaths(step, where) : ([] as string[]);
    const key = `${urn}\u0000${operation}`;
    const entry = byKey.get(key) ?? { op: operation, urn, paths: new Set<string>() };
    paths.forEach((path) => entry.paths.add(path));
    byKey.set(key, entry);
  });
  return [...byKey.values()]
    .map(({ op, urn, paths }) => ({ op, urn, paths: [...paths].sort(compareText) }))
    .sort((a, b) => compareText(a.urn, b.urn) || compareText(a.op, b.op));
}

/** The paths a step changes: its detailed diff's, else the keys it names as reasons. */
function changedPaths(step: Record<string, unknown>, where: string): string[] {
  const detailed = step["detailedDiff"];
  if (isRecord(detailed)) return Object.keys(detailed);
  if (detailed !== undefined && detailed !== null) {
    throw new InputError(`${where}.detailedDiff is ${quote(detailed)}, not a map of property paths`);
  }
  const reasons = [step["diffReasons"], step["replaceReasons"]].flatMap((list) =>
    Array.isArray(list) ? (list as unknown[]) : [],
  );
  return reasons.filter((reason): reason is string => typeof reason === "string");
}

/** The canonical JSON of operations: fixed key order, no spaces. */
const canonical = (operations: readonly PlannedOperation[]): string =>
  JSON.stringify(operations.map(({ op, urn, paths }) => ({ op, urn, paths: [...paths] })));

/** The fingerprint of normalised operations: `sha256:` and the hex hash of their canonical JSON. */
export function fingerprintOf(operations: readonly PlannedOperation[]): string {
  return `sha256:${createHash("sha256").update(canonical(operations)).digest("hex")}`;
}

/** An operation as a deploy refusal and a drift report write it: `update <urn> (sku.name)`. */
export function describeOperation({ op, urn, paths }: PlannedOperation): string {
  return paths.length === 0 ? `${op} ${urn}` : `${op} ${urn} (${paths.join(", ")})`;
}

/** Operations as lines, indented; "(none)" for an empty list. */
export function formatOperations(operations: readonly PlannedOperation[], indent = "  "): string {
  if (operations.length === 0) return `${indent}(none)\n`;
  return operations.map((operation) => `${indent}${describeOperation(operation)}\n`).join("");
}

/** What a fingerprint file holds: the artifact a preview publishes, what a deploy compares with. */
export interface FingerprintDocument {
  readonly version: 1;
  readonly environment: string;
  readonly fingerprint: string;
  readonly operations: readonly PlannedOperation[];
}

/** The document of an environment's operations. */
export const fingerprintDocument = (
  environment: string,
  operations: readonly PlannedOperation[],
): FingerprintDocument => ({ version: 1, environment, fingerprint: fingerprintOf(operations), operations });

/** True when a parsed JSON value looks like a fingerprint document rather than a preview. */
export const isFingerprintDocument = (value: unknown): boolean =>
  isRecord(value) && "fingerprint" in value && "operations" in value;

/**
 * Reads a fingerprint document: of `environment`, its operations well formed and normalised, and
 * its fingerprint the hash of them.
 * @throws InputError naming what is malformed
 */
export function readFingerprintDocument(
  value: unknown,
  environment: string,
  source: string,
): FingerprintDocument {
  const malformed = (what: string) => new InputError(`${source}: malformed fingerprint: ${what}`);
  if (!isRecord(value)) throw malformed(`${quote(value)} is not an object`);
  if (value["version"] !== 1) throw malformed(`version is ${quote(value["version"])}, expected 1`);
  if (value["environment"] !== environment) {
    throw malformed(`environment is ${quote(value["environment"])}, expected '${environment}'`);
  }
  const fingerprint = value["fingerprint"];
  if (typeof fingerprint !== "string" || !fingerprintPattern.test(fingerprint)) {
    throw malformed(`fingerprint is ${quote(fingerprint)}, not sha256:<64 lowercase hex>`);
  }
  const list = value["operations"];
  if (!Array.isArray(list)) throw malformed(`operations is ${quote(list)}, not a list`);
  const operations = list.map((item: unknown, index): PlannedOperation => {
    const kinds: readonly string[] = ["create", "update", "replace", "delete", "import"];
    if (
      !isRecord(item) ||
      typeof item["op"] !== "string" ||
      !kinds.includes(item["op"]) ||
      typeof item["urn"] !== "string" ||
      !Array.isArray(item["paths"]) ||
      !(item["paths"] as unknown[]).every((path) => typeof path === "string")
    ) {
      throw malformed(
        `operations[${index}] is ${quote(item)}, not { op: ${kinds.join(" | ")}, urn, paths: [strings] }`,
      );
    }
    return { op: item["op"] as OperationKind, urn: item["urn"], paths: item["paths"] as string[] };
  });
  const actual = fingerprintOf(operations);
  if (actual !== fingerprint) {
    throw malformed(`its fingerprint ${fingerprint} is not the hash of its operations (${actual})`);
  }
  return { version: 1, environment, fingerprint, operations };
}

/** What differs between the operations a pull request previewed and those a deploy plans. */
export interface OperationChanges {
  /** Planned now, not previewed. */
  readonly added: readonly PlannedOperation[];
  /** Previewed, not planned any more. */
  readonly missing: readonly PlannedOperation[];
}

/** Compares two lists of normalised operations, each operation with its paths as one whole. */
export function compareOperations(
  previewed: readonly PlannedOperation[],
  planned: readonly PlannedOperation[],
): OperationChanges {
  const key = (operation: PlannedOperation) => describeOperation(operation);
  const before = new Set(previewed.map(key));
  const now = new Set(planned.map(key));
  return {
    added: planned.filter((operation) => !before.has(key(operation))),
    missing: previewed.filter((operation) => !now.has(key(operation))),
  };
}

/** A fingerprint as `platform plan --fingerprint` and `platform fingerprint show` print it. */
export function formatFingerprint(document: FingerprintDocument): string {
  const count = document.operations.length;
  return `${document.environment}: ${count} operation${count === 1 ? "" : "s"}\n${formatOperations(
    document.operations,
  )}fingerprint: ${document.fingerprint}\n`;
}
