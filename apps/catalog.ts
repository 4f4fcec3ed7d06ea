import { checkedCatalog } from "./catalog-check";
import { customerApi } from "./customer-api/app";
import { mainApi } from "./main-api/app";
import { web } from "./web/app";
import { keepsNamesOf } from "./persistent-names";

/**
 * Every app the platform runs, by name, in the order every listing uses: the one list of apps.
 * Adding an app is its folder (`apps/<name>/app.ts`, and its build context) and its entry here;
 * the names, the stack config's keys, the CLI's arguments and release intake follow from it
 * (docs/decisions/0058).
 */
export const apps = checkedCatalog({
  "main-api": mainApi,
  web,
  "customer-api": customerApi,
});

/** The name of one app: its `platform:images` key, image repository and Kubernetes name. */
export type AppName = keyof typeof apps;

/** The names of the apps, in the order every listing uses (the catalog's order). */
export const appNames: readonly AppName[] = Object.keys(apps) as AppName[];

/** Narrows a string (a command argument, a config key) to an app name. */
export function isAppName(name: string): name is AppName {
  return (appNames as readonly string[]).includes(name);
}

export { databaseName, persistentNames } from "./persistent-names";

/** An app of the catalog that took over the state of an app key the catalog no longer has. */
export interface Rename {
  readonly from: string;
  readonly to: AppName;
}

/**
 * The renames among `gone` (app keys a stack file names that the catalog lacks): each one whose
 * persistent names (database, identity, image repository, cluster name) an app of the catalog
 * keeps, pinned in its definition (decision 0068). The others are removals.
 */
export function renamesOf(gone: readonly string[]): Rename[] {
  return gone.flatMap((from) => {
    const to = appNames.find((key) => key !== from && keepsNamesOf(from, apps[key]));
    return to === undefined ? [] : [{ from, to }];
  });
}

/** How a rename reads in the CLI's output. */
export const describeRename = ({ from, to }: Rename): string =>
  `${from} renamed to ${to}, which keeps its database, identity, image repository and cluster name (apps/${to}/app.ts: persistent)`;
