import { readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/** The old and the new key of the rename the tests rehearse. */
export const renamed = { from: "customer-api", to: "customers-api" } as const;

/** Replaces every `from` in `file` of `dir`; fails when there is none, so that the recipe stays true. */
function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(path.join(dir, file), "utf8");
  const changed = text.replace(from instanceof RegExp ? from : new RegExp(escape(from), "g"), to);
  if (changed === text) throw new Error(`${file} no longer contains ${String(from)}`);
  writeFileSync(path.join(dir, file), changed);
}
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Renames customer-api to customers-api in the project at `dir` as docs/changing.md says: the
 * folder, the catalog entry, the app's `name`, the stack files' keys, and the persistent names
 * pinned to the old ones.
 */
export function renameCustomerApi(dir: string): void {
  const { from, to } = renamed;
  renameSync(path.join(dir, "apps", from), path.join(dir, "apps", to));
  edit(dir, "apps/catalog.ts", `"${from}": customerApi`, `"${to}": customerApi`);
  edit(dir, "apps/catalog.ts", `./${from}/app`, `./${to}/app`);
  edit(
    dir,
    `apps/${to}/app.ts`,
    `name: "${from}",`,
    `name: "${to}",\n  persistent: { database: "customer_api", identity: "${from}", imageRepository: "${from}", kubernetes: "${from}" },`,
  );
  edit(dir, `apps/${to}/app.ts`, `path: "apps/${from}"`, `path: "apps/${to}"`);
  for (const file of ["Pulumi.acceptance.yaml", "Pulumi.production.yaml"]) {
    try {
      edit(dir, file, new RegExp(`^(\\s+)${from}:`, "m"), `$1${to}:`);
    } catch {
      // A stack file that names no app (production before its first promotion) has nothing to rename.
    }
  }
}
