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
