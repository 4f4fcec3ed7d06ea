import { typicalMinutes } from "../cli/plan-view/graph";
import { reviewInputs } from "../cli/plan-view/review";
import type { Registration } from "../engine/mock-engine";
import { baselinePolicies } from "../policy/baseline";
import { typesChecked } from "../policy/evaluate";

/** The components that hold data: every resource type they register must be checked by a policy. */
export const dataComponents = ["platform:azure:RedisCache", "platform:azure:MySqlServer"] as const;

/** The custom resource types registered under a component of `componentType`, at any depth. */
export function childTypes(registrations: readonly Registration[], componentType: string): string[] {
  const byUrn = new Map(registrations.map((registration) => [registration.urn, registration]));
  const under = (registration: Registration): boolean => {
    for (let parent = byUrn.get(registration.parent ?? ""); parent; parent = byUrn.get(parent.parent ?? ""))
      if (parent.type === componentType) return true;
    return false;
  };
  return [...new Set(registrations.filter((r) => r.custom && under(r)).map((r) => r.type))].sort();
}

/**
 * Each child resource type of a data component that no baseline policy checks (reads), as
 * `<component>: <type> is checked by no policy in policy/baseline.ts`.
 */
export async function uncheckedDataTypes(registrations: readonly Registration[]): Promise<string[]> {
  const checked = await typesChecked(baselinePolicies, registrations);
  return dataComponents.flatMap((component) =>
    childTypes(registrations, component)
      .filter((type) => !checked.has(type))
      .map((type) => `${component}: ${type} is checked by no policy in policy/baseline.ts`),
  );
}

/**
 * Each child resource type of a data component that has a `sku` (what it costs, what a reviewer
 * must see) but shows no input in the plan's view (cli/plan-view/review.ts) or has no typical
 * creation time on its critical path (cli/plan-view/graph.ts): a swapped component whose type the
 * plan view does not know would print with no SKU and count as half a minute.
 */
export function unviewedDataTypes(registrations: readonly Registration[]): string[] {
  return dataComponents.flatMap((component) => {
    const types = new Set(childTypes(registrations, component));
    const costed = registrations.filter((r) => types.has(r.type) && r.inputs["sku"] !== undefined);
    return [...new Set(costed.map((r) => r.type))]
      .sort()
      .flatMap((type) => [
        ...(costed.some((r) => r.type === type && reviewInputs(r).length > 0)
          ? []
          : [`${component}: ${type} shows no input in cli/plan-view/review.ts`]),
        ...(type in typicalMinutes
          ? []
          : [`${component}: ${type} has no typical minutes in cli/plan-view/graph.ts`]),
      ]);
  });
}
