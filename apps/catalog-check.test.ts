import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { appNames, apps } from "./catalog";
import { CatalogError, catalogProblems, checkedCatalog } from "./catalog-check";

describe("the catalog", () => {
  test("holds every app folder (apps/<name>/app.ts) under its folder's name, and no other", () => {
    const folders = readdirSync(__dirname, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(path.join(__dirname, entry.name, "app.ts")))
      .map((entry) => entry.name);
    expect([...appNames].sort()).toEqual(folders.sort());
    expect(catalogProblems(apps)).toEqual([]);
  });

  test("refuses an app whose name is not its key, and a key that is no app name, naming each", () => {
    const web = apps.web;
    const catalog = {
      web,
      "billing-api": { ...web, name: "billing" },
      Billing_API: { ...web, name: "Billing_API" },
    };
    const problems = [
      "apps/billing-api/app.ts: name 'billing' differs from its key 'billing-api' in apps/catalog.ts",
      "'Billing_API' in apps/catalog.ts is not an app name: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters",
    ];
    expect(catalogProblems(catalog)).toEqual(problems);
    expect(() => checkedCatalog(catalog)).toThrow(new CatalogError(problems));
    expect(() => checkedCatalog(catalog)).toThrow(
      `apps/catalog.ts is not valid:\n  - ${problems[0]}\n  - ${problems[1]}`,
    );
  });

  test.each(["1", "2fa", "-web", "web-", "a".repeat(64), "web.api", ""])("refuses the key %j", (key) => {
    expect(catalogProblems({ [key]: { ...apps.web, name: key } })).toEqual([
      `'${key}' in apps/catalog.ts is not an app name: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters`,
    ]);
  });

  test.each(["web", "main-api", "a", "a".repeat(63), "api2"])("takes the key %j", (key) => {
    expect(catalogProblems({ [key]: { ...apps.web, name: key } })).toEqual([]);
  });
});
