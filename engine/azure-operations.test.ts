import { bootstrapOutputs } from "../bootstrap/outputs";
import { acceptance } from "../environments/acceptance";
import { networkLayout } from "../environments/network-layout";
import { only, root, runIsolated, stackConfig } from "../test/program";
import { applyChanges, lockedDeletes, plannedOperations } from "./azure-operations";
import { mockSubscriptionId, type ProgramRun, type Registration } from "./mock-engine";
import { projectWorld } from "./world";

const registryId = bootstrapOutputs("contosoplatformacr", mockSubscriptionId).registry.id;
const roleAssignment = "azure-native:authorization:RoleAssignment";

/** A run of one resource, as the mock engine records it. */
const runOf = (...registrations: Partial<Registration>[]): ProgramRun => ({
  registrations: registrations.map((r) => ({
    urn: `urn:pulumi:acceptance::platform::${r.type}::${r.name}`,
    type: "",
    name: "",
    inputs: {},
    dependencies: [],
    custom: true,
    protect: false,
    retainOnDelete: false,
    ...r,
  })),
  invocations: [],
  reads: [],
  outputs: {},
});

describe("what pulumi up does between two runs", () => {
  const pull = (inputs: Record<string, unknown>) =>
    runOf({ type: roleAssignment, name: "registry-pull-kubelet", inputs });
  const assignment = { principalId: "kubelet-a", roleDefinitionId: "acrpull", scope: registryId };

  test.each([
    ["a new principal replaces a role assignment", { principalId: "kubelet-b" }, "replace", ["principalId"]],
    ["a new scope replaces it", { scope: `${registryId}x` }, "replace", ["scope"]],
    ["a new description updates it in place", { description: "pull" }, "update", undefined],
  ])("%s", (_, change, kind, createOnlyChanges) => {
    const [operation] = plannedOperations(pull(assignment), pull({ ...assignment, ...change }));
    expect([operation?.kind, operation?.createOnlyChanges]).toEqual([kind, createOnlyChanges]);
  });

  test("a cluster's pod range and its private endpoint's subnet are create-only; its inline pools are not", () => {
    const cluster = (inputs: Record<string, unknown>) =>
      runOf({ type: "azure-native:containerservice:ManagedCluster", name: "aks-cluster", inputs });
    const base = { networkProfile: { podCidr: "192.168.0.0/16" }, agentPoolProfiles: [{ vmSize: "a" }] };
    expect(
      plannedOperations(cluster(base), cluster({ ...base, networkProfile: { podCidr: "10.244.0.0/16" } })),
    ).toMatchObject([{ kind: "replace", createOnlyChanges: ["networkProfile.podCidr"] }]);
    expect(
      plannedOperations(cluster(base), cluster({ ...base, agentPoolProfiles: [{ vmSize: "b" }] })),
    ).toMatchObject([{ kind: "update" }]);
    const endpoint = (subnet: string) =>
      runOf({ type: "azure-native:network:PrivateEndpoint", name: "pe", inputs: { subnet: { id: subnet } } });
    expect(plannedOperations(endpoint("a"), endpoint("b"))).toMatchObject([
      { kind: "replace", createOnlyChanges: ["subnet"] },
    ]);
  });

  test("Azure refuses deleting a role assignment or an endpoint's connection under a locked registry, with ARM's message", () => {
    const endpoint = runOf({
      type: "azure-native:network:PrivateEndpoint",
      name: "registry-pull-endpoint",
      inputs: {
        resourceGroupName: "rg-platform-acceptance",
        privateLinkServiceConnections: [
          { name: "registry", privateLinkServiceId: registryId, groupIds: ["registry"] },
        ],
      },
    });
    const destroy = plannedOperations(
      { ...endpoint, registrations: [...endpoint.registrations, ...pull(assignment).registrations] },
      runOf(),
    );
    expect(lockedDeletes(destroy, [registryId])).toEqual([
      `PrivateEndpoint registry-pull-endpoint (deleting): ScopeLocked: Call to Microsoft.ContainerRegistry/registries failed. Error message: The scope '${registryId}/privateEndpointConnectionProxies/registry-pull-endpoint' cannot perform delete operation because following scope(s) are locked: '${registryId}'. Please remove the lock and try again.`,
      `RoleAssignment registry-pull-kubelet (deleting): ScopeLocked: The scope '${registryId}/providers/Microsoft.Authorization/roleAssignments/registry-pull-kubelet' cannot perform delete operation because following scope(s) are locked: '${registryId}'. Please remove the lock and try again.`,
    ]);
    // A lock on the group covers everything in it; a lock elsewhere covers nothing here.
    const group = `/subscriptions/${mockSubscriptionId}/resourceGroups/rg-platform-shared`;
    expect(lockedDeletes(destroy, [group])).toHaveLength(2);
    expect(lockedDeletes(destroy, [`${group}x`, `${registryId}x`])).toEqual([]);
  });
});

