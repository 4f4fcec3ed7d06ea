import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { ProgramRun } from "../engine/mock-engine";
import { mockSubscriptionId } from "../engine/mock-engine";
import { roles } from "../lib/role-ids";
import { ofType, only, root, runIsolated, stackConfig } from "../test/program";
import { builtInRoles, readOnlyActions } from "../test/azure-built-in-roles";
import { bootstrapLocks, bootstrapOutputs } from "./outputs";

// The ids themselves are checked against Azure's built-in roles in infra/deploy-identity.test.ts.
const roleIds = {
  contributor: roles.contributor,
  rbacAdministrator: roles.roleBasedAccessControlAdministrator,
  aksRbacClusterAdmin: roles.aksRbacClusterAdmin,
  acrPull: roles.acrPull,
  acrPush: roles.acrPush,
  reader: roles.reader,
  aksRbacReader: roles.aksRbacReader,
  aksClusterUser: roles.aksClusterUser,
  // The registry's custom role (the mock engine ids a resource by type and name).
  endpointApprover: "RoleDefinition/registry-endpoint-approver",
};
const shippedConfig = stackConfig(
  "shared",
  readFileSync(path.join(root, "bootstrap", "Pulumi.shared.yaml"), "utf8"),
);

/** Runs the bootstrap program as Pulumi does: in its project directory. */
async function runBootstrap(config: Record<string, string> = shippedConfig): Promise<ProgramRun> {
  const cwd = process.cwd();
  process.chdir(path.join(root, "bootstrap"));
  try {
    return await runIsolated(() => import("./index"), { stack: "shared", config });
  } finally {
    process.chdir(cwd);
  }
}

let run: ProgramRun;
beforeAll(async () => {
  run = await runBootstrap();
});

/** Each role assignment as `component role @ scope` (scopes as the mock names them). */
const assignments = (of: ProgramRun) =>
  ofType(of, "azure-native:authorization:RoleAssignment")
    .map(({ name, inputs }) => {
      const role = Object.entries(roleIds).find(([, id]) => String(inputs["roleDefinitionId"]).endsWith(id));
      return `${name}: ${role?.[0] ?? "?"} @ ${String(inputs["scope"])}${inputs["condition"] ? " (conditional)" : ""}`;
    })
    .sort();

