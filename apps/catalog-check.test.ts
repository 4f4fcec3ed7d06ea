import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { environmentNames } from "../environments";
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

describe("the catalog's persistent names (decision 0068)", () => {
  const { web } = apps;
  const customerApi = apps["customer-api"];

  test("refuses a name two apps share: a new app under the key a renamed app keeps its state under", () => {
    const renamed = {
      ...customerApi,
      name: "customers-api",
      persistent: {
        database: "customer_api",
        identity: "customer-api",
        imageRepository: "customer-api",
        kubernetes: "customer-api",
      },
    };
    const catalog = { "customers-api": renamed, "customer-api": customerApi };
    const shared = (field: string, name: string) =>
      `apps/customer-api/app.ts: its ${field} name '${name}' is customers-api's too; each app's state needs names of its own (pin another in persistent.${field}, docs/changing.md)`;
    expect(catalogProblems(catalog)).toEqual([
      shared("database", "customer_api"),
      shared("identity", "customer-api"),
      shared("imageRepository", "customer-api"),
      shared("kubernetes", "customer-api"),
    ]);
    expect(() => checkedCatalog(catalog)).toThrow(CatalogError);
  });

  test("an app without MySQL shares no database", () => {
    const noDatabase = { ...web, name: "web-two", persistent: { database: "customer_api" } };
    expect(catalogProblems({ "customer-api": customerApi, "web-two": noDatabase })).toEqual([]);
  });

  test("refuses pinned names the services would refuse, and a database name MySQL's user cannot take", () => {
    const pinned = {
      ...customerApi,
      persistent: {
        database: "customer-api",
        identity: "Customer",
        imageRepository: "customer/api",
        kubernetes: "-x",
      },
    };
    const longKey = `api-${"x".repeat(29)}`; // 33 characters: its database name too
    expect(catalogProblems({ "customer-api": pinned, [longKey]: { ...customerApi, name: longKey } })).toEqual(
      [
        "apps/customer-api/app.ts: persistent.database 'customer-api' is not a database name MySQL takes for the app's user: lower-case letters, digits and '_', starting with a letter, at most 32 characters",
        "apps/customer-api/app.ts: persistent.identity 'Customer' is not a name the platform can use: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters",
        "apps/customer-api/app.ts: persistent.imageRepository 'customer/api' is not a name the platform can use: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters",
        "apps/customer-api/app.ts: persistent.kubernetes '-x' is not a name the platform can use: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters",
        `apps/${longKey}/app.ts: persistent.database 'api_${"x".repeat(29)}' (derived from the key) is not a database name MySQL takes for the app's user: lower-case letters, digits and '_', starting with a letter, at most 32 characters`,
      ],
    );
  });
});

describe("the catalog's public hosts", () => {
  const { web } = apps;
  const [first, ...rest] = environmentNames;

  test("an app public somewhere names every environment: a host, or null for internal there", () => {
    const partly = { ...web, publicHost: { [first]: "web.example.com" } };
    expect(catalogProblems({ web: partly })).toEqual([
      `apps/web/app.ts: publicHost names no host for ${rest.join(", ")} (it is public in ${first}); give it one there, or null to keep it internal there`,
    ]);
    const internalElsewhere = {
      ...web,
      publicHost: Object.fromEntries(
        environmentNames.map((name) => [name, name === first ? "web.example.com" : null]),
      ),
    };
    expect(catalogProblems({ web: internalElsewhere })).toEqual([]);
  });

  test("an app public nowhere needs no entry", () => {
    const { publicHost: _none, ...internal } = web;
    expect(catalogProblems({ web: internal })).toEqual([]);
    expect(catalogProblems({ web: { ...web, publicHost: { [first]: null } } })).toEqual([]);
  });
});
