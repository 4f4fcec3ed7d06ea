import { runPlan } from "../cli/program-runs";
import { podSecurityInitiatives } from "../infra/policy-definitions";
import { syntheticProject } from "../test/synthetic-project";
import { azureRefusal } from "./azure-contracts";

const assignment = "azure-native:authorization:PolicyAssignment";
const registry = "azure-native:containerregistry:Registry";
const restricted = podSecurityInitiatives.restricted.id;

describe("the mock engine refuses what Azure refuses", () => {
  test.each([
    ["audit", { effect: { value: "audit" } }],
    [
      "deny with the definition's own parameters",
      { effect: { value: "Deny" }, excludedNamespaces: { value: ["kube-system"] } },
    ],
    ["no parameters (the definition's defaults)", undefined],
  ])("accepts a pod security assignment: %s", (_, parameters) => {
    expect(azureRefusal(assignment, "ps", { policyDefinitionId: restricted, parameters })).toBeUndefined();
  });

  test.each([
    [
      "a parameter the initiative does not declare",
      restricted,
      { effect: { value: "audit" }, excludedContainers: { value: ["x"] } },
      "PolicyAssignment ps: parameter 'excludedContainers' is not defined in 'Kubernetes cluster pod security restricted standards for Linux-based workloads'; it declares effect, excludedNamespaces, namespaces, allowedCapabilities, requiredDropCapabilities",
    ],
    [
      "an effect outside allowedValues",
      restricted,
      { effect: { value: "warn" } },
      `PolicyAssignment ps: parameter 'effect': "warn" is not allowed; allowed: audit, Audit, deny, Deny, disabled, Disabled`,
    ],
    [
      "a value of the wrong type",
      podSecurityInitiatives.baseline.id,
      { excludedNamespaces: { value: "kube-system" } },
      `PolicyAssignment ps: parameter 'excludedNamespaces' must be of type Array, found "kube-system"`,
    ],
    [
      "a definition whose parameters are not recorded",
      "/providers/Microsoft.Authorization/policySetDefinitions/00000000-0000-0000-0000-000000000000",
      {},
      `PolicyAssignment ps: policyDefinitionId "/providers/Microsoft.Authorization/policySetDefinitions/00000000-0000-0000-0000-000000000000" is not a built-in definition known to infra/policy-definitions.ts`,
    ],
  ])("refuses a pod security assignment with %s", (_, policyDefinitionId, parameters, message) => {
    expect(azureRefusal(assignment, "ps", { policyDefinitionId, parameters })).toBe(message);
  });

  const retention = (days: unknown) => ({ retentionPolicy: { status: "enabled", days } });
  test.each([
    [
      "retention on Standard",
      { sku: { name: "Standard" }, policies: retention(30) },
      "Registry r: a retention policy for untagged manifests needs the Premium SKU (learn.microsoft.com/azure/container-registry/container-registry-skus)",
    ],
    [
      "retention beyond 365 days",
      { sku: { name: "Premium" }, policies: retention(366) },
      "Registry r: retentionPolicy.days must be 0-365, found 366",
    ],
    [
      "retention together with soft delete",
      {
        sku: { name: "Premium" },
        policies: { ...retention(7), softDeletePolicy: { status: "enabled", retentionDays: 7 } },
      },
      "Registry r: the soft delete policy and the retention policy cannot both be enabled (learn.microsoft.com/azure/container-registry/container-registry-soft-delete-policy)",
    ],
    [
      "network rules and no public access on Basic",
      {
        sku: { name: "Basic" },
        networkRuleSet: { defaultAction: "Deny", ipRules: [] },
        publicNetworkAccess: "Disabled",
      },
      "Registry r: network rules (firewall) need the Premium SKU (learn.microsoft.com/azure/container-registry/container-registry-skus); disabling public network access needs the Premium SKU (learn.microsoft.com/azure/container-registry/container-registry-skus)",
    ],
  ])("refuses a registry with %s", (_, inputs, message) => {
    expect(azureRefusal(registry, "r", inputs)).toBe(message);
  });

  test("accepts a Premium registry with retention and network rules, and a Standard one without them", () => {
    expect(
      azureRefusal(registry, "r", {
        sku: { name: "Premium" },
        policies: { ...retention(30), softDeletePolicy: { status: "disabled" } },
        networkRuleSet: { defaultAction: "Deny", ipRules: [{ iPAddressOrRange: "203.0.113.0/28" }] },
      }),
    ).toBeUndefined();
    expect(azureRefusal(registry, "r", { sku: { name: "Standard" } })).toBeUndefined();
  });

  test("refuses a private endpoint to a registry with another sub-resource than registry", () => {
    const registryId =
      "/subscriptions/s/resourceGroups/rg-platform-shared/providers/Microsoft.ContainerRegistry/registries/acr";
    const endpoint = (groupIds: string[]) => ({
      privateLinkServiceConnections: [{ name: "registry", privateLinkServiceId: registryId, groupIds }],
    });
    expect(
      azureRefusal("azure-native:network:PrivateEndpoint", "pe", endpoint(["registry"])),
    ).toBeUndefined();
    expect(azureRefusal("azure-native:network:PrivateEndpoint", "pe", endpoint(["data"]))).toBe(
      'PrivateEndpoint pe: a private endpoint to a container registry takes groupIds ["registry"], found ["data"]',
    );
  });
});

