import { pipeline as definitions } from "./pipeline";
import { promotionPolicyProblems } from "./promotion-policy";
import {
  environmentNames,
  type EnvironmentDefinition,
  type EnvironmentName,
  type EnvironmentSettings,
  type MaintenanceWindow,
  type TlsSettings,
} from "./settings";

/**
 * Each environment's settings with the one before it in {@link environmentNames} as its
 * upstream: the order is the pipeline, so it is written once.
 */
function inPipelineOrder(
  definitions: Readonly<Record<EnvironmentName, EnvironmentDefinition>>,
): Record<EnvironmentName, EnvironmentSettings> {
  return Object.fromEntries(
    environmentNames.map((name, position) => [
      name,
      { ...definitions[name], ...(position > 0 ? { upstream: environmentNames[position - 1] } : {}) },
    ]),
  ) as Record<EnvironmentName, EnvironmentSettings>;
}

/** The settings files, in pipeline order; checked against each other at the end of this module. */
const pipeline = inPipelineOrder(definitions);

/** Narrows a string (a stack name, a command argument) to an environment name. */
export function isEnvironmentName(name: string): name is EnvironmentName {
  return (environmentNames as readonly string[]).includes(name);
}

/**
 * Checks the settings of all environments against each other and against Azure's rules that
 * would otherwise fail minutes into a deployment. Returns one message per problem.
 */
export function checkEnvironments(all: Readonly<Record<EnvironmentName, EnvironmentSettings>>): string[] {
  const problems: string[] = [];
  environmentNames.forEach((name, position) => {
    const env = all[name];
    const at = `environments.${name}`;
    if (env.name !== name) problems.push(`${at}.name: '${env.name}' must be '${name}'`);
    if (position === 0 && !env.buildsImages) {
      problems.push(
        `${at}.buildsImages: the first environment of the pipeline has no upstream to promote from, so it must build the images`,
      );
    }
    if (env.mysql.zoneRedundantHighAvailability && env.mysql.sku.tier === "Burstable") {
      problems.push(`${at}.mysql: zone-redundant high availability is not available on the Burstable tier`);
    }
    if (env.mysql.zoneRedundantHighAvailability && env.cluster.zones.length < 2) {
      problems.push(
        `${at}.mysql: zone-redundant high availability needs at least two zones in cluster.zones`,
      );
    }
    if (env.mysql.zoneRedundantHighAvailability && env.mysql.storageRedundancy !== "ZoneRedundancy") {
      problems.push(
        `${at}.mysql.storageRedundancy: '${env.mysql.storageRedundancy}' with zone-redundant high availability; its data files belong in zone-redundant storage ('ZoneRedundancy')`,
      );
    }
    if (env.mysql.backupRetentionDays < 1 || env.mysql.backupRetentionDays > 35) {
      problems.push(`${at}.mysql.backupRetentionDays: ${env.mysql.backupRetentionDays} is outside 1..35`);
    }
    if (env.cluster.workloadPool.minCount > env.cluster.workloadPool.maxCount) {
      problems.push(
        `${at}.cluster.workloadPool: minCount ${env.cluster.workloadPool.minCount} exceeds maxCount ${env.cluster.workloadPool.maxCount}`,
      );
    }
    if (env.cluster.zones.length > 0 && env.cluster.systemPool.count < env.cluster.zones.length) {
      problems.push(
        `${at}.cluster.systemPool.count: ${env.cluster.systemPool.count} nodes cannot cover ${env.cluster.zones.length} zones`,
      );
    }
    problems.push(
      ...maintenanceWindowProblems(env.cluster.maintenanceWindow, `${at}.cluster.maintenanceWindow`),
    );
    problems.push(
      ...authorizedIpRangeProblems(env.cluster.authorizedIpRanges, `${at}.cluster.authorizedIpRanges`),
    );
    problems.push(...tlsProblems(env.tls, `${at}.tls`));
    if (env.promotion !== undefined)
      problems.push(...promotionPolicyProblems(env.promotion, `${at}.promotion`));
    // Every environment follows the first one's upgrade channels: with different channels
    // acceptance would run a Kubernetes version production never gets, or the other way round.
    const first = all[environmentNames[0]];
    for (const key of ["upgradeChannel", "nodeOsUpgradeChannel"] as const) {
      if (env.cluster[key] !== first.cluster[key]) {
        problems.push(
          `${at}.cluster.${key}: '${env.cluster[key]}' differs from ${first.name}'s '${first.cluster[key]}'; every environment must follow the same upgrade channel`,
        );
      }
    }
    if (env.upstream !== undefined) problems.push(...windowOrderProblems(all[env.upstream], env));
    problems.push(...sharedWithEarlierProblems(all, position));
  });
  return problems;
}

