import * as authorization from "@pulumi/azure-native/authorization";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { GitHubSettings } from "../bootstrap/config";
import type { EnvironmentName, EnvironmentSettings } from "../environments/settings";
import { DeployIdentity } from "./deploy-identity";
import { GitHubEnvironment } from "./github-environment";
import { GitHubRepositorySettings } from "./github-repository-settings";
import { driftEnvironment, PlanIdentity, previewEnvironment } from "./plan-identity";

/** Arguments of {@link DeliverySettings}. */
export interface DeliverySettingsArgs {
  /** The repository, its reviewers and code owners, from `platform-bootstrap:github`. */
  readonly github: GitHubSettings;
  /** The environments in promotion order, each with the id of its resource group. */
  readonly environments: readonly {
    readonly settings: EnvironmentSettings;
    readonly resourceGroupId: pulumi.Input<string>;
  }[];
  readonly location: string;
  /** Resource group of the deploy identities: one no pipeline identity has rights on. */
  readonly identityResourceGroupName: pulumi.Input<string>;
  readonly registryId: pulumi.Input<string>;
  /** The registry's endpoint-approver role, given to every deploy identity (see DeployIdentityArgs). */
  readonly registryEndpointApproverRoleId?: pulumi.Input<string>;
  readonly registryLoginServer: pulumi.Input<string>;
  /** The status checks branch protection requires (`.github/required-checks.json`). */
  readonly requiredChecks: readonly string[];
}

/**
 * What makes GitHub Actions deploy each environment, and a pull request a real gate: per
 * environment, its deploy identity (OIDC, no secret) and its GitHub deployment environment with
 * the variables the workflows read; for the repository, branch protection (checks up to date
 * with `main`) and CODEOWNERS over the whole repository. Part of the bootstrap stack: an administrator runs it with a GitHub
 * token that may administer the repository; no pipeline ever needs one.
 */
export class DeliverySettings extends pulumi.ComponentResource {
  /** Client id of each environment's deploy identity. */
  readonly deployClientIds: Readonly<Partial<Record<EnvironmentName, pulumi.Output<string>>>>;
  /** Client id of the read-only plan identity (previews, gate, drift). */
  readonly planClientId: pulumi.Output<string>;

  constructor(name: string, args: DeliverySettingsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:github:DeliverySettings", name, {}, opts);
    const { github: settings } = args;
    const provider = new github.Provider(`${name}-github`, { owner: settings.owner }, { parent: this });
    const onGitHub = { parent: this, providers: { github: provider } };
    const azure = authorization.getClientConfigOutput({ parent: this });

    const deployClientIds: Partial<Record<EnvironmentName, pulumi.Output<string>>> = {};
    for (const { settings: environment, resourceGroupId } of args.environments) {
      const deployer = new DeployIdentity(
        `${name}-${environment.name}-deployer`,
        {
          environment: environment.name,
          repository: `${settings.owner}/${settings.repository}`,
          identityResourceGroupName: args.identityResourceGroupName,
          resourceGroupId,
          location: args.location,
          registryId: args.registryId,
          registryEndpointApproverRoleId: args.registryEndpointApproverRoleId,
          pushesImages: environment.buildsImages,
        },
        { parent: this },
      );
      new GitHubEnvironment(
        `${name}-${environment.name}-environment`,
        {
          repository: settings.repository,
          environment: environment.name,
          reviewerTeams: settings.reviewers[environment.name] ?? [],
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
      deployClientIds[environment.name] = deployer.clientId;
    }
    // Jobs outside the deploy environments (previews, drift) log in to the registry too.
    new github.ActionsVariable(
      `${name}-registry-variable`,
      {
        repository: settings.repository,
        variableName: "REGISTRY_LOGIN_SERVER",
        value: args.registryLoginServer,
      },
      { parent: this, provider },
    );

    // The previews of every environment with an upstream: each runs where that environment's
    // state token lives (docs/decisions/0041).
    const previewed = args.environments.slice(1).map(({ settings: environment }) => environment.name);
    // Previews, the gate and the drift check: an identity that writes nothing anywhere
    // (docs/decisions/0040), under a name no deploy environment overrides.
    const planner = new PlanIdentity(
      `${name}-planner`,
      {
        repository: `${settings.owner}/${settings.repository}`,
        identityResourceGroupName: args.identityResourceGroupName,
        location: args.location,
        resourceGroupIds: Object.fromEntries(
          args.environments.map(({ settings: environment, resourceGroupId }) => [
            environment.name,
            resourceGroupId,
          ]),
        ),
        registryId: args.registryId,
        previewEnvironments: previewed.map(previewEnvironment),
      },
      { parent: this },
    );
    const repositoryVariables: Record<string, pulumi.Input<string>> = {
      PLAN_CLIENT_ID: planner.clientId,
      AZURE_TENANT_ID: azure.tenantId,
      AZURE_SUBSCRIPTION_ID: azure.subscriptionId,
    };
    for (const [variableName, value] of Object.entries(repositoryVariables))
      new github.ActionsVariable(
        `${name}-${variableName}`,
        { repository: settings.repository, variableName, value },
        { parent: this, provider },
      );
    // Where a state token beyond the first environment's lives (docs/decisions/0041): the
    // preview of a pull request's code for such an environment runs only once one of its
    // reviewers other than the author approves it; the drift check runs from the default branch
    // only.
    for (const environment of previewed) {
      new GitHubEnvironment(
        `${name}-${previewEnvironment(environment)}-environment`,
        {
          repository: settings.repository,
          environment: previewEnvironment(environment),
          reviewerTeams: settings.reviewers[environment] ?? [],
          preventSelfReview: true,
          defaultBranchOnly: false,
          variables: {},
        },
        onGitHub,
      );
    }
    new GitHubEnvironment(
      `${name}-${driftEnvironment}-environment`,
      {
        repository: settings.repository,
        environment: driftEnvironment,
        reviewerTeams: [],
        defaultBranchOnly: true,
        variables: {},
      },
      onGitHub,
    );
    // Everything in the repository is owned: the workflows and the path filter that decide the
    // checks, the checks' own code, the program and every stack file. A pull request cannot
    // change what judges it without the code owners' review.
    new GitHubRepositorySettings(
      `${name}-repository`,
      {
        repository: settings.repository,
        defaultBranch: "main",
        requiredChecks: args.requiredChecks,
        codeOwners: [{ path: "*", owners: settings.codeOwners }],
        recorderAppId: settings.recorderAppId,
      },
      onGitHub,
    );
    this.deployClientIds = deployClientIds;
    this.planClientId = planner.clientId;
    this.registerOutputs({ deployClientIds, planClientId: this.planClientId });
  }
}
