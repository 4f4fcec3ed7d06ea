import type { EnvironmentDefinition } from "./settings";

/** Production: deploys only what acceptance ran, by digest, across three zones. */
export const production: EnvironmentDefinition = {
  name: "production",
  buildsImages: false,
  resourceGroupName: "rg-platform-production",
  addressSpace: "10.20.0.0/16",
  cluster: {
    tier: "Standard",
    zones: ["1", "2", "3"],
    systemPool: { vmSize: "Standard_D2ds_v5", count: 3 },
    workloadPool: { vmSize: "Standard_D4ds_v5", minCount: 3, maxCount: 9 },
    // An example range (RFC 5737, reserved for documentation): replace it with the static egress
    // ranges of the runners that deploy and preview this stack, and the operators' (docs/deploying.md,
    // step 2; docs/decisions/0012).
    authorizedIpRanges: ["203.0.113.0/28"],
    adminGroupObjectIds: [],
    upgradeChannel: "stable",
    nodeOsUpgradeChannel: "NodeImage",
    // A day after acceptance's, which normally gets an upgrade first (see AksCluster).
    maintenanceWindow: { dayOfWeek: "Tuesday", startTime: "02:00", durationHours: 4 },
  },
  mysql: {
    version: "8.0.21",
    sku: { name: "Standard_D2ads_v5", tier: "GeneralPurpose" },
    storageSizeGb: 64,
    storageRedundancy: "ZoneRedundancy",
    backupRetentionDays: 35,
    geoRedundantBackup: true,
    zoneRedundantHighAvailability: true,
  },
  redis: { sku: "Balanced_B1", highAvailability: true },
  tls: { acmeServer: "https://acme-v02.api.letsencrypt.org/directory" },
  // Audit until acceptance has deployed a release under deny (docs/decisions/0033).
  podSecurity: { effect: "audit", excludedNamespaces: ["app-routing-system"] },
  logRetentionDays: 90,
  // Acceptance's verified set runs there an hour before it may move on; promotions deploy in
  // office hours, when the people who can roll back are at work (docs/decisions/0047).
  promotion: {
    soakMinutes: 60,
    timeZone: "Europe/Amsterdam",
    windows: [
      { days: ["Monday", "Tuesday", "Wednesday", "Thursday"], from: "09:00", to: "16:00" },
      { days: ["Friday"], from: "09:00", to: "12:00" },
    ],
    freezes: [],
  },
};