/**
 * What an environment shares with one before it in the list: a settings file copied from another
 * that kept its resource group would deploy two stacks into one group (each `up` fighting over the
 * same resources), and one that kept its address space could never be peered or routed to the
 * other (Azure: peered virtual networks must have non-overlapping address spaces,
 * https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#requirements-and-constraints).
 */
function sharedWithEarlierProblems(
  all: Readonly<Record<EnvironmentName, EnvironmentSettings>>,
  position: number,
): string[] {
  const env = all[environmentNames[position]!];
  const at = `environments.${env.name}`;
  const problems: string[] = [];
  const range = parseIpv4Cidr(env.addressSpace);
  if (range === undefined || range.hostBits !== 0 || range.prefixLength !== 16) {
    problems.push(
      `${at}.addressSpace: '${env.addressSpace}' is not a /16 network such as 10.30.0.0/16 (environments/network-layout.ts carves the subnets from a /16)`,
    );
  }
  for (const earlier of environmentNames.slice(0, position).map((name) => all[name])) {
    // Resource group names are case-insensitive in Azure.
    if (earlier.resourceGroupName.toLowerCase() === env.resourceGroupName.toLowerCase()) {
      problems.push(
        `${at}.resourceGroupName: '${env.resourceGroupName}' is ${earlier.name}'s resource group too ('${earlier.resourceGroupName}'); each environment deploys into its own`,
      );
    }
    const other = parseIpv4Cidr(earlier.addressSpace);
    if (range !== undefined && other !== undefined && overlap(range, other)) {
      problems.push(
        `${at}.addressSpace: '${env.addressSpace}' overlaps ${earlier.name}'s '${earlier.addressSpace}'; each environment needs a range of its own (peered networks may not overlap)`,
      );
    }
  }
  return problems;
}

/** Whether two IPv4 ranges share an address: the shorter prefix's network holds the other's. */
function overlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const prefix = Math.min(a.prefixLength, b.prefixLength);
  const network = (cidr: Ipv4Cidr) => Math.floor(cidr.address / 2 ** (32 - prefix));
  return network(a) === network(b);
}

/** Settings that disagree with each other: every problem, each under its setting's path. */
export class EnvironmentsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`environments/ is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvironmentsError";
  }
}

/**
 * The environments, checked when they load: a program (`pulumi preview`, `up`) or a command
 * never runs with settings that {@link checkEnvironments} refuses, before any resource exists.
 *
 * @throws EnvironmentsError naming every problem
 */
export function checkedEnvironments(
  all: Readonly<Record<EnvironmentName, EnvironmentSettings>>,
): Readonly<Record<EnvironmentName, EnvironmentSettings>> {
  const problems = checkEnvironments(all);
  if (problems.length > 0) throw new EnvironmentsError(problems);
  return all;
}

/** Let's Encrypt's production directory: browser-trusted certificates. */
export const letsEncryptDirectory = "https://acme-v02.api.letsencrypt.org/directory";

/** Hosts of ACME directories for testing, whose certificates no browser trusts. */
export const untrustedAcmeHosts: readonly string[] = [
  "acme-staging-v02.api.letsencrypt.org",
  "dv.acme-v02.test-api.pki.goog",
];

/** Domains Let's Encrypt refuses in a contact address (RFC 2606 examples; Boulder's policy). */
const forbiddenMailDomains = ["example.com", "example.net", "example.org"];

/**
 * What would leave a public host without a trusted certificate, or what the ACME server would
 * refuse, in an environment's TLS settings (`at` is the setting's path).
 */
export function tlsProblems(tls: TlsSettings, at: string): string[] {
  const problems: string[] = [];
  const server = URL.canParse(tls.acmeServer) ? new URL(tls.acmeServer) : undefined;
  if (server?.protocol !== "https:") {
    problems.push(
      `${at}.acmeServer: '${tls.acmeServer}' is not an https URL of an ACME directory (Let's Encrypt: ${letsEncryptDirectory})`,
    );
  } else if (untrustedAcmeHosts.includes(server.hostname)) {
    problems.push(
      `${at}.acmeServer: '${tls.acmeServer}' is a staging directory, whose certificates no browser trusts; public hosts need a trusted one (Let's Encrypt: ${letsEncryptDirectory})`,
    );
  }
  if (tls.acmeEmail !== undefined) {
    const domain = /^[^@\s]+@((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})$/i.exec(tls.acmeEmail)?.[1];
    if (domain === undefined) {
      problems.push(
        `${at}.acmeEmail: '${tls.acmeEmail}' is not an email address; leave it out for an ACME account without contact`,
      );
    } else if (forbiddenMailDomains.includes(domain.toLowerCase())) {
      problems.push(
        `${at}.acmeEmail: '${tls.acmeEmail}' is at ${domain.toLowerCase()}, which Let's Encrypt refuses as a contact (an example domain)`,
      );
    }
  }
  return problems;
}

