import { environmentNames } from "../environments/settings";
import type { AppDefinition } from "./app-definition";
import { persistentNamesOf, type PersistentNames } from "./persistent-names";

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

/**
 * Every problem of a catalog: a key that is no app name, an app whose `name` is not its key, a
 * pinned persistent name that is no valid name, a persistent name two apps share, and a public
 * app that does not say what it is in every environment.
 */
export function catalogProblems(catalog: Readonly<Record<string, AppDefinition>>): string[] {
  return [
    ...Object.entries(catalog).flatMap(([key, app]) => [
      ...(appNamePattern.test(key)
        ? []
        : [
            `'${key}' in apps/catalog.ts is not an app name: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters`,
          ]),
      ...(app.name === key
        ? []
        : [`apps/${key}/app.ts: name '${app.name}' differs from its key '${key}' in apps/catalog.ts`]),
      ...persistentNameProblems(key, app),
      ...publicHostProblems(key, app),
    ]),
    ...sharedNameProblems(catalog),
  ];
}

/**
 * The database of an app that uses MySQL, which is also its MySQL user's name: the mysql-users Job
 * writes it into SQL (apps/manifests/mysql-users.ts), so lower-case letters, digits and `_` only,
 * starting with a letter; and at most 32 characters, MySQL's limit for a user name
 * (https://dev.mysql.com/doc/refman/8.0/en/user-names.html; databases may have 64).
 */
const databaseNamePattern = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * Persistent names Azure, the registry, Kubernetes or MySQL would refuse: the pinned ones, and the
 * database of an app that uses MySQL, pinned or derived from a long key.
 */
function persistentNameProblems(key: string, app: AppDefinition): string[] {
  const pinned = app.persistent ?? {};
  const at = (field: keyof PersistentNames) => `apps/${key}/app.ts: persistent.${field}`;
  const { database } = persistentNamesOf(key, app);
  return [
    ...(!app.uses.mysql || databaseNamePattern.test(database)
      ? []
      : [
          `${at("database")} '${database}'${pinned.database === undefined ? " (derived from the key)" : ""} is not a database name MySQL takes for the app's user: lower-case letters, digits and '_', starting with a letter, at most 32 characters`,
        ]),
    ...(["identity", "imageRepository", "kubernetes"] as const).flatMap((field) => {
      const name = pinned[field];
      return name === undefined || appNamePattern.test(name)
        ? []
        : [
            `${at(field)} '${name}' is not a name the platform can use: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters`,
          ];
    }),
  ];
}

/**
 * An app public in some environment must name every environment in `publicHost`, a host or `null`
 * (internal there): an environment added later otherwise gives it no Ingress without anyone
 * deciding so (../shared/reviews/change-cost.md, section 1.1).
 */
function publicHostProblems(key: string, app: AppDefinition): string[] {
  const hosts = app.publicHost ?? {};
  const publicIn = environmentNames.filter((name) => typeof hosts[name] === "string");
  const unnamed = environmentNames.filter((name) => !Object.hasOwn(hosts, name));
  if (publicIn.length === 0 || unnamed.length === 0) return [];
  return [
    `apps/${key}/app.ts: publicHost names no host for ${unnamed.join(", ")} (it is public in ${publicIn.join(", ")}); give it one there, or null to keep it internal there`,
  ];
}

/**
 * Persistent names two apps share: both would deploy into one database, identity, image
 * repository or set of cluster objects, each overwriting the other's (a new app given the key
 * a renamed app keeps as its pinned names, for one). An app without MySQL has no database.
 */
function sharedNameProblems(catalog: Readonly<Record<string, AppDefinition>>): string[] {
  const owners = new Map<string, string>();
  const problems: string[] = [];
  for (const [key, app] of Object.entries(catalog)) {
    const names = persistentNamesOf(key, app);
    for (const field of Object.keys(names) as (keyof PersistentNames)[]) {
      if (field === "database" && !app.uses.mysql) continue;
      const owner = owners.get(`${field}:${names[field]}`);
      if (owner === undefined) owners.set(`${field}:${names[field]}`, key);
      else {
        problems.push(
          `apps/${key}/app.ts: its ${field} name '${names[field]}' is ${owner}'s too; each app's state needs names of its own (pin another in persistent.${field}, docs/changing.md)`,
        );
      }
    }
  }
  return problems;
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
