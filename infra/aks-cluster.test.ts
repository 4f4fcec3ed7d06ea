import { environments } from "../environments/environments";
import { ofType, only, runIsolated, runStack } from "../test/program";
import { production } from "../environments/production";
import { networkLayout } from "../environments/network-layout";
import type { ClusterSettings } from "../environments/settings";

/** Builds only the cluster component, with the given settings, under the mock engine. */
async function clusterInputs(settings: ClusterSettings): Promise<Record<string, unknown>> {
  const run = await runIsolated(async () => {
    const { AksCluster } = await import("./aks-cluster");
    new AksCluster("aks", {
      resourceGroupName: "rg",
      location: "westeurope",
      clusterName: "aks-test",
      settings,
      layout: networkLayout("10.30.0.0/16"),
      nodesSubnetId: "subnet-id",
      logAnalyticsWorkspaceId: "workspace-id",
    });
    return {};
  });
  return only(run, "azure-native:containerservice:ManagedCluster").inputs;
}

test("API-server authorized IP ranges and admin groups come from the settings", async () => {
  const inputs = await clusterInputs({
    ...production.cluster,
    authorizedIpRanges: ["203.0.113.0/24"],
    adminGroupObjectIds: ["00000000-0000-0000-0000-0000000000aa"],
  });
  expect(inputs["apiServerAccessProfile"]).toEqual({ authorizedIPRanges: ["203.0.113.0/24"] });
  expect(inputs["aadProfile"]).toEqual({
    managed: true,
    enableAzureRBAC: true,
    adminGroupObjectIDs: ["00000000-0000-0000-0000-0000000000aa"],
  });
  expect(inputs["networkProfile"]).toMatchObject({
    podCidr: "192.168.0.0/16",
    serviceCidr: "172.16.0.0/16",
    dnsServiceIP: "172.16.0.10",
  });
});

test("a cluster without authorized IP ranges is refused: its API server would be open to every address", async () => {
  await expect(clusterInputs({ ...production.cluster, authorizedIpRanges: [] })).rejects.toThrow(
    "aks: settings.authorizedIpRanges is empty, which would open the API server of aks-test to every address",
  );
});

describe.each(["acceptance", "production"] as const)("%s cluster upgrades", (stack) => {
  let run: Awaited<ReturnType<typeof runStack>>;
  beforeAll(async () => {
    run = await runStack(stack);
  });

  test("follow the stable channel, like every other environment", () => {
    expect(only(run, "azure-native:containerservice:ManagedCluster").inputs["autoUpgradeProfile"]).toEqual({
      upgradeChannel: "stable",
      nodeOSUpgradeChannel: "NodeImage",
    });
  });

  test("start only in the environment's weekly maintenance window, for Kubernetes and the node image", () => {
    const { dayOfWeek, startTime, durationHours } = environments[stack].cluster.maintenanceWindow;
    const configurations = ofType(run, "azure-native:containerservice:MaintenanceConfiguration");
    expect(
      configurations.map(({ name, inputs }) => [name, inputs["configName"], inputs["resourceName"]]),
    ).toEqual([
      ["aks-kubernetes-upgrades", "aksManagedAutoUpgradeSchedule", `aks-platform-${stack}`],
      ["aks-node-os-upgrades", "aksManagedNodeOSUpgradeSchedule", `aks-platform-${stack}`],
    ]);
    for (const { inputs } of configurations) {
      expect(inputs["maintenanceWindow"]).toEqual({
        schedule: { weekly: { dayOfWeek, intervalWeeks: 1 } },
        startTime,
        durationHours,
        utcOffset: "+00:00",
      });
    }
  });
});

test("acceptance's window closes before production's opens, on the day before", () => {
  expect(environments.acceptance.cluster.maintenanceWindow).toEqual({
    dayOfWeek: "Monday",
    startTime: "02:00",
    durationHours: 4,
  });
  expect(environments.production.cluster.maintenanceWindow).toEqual({
    dayOfWeek: "Tuesday",
    startTime: "02:00",
    durationHours: 4,
  });
});

test("the cluster ignores what AKS changes by itself: the Kubernetes version and the pool list (docs/decisions/0036)", async () => {
  const ignoreChanges = new Map<string, string[]>();
  await runIsolated(async (pulumi) => {
    const monitor = pulumi.runtime.getMonitor() as unknown as {
      registerResource(
        request: { getName(): string; getIgnorechangesList(): string[] },
        callback: unknown,
      ): void;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request, callback) => {
      ignoreChanges.set(request.getName(), request.getIgnorechangesList());
      register(request, callback);
    };
    const { AksCluster } = await import("./aks-cluster");
    new AksCluster("aks", {
      resourceGroupName: "rg",
      location: "westeurope",
      clusterName: "aks-test",
      settings: production.cluster,
      layout: networkLayout("10.30.0.0/16"),
      nodesSubnetId: "subnet-id",
      logAnalyticsWorkspaceId: "workspace-id",
    });
    return {};
  });
  expect(ignoreChanges.get("aks-cluster")).toEqual(["kubernetesVersion", "agentPoolProfiles"]);
  // The autoscaler owns the workload pool's count.
  expect(ignoreChanges.get("aks-workload-pool")).toEqual(["count"]);
});

test.each(["acceptance", "production"] as const)(
  "%s: the inline system pool keeps the settings it was created with (create-only; changing it is a runbook, docs/decisions/0036)",
  (name) => {
    // A change here would be ignored by the cluster (ignoreChanges) and refused by AKS without it:
    // add a new system pool, move the add-ons, delete the old one (decision 0036), then update this.
    const created = {
      acceptance: { systemPool: { vmSize: "Standard_D2ds_v5", count: 1 }, zones: [] },
      production: { systemPool: { vmSize: "Standard_D2ds_v5", count: 3 }, zones: ["1", "2", "3"] },
    };
    const { systemPool, zones } = environments[name].cluster;
    expect({ systemPool, zones }).toEqual(created[name]);
  },
);
