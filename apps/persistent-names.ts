import type { AppDefinition } from "./app-definition";

/** The names an app's state carries: what a rename of the app must keep (decision 0068). */
export interface PersistentNames {
  /** The MySQL database, and the app's MySQL user (`customer_api`). */
  readonly database: string;
  /** The managed identity (`id-platform-<env>-<identity>`) and its federated credential. */
  readonly identity: string;
  /** The repository of the app's images in the shared registry. */
  readonly imageRepository: string;
  /** The name of the app's objects in the cluster: Service, ServiceAccount, Deployment… */
  readonly kubernetes: string;
}

/** The MySQL database of an app: its name with `_` for `-` (`main-api` → `main_api`). */
export function databaseName(app: string): string {
  return app.replace(/-/g, "_");
}

/**
 * The persistent names of the app whose catalog key is `key`: each pinned in its definition
 * (`persistent`), else derived from the key.
 */
export function persistentNamesOf(key: string, app?: Pick<AppDefinition, "persistent">): PersistentNames {
  const pinned = app?.persistent ?? {};
  return {
    database: pinned.database ?? databaseName(key),
    identity: pinned.identity ?? key,
    imageRepository: pinned.imageRepository ?? key,
    kubernetes: pinned.kubernetes ?? key,
  };
}

/** The persistent names of `app`, whose `name` is its catalog key (apps/catalog-check.ts). */
export const persistentNames = (app: AppDefinition): PersistentNames => persistentNamesOf(app.name, app);

/** Whether `app` keeps every persistent name the app with catalog key `key` had by default. */
export function keepsNamesOf(key: string, app: AppDefinition): boolean {
  const old = persistentNamesOf(key);
  const now = persistentNames(app);
  return (Object.keys(old) as (keyof PersistentNames)[]).every(
    (name) => old[name] === now[name] || (name === "database" && !app.uses.mysql),
  );
}
