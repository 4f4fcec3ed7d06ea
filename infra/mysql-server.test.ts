import { isSecret } from "../engine/mock-engine";
import { acceptance } from "../environments/acceptance";
import { production } from "../environments/production";
import type { MySqlSettings } from "../environments/settings";
import { ofType, only, runIsolated } from "../test/program";

/**
 * Builds only the MySQL component under the mock engine. Besides the registrations, returns the
 * `ignoreChanges` of every resource as the engine receives them (the mock engine does not keep
 * them), and the component's outputs.
 */
async function mysqlRun(settings: MySqlSettings) {
  const ignoreChanges = new Map<string, string[]>();
  const run = await runIsolated(async (pulumi) => {
    const monitor = pulumi.runtime.getMonitor() as unknown as {
      registerResource(
        request: { getName(): string; getIgnorechangesList(): string[] },
        callback: unknown,
      ): void;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request, callback) => {
      ignoreChanges.set(request.getName(), request.getIgnorechangesList());
      register(request, callback);
    };
    const { MySqlServer } = await import("./mysql-server");
    const mysql = new MySqlServer("mysql", {
      resourceGroupName: "rg",
      location: "westeurope",
      settings,
      zones: ["1", "2", "3"],
      delegatedSubnetId: "subnet-id",
      virtualNetworkId: "vnet-id",
      privateDnsZoneName: "platform-test.private.mysql.database.azure.com",
      databases: ["main_api", "customer_api"],
      logAnalyticsWorkspaceId: "workspace-id",
    });
    return {
      host: mysql.host,
      adminLogin: mysql.adminLogin,
      adminPassword: mysql.adminPassword,
      ...Object.fromEntries(
        Object.entries(mysql.userPasswords).map(([database, password]) => [`${database}Password`, password]),
      ),
    };
  });
  return { run, ignoreChanges };
}

describe.each([
  ["acceptance", acceptance.mysql],
  ["production", production.mysql],
])("MySQL of %s", (_, settings) => {
  test("the server leaves what Azure changes by itself alone: grown storage, swapped HA zones", async () => {
    const { run, ignoreChanges } = await mysqlRun(settings);
    const server = only(run, "azure-native:dbformysql:Server");
    expect(ignoreChanges.get(server.name)).toEqual([
      "storage.storageSizeGB",
      "availabilityZone",
      "highAvailability.standbyAvailabilityZone",
    ]);
    expect(server.protect).toBe(true);
  });

  test("every app's database is protected and kept in Azure when it leaves the program", async () => {
    const { run } = await mysqlRun(settings);
    const databases = ofType(run, "azure-native:dbformysql:Database");
    expect(databases.map((database) => [database.name, database.protect, database.retainOnDelete])).toEqual([
      ["mysql-db-main_api", true, true],
      ["mysql-db-customer_api", true, true],
    ]);
  });

  test("storage is stated in full, its redundancy from the settings", async () => {
    const { run } = await mysqlRun(settings);
    expect(only(run, "azure-native:dbformysql:Server").inputs["storage"]).toEqual({
      storageSizeGB: settings.storageSizeGb,
      autoGrow: "Enabled",
      autoIoScaling: "Enabled",
      logOnDisk: "Disabled",
      storageRedundancy: settings.storageRedundancy,
    });
  });
});

test("production keeps its zone-redundant server's data in zone-redundant storage; acceptance locally", () => {
  expect([production.mysql.zoneRedundantHighAvailability, production.mysql.storageRedundancy]).toEqual([
    true,
    "ZoneRedundancy",
  ]);
  expect([acceptance.mysql.zoneRedundantHighAvailability, acceptance.mysql.storageRedundancy]).toEqual([
    false,
    "LocalRedundancy",
  ]);
});

test("the admin's and every database user's password always have upper, lower, numeric and special characters, and no quote", async () => {
  const { run } = await mysqlRun(production.mysql);
  for (const name of [
    "mysql-admin-password",
    "mysql-user-main_api-password",
    "mysql-user-customer_api-password",
  ]) {
    expect(only(run, "random:index/randomPassword:RandomPassword", name).inputs).toEqual({
      length: 32,
      minUpper: 1,
      minLower: 1,
      minNumeric: 1,
      minSpecial: 1,
      special: true,
      overrideSpecial: "-_.~!#%^*",
    });
  }
});

test("each database's user has its own secret password, none the admin's", async () => {
  const { run } = await mysqlRun(production.mysql);
  const values = ["main_apiPassword", "customer_apiPassword"].map((output) => {
    const password = run.outputs[output];
    expect(isSecret(password)).toBe(true);
    return (password as { value: string }).value;
  });
  const admin = (run.outputs["adminPassword"] as { value: string }).value;
  expect(new Set([...values, admin]).size).toBe(3);
});

test("the admin password stays secret; the host and login are plain", async () => {
  const { run } = await mysqlRun(production.mysql);
  expect(isSecret(run.outputs["adminPassword"])).toBe(true);
  expect(isSecret(run.outputs["host"])).toBe(false);
  expect(run.outputs["adminLogin"]).toBe("platformadmin");
  expect(run.outputs["host"]).toMatch(/\.mysql\.database\.azure\.com$/);
});
