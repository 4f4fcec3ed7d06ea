import { checkEnvironments, environments } from "./environments";
import type { EnvironmentSettings } from "./settings";

describe("environment settings", () => {
  test("the shipped settings pass every check", () => {
    expect(checkEnvironments(environments)).toEqual([]);
  });

  test("acceptance builds; production promotes from acceptance", () => {
    expect([environments.acceptance.buildsImages, environments.acceptance.upstream]).toEqual([
      true,
      undefined,
    ]);
    expect([environments.production.buildsImages, environments.production.upstream]).toEqual([
      false,
      "acceptance",
    ]);
  });

  const broken = (change: (production: EnvironmentSettings) => EnvironmentSettings) =>
    checkEnvironments({ ...environments, production: change(environments.production) });

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
      "a backward upstream",
      (p) => ({ ...p, upstream: "production" }),
      "environments.production.upstream: 'production' must be the previous environment, 'acceptance'",
    ],
    [
      "no upstream for a non-building environment",
      (p) => ({ ...p, upstream: undefined }),
      "environments.production.buildsImages: an environment that does not build images needs an upstream to promote from",
    ],
    [
      "a pool whose minimum exceeds its maximum",
      (p) => ({ ...p, cluster: { ...p.cluster, workloadPool: { vmSize: "x", minCount: 4, maxCount: 2 } } }),
      "environments.production.cluster.workloadPool: minCount 4 exceeds maxCount 2",
    ],
  ])("flags %s", (_, change, message) => {
    expect(broken(change)).toContain(message);
  });
});
