import type { Weekday } from "../lib/zoned-time";

// The pipeline's order and the environment names are the record of settings files in pipeline.ts.
export { environmentNames, type EnvironmentName } from "./pipeline";
import type { EnvironmentName } from "./pipeline";

/** Azure Kubernetes Service settings of one environment. */
export interface ClusterSettings {
  /** AKS pricing tier: `Free` has no uptime SLA, `Standard` has one. */
  readonly tier: "Free" | "Standard";
  /** Availability zones of every node pool; empty means no zone placement. */
  readonly zones: readonly string[];
  /**
   * The small system pool kept inline in the cluster. Create-only: changing it is a runbook (a new
   * system pool, then the old one deleted), docs/decisions/0036.
   */
  readonly systemPool: { readonly vmSize: string; readonly count: number };
  /** The autoscaled pool the apps run on, a separate `AgentPool`. */
  readonly workloadPool: { readonly vmSize: string; readonly minCount: number; readonly maxCount: number };
  /**
   * IPv4 ranges (CIDR) allowed to reach the API server: the egress addresses of the runners that
   * deploy and preview this environment (their Kubernetes provider calls it), and of the
   * operators who use `kubectl`. Never empty: an empty list would open the API server to every
   * address (docs/decisions/0012). The cluster's own outbound address (its load balancer's) is
   * allowed by AKS itself.
   */
  readonly authorizedIpRanges: readonly string[];
  /** Entra ID groups that administer the cluster through Azure RBAC. */
  readonly adminGroupObjectIds: readonly string[];
  /**
   * AKS automatic upgrade channel of the Kubernetes version. Every environment follows the same
   * one, so that acceptance runs what production will run next.
   */
  readonly upgradeChannel: "patch" | "stable" | "rapid" | "node-image";
  /** AKS automatic upgrade channel of the node OS image. */
  readonly nodeOsUpgradeChannel: "NodeImage" | "SecurityPatch" | "Unmanaged";
  /**
   * When AKS may start upgrades of the Kubernetes version and of the node image: the cluster's
   * `aksManagedAutoUpgradeSchedule` and `aksManagedNodeOSUpgradeSchedule`. An environment's
   * window closes before its downstream environment's opens.
   */
  readonly maintenanceWindow: MaintenanceWindow;
}

/** A weekly AKS planned-maintenance window, in UTC. */
export interface MaintenanceWindow {
  readonly dayOfWeek: "Monday" | "Tuesday" | "Wednesday" | "Thursday" | "Friday" | "Saturday" | "Sunday";
  /** Opening time, `HH:mm` (00:00 to 23:59), UTC. */
  readonly startTime: string;
  /** Length in whole hours, 4 to 24: AKS needs at least four hours for an automatic upgrade. */
  readonly durationHours: number;
}

