import type { EnvironmentDefinition } from "./settings";

/** Acceptance: the first environment. It builds the images. */
export const acceptance: EnvironmentDefinition = {
  name: "acceptance",
  buildsImages: true,
  resourceGroupName: "rg-platform-acceptance",
  addressSpace: "10.10.0.0/16",
  cluster: {
    tier: "Free",
    zones: [],
    systemPool: { vmSize: "Standard_D2ds_v5", count: 1 },
    workloadPool: { vmSize: "Standard_D4ds_v5", minCount: 1, maxCount: 3 },
    // An example range (RFC 5737, reserved for documentation): replace it with the static egress
    // ranges of the runners that deploy and preview this stack, and the operators' (docs/deploying.md,
    // step 2; docs/decisions/0012).
    authorizedIpRanges: ["203.0.113.0/28"],
    adminGroupObjectIds: [],
    upgradeChannel: "stable",
    nodeOsUpgradeChannel: "NodeImage",
    // A day before production's, so acceptance normally gets an upgrade first (see AksCluster).
    maintenanceWindow: { dayOfWeek: "Monday", startTime: "02:00", durationHours: 4 },
  },
  mysql: {
    version: "8.0.21",
    sku: { name: "Standard_B1ms", tier: "Burstable" },
    storageSizeGb: 20,
    storageRedundancy: "LocalRedundancy",
    backupRetentionDays: 7,
    geoRedundantBackup: false,
    zoneRedundantHighAvailability: false,
  },
  redis: { sku: "Balanced_B0", highAvailability: false },
  // Browser-trusted certificates here too: the public hosts of acceptance are public as well.
  tls: { acmeServer: "https://acme-v02.api.letsencrypt.org/directory" },
  // Deny here first: a pod the initiative refuses fails acceptance's deploy, not production's.
  podSecurity: { effect: "deny", excludedNamespaces: ["app-routing-system"] },
  logRetentionDays: 30,
};
