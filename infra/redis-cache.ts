import * as network from "@pulumi/azure-native/network";
import * as redisenterprise from "@pulumi/azure-native/redisenterprise";
import * as pulumi from "@pulumi/pulumi";
import { cacheContract, type CacheContract } from "./redis-cache.contract";
import type { RedisSettings } from "../environments/settings";
import { sendDiagnostics } from "./monitoring";
import { linkedPrivateZone } from "./private-dns";

/** Arguments of {@link RedisCache}. */
export interface RedisCacheArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  readonly settings: RedisSettings;
  /** Subnet of the private endpoint through which the cluster reaches the cache. */
  readonly privateEndpointSubnetId: pulumi.Input<string>;
  readonly virtualNetworkId: pulumi.Input<string>;
  readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
  /**
   * Who may use the cache, by name (an app): each principal's object id gets the `default` access
   * policy (read and write, as a key did). The cache takes no access key.
   */
  readonly users: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * The environment's cache. What the rest of the program sees is only `host`, and the client
 * contract the component owns and keeps (`contract`, written in redis-cache.contract.ts beside
 * it: port, TLS, sign-in with an Entra token of the client's identity, reached through a private
 * endpoint). Today it is Azure Managed Redis (`redisenterprise`), which succeeds Azure Cache for
 * Redis (no new instances since 2026-10-01, retired 2028-09-30). Switching is the `redis-cache.*`
 * files: this one, its contract, its fake (redis-cache.mock.ts), and its settings
 * (docs/decisions/0003, 0057).
 */
export class RedisCache extends pulumi.ComponentResource {
  /**
   * Host name of the cache. Known only once the database, the private endpoint and its DNS
   * record in the linked private zone exist: before that the name does not resolve to the
   * private address from the cluster, so nothing built from it starts earlier.
   */
  readonly host: pulumi.Output<string>;
  /** What its clients must know: the NSGs, the NetworkPolicies and the apps' settings read it. */
  readonly contract: CacheContract = cacheContract;

  constructor(name: string, args: RedisCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:RedisCache", name, {}, opts);
    const { resourceGroupName, settings } = args;

    const cluster = new redisenterprise.RedisEnterprise(
      `${name}-cluster`,
      {
        resourceGroupName,
        location: args.location,
        sku: { name: settings.sku },
        minimumTlsVersion: "1.2",
        highAvailability: settings.highAvailability ? "Enabled" : "Disabled",
        publicNetworkAccess: "Disabled",
      },
      { parent: this },
    );
    const database = new redisenterprise.Database(
      `${name}-database`,
      {
        resourceGroupName,
        clusterName: cluster.name,
        databaseName: "default",
        // The contract's scheme: with `tls` the plain-text protocol is not offered at all.
        clientProtocol: cacheContract.scheme === "tls" ? "Encrypted" : "Plaintext",
        port: cacheContract.port,
        // One endpoint, as a non-clustered Redis: what Laravel's phpredis client expects.
        clusteringPolicy: "EnterpriseCluster",
        evictionPolicy: "VolatileLRU",
        // The contract's sign-in. With an Entra token there is no shared key: every client signs in
        // as its own identity, through an access policy assignment.
        accessKeysAuthentication: cacheContract.signIn === "access-key" ? "Enabled" : "Disabled",
      },
      { parent: this },
    );

    const { zone, link } = linkedPrivateZone(
      name,
      { zoneName: "privatelink.redis.azure.net", resourceGroupName, virtualNetworkId: args.virtualNetworkId },
      { parent: this },
    );
    const endpoint = new network.PrivateEndpoint(
      `${name}-endpoint`,
      {
        resourceGroupName,
        location: args.location,
        subnet: { id: args.privateEndpointSubnetId },
        privateLinkServiceConnections: [
          { name: "redis", privateLinkServiceId: cluster.id, groupIds: ["redisEnterprise"] },
        ],
      },
      { parent: this },
    );
    const endpointDns = new network.PrivateDnsZoneGroup(
      `${name}-endpoint-dns`,
      {
        resourceGroupName,
        privateEndpointName: endpoint.name,
        privateDnsZoneConfigs: [{ name: "redis", privateDnsZoneId: zone.id }],
      },
      { parent: this, dependsOn: [link] },
    );
    // Azure Managed Redis reports metrics on the cluster and connection logs on the database.
    sendDiagnostics(
      `${name}-metrics`,
      cluster.id,
      args.logAnalyticsWorkspaceId,
      { metrics: true },
      { parent: this },
    );
    sendDiagnostics(
      `${name}-logs`,
      database.id,
      args.logAnalyticsWorkspaceId,
      { logs: true },
      { parent: this },
    );

    // One write to the cache at a time: each assignment after the previous one, the first after
    // the private endpoint. Whether Azure Managed Redis takes parallel assignment writes is not
    // documented; azurerm serialises them with a lock (hashicorp/terraform-provider-azurerm#30980)
    // and classic Redis refuses parallel ones (#26085).
    const assignments: redisenterprise.AccessPolicyAssignment[] = [];
    for (const [user, objectId] of Object.entries(args.users)) {
      const previous = assignments.at(-1) ?? endpointDns;
      assignments.push(
        new redisenterprise.AccessPolicyAssignment(
          `${name}-access-${user}`,
          {
            resourceGroupName,
            clusterName: cluster.name,
            databaseName: database.name,
            // Letters and digits only.
            accessPolicyAssignmentName: user.replace(/[^A-Za-z0-9]/g, ""),
            // The one policy Azure Managed Redis offers: what an access key allowed.
            accessPolicyName: "default",
            user: { objectId },
          },
          { parent: this, dependsOn: [previous] },
        ),
      );
    }
    // Ids carry the dependency: known for resources that exist, unchanged by in-place updates.
    const ready = pulumi.all(
      [database, endpoint, endpointDns, link, ...assignments].map((resource) => resource.id),
    );
    this.host = pulumi.all([cluster.hostName, ready]).apply(([hostName]) => hostName);
    this.registerOutputs({ host: this.host });
  }
}
