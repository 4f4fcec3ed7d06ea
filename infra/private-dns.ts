import * as privatedns from "@pulumi/azure-native/privatedns";
import type * as pulumi from "@pulumi/pulumi";

/**
 * A private DNS zone linked to the environment's virtual network, so that the cluster resolves a
 * data service's name to its private address. Returns the zone and the link (wait on the link).
 */
export function linkedPrivateZone(
  name: string,
  args: {
    readonly zoneName: pulumi.Input<string>;
    readonly resourceGroupName: pulumi.Input<string>;
    readonly virtualNetworkId: pulumi.Input<string>;
  },
  opts: pulumi.CustomResourceOptions,
): { zone: privatedns.PrivateZone; link: privatedns.VirtualNetworkLink } {
  const zone = new privatedns.PrivateZone(
    `${name}-zone`,
    { privateZoneName: args.zoneName, resourceGroupName: args.resourceGroupName, location: "Global" },
    opts,
  );
  const link = new privatedns.VirtualNetworkLink(
    `${name}-zone-link`,
    {
      privateZoneName: zone.name,
      resourceGroupName: args.resourceGroupName,
      location: "Global",
      virtualNetwork: { id: args.virtualNetworkId },
      registrationEnabled: false,
    },
    opts,
  );
  return { zone, link };
}
