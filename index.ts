// The Pulumi program: one per environment stack (`pulumi up -s acceptance`). It reads and checks
// the stack config, builds the environment's components and exports what the CLI and the
// promotion flow read. Every difference between environments comes from `environments/`; what
// they share (the registry) comes from the bootstrap stack an administrator runs first.
import * as pulumi from "@pulumi/pulumi";
import { apps, databaseName, type AppName } from "./apps/catalog";
import { deployTimeValue } from "./apps/deploy-time-values";
import { environmentObjects } from "./apps/manifests";
import { bootstrapStackReference, checkRegistryOutput } from "./bootstrap/outputs";
import { networkLayout } from "./environments/network-layout";
import { readStackConfig } from "./environments/pulumi-config";
import {
  AksCluster,
  AppImages,
  AppWorkloads,
  Monitoring,
  MySqlServer,
  Network,
  RedisCache,
  RegistryPull,
} from "./infra";

const config = readStackConfig();
const { environment, location } = config;
const layout = networkLayout(environment.addressSpace);
const deployed = Object.keys(config.images) as AppName[];

const bootstrap = bootstrapStackReference(pulumi.getOrganization());
const registry = new pulumi.StackReference(bootstrap)
  .requireOutput("registry")
  .apply((value) => checkRegistryOutput(value, bootstrap));
const registryLoginServer = registry.loginServer;

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
const registryPull = new RegistryPull("registry-pull", {
  registryId: registry.id,
  kubeletObjectId: cluster.kubeletObjectId,
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
// entry downstream deploys that digest, once the registry shows it holds it, and builds nothing.
const appImages = new AppImages("images", {
  builds: deployed
    .filter((app) => config.images[app]!.digest === undefined)
    .map((app) => ({ app: apps[app], tag: config.images[app]!.tag })),
  pinned: deployed.flatMap((app) => {
    const { tag, digest } = config.images[app]!;
    return digest === undefined ? [] : [{ app, tag, digest }];
  }),
  registryLoginServer,
});
const digests = appImages.digests;

const objects = environmentObjects(config, deployTimeValue("registry.loginServer"));
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
      "registry.loginServer": registryLoginServer,
      ...Object.fromEntries(deployed.map((app) => [`image.${app}.digest`, digests[app]!])),
    },
    waitFor: [registryPull, cluster.workloadPool],
  },
  { providers: { kubernetes: cluster.provider } },
);

export const environmentName = environment.name;
export { registryLoginServer };
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
    return [app, { tag, digest, image: pulumi.interpolate`${registryLoginServer}/${app}:${tag}@${digest}` }];
  }),
);