/** Azure Database for MySQL Flexible Server settings of one environment. */
export interface MySqlSettings {
  /**
   * MySQL major version. `8.0.21` (MySQL 8.0) is the newest the SDK's API offers; it is on paid
   * extended support since 2026-06-01 (docs/decisions/0010-mysql-8-0-on-extended-support.md).
   */
  readonly version: "8.0.21";
  readonly sku: { readonly name: string; readonly tier: "Burstable" | "GeneralPurpose" | "MemoryOptimized" };
  /**
   * Storage at creation, in GiB. Azure grows it when it is nearly full (auto-grow) and it never
   * shrinks, so the program leaves an existing server's size alone: changing this later has no
   * effect (scale by hand with `az mysql flexible-server update --storage-size`).
   */
  readonly storageSizeGb: number;
  /**
   * Copies of the data files within one zone (`LocalRedundancy`) or across zones
   * (`ZoneRedundancy`, what zone-redundant high availability keeps them in). Fixed at creation.
   */
  readonly storageRedundancy: "LocalRedundancy" | "ZoneRedundancy";
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

/**
 * Where the certificates of the public hosts come from: cert-manager asks an ACME certificate
 * authority for each Ingress's hosts, proving control over HTTP-01 through the application routing
 * add-on (docs/decisions/0015).
 */
export interface TlsSettings {
  /**
   * The ACME directory URL (https). Its certificates must be ones browsers trust: Let's Encrypt's
   * production directory, `https://acme-v02.api.letsencrypt.org/directory`, not its staging one.
   */
  readonly acmeServer: string;
  /**
   * Contact address of the ACME account. Absent: an account without contact (Let's Encrypt sends
   * no expiry mail since 2025-06-04, and refuses addresses at example.com, .net and .org).
   */
  readonly acmeEmail?: string;
}

/** A weekly window in which promotions may deploy, in the policy's time zone. */
export interface PromotionWindow {
  /** The days it opens on (`Monday` ... `Sunday`). */
  readonly days: readonly Weekday[];
  /** Opening time, `HH:mm`, local. */
  readonly from: string;
  /** Closing time, `HH:mm`, local, later than `from` the same day (a window never spans midnight). */
  readonly to: string;
}

/** A dated freeze: no promotion deploys from `from` until `to` (local times), for `reason`. */
export interface Freeze {
  /** `YYYY-MM-DDTHH:mm`, local to the policy's time zone. */
  readonly from: string;
  /** `YYYY-MM-DDTHH:mm`, local, after `from`. */
  readonly to: string;
  /** Why, as the gate prints it: `year-end freeze`. */
  readonly reason: string;
}

/**
 * When a promotion into an environment may deploy (docs/decisions/0047). A rollback to a set the
 * environment verified before is always allowed; `promotion:break-glass` with two approvals
 * lifts the soak, the windows and the freezes, never the verification.
 */
export interface PromotionPolicy {
  /**
   * Minutes the upstream must have run the promoted set, verified, before it may move on (its
   * record's age, counted while it still ran there). @default 0
   */
  readonly soakMinutes?: number;
  /** The IANA time zone windows and freezes are written in, for example `Europe/Amsterdam`. */
  readonly timeZone: string;
  /** When promotions may deploy; absent or empty: at any time outside a freeze. */
  readonly windows?: readonly PromotionWindow[];
  readonly freezes?: readonly Freeze[];
}

/** Everything that differs between environments apart from image versions. */
export interface EnvironmentSettings {
  readonly name: EnvironmentName;
  /**
   * The environment this one promotes from: the one before it in {@link environmentNames}; the
   * first of the pipeline has none. Derived, never written (see {@link EnvironmentDefinition}).
   */
  readonly upstream?: EnvironmentName;
  /** Builds and pushes the app images; otherwise deploys only promoted `tag@digest` references. */
  readonly buildsImages: boolean;
  /**
   * Name of the environment's resource group. The bootstrap stack creates it (with the deploy
   * identity's rights on it); the environment's stack deploys into it.
   */
  readonly resourceGroupName: string;
  /** Address space of the environment's virtual network, a /16. */
  readonly addressSpace: string;
  readonly cluster: ClusterSettings;
  readonly mysql: MySqlSettings;
  readonly redis: RedisSettings;
  readonly tls: TlsSettings;
  readonly podSecurity: PodSecuritySettings;
  /** Days the Log Analytics workspace keeps logs. */
  readonly logRetentionDays: number;
  /** When promotions into this environment may deploy; absent: any time, no soak. */
  readonly promotion?: PromotionPolicy;
}

/**
 * The pod security initiative (restricted) the bootstrap assigns to the environment's resource
 * group (docs/decisions/0016, 0033). Every pod the platform renders meets it
 * (infra/pod-security.test.ts), so `deny` needs only this switch.
 */
export interface PodSecuritySettings {
  /**
   * `audit` reports a non-compliant pod in Azure Policy's compliance view; `deny` makes the
   * Azure Policy add-on's Gatekeeper refuse it at admission.
   */
  readonly effect: "audit" | "deny";
  /**
   * Namespaces the initiative skips besides its own defaults (kube-system, gatekeeper-system,
   * azure-arc, azure-extensions-usage-system): the AKS add-ons' own, whose pods the platform
   * does not write, such as the application routing add-on's `app-routing-system`.
   */
  readonly excludedNamespaces: readonly string[];
}

/** An environment's settings as its file writes them: everything but what the pipeline's order says. */
export type EnvironmentDefinition = Omit<EnvironmentSettings, "upstream">;
