import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import { azureTokenExchangeAudience, environmentSubject, githubActionsIssuer } from "./deploy-identity";
import { roleDefinitionId, roles } from "./roles";

import {
  driftEnvironment,
  previewEnvironment,
  productionPreviewEnvironment,
} from "../lib/github-environments";

export { driftEnvironment, previewEnvironment, productionPreviewEnvironment };

/** Arguments of {@link PlanIdentity}. */
export interface PlanIdentityArgs {
  /** The GitHub repository whose jobs log in as this identity, as `owner/name`. */
  readonly repository: string;
  /** Resource group the identity lives in: one it has no rights on. */
  readonly identityResourceGroupName: pulumi.Input<string>;
  readonly location: string;
  /** Id of each environment's resource group, by environment name: read there, and the clusters in it. */
  readonly resourceGroupIds: Readonly<Record<string, pulumi.Input<string>>>;
  /** Id of the shared container registry: previews look pinned digests up and refresh images. */
  readonly registryId: pulumi.Input<string>;
  /**
   * The GitHub environments whose jobs preview an environment with an upstream, each holding that
   * environment's state token (`preview-production`, {@link previewEnvironment}).
   */
  readonly previewEnvironments: readonly string[];
}

/**
 * The identity pull-request previews, the promotion gate and the drift check log in as. It reads
 * and writes nothing: Reader on each environment's group, Azure Kubernetes Service RBAC Reader
 * (most objects, no Secrets, Roles or RoleBindings) and Cluster User (the kubeconfig, which with
 * Entra ID and local accounts off holds no secret) on each group's clusters, AcrPull on the
 * registry. pulumi-kubernetes previews a create or update that a dry run may not do on the client
 * (docs/decisions/0040). Its federated credentials trust pull requests of the repository and the
 * GitHub environments that hold a state token beyond the first environment's: the approved
 * preview of each later environment and the drift check (docs/decisions/0041).
 */
export class PlanIdentity extends pulumi.ComponentResource {
  /** Client (application) id: the repository variable `PLAN_CLIENT_ID`. */
  readonly clientId: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;
  /** The federated credentials' subjects. */
  readonly subjects: readonly string[];

  constructor(name: string, args: PlanIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:PlanIdentity", name, {}, opts);
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(args.repository))
      throw new Error(`PlanIdentity: repository: '${args.repository}' is not 'owner/name'`);
    const subjects = planSubjects(args.repository, args.previewEnvironments);

    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceGroupName: args.identityResourceGroupName, location: args.location },
      { parent: this },
    );
    // Azure applies one federated credential write at a time per identity: each waits for the last.
    let previous: pulumi.Resource | undefined;
    for (const [credential, subject] of Object.entries(subjects)) {
      previous = new managedidentity.FederatedIdentityCredential(
        `${name}-${credential}`,
        {
          resourceGroupName: args.identityResourceGroupName,
          resourceName: identity.name,
          federatedIdentityCredentialResourceName: credential,
          issuer: githubActionsIssuer,
          audiences: [azureTokenExchangeAudience],
          subject,
        },
        { parent: this, ...(previous ? { dependsOn: [previous] } : {}) },
      );
    }

    const assign = (suffix: string, roleId: string, scope: pulumi.Input<string>): void => {
      new authorization.RoleAssignment(
        `${name}-${suffix}`,
        {
          principalId: identity.principalId,
          principalType: "ServicePrincipal",
          roleDefinitionId: roleDefinitionId(roleId),
          scope,
        },
        { parent: this },
      );
    };
    for (const [environment, groupId] of Object.entries(args.resourceGroupIds)) {
      assign(`${environment}-reader`, roles.reader, groupId);
      // On the group: every cluster of the environment, also one that replaced the first.
      assign(`${environment}-cluster-user`, roles.aksClusterUser, groupId);
      assign(`${environment}-cluster-reader`, roles.aksRbacReader, groupId);
    }
    assign("registry-pull", roles.acrPull, args.registryId);

    this.clientId = identity.clientId;
    this.principalId = identity.principalId;
    this.subjects = Object.values(subjects);
    this.registerOutputs({ clientId: this.clientId, principalId: this.principalId });
  }
}

/**
 * The subjects GitHub puts in the ID tokens of the jobs that may log in as the plan identity, by
 * credential name: a pull request's jobs outside any environment, and the jobs of the environments
 * that hold a state token beyond the first environment's (`previewEnvironments`, then drift; a job
 * in an environment presents the environment's subject, whatever its branch).
 */
export function planSubjects(
  repository: string,
  previewEnvironments: readonly string[],
): Readonly<Record<string, string>> {
  return {
    "github-pull-request": `repo:${repository}:pull_request`,
    ...Object.fromEntries(
      previewEnvironments.map((environment) => [
        `github-${environment}`,
        environmentSubject(repository, environment),
      ]),
    ),
    [`github-${driftEnvironment}`]: environmentSubject(repository, driftEnvironment),
  };
}