/** AKS takes at most 200 authorized ranges. */
const maxAuthorizedIpRanges = 200;

/**
 * What would leave the API server open to the internet, or what AKS would refuse, in an
 * environment's authorized IP ranges (`at` is the setting's path).
 */
export function authorizedIpRangeProblems(ranges: readonly string[], at: string): string[] {
  if (ranges.length === 0) {
    return [
      `${at}: empty, which opens the API server to every address; list the egress ranges (CIDR) of the runners that deploy and preview this environment and of its operators (docs/decisions/0012)`,
    ];
  }
  const problems: string[] = [];
  if (ranges.length > maxAuthorizedIpRanges) {
    problems.push(`${at}: ${ranges.length} ranges; AKS takes at most ${maxAuthorizedIpRanges}`);
  }
  ranges.forEach((range, index) => {
    const cidr = parseIpv4Cidr(range);
    if (cidr === undefined) {
      problems.push(
        `${at}[${index}]: '${range}' is not an IPv4 range in CIDR notation (such as 203.0.113.0/28)`,
      );
    } else if (cidr.prefixLength < 8) {
      problems.push(
        `${at}[${index}]: '${range}' allows ${2 ** (32 - cidr.prefixLength)} addresses; a /${cidr.prefixLength} is the internet, not a runner's egress`,
      );
    } else if (cidr.hostBits !== 0) {
      problems.push(`${at}[${index}]: '${range}' has host bits set; write the network address of the range`);
    }
  });
  const duplicates = ranges.filter((range, index) => ranges.indexOf(range) !== index);
  for (const range of new Set(duplicates)) problems.push(`${at}: '${range}' is listed more than once`);
  return problems;
}

/** An IPv4 range: its first address as a number, its prefix length and the address bits below it. */
interface Ipv4Cidr {
  readonly address: number;
  readonly prefixLength: number;
  readonly hostBits: number;
}

/** An IPv4 CIDR's address, prefix length and host bits; `undefined` when malformed. */
function parseIpv4Cidr(range: string): Ipv4Cidr | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(range);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefixLength > 32) return undefined;
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  return { address, prefixLength, hostBits: address % 2 ** (32 - prefixLength) };
}

const weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;
const hoursPerWeek = 7 * 24;

/** Hours from Monday 00:00 UTC to the window's opening; `undefined` when its time is malformed. */
function opensAt(window: MaintenanceWindow): number | undefined {
  const time = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(window.startTime);
  if (!time) return undefined;
  return weekdays.indexOf(window.dayOfWeek) * 24 + Number(time[1]) + Number(time[2]) / 60;
}

/** What AKS would refuse in a maintenance window, or not honour (`at` is the setting's path). */
export function maintenanceWindowProblems(window: MaintenanceWindow, at: string): string[] {
  const problems: string[] = [];
  if (!weekdays.includes(window.dayOfWeek)) {
    problems.push(`${at}.dayOfWeek: '${window.dayOfWeek}' is not a day of the week (${weekdays.join(", ")})`);
  }
  if (opensAt(window) === undefined) {
    problems.push(`${at}.startTime: '${window.startTime}' is not a time of day (HH:mm, 00:00 to 23:59)`);
  }
  const hours = window.durationHours;
  if (!Number.isInteger(hours) || hours < 4 || hours > 24) {
    problems.push(
      `${at}.durationHours: ${hours} is not a whole number of hours from 4 to 24 (AKS needs at least 4 for an automatic upgrade)`,
    );
  }
  return problems;
}

/**
 * An environment's window must open after its upstream's has closed, and less than half a week
 * after that one opened: otherwise the downstream environment in effect upgrades first.
 */
function windowOrderProblems(upstream: EnvironmentSettings, env: EnvironmentSettings): string[] {
  const before = upstream.cluster.maintenanceWindow;
  const after = env.cluster.maintenanceWindow;
  const [from, to] = [opensAt(before), opensAt(after)];
  if (from === undefined || to === undefined) return [];
  const gap = (((to - from) % hoursPerWeek) + hoursPerWeek) % hoursPerWeek;
  if (gap >= before.durationHours && gap <= hoursPerWeek / 2) return [];
  return [
    `environments.${env.name}.cluster.maintenanceWindow: opens ${gap} h after ${upstream.name}'s (${before.dayOfWeek} ${before.startTime} UTC, ${before.durationHours} h); it must open after that window closes and at most ${hoursPerWeek / 2} h after it opens, so that ${upstream.name} upgrades first`,
  ];
}

/**
 * Every environment's settings, by name, checked against each other (at the end of the module,
 * so that everything the check reads is initialised).
 */
export const environments: Readonly<Record<EnvironmentName, EnvironmentSettings>> =
  checkedEnvironments(pipeline);
