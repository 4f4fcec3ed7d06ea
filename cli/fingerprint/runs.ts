// The mock engine's plan as a `pulumi preview --json` would print it, so that one reader
// (operationsOf) turns both into the operations a fingerprint hashes.
import { plannedOperations, type Operation } from "../../engine/azure-operations";
import type { ProgramRun } from "../../engine/mock-engine";
import { isRecord } from "../../lib/values";
import type { PreviewDigest, PreviewStep } from "./operations";

/** A run with nothing in it: what is deployed before the first deploy. */
const nothingDeployed: ProgramRun = { registrations: [], invocations: [], reads: [], outputs: {} };

/** A key as Pulumi writes it in a property path: bare when it is a word, else `["key"]`. */
function pathKey(key: string, first: boolean): string {
  if (/^[A-Za-z0-9_]+$/.test(key)) return first ? key : `.${key}`;
  return `["${key.replace(/"/g, '\\"')}"]`;
}

/**
 * The property paths where `after` differs from `before`, as Pulumi's detailed diff names them
 * (pulumi/pulumi `sdk/go/common/resource/properties_path.go`, `PropertyPath.String`): into objects
 * and lists both sides have, and at the top of a part only one side has.
 */
export function changedPropertyPaths(before: unknown, after: unknown, prefix = ""): string[] {
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, index) =>
      index < before.length && index < after.length
        ? changedPropertyPaths(before[index], after[index], `${prefix}[${index}]`)
        : [`${prefix}[${index}]`],
    ).flat();
  }
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => {
      const path = `${prefix}${pathKey(key, prefix === "")}`;
      if (!(key in before) || !(key in after)) return before[key] === after[key] ? [] : [path];
      return changedPropertyPaths(before[key], after[key], path);
    });
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix];
}

/** The step of one operation, as `pulumi preview --json` writes it. */
function stepOf(operation: Operation): PreviewStep {
  const { kind, resource, before } = operation;
  const state = { custom: true, type: resource.type, urn: resource.urn };
  if (kind === "create") return { op: "create", urn: resource.urn, newState: state, detailedDiff: null };
  if (kind === "delete") return { op: "delete", urn: resource.urn, oldState: state, detailedDiff: null };
  const replaced = new Set(operation.createOnlyChanges ?? []);
  const paths = changedPropertyPaths(before?.inputs ?? {}, resource.inputs);
  return {
    op: kind,
    urn: resource.urn,
    oldState: state,
    newState: state,
    diffReasons: [...new Set(paths.map((path) => path.split(/[.[]/)[0]!))],
    detailedDiff: Object.fromEntries(
      paths.map((path) => [
        path,
        { kind: replaced.has(path) ? "update-replace" : "update", inputDiff: true },
      ]),
    ),
  };
}

/**
 * What `pulumi preview --json` would print for going from the `deployed` run to the `planned` one
 * (both under the mock engine; nothing deployed when `deployed` is undefined): a step per
 * resource `pulumi up` creates, updates, replaces or deletes (engine/azure-operations.ts).
 */
export function previewOfRuns(deployed: ProgramRun | undefined, planned: ProgramRun): PreviewDigest {
  return { steps: plannedOperations(deployed ?? nothingDeployed, planned).map(stepOf) };
}
