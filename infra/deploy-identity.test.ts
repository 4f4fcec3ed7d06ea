import type { ProgramRun, Registration } from "../engine/mock-engine";
import { fakeOutputs, ofType, runIsolated } from "../test/program";
import type { DeployIdentityArgs } from "./deploy-identity";

const subscription = "/subscriptions/00000000-0000-0000-0000-000000000001";
const roleIds = {
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  rbacAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
  aksRbacClusterAdmin: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
  acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  acrPush: "8311e382-0749-4cb8-b61a-304f252e45ec",
  networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
};
const scopes = {
  group: `${subscription}/resourceGroups/rg-platform-test`,
  registry: `${subscription}/resourceGroups/rg-platform-shared/providers/Microsoft.ContainerRegistry/registries/acrplatform`,
};
// Azure's "Constrain roles and principal types" example, with AcrPull and service principals.
const onlyAcrPull =
  "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR " +
  "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {7f951dda-4ed3-4680-a7ca-43fe172d538d} " +
  "AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'})) AND " +
  "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR " +
  "(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {7f951dda-4ed3-4680-a7ca-43fe172d538d} " +
  "AND @Resource[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}))";

const baseArgs = (environment: string, pushesImages: boolean): DeployIdentityArgs => ({
  environment,
  repository: "contoso/platform",
  identityResourceGroupName: "rg-platform-identities",
  resourceGroupId: scopes.group,
  location: "westeurope",
  registryId: scopes.registry,
  pushesImages,
});

/** Builds only a DeployIdentity under the mock engine; its outputs become the run's outputs. */
const deployIdentity = (args: DeployIdentityArgs): Promise<ProgramRun> =>
  runIsolated(async () => {
    const { DeployIdentity } = await import("./deploy-identity");
    const identity = new DeployIdentity("deploy", args);
    return { clientId: identity.clientId, principalId: identity.principalId };
  });

const identityOf = (run: ProgramRun): Registration => {
  const [identity, ...others] = ofType(run, "azure-native:managedidentity:UserAssignedIdentity");
  expect(others).toEqual([]);
  return identity!;
};
/** Each role assignment as `role id @ scope`, with its condition and principal. */
const assignments = (run: ProgramRun) =>
  ofType(run, "azure-native:authorization:RoleAssignment")
    .map(({ name, inputs }) => ({
      name,
      role: String(inputs["roleDefinitionId"]).replace(
        `${subscription}/providers/Microsoft.Authorization/roleDefinitions/`,
        "",
      ),
      scope: inputs["scope"],
      condition: inputs["condition"],
      conditionVersion: inputs["conditionVersion"],
      principalId: inputs["principalId"],
      principalType: inputs["principalType"],
    }))
    // Registration order follows the resolution of inputs, not the code.
    .sort((a, b) => a.name.localeCompare(b.name));

