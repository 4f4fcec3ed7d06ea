import { checkedEnvironments, checkEnvironments, environments, EnvironmentsError } from "./environments";
import { environmentNames } from "./settings";
import type { EnvironmentSettings, MaintenanceWindow } from "./settings";

describe("environment settings", () => {
  test("the shipped settings pass every check", () => {
    expect(checkEnvironments(environments)).toEqual([]);
  });

  test("each environment promotes from the one before it in the pipeline; the first from none", () => {
    expect(environmentNames.map((name) => environments[name].upstream)).toEqual([
      undefined,
      ...environmentNames.slice(0, -1),
    ]);
  });

  // A settings file copied from another that kept its group or its range (issue 23): both named.
  test.each<[string, Partial<EnvironmentSettings>, string[]]>([
    [
      "a resource group of another environment (case-insensitive, as Azure's names are)",
      { resourceGroupName: "RG-Platform-Acceptance" },
      [
        "environments.production.resourceGroupName: 'RG-Platform-Acceptance' is acceptance's resource group too ('rg-platform-acceptance'); each environment deploys into its own",
      ],
    ],
    [
      "the same address space",
      { addressSpace: "10.10.0.0/16" },
      [
        "environments.production.addressSpace: '10.10.0.0/16' overlaps acceptance's '10.10.0.0/16'; each environment needs a range of its own (peered networks may not overlap)",
      ],
    ],
    [
      "an address space inside another's, and not a /16",
      { addressSpace: "10.10.128.0/17" },
      [
        "environments.production.addressSpace: '10.10.128.0/17' is not a /16 network such as 10.30.0.0/16 (environments/network-layout.ts carves the subnets from a /16)",
        "environments.production.addressSpace: '10.10.128.0/17' overlaps acceptance's '10.10.0.0/16'; each environment needs a range of its own (peered networks may not overlap)",
      ],
    ],
    [
      "an address space that is no range",
      { addressSpace: "10.30.0.0" },
      [
        "environments.production.addressSpace: '10.30.0.0' is not a /16 network such as 10.30.0.0/16 (environments/network-layout.ts carves the subnets from a /16)",
      ],
    ],
  ])("refuses %s, naming both environments", (_, change, problems) => {
    expect(environments.acceptance).toMatchObject({
      resourceGroupName: "rg-platform-acceptance",
      addressSpace: "10.10.0.0/16",
    });
    expect(
      checkEnvironments({ ...environments, production: { ...environments.production, ...change } }),
    ).toEqual(problems);
  });

  test("a neighbouring range is no overlap", () => {
    expect(
      checkEnvironments({
        ...environments,
        production: { ...environments.production, addressSpace: "10.11.0.0/16" },
      }),
    ).toEqual([]);
  });

  test("checkedEnvironments throws every problem at once, each on its own line", () => {
    const copied = {
      ...environments.production,
      resourceGroupName: "rg-platform-acceptance",
      addressSpace: "10.10.0.0/16",
    };
    expect(() => checkedEnvironments({ ...environments, production: copied })).toThrow(
      new EnvironmentsError([
        "environments.production.resourceGroupName: 'rg-platform-acceptance' is acceptance's resource group too ('rg-platform-acceptance'); each environment deploys into its own",
        "environments.production.addressSpace: '10.10.0.0/16' overlaps acceptance's '10.10.0.0/16'; each environment needs a range of its own (peered networks may not overlap)",
      ]),
    );
  });

  test("the first environment builds the images: nothing upstream of it could", () => {
    expect(environments[environmentNames[0]].buildsImages).toBe(true);
  });

  const broken = (change: (production: EnvironmentSettings) => EnvironmentSettings) =>
    checkEnvironments({ ...environments, production: change(environments.production) });
  const window = (p: EnvironmentSettings, change: Partial<MaintenanceWindow>): EnvironmentSettings => ({
    ...p,
    cluster: { ...p.cluster, maintenanceWindow: { ...p.cluster.maintenanceWindow, ...change } },
  });

  test.each<[string, (p: EnvironmentSettings) => EnvironmentSettings, string]>([
    [
      "HA on Burstable",
      (p) => ({ ...p, mysql: { ...p.mysql, sku: { name: "Standard_B2s", tier: "Burstable" } } }),
      "environments.production.mysql: zone-redundant high availability is not available on the Burstable tier",
    ],
    [
      "HA without zones",
      (p) => ({ ...p, cluster: { ...p.cluster, zones: [] } }),
      "environments.production.mysql: zone-redundant high availability needs at least two zones in cluster.zones",
    ],
    [
      "a pool whose minimum exceeds its maximum",
      (p) => ({ ...p, cluster: { ...p.cluster, workloadPool: { vmSize: "x", minCount: 4, maxCount: 2 } } }),
      "environments.production.cluster.workloadPool: minCount 4 exceeds maxCount 2",
    ],
    [
      "zone-redundant HA on locally redundant storage",
      (p) => ({ ...p, mysql: { ...p.mysql, storageRedundancy: "LocalRedundancy" } }),
      "environments.production.mysql.storageRedundancy: 'LocalRedundancy' with zone-redundant high availability; its data files belong in zone-redundant storage ('ZoneRedundancy')",
    ],
    [
      "a Kubernetes upgrade channel other than acceptance's",
      (p) => ({ ...p, cluster: { ...p.cluster, upgradeChannel: "patch" } }),
      "environments.production.cluster.upgradeChannel: 'patch' differs from acceptance's 'stable'; every environment must follow the same upgrade channel",
    ],
    [
      "a node image channel other than acceptance's",
      (p) => ({ ...p, cluster: { ...p.cluster, nodeOsUpgradeChannel: "SecurityPatch" } }),
      "environments.production.cluster.nodeOsUpgradeChannel: 'SecurityPatch' differs from acceptance's 'NodeImage'; every environment must follow the same upgrade channel",
    ],
    [
      "a maintenance window shorter than AKS needs",
      (p) => window(p, { durationHours: 3 }),
      "environments.production.cluster.maintenanceWindow.durationHours: 3 is not a whole number of hours from 4 to 24 (AKS needs at least 4 for an automatic upgrade)",
    ],
    [
      "a maintenance window that starts at no time of day",
      (p) => window(p, { startTime: "24:00" }),
      "environments.production.cluster.maintenanceWindow.startTime: '24:00' is not a time of day (HH:mm, 00:00 to 23:59)",
    ],
    [
      "production's window overlapping acceptance's",
      (p) => window(p, { dayOfWeek: "Monday", startTime: "04:00" }),
      "environments.production.cluster.maintenanceWindow: opens 2 h after acceptance's (Monday 02:00 UTC, 4 h); it must open after that window closes and at most 84 h after it opens, so that acceptance upgrades first",
    ],
    [
      "production's window just before acceptance's",
      (p) => window(p, { dayOfWeek: "Sunday" }),
      "environments.production.cluster.maintenanceWindow: opens 144 h after acceptance's (Monday 02:00 UTC, 4 h); it must open after that window closes and at most 84 h after it opens, so that acceptance upgrades first",
    ],
    [
      "an API server open to every address",
      (p) => ({ ...p, cluster: { ...p.cluster, authorizedIpRanges: [] } }),
      "environments.production.cluster.authorizedIpRanges: empty, which opens the API server to every address; list the egress ranges (CIDR) of the runners that deploy and preview this environment and of its operators (docs/decisions/0012)",
    ],
    [
      "the whole internet as an authorized range",
      (p) => ({ ...p, cluster: { ...p.cluster, authorizedIpRanges: ["0.0.0.0/0"] } }),
      "environments.production.cluster.authorizedIpRanges[0]: '0.0.0.0/0' allows 4294967296 addresses; a /0 is the internet, not a runner's egress",
    ],
    [
      "an authorized range that is no CIDR",
      (p) => ({ ...p, cluster: { ...p.cluster, authorizedIpRanges: ["203.0.113.0/28", "203.0.113.300"] } }),
      "environments.production.cluster.authorizedIpRanges[1]: '203.0.113.300' is not an IPv4 range in CIDR notation (such as 203.0.113.0/28)",
    ],
    [
      "an authorized range with host bits set",
      (p) => ({ ...p, cluster: { ...p.cluster, authorizedIpRanges: ["203.0.113.5/28"] } }),
      "environments.production.cluster.authorizedIpRanges[0]: '203.0.113.5/28' has host bits set; write the network address of the range",
    ],
  ])("flags %s", (_, change, message) => {
    expect(broken(change)).toContain(message);
  });
});

