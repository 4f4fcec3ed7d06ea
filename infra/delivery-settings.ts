import * as authorization from "@pulumi/azure-native/authorization";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSettings } from "../environments/settings";
import type { GitHubSettings } from "../environments/stack-config";
import { DeployIdentity } from "./deploy-identity";
import { GitHubEnvironment } from "./github-environment";
import { GitHubRepositorySettings } from "./github-repository-settings";

/** Arguments of {@link DeliverySettings}. */
export interface DeliverySettingsArgs {
  /** The repository and its reviewers, from `platform:github`. */
  readonly github: GitHubSettings;
  readonly environment: EnvironmentSettings;
  readonly location: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly resourceGroupId: pulumi.Input<string>;
  readonly registryId: pulumi.Input<string>;
  readonly registryLoginServer: pulumi.Input<string>;
  readonly clusterId: pulumi.Input<string>;
  /** The status checks branch protection requires (`.github/required-checks.json`). */
  readonly requiredChecks: readonly string[];
}

/**
 * What makes GitHub Actions deploy this environment, and a pull request a real gate: the
 * environment's deploy identity (OIDC, no secret), its GitHub deployment environment with the
 * variables the workflows read, and, in the stack that owns shared resources, branch protection
 * and CODEOWNERS for the downstream stack files.
 */
export class DeliverySettings extends pulumi.ComponentResource {
  constructor(name: string, args: DeliverySettingsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:github:DeliverySettings", name, {}, opts);
    const { environment, github: settings } = args;
    const provider = new github.Provider(`${name}-github`, { owner: settings.owner }, { parent: this });
    const onGitHub = { parent: this, providers: { github: provider } };

    const deployer = new DeployIdentity(
      `${name}-deployer`,
      {
        environment: environment.name,
        repository: `${settings.owner}/${settings.repository}`,
        resourceGroupName: args.resourceGroupName,
        resourceGroupId: args.resourceGroupId,
        location: args.location,
        registryId: args.registryId,
        pushesImages: environment.buildsImages,
        clusterId: args.clusterId,
      },
      { parent: this },
    );
    const azure = authorization.getClientConfigOutput({ parent: this });
    new GitHubEnvironment(
      `${name}-environment`,
      {
        repository: settings.repository,
        environment: environment.name,
        reviewerTeams: settings.reviewers,
        defaultBranchOnly: true,
        variables: {
          AZURE_CLIENT_ID: deployer.clientId,
          AZURE_TENANT_ID: azure.tenantId,
          AZURE_SUBSCRIPTION_ID: azure.subscriptionId,
          REGISTRY_LOGIN_SERVER: args.registryLoginServer,
        },
      },
      onGitHub,
    );
    if (environment.ownsSharedResources) {
      new GitHubRepositorySettings(
        `${name}-repository`,
        {
          repository: settings.repository,
          defaultBranch: "main",
          requiredChecks: args.requiredChecks,
          codeOwners: [{ path: "/Pulumi.production.yaml", owners: settings.codeOwners }],
        },
        onGitHub,
      );
    }
    this.registerOutputs({});
  }
}
