import { checkedCatalog } from "./catalog-check";
import { customerApi } from "./customer-api/app";
import { mainApi } from "./main-api/app";
import { web } from "./web/app";

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
