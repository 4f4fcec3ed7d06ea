import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import { roleDefinitionId, roles } from "./roles";

/** The issuer of the OpenID Connect tokens GitHub Actions jobs present. */
export const githubActionsIssuer = "https://token.actions.githubusercontent.com";
/** The audience Entra ID expects in a federated token. */
export const azureTokenExchangeAudience = "api://AzureADTokenExchange";

/** Arguments of {@link DeployIdentity}. */
export interface DeployIdentityArgs {
  /** The environment (and GitHub deployment environment) the identity deploys, e.g. `production`. */
  readonly environment: string;
  /** The GitHub repository whose jobs log in as this identity, as `owner/name`. */
  readonly repository: string;
  /**
   * Resource group the identity lives in. It must be one the identity has no rights on: an
   * identity that is Contributor where it lives could add a federated credential to itself.
   */
  readonly identityResourceGroupName: pulumi.Input<string>;
  /**
   * Id of the environment's resource group: the identity manages everything in it, including
   * every cluster created there (so a replaced cluster needs no new assignment).
   */
  readonly resourceGroupId: pulumi.Input<string>;
  readonly location: string;
  /** Id of the shared container registry. */
  readonly registryId: pulumi.Input<string>;
  /**
   * Whether the environment builds images and pushes them to the registry (`AcrPush`). An
   * environment that does not build only reads it (`AcrPull`: checking that pinned digests exist).
   */
  readonly pushesImages: boolean;
  /**
   * Id of a role definition that may only create auto-approved private endpoints to the registry
   * (the registry's endpoint-approver role): the environment's cluster reaches the registry
   * through a private endpoint its stack creates.
   * @default none: a private endpoint to the registry would wait for manual approval
   */
  readonly registryEndpointApproverRoleId?: pulumi.Input<string>;
  /**
   * Subject of the federated credential: which GitHub jobs may log in as the identity.
   * @default `repo:<owner>/<name>:environment:<environment>`, jobs running in the environment
   */
  readonly subject?: string;
}

/**
 * The identity an environment's deploy job logs in as, by OpenID Connect federation with GitHub
 * Actions (no client secret), and only the role assignments `pulumi up` of that environment
 * needs. Created by the bootstrap stack, which an administrator runs: nothing here can be
 * changed by the identity itself.
 *
 * - Contributor on the environment's resource group, to manage its resources;
 * - Role Based Access Control Administrator on that group, restricted by an ABAC condition to
 *   the one role the program assigns inside it (Network Contributor, for the cluster's subnet)
 *   and to service principals (managed identities), never users or groups;
 * - Azure Kubernetes Service RBAC Cluster Admin on that group, to deploy the workloads into any
 *   cluster of the environment;
 * - on the registry, Role Based Access Control Administrator restricted the same way to
 *   `AcrPull` (to let its cluster's kubelet pull), and `AcrPush` when it builds images,
 *   `AcrPull` when it does not. Neither can delete images (that is `AcrDelete`);
 * - on the registry, the role that only approves private endpoints to it, when given.
 */
export class DeployIdentity extends pulumi.ComponentResource {
  /** Client (application) id: the `AZURE_CLIENT_ID` of the environment's jobs. */
  readonly clientId: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;
  /** The federated credential's subject. */
  readonly subject: string;

  constructor(name: string, args: DeployIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:DeployIdentity", name, {}, opts);
    checkDeployIdentityArgs(args);
    const subject = args.subject ?? environmentSubject(args.repository, args.environment);

    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceGroupName: args.identityResourceGroupName, location: args.location },
      { parent: this },
    );
    new managedidentity.FederatedIdentityCredential(
      `${name}-github`,
      {
        resourceGroupName: args.identityResourceGroupName,
        resourceName: identity.name,
        federatedIdentityCredentialResourceName: `github-${args.environment}`,
        issuer: githubActionsIssuer,
        audiences: [azureTokenExchangeAudience],
        subject,
      },
      { parent: this },
    );

    const assign = (
      suffix: string,
      roleId: string,
      scope: pulumi.Input<string>,
      condition?: string,
    ): authorization.RoleAssignment =>
      new authorization.RoleAssignment(
        `${name}-${suffix}`,
        {
          principalId: identity.principalId,
          // Set, so Azure does not look the new principal up before Entra ID has replicated it.
          principalType: "ServicePrincipal",
          roleDefinitionId: roleDefinitionId(roleId),
          scope,
          ...(condition === undefined ? {} : { condition, conditionVersion: "2.0" }),
        },
        { parent: this },
      );

    assign("contributor", roles.contributor, args.resourceGroupId);
    // Only the assignments the program makes in the group (the cluster's Network Contributor on
    // its subnet): never Owner or Contributor for itself or anyone else.
    assign(
      "access-admin",
      roles.roleBasedAccessControlAdministrator,
      args.resourceGroupId,
      onlyRolesCondition([roles.networkContributor]),
    );
    assign("cluster-admin", roles.aksRbacClusterAdmin, args.resourceGroupId);
    assign(
      "registry-access-admin",
      roles.roleBasedAccessControlAdministrator,
      args.registryId,
      onlyRolesCondition([roles.acrPull]),
    );
    if (args.pushesImages) assign("registry-push", roles.acrPush, args.registryId);
    else assign("registry-pull", roles.acrPull, args.registryId);
    if (args.registryEndpointApproverRoleId !== undefined)
      new authorization.RoleAssignment(
        `${name}-registry-endpoint-approver`,
        {
          principalId: identity.principalId,
          principalType: "ServicePrincipal",
          roleDefinitionId: args.registryEndpointApproverRoleId,
          scope: args.registryId,
        },
        { parent: this },
      );

    this.clientId = identity.clientId;
    this.principalId = identity.principalId;
    this.subject = subject;
    this.registerOutputs({ clientId: this.clientId, principalId: this.principalId });
  }
}

/** The subject GitHub puts in the token of a job that runs in a deployment environment. */
export function environmentSubject(repository: string, environment: string): string {
  return `repo:${repository}:environment:${environment}`;
}

/**
 * An Azure ABAC condition (version 2.0) for a role that manages role assignments: it may only
 * create or delete assignments of `roleIds`, and only to service principals (managed
 * identities): the "Constrain roles and principal types" template of Azure's "Examples to
 * delegate Azure role assignment management with conditions".
 */
export function onlyRolesCondition(roleIds: readonly string[]): string {
  if (roleIds.length === 0) throw new Error("onlyRolesCondition: name at least one role id");
  const ids = roleIds.join(", ");
  const only = (action: string, source: string): string =>
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/${action}'})) OR ` +
    `(@${source}[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}} ` +
    `AND @${source}[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}))`;
  // Creating reads the role from the request, deleting from the existing assignment.
  return `${only("write", "Request")} AND ${only("delete", "Resource")}`;
}

const repositoryPattern = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
// Stricter than GitHub requires, so the name reads the same in the federated subject.
const environmentPattern = /^[A-Za-z0-9._-]{1,255}$/;

function checkDeployIdentityArgs(args: DeployIdentityArgs): void {
  const problems: string[] = [];
  if (!repositoryPattern.test(args.repository))
    problems.push(`repository: '${args.repository}' is not 'owner/name'`);
  if (!environmentPattern.test(args.environment))
    problems.push(`environment: '${args.environment}' is not letters, digits, '.', '_' and '-'`);
  if (args.subject !== undefined && !/^\S+$/.test(args.subject))
    problems.push(`subject: '${args.subject}' is empty or contains whitespace`);
  if (problems.length > 0) throw new Error(`DeployIdentity: ${problems.join("; ")}`);
}
