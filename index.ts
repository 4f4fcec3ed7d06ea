// The Pulumi program: one per environment stack (`pulumi up -s acceptance`). It reads and checks
// the stack config, builds the environment's components and exports what the CLI and the
// promotion flow read. Every difference between environments comes from `environments/`.
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { apps, databaseName, type AppName } from "./apps/catalog";
import { environmentObjects, registryLoginServer as loginServerOf } from "./apps/manifests";
import { networkLayout } from "./environments/network-layout";
import { readStackConfig } from "./environments/pulumi-config";
import {
  AksCluster,
  AppImages,
  AppWorkloads,
  ContainerRegistry,
  DeliverySettings,
  Monitoring,
  MySqlServer,
  Network,
  RedisCache,
  readRequiredChecks,
} from "./infra";

const config = readStackConfig();
const { environment, location } = config;
const layout = networkLayout(environment.addressSpace);
const deployed = Object.keys(config.images) as AppName[];

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

// Acceptance builds the tags its config names; an entry pinned to a digest (a rollback) and every
// entry downstream deploys that digest and builds nothing.
const builds = environment.buildsImages
  ? deployed
      .filter((app) => config.images[app]!.digest === undefined)
      .map((app) => ({ app: apps[app], tag: config.images[app]!.tag }))
  : [];
const appImages = new AppImages("images", { builds, registryLoginServer: registry.loginServer });
const digests = Object.fromEntries(
  deployed.map((app) => [app, config.images[app]!.digest ?? appImages.digests[app]!] as const),
);

const objects = environmentObjects(config, loginServerOf(environment));
new AppWorkloads(
  "workloads",
  {
    objects,
    deployTimeValues: {
      "mysql.host": mysql.host,
      "mysql.username": mysql.adminLogin,
      "mysql.password": mysql.adminPassword,
      "redis.host": redis.host,
      "redis.password": redis.password,
      ...Object.fromEntries(deployed.map((app) => [`image.${app}.digest`, digests[app]!])),
    },
    waitFor: [registry, cluster.workloadPool],
  },
  { providers: { kubernetes: cluster.provider } },
);

// Delivery settings as code, when the stack config names the repository (`platform:github`).
if (config.github) {
  new DeliverySettings("delivery", {
    github: config.github,
    environment,
    location,
    resourceGroupName,
    resourceGroupId: network.resourceGroupId,
    registryId: registry.registryId,
    registryLoginServer: registry.loginServer,
    clusterId: cluster.clusterId,
    // Pulumi runs the program in the project's directory.
    requiredChecks: readRequiredChecks(
      readFileSync(path.join(process.cwd(), ".github", "required-checks.json"), "utf8"),
    ),
  });
}

export const environmentName = environment.name;
export const registryLoginServer = registry.loginServer;
export const clusterName = cluster.clusterName;
export const kubeconfig = cluster.kubeconfig;
export const databaseHost = mysql.host;
export const cacheHost = redis.host;
/** Apps without an entry in `platform:images`: this environment does not run them yet. */
export const notDeployed = config.notDeployed;
/** What each app runs here, by digest: what `platform promote` copies to the next environment. */
export const images = Object.fromEntries(
  deployed.map((app) => {
    const { tag } = config.images[app]!;
    const digest = pulumi.output(digests[app]!);
    return [
      app,
      { tag, digest, image: pulumi.interpolate`${loginServerOf(environment)}/${app}:${tag}@${digest}` },
    ];
  }),
);
