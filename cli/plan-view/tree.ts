// A Pulumi plan as a tree of resources with their review inputs: text for people, JSON for machines.
import type { ProgramRun, Registration } from "../../engine/mock-engine";
import { reviewInputs, type ReviewInput } from "./review";
import { compareText } from "../../lib/values";

/** A resource of a plan, with the inputs a reviewer of infrastructure changes looks at. */
export interface PlannedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  readonly inputs: readonly ReviewInput[];
  readonly children: readonly PlannedResource[];
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
      .sort((a, b) => compareText(a.type, b.type) || compareText(a.name, b.name))
      .map(build);
  return childrenOf(undefined);
}

/** A value as the plan and the diff print it: strings as they are, anything else as JSON. */
export const show = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

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
  return [...counts].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
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
