import type { ProgramRun, Registration } from "../engine/mock-engine";
import { roles } from "../infra/role-ids";

/** One input of a resource as a reviewer sees it: a dotted path and its value. */
export type ReviewInput = readonly [path: string, value: unknown];

/** A resource of a plan, with the inputs a reviewer of infrastructure changes looks at. */
export interface PlannedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  readonly inputs: readonly ReviewInput[];
  readonly children: readonly PlannedResource[];
}

const roleNames = new Map<string, string>(Object.entries(roles).map(([name, id]) => [id, name]));

/** Per type, the inputs that decide cost, size, security and what runs; the rest is noise in a review. */
const reviewPaths: Readonly<Record<string, readonly string[]>> = {
  "azure-native:resources:ResourceGroup": ["resourceGroupName", "location"],
  "azure-native:network:VirtualNetwork": ["addressSpace.addressPrefixes"],
  "azure-native:network:Subnet": ["addressPrefix", "delegations.0.serviceName"],
  "azure-native:containerservice:ManagedCluster": [
    "resourceName",
    "sku.tier",
    "agentPoolProfiles.0.vmSize",
    "agentPoolProfiles.0.count",
    "agentPoolProfiles.0.availabilityZones",
    "networkProfile.networkPluginMode",
    "networkProfile.networkPolicy",
    "aadProfile.enableAzureRBAC",
    "disableLocalAccounts",
    "apiServerAccessProfile.authorizedIPRanges",
    "autoUpgradeProfile.upgradeChannel",
    "oidcIssuerProfile.enabled",
    "securityProfile.workloadIdentity.enabled",
  ],
  "azure-native:containerservice:AgentPool": ["vmSize", "minCount", "maxCount", "availabilityZones"],
  "azure-native:containerregistry:Registry": ["registryName", "sku.name", "adminUserEnabled"],
  "azure-native:authorization:RoleAssignment": ["role", "scope"],
  "azure-native:dbformysql:Server": [
    "sku.name",
    "sku.tier",
    "storage.storageSizeGB",
    "highAvailability.mode",
    "backup.backupRetentionDays",
    "backup.geoRedundantBackup",
    "network.publicNetworkAccess",
    "administratorLoginPassword",
  ],
  "azure-native:dbformysql:Configuration": ["configurationName", "value"],
  "azure-native:dbformysql:Database": ["databaseName"],
  "azure-native:redisenterprise:RedisEnterprise": [
    "sku.name",
    "highAvailability",
    "minimumTlsVersion",
    "publicNetworkAccess",
  ],
  "azure-native:redisenterprise:Database": ["clientProtocol", "port"],
  "azure-native:operationalinsights:Workspace": ["retentionInDays"],
  "docker-build:index:Image": ["tags", "context.location"],
  "pulumi:providers:kubernetes": ["clusterIdentifier", "kubeconfig"],
  "kubernetes:apps/v1:Deployment": ["spec.replicas", "images"],
  "kubernetes:batch/v1:Job": ["images"],
  "kubernetes:batch/v1:CronJob": ["spec.schedule", "images"],
  "kubernetes:core/v1:Secret": ["stringData"],
  "kubernetes:networking.k8s.io/v1:Ingress": ["spec.rules.0.host"],
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": ["spec.minReplicas", "spec.maxReplicas"],
  "kubernetes:helm.sh/v3:Release": ["chart", "version"],
  "kubernetes:cert-manager.io/v1:ClusterIssuer": ["spec.acme.server"],
};

/** The value at a dotted path (`a.0.b`), or undefined. */
function at(value: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (node, key) =>
        typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined,
      value,
    );
}

/** Every container image in an object, wherever pods are described. */
export function imagesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(imagesOf);
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    (key === "containers" || key === "initContainers") && Array.isArray(item)
      ? item.map((container) => String((container as { image?: unknown }).image))
      : imagesOf(item),
  );
}

/** The inputs of a registration that a reviewer looks at, in a fixed order; secrets already masked. */
export function reviewInputs(registration: Pick<Registration, "type" | "inputs">): ReviewInput[] {
  const paths = reviewPaths[registration.type] ?? [];
  return paths.flatMap((path): ReviewInput[] => {
    if (path === "images") return imagesOf(registration.inputs).map((image) => ["image", image] as const);
    if (path === "role") {
      const definition = registration.inputs["roleDefinitionId"];
      const id = typeof definition === "string" ? (definition.split("/").pop() ?? "") : "";
      return [["role", roleNames.get(id) ?? id]];
    }
    const value = at(registration.inputs, path);
    return value === undefined ? [] : [[path, value]];
  });
}

