// The Pulumi program: one per environment stack (`pulumi up -s acceptance`). It reads and checks
// the stack config, builds the environment's components and exports what the CLI and the
// promotion flow read. Every difference between environments comes from `environments/`.
import * as pulumi from "@pulumi/pulumi";
import { apps, databaseName } from "./apps/catalog";
import { networkLayout } from "./environments/network-layout";
import { readStackConfig } from "./environments/pulumi-config";
import { AksCluster, ContainerRegistry, Monitoring, MySqlServer, Network, RedisCache } from "./infra";

const config = readStackConfig();
const { environment, location } = config;
const layout = networkLayout(environment.addressSpace);
const deployed = Object.keys(config.images).map((name) => apps[name as keyof typeof apps]);

const network = new Network("network", {
  resourceGroupName: environment.resourceGroupName,
  location,
  layout,
});
const resourceGroupName = network.resourceGroupName;
const monitoring = new Monitoring("monitoring", {
  resourceGroupName,
  location,
  retentionDays: environment.logRetentionDays,
});
const cluster = new AksCluster("aks", {
  resourceGroupName,
  location,
  clusterName: `aks-platform-${environment.name}`,
  settings: environment.cluster,
  layout,
  nodesSubnetId: network.nodesSubnetId,
  logAnalyticsWorkspaceId: monitoring.workspaceId,
});
const registry = new ContainerRegistry("registry", {
  settings: environment.registry,
  owned: environment.ownsSharedResources,
  location,
  pullers: [{ name: `aks-${environment.name}`, principalId: cluster.kubeletObjectId }],
});
const mysql = new MySqlServer("mysql", {
  resourceGroupName,
  location,
  settings: environment.mysql,
  zones: environment.cluster.zones,
  delegatedSubnetId: network.mysqlSubnetId,
  virtualNetworkId: network.virtualNetworkId,
  privateDnsZoneName: `platform-${environment.name}.private.mysql.database.azure.com`,
  databases: Object.values(apps)
    .filter((app) => app.uses.mysql)
    .map((app) => databaseName(app.name)),
  logAnalyticsWorkspaceId: monitoring.workspaceId,
});
const redis = new RedisCache("redis", {
  resourceGroupName,
  location,
  settings: environment.redis,
  privateEndpointSubnetId: network.privateEndpointsSubnetId,
  virtualNetworkId: network.virtualNetworkId,
  logAnalyticsWorkspaceId: monitoring.workspaceId,
});

export const environmentName = environment.name;
export const registryLoginServer = registry.loginServer;
export const clusterName = cluster.clusterName;
export const kubeconfig = cluster.kubeconfig;
export const databaseHost = mysql.host;
export const cacheHost = redis.host;
/** Apps without an entry in `platform:images`: this environment does not run them yet. */
export const notDeployed = config.notDeployed;
void deployed;
void pulumi;