describe("the bootstrap stack", () => {
  test("creates the shared registry from its config: Premium, untagged manifests kept 30 days, protected, no admin user", () => {
    const registry = only(run, "azure-native:containerregistry:Registry");
    expect(registry.inputs).toEqual({
      registryName: "contosoplatformacr",
      resourceGroupName: "rg-platform-shared",
      location: "westeurope",
      adminUserEnabled: false,
      anonymousPullEnabled: false,
      sku: { name: "Premium" },
      // Soft delete stays off: Azure allows it or the retention policy, not both.
      policies: { retentionPolicy: { status: "enabled", days: 30 } },
      // The GitHub runners push from the internet; no ranges configured: any address (Entra ID only).
      publicNetworkAccess: "Enabled",
      // The SDK's defaults, sent as they are.
      networkRuleBypassOptions: "AzureServices",
      zoneRedundancy: "Disabled",
    });
    expect([registry.protect, registry.retainOnDelete]).toEqual([true, true]);
    const group = only(run, "azure-native:resources:ResourceGroup", "registry-rg");
    expect(group.inputs["resourceGroupName"]).toBe("rg-platform-shared");
    expect([group.protect, group.retainOnDelete]).toEqual([true, true]);
  });

  test("creates each environment's resource group (protected) and one for the identities", () => {
    const groups = ofType(run, "azure-native:resources:ResourceGroup").map((g) => [
      g.name,
      g.inputs["resourceGroupName"],
      g.protect,
    ]);
    expect(groups.sort()).toEqual([
      ["acceptance-rg", "rg-platform-acceptance", true],
      ["identities-rg", "rg-platform-identities", true],
      ["production-rg", "rg-platform-production", true],
      ["registry-rg", "rg-platform-shared", true],
    ]);
  });

  test("each deploy identity lives in the identities group, where no pipeline identity has rights", () => {
    const identities = ofType(run, "azure-native:managedidentity:UserAssignedIdentity");
    expect(identities.map((i) => [i.name, i.inputs["resourceGroupName"]])).toEqual([
      ["delivery-acceptance-deployer-identity", "rg-platform-identities"],
      ["delivery-production-deployer-identity", "rg-platform-identities"],
      ["delivery-planner-identity", "rg-platform-identities"],
    ]);
    const scopes = ofType(run, "azure-native:authorization:RoleAssignment").map((a) =>
      String(a.inputs["scope"]),
    );
    expect(scopes.filter((scope) => scope.includes("identities"))).toEqual([]);
  });

  test("gives each identity exactly what its environment's `pulumi up` needs, nothing on itself", () => {
    const registry = "azure-native:containerregistry:Registry/registry-registry";
    expect(assignments(run)).toEqual(
      [
        `delivery-acceptance-deployer-access-admin: rbacAdministrator @ azure-native:resources:ResourceGroup/acceptance-rg (conditional)`,
        `delivery-acceptance-deployer-cluster-admin: aksRbacClusterAdmin @ azure-native:resources:ResourceGroup/acceptance-rg`,
        `delivery-acceptance-deployer-contributor: contributor @ azure-native:resources:ResourceGroup/acceptance-rg`,
        `delivery-acceptance-deployer-registry-access-admin: rbacAdministrator @ ${registry} (conditional)`,
        `delivery-acceptance-deployer-registry-endpoint-approver: endpointApprover @ ${registry}`,
        `delivery-acceptance-deployer-registry-push: acrPush @ ${registry}`,
        `delivery-production-deployer-access-admin: rbacAdministrator @ azure-native:resources:ResourceGroup/production-rg (conditional)`,
        `delivery-production-deployer-cluster-admin: aksRbacClusterAdmin @ azure-native:resources:ResourceGroup/production-rg`,
        `delivery-production-deployer-contributor: contributor @ azure-native:resources:ResourceGroup/production-rg`,
        `delivery-production-deployer-registry-access-admin: rbacAdministrator @ ${registry} (conditional)`,
        `delivery-production-deployer-registry-endpoint-approver: endpointApprover @ ${registry}`,
        `delivery-production-deployer-registry-pull: acrPull @ ${registry}`,
        `delivery-planner-acceptance-cluster-reader: aksRbacReader @ azure-native:resources:ResourceGroup/acceptance-rg`,
        `delivery-planner-acceptance-cluster-user: aksClusterUser @ azure-native:resources:ResourceGroup/acceptance-rg`,
        `delivery-planner-acceptance-reader: reader @ azure-native:resources:ResourceGroup/acceptance-rg`,
        `delivery-planner-production-cluster-reader: aksRbacReader @ azure-native:resources:ResourceGroup/production-rg`,
        `delivery-planner-production-cluster-user: aksClusterUser @ azure-native:resources:ResourceGroup/production-rg`,
        `delivery-planner-production-reader: reader @ azure-native:resources:ResourceGroup/production-rg`,
        `delivery-planner-registry-pull: acrPull @ ${registry}`,
      ].sort(),
    );
  });

  test("no pipeline identity can delete an image: on the registry only AcrPush or AcrPull, and granting AcrPull; nothing on its group", () => {
    const registry = "azure-native:containerregistry:Registry/registry-registry";
    const onRegistry = ofType(run, "azure-native:authorization:RoleAssignment").filter(
      (a) => a.inputs["scope"] === registry,
    );
    const role = (a: (typeof onRegistry)[number]) => String(a.inputs["roleDefinitionId"]).split("/").pop();
    // AcrDelete (c2f4ef07-c644-48eb-af81-4b1b4947fb11), Contributor and Owner are the roles that can delete images.
    expect(new Set(onRegistry.map(role))).toEqual(
      new Set([roleIds.acrPush, roleIds.acrPull, roleIds.rbacAdministrator, "registry-endpoint-approver"]),
    );
    // The custom role reads the registry and approves private endpoints to it, nothing else.
    const approver = only(run, "azure-native:authorization:RoleDefinition", "registry-endpoint-approver");
    expect(approver.inputs).toEqual({
      roleName: "Registry private endpoint approver (contosoplatformacr)",
      description: "Create auto-approved private endpoints to the contosoplatformacr registry; nothing else.",
      roleType: "CustomRole",
      // Assignable in the shared group (Azure takes no resource there); assigned on the registry.
      scope: "azure-native:resources:ResourceGroup/registry-rg",
      assignableScopes: ["azure-native:resources:ResourceGroup/registry-rg"],
      permissions: [
        {
          actions: [
            "Microsoft.ContainerRegistry/registries/read",
            "Microsoft.ContainerRegistry/registries/privateEndpointConnectionsApproval/action",
          ],
          notActions: [],
        },
      ],
    });
    for (const assignment of onRegistry.filter((a) => role(a) === roleIds.rbacAdministrator))
      expect(assignment.inputs["condition"]).toContain(`GuidEquals {${roleIds.acrPull}}`);
    const scopes = ofType(run, "azure-native:authorization:RoleAssignment").map((a) =>
      String(a.inputs["scope"]),
    );
    expect(
      scopes.filter((scope) => scope.includes("registry-rg") || scope.includes("rg-platform-shared")),
    ).toEqual([]);
  });

  test("the plan identity can write nothing: every action of every role it holds reads, no data action writes", () => {
    const planner = ofType(run, "azure-native:authorization:RoleAssignment").filter((a) =>
      a.name.startsWith("delivery-planner-"),
    );
    // Reader, Cluster User and AKS RBAC Reader per environment, and AcrPull.
    expect(planner).toHaveLength(7);
    const held = planner.flatMap((assignment) => {
      const id = String(assignment.inputs["roleDefinitionId"]).split("/").pop()!;
      const definition = builtInRoles[id];
      // A role outside the table of Azure's definitions (a custom role among them) is refused.
      expect([assignment.name, definition?.roleName]).toEqual([assignment.name, expect.any(String)]);
      expect([assignment.name, assignment.inputs["condition"]]).toEqual([assignment.name, undefined]);
      return [
        ...definition!.actions.map((action) => ({
          role: definition!.roleName,
          kind: "action",
          name: action,
        })),
        ...definition!.dataActions.map((action) => ({
          role: definition!.roleName,
          kind: "data",
          name: action,
        })),
      ];
    });
    const writes = held.filter(({ name }) => !name.endsWith("/read") && readOnlyActions[name] === undefined);
    expect(writes).toEqual([]);
    // Data actions: reads of Kubernetes objects only, none of them Secrets.
    expect(held.filter(({ kind, name }) => kind === "data" && /\/secrets\//.test(name))).toEqual([]);
    // The one non-read action, and only from the role meant for it.
    expect(held.filter(({ name }) => !name.endsWith("/read"))).toEqual([
      {
        role: "Azure Kubernetes Service Cluster User Role",
        kind: "action",
        name: "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
      },
      {
        role: "Azure Kubernetes Service Cluster User Role",
        kind: "action",
        name: "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
      },
    ]);
  });

  test("the role table refuses a writing role: the deploy identities' roles fail the same check", () => {
    const writes = (id: string) =>
      [
        ...(builtInRoles[id]?.actions ?? ["(not in the table)"]),
        ...(builtInRoles[id]?.dataActions ?? []),
      ].filter((name) => !name.endsWith("/read") && readOnlyActions[name] === undefined);
    expect(writes(roles.acrPush)).toEqual(["(not in the table)"]);
    expect(writes(roles.contributor)).toEqual(["(not in the table)"]);
    expect(writes(roles.reader)).toEqual([]);
  });

  test("the plan identity trusts pull requests and the two environments that hold a production state token", () => {
    const planner = only(
      run,
      "azure-native:managedidentity:UserAssignedIdentity",
      "delivery-planner-identity",
    );
    const credentials = ofType(run, "azure-native:managedidentity:FederatedIdentityCredential").filter((c) =>
      c.name.startsWith("delivery-planner-"),
    );
    expect(
      credentials.map((c) => [
        c.name,
        c.inputs["federatedIdentityCredentialResourceName"],
        c.inputs["subject"],
      ]),
    ).toEqual([
      ["delivery-planner-github-pull-request", "github-pull-request", "repo:contoso/platform:pull_request"],
      [
        "delivery-planner-github-preview-production",
        "github-preview-production",
        "repo:contoso/platform:environment:preview-production",
      ],
      ["delivery-planner-github-drift", "github-drift", "repo:contoso/platform:environment:drift"],
    ]);
    for (const credential of credentials)
      expect(credential.inputs).toMatchObject({
        resourceGroupName: "rg-platform-identities",
        issuer: "https://token.actions.githubusercontent.com",
        audiences: ["api://AzureADTokenExchange"],
      });
    expect(planner.inputs["resourceGroupName"]).toBe("rg-platform-identities");
    // The production preview needs a production reviewer who is not the run's author; drift, main only.
    const environments = Object.fromEntries(
      ofType(run, "github:index/repositoryEnvironment:RepositoryEnvironment").map((e) => [
        String(e.inputs["environment"]),
        e.inputs as Record<string, any>,
      ]),
    );
    expect(environments["preview-production"]).toMatchObject({ preventSelfReview: true });
    expect(environments["preview-production"]!.reviewers).toEqual(environments["production"]!.reviewers);
    expect(environments["drift"]).toMatchObject({
      deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false },
    });
    expect(environments["drift"]!.reviewers).toBeUndefined();
  });

  test("assigns the restricted pod security initiative to each environment's group: deny in acceptance, audit in production, the routing add-on's namespace skipped", () => {
    const assignments = ofType(run, "azure-native:authorization:PolicyAssignment").map((a) => [
      a.name,
      a.inputs,
    ]);
    const expected = (environment: string, effect: string) => ({
      policyAssignmentName: "pod-security-restricted",
      displayName: `[${environment}] Kubernetes cluster pod security restricted standards for Linux-based workloads`,
      policyDefinitionId:
        "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00",
      scope: `azure-native:resources:ResourceGroup/${environment}-rg`,
      parameters: {
        effect: { value: effect },
        excludedNamespaces: {
          value: [
            "kube-system",
            "gatekeeper-system",
            "azure-arc",
            "azure-extensions-usage-system",
            "app-routing-system",
          ],
        },
      },
      enforcementMode: "Default",
    });
    expect(assignments).toEqual([
      ["acceptance-pod-security-restricted", expected("acceptance", "deny")],
      ["production-pod-security-restricted", expected("production", "audit")],
    ]);
  });

  test("with allowed ranges the registry refuses every other address, and trusted Azure services still reach it", async () => {
    const restricted = await runBootstrap({
      ...shippedConfig,
      "platform-bootstrap:registryAllowedIpRanges": JSON.stringify(["203.0.113.0/28"]),
    });
    expect(only(restricted, "azure-native:containerregistry:Registry").inputs).toMatchObject({
      publicNetworkAccess: "Enabled",
      networkRuleSet: {
        defaultAction: "Deny",
        ipRules: [{ iPAddressOrRange: "203.0.113.0/28", action: "Allow" }],
      },
      networkRuleBypassOptions: "AzureServices",
    });
  });

  test("GitHub: an environment per stage with its identity's variables, reviewers where configured", () => {
    const environments = ofType(run, "github:index/repositoryEnvironment:RepositoryEnvironment").map(
      (e) => e.inputs as Record<string, any>,
    );
    expect(
      environments
        .map((e): unknown[] => [e.repository, e.environment, e.reviewers?.[0]?.teams?.length ?? 0])
        .sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    ).toEqual([
      ["platform", "acceptance", 0],
      ["platform", "drift", 0],
      ["platform", "preview-production", 1],
      ["platform", "production", 1],
    ]);
    for (const environment of environments.filter((e) => e.environment !== "preview-production")) {
      expect(environment.deploymentBranchPolicy).toEqual({
        protectedBranches: true,
        customBranchPolicies: false,
      });
    }
    const variables = ofType(run, "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable").map(
      (v) => `${String(v.inputs["environment"])} ${String(v.inputs["variableName"])}`,
    );
    expect(variables.sort()).toEqual(
      ["acceptance", "production"].flatMap((env) =>
        ["AZURE_CLIENT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_TENANT_ID", "REGISTRY_LOGIN_SERVER"].map(
          (v) => `${env} ${v}`,
        ),
      ),
    );
    // Jobs outside the deploy environments (previews, gate, drift) log in to the registry with this
    // one, and to Azure as the plan identity.
    expect(
      ofType(run, "github:index/actionsVariable:ActionsVariable")
        .map((v) => `${String(v.inputs["variableName"])}=${String(v.inputs["value"])}`)
        .sort(),
    ).toEqual([
      "AZURE_SUBSCRIPTION_ID=00000000-0000-0000-0000-000000000001",
      "AZURE_TENANT_ID=00000000-0000-0000-0000-000000000002",
      expect.stringMatching(/^PLAN_CLIENT_ID=/),
      "REGISTRY_LOGIN_SERVER=contosoplatformacr.azurecr.io",
    ]);
    expect(
      ofType(run, "azure-native:managedidentity:FederatedIdentityCredential").map((c) => c.inputs["subject"]),
    ).toEqual([
      "repo:contoso/platform:environment:acceptance",
      "repo:contoso/platform:environment:production",
      "repo:contoso/platform:pull_request",
      "repo:contoso/platform:environment:preview-production",
      "repo:contoso/platform:environment:drift",
    ]);
  });

  test("GitHub: branch protection requires the checks of required-checks.json, up to date; CODEOWNERS covers the whole repository", () => {
    const protection = only(run, "github:index/branchProtection:BranchProtection").inputs as Record<
      string,
      any
    >;
    expect(protection.requiredStatusChecks[0].contexts).toEqual(
      JSON.parse(readFileSync(path.join(root, ".github", "required-checks.json"), "utf8")),
    );
    // All of it: workflows, path filters, the checks' code, the program and the stack files.
    expect(only(run, "github:index/repositoryFile:RepositoryFile").inputs["content"]).toMatch(
      /^\* @contoso\/platform-leads$/m,
    );
    // Every check must have run on the branch as it is after the latest merge (strict): a
    // promotion is re-checked against every change merged before it.
    expect(protection.requiredStatusChecks[0].strict).toBe(true);
  });

  test("locks exactly what the mock engine's world says is locked: nothing (docs/decisions/0034)", () => {
    // A lock on the registry or its group would also lock the role assignments and endpoint
    // connections under it: engine/azure-operations.test.ts replaces a cluster under one.
    const { registry } = bootstrapOutputs("contosoplatformacr", mockSubscriptionId);
    const azureIds: Record<string, string> = {
      "azure-native:containerregistry:Registry/registry-registry": registry.id,
      "azure-native:resources:ResourceGroup/registry-rg": registry.id.split("/providers/")[0]!,
    };
    const locks = ofType(run, "azure-native:authorization:ManagementLockByScope").map(
      (lock) => azureIds[String(lock.inputs["scope"])] ?? String(lock.inputs["scope"]),
    );
    expect(locks).toEqual(bootstrapLocks());
    expect(locks).toEqual([]);
  });

  test("exports exactly what the environment stacks read (the mock engine's bootstrap fake)", () => {
    const fake = bootstrapOutputs("contosoplatformacr", mockSubscriptionId).registry;
    // The mock engine ids a resource by type and name; Azure by the ARM path the fake builds.
    expect(run.outputs["registry"]).toEqual({
      ...fake,
      id: "azure-native:containerregistry:Registry/registry-registry",
    });
    expect(fake.id).toBe(
      "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-platform-shared/providers/Microsoft.ContainerRegistry/registries/contosoplatformacr",
    );
  });

  test("without GitHub settings it creates the registry and groups, and no identity or GitHub resource", async () => {
    const { "platform-bootstrap:github": _github, ...withoutGitHub } = shippedConfig;
    const bare = await runBootstrap(withoutGitHub);
    expect(
      bare.registrations.filter((r) => r.type.startsWith("github:") || r.type.includes("Identity")),
    ).toEqual([]);
    expect(ofType(bare, "azure-native:containerregistry:Registry")).toHaveLength(1);
    expect(bare.outputs["deployClientIds"]).toEqual({});
  });
});

test("runs as Pulumi runs it: bootstrap/Pulumi.yaml's main (compiled), in the project's directory", async () => {
  const { runPlan } = await import("../cli/program-runs");
  const plan = await runPlan({
    dir: path.join(root, "bootstrap"),
    stack: "shared",
    config: shippedConfig,
    timeoutSeconds: 120,
  });
  expect(plan.registrations.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
    run.registrations.map((r) => `${r.type} ${r.name}`).sort(),
  );
});
