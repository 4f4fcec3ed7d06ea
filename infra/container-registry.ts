import * as authorization from "@pulumi/azure-native/authorization";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";

/**
 * The actions of the registry's endpoint-approver role: read the registry and approve a private
 * endpoint connection to it ("Auto Approves a Private Endpoint Connection" in Azure's resource
 * provider operations for Microsoft.ContainerRegistry).
 */
export const registryEndpointApproverActions = [
  "Microsoft.ContainerRegistry/registries/read",
  "Microsoft.ContainerRegistry/registries/privateEndpointConnectionsApproval/action",
];

/** Arguments of {@link ContainerRegistry}. */
export interface ContainerRegistryArgs {
  /** Globally unique registry name (5-50 letters and digits), from the bootstrap config. */
  readonly registryName: string;
  /** Retention and network rules need `Premium` (docs/decisions/0016). */
  readonly sku: "Basic" | "Standard" | "Premium";
  /**
   * Days an untagged manifest is kept before Azure deletes it (0-365; Premium only). Release tags
   * are never moved, so nothing a stack pins (`tag@digest`) is ever untagged.
   * @default no retention policy: untagged manifests are kept until someone deletes them
   */
  readonly untaggedRetentionDays?: number;
  /**
   * The only public addresses (IPv4 CIDR) that may reach the registry: the runners that push and
   * look images up, operators. Trusted Azure services (Defender's image scanning) still reach it.
   * @default every address (authentication is still required: Entra ID only)
   */
  readonly allowedIpRanges?: readonly string[];
  /** Resource group of the shared resources, created here. */
  readonly resourceGroupName: string;
  readonly location: string;
}

/**
 * The shared container registry and its resource group, created by the bootstrap stack before
 * any environment, so that the first `pulumi up` of an environment pushes to (and pulls from)
 * a registry that exists and that `az acr login` could log in to. Both are protected and kept on
 * `pulumi destroy`; no pipeline identity holds a role that can delete it or an image in it. No
 * management lock: one on the registry would also lock every role assignment and private endpoint
 * connection under it, so replacing a cluster or destroying an environment would fail with
 * `ScopeLocked` (docs/decisions/0034). Nothing uses the admin
 * user; each cluster's kubelet gets `AcrPull` from its environment's stack ({@link RegistryPull}).
 */
export class ContainerRegistry extends pulumi.ComponentResource {
  readonly registryId: pulumi.Output<string>;
  readonly loginServer: pulumi.Output<string>;
  readonly registryName: pulumi.Output<string>;
  /**
   * Id of the custom role that may only create auto-approved private endpoints to the registry:
   * what each environment's deploy identity gets, so that its cluster reaches the registry
   * privately ({@link RegistryPull}).
   */
  readonly endpointApproverRoleId: pulumi.Output<string>;

  constructor(name: string, args: ContainerRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:ContainerRegistry", name, {}, opts);
    const keep = { parent: this, protect: true, retainOnDelete: true };
    const group = new resources.ResourceGroup(
      `${name}-rg`,
      { resourceGroupName: args.resourceGroupName, location: args.location },
      keep,
    );
    const ranges = args.allowedIpRanges ?? [];
    const registry = new containerregistry.Registry(
      `${name}-registry`,
      {
        registryName: args.registryName,
        resourceGroupName: group.name,
        location: args.location,
        sku: { name: args.sku },
        adminUserEnabled: false,
        anonymousPullEnabled: false,
        ...(args.untaggedRetentionDays === undefined
          ? {}
          : { policies: { retentionPolicy: { status: "enabled", days: args.untaggedRetentionDays } } }),
        // The GitHub runners push and look images up over the internet: public access stays,
        // limited to `allowedIpRanges` when they are known.
        publicNetworkAccess: "Enabled",
        ...(ranges.length === 0
          ? {}
          : {
              networkRuleSet: {
                defaultAction: "Deny",
                ipRules: ranges.map((range) => ({ iPAddressOrRange: range, action: "Allow" })),
              },
              networkRuleBypassOptions: "AzureServices",
            }),
      },
      keep,
    );
    // Creating a private endpoint that Azure approves at once needs this action on the target;
    // without it the connection waits for a manual approval and the cluster cannot pull. A role
    // of its own, so the environments' deploy identities get nothing else on the registry.
    const endpointApprover = new authorization.RoleDefinition(
      `${name}-endpoint-approver`,
      {
        // Role names are unique in the tenant.
        roleName: `Registry private endpoint approver (${args.registryName})`,
        description: `Create auto-approved private endpoints to the ${args.registryName} registry; nothing else.`,
        roleType: "CustomRole",
        // Azure takes management groups, subscriptions and resource groups as assignable scopes,
        // not resources (learn.microsoft.com/azure/role-based-access-control/role-definitions,
        // "AssignableScopes"; MicrosoftDocs/azure-docs#50296): the shared group, which holds
        // only the registry. The assignments stay on the registry (DeployIdentity).
        scope: group.id,
        assignableScopes: [group.id],
        permissions: [{ actions: registryEndpointApproverActions, notActions: [] }],
      },
      { parent: this },
    );
    this.registryId = registry.id;
    this.loginServer = registry.loginServer;
    this.registryName = registry.name;
    this.endpointApproverRoleId = endpointApprover.id;
    this.registerOutputs({ registryId: this.registryId, loginServer: this.loginServer });
  }
}
