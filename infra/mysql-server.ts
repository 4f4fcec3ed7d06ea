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
  /**
   * One database is created per name (the apps that use MySQL), and a password for a user of the
   * same name; the server's administrator creates the users (see `apps/manifests/mysql-users.ts`).
   */
  readonly databases: readonly string[];
  readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
}

/**
 * Properties of the server that Azure changes by itself, so that the program must not set them
 * back: auto-grow raises the storage size (which never shrinks), and a high-availability failover
 * swaps the primary's and the standby's zones. Paths as in `dbformysql.ServerArgs`.
 */
export const serverIgnoreChanges = [
  "storage.storageSizeGB",
  "availabilityZone",
  "highAvailability.standbyAvailabilityZone",
] as const;

/**
 * Server parameters the program sets, in the order it sets them (a Flexible Server takes one
 * change at a time): TLS required; the audit log on, for connections and for changes to schemas
 * and privileges (not queries: DML would log every statement of the apps); the slow query log on.
 * Both logs reach the workspace through the server's diagnostic setting.
 */
export const serverParameters = [
  ["require-secure-transport", "require_secure_transport", "ON"],
  ["audit-log", "audit_log_enabled", "ON"],
  ["audit-log-events", "audit_log_events", "CONNECTION,DDL,DCL"],
  ["slow-query-log", "slow_query_log", "ON"],
] as const;

/** The generated passwords, of the administrator and of each database's user. */
const passwordArgs: random.RandomPasswordArgs = {
  length: 32,
  // Azure wants characters from three of the four classes; ask for all four every time.
  minUpper: 1,
  minLower: 1,
  minNumeric: 1,
  minSpecial: 1,
  special: true,
  // MySQL and connection strings choke on quotes and backslashes; keep to a safe set.
  overrideSpecial: "-_.~!#%^*",
};

/**
 * Azure Database for MySQL Flexible Server with private access only (a delegated subnet and a
 * private DNS zone), TLS required, a generated admin password kept secret, and one database per
 * app that needs one.
 *
 * Its outputs are what workloads connect with, so each waits for the whole server: `host`,
 * `adminLogin` and `adminPassword` resolve only once every database and server setting exists,
 * and whatever is built from them (an app's Secret, and through it its migration Job) does too.
 */
export class MySqlServer extends pulumi.ComponentResource {
  /** Private host name of the server; known once its databases and settings exist. */
  readonly host: pulumi.Output<string>;
  /** Known once the server's databases and settings exist. */
  readonly adminLogin: pulumi.Output<string>;
  /** Secret; known once the server's databases and settings exist. */
  readonly adminPassword: pulumi.Output<string>;
  /** Secret: the password of each database's own user, by database name. */
  readonly userPasswords: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: MySqlServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:MySqlServer", name, {}, opts);
    const { settings, resourceGroupName } = args;
    if (!args.privateDnsZoneName.endsWith(".mysql.database.azure.com")) {
      throw new Error(
        `${name}: private DNS zone '${args.privateDnsZoneName}' must end in .mysql.database.azure.com`,
      );
    }
    const [primaryZone, standbyZone] = args.zones;

    const password = new random.RandomPassword(`${name}-admin-password`, passwordArgs, { parent: this });
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
        // Every storage property stated, rather than left to the SDK's silent defaults.
        storage: {
          storageSizeGB: settings.storageSizeGb,
          autoGrow: "Enabled",
          storageRedundancy: settings.storageRedundancy,
          // IOPS follow the load and are billed as used, instead of a fixed provisioned amount.
          autoIoScaling: "Enabled",
          logOnDisk: "Disabled",
        },
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
      {
        parent: this,
        dependsOn: [link],
        // Network mode, HA, geo-redundancy and storage redundancy are fixed at creation: changing
        // them replaces the server, and with it the data. Protect it so that such a plan stops.
        protect: true,
        // azure-native updates with a full PUT of the inputs: without this, the next change would
        // send the old storage size (Azure refuses to shrink) and the original zones (which would
        // plan a replacement). The ignored values are the ones in state, which `pulumi up --refresh`
        // reads from Azure.
        ignoreChanges: [...serverIgnoreChanges],
      },
    );
    // A Flexible Server takes one change at a time (ServerBusy otherwise): chain them.
    const parameters: dbformysql.Configuration[] = [];
    for (const [suffix, configurationName, value] of serverParameters) {
      const previous = parameters.at(-1);
      parameters.push(
        new dbformysql.Configuration(
          `${name}-${suffix}`,
          { resourceGroupName, serverName: server.name, configurationName, value, source: "user-override" },
          { parent: this, dependsOn: previous ? [previous] : [] },
        ),
      );
    }
    const lastParameter = parameters.at(-1)!;
    const databases: dbformysql.Database[] = [];
    for (const database of args.databases) {
      const previous = databases.at(-1) ?? lastParameter;
      databases.push(
        new dbformysql.Database(
          `${name}-db-${database}`,
          {
            resourceGroupName,
            serverName: server.name,
            databaseName: database,
            charset: "utf8mb4",
            collation: "utf8mb4_0900_ai_ci",
          },
          {
            parent: this,
            dependsOn: [previous],
            // An app's data outlives the catalog: removing or renaming the app must not delete its
            // database. `protect` makes such a plan stop (the engine refuses to delete a protected
            // resource); `retainOnDelete` keeps the database in Azure should someone unprotect it
            // to let the app go (`pulumi state unprotect`, then `up` forgets it). Decision 0031.
            protect: true,
            retainOnDelete: true,
          },
        ),
      );
    }
    sendDiagnostics(
      `${name}-diagnostics`,
      server.id,
      args.logAnalyticsWorkspaceId,
      { logs: true, metrics: true },
      { parent: this, dependsOn: [databases.at(-1) ?? lastParameter] },
    );

    // The ids carry the dependency: they are known for resources that exist and stay unchanged
    // when one is updated in place, so a preview shows no needless change to the workloads.
    const ready = pulumi.all([...parameters, ...databases].map((resource) => resource.id));
    this.host = pulumi.all([server.fullyQualifiedDomainName, ready]).apply(([fqdn]) => fqdn ?? "");
    this.adminLogin = pulumi.all([adminLogin, ready]).apply(([login]) => login);
    this.adminPassword = pulumi.secret(pulumi.all([adminPassword, ready]).apply(([secret]) => secret));
    // The users' SQL quotes passwords in single quotes: the set of specials has no quote.
    this.userPasswords = Object.fromEntries(
      args.databases.map((database) => {
        const user = new random.RandomPassword(`${name}-user-${database}-password`, passwordArgs, {
          parent: this,
        });
        return [database, pulumi.secret(user.result)];
      }),
    );
    this.registerOutputs({
      host: this.host,
      adminLogin: this.adminLogin,
      adminPassword: this.adminPassword,
      userPasswords: this.userPasswords,
    });
  }
}
