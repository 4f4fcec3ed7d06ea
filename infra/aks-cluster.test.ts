import { runProgram } from "../engine/mock-engine";
import { production } from "../environments/production";
import { networkLayout } from "../environments/network-layout";
import type { ClusterSettings } from "../environments/settings";

/** Builds only the cluster component, with the given settings, under the mock engine. */
async function clusterInputs(settings: ClusterSettings): Promise<Record<string, unknown>> {
  let inputs: Record<string, unknown> = {};
  await jest.isolateModulesAsync(async () => {
    const pulumi = (await import("@pulumi/pulumi")) as typeof import("@pulumi/pulumi");
    const run = await runProgram({
      stack: "production",
      config: {},
      pulumi,
      load: async () => {
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
      },
    });
    inputs = run.registrations.find((r) => r.type === "azure-native:containerservice:ManagedCluster")!.inputs;
  });
  return inputs;
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