describe.each([
  ["acceptance", true],
  ["production", false],
])("the deploy identity of %s (builds images: %s)", (environment, pushesImages) => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await deployIdentity(baseArgs(environment, pushesImages));
  });

  test("is a user-assigned identity outside the group it manages, child of the component", () => {
    const identity = identityOf(run);
    // Contributor where it lives would let it add a federated credential to itself.
    expect(identity.inputs).toMatchObject({
      resourceGroupName: "rg-platform-identities",
      location: "westeurope",
    });
    const component = run.registrations.find((r) => r.type === "platform:azure:DeployIdentity");
    expect(identity.parent).toBe(component?.urn);
  });

  test("trusts only GitHub jobs that run in its deployment environment", () => {
    const identity = identityOf(run);
    const credentials = ofType(run, "azure-native:managedidentity:FederatedIdentityCredential");
    expect(credentials.map((credential) => credential.inputs)).toEqual([
      {
        resourceGroupName: "rg-platform-identities",
        resourceName: fakeOutputs(identity)["name"],
        federatedIdentityCredentialResourceName: `github-${environment}`,
        issuer: "https://token.actions.githubusercontent.com",
        audiences: ["api://AzureADTokenExchange"],
        subject: `repo:contoso/platform:environment:${environment}`,
      },
    ]);
    expect(credentials[0]!.dependencies).toContain(identity.urn);
  });

  test("gets exactly the role assignments its deploy needs, each on its own scope", () => {
    const expected = [
      { name: "deploy-contributor", role: roleIds.contributor, scope: scopes.group },
      {
        name: "deploy-access-admin",
        role: roleIds.rbacAdministrator,
        scope: scopes.group,
        condition: onlyAcrPull.replaceAll(roleIds.acrPull, roleIds.networkContributor),
        conditionVersion: "2.0",
      },
      // On the group: every cluster of the environment, also one that replaced the first.
      { name: "deploy-cluster-admin", role: roleIds.aksRbacClusterAdmin, scope: scopes.group },
      {
        name: "deploy-registry-access-admin",
        role: roleIds.rbacAdministrator,
        scope: scopes.registry,
        condition: onlyAcrPull,
        conditionVersion: "2.0",
      },
      pushesImages
        ? { name: "deploy-registry-push", role: roleIds.acrPush, scope: scopes.registry }
        : { name: "deploy-registry-pull", role: roleIds.acrPull, scope: scopes.registry },
    ];
    const principal = fakeOutputs({ ...identityOf(run), inputs: {} })["principalId"];
    expect(assignments(run)).toEqual(
      expected
        .map((assignment) => ({
          condition: undefined,
          conditionVersion: undefined,
          ...assignment,
          principalId: principal,
          principalType: "ServicePrincipal",
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  test("may grant on the registry nothing but AcrPull, writes to it only if it builds, deletes nothing", () => {
    const onRegistry = assignments(run).filter((assignment) => assignment.scope === scopes.registry);
    const direct = onRegistry.filter((assignment) => assignment.condition === undefined);
    // Neither AcrPush nor AcrPull holds registries/artifacts/delete (that is AcrDelete).
    expect(direct.map((assignment) => assignment.role)).toEqual([
      pushesImages ? roleIds.acrPush : roleIds.acrPull,
    ]);
    expect(onRegistry.filter((assignment) => assignment.role === roleIds.rbacAdministrator)).toEqual([
      expect.objectContaining({ condition: onlyAcrPull, conditionVersion: "2.0" }),
    ]);
  });

  test("exports the identity's client and principal ids", () => {
    const state = fakeOutputs({ ...identityOf(run), inputs: {} });
    expect(run.outputs).toEqual({ clientId: state["clientId"], principalId: state["principalId"] });
  });
});

test("with the registry's endpoint-approver role, that role too, on the registry only", async () => {
  const approver = `${scopes.registry}/providers/Microsoft.Authorization/roleDefinitions/approver`;
  const run = await deployIdentity({
    ...baseArgs("production", false),
    registryEndpointApproverRoleId: approver,
  });
  const principal = fakeOutputs({ ...identityOf(run), inputs: {} })["principalId"];
  expect(
    ofType(run, "azure-native:authorization:RoleAssignment").find(
      (a) => a.name === "deploy-registry-endpoint-approver",
    )?.inputs,
  ).toEqual({
    principalId: principal,
    principalType: "ServicePrincipal",
    roleDefinitionId: approver,
    scope: scopes.registry,
  });
});

test("a non-building environment gets no AcrPush anywhere", async () => {
  const run = await deployIdentity(baseArgs("production", false));
  expect(assignments(run).filter((assignment) => assignment.role === roleIds.acrPush)).toEqual([]);
});

test("the federated subject can be overridden (customized subject claims)", async () => {
  const run = await deployIdentity({
    ...baseArgs("production", false),
    subject: "repo:contoso/platform:environment:production:job_workflow_ref:deploy.yml",
  });
  expect(
    ofType(run, "azure-native:managedidentity:FederatedIdentityCredential").map((c) => c.inputs["subject"]),
  ).toEqual(["repo:contoso/platform:environment:production:job_workflow_ref:deploy.yml"]);
});

describe("pure helpers", () => {
  test("environmentSubject is GitHub's subject of a job in an environment", async () => {
    const { environmentSubject } = await import("./deploy-identity");
    expect(environmentSubject("contoso/platform", "production")).toBe(
      "repo:contoso/platform:environment:production",
    );
  });

  test("onlyRolesCondition limits creating and deleting assignments to the roles and to service principals", async () => {
    const { onlyRolesCondition } = await import("./deploy-identity");
    expect(onlyRolesCondition([roleIds.acrPull])).toBe(onlyAcrPull);
    expect(onlyRolesCondition(["a", "b"])).toContain("GuidEquals {a, b} AND");
    expect(() => onlyRolesCondition([])).toThrow("name at least one role id");
  });

  test("the role ids are Azure's built-in ones", async () => {
    const { roles } = await import("../lib/role-ids");
    expect(roles).toMatchObject({
      contributor: roleIds.contributor,
      roleBasedAccessControlAdministrator: roleIds.rbacAdministrator,
      aksRbacClusterAdmin: roleIds.aksRbacClusterAdmin,
      acrPull: roleIds.acrPull,
    });
  });
});

test("bad arguments are reported together, each with the value found", async () => {
  await expect(
    deployIdentity({ ...baseArgs("prod uction", false), repository: "platform", subject: "" }),
  ).rejects.toThrow(
    "DeployIdentity: repository: 'platform' is not 'owner/name'; " +
      "environment: 'prod uction' is not letters, digits, '.', '_' and '-'; " +
      "subject: '' is empty or contains whitespace",
  );
});