test("acceptance's API server is closed the same way as production's", () => {
  expect(
    checkEnvironments({
      ...environments,
      acceptance: {
        ...environments.acceptance,
        cluster: { ...environments.acceptance.cluster, authorizedIpRanges: [] },
      },
    }),
  ).toEqual([
    "environments.acceptance.cluster.authorizedIpRanges: empty, which opens the API server to every address; list the egress ranges (CIDR) of the runners that deploy and preview this environment and of its operators (docs/decisions/0012)",
  ]);
});

test("a first environment that does not build images is refused: it has nothing to promote from", () => {
  expect(
    checkEnvironments({ ...environments, acceptance: { ...environments.acceptance, buildsImages: false } }),
  ).toEqual([
    "environments.acceptance.buildsImages: the first environment of the pipeline has no upstream to promote from, so it must build the images",
  ]);
});

describe("the TLS settings", () => {
  test("both environments get browser-trusted certificates from Let's Encrypt, without contact", () => {
    for (const environment of [environments.acceptance, environments.production])
      expect(environment.tls).toEqual({ acmeServer: "https://acme-v02.api.letsencrypt.org/directory" });
  });

  const withTls = (name: "acceptance" | "production", tls: EnvironmentSettings["tls"]) =>
    checkEnvironments({ ...environments, [name]: { ...environments[name], tls } });

  test.each<[string, EnvironmentSettings["tls"], string]>([
    [
      "an ACME server over plain http",
      { acmeServer: "http://acme-v02.api.letsencrypt.org/directory" },
      "environments.acceptance.tls.acmeServer: 'http://acme-v02.api.letsencrypt.org/directory' is not an https URL of an ACME directory (Let's Encrypt: https://acme-v02.api.letsencrypt.org/directory)",
    ],
    [
      "an ACME server that is no URL",
      { acmeServer: "acme-v02.api.letsencrypt.org" },
      "environments.acceptance.tls.acmeServer: 'acme-v02.api.letsencrypt.org' is not an https URL of an ACME directory (Let's Encrypt: https://acme-v02.api.letsencrypt.org/directory)",
    ],
    [
      "Let's Encrypt's staging directory",
      { acmeServer: "https://acme-staging-v02.api.letsencrypt.org/directory" },
      "environments.acceptance.tls.acmeServer: 'https://acme-staging-v02.api.letsencrypt.org/directory' is a staging directory, whose certificates no browser trusts; public hosts need a trusted one (Let's Encrypt: https://acme-v02.api.letsencrypt.org/directory)",
    ],
    [
      "an empty contact address",
      { acmeServer: "https://acme-v02.api.letsencrypt.org/directory", acmeEmail: "" },
      "environments.acceptance.tls.acmeEmail: '' is not an email address; leave it out for an ACME account without contact",
    ],
    [
      "a contact address without domain",
      { acmeServer: "https://acme-v02.api.letsencrypt.org/directory", acmeEmail: "platform-team" },
      "environments.acceptance.tls.acmeEmail: 'platform-team' is not an email address; leave it out for an ACME account without contact",
    ],
    [
      "a contact address at an example domain",
      { acmeServer: "https://acme-v02.api.letsencrypt.org/directory", acmeEmail: "ops@Example.org" },
      "environments.acceptance.tls.acmeEmail: 'ops@Example.org' is at example.org, which Let's Encrypt refuses as a contact (an example domain)",
    ],
  ])("refuses %s, in any environment", (_, tls, message) => {
    expect(withTls("acceptance", tls)).toEqual([message]);
    expect(withTls("production", tls)).toEqual([
      message.replace("environments.acceptance", "environments.production"),
    ]);
  });

  test("takes a contact address at a real domain", () => {
    expect(
      withTls("production", {
        acmeServer: "https://acme-v02.api.letsencrypt.org/directory",
        acmeEmail: "platform-team@contoso.com",
      }),
    ).toEqual([]);
  });
});
