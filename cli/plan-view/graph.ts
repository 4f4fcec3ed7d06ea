// The dependency graph of a Pulumi plan, its critical path, and the graph as Mermaid text.
import type { ProgramRun } from "../../engine/mock-engine";

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
