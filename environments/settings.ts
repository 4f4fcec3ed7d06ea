/** The environments of the pipeline, in promotion order. */
export const environmentNames = ["acceptance", "production"] as const;

/** The name of one environment; its stack is named the same (`pulumi up -s acceptance`). */
export type EnvironmentName = (typeof environmentNames)[number];

/** Azure Kubernetes Service settings of one environment. */
export interface ClusterSettings {
  /** AKS pricing tier: `Free` has no uptime SLA, `Standard` has one. */
  readonly tier: "Free" | "Standard";
  /** Availability zones of every node pool; empty means no zone placement. */
  readonly zones: readonly string[];
  /** The small system pool kept inline in the cluster (it cannot change in place). */
  readonly systemPool: { readonly vmSize: string; readonly count: number };
  /** The autoscaled pool the apps run on, a separate `AgentPool`. */
  readonly workloadPool: { readonly vmSize: string; readonly minCount: number; readonly maxCount: number };
  /** CIDR ranges allowed to reach the API server; empty allows every address. */
  readonly authorizedIpRanges: readonly string[];
  /** Entra ID groups that administer the cluster through Azure RBAC. */
  readonly adminGroupObjectIds: readonly string[];
  /** Disables the static admin kubeconfig: only Entra ID identities get in. */
  readonly disableLocalAccounts: boolean;
  /** AKS automatic upgrade channel of the Kubernetes version. */
  readonly upgradeChannel: "patch" | "stable" | "rapid" | "node-image";
  /** AKS automatic upgrade channel of the node OS image. */
  readonly nodeOsUpgradeChannel: "NodeImage" | "SecurityPatch" | "Unmanaged";
}

/** Azure Database for MySQL Flexible Server settings of one environment. */
export interface MySqlSettings {
  readonly version: "8.0.21";
  readonly sku: { readonly name: string; readonly tier: "Burstable" | "GeneralPurpose" | "MemoryOptimized" };
  readonly storageSizeGb: number;
  readonly backupRetentionDays: number;
  readonly geoRedundantBackup: boolean;
  /** Zone-redundant high availability: a standby in another zone (not on Burstable). */
  readonly zoneRedundantHighAvailability: boolean;
}

/** Azure Managed Redis settings of one environment. */
export interface RedisSettings {
  /** Azure Managed Redis SKU, for example `Balanced_B0`. */
  readonly sku: string;
  /** Replicates the data set; without it a node failure loses the cache. */
  readonly highAvailability: boolean;
}

/** The shared container registry: one registry, owned by one stack, used by all. */
export interface RegistrySettings {
  /** Globally unique registry name (5-50 alphanumerics). */
  readonly name: string;
  /** Resource group of the shared resources, created by the owning stack. */
  readonly resourceGroupName: string;
  readonly sku: "Basic" | "Standard" | "Premium";
}

/** Everything that differs between environments apart from image versions. */
export interface EnvironmentSettings {
  readonly name: EnvironmentName;
  /** The environment this one promotes from; the first of the pipeline has none. */
  readonly upstream?: EnvironmentName;
  /** Builds and pushes the app images; otherwise deploys only promoted `tag@digest` references. */
  readonly buildsImages: boolean;
  /** Owns the shared resources (the registry); the other stacks attach to them. */
  readonly ownsSharedResources: boolean;
  /** Name of the environment's resource group. */
  readonly resourceGroupName: string;
  /** Address space of the environment's virtual network, a /16. */
  readonly addressSpace: string;
  readonly cluster: ClusterSettings;
  readonly mysql: MySqlSettings;
  readonly redis: RedisSettings;
  /** Days the Log Analytics workspace keeps logs. */
  readonly logRetentionDays: number;
  readonly registry: RegistrySettings;
}