/** The registrations of a run as a tree: components with their children, in registration order by name. */
export function planTree(run: ProgramRun): PlannedResource[] {
  const byParent = new Map<string | undefined, Registration[]>();
  for (const registration of run.registrations) {
    const siblings = byParent.get(registration.parent) ?? [];
    siblings.push(registration);
    byParent.set(registration.parent, siblings);
  }
  const build = (registration: Registration): PlannedResource => ({
    urn: registration.urn,
    type: registration.type,
    name: registration.name,
    ...(registration.parent ? { parent: registration.parent } : {}),
    inputs: reviewInputs(registration),
    children: childrenOf(registration.urn),
  });
  const childrenOf = (parent: string | undefined): PlannedResource[] =>
    [...(byParent.get(parent) ?? [])]
      .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name))
      .map(build);
  return childrenOf(undefined);
}

const show = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

/** The plan as an indented tree, one resource a line and its review inputs beneath it. */
export function formatPlan(stack: string, run: ProgramRun): string {
  const lines: string[] = [];
  const walk = (resources: readonly PlannedResource[], depth: number): void => {
    for (const resource of resources) {
      const indent = "  ".repeat(depth);
      lines.push(`${indent}+ ${resource.type} ${resource.name}`);
      for (const [path, value] of resource.inputs) lines.push(`${indent}    ${path}: ${show(value)}`);
      walk(resource.children, depth + 1);
    }
  };
  walk(planTree(run), 0);
  const custom = run.registrations.filter((r) => r.custom).length;
  const counts = countByType(run);
  lines.push("", `${stack}: ${custom} resources in ${run.registrations.length - custom} components`);
  for (const [type, count] of counts) lines.push(`  ${String(count).padStart(3)} ${type}`);
  const notDeployed = run.outputs["notDeployed"];
  if (Array.isArray(notDeployed) && notDeployed.length > 0) {
    lines.push("", `not deployed in ${stack} (no platform:images entry): ${notDeployed.join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}

/** How many resources of each type a run registers, most first. */
export function countByType(run: ProgramRun): [string, number][] {
  const counts = new Map<string, number>();
  for (const registration of run.registrations.filter((r) => r.custom)) {
    counts.set(registration.type, (counts.get(registration.type) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The plan as JSON: the same tree, for machines. */
export function planJson(stack: string, run: ProgramRun): string {
  const toJson = (resource: PlannedResource): unknown => ({
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    inputs: Object.fromEntries(
      resource.inputs.map(([path, value], index) => [path === "image" ? `image.${index}` : path, value]),
    ),
    children: resource.children.map(toJson),
  });
  return `${JSON.stringify({ stack, resources: planTree(run).map(toJson), counts: Object.fromEntries(countByType(run)), outputs: run.outputs }, null, 2)}\n`;
}

/** Typical minutes Azure takes to create a resource of a type, for the critical path. */
export const typicalMinutes: Readonly<Record<string, number>> = {
  "azure-native:containerservice:ManagedCluster": 10,
  "azure-native:containerservice:AgentPool": 5,
  "azure-native:dbformysql:Server": 15,
  "azure-native:redisenterprise:RedisEnterprise": 20,
  "azure-native:redisenterprise:Database": 2,
  "azure-native:network:PrivateEndpoint": 2,
  "docker-build:index:Image": 3,
  "kubernetes:apps/v1:Deployment": 2,
  "kubernetes:batch/v1:Job": 1,
  "kubernetes:helm.sh/v3:Release": 2,
};
const defaultMinutes = 0.5;

/**
 * The resources (custom ones: what the engine creates) and which of them each waits on: its
 * dependencies, and its provider (the Kubernetes objects wait for the cluster through it).
 */
export function dependencyGraph(run: ProgramRun): Map<string, string[]> {
  const custom = new Set(run.registrations.filter((r) => r.custom).map((r) => r.urn));
  const providerUrn = (reference: string | undefined) => reference?.split("::").slice(0, -1).join("::");
  return new Map(
    run.registrations
      .filter((r) => r.custom)
      .map((r) => [
        r.urn,
        [...new Set([...r.dependencies, providerUrn(r.provider) ?? ""])].filter((urn) => custom.has(urn)),
      ]),
  );
}

/** Whether `to` waits, directly or not, on `from`. */
export function waitsOn(graph: ReadonlyMap<string, readonly string[]>, to: string, from: string): boolean {
  const seen = new Set<string>();
  const stack = [to];
  while (stack.length > 0) {
    const urn = stack.pop()!;
    for (const dependency of graph.get(urn) ?? []) {
      if (dependency === from) return true;
      if (!seen.has(dependency)) {
        seen.add(dependency);
        stack.push(dependency);
      }
    }
  }
  return false;
}

/** The longest chain of waits in a from-scratch `pulumi up`, with typical creation times. */
export function criticalPath(run: ProgramRun): {
  readonly path: readonly string[];
  readonly minutes: number;
} {
  const graph = dependencyGraph(run);
  const typeOf = new Map(run.registrations.map((r) => [r.urn, r.type]));
  const finish = new Map<string, { minutes: number; path: string[] }>();
  const visit = (urn: string): { minutes: number; path: string[] } => {
    const known = finish.get(urn);
    if (known) return known;
    const own = typicalMinutes[typeOf.get(urn) ?? ""] ?? defaultMinutes;
    const longest = (graph.get(urn) ?? [])
      .map(visit)
      .reduce((best, next) => (next.minutes > best.minutes ? next : best), {
        minutes: 0,
        path: [] as string[],
      });
    const result = { minutes: longest.minutes + own, path: [...longest.path, urn] };
    finish.set(urn, result);
    return result;
  };
  const ends = [...graph.keys()].map(visit);
  const longest = ends.reduce((best, next) => (next.minutes > best.minutes ? next : best), {
    minutes: 0,
    path: [] as string[],
  });
  return { path: longest.path, minutes: longest.minutes };
}

const label = (urn: string): string =>
  urn
    .split("::")
    .slice(-2)
    .map((part, index) => (index === 0 ? part.split("$").pop() : part))
    .join(" ");

/** The dependency graph as Mermaid text, then the critical path of a from-scratch `pulumi up`. */
export function formatGraph(run: ProgramRun): string {
  const graph = dependencyGraph(run);
  const ids = new Map([...graph.keys()].map((urn, index) => [urn, `r${index}`]));
  const lines = ["graph LR"];
  for (const [urn, id] of ids) lines.push(`  ${id}["${label(urn)}"]`);
  for (const [urn, dependencies] of graph) {
    for (const dependency of dependencies) lines.push(`  ${ids.get(dependency)} --> ${ids.get(urn)}`);
  }
  const { path, minutes } = criticalPath(run);
  const typeOf = new Map(run.registrations.map((r) => [r.urn, r.type]));
  const minutesOf = (urn: string) => typicalMinutes[typeOf.get(urn) ?? ""] ?? defaultMinutes;
  const slow = [...graph.keys()].filter((urn) => minutesOf(urn) >= 10);
  const parallel = slow.filter((a) =>
    slow.every((b) => a === b || (!waitsOn(graph, a, b) && !waitsOn(graph, b, a))),
  );
  lines.push("");
  if (parallel.length > 1)
    lines.push(`%% created in parallel (no path between them): ${parallel.map(label).join(", ")}`);
  const workloads = [...graph.keys()].filter((urn) => typeOf.get(urn) === "kubernetes:apps/v1:Deployment");
  const awaited = slow.filter((urn) => workloads.some((workload) => waitsOn(graph, workload, urn)));
  if (awaited.length > 0) lines.push(`%% the apps' Deployments wait for: ${awaited.map(label).join(", ")}`);
  lines.push(`%% critical path of a from-scratch pulumi up: about ${Math.round(minutes)} minutes`);
  for (const urn of path) lines.push(`%%   ${label(urn)} (~${minutesOf(urn)} min)`);
  return `${lines.join("\n")}\n`;
}

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
  const byUrn = (a: Registration, b: Registration) => a.urn.localeCompare(b.urn);
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

/** A diff as a reviewer reads it: `+` added, `-` removed, `~` changed with `old → new` per input. */
export function formatDiff(diff: PlanDiff): string {
  const lines: string[] = [];
  for (const resource of diff.added) lines.push(`+ ${resource.type} ${resource.name}`);
  for (const resource of diff.removed) lines.push(`- ${resource.type} ${resource.name}`);
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
