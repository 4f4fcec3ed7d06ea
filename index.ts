// The Pulumi program: one per environment stack (`pulumi up -s acceptance`). It reads and checks
// the stack config, builds the environment's components and exports what the CLI and the
// promotion flow read. Every difference between environments comes from `environments/`; what
// they share (the registry) comes from the bootstrap stack an administrator runs first.
import * as pulumi from "@pulumi/pulumi";
import { apps, persistentNames, type AppName } from "./apps/catalog";
import { deployTimeValue } from "./apps/manifests/deploy-time-values";
import { appsNamespace } from "./apps/manifests/kube-object";
import { environmentObjects } from "./apps/manifests/environment-objects";
import { mysqlPasswordValue } from "./apps/manifests/mysql-users";
import { bootstrapStackReference, checkRegistryOutput } from "./bootstrap/outputs";
import { networkLayout } from "./environments/network-layout";
import { environmentPlaceholders, refusePlaceholders } from "./environments/placeholder-ranges";
import { readProjectFile, stackConfigOfPulumi, underMockEngine } from "./stack-config/from-pulumi";
import {
  AksCluster,
  AppIdentities,
  AppImages,
  AppWorkloads,
  CertManager,
  Monitoring,
  MySqlServer,
  Network,
  RedisCache,
  RegistryPull,
} from "./infra";

const config = stackConfigOfPulumi();
const { environment, location } = config;
// Documentation ranges are placeholders: a real preview or up stops here, before any resource.
refusePlaceholders(environmentPlaceholders(environment, readProjectFile), underMockEngine(), pulumi.log.warn);
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
  resourceGroupName,
  location,
  privateEndpointSubnetId: network.privateEndpointsSubnetId,
  virtualNetworkId: network.virtualNetworkId,
});
// Every app of the catalog, deployed here or not, has its identity, database user and cache access,
// so that a promotion changes nothing but images.
// Names that state carries come from the apps' persistent names, so that a renamed app keeps them.
const names = (app: AppName) => persistentNames(apps[app]);
const identities = new AppIdentities("identities", {
  resourceGroupName,
  location,
  apps: Object.values(apps).map((app) => {
    const { identity, kubernetes } = persistentNames(app);
    return { identity, serviceAccount: kubernetes };
  }),
  namespace: appsNamespace,
  oidcIssuerUrl: cluster.oidcIssuerUrl,
  namePrefix: `id-platform-${environment.name}`,
});
const mysqlApps = Object.values(apps).filter((app) => app.uses.mysql);
const mysql = new MySqlServer("mysql", {
  resourceGroupName,
  location,
  settings: environment.mysql,
  zones: environment.cluster.zones,
  delegatedSubnetId: network.mysqlSubnetId,
  virtualNetworkId: network.virtualNetworkId,
  privateDnsZoneName: `platform-${environment.name}.private.mysql.database.azure.com`,
  databases: mysqlApps.map((app) => persistentNames(app).database),
  logAnalyticsWorkspaceId: monitoring.workspaceId,
});
const redis = new RedisCache("redis", {
  resourceGroupName,
  location,
  settings: environment.redis,
  privateEndpointSubnetId: network.privateEndpointsSubnetId,
  virtualNetworkId: network.virtualNetworkId,
  logAnalyticsWorkspaceId: monitoring.workspaceId,
  users: Object.fromEntries(
    Object.values(apps)
      .filter((app) => app.uses.redis)
      .map((app) => persistentNames(app))
      .map(({ identity }) => [identity, identities.principalIds[identity]!]),
  ),
});

// Acceptance builds the tags its config names; an entry pinned to a digest (a rollback) and every
// entry downstream deploys that digest, once the registry shows it holds it, and builds nothing.
const appImages = new AppImages("images", {
  builds: deployed
    .filter((app) => config.images[app]!.digest === undefined)
    .map((app) => ({ app: apps[app], tag: config.images[app]!.tag })),
  pinned: deployed.flatMap((app) => {
    const { tag, digest } = config.images[app]!;
    return digest === undefined ? [] : [{ app, repository: names(app).imageRepository, tag, digest }];
  }),
  registryLoginServer,
});
const digests = appImages.digests;

// Gets and renews the public hosts' certificates from the ClusterIssuer among the objects.
const certManager = new CertManager(
  "cert-manager",
  { environment: environment.name, waitFor: [cluster.workloadPool] },
  { providers: { kubernetes: cluster.provider } },
);

const objects = environmentObjects(config, deployTimeValue("registry.loginServer"));
new AppWorkloads(
  "workloads",
  {
    objects,
    deployTimeValues: {
      "mysql.host": mysql.host,
      "mysql.admin.username": mysql.adminLogin,
      "mysql.admin.password": mysql.adminPassword,
      ...Object.fromEntries(
        mysqlApps.map((app) => [
          mysqlPasswordValue(app.name),
          mysql.userPasswords[persistentNames(app).database]!,
        ]),
      ),
      "redis.host": redis.host,
      ...Object.fromEntries(
        (Object.keys(apps) as AppName[]).flatMap((app) => [
          [`identity.${app}.clientId`, identities.clientIds[names(app).identity]!],
          [`identity.${app}.principalId`, identities.principalIds[names(app).identity]!],
        ]),
      ),
      "registry.loginServer": registryLoginServer,
      ...Object.fromEntries(deployed.map((app) => [`image.${app}.digest`, digests[app]!])),
    },
    waitFor: [registryPull, cluster.workloadPool],
    customResourcesWaitFor: [certManager.release],
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
    const image = pulumi.interpolate`${registryLoginServer}/${names(app).imageRepository}:${tag}@${digest}`;
    return [app, { tag, digest, image }];
  }),
);