test("a program run fails with the refusal, as `pulumi up` would fail at that resource", async () => {
  const project = syntheticProject(
    [
      'const authorization = require("@pulumi/azure-native/authorization");',
      'new authorization.PolicyAssignment("pod-security", {',
      '  scope: "/subscriptions/s/resourceGroups/rg-platform-acceptance",',
      `  policyDefinitionId: "${restricted}",`,
      '  parameters: { effect: { value: "warn" } },',
      "});",
      "",
    ].join("\n"),
  );
  try {
    await expect(
      runPlan({ dir: project.dir, stack: "acceptance", config: {}, timeoutSeconds: 120 }),
    ).rejects.toThrow(
      `PolicyAssignment pod-security: parameter 'effect': "warn" is not allowed; allowed: audit, Audit, deny, Deny, disabled, Disabled`,
    );
  } finally {
    project.remove();
  }
});

describe("custom roles: assignable at management groups, subscriptions or resource groups only", () => {
  const definition = "azure-native:authorization:RoleDefinition";
  const group = "/subscriptions/s/resourceGroups/rg-platform-shared";
  const registryId = `${group}/providers/Microsoft.ContainerRegistry/registries/acr`;
  test.each([
    ["a resource group", group],
    ["a subscription", "/subscriptions/s"],
    ["a management group", "/providers/Microsoft.Management/managementGroups/platform"],
    ["a resource group as the mock engine ids it", "azure-native:resources:ResourceGroup/registry-rg"],
  ])("accepts %s", (_, scope) => {
    expect(azureRefusal(definition, "role", { scope, assignableScopes: [scope] })).toBeUndefined();
  });

  test.each([
    [
      "a resource (a registry)",
      registryId,
      `RoleDefinition role: assignable scope '${registryId}' is a resource; a custom role is assignable at management groups, subscriptions or resource groups only (learn.microsoft.com/azure/role-based-access-control/role-definitions#assignablescopes)`,
    ],
    [
      "a resource as the mock engine ids it",
      "azure-native:containerregistry:Registry/registry-registry",
      "RoleDefinition role: assignable scope 'azure-native:containerregistry:Registry/registry-registry' is a resource; a custom role is assignable at management groups, subscriptions or resource groups only (learn.microsoft.com/azure/role-based-access-control/role-definitions#assignablescopes)",
    ],
    [
      "the root",
      "/",
      "RoleDefinition role: assignable scope '/' (the root) is for built-in roles only; a custom role names management groups, subscriptions or resource groups (learn.microsoft.com/azure/role-based-access-control/role-definitions#assignablescopes)",
    ],
  ])("refuses %s", (_, scope, message) => {
    expect(azureRefusal(definition, "role", { scope: group, assignableScopes: [scope] })).toBe(message);
  });
});
