import type { AppDefinition } from "./app-definition";

/**
 * An app name: a Kubernetes Service name (an RFC 1035 label: lower-case letters, digits and
 * `-`, starting with a letter, ending with a letter or digit, at most 63 characters;
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#rfc-1035-label-names).
 * It starts with a letter, so no name is an integer key, which objects would list first.
 */
export const appNamePattern = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A catalog whose keys or apps disagree: every problem, each naming the file to edit. */
export class CatalogError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`apps/catalog.ts is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "CatalogError";
  }
}

/** Every problem of a catalog: a key that is no app name, an app whose `name` is not its key. */
export function catalogProblems(catalog: Readonly<Record<string, AppDefinition>>): string[] {
  return Object.entries(catalog).flatMap(([key, app]) => [
    ...(appNamePattern.test(key)
      ? []
      : [
          `'${key}' in apps/catalog.ts is not an app name: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters`,
        ]),
    ...(app.name === key
      ? []
      : [`apps/${key}/app.ts: name '${app.name}' differs from its key '${key}' in apps/catalog.ts`]),
  ]);
}

/**
 * The catalog, checked when it loads: a program or command never runs with an app that exists
 * under one name and deploys under another.
 *
 * @throws CatalogError naming every problem
 */
export function checkedCatalog<Name extends string>(
  catalog: Readonly<Record<Name, AppDefinition>>,
): Readonly<Record<Name, AppDefinition>> {
  const problems = catalogProblems(catalog);
  if (problems.length > 0) throw new CatalogError(problems);
  return catalog;
}
