import * as authorization from "@pulumi/azure-native/authorization";
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import { linkedPrivateZone } from "./private-dns";
import { roleDefinitionId, roles } from "./roles";

/** The private DNS zone of container registries' private endpoints (login and data endpoints). */
export const registryPrivateZoneName = "privatelink.azurecr.io";

/** Arguments of {@link RegistryPull}. */
export interface RegistryPullArgs {
  /** Id of the shared registry (from the bootstrap stack). */
  readonly registryId: pulumi.Input<string>;
  /** Object id of the cluster's kubelet identity: what pulls the images. */
  readonly kubeletObjectId: pulumi.Input<string>;
  /** The environment's resource group, where the private endpoint and its DNS zone live. */
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  /** Subnet of the private endpoint through which the cluster's nodes reach the registry. */
  readonly privateEndpointSubnetId: pulumi.Input<string>;
  readonly virtualNetworkId: pulumi.Input<string>;
}

/**
 * Lets an environment's cluster pull from the shared registry: `AcrPull` for its kubelet
 * identity (the deploy identity may create exactly this assignment: an ABAC condition limits it
 * to `AcrPull` for service principals), over a private endpoint in the environment's network.
 * The endpoint's DNS zone group writes the registry's login and data endpoint names
 * (`<registry>.azurecr.io`, `<registry>.<region>.data.azurecr.io`) into `privatelink.azurecr.io`,
 * linked to the network, so the nodes resolve both to private addresses. Azure approves the
 * connection at once because the deploy identity holds the registry's endpoint-approver role
 * (bootstrap stack); the endpoint needs the registry's Premium tier.
 */
export class RegistryPull extends pulumi.ComponentResource {
  /** The role assignment; pods that pull images wait for it (and for the whole component). */
  readonly assignment: authorization.RoleAssignment;

  constructor(name: string, args: RegistryPullArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:RegistryPull", name, {}, opts);
    this.assignment = new authorization.RoleAssignment(
      `${name}-kubelet`,
      {
        principalId: args.kubeletObjectId,
        principalType: "ServicePrincipal",
        roleDefinitionId: roleDefinitionId(roles.acrPull),
        scope: args.registryId,
      },
      { parent: this },
    );
    const { zone, link } = linkedPrivateZone(
      name,
      {
        zoneName: registryPrivateZoneName,
        resourceGroupName: args.resourceGroupName,
        virtualNetworkId: args.virtualNetworkId,
      },
      { parent: this },
    );
    const endpoint = new network.PrivateEndpoint(
      `${name}-endpoint`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        subnet: { id: args.privateEndpointSubnetId },
        privateLinkServiceConnections: [
          { name: "registry", privateLinkServiceId: args.registryId, groupIds: ["registry"] },
        ],
      },
      { parent: this },
    );
    new network.PrivateDnsZoneGroup(
      `${name}-endpoint-dns`,
      {
        resourceGroupName: args.resourceGroupName,
        privateEndpointName: endpoint.name,
        privateDnsZoneConfigs: [{ name: "registry", privateDnsZoneId: zone.id }],
      },
      { parent: this, dependsOn: [link] },
    );
    this.registerOutputs({});
  }
}
