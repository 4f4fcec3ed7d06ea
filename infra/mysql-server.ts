import * as dbformysql from "@pulumi/azure-native/dbformysql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { MySqlSettings } from "../environments/settings";
import { sendDiagnostics } from "./monitoring";
import { linkedPrivateZone } from "./private-dns";

/** Arguments of {@link MySqlServer}. */
export interface MySqlServerArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  readonly settings: MySqlSettings;
  /** Zones of the environment: the primary goes in the first, the HA standby in the second. */
  readonly zones: readonly string[];
  /** Subnet delegated to `Microsoft.DBforMySQL/flexibleServers`. */
  readonly delegatedSubnetId: pulumi.Input<string>;
  readonly virtualNetworkId: pulumi.Input<string>;
  /** Name of the private DNS zone; must end in `.mysql.database.azure.com`. */
  readonly privateDnsZoneName: string;
  /** One database is created per name (the apps that use MySQL). */
  readonly databases: readonly string[];
  readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
}

/**
 * Azure Database for MySQL Flexible Server with private access only (a delegated subnet and a
 * private DNS zone), TLS required, a generated admin password kept secret, and one database per
 * app that needs one.
 */
export class MySqlServer extends pulumi.ComponentResource {
  /** Private host name of the server. */
  readonly host: pulumi.Output<string>;
  readonly adminLogin: pulumi.Output<string>;
  /** Secret. */
  readonly adminPassword: pulumi.Output<string>;

  constructor(name: string, args: MySqlServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:MySqlServer", name, {}, opts);
    const { settings, resourceGroupName } = args;
    if (!args.privateDnsZoneName.endsWith(".mysql.database.azure.com")) {
      throw new Error(
        `${name}: private DNS zone '${args.privateDnsZoneName}' must end in .mysql.database.azure.com`,
      );
    }
    const [primaryZone, standbyZone] = args.zones;

    const password = new random.RandomPassword(
      `${name}-admin-password`,
      // MySQL and connection strings choke on quotes and backslashes; keep to a safe set.
      { length: 32, special: true, overrideSpecial: "-_.~!#%^*" },
      { parent: this },
    );
    const { zone, link } = linkedPrivateZone(
      name,
      { zoneName: args.privateDnsZoneName, resourceGroupName, virtualNetworkId: args.virtualNetworkId },
      { parent: this },
    );
    const adminLogin = "platformadmin";
    // The random provider marks `result` secret itself; say so here too rather than rely on it.
    const adminPassword = pulumi.secret(password.result);
    const server = new dbformysql.Server(
      `${name}-server`,
      {
        resourceGroupName,
        location: args.location,
        version: settings.version,
        sku: { name: settings.sku.name, tier: settings.sku.tier },
        administratorLogin: adminLogin,
        administratorLoginPassword: adminPassword,
        availabilityZone: primaryZone,
        highAvailability: settings.zoneRedundantHighAvailability
          ? { mode: "ZoneRedundant", standbyAvailabilityZone: standbyZone }
          : { mode: "Disabled" },
        storage: { storageSizeGB: settings.storageSizeGb, autoGrow: "Enabled" },
        backup: {
          backupRetentionDays: settings.backupRetentionDays,
          geoRedundantBackup: settings.geoRedundantBackup ? "Enabled" : "Disabled",
        },
        network: {
          delegatedSubnetResourceId: args.delegatedSubnetId,
          privateDnsZoneResourceId: zone.id,
          publicNetworkAccess: "Disabled",
        },
      },
      // Network mode, HA and geo-redundancy are fixed at creation: changing them replaces the
      // server, and with it the data. Protect it so that such a plan stops instead.
      { parent: this, dependsOn: [link], protect: true },
    );
    // A Flexible Server takes one change at a time (ServerBusy otherwise): chain them.
    let previous: pulumi.Resource = new dbformysql.Configuration(
      `${name}-require-secure-transport`,
      {
        resourceGroupName,
        serverName: server.name,
        configurationName: "require_secure_transport",
        value: "ON",
        source: "user-override",
      },
      { parent: this },
    );
    for (const database of args.databases) {
      previous = new dbformysql.Database(
        `${name}-db-${database}`,
        {
          resourceGroupName,
          serverName: server.name,
          databaseName: database,
          charset: "utf8mb4",
          collation: "utf8mb4_0900_ai_ci",
        },
        { parent: this, dependsOn: [previous] },
      );
    }
    sendDiagnostics(
      `${name}-diagnostics`,
      server.id,
      args.logAnalyticsWorkspaceId,
      { logs: true, metrics: true },
      { parent: this, dependsOn: [previous] },
    );

    this.host = server.fullyQualifiedDomainName.apply((fqdn) => fqdn ?? "");
    this.adminLogin = pulumi.output(adminLogin);
    this.adminPassword = adminPassword;
    this.registerOutputs({ host: this.host, adminLogin: this.adminLogin, adminPassword: this.adminPassword });
  }
}