/**
 * The cluster and its registry access as index.ts wires them, with the pod range of `podCidr`:
 * a create-only input of the cluster.
 */
const clusterRun = (podCidr: string) =>
  runIsolated(
    async () => {
      const { AksCluster } = await import("../infra/aks-cluster");
      const { RegistryPull } = await import("../infra/registry-pull");
      const cluster = new AksCluster("aks", {
        resourceGroupName: "rg-platform-acceptance",
        location: "westeurope",
        clusterName: "aks-platform-acceptance",
        settings: acceptance.cluster,
        layout: { ...networkLayout(acceptance.addressSpace), podCidr },
        nodesSubnetId: "nodes-subnet",
        logAnalyticsWorkspaceId: "workspace",
      });
      new RegistryPull("registry-pull", {
        registryId,
        kubeletObjectId: cluster.kubeletObjectId,
        resourceGroupName: "rg-platform-acceptance",
        location: "westeurope",
        privateEndpointSubnetId: "endpoints-subnet",
        virtualNetworkId: "vnet",
      });
      return { kubelet: cluster.kubeletObjectId };
    },
    { stack: "acceptance" },
  );

describe("replacing the cluster replaces its kubelet's AcrPull on the shared registry", () => {
  let before: ProgramRun;
  let after: ProgramRun;
  beforeAll(async () => {
    [before, after] = [await clusterRun("192.168.0.0/16"), await clusterRun("10.244.0.0/16")];
  });

  test("the new cluster has a new kubelet identity, so the assignment is replaced", () => {
    expect(after.outputs["kubelet"]).not.toBe(before.outputs["kubelet"]);
    const operations = plannedOperations(before, after);
    const replaced = operations
      .filter((o) => o.kind === "replace")
      .map((o) => [o.resource.name, o.createOnlyChanges]);
    expect(replaced).toEqual([
      ["aks-cluster", ["networkProfile.podCidr"]],
      ["registry-pull-kubelet", ["principalId"]],
    ]);
    expect(only(after, roleAssignment, "registry-pull-kubelet").inputs["scope"]).toBe(registryId);
  });

  test("with a lock on the registry (the former bootstrap stack), Azure refuses the old assignment's delete", () => {
    expect(() => applyChanges(before, after, [registryId])).toThrow(
      `RoleAssignment registry-pull-kubelet (replacing): ScopeLocked: The scope '${registryId}/providers/Microsoft.Authorization/roleAssignments/registry-pull-kubelet' cannot perform delete operation because following scope(s) are locked: '${registryId}'. Please remove the lock and try again.`,
    );
  });

  test("in the world the bootstrap stack makes, it goes through", () => {
    const { locks } = projectWorld(root, stackConfig("acceptance"));
    expect(applyChanges(before, after, locks ?? []).map((o) => `${o.kind} ${o.resource.name}`)).toContain(
      "replace registry-pull-kubelet",
    );
  });
});
