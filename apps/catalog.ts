import type { AppDefinition } from "./app-definition";
import { customerApi } from "./customer-api/app";
import { mainApi } from "./main-api/app";
import { web } from "./web/app";

/** The names of the apps, in the order every listing uses. */
export const appNames = ["main-api", "web", "customer-api"] as const;

/** The name of one app: its `platform:images` key, image repository and Kubernetes name. */
export type AppName = (typeof appNames)[number];

/** Every app the platform runs, by name. */
export const apps: Readonly<Record<AppName, AppDefinition>> = {
  "main-api": mainApi,
  web,
  "customer-api": customerApi,
};

/** Narrows a string (a command argument, a config key) to an app name. */
export function isAppName(name: string): name is AppName {
  return (appNames as readonly string[]).includes(name);
}

/** The MySQL database of an app: its name with `_` for `-` (`main-api` → `main_api`). */
export function databaseName(app: string): string {
  return app.replace(/-/g, "_");
}
