// What `pulumi up` does to Azure between two runs of a program, and which of its deletes Azure
// refuses because a management lock covers them. A single program run under the mock engine
// only creates; replacements and deletes appear when two runs (the deployed program and the
// changed one) are compared, as `platform diff` does.
import { createOnlyInputs } from "../infra/fake-kit";
import type { ProgramRun, Registration } from "./mock-engine";
import { mockSubscriptionId, providerError } from "./mock-engine";

export { createOnlyInputs };

/** One thing `pulumi up` does to a resource between two runs. */
export interface Operation {
  readonly kind: "create" | "update" | "replace" | "delete";
  /** The resource as the run that creates or keeps it registers it; the old one for a delete. */
  readonly resource: Registration;
  /** The old registration, for an update, replacement or delete. */
  readonly before?: Registration;
  /** For a replacement: the create-only inputs that changed. */
  readonly createOnlyChanges?: readonly string[];
}

/** The value at a dotted path of the inputs. */
export function valueAt(inputs: Record<string, unknown>, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (value, key) =>
        typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined,
      inputs,
    );
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * What pulumi-kubernetes replaces an object for: a new name or namespace is another object
 * (its provider's Diff, pulumi/pulumi-kubernetes#103: "We will kill and recreate a resource only
 * if the name or namespace has changed"; Kubernetes renames nothing).
 */
const kubernetesCreateOnly = ["metadata.name", "metadata.namespace"];

/** The create-only inputs of `before` that `after` changes. */
export function createOnlyChanges(before: Registration, after: Registration): string[] {
  const paths = after.type.startsWith("kubernetes:")
    ? kubernetesCreateOnly
    : (createOnlyInputs[after.type] ?? []);
  return paths.filter((path) => !same(valueAt(before.inputs, path), valueAt(after.inputs, path)));
}

/**
 * What `pulumi up` does to go from the resources of run `before` (deployed) to those of `after`,
 * resource by resource (by URN; custom resources only). Unchanged resources are left out.
 */
export function plannedOperations(before: ProgramRun, after: ProgramRun): Operation[] {
  const old = new Map(before.registrations.filter((r) => r.custom).map((r) => [r.urn, r]));
  const now = new Map(after.registrations.filter((r) => r.custom).map((r) => [r.urn, r]));
  const operations: Operation[] = [];
  for (const [urn, resource] of now) {
    const previous = old.get(urn);
    if (previous === undefined) {
      operations.push({ kind: "create", resource });
      continue;
    }
    const replaced = createOnlyChanges(previous, resource);
    if (replaced.length > 0) {
      operations.push({ kind: "replace", resource, before: previous, createOnlyChanges: replaced });
    } else if (!same(previous.inputs, resource.inputs)) {
      operations.push({ kind: "update", resource, before: previous });
    }
  }
  for (const [urn, resource] of old) {
    if (!now.has(urn)) operations.push({ kind: "delete", resource, before: resource });
  }
  return operations;
}

/** The resource group of a resource whose inputs name one, as an Azure scope. */
const groupScope = (inputs: Record<string, unknown>): string | undefined =>
  typeof inputs["resourceGroupName"] === "string"
    ? `/subscriptions/${mockSubscriptionId}/resourceGroups/${inputs["resourceGroupName"]}`
    : undefined;

/**
 * The Azure scopes a delete of `resource` writes to, each with the resource provider Azure calls
 * for it when that is another one (its message says so). A role assignment lives under its
 * scope; a private endpoint also deletes its connection on each resource it links to (a
 * `privateEndpointConnectionProxies` child of that resource: hashicorp/terraform-provider-azurerm#17478).
 * Other resources: somewhere in their resource group (the message names the group).
 */
export function deletedScopes(resource: Registration): { scope: string; via?: string }[] {
  const { inputs } = resource;
  if (resource.type === "azure-native:authorization:RoleAssignment") {
    const name =
      typeof inputs["roleAssignmentName"] === "string" ? inputs["roleAssignmentName"] : resource.name;
    return [
      { scope: `${String(inputs["scope"])}/providers/Microsoft.Authorization/roleAssignments/${name}` },
    ];
  }
  const own = groupScope(inputs);
  const scopes = own === undefined ? [] : [{ scope: own }];
  if (resource.type === "azure-native:network:PrivateEndpoint") {
    const connections = (inputs["privateLinkServiceConnections"] ?? []) as {
      privateLinkServiceId?: unknown;
    }[];
    for (const { privateLinkServiceId } of connections) {
      const target = String(privateLinkServiceId);
      const provider = /\/providers\/([^/]+\/[^/]+)\//i.exec(target)?.[1];
      scopes.push({
        scope: `${target}/privateEndpointConnectionProxies/${resource.name}`,
        ...(provider === undefined ? {} : { via: provider }),
      });
    }
  }
  return scopes;
}

/** True when `scope` is `lock` or below it (a child scope), as ARM compares ids: case-insensitively. */
const isAtOrUnder = (scope: string, lock: string): boolean => {
  const [s, l] = [scope.toLowerCase(), lock.toLowerCase().replace(/\/+$/, "")];
  return s === l || s.startsWith(`${l}/`);
};

/**
 * Azure's refusals of the deletes among `operations` (a replacement deletes the old resource)
 * whose scope is at or under a locked scope: `ScopeLocked`, with ARM's message
 * (MicrosoftDocs/azure-docs#110791 for a role assignment under a locked resource,
 * hashicorp/terraform-provider-azurerm#17478 for a private endpoint's connection, #7668).
 *
 * @param locks scopes that carry a `CanNotDelete` or `ReadOnly` management lock
 */
export function lockedDeletes(operations: readonly Operation[], locks: readonly string[]): string[] {
  const refusals: string[] = [];
  for (const operation of operations) {
    if (operation.kind !== "delete" && operation.kind !== "replace") continue;
    const deleted = operation.before ?? operation.resource;
    for (const { scope, via } of deletedScopes(deleted)) {
      const locked = locks.filter((lock) => isAtOrUnder(scope, lock));
      if (locked.length === 0) continue;
      const message = `The scope '${scope}' cannot perform delete operation because following scope(s) are locked: ${locked.map((lock) => `'${lock}'`).join(", ")}. Please remove the lock and try again.`;
      const action = operation.kind === "replace" ? "replacing" : "deleting";
      refusals.push(
        `${deleted.type.split(":").pop()} ${deleted.name} (${action}): ScopeLocked: ${via === undefined ? message : `Call to ${via} failed. Error message: ${message}`}`,
      );
    }
  }
  return refusals;
}

/**
 * Refuses, as Azure would during `pulumi up`, the deletes that going from `before` to `after`
 * needs under a locked scope.
 *
 * @throws Error (as a provider's failure) listing each refused delete.
 */
export function applyChanges(before: ProgramRun, after: ProgramRun, locks: readonly string[]): Operation[] {
  const operations = plannedOperations(before, after);
  const refusals = lockedDeletes(operations, locks);
  if (refusals.length > 0) throw providerError(refusals.join("\n"));
  return operations;
}
