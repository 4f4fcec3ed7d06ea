// What a reviewer of infrastructure changes looks at in each resource of a Pulumi plan.
import type { Registration } from "../../engine/mock-engine";
import { roles } from "../../lib/role-ids";
import { valueAt } from "../../lib/values";

/** One input of a resource as a reviewer sees it: a dotted path and its value. */
export type ReviewInput = readonly [path: string, value: unknown];

const roleNames = new Map<string, string>(Object.entries(roles).map(([name, id]) => [id, name]));

/** Per type, the inputs that decide cost, size, security and what runs; the rest is noise in a review. */
const reviewPaths: Readonly<Record<string, readonly string[]>> = {
  "azure-native:resources:ResourceGroup": ["resourceGroupName", "location"],
  "azure-native:network:VirtualNetwork": ["addressSpace.addressPrefixes"],
  "azure-native:network:Subnet": ["addressPrefix", "delegations.0.serviceName"],
  "azure-native:containerservice:ManagedCluster": [
    "resourceName",
    "sku.tier",
    "agentPoolProfiles.0.vmSize",
    "agentPoolProfiles.0.count",
    "agentPoolProfiles.0.availabilityZones",
    "networkProfile.networkPluginMode",
    "networkProfile.networkPolicy",
    "aadProfile.enableAzureRBAC",
    "disableLocalAccounts",
    "apiServerAccessProfile.authorizedIPRanges",
    "autoUpgradeProfile.upgradeChannel",
    "oidcIssuerProfile.enabled",
    "securityProfile.workloadIdentity.enabled",
  ],
  "azure-native:containerservice:AgentPool": ["vmSize", "minCount", "maxCount", "availabilityZones"],
  "azure-native:containerregistry:Registry": ["registryName", "sku.name", "adminUserEnabled"],
  "azure-native:authorization:RoleAssignment": ["role", "scope"],
  "azure-native:dbformysql:Server": [
    "sku.name",
    "sku.tier",
    "storage.storageSizeGB",
    "highAvailability.mode",
    "backup.backupRetentionDays",
    "backup.geoRedundantBackup",
    "network.publicNetworkAccess",
    "administratorLoginPassword",
  ],
  "azure-native:dbformysql:Configuration": ["configurationName", "value"],
  "azure-native:dbformysql:Database": ["databaseName"],
  "azure-native:redisenterprise:RedisEnterprise": [
    "sku.name",
    "highAvailability",
    "minimumTlsVersion",
    "publicNetworkAccess",
  ],
  "azure-native:redisenterprise:Database": ["clientProtocol", "port"],
  "azure-native:operationalinsights:Workspace": ["retentionInDays"],
  "docker-build:index:Image": ["tags", "context.location"],
  "pulumi:providers:kubernetes": ["clusterIdentifier", "kubeconfig"],
  "kubernetes:apps/v1:Deployment": ["spec.replicas", "images"],
  "kubernetes:batch/v1:Job": ["images"],
  "kubernetes:batch/v1:CronJob": ["spec.schedule", "images"],
  "kubernetes:core/v1:Secret": ["stringData"],
  "kubernetes:networking.k8s.io/v1:Ingress": ["spec.rules.0.host"],
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": ["spec.minReplicas", "spec.maxReplicas"],
  "kubernetes:helm.sh/v3:Release": ["chart", "version"],
  "kubernetes:cert-manager.io/v1:ClusterIssuer": ["spec.acme.server"],
};

/** Every container image in an object, wherever pods are described. */
export function imagesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(imagesOf);
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    (key === "containers" || key === "initContainers") && Array.isArray(item)
      ? item.map((container) => String((container as { image?: unknown }).image))
      : imagesOf(item),
  );
}

/** The inputs of a registration that a reviewer looks at, in a fixed order; secrets already masked. */
export function reviewInputs(registration: Pick<Registration, "type" | "inputs">): ReviewInput[] {
  const paths = reviewPaths[registration.type] ?? [];
  return paths.flatMap((path): ReviewInput[] => {
    if (path === "images") return imagesOf(registration.inputs).map((image) => ["image", image] as const);
    if (path === "role") {
      const definition = registration.inputs["roleDefinitionId"];
      const id = typeof definition === "string" ? (definition.split("/").pop() ?? "") : "";
      return [["role", roleNames.get(id) ?? id]];
    }
    const value = valueAt(registration.inputs, path);
    return value === undefined ? [] : [[path, value]];
  });
}
